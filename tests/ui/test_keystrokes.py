"""How many keys a real daily check takes: internet-om 服务器日常巡检, 9 systems × 6 items.

Measured, not asserted by construction: an event filter on the QApplication counts every
key and click that reaches a widget of the application (:class:`InputCounter`), while
the test presses keys on whatever widget has the focus, as the engineer does. Notes are
typed through the input method: the Chinese text arrives as an input-method commit (no
key event), and each phrase is counted as its pinyin keys plus one to pick the phrase.

The flow, from the 今日 page of a fresh start (the PIN not given yet in this session):

1. ``Enter`` opens today's due check (the list has the focus, the check is current);
2. ``PgDn`` ``↓`` reach 网上申报系统 / 服务器应用程序日志, ``3`` marks it 异常; the
   note 「日志报错」 ``Enter``, the 处理措施 「已重启服务」 ``Enter`` (required for 异常);
3. ``PgDn`` ×6 ``↑`` reach 网上电子报盘系统 / 数据备份, ``3``, 「备份失败」 ``Enter``,
   「已重新备份」 ``Enter``;
4. ``Ctrl+Shift+A`` 「其余全部正常」 marks the other 52 items, the nine disk readings
   included (the profile allows 「正常（未测值）」 for them);
5. ``Ctrl+Enter`` 「完成并签字」, the saved signature's PIN ``2468`` ``Enter``.

That is **23 keys, no click**, plus 56 keys of note text. Once the PIN has been given, the
next check of the session signs without the dialog: 18 keys.

With 「自动检测」 the daily 运行监测检查 (13 items) takes **9 keys**: ``Ctrl+Shift+P``,
``Enter`` to confirm the addresses (asked once), ``Ctrl+Shift+A`` for the four items no
probe measures, ``Ctrl+Enter`` and the PIN (see the last test).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.contracts.profiles import read_profile_data, validate_profile
from app.contracts.registry import install_profile
from app.probes import links, service
from app.records import signature_vault, signing
from tests.factories import png_bytes
from tests.probe_servers import LOOPBACK, BannerServer, DnsServer, site
from tests.ui.conftest import activate, top_level, wait_window
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.main_window import MainWindow
from ui.pages.today import TodayPage
from ui.signatures import SignDialog

PROFILES = Path(__file__).resolve().parents[2] / "resources" / "profiles"
DAY = date(2026, 11, 20)  # a Friday: a 5×8 working day of internet-om
#: keys of the first check of a session (the PIN typed once) and of a later one
FIRST_CHECK_KEYS = 23
LATER_CHECK_KEYS = FIRST_CHECK_KEYS - 5
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NOTES = (
    ("日志报错", "rizhibaocuo"),
    ("已重启服务", "yichongqifuwu"),
    ("备份失败", "beifenshibai"),
    ("已重新备份", "yichongxinbeifen"),
)


class InputCounter(QObject):
    """Counts the keys and clicks that reach the application's widgets.

    A key counts once however far it propagates (to the parents of a widget that
    ignores it) and whether a widget or a shortcut takes it (a widget then sees only
    its ShortcutOverride): the first press event after a release starts a key, so a
    chord such as ``Ctrl+Shift+A`` is one. Clicks are counted the same way.
    """

    KEY_DOWN = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)

    def __init__(self) -> None:
        super().__init__()
        self.keys = 0
        self.clicks = 0
        self._key_down = False
        self._button_down = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget):
            kind = event.type()
            if kind in self.KEY_DOWN and not self._key_down:
                self._key_down = True
                self.keys += 1
            elif kind == QEvent.Type.KeyRelease:
                self._key_down = False
            elif kind == QEvent.Type.MouseButtonPress and not self._button_down:
                self._button_down = True
                self.clicks += 1
            elif kind == QEvent.Type.MouseButtonRelease:
                self._button_down = False
        return False


class Engineer:
    """Presses keys on the focused widget and types notes through the input method."""

    def __init__(self) -> None:
        self.note_keys = 0

    @staticmethod
    def focused() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        QTest.keyClick(self.focused(), key, modifiers)

    def digits(self, text: str) -> None:
        for char in text:
            QTest.keyClick(self.focused(), char)

    def write(self, text: str, pinyin: str) -> None:
        """A phrase through the input method: its pinyin and one key to pick it."""
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(self.focused(), event)
        self.note_keys += len(pinyin) + 1


def run_check(qtbot: QtBot, window: MainWindow, engineer: Engineer) -> ChecklistForm:
    """Steps 1–5 up to 完成并签字, from the 今日 page; the open form."""
    today = window.pages["today"]
    assert isinstance(today, TodayPage)
    qtbot.waitUntil(lambda: today.report is not None and today.report.date == window.ctx.today())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is today.table)
    engineer.press(Qt.Key.Key_Return)
    form = wait_window(qtbot, ChecklistForm)
    rows = form.rows
    qtbot.waitUntil(lambda: form.current is rows[0])
    assert len(rows) == 54 and len({r.view.system for r in rows}) == 9
    assert form.run.scheduled_date == window.ctx.today()

    engineer.press(Qt.Key.Key_PageDown)
    engineer.press(Qt.Key.Key_Down)
    assert (rows[7].view.system, rows[7].view.title) == ("网上申报系统", "服务器应用程序日志")
    engineer.digits("3")
    assert engineer.focused() is rows[7].note
    for (text, pinyin), field in zip(NOTES[:2], (rows[7].note, rows[7].action), strict=True):
        engineer.write(text, pinyin)
        engineer.press(Qt.Key.Key_Return)
        assert field.text() == text and not field.dirty

    for _ in range(6):
        engineer.press(Qt.Key.Key_PageDown)
    engineer.press(Qt.Key.Key_Up)
    assert (rows[41].view.system, rows[41].view.title) == ("网上电子报盘系统", "数据备份")
    engineer.digits("3")
    for text, pinyin in NOTES[2:]:
        engineer.write(text, pinyin)
        engineer.press(Qt.Key.Key_Return)

    engineer.press(Qt.Key.Key_A, CTRL | SHIFT)
    assert all(r.view.touched for r in rows)
    assert [r.view.display for r in rows if r.view.kind == "number"] == ["正常（未测值）"] * 9
    engineer.press(Qt.Key.Key_Return, CTRL)
    return form


@pytest.mark.slow
def test_a_nine_system_daily_check_with_two_exceptions_takes_23_keys(
    qtbot: QtBot, builtin_ctx: AppContext
) -> None:
    ctx = builtin_ctx
    signature_vault.save_signature(ctx.store.folder, "张工", png_bytes(), "2468")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    counter = InputCounter()
    engineer = Engineer()
    QApplication.instance().installEventFilter(counter)
    try:
        form = run_check(qtbot, window, engineer)
        dialog = wait_window(qtbot, SignDialog)
        engineer.digits("2468")
        engineer.press(Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: form.locked)
    finally:
        QApplication.instance().removeEventFilter(counter)

    assert (counter.keys, counter.clicks) == (FIRST_CHECK_KEYS, 0)
    assert engineer.note_keys == sum(len(p) + 1 for _t, p in NOTES) == 56
    statuses = [r.view.status for r in form.rows]
    assert statuses.count("abnormal") == 2 and statuses.count("normal") == 52
    assert [(r.view.note, r.view.action) for r in form.rows if r.view.status == "abnormal"] == [
        ("日志报错", "已重启服务"),
        ("备份失败", "已重新备份"),
    ]
    assert form.run.conclusion == "发现 2 项异常，详见异常情况及处理措施。"
    signed = ctx.call(lambda s: signing.signatures_of(s, "inspection_run", form.run_id))
    assert [(x.role, x.signer_name) for x in signed] == [("运维人员", "张工")]
    assert not dialog.isVisible()

    # the next check of the session (the same check of the next working day) asks no PIN
    form.close()
    monday = ctx.now().replace(day=23)
    ctx.clock = lambda: monday
    ctx.changed()
    activate(qtbot, window)
    counter, engineer = InputCounter(), Engineer()
    QApplication.instance().installEventFilter(counter)
    try:
        later = run_check(qtbot, window, engineer)
        qtbot.waitUntil(lambda: later.locked)
    finally:
        QApplication.instance().removeEventFilter(counter)
    assert top_level(SignDialog) is None
    assert (counter.keys, counter.clicks) == (LATER_CHECK_KEYS, 0)
    assert later.run.scheduled_date == date(2026, 11, 23)


#: keys of a probe-assisted 运行监测检查 (internet-om monitoring-daily, 13 items): 自动检测,
#: confirm the addresses, 其余全部正常, 完成并签字, the PIN and Enter
PROBE_CHECK_KEYS = 9


@pytest.mark.enable_socket
@pytest.mark.allow_hosts([LOOPBACK])
def test_a_probe_assisted_monitoring_check_takes_9_keys(
    qtbot: QtBot, builtin_ctx: AppContext, tmp_path: Path
) -> None:
    """自动检测 fills the eight measurable items of the daily 运行监测检查 from servers
    on 127.0.0.1 (HTTP for the nine systems, DNS, PING, FTP, SMTP, response time, the
    link list); the engineer confirms the addresses once, marks the four platform
    items normal and signs."""
    ctx = builtin_ctx
    signature_vault.save_signature(ctx.store.folder, "张工", png_bytes(), "2468")
    codes = [s.code for s in profile_of_code(ctx, "internet-om").systems]
    table = {f"{code}.test": ["10.1.0.1"] for code in codes}
    with (
        site() as web,
        DnsServer(table) as dns_server,
        BannerServer("220 FTP ready\r\n") as ftp,
        BannerServer("220 mail ESMTP ready\r\n") as smtp,
    ):
        data = read_profile_data(PROFILES / "internet-om.yaml")
        for system in data["systems"]:
            targets = {t["code"]: t for t in system["targets"]}
            targets["home"].update(url=web.url("/ok"))
            targets["dns"].update(
                domain=f"{system['code']}.test",
                resolver=LOOPBACK,
                port=dns_server.port,
                expect=["10.1.0.1"],
            )
            if system["code"] == "website":
                targets["ping"].update(host=LOOPBACK, port=web.port)
                targets["ftp"].update(host=LOOPBACK, port=ftp.port)
                targets["smtp"].update(host=LOOPBACK, port=smtp.port)
        link_file = tmp_path / "links.csv"
        link_file.write_text(
            "名称,部门,链接\n"
            + "".join(f"事项{n},规划处,{web.url(f'/link/{n}')}\n" for n in range(20)),
            encoding="utf-8",
        )

        def prepare(s: Any) -> str:
            contract = install_profile(s, validate_profile(data))
            links.import_links(s, contract, links.read_links(link_file), "张工")
            return service.run_for_day(
                s, "internet-om", "monitoring-daily", ctx.today(), inspector="张工"
            ).id

        run_id = ctx.call(prepare)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.open_run(run_id)
        form = window.forms[f"inspection_run:{run_id}"]
        assert isinstance(form, ChecklistForm)
        qtbot.waitExposed(form)
        qtbot.waitUntil(lambda: form.current is not None)
        activate(qtbot, form)
        counter, engineer = InputCounter(), Engineer()
        QApplication.instance().installEventFilter(counter)
        try:
            engineer.press(Qt.Key.Key_P, CTRL | SHIFT)
            box = wait_window(qtbot, QMessageBox)
            assert box.objectName() == "probeConsent" and web.url("/ok") in box.informativeText()
            engineer.press(Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: not form._probing)
            activate(qtbot, form)
            rows = {r.view.title: r.view for r in form.rows}
            assert rows["HTTP(s) 可用性"].display.startswith("正常（网站：HTTP 200，")
            assert rows["HTTP(s) 可用性"].display.count("HTTP 200") == 9
            assert rows["DNS 解析"].display.count("10.1.0.1") == 9
            assert "FTP 应答 “220 FTP ready”" in rows["FTP/TCP/UDP 服务探测"].display
            assert "SMTP 应答" in rows["SMTP 邮件服务"].display
            assert rows["网站首页响应时间"].value_num is not None
            assert rows["死链数量"].display == "0个（正常）"
            assert rows["死链检测"].status == "normal"
            engineer.press(Qt.Key.Key_A, CTRL | SHIFT)
            engineer.press(Qt.Key.Key_Return, CTRL)
            wait_window(qtbot, SignDialog)
            engineer.digits("2468")
            engineer.press(Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: form.locked)
        finally:
            QApplication.instance().removeEventFilter(counter)
    assert (counter.keys, counter.clicks) == (PROBE_CHECK_KEYS, 0)
    assert all(r.view.status == "normal" for r in form.rows if r.view.required)


def profile_of_code(ctx: AppContext, code: str) -> Any:
    from app.contracts.registry import get_contract, profile_of

    return ctx.call(lambda s: profile_of(get_contract(s, code)))
