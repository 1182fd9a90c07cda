#!/usr/bin/env python3
"""Screenshots of the main screens at 1366×768 for the README (docs/screenshots/).

Runs the real window (``ui.main.run``) on demo data in a temporary data folder
(encrypted, with a few backups), with the clock set to a Friday of both
built-in contracts, and grabs each page and form, then the first start of a
new data folder with encryption chosen. On a machine without a display, under Xvfb::

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py

Needs a CJK font (e.g. Debian's ``fonts-noto-cjk``).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from app.contracts.profiles import install_builtin_profiles  # noqa: E402
from app.demo import generator as demo  # noqa: E402
from app.records import checklist_view, listings  # noqa: E402
from app.schedule.holidays import sync_all_holidays  # noqa: E402
from app.storage import backup, conversion  # noqa: E402
from app.storage.secrets import (  # noqa: E402
    key_id,
    new_recovery_key,
    open_secret_store,
    store_key_from_recovery,
)
from app.storage.store import Store  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.first_start import FirstStartDialog  # noqa: E402
from ui.forms.checklist import ChecklistForm  # noqa: E402
from ui.forms.fault import FaultForm  # noqa: E402
from ui.forms.request import RequestForm  # noqa: E402
from ui.keys import RecoveryKeyDialog  # noqa: E402
from ui.main import application, run  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.pages.holidays import HolidaysPage  # noqa: E402
from ui.pages.knowledge import KnowledgePage  # noqa: E402
from ui.qt import Qt, QtCore, QtGui, QtWidgets  # noqa: E402
from ui.settings import Settings  # noqa: E402
from ui.signatures import SignDialog  # noqa: E402

NOW = datetime(2026, 11, 20, 10, 30)
PASSPHRASE = "screenshot-passphrase"
SIZE = (1366, 768)
OUT = ROOT / "docs" / "screenshots"
ENGINEER = ("陈思远", "运维工程师")


def prepare(folder: Path) -> None:
    store = Store.open(folder, actor=ENGINEER[0])
    with store.session() as session:
        install_builtin_profiles(session)
        sync_all_holidays(session)
    for code in ("internet-om", "portal-om"):
        print(demo.generate(store, code, months=3, until=NOW.date()).describe())
    for days, kind in ((4, "auto"), (3, "auto"), (2, "auto"), (1, "manual"), (1, "auto")):
        moment = (NOW - timedelta(days=days)).replace(hour=8 if kind == "auto" else 17, minute=42)
        backup.backup_store(store, kind=kind, now=moment)
    store.close()
    # an encrypted store, its key in the passphrase file (no keyring under Xvfb)
    secrets = open_secret_store(folder, prefer="file", passphrase=PASSPHRASE)
    conversion.encrypt_store(folder, secrets=secrets)
    settings = Settings.load(folder)
    settings.name, settings.role, settings.contract = (*ENGINEER, "internet-om")
    settings.save()


def settle(ms: int = 400) -> None:
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QtWidgets.QWidget, name: str) -> None:
    widget.resize(*SIZE)
    widget.move(0, 0)
    widget.raise_()
    widget.activateWindow()
    settle()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print("saved", path.relative_to(ROOT))


def save_screen(
    window: QtWidgets.QWidget, name: str, behind: QtWidgets.QWidget | None = None
) -> None:
    """A form at its own size over another window, as on a 1366×768 screen.

    Xvfb runs no window manager, so the form's title bar and frame are drawn here.
    """
    settle()
    picture = (behind or top(MainWindow)).grab().toImage()
    form = window.grab()
    bar = 30
    x = (SIZE[0] - form.width()) // 2
    y = (SIZE[1] - form.height() - bar) // 2
    painter = QtGui.QPainter(picture)
    painter.fillRect(x + 6, y + 6, form.width(), form.height() + bar, QtGui.QColor(0, 0, 0, 60))
    painter.fillRect(x, y, form.width(), bar, QtGui.QColor("#37474f"))
    painter.setPen(QtGui.QColor("white"))
    painter.drawText(
        QtCore.QRect(x + 12, y, form.width() - 24, bar),
        int(Qt.AlignmentFlag.AlignVCenter),
        window.windowTitle(),
    )
    painter.drawPixmap(x, y + bar, form)
    painter.setPen(QtGui.QColor("#37474f"))
    painter.drawRect(x, y, form.width() - 1, form.height() + bar - 1)
    painter.end()
    path = OUT / f"{name}.png"
    picture.save(str(path))
    print("saved", path.relative_to(ROOT))


def backed_up(window: MainWindow) -> None:
    """Wait for the day's automatic backup (made after the store opens), then clear its note
    from the status line, which shows the open faults' SLA clocks."""
    for _ in range(100):
        if window.statusBar().currentMessage().startswith("已自动备份"):
            break
        settle(100)
    window.statusBar().clearMessage()


