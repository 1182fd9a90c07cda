#!/usr/bin/env python3
"""The whole 1366×768 screen at 100 % and 150 %: 今日, the daily check, a fault, a call.

Each run grabs the X screen as the engineer sees it, the windows where the app put
them (sized and placed to fit the screen by ``ui.widgets.fit_window``), from one
demo month of internet-om with the clock on a Friday. Run once per scale factor,
under Xvfb (no window manager, so windows have no title bars)::

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/scale_screenshots.py
    QT_SCALE_FACTOR=1.5 xvfb-run -s "-screen 0 1366x768x24" \\
        .venv/bin/python scripts/scale_screenshots.py

Writes ``docs/screenshots/scale-<100|150>-<today|checklist|fault|request>.png``.
Needs a CJK font (e.g. Debian's ``fonts-noto-cjk``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the device key in the temporary data folder's passphrase file, never the desktop's keyring
os.environ["OMW_SECRET_STORE"] = "file"
os.environ.setdefault("OMW_PASSPHRASE", "screenshot-passphrase")

from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from app.contracts.profiles import install_builtin_profiles  # noqa: E402
from app.demo import generator as demo  # noqa: E402
from app.records import checklist_view, listings  # noqa: E402
from app.schedule.holidays import sync_all_holidays  # noqa: E402
from app.storage.store import Store  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.forms.checklist import ChecklistForm  # noqa: E402
from ui.forms.fault import FaultForm  # noqa: E402
from ui.forms.request import RequestForm  # noqa: E402
from ui.main import application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.qt import Qt, QtCore, QtGui, QtWidgets  # noqa: E402
from ui.settings import Settings  # noqa: E402

NOW = datetime(2026, 11, 20, 10, 30)
OUT = ROOT / "docs" / "screenshots"
ENGINEER = ("陈思远", "运维工程师")


def settle(ms: int = 500) -> None:
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shot(name: str) -> None:
    settle()
    scale = round(float(os.environ.get("QT_SCALE_FACTOR", "1")) * 100)
    path = OUT / f"scale-{scale}-{name}.png"
    screen = QtGui.QGuiApplication.primaryScreen()
    screen.grabWindow(0).save(str(path))
    print("saved", path.relative_to(ROOT))


def write(widget: QtWidgets.QWidget, text: str) -> None:
    """Text into a field, as an input method commits it (Xvfb has no window manager to
    give a window the focus, so keys and text go to the widget itself)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QtWidgets.QApplication.sendEvent(widget, event)


def top(kind: type[QtWidgets.QWidget]) -> QtWidgets.QWidget:
    return next(
        w for w in QtWidgets.QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()
    )


def main() -> int:
    app = application()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        store = Store.open(folder, actor=ENGINEER[0])
        with store.session() as session:
            install_builtin_profiles(session)
            sync_all_holidays(session)
        demo.generate(store, "internet-om", months=1, until=NOW.date())
        settings = Settings.load(folder)
        settings.name, settings.role, settings.contract = (*ENGINEER, "internet-om")
        settings.save()
        ctx = AppContext(store, settings, clock=lambda: NOW)
        window = MainWindow(ctx)
        window.show()
        window.reminders.start()
        window.activateWindow()
        shot("today")

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
        form.activateWindow()
        settle()
        row = next(r for r in form.rows if not r.view.touched and r.view.kind == "status")
        QTest.keyClick(row, "3")
        write(row.note, "日志中有数据库连接超时报错")
        QTest.keyClick(row.note, Qt.Key.Key_Return)
        write(row.action, "已重启应用服务，复查无新增报错")
        QTest.keyClick(row.action, Qt.Key.Key_Return)
        form.scroll.ensureWidgetVisible(row, 0, 200)
        shot("checklist")
        form.close()

        faults = ctx.call(lambda s: listings.fault_rows(s, "internet-om"))
        window.open_fault(next(r.id for r in faults if r.status != "已关闭"))
        fault = top(FaultForm)
        shot("fault")
        fault.close()

        window.open_request()
        request = top(RequestForm)
        assert isinstance(request, RequestForm)
        write(request.lines["caller_unit"], "某区分局办公室")
        write(request.lines["category"], "账号问题")
        write(request.texts["description"], "网上申报系统登录提示密码错误，已核实身份")
        write(request.texts["resolution"], "已重置密码并告知首次登录修改")
        shot("request")
        request.buttons["phone"].click()  # 电话已解决 (Ctrl+Enter)
        shot("request-logged")
        window.close()
        store.close()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
