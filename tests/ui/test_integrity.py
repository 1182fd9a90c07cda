"""数据完整性 in the window: the device key asked up front, the startup check and its banner,
设置 → 数据完整性 (check on demand, against a file, cancel, open a record)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.records import faults, signing
from app.records.integrity_check import CheckReport, check_store
from app.storage import paths, secrets
from app.storage.store import Store
from tests.factories import png_bytes, portal_profile
from tests.ui.conftest import ENGINEER, NOW, make_ctx, wait_window
from ui import main as ui_main
from ui import startup
from ui.context import AppContext
from ui.forms.fault import FaultForm
from ui.keys import DeviceKeyDialog, on_gui_thread
from ui.main_window import MainWindow
from ui.operations import Operation
from ui.pages.integrity import IntegritySection
from ui.pages.settings import SettingsPage
from ui.settings import Settings
from ui.startup import open_window

SIGNED = datetime(2026, 11, 3, 17, 0)
PASSPHRASE = "richtig-123"


def signed_fault(ctx: AppContext) -> tuple[str, str]:
    """A closed fault signed by the engineer: its id and number."""

    def work(s: Any) -> tuple[str, str]:
        fault = faults.create_fault(
            s,
            ctx.contract,
            title="门户网站无法访问",
            level="major",
            reported_at=SIGNED - timedelta(hours=3),
            now=NOW,
        )
        faults.set_time(s, fault.id, "recovered", SIGNED - timedelta(hours=2), now=NOW)
        faults.close_fault(s, fault.id, SIGNED - timedelta(hours=1), now=NOW)
        signing.sign(
            s,
            "fault_record",
            fault.id,
            role="运维人员",
            signer_name=ENGINEER,
            png=png_bytes(),
            signed_at=SIGNED,
            now=NOW,
        )
        return fault.id, fault.number

    return ctx.call(work)


def forge_signed_faults(folder: Path) -> int:
    """What someone with a database tool does: drop the guards, change, put the guards back."""
    con = sqlite3.connect(paths.db_path(folder))
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    assert triggers
    for name, _sql in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    changed = con.execute(
        "UPDATE fault_record SET title = '伪造' WHERE locked_at IS NOT NULL"
    ).rowcount
    for _name, sql in triggers:
        con.execute(sql)
    con.commit()
    con.close()
    return int(changed)


def started_window(qtbot: QtBot, ctx: AppContext) -> tuple[MainWindow, CheckReport, list[str]]:
    """The window as the app opens it, and the result of its check at start."""
    window = open_window(ctx)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert not window.integrity_banner.isVisible()  # nothing before the check has run
    with qtbot.waitSignal(window.integrity_checked) as blocker:
        pass
    report, notes = blocker.args
    assert isinstance(report, CheckReport)
    return window, report, notes


def integrity_section(window: MainWindow) -> IntegritySection:
    page = window.pages["settings"]
    assert isinstance(page, SettingsPage)
    return page.integrity


def open_integrity_tab(qtbot: QtBot, window: MainWindow) -> IntegritySection:
    """设置 → 数据完整性, as a user gets there: the navigation, then the tab."""
    window.show_page("settings")
    page = window.pages["settings"]
    assert isinstance(page, SettingsPage)
    bar = page.tabs.tabBar()
    assert [bar.tabText(n) for n in range(bar.count())] == ["常规", "数据完整性"]
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    section = page.integrity
    qtbot.waitUntil(section.isVisible)
    return section


# --------------------------------------------------------------------------- the check at start


def test_a_clean_store_shows_no_banner_after_the_startup_check(
    qtbot: QtBot, ctx: AppContext
) -> None:
    signed_fault(ctx)
    window, report, notes = started_window(qtbot, ctx)
    assert report.ok, report.lines()
    assert (report.records, report.signatures) == (1, 1)
    assert notes == []  # the head remembered beside the key was read off the GUI thread
    qtbot.wait(50)
    assert not window.integrity_banner.isVisible()
    assert window.startup_check is None  # the worker is done
    # the section shows the result of the check at start
    box = open_integrity_tab(qtbot, window)
    assert box.summary.text() == report.summary() and "未发现问题" in box.summary.text()
    assert box.problem_rows() == []
    window.close()


@pytest.mark.slow
def test_a_forged_record_shows_the_banner_and_the_integrity_section_lists_it(
    qtbot: QtBot, ctx: AppContext
) -> None:
    fault_id, number = signed_fault(ctx)
    assert forge_signed_faults(ctx.store.folder) == 1
    window, report, _notes = started_window(qtbot, ctx)
    assert not report.ok
    assert [p.record_id for p in report.problems] == [fault_id]

    banner = window.integrity_banner
    qtbot.waitUntil(banner.isVisible)
    text = banner.text.text()
    assert text.startswith("数据完整性检查发现 1 个问题：")
    assert f"故障单 {number}" in text and "签字后，记录内容被改动" in text
    assert banner.geometry().top() <= window.nav.geometry().top()  # at the top, not a dialog
    assert QApplication.activeModalWidget() is None

    qtbot.mouseClick(banner.view_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.pages["settings"]
    box = integrity_section(window)
    qtbot.waitUntil(box.isVisible)  # the 数据完整性 tab
    assert box.table.currentRow() == 0
    assert "发现 1 个问题" in box.summary.text()
    rows = box.problem_rows()
    assert len(rows) == 1
    assert rows[0].startswith(f"故障单 {number}：") and "签字后，记录内容被改动" in rows[0]

    # double-clicking the problem opens the fault
    table = box.table
    cell = table.visualRect(table.model().index(0, 1)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    form = wait_window(qtbot, FaultForm)
    assert form.fault_id == fault_id
    form.close()

    # checking again finds it again; the banner can be closed
    qtbot.mouseClick(box.check_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.integrity_checked) as blocker:
        pass
    assert [p.record_id for p in blocker.args[0].problems] == [fault_id]
    assert banner.isVisible()
    qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    window.close()


def test_the_section_checks_on_demand_against_a_file_and_cancel_discards_the_result(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    box = open_integrity_tab(qtbot, window)
    assert box.problem_rows() == [] and not box.busy.isVisible()
    assert box.summary.text() == "尚未检查。每次启动后会在后台自动检查一次。"

    missing = tmp_path / "交付包-2026-10.zip"
    dialog = box.choose_against()
    dialog.filesSelected.emit([str(missing)])  # as if chosen: the check starts at once
    dialog.reject()
    assert box.against_label.text() == f"对照：{missing.name}"
    assert box.busy.isVisible() and box.cancel_button.isVisible()
    assert not box.check_button.isEnabled()
    with qtbot.waitSignal(window.integrity_checked) as blocker:
        pass
    report, notes = blocker.args
    assert report.ok and notes == [f"找不到 {missing}"]
    qtbot.waitUntil(lambda: box.check_button.isEnabled())
    assert not box.busy.isVisible() and not box.cancel_button.isVisible()
    assert box.problem_rows() == [f"注意：找不到 {missing}"]
    assert "未发现问题" in box.summary.text()
    assert not window.integrity_banner.isVisible()

    qtbot.mouseClick(box.clear_against_button, Qt.MouseButton.LeftButton)
    assert box.against == [] and not box.against_label.isVisible()

    # 取消: the check runs to its end on its worker, its result is dropped
    arrived: list[object] = []
    window.integrity_checked.connect(lambda r, _n: arrived.append(r))
    qtbot.mouseClick(box.check_button, Qt.MouseButton.LeftButton)
    assert box.running
    qtbot.mouseClick(box.cancel_button, Qt.MouseButton.LeftButton)
    assert not box.running and box.check_button.isEnabled() and not box.busy.isVisible()
    assert box.summary.text() == "已取消检查。"
    qtbot.waitUntil(lambda: not Operation.any_running())
    qtbot.wait(50)
    assert arrived == [] and box.summary.text() == "已取消检查。"
    assert box.problem_rows() == [f"注意：找不到 {missing}"]  # the last result stays


def test_closing_the_window_during_the_check_waits_for_it_and_drops_the_result(
    qtbot: QtBot, ctx: AppContext
) -> None:
    signed_fault(ctx)
    assert forge_signed_faults(ctx.store.folder) == 1
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    arrived: list[object] = []
    window.integrity_checked.connect(lambda r, _n: arrived.append(r))
    operation = window.start_integrity_check()
    assert operation is not None and operation.running
    window.close()  # joins the worker before the store may close
    assert window.start_integrity_check() is None  # nothing starts after close
    qtbot.wait(50)
    assert not Operation.any_running()
    assert arrived == [] and not window.integrity_banner.isVisible()
    window.check_integrity_soon(0)  # a timer left from the start does nothing either
    qtbot.wait(50)
    assert not Operation.any_running()


# --------------------------------------------------------------------------- the device key


class Modal:
    """Answers the modal dialogs that code blocking in ``exec()`` shows, one step each."""

    def __init__(self, qtbot: QtBot, steps: list[Callable[[QWidget], None]]) -> None:
        self.steps = steps
        self.seen: set[int] = set()
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible() or id(dialog) in self.seen or not self.steps:
            return
        self.seen.add(id(dialog))
        self.steps.pop(0)(dialog)

    def stop(self) -> None:
        self.timer.stop()


@pytest.fixture
def passphrase_folder(isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store whose device key is in the passphrase file (no keyring), with a signed fault."""
    monkeypatch.setenv(secrets.ENV_SECRET_STORE, "file")
    store = Store.open(isolated_dirs, passphrase=PASSPHRASE)
    signed_fault(make_ctx(store, "test-portal", portal_profile()))
    store.close()
    assert secrets.secrets_file(isolated_dirs).exists()
    return isolated_dirs


