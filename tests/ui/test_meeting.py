"""The meeting minutes form: typed by keyboard, checked as typed, saved, 定稿, signed, kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.records import drafts, listings, meetings, signing
from app.storage.store import Store
from db.models import Draft
from tests.factories import internet_profile
from tests.ui.conftest import NOW, Keyboard, answer_unsaved, make_ctx, wait_window
from tests.ui.test_checklist import draw, sign_dialog
from ui.context import AppContext
from ui.forms.meeting import CONTENT, DONE, DUE, OWNER, MeetingForm
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def mctx(store: Store) -> AppContext:
    return make_ctx(store, "test-internet", internet_profile())


@pytest.fixture
def mwindow(qtbot: QtBot, mctx: AppContext) -> Iterator[MainWindow]:
    main = MainWindow(mctx)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()


def new_meeting(qtbot: QtBot, window: MainWindow) -> MeetingForm:
    window.show_page("meetings")
    window.open_meeting()
    form = wait_window(qtbot, MeetingForm)
    qtbot.waitUntil(lambda: form.lines["title"].hasFocus())
    return form


def type_in(keyboard: Keyboard, form: MeetingForm, name: str, text: str) -> None:
    widget = form.lines.get(name) or form.texts.get(name) or form.times[name].edit
    widget.setFocus()
    if name in form.times:
        widget.selectAll()  # type: ignore[union-attr]
    for n, line in enumerate(text.split("\n")):
        if n:
            keyboard.enter()
        keyboard.type(line)


def test_minutes_typed_checked_saved_finalized_and_signed(
    qtbot: QtBot, mwindow: MainWindow, mctx: AppContext, keyboard: Keyboard
) -> None:
    form = new_meeting(qtbot, mwindow)
    new_key = form.saver.form_key
    assert form.times["meeting_at"].edit.text() == "2026-11-20 10:00"
    assert form.lines["recorder"].text() == "张工" and not form.has_changes()
    keyboard.type("11月第3周例会")  # replaces the selected default title
    type_in(keyboard, form, "ended_at", "2026-11-20 11:00")
    assert "不能填写将来的时间" in form.errors["ended_at"].text()
    type_in(keyboard, form, "meeting_at", "2026-11-20 08:30")
    type_in(keyboard, form, "ended_at", "2026-11-20 08:00")
    assert form.errors["ended_at"].text() == "结束时间应晚于会议开始时间。"
    type_in(keyboard, form, "ended_at", "2026-11-20 09:30")
    assert form.errors["ended_at"].text() == ""
    for name, text in (
        ("host", "李经理"),
        ("attendees", "李经理、张工、王工"),
        ("agenda", "1. 本周巡检\n2. 申报系统告警"),
        ("decisions", "申报系统数据盘扩容"),
    ):
        type_in(keyboard, form, name, text)

    keyboard.press(Qt.Key.Key_N, CTRL)  # a new action item, the cursor in its first cell
    qtbot.waitUntil(lambda: form.actions.rowCount() == 1)
    keyboard.type("扩容数据盘")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("王工")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("2026-11-01")
    keyboard.press(Qt.Key.Key_Tab)
    assert form.actions.item(0, CONTENT).text() == "扩容数据盘"
    assert form.actions.item(0, OWNER).text() == "王工"
    assert "早于会议日期 2026-11-20" in form.errors["action_items"].text()
    form.actions.item(0, DUE).setText("2026-11-27")
    assert form.errors["action_items"].text() == ""

    # 定稿 says what is missing, under the field, and stores nothing
    assert form.errors["place"].text() == ""  # a draft may lack it
    form.lines["place"].clear()
    keyboard.press(Qt.Key.Key_Return, CTRL)
    assert form.errors["place"].text() == "定稿前请填写「地点」。" and form.is_new
    assert "请先改正标出的问题" in form.banner.text()
    type_in(keyboard, form, "place", "甲方会议室")
    keyboard.press(Qt.Key.Key_Return, CTRL)
    assert not form.is_new and form.final and form.record["number"] == "HY-202611-0001"
    assert mctx.call(lambda s: drafts.load(s, new_key)) == {}  # the draft became the record
    stored = mctx.call(lambda s: meetings.meeting_fields(s, str(form.meeting_id)))
    assert stored["action_items"] == [
        meetings.ActionItem("扩容数据盘", "王工", NOW.date() + timedelta(days=7), False)
    ]
    assert stored["ended_at"] == NOW - timedelta(minutes=30)

    qtbot.mouseClick(form.signatures.buttons["运维人员"], Qt.MouseButton.LeftButton)
    dialog = sign_dialog(qtbot)
    draw(qtbot, dialog.pad)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.locked)
    assert form.lines["title"].isReadOnly() and form.amend_button.isVisible()
    assert not form.save_button.isVisible()
    assert not form.actions.item(0, DONE).flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert mctx.call(lambda s: signing.is_locked(s, "meeting_minutes", str(form.meeting_id)))
    rows = mctx.call(lambda s: listings.meeting_rows(s, "test-internet"))
    assert [(r.number, r.status, r.actions) for r in rows] == [("HY-202611-0001", "已签字", 1)]
    form.close()


def test_a_new_meeting_closed_with_typing_is_kept_as_a_draft_and_restored(
    qtbot: QtBot, mwindow: MainWindow, mctx: AppContext, keyboard: Keyboard
) -> None:
    form = new_meeting(qtbot, mwindow)
    key = form.saver.form_key
    type_in(keyboard, form, "decisions", "周五前完成扩容")
    form.add_action_row()
    keyboard.type("核查磁盘")
    keyboard.press(Qt.Key.Key_Tab)
    form.actions.item(0, DONE).setCheckState(Qt.CheckState.Checked)
    form.close()
    answer_unsaved(qtbot, "unsavedKeep")
    qtbot.waitUntil(lambda: key not in mwindow.forms)
    kept = mctx.call(lambda s: drafts.load(s, key))
    assert kept["decisions"] == "周五前完成扩容"
    assert kept["action_items"] == [["核查磁盘", "", "", True]]

    mwindow.restore_form(key, kept)  # as the restore dialog does at the next start
    again = wait_window(qtbot, MeetingForm)
    assert again.texts["decisions"].toPlainText() == "周五前完成扩容"
    assert again.actions.item(0, CONTENT).text() == "核查磁盘"
    assert again.actions.item(0, DONE).checkState() == Qt.CheckState.Checked
    assert "已恢复" in again.banner.text() and again.has_changes()
    again.close()
    answer_unsaved(qtbot, "unsavedDiscard")
    qtbot.waitUntil(lambda: key not in mwindow.forms)
    assert mctx.call(lambda s: drafts.load(s, key)) == {}
    assert mctx.call(lambda s: listings.meeting_rows(s, "test-internet")) == []


def test_a_long_meeting_name_and_a_huge_paste_never_stop_the_drafts(
    qtbot: QtBot,
    mwindow: MainWindow,
    mctx: AppContext,
    keyboard: Keyboard,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The draft's title is the form's heading (会议纪要 + the 会议名称 typed): 300 characters
    of it raised 「标题」过长 at every draft save, and closing raised it again; 100,001
    characters pasted into a field raised 草稿字段…过长 the same way."""
    form = new_meeting(qtbot, mwindow)
    key = form.saver.form_key
    keyboard.type("长" * 300)
    keyboard.press(Qt.Key.Key_Tab)
    type_in(keyboard, form, "decisions", "周五前完成扩容")
    form.saver.set("agenda", "字" * 100_001)  # as a paste of that much would queue it
    form.saver.flush()
    kept = mctx.call(lambda s: drafts.load(s, key))
    assert kept["title"] == "长" * 300 and kept["decisions"] == "周五前完成扩容"
    assert "agenda" not in kept
    assert "草稿字段「agenda」的内容过长" in caplog.text
    of_title = select(Draft.title).where(Draft.form_key == key, Draft.field == "title")
    titles = mctx.call(lambda s: s.scalars(of_title).all())
    assert [(len(t), t[-2:]) for t in titles] == [(drafts.TITLE_LIMIT, "长…")]
    form.close()
    answer_unsaved(qtbot, "unsavedKeep")
    qtbot.waitUntil(lambda: key not in mwindow.forms)
    assert mctx.call(lambda s: drafts.load(s, key))["title"] == "长" * 300
