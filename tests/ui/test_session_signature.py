"""完成并签字 with the signature kept for the session; an abnormal item needs a 处理措施."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox
from pytestqt.qtbot import QtBot

from app.records import signature_vault, signing
from tests.factories import png_bytes
from tests.ui.conftest import Keyboard, activate, top_level, wait_window
from tests.ui.test_checklist import open_form, start
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.main_window import MainWindow
from ui.pages.settings import SettingsPage
from ui.settings import Settings
from ui.signatures import SignDialog

CTRL = Qt.KeyboardModifier.ControlModifier


def fill(qtbot: QtBot, form: ChecklistForm, keyboard: Keyboard) -> None:
    """Every item normal (the three disks read 40 %), ready for 完成并签字."""
    activate(qtbot, form)
    keyboard.press(Qt.Key.Key_A, CTRL | Qt.KeyboardModifier.ShiftModifier)
    for row in form.rows:
        if row.view.kind == "number":
            row.setFocus()
            keyboard.type("40")
            keyboard.enter()
    assert all(r.view.touched for r in form.rows if r.view.required)


def signers(ctx: AppContext, run_id: str) -> list[str]:
    signed = ctx.call(lambda s: signing.signatures_of(s, "inspection_run", run_id))
    return [x.signer_name for x in signed]


def test_the_pin_once_then_complete_and_sign_without_a_dialog_until_turned_off(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    signature_vault.save_signature(ctx.store.folder, "张工", png_bytes(), "2468")
    first = open_form(qtbot, window, start(ctx))
    fill(qtbot, first, keyboard)
    keyboard.press(Qt.Key.Key_Return, CTRL)
    dialog = wait_window(qtbot, SignDialog)
    keep = dialog.findChild(QCheckBox, "keepForSession")
    assert keep is not None and keep.isVisible() and keep.isChecked()
    keyboard.type("2468")
    keyboard.enter()
    qtbot.waitUntil(lambda: first.locked)
    assert ctx.kept_signatures == {"张工": png_bytes()}

    # the next record of the session: no dialog, signed with the same image
    second = open_form(qtbot, window, start(ctx, "monthly"))
    activate(qtbot, second)
    keyboard.type("1")  # 服务器账号检查 正常
    keyboard.press(Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: second.locked)
    assert top_level(SignDialog) is None
    assert signers(ctx, second.run_id) == ["张工"]
    assert "已用本次保留的签名签字" in second.banner.text()

    # 设置 → 我的签名: stop keeping it; the dialog asks again and the choice is saved
    settings = window.pages["settings"]
    assert isinstance(settings, SettingsPage)
    settings.keep_signature.setChecked(False)
    assert ctx.kept_signatures == {} and not Settings.load(ctx.store.folder).keep_signature
    second.close()
    amended = ctx.call(
        lambda s: signing.amend(s, "inspection_run", first.run_id, reason="读数有误", actor="张工")
    )
    third = open_form(qtbot, window, amended.id)
    activate(qtbot, third)
    keyboard.press(Qt.Key.Key_Return, CTRL)
    again = wait_window(qtbot, SignDialog)
    keep = again.findChild(QCheckBox, "keepForSession")
    assert keep is not None and not keep.isChecked()
    again.reject()
    assert signers(ctx, amended.id) == []


def test_an_abnormal_item_without_a_measure_is_named_at_completion(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    form = open_form(qtbot, window, start(ctx))
    fill(qtbot, form, keyboard)
    row = form.rows[0]
    form.set_status(row, "abnormal")
    assert QApplication.focusWidget() is row.note
    keyboard.type("宕机")
    keyboard.enter()
    form.rows[1].setFocus()  # moved on without a 处理措施
    keyboard.press(Qt.Key.Key_Return, CTRL)
    assert form.run.status == "draft" and top_level(SignDialog) is None
    assert "1 项异常未填写处理措施" in form.banner.text()
    assert QApplication.focusWidget() is row.action and "#c62828" in row.action.styleSheet()
    keyboard.type("已重启")
    keyboard.press(Qt.Key.Key_Return, CTRL)
    wait_window(qtbot, SignDialog).reject()
    assert form.run.status == "completed" and row.view.action == "已重启"