def discard(form: QtWidgets.QWidget) -> None:
    """Close a form whose example typing is not to be kept (else it asks, as for a user)."""
    form.close_guard.saved = True  # type: ignore[attr-defined]
    form.close()


def handwriting() -> list[list[tuple[float, float, float]]]:
    """Three flowing strokes in the pad's 0..1 coordinates (an invented signature)."""
    strokes = []
    for n in range(3):
        left = 0.12 + 0.27 * n
        points = []
        for i in range(60):
            t = i / 59
            x = left + 0.22 * t + 0.025 * math.sin(t * 17 + n)
            y = 0.5 + 0.2 * math.sin(t * 9 + n * 1.7) * (1 - 0.5 * t) + 0.04 * math.cos(t * 23)
            points.append((x, y, 0.35 + 0.4 * math.sin(t * math.pi)))
        strokes.append(points)
    return strokes


def top(kind: type[QtWidgets.QWidget]) -> QtWidgets.QWidget:
    return next(w for w in QtWidgets.QApplication.topLevelWidgets() if isinstance(w, kind))


def keys(widget: QtWidgets.QWidget, text: str) -> None:
    """Type text into a widget (any characters, as an input method delivers them)."""
    for char in text:
        for kind in (QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease):
            QtWidgets.QApplication.sendEvent(
                widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char)
            )


def press(text: str) -> None:
    """Keys for the focused widget, as a user presses them ("\r" is Enter)."""
    for char in text:
        focused = QtWidgets.QApplication.focusWidget()
        assert focused is not None
        if char == "\r":
            QTest.keyClick(focused, Qt.Key.Key_Return)
        else:
            QTest.keyClick(focused, char)


