"""Starting the desktop window: ``omw`` with no subcommand calls :func:`run`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app import paths
from app.store import Store
from db.errors import StoreError
from ui import i18n
from ui.context import AppContext, wall_clock
from ui.demo import start_demo
from ui.first_start import FirstStartDialog, needs_first_start
from ui.i18n import tr
from ui.icons import icon
from ui.main_window import MainWindow
from ui.qt import QtCore, QtWidgets
from ui.settings import Settings

APP_NAME = "OMWorkbench"


def application() -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance()
    if not isinstance(app, QtWidgets.QApplication):
        app = QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setWindowIcon(icon("app"))
    return app


def open_window(ctx: AppContext) -> MainWindow | None:
    """First start if needed, then the main window (shown); None if the user quit."""
    demo: list[str] = []
    months = 0
    if needs_first_start(ctx):
        dialog = FirstStartDialog(ctx)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        demo, months = dialog.demo_codes, dialog.months.value()
    window = MainWindow(ctx)
    window.show()
    if demo:
        start_demo(window, ctx, demo, months, lambda message: _demo_done(window, message))
    else:
        QtCore.QTimer.singleShot(0, window.offer_restore)
    return window


def _demo_done(window: MainWindow, message: str) -> None:
    window.statusBar().showMessage(message.splitlines()[0], 15_000)
    window.ctx.changed()
    window.load_contracts()


def run(data_dir: str | Path | None, actor: str, clock: Callable[[], datetime] = wall_clock) -> int:
    """Run the window until it is closed; returns the process exit code."""
    app = application()
    folder = paths.data_dir(data_dir)
    settings = Settings.load(folder)
    i18n.install(app, settings.language)  # the translators are children of the app
    try:
        store = Store.open(folder, actor=settings.name or actor)
    except StoreError as exc:
        QtWidgets.QMessageBox.critical(None, tr("无法打开数据"), exc.message)
        return 2
    ctx = AppContext(store, settings, clock)
    try:
        window = open_window(ctx)
        if window is None:
            return 0
        return int(app.exec())
    finally:
        store.close()
