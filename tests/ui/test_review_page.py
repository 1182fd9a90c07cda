"""The 复核 page driven like a reviewer: filter, view, batch countersign, send back, countersign."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.records import review
from app.storage.store import Store
from tests.test_review import _profile, _run
from tests.ui.conftest import Keyboard, make_ctx, wait_window
from tests.ui.test_checklist import draw
from tests.ui.test_main_window import show_main
from ui.export_dialog import ExportDialog
from ui.pages.review import ReturnDialog, ReviewPage
from ui.signatures import SignDialog


def _select(page: ReviewPage, record_id: str) -> None:
    row = page.model.find(record_id)
    assert row >= 0
    page.table.setCurrentIndex(page.model.index(row, 0))


def _sign(qtbot: QtBot, name: str) -> None:
    dialog = wait_window(qtbot, SignDialog)
    dialog.name.setText(name)
    draw(qtbot, dialog.pad)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_review_page_views_batches_sends_back_and_countersigns(
    qtbot: QtBot, store: Store, keyboard: Keyboard
) -> None:
    ctx = make_ctx(store, "test-portal", _profile(True))
    ids = ctx.call(
        lambda s: {
            "zhang": _run(s, date(2026, 11, 3), "张工"),
            "zhang2": _run(s, date(2026, 11, 3), "张工", template="app-check"),
            "li": _run(s, date(2026, 11, 4), "李工", exception=True),
        }
    )
    window = show_main(qtbot, ctx)
    window.nav.setFocus()
    keyboard.press(Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)  # the pages by keyboard
    assert window.stack.currentWidget() is window.pages["team"]
    keyboard.press(Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    page = window.pages["review"]
    assert isinstance(page, ReviewPage) and window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.model.shown() == 3)

    # the first record is shown read-only beside the queue, and counts as viewed
    first = page.model.row_at(0)
    assert first.title in page.preview.toPlainText() and first.id in page.viewed
    other = ids["zhang2"] if first.id == ids["zhang"] else ids["zhang"]
    assert first.id in (ids["zhang"], ids["zhang2"]) and other not in page.viewed
    assert "1/2" in page.batch_button.text()
    page.batch_button.click()  # one of the day's two routine checks not viewed yet
    assert "还有 1 条" in page.banner.text()
    _select(page, other)
    assert other in page.viewed and "2/2" in page.batch_button.text()
    page.batch_button.click()
    _sign(qtbot, "王经理")
    qtbot.waitUntil(lambda: page.model.shown() == 1)
    assert ctx.call(lambda s: {i.record_id for i in review.queue(s)}) == {ids["li"]}

    # filter by engineer
    page.engineer.setCurrentIndex(page.engineer.findData("张工"))
    page.engineer.activated.emit(page.engineer.currentIndex())
    qtbot.waitUntil(lambda: page.model.shown() == 0)
    page.engineer.setCurrentIndex(page.engineer.findData("李工"))
    page.engineer.activated.emit(page.engineer.currentIndex())
    qtbot.waitUntil(lambda: page.model.shown() == 1)
    assert page.model.row_at(0).id == ids["li"] and page.current_id() == ids["li"]

    # the run with an exception is sent back with a reason typed in the dialog
    _select(page, ids["li"])
    assert not page.batch_button.isEnabled()
    page.return_button.click()
    dialog = wait_window(qtbot, ReturnDialog)
    keyboard.type("处理措施写得不清楚")
    qtbot.mouseClick(
        dialog.findChild(type(page.return_button), "returnButton"), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: page.model.row_at(0).state == "已退回")
    assert page.returns_model.shown() == 1
    assert page.returns_model.row_at(0).reason == "处理措施写得不清楚"
    assert page.returns_model.row_at(0).state == "待更正"

    # countersigned one by one after all
    page.sign_button.click()
    _sign(qtbot, "王经理")
    qtbot.waitUntil(lambda: page.model.shown() == 0)
    assert "没有待复核的记录" in page.preview.toPlainText()
    window.close()


def test_today_and_deliverables_show_the_work_per_engineer(qtbot: QtBot, store: Store) -> None:
    ctx = make_ctx(store, "test-portal", _profile(True))
    today = ctx.today()
    window = show_main(qtbot, ctx)
    page = window.pages["today"]
    page.refresh()
    assert page.team.isHidden() and page.table.isColumnHidden(len(page.model.columns) - 1)

    ctx.call(lambda s: _run(s, today, "张工"))
    ctx.call(lambda s: _run(s, today, "李工", template="app-check"))
    page.refresh()
    assert not page.team.isHidden()
    assert not page.table.isColumnHidden(len(page.model.columns) - 1)
    text = page.team.text()
    assert "张工：已完成 1" in text and "李工：已完成 1" in text
    by_name = {row.name: row.engineer for row in page.model.all_rows() if row.code == "done"}
    assert by_name == {"日常服务器巡检": "张工", "应用巡检": "李工"}

    deliverables = window.pages["deliverables"]
    deliverables.refresh()
    progress = deliverables.team.text()
    assert "本月团队（2026-11）" in progress
    assert "张工：已签 巡检记录 1，待复核 1" in progress and "李工：已签 巡检记录 1" in progress
    window.close()


def test_export_dialog_lists_unreviewed_records_and_asks_before_exporting(
    qtbot: QtBot, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(store, "test-portal", _profile(True))
    ctx.call(lambda s: _run(s, date(2026, 10, 20), "张工"))
    dialog = ExportDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path / "out"))
    assert dialog.month.currentText() == "2026-10"
    assert not dialog.unreviewed.isHidden()
    assert "1 条记录尚未经复核人签字" in dialog.unreviewed.text()
    assert "张工" in dialog.unreviewed.text()

    asked: list[str] = []

    def answer(reply: QMessageBox.StandardButton) -> object:
        def ask(*args: object, **_kw: object) -> QMessageBox.StandardButton:
            asked.append(str(args[2]))
            return reply

        return ask

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    dialog.start_export()
    assert asked and "仍要导出" in asked[0] and dialog.operation is None
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(dialog.exported):
        dialog.start_export()
    assert len(asked) == 2 and (tmp_path / "out").is_dir()