def shoot() -> None:
    window = top(MainWindow)
    assert isinstance(window, MainWindow)
    if not window.ready:  # the frame paints first; the store opens right after
        QtCore.QTimer.singleShot(200, shoot)
        return
    backed_up(window)
    ctx = window.ctx
    for n, key in enumerate(
        ("today", "inspections", "faults", "holidays", "requests", "deliverables", "settings"),
        start=1,
    ):
        window.show_page(key)
        if key == "holidays":
            page = window.pages["holidays"]
            assert isinstance(page, HolidaysPage)
            items = [page.periods.item(i).text() for i in range(page.periods.count())]
            page.periods.setCurrentRow(next(i for i, t in enumerate(items) if "国庆" in t))
        save(window, f"{n:02d}-{key}")

    today = NOW.date()
    run_id = ctx.call(
        lambda s: (
            checklist_view.run_for_occurrence(
                s,
                "internet-om",
                "server-daily",
                window_start=today,
                deadline=today,
                today=today,
                inspector=ENGINEER[0],
            ).id
        )
    )
    window.open_run(run_id)
    form = top(ChecklistForm)
    assert isinstance(form, ChecklistForm)
    settle()
    form.activateWindow()
    settle()
    # the demo left today's run half filled: go on from the first unfilled item
    press("72\r11113")
    keys(QtWidgets.QApplication.focusWidget() or form, "日志中有数据库连接超时报错")
    save(form, "08-checklist")

    dialog = SignDialog(ctx, "甲方确认", form.run.title, lambda _name, _png: None, form)
    dialog.name.setText("韩立群")
    dialog.show()
    settle()
    dialog.pad.strokes = handwriting()
    dialog.pad.update()
    save_screen(dialog, "09-sign", behind=form)
    dialog.reject()

    open_faults = [
        r for r in ctx.call(lambda s: listings.fault_rows(s, "internet-om")) if r.status != "已关闭"
    ]
    window.open_fault(open_faults[0].id)
    fault = top(FaultForm)
    save(fault, "10-fault")
    fault.close()
    discard(form)

    window.show_page("requests")
    window.open_request()
    request = top(RequestForm)
    assert isinstance(request, RequestForm)
    keys(request.lines["caller_unit"], "某区分局办公室")
    request.system.setCurrentIndex(request.system.findText("网上申报系统"))
    keys(request.lines["category"], "账号问题")
    keys(request.texts["description"], "网上申报系统登录提示密码错误，已核实身份")
    keys(request.texts["resolution"], "已重置密码并告知首次登录修改")
    save_screen(request, "11-service-request")
    discard(request)
    knowledge(window)
    first_start()
    QtWidgets.QApplication.instance().quit()  # type: ignore[union-attr]


def knowledge(window: MainWindow) -> None:
    """知识库 with a search's highlighted hits; a call typed with its suggestions shown."""
    window.find()
    page = window.pages["knowledge"]
    assert isinstance(page, KnowledgePage)
    keys(page.query, "磁盘空间")
    settle(900)
    save(window, "14-knowledge")
    window.open_request()
    request = top(RequestForm)
    assert isinstance(request, RequestForm)
    keys(request.lines["caller_unit"], "某区分局办公室")
    request.texts["description"].setFocus()
    keys(request.texts["description"], "忘记网站后台账号密码，无法登录")
    settle(1200)
    save_screen(request, "15-suggestion")
    discard(request)


def desktop() -> QtWidgets.QWidget:
    """An empty screen to show the dialogs of the first start on."""
    screen = QtWidgets.QWidget()
    screen.setStyleSheet("background:#455a64;")
    screen.resize(*SIZE)
    screen.show()
    return screen


def first_start() -> None:
    """The first start on a new data folder with 「加密数据库」 chosen, then the recovery key."""
    with tempfile.TemporaryDirectory() as fresh:
        folder = Path(fresh)
        store = Store.open(folder, actor=ENGINEER[0])
        ctx = AppContext(store, Settings.load(folder), clock=lambda: NOW)
        screen = desktop()
        dialog = FirstStartDialog(ctx)
        dialog.show()
        dialog.name.setCurrentText(ENGINEER[0])
        dialog.role.setCurrentText(ENGINEER[1])
        dialog.encrypt.setChecked(True)
        keys(dialog.passphrase, "*" * 12)
        keys(dialog.passphrase_again, "*" * 12)
        settle()
        save_screen(dialog, "12-first-start-encryption", behind=screen)
        recovery = new_recovery_key()
        shown = RecoveryKeyDialog(
            recovery,
            key_id(store_key_from_recovery(recovery)),
            open_secret_store(folder).location_description,
            folder,
            dialog,
        )
        shown.show()
        shown.confirm.setChecked(True)
        settle()
        save_screen(shown, "13-recovery-key", behind=screen)
        shown.hide()
        dialog.hide()
        screen.hide()
        store.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["OMW_SECRET_STORE"] = "file"
    os.environ["OMW_PASSPHRASE"] = PASSPHRASE
    with tempfile.TemporaryDirectory() as folder:
        prepare(Path(folder))
        application()
        QtCore.QTimer.singleShot(800, shoot)
        return run(folder, ENGINEER[0], clock=lambda: NOW)


if __name__ == "__main__":
    sys.exit(main())
