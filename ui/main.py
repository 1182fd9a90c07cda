"""Starting the desktop window: ``omw`` with no subcommand calls :func:`run`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.errors import StoreError
from app.storage import paths
from app.storage.instance import StoreBusyError, another_instance
from app.storage.secrets import SecretStore, open_secret_store, set_passphrase_provider
from ui import i18n
from ui.context import AppContext, wall_clock
from ui.demo import start_demo
from ui.first_start import FirstStartDialog, needs_first_start
from ui.i18n import tr
from ui.icons import icon
from ui.keys import ask_passphrase, load_device_key, open_store
from ui.main_window import MainWindow
from ui.qt import QtCore, QtWidgets
from ui.settings import Settings
from ui.single_instance import InstanceServer, notify_running
from ui.store_ops import auto_backup_now, start_auto_backup

#: Close the window this many milliseconds after it opened (smoke tests of a build).
ENV_CLOSE_AFTER_MS = "OMW_CLOSE_AFTER_MS"

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
    """First start if needed, then the main window (shown); None if the user quit.

    Once it has painted, the store is checked in the background (a banner shows problems).
    """
    demo: list[str] = []
    months = 0
    if needs_first_start(ctx):
        dialog = FirstStartDialog(ctx)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        demo, months = dialog.demo_codes, dialog.months.value()
    window = MainWindow(ctx)
    window.show()
    # the badge, a reminder now, and the daily one: once the window has painted
    QtCore.QTimer.singleShot(0, window.reminders.start)
    if demo:
        # in the background, progress in the status bar: the window is usable meanwhile
        start_demo(
            window,
            ctx,
            demo,
            months,
            lambda message: _demo_done(window, message),
            status=window.statusBar(),
        )
    else:
        QtCore.QTimer.singleShot(0, window.offer_restore)
        window.check_integrity_soon()  # in the background, after the first paint
    return window


def _demo_done(window: MainWindow, message: str) -> None:
    window.statusBar().showMessage(message.splitlines()[0], 15_000)
    window.ctx.changed()
    window.load_contracts()
    window.check_integrity_soon()


def already_running(folder: Path) -> bool:
    """Another window has ``folder`` open: ask it to come to the front; whether it did."""
    if not notify_running(folder):
        return False
    print(
        tr("运维工作台已在运行（数据目录 {folder}），已切换到已打开的窗口。").format(folder=folder)
    )
    return True


def to_front(window: MainWindow | None) -> None:
    """Bring the main window, or before it exists the dialog being shown, to the front."""
    if window is not None:
        window.bring_to_front()
        return
    dialog = QtWidgets.QApplication.activeModalWidget()
    if dialog is not None:
        dialog.raise_()
        dialog.activateWindow()


def run(data_dir: str | Path | None, actor: str, clock: Callable[[], datetime] = wall_clock) -> int:
    """Run the window until it is closed; returns the process exit code."""
    app = application()
    folder = paths.data_dir(data_dir)
    settings = Settings.load(folder)
    i18n.install(app, settings.language)  # the translators are children of the app
    asked = another_instance(folder) is not None
    if asked and already_running(folder):
        return 0
    set_passphrase_provider(ask_passphrase)
    try:
        return _run(app, folder, settings, actor, clock, asked)
    finally:
        set_passphrase_provider(None)


def _run(
    app: QtWidgets.QApplication,
    folder: Path,
    settings: Settings,
    actor: str,
    clock: Callable[[], datetime],
    asked: bool,
) -> int:
    try:
        # one secret store for unlocking an encrypted store and for the device key: asked once
        secrets: SecretStore | None = open_secret_store(folder)
    except StoreError:
        secrets = None  # the store (if encrypted) or the device key will say why
    try:
        store = open_store(folder, settings.name or actor, secrets=secrets)
    except StoreError as exc:
        # the lock holder may be a window that was starting when we looked, or `omw restore`
        if isinstance(exc, StoreBusyError) and not asked and already_running(folder):
            return 0
        QtWidgets.QMessageBox.critical(None, tr("无法打开数据"), exc.message)
        return 2
    if store is None:  # the user gave up unlocking the encrypted store
        return 0
    # here, on the GUI thread, so that no work off it (drafts, exports, checks) has to ask
    if not load_device_key(store):
        store.close()
        return 0
    shown: list[MainWindow] = []
    server = InstanceServer(folder)
    server.show_requested.connect(lambda: to_front(shown[0] if shown else None))
    server.listen()
    ctx = AppContext(store, settings, clock)
    try:
        try:
            window = open_window(ctx)
        except StoreError as exc:  # e.g. an install without its built-in contract profiles
            QtWidgets.QMessageBox.critical(None, tr("无法打开数据"), exc.message)
            return 2
        if window is None:
            return 0
        shown.append(window)
        close_after = os.environ.get(ENV_CLOSE_AFTER_MS, "")
        if close_after.isdigit():  # the frozen build's smoke test: close as a user would
            QtCore.QTimer.singleShot(int(close_after), window.close)
        start_auto_backup(ctx, lambda message: window.statusBar().showMessage(message, 8_000))
        code = int(app.exec())
        problem = auto_backup_now(ctx)
        if problem:
            print(tr("自动备份失败：{m}").format(m=problem), file=sys.stderr)
        return code
    finally:
        server.close()
        ctx.store.close()
        if ctx.restart_requested:  # the store and its lock are released: the next one may start
            restart()


def restart_command() -> list[str]:
    """The command that started this process: the frozen executable with its arguments, or
    the interpreter with its original options (``-m app`` included, which ``sys.argv`` lost)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *sys.argv[1:]]
    return [sys.executable, *sys.orig_argv[1:]]


def restart() -> None:
    """Start the app again, detached, for a language change to take effect."""
    if not QtCore.QProcess.startDetached(restart_command()[0], restart_command()[1:]):
        print(tr("无法重新启动，请手动启动运维工作台。"), file=sys.stderr)
