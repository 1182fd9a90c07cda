"""The 交付物 page exports a monthly pack in the background, previewed first."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.schedule.deadlines import deadlines
from tests.ui.conftest import wait_window
from tests.ui.test_main_window import show_main
from ui.context import AppContext
from ui.export_dialog import ExportDialog
from ui.pages.deliverables import DeliverablesPage


def test_a_monthly_pack_is_previewed_and_exported(
    qtbot: QtBot, builtin_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = show_main(qtbot, builtin_ctx)
    window.show_page("deliverables")
    page = window.pages["deliverables"]
    assert isinstance(page, DeliverablesPage)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    dialog = wait_window(qtbot, ExportDialog)
    assert dialog.month.currentText() == "2026-10"  # the month before today
    assert dialog.plan is not None and dialog.files.count() == len(dialog.plan.files) > 3
    assert "月度交付包" in dialog.plan.folder
    dialog.folder.setText(str(tmp_path))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已导出" in dialog.banner.text(), timeout=60_000)

    archive = tmp_path / f"{dialog.plan.folder}.zip"
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read(f"{dialog.plan.folder}/manifest.json"))
    assert manifest["period"]["start"] == "2026-10-01"
    # 「待补充」 deliverables (no records in this store) are left out: the box was not ticked
    left_out = {p for m in dialog.plan.incomplete for p in m.paths}
    assert left_out and dialog.include_incomplete.isVisible()
    assert {f["path"] for f in manifest["files"]} == {
        f.path for f in dialog.plan.files if f.path not in left_out
    }
    exported = builtin_ctx.call(
        lambda s: [d for d in deadlines(s, "internet-om") if d.submitted is not None]
    )
    assert exported and all(d.submitted.state == "exported" for d in exported)  # type: ignore[union-attr]
    # the page says 「已导出，待提交」 for them — the hand-in is pending, not overdue
    page.refresh()
    shown = {row.id: row for row in page.model._rows}
    for n, item in enumerate(page.items):
        if item.submitted is not None and item.submitted.state == "exported":
            assert shown[str(n)].state == "已导出，待提交", item
    # 登记已提交 is offered right away, asks first, and registers every exported deliverable
    assert dialog.submit_button.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.submit_button.isVisible()  # 「No」 changed nothing
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert not dialog.submit_button.isVisible()
    assert f"已登记提交 {len(exported)} 项交付物" in dialog.banner.text()
    states = builtin_ctx.call(
        lambda s: {(d.code, d.period_key): d.submitted for d in deadlines(s, "internet-om")}
    )
    for d in exported:
        assert states[(d.code, d.period_key)].state == "submitted"  # type: ignore[union-attr]
    dialog.close()
    # 核验交付包 proposes the pack just exported, and it verifies
    verify = page.verify()
    assert verify.path.text() == str(archive)
    qtbot.mouseClick(verify.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: verify.report is not None)
    assert verify.report is not None and verify.report.ok, verify.report.lines()
    verify.close()
    window.close()
