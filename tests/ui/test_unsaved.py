"""Typing is never lost: closing a form with unsaved typing asks 保存草稿 / 放弃 / 取消.

保存草稿 keeps the typed fields as drafts (offered at the next start, and put back when
the same record's form opens again); 放弃 drops them; 取消 keeps the form open. A form
without changes closes without asking; Esc closes forms the same way; 退出 (Ctrl+Q)
closes the forms one by one first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.records import drafts, faults, listings, record_views
from tests.ui.conftest import NOW, Keyboard, activate, answer_unsaved, top_level, wait_window
from tests.ui.test_checklist import open_form, start
from ui.context import AppContext
from ui.forms.fault import FaultForm
from ui.forms.request import RequestForm
from ui.main_window import MainWindow
from ui.restore import RestoreDialog


def new_fault(qtbot: QtBot, window: MainWindow) -> FaultForm:
    window.open_fault()
    form = wait_window(qtbot, FaultForm)
    return form


def saved_drafts(ctx: AppContext, key: str) -> dict[str, object]:
    return ctx.call(lambda s: drafts.load(s, key))


def test_a_form_without_changes_closes_without_asking(qtbot: QtBot, window: MainWindow) -> None:
    form = new_fault(qtbot, window)
    key = form.saver.form_key
    assert form.close()
    assert top_level(QMessageBox, "unsavedDialog") is None
    assert saved_drafts(window.ctx, key) == {}


def test_cancel_keeps_the_form_and_discard_drops_the_typing(
    qtbot: QtBot, window: MainWindow, keyboard: Keyboard
) -> None:
    form = new_fault(qtbot, window)
    key = form.saver.form_key
    form.lines["title"].setFocus()
    keyboard.type("门户无法访问")
    keyboard.press(Qt.Key.Key_Escape)  # Esc closes the form: it asks first
    answer_unsaved(qtbot, "unsavedCancel")
    assert form.isVisible() and form.lines["title"].text() == "门户无法访问"

    assert not form.close()
    answer_unsaved(qtbot, "unsavedDiscard")
    qtbot.waitUntil(lambda: key not in window.forms)
    assert saved_drafts(window.ctx, key) == {}
    assert window.ctx.call(lambda s: listings.fault_rows(s, "test-portal")) == []


def test_a_kept_draft_of_a_new_request_is_offered_at_the_next_start_and_never_dropped_silently(
    qtbot: QtBot, window: MainWindow, keyboard: Keyboard
) -> None:
    keyboard.press(Qt.Key.Key_F2)
    form = wait_window(qtbot, RequestForm)
    qtbot.waitUntil(lambda: form.lines["caller_unit"].hasFocus())
    keyboard.type("市政务服务中心")
    key = form.saver.form_key
    keyboard.press(Qt.Key.Key_Escape)
    answer_unsaved(qtbot, "unsavedKeep")
    qtbot.waitUntil(lambda: key not in window.forms)
    kept = saved_drafts(window.ctx, key)
    assert kept["caller_unit"] == "市政务服务中心" and kept["_kept"] and "_open" not in kept

    # the next start lists it (as a draft, not a crash) and puts it back as it was
    activate(qtbot, window)
    dialog = window.offer_restore()
    assert isinstance(dialog, RestoreDialog) and dialog.list.count() == 1
    assert "草稿" in dialog.list.item(0).text()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    restored = wait_window(qtbot, RequestForm)
    assert restored.lines["caller_unit"].text() == "市政务服务中心"
    assert restored.received_at == NOW
    assert "已恢复" in restored.banner.text()

    # a restored draft is never dropped silently: closing it asks again
    assert not restored.close()
    answer_unsaved(qtbot, "unsavedDiscard")
    qtbot.waitUntil(lambda: key not in window.forms)
    assert saved_drafts(window.ctx, key) == {}
    assert window.offer_restore() is None


def test_a_kept_draft_of_a_saved_fault_comes_back_when_its_form_opens(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    fault_id = ctx.call(
        lambda s: (
            faults.create_fault(
                s,
                "test-portal",
                title="接口超时",
                level=faults_level(ctx),
                reported_at=NOW,
                now=NOW,
            ).id
        )
    )
    window.open_fault(fault_id)
    form = wait_window(qtbot, FaultForm)
    assert not form.has_changes()
    form.texts["cause"].setFocus()
    keyboard.type("证书过期")  # still in the field: not stored yet
    form.close()
    answer_unsaved(qtbot, "unsavedKeep")
    key = f"fault_record:{fault_id}"
    qtbot.waitUntil(lambda: key not in window.forms)
    assert ctx.call(lambda s: record_views.fault_fields(s, fault_id))["cause"] == ""
    assert saved_drafts(ctx, key)["cause"] == "证书过期"

    window.open_fault(fault_id)  # the same record's form: the draft is back
    again = wait_window(qtbot, FaultForm)
    assert again.texts["cause"].toPlainText() == "证书过期"
    assert "已恢复" in again.banner.text() and again.has_changes()
    assert not again.close()
    answer_unsaved(qtbot, "unsavedDiscard")
    qtbot.waitUntil(lambda: key not in window.forms)
    assert saved_drafts(ctx, key) == {}


def faults_level(ctx: AppContext) -> str:
    from app.contracts.registry import get_contract, profile_of

    return ctx.call(lambda s: profile_of(get_contract(s, "test-portal")).sla.fault_levels[-1].code)


def test_a_checklist_restored_after_a_crash_asks_before_closing(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    run_id = start(ctx)
    form = open_form(qtbot, window, run_id)
    result_id = form.rows[0].view.result_id
    key = f"inspection_run:{run_id}"
    form.close()  # nothing typed: no question
    qtbot.waitUntil(lambda: key not in window.forms)
    # what a killed process leaves: the form's open marker and a field being typed
    for field, value in (("_open", True), (f"note:{result_id}", "磁盘告警")):
        ctx.call(lambda s, f=field, v=value: drafts.save_field(s, key, "inspection_run", f, v))
    dialog = window.offer_restore()
    assert isinstance(dialog, RestoreDialog) and "异常退出" in dialog.list.item(0).text()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    restored = open_form(qtbot, window, run_id)
    assert restored.rows[0].note.text() == "磁盘告警" and restored.has_changes()
    assert not restored.close()
    answer_unsaved(qtbot, "unsavedKeep")
    qtbot.waitUntil(lambda: key not in window.forms)
    kept = saved_drafts(ctx, key)
    assert kept[f"note:{result_id}"] == "磁盘告警" and kept["_kept"] and "_open" not in kept

    restored = open_form(qtbot, window, run_id)  # reopened from the list: the draft is back
    assert restored.rows[0].note.text() == "磁盘告警"


def test_quit_with_ctrl_q_asks_for_each_changed_form_and_cancel_stops_it(
    qtbot: QtBot, window: MainWindow, keyboard: Keyboard
) -> None:
    form = new_fault(qtbot, window)
    form.lines["title"].setFocus()
    keyboard.type("x")
    keyboard.press(Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)  # 退出, from the form
    answer_unsaved(qtbot, "unsavedCancel")
    assert window.isVisible() and form.isVisible() and not window.quitting

    activate(qtbot, form)
    keyboard.press(Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    answer_unsaved(qtbot, "unsavedDiscard")
    qtbot.waitUntil(lambda: not window.isVisible())
    assert not window.forms
    assert QApplication.activeModalWidget() is None
