"""Starting the desktop window: ``omw`` with no subcommand calls :func:`run`.

The frame of the main window is shown first, with only Qt and light modules
loaded; once it has painted, :mod:`ui.startup` (SQLAlchemy, the models, the
profile schema) opens the store and fills it (issue 13).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.storage import paths
from app.storage.instance import another_instance
from app.storage.passphrase import set_passphrase_provider  # not the crypto stack
from ui import errors, i18n
from ui.i18n import tr
from ui.icons import icon
from ui.main_window import MainWindow
from ui.qt import QtCore, QtWidgets
from ui.settings import Settings

if TYPE_CHECKING:
    from ui.startup import Opened

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


def already_running(folder: Path) -> bool:
    """Another window has ``folder`` open: ask it to come to the front; whether it did."""
    from ui.single_instance import notify_running  # QtNetwork: only for a second launch

    if not notify_running(folder):
        return False
    print(
        tr("运维工作台已在运行（数据目录 {folder}），已切换到已打开的窗口。").format(folder=folder)
    )
    return True


def ask_passphrase(prompt: str, new: bool) -> str | None:
    """:func:`ui.keys.ask_passphrase`, imported when first asked (after the first paint)."""
    from ui.keys import ask_passphrase

    return ask_passphrase(prompt, new)


def run(
    data_dir: str | Path | None, actor: str, clock: Callable[[], datetime] | None = None
) -> int:
    """Run the window until it is closed; returns the process exit code.

    ``clock`` is the wall clock (:func:`ui.context.wall_clock`) unless given.
    """
    app = application()
    folder = paths.data_dir(data_dir)
    settings = Settings.load(folder)
    i18n.install(app, settings.language)  # the translators are children of the app
    asked = another_instance(folder) is not None
    if asked and already_running(folder):
        return 0
    set_passphrase_provider(ask_passphrase)  # an encrypted store asks in a dialog
    errors.install(folder)  # an unexpected error: logged there, said in a message box
    try:
        return _run(app, folder, settings, actor, clock, asked)
    finally:
        errors.uninstall()
        set_passphrase_provider(None)


def _run(
    app: QtWidgets.QApplication,
    folder: Path,
    settings: Settings,
    actor: str,
    clock: Callable[[], datetime] | None,
    asked: bool,
) -> int:
    window = MainWindow()  # the frame: 「正在打开数据…」 until the store is open
    opened: list[Opened] = []

    def open_data() -> None:
        # SQLAlchemy, the models, the key store's cryptography: after the first paint
        from ui.startup import open_data

        outcome = open_data(window, folder, settings, actor, clock, asked)
        if isinstance(outcome, int):
            app.exit(outcome)
        else:
            opened.append(outcome)

    window.first_painted.connect(open_data)
    window.show()
    code = int(app.exec())
    if not opened:  # the start went no further than the frame
        window.close()
        return code
    try:
        opened[0].close()
        return code
    finally:
        if opened[0].ctx.restart_requested:  # the store and its lock are released
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
