"""The 团队 page driven like a user: identity, export a bundle, preview, trust, import."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.records import review
from app.storage.store import Store
from app.storage.team_state import voided_ids
from tests.team_tools import exchange, sign_run, start_team
from tests.test_review import _profile, _run
from tests.ui.conftest import NOW, make_ctx, wait_window
from ui.context import AppContext
from ui.pages.base import Opener
from ui.pages.team import BundlePassphraseDialog, BundlePreviewDialog, TeamPage
from ui.pages.team_void import VoidDuplicateDialog
from ui.settings import Settings

PASSPHRASE = "team-bundle-2026"


def _page(qtbot: QtBot, ctx: AppContext) -> TeamPage:
    page = TeamPage(ctx, cast(Opener, object()))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    return page


def _type_passphrase(qtbot: QtBot, twice: bool) -> None:
    dialog = wait_window(qtbot, BundlePassphraseDialog)
    dialog.first.setText("short")
    dialog.accept()
    assert "至少" in dialog.banner.text() and dialog.isVisible()
    dialog.first.setText(PASSPHRASE)
    if twice:
        dialog.second.setText(PASSPHRASE)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_export_then_preview_trust_and_import_into_a_new_laptop(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    pm = make_ctx(store, "test-portal", _profile(True))
    ids = pm.call(
        lambda s: [_run(s, date(2026, 11, 3), "张工"), _run(s, date(2026, 11, 4), "李工")]
    )
    page = _page(qtbot, pm)
    assert "-" in page.device.text() and page.engineer.text() == "张工"

    # this laptop's engineer and short code
    page.engineer.setText("王经理")
    page.code.setText("zz1")
    page.save_identity()
    assert "简码" in page.banner.text() and page.banner.kind == "error"
    page.code.setText("wj")
    page.save_identity()
    assert "王经理" in page.banner.text() and page.code.text() == "WJ"
    assert page.members_model.row_at(0).engineer == "王经理（本机）"

    # export: the passphrase is asked in the window, the work runs off the GUI thread
    bundle = tmp_path / "WJ.omwbundle"
    page.ask_export_passphrase(str(bundle))
    _type_passphrase(qtbot, twice=True)
    qtbot.waitUntil(lambda: "已导出交换包" in page.banner.text())
    assert bundle.is_file() and page.members_model.row_at(0).last_export

    # a new laptop: preview first (nothing written), then trust the signer and import
    other = Store.open(tmp_path / "engineer", actor="张工")
    settings = Settings.load(other.folder)
    settings.name, settings.role = "张工", "运维工程师"
    receiver = AppContext(other, settings, clock=lambda: NOW)
    theirs = _page(qtbot, receiver)
    theirs.ask_import_passphrase(str(bundle))
    _type_passphrase(qtbot, twice=False)
    preview = wait_window(qtbot, BundlePreviewDialog)
    text = preview.details.toPlainText()
    assert "尚未写入任何内容" in text and "巡检记录 2" in text and "WJ 2" in text
    assert receiver.call(lambda s: review.queue(s)) == []
    assert preview.needs_trust and preview.report.signer.fingerprint in preview.trust.text()
    preview.accept()  # not without checking the fingerprint
    assert "核对指纹" in preview.banner.text() and preview.isVisible()
    preview.trust.setChecked(True)
    preview.accept()
    qtbot.waitUntil(lambda: "已导入 WJ.omwbundle" in theirs.banner.text())
    assert {i.record_id for i in receiver.call(lambda s: review.queue(s))} == set(ids)
    wang = next(r for r in theirs.members_model.all_rows() if r.code == "WJ")
    assert wang.trusted and wang.last_import
    assert theirs.held_model.total() == 0

    # a wrong passphrase: a Chinese message, nothing written
    theirs.preview(bundle, "wrong-passphrase-x")
    qtbot.waitUntil(lambda: theirs.banner.kind == "error")
    assert "口令" in theirs.banner.text()
    other.close()


def test_a_check_signed_on_two_laptops_is_voided_from_the_page(
    qtbot: QtBot, tmp_path: Path
) -> None:
    pm, (zs, ls) = start_team(tmp_path / "team", [("张三", "ZS"), ("李四", "LS")])
    try:
        ours = sign_run(zs, date(2026, 11, 3), "portal", "张三")
        theirs = sign_run(ls, date(2026, 11, 4), "portal", "李四")
        exchange(zs, pm, tmp_path / "zs.omwb")
        exchange(ls, pm, tmp_path / "ls.omwb")
        settings = Settings.load(pm.folder)
        settings.name, settings.role = "王经理", "项目经理"
        page = _page(qtbot, AppContext(pm, settings, clock=lambda: NOW))
        (row,) = [r for r in page.held_model.all_rows() if r.kind == "重复巡检"]
        assert (
            "分系统巡检" in row.what and "张三（ZS）" in row.reason and "李四（LS）" in row.reason
        )
        assert not page.void_button.isEnabled()  # nothing chosen yet
        page.held.selectRow(page.held_model.all_rows().index(row))
        assert page.void_button.isEnabled()

        settings.role = "运维工程师"  # off the PM's laptop: agree with the PM first
        dialog = page.void_duplicate()
        assert dialog is not None and "项目经理" in dialog.banner.text()
        dialog.reject()
        settings.role = "项目经理"
        qtbot.mouseClick(page.void_button, Qt.MouseButton.LeftButton)
        dialog = wait_window(qtbot, VoidDuplicateDialog)
        assert dialog.banner.isHidden()  # the project manager's own call
        assert dialog.choice.currentData() == theirs  # the later one is offered
        assert dialog.reason.text() == "同一周期重复巡检，保留张三（ZS）的记录"
        dialog.choice.setCurrentIndex(0)  # the reason follows the choice until it is edited
        assert "保留李四" in dialog.reason.text()
        dialog.reason.setText("")
        dialog.accept()
        assert "作废原因" in dialog.banner.text() and dialog.isVisible()  # refused, nothing voided
        dialog.choice.setCurrentIndex(1)
        dialog.reason.setText("同一周期重复巡检，以张三的为准")
        qtbot.mouseClick(dialog.findChild(QPushButton, "voidConfirm"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.isVisible())
        assert "已作废" in page.banner.text()
        assert [r for r in page.held_model.all_rows() if r.kind == "重复巡检"] == []
        with pm.session() as s:
            assert voided_ids(s) == {theirs} and ours not in voided_ids(s)
    finally:
        for store in (pm, zs, ls):
            store.close()
