"""The 交付物 page exports a monthly pack in the background, previewed first."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.schedule.deadlines import deadlines
from tests.ui.conftest import wait_window
from tests.ui.test_main_window import show_main
from ui.context import AppContext
from ui.export_dialog import ExportDialog
from ui.pages.deliverables import DeliverablesPage


def test_a_monthly_pack_is_previewed_and_exported(
    qtbot: QtBot, builtin_ctx: AppContext, tmp_path: Path
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
    dialog.close()
    # 核验交付包 proposes the pack just exported, and it verifies
    verify = page.verify()
    assert verify.path.text() == str(archive)
    qtbot.mouseClick(verify.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: verify.report is not None)
    assert verify.report is not None and verify.report.ok, verify.report.lines()
    verify.close()
    window.close()
