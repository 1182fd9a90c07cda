"""How many keystrokes a real daily check takes: internet-om 服务器日常巡检, 9 systems × 6 items.

The flow an engineer uses (every key counted; a chord such as Ctrl+Shift+A is one
keystroke; each character of a note counts as one key, input-method keys aside):

1. the form opens on the first item; ``PgDn`` ``↓`` reach 网上申报系统 / 服务器应用程序日志,
   ``3`` marks it 异常 and the note is asked for: ``日志报错`` ``Enter``;
2. ``PgDn`` ×6 ``↑`` reach 网上电子报盘系统 / 数据备份 (the 7th system's last item),
   ``3``, ``备份失败`` ``Enter``;
3. ``Ctrl+Shift+A`` 「其余全部正常」 marks the 43 other status items; the focus
   goes to the first item still needing a value: 网站 / 服务器磁盘空间;
4. the nine disk readings, each typed in place and confirmed: ``72`` ``Enter`` (×9),
   the focus moving to the next disk each time;
5. ``Ctrl+Enter`` 「完成并签字」 (the conclusion is suggested), then the saved
   signature's PIN ``2468`` ``Enter``.

That is 2+1+5 + 7+1+5 + 1 + 27 + 1+5 = **55 keystrokes** for 54 items with two
exceptions, signed.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.records import checklist_view, signature_vault, signing
from tests.factories import png_bytes
from tests.ui.conftest import Keyboard, wait_window
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.main_window import MainWindow
from ui.signatures import SignDialog

DAY = date(2026, 11, 20)  # a Friday: a 5×8 working day of internet-om
EXPECTED_KEYSTROKES = 55
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_a_nine_system_daily_check_with_two_exceptions_takes_55_keystrokes(
    qtbot: QtBot, builtin_ctx: AppContext, keyboard: Keyboard
) -> None:
    ctx = builtin_ctx
    signature_vault.save_signature(ctx.store.folder, "张工", png_bytes(), "2468")
    run_id = ctx.call(
        lambda s: (
            checklist_view.run_for_occurrence(
                s,
                "internet-om",
                "server-daily",
                window_start=DAY,
                deadline=DAY,
                today=DAY,
                inspector="张工",
            ).id
        )
    )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.open_run(run_id)
    form = window.forms[f"inspection_run:{run_id}"]
    assert isinstance(form, ChecklistForm)
    qtbot.waitExposed(form)
    qtbot.waitUntil(lambda: form.current is form.rows[0])
    rows = form.rows
    assert len(rows) == 54 and len({r.view.system for r in rows}) == 9

    keyboard.press(Qt.Key.Key_PageDown)
    keyboard.press(Qt.Key.Key_Down)
    assert (rows[7].view.system, rows[7].view.title) == ("网上申报系统", "服务器应用程序日志")
    assert form.current is rows[7]
    keyboard.type("3")
    keyboard.type("日志报错")
    keyboard.enter()

    for _ in range(6):
        keyboard.press(Qt.Key.Key_PageDown)
    keyboard.press(Qt.Key.Key_Up)
    assert form.current is rows[41]
    assert rows[41].view.title == "数据备份" and rows[41].view.system == "网上电子报盘系统"
    keyboard.type("3")
    keyboard.type("备份失败")
    keyboard.enter()

    keyboard.press(Qt.Key.Key_A, CTRL | SHIFT)
    disks = [r for r in rows if r.view.kind == "number"]
    assert form.current is disks[0]
    for disk in disks:
        assert form.current is disk
        keyboard.type("72")
        keyboard.enter()
    assert all(r.view.touched for r in rows)

    keyboard.press(Qt.Key.Key_Return, CTRL)
    dialog = wait_window(qtbot, SignDialog)
    keyboard.type("2468")
    keyboard.enter()
    qtbot.waitUntil(lambda: form.locked)

    assert keyboard.count == EXPECTED_KEYSTROKES
    statuses = [r.view.status for r in rows]
    assert statuses.count("abnormal") == 2 and statuses.count("normal") == 52
    assert form.run.conclusion == "发现 2 项异常，详见异常情况及处理措施。"
    signed = ctx.call(lambda s: signing.signatures_of(s, "inspection_run", run_id))
    assert [(x.role, x.signer_name) for x in signed] == [("运维人员", "张工")]
    assert not dialog.isVisible()
