"""Service requests: quick entry from anywhere with F2, history completion, escalation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.records import listings, requests
from app.storage.store import Store
from tests.factories import internet_profile
from tests.ui.conftest import NOW, Keyboard, activate, make_ctx, wait_window
from tests.ui.test_keystrokes import Engineer, InputCounter
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.forms.fault import FaultForm
from ui.forms.request import RequestForm
from ui.main_window import MainWindow
from ui.toast import Toast

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def ictx(store: Store) -> AppContext:
    """5×8 with phone → remote → on site within 4 hours; two earlier calls as history."""
    ctx = make_ctx(store, "test-internet", internet_profile())
    for unit, category in (("某区分局", "账号问题"), ("某区分局", "页面打不开")):
        ctx.call(
            lambda s, u=unit, c=category: requests.log_request(
                s,
                "test-internet",
                received_at=NOW.replace(hour=9),
                caller_unit=u,
                category=c,
                description="历史来电",
                handler="张工",
                now=NOW,
            )
        )
    return ctx


@pytest.fixture
def iwindow(qtbot: QtBot, ictx: AppContext) -> Iterator[MainWindow]:
    main = MainWindow(ictx)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()


def quick_entry(qtbot: QtBot, keyboard: Keyboard) -> RequestForm:
    keyboard.press(Qt.Key.Key_F2)
    form = wait_window(qtbot, RequestForm)
    qtbot.waitUntil(lambda: form.lines["caller_unit"].hasFocus())
    return form


def test_f2_opens_the_quick_entry_over_a_checklist_and_escalates_on_site(
    qtbot: QtBot, iwindow: MainWindow, ictx: AppContext, keyboard: Keyboard
) -> None:
    run_id = ictx.call(
        lambda s: (
            __import__("app.records.checklist_view", fromlist=["x"])
            .run_for_occurrence(
                s,
                "test-internet",
                "daily-server",
                window_start=NOW.date(),
                deadline=NOW.date(),
                today=NOW.date(),
                inspector="张工",
            )
            .id
        )
    )
    iwindow.open_run(run_id)
    checklist = wait_window(qtbot, ChecklistForm)
    qtbot.waitUntil(lambda: checklist.current is not None)

    form = quick_entry(qtbot, keyboard)  # from inside the checklist window
    assert form.received_at == NOW
    assert form.clock.text().startswith("接报 10:00:00")
    assert "如转现场到场：目标 4小时" in form.targets.text()
    assert "截止 11-20 14:00" in form.targets.text()
    completer = form.lines["caller_unit"].completer()
    assert completer is not None
    completions = completer.model()
    assert [completions.index(n, 0).data() for n in range(completions.rowCount())] == ["某区分局"]

    keyboard.type("某区分局")
    keyboard.press(Qt.Key.Key_Tab)
    assert form.system.hasFocus()
    keyboard.press(Qt.Key.Key_Down)  # the system most asked about, then the next
    assert form.system.currentData() is not None
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("页面打不开")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("申报页面白屏")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("需到现场检查")
    qtbot.mouseClick(form.buttons["onsite"], Qt.MouseButton.LeftButton)

    assert form.req_id is not None and form.isVisible()
    assert form.record["channel"] == "onsite" and form.record["status"] == "open"
    assert "转现场支持" in form.trail.text()
    assert form.buttons["arrived"].isVisible() and not form.buttons["phone"].isVisible()
    assert "到场：目标 4小时" in form.targets.text()
    qtbot.mouseClick(form.buttons["arrived"], Qt.MouseButton.LeftButton)
    assert form.record["onsite_at"] == NOW
    form.texts["resolution"].setFocus()
    keyboard.type("已清理缓存，恢复正常")
    qtbot.mouseClick(form.buttons["complete"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.isVisible())

    req = ictx.call(lambda s: requests.get_request(s, str(form.req_id)))
    assert (req.status, req.channel, req.caller_unit, req.category) == (
        "resolved",
        "onsite",
        "某区分局",
        "页面打不开",
    )
    verdicts = ictx.call(lambda s: requests.request_sla(s, req, now=NOW))
    assert [(v.step, v.label) for v in verdicts] == [("response", "达标"), ("onsite", "达标")]
    rows = ictx.call(lambda s: listings.request_rows(s, "test-internet"))
    assert rows[0].number == req.number and rows[0].channel == "现场"


def test_a_call_escalated_to_a_fault_opens_the_fault_linked(
    qtbot: QtBot, iwindow: MainWindow, ictx: AppContext, keyboard: Keyboard
) -> None:
    form = quick_entry(qtbot, keyboard)
    keyboard.type("某委办局")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("系统故障")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("网站无法访问")
    qtbot.mouseClick(form.buttons["fault"], Qt.MouseButton.LeftButton)
    fault = wait_window(qtbot, FaultForm)
    assert fault.lines["title"].text() == "系统故障：网站无法访问"
    assert fault.times["reported"].value() == NOW
    req = ictx.call(lambda s: requests.get_request(s, str(form.req_id)))
    assert req.status == "escalated" and req.fault_id == fault.fault_id


def test_thirty_calls_a_day_by_keyboard(
    qtbot: QtBot, iwindow: MainWindow, ictx: AppContext, keyboard: Keyboard
) -> None:
    for n in range(30):
        form = quick_entry(qtbot, keyboard)
        keyboard.type("某区分局")
        keyboard.press(Qt.Key.Key_Tab)
        keyboard.press(Qt.Key.Key_Tab)
        keyboard.type("账号问题")
        keyboard.press(Qt.Key.Key_Tab)
        keyboard.type(f"密码遗忘{n}")
        keyboard.press(Qt.Key.Key_Tab)
        keyboard.type("已重置")
        keyboard.press(Qt.Key.Key_Return, CTRL)  # 电话已解决
        qtbot.waitUntil(lambda f=form: not f.isVisible())
        activate(qtbot, iwindow)
    rows = ictx.call(lambda s: listings.request_rows(s, "test-internet"))
    solved = [r for r in rows if r.solved_on_phone]
    assert len(solved) == 30 and all(r.status == "已解决" for r in solved)
    # a call: F2, unit (4), Tab Tab, category (4), Tab, description, Tab, result (3), Ctrl+Enter
    assert keyboard.count == sum(17 + len(f"密码遗忘{n}") for n in range(30)) == 680
    # how long the thirty calls take: bench/bench_ui.py


def test_a_call_solved_on_the_phone_takes_6_keys_and_confirms_its_number(
    qtbot: QtBot, iwindow: MainWindow, ictx: AppContext
) -> None:
    """Counted as the daily check is (``tests/ui/test_keystrokes.py``): every key that
    reaches the app, the Chinese typed through the input method as its pinyin."""
    activate(qtbot, iwindow)
    counter, engineer = InputCounter(), Engineer()
    QApplication.instance().installEventFilter(counter)
    try:
        engineer.press(Qt.Key.Key_F2)
        form = wait_window(qtbot, RequestForm)
        qtbot.waitUntil(lambda: form.lines["caller_unit"].hasFocus())
        engineer.write("某区分局", "mouqufenju")
        engineer.press(Qt.Key.Key_Tab)
        engineer.press(Qt.Key.Key_Tab)  # 来电人: not asked on a routine call
        engineer.write("账号问题", "zhanghaowenti")
        engineer.press(Qt.Key.Key_Tab)
        engineer.write("密码遗忘", "mimayiwang")
        engineer.press(Qt.Key.Key_Tab)
        engineer.write("已重置", "yichongzhi")
        engineer.press(Qt.Key.Key_Return, CTRL)  # 电话已解决
        qtbot.waitUntil(lambda: not form.isVisible())
    finally:
        QApplication.instance().removeEventFilter(counter)
    assert (counter.keys, counter.clicks) == (6, 0)
    assert engineer.note_keys == 11 + 14 + 11 + 11
    req = ictx.call(lambda s: listings.request_rows(s, "test-internet"))[0]
    assert (req.caller_unit, req.status, req.solved_on_phone) == ("某区分局", "已解决", True)
    # the number to tell the caller: in the status bar and the corner of the main window
    message = f"已记录服务请求 {req.number}（电话 · 已解决）"
    assert iwindow.statusBar().currentMessage() == message
    toast = iwindow.findChild(Toast)
    assert toast is not None and toast.isVisible() and toast.text() == message
    assert iwindow.geometry().contains(toast.geometry().translated(iwindow.pos()))
    assert toast.focusPolicy() == Qt.FocusPolicy.NoFocus