def start_app(
    folder: Path,
    answers: list[str | None],
    monkeypatch: pytest.MonkeyPatch,
    seen_window: Callable[[AppContext], None],
) -> tuple[int, list[bool]]:
    """``ui.main``'s start up to the window, the provider answering ``answers`` in turn.

    Returns the exit code and, for each time the passphrase was asked, whether on the
    GUI thread. ``seen_window`` gets the context the window would be opened with (it
    is not: ``open_window`` returns as if the user quit).
    """
    asked: list[bool] = []

    def provider(_prompt: str, _new: bool) -> str | None:
        asked.append(on_gui_thread())
        return answers.pop(0) if answers else None

    def no_window(ctx: AppContext, _frame: MainWindow) -> None:
        seen_window(ctx)
        return None

    monkeypatch.setattr(startup, "open_window", no_window)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    secrets.set_passphrase_provider(provider)  # as ui.main.run does with the dialog
    try:
        code = ui_main._run(app, folder, Settings.load(folder), ENGINEER, lambda: NOW, False)
    finally:
        secrets.set_passphrase_provider(None)
    return code, asked


def test_the_device_key_is_asked_once_on_the_gui_thread_before_the_window(
    qtbot: QtBot, passphrase_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    off_thread: list[Any] = []

    def in_the_background(ctx: AppContext) -> None:
        """What work off the GUI thread does once the window is open: check, then write."""

        def work() -> None:
            report, notes = check_store(ctx.store)
            ctx.call(
                lambda s: faults.create_fault(
                    s, "test-portal", title="后台写入", level="major", reported_at=NOW, now=NOW
                )
            )
            off_thread.extend([report.ok, notes])

        thread = threading.Thread(target=work)
        thread.start()
        thread.join(60)

    code, asked = start_app(passphrase_folder, [PASSPHRASE], monkeypatch, in_the_background)
    assert code == 0
    assert asked == [True]  # once, up front, on the GUI thread; the worker never asked
    assert off_thread == [True, []]


def test_an_export_on_a_worker_thread_needs_no_second_passphrase_without_a_keyring(
    qtbot: QtBot, passphrase_folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The export signs with the person's key from the secret file unlocked at start.

    Before, an export from the window on a laptop without an OS keyring ended in
    「需要密钥文件的口令…请在终端中运行…或设置环境变量」.
    """
    from sqlalchemy import select

    from app.export.packs import export_form
    from db.models import FaultRecord

    done: list[Any] = []

    def in_the_background(ctx: AppContext) -> None:
        fault_id = ctx.call(lambda s: s.scalar(select(FaultRecord.id)))

        def work() -> None:
            try:
                result = export_form(
                    ctx.store, "fault_report", tmp_path / "故障报告.docx", record_id=fault_id
                )
                done.append(result.path.exists() and result.signature.exists())
            except Exception as exc:  # reported below, not swallowed
                done.append(exc)

        thread = threading.Thread(target=work)
        thread.start()
        thread.join(120)

    code, asked = start_app(passphrase_folder, [PASSPHRASE], monkeypatch, in_the_background)
    assert code == 0
    assert done == [True]
    assert asked == [True]  # the passphrase once, at start, on the GUI thread


def test_a_cancelled_passphrase_says_why_in_chinese_then_retry_or_quit(
    qtbot: QtBot, passphrase_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def answer(button: str) -> Callable[[QWidget], None]:
        def press(dialog: QWidget) -> None:
            assert isinstance(dialog, DeviceKeyDialog)
            shown.append(dialog.text() + "\n" + dialog.informativeText())
            qtbot.mouseClick(
                dialog.retry_button if button == "retry" else dialog.quit_button,
                Qt.MouseButton.LeftButton,
            )

        return press

    # cancelled, then a wrong passphrase, then the right one: the window opens
    opened: list[AppContext] = []
    modal = Modal(qtbot, [answer("retry"), answer("retry")])
    try:
        code, asked = start_app(
            passphrase_folder, [None, "falsch-456", PASSPHRASE], monkeypatch, opened.append
        )
    finally:
        modal.stop()
    assert code == 0 and len(opened) == 1 and asked == [True, True, True]
    assert len(shown) == 2
    assert "不能保存任何记录，也不能签字" in shown[0] and "没有输入密钥文件的口令" in shown[0]
    assert "口令错误" in shown[1]
    for text in shown:
        for unwanted in ("Traceback", "Error", "终端", "环境变量", secrets.ENV_PASSPHRASE, "omw "):
            assert unwanted not in text, text

    # cancelled, then 退出: no window, the store is closed again
    opened.clear()
    modal = Modal(qtbot, [answer("quit")])
    try:
        code, asked = start_app(passphrase_folder, [None], monkeypatch, opened.append)
    finally:
        modal.stop()
    assert code == 0 and opened == [] and asked == [True]
    assert len(shown) == 3 and "没有输入密钥文件的口令" in shown[2]
