"""Opening the store behind the painted window frame (issue 13).

``ui.main`` shows the frame of the main window first and imports this module
once it has painted: everything here may load SQLAlchemy, the models and the
profile schema, the user already sees the window saying 「正在打开数据…」.
Then, as before: unlock an encrypted store (the passphrase dialog), load the
device key, answer a second launch, the first start (identity, contracts, demo
data), and the pages.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import StoreDamaged, StoreError
from app.storage.instance import StoreBusyError
from app.storage.secrets import SecretStore, open_secret_store
from ui.context import AppContext, wall_clock
from ui.demo import start_demo
from ui.first_start import FirstStartDialog, needs_first_start
from ui.i18n import tr
from ui.keys import load_device_key, open_store
from ui.main import ENV_CLOSE_AFTER_MS, already_running
from ui.main_window import MainWindow
from ui.qt import QtCore, QtWidgets
from ui.settings import Settings
from ui.single_instance import InstanceServer
from ui.store_ops import auto_backup_now, start_auto_backup


@dataclass
class Opened:
    """The open store behind the window and the server that answers a second launch."""

    ctx: AppContext
    server: InstanceServer

    def close(self) -> None:
        """After the window closed: the automatic backup, then release the store."""
        try:
            problem = auto_backup_now(self.ctx)
            if problem:
                print(tr("自动备份失败：{m}").format(m=problem), file=sys.stderr)
        finally:
            self.server.close()
            self.ctx.store.close()


def open_data(
    window: MainWindow,
    folder: Path,
    settings: Settings,
    actor: str,
    clock: Callable[[], datetime] | None,
    asked: bool,
) -> Opened | int:
    """Open the store of ``folder`` and fill ``window`` (its frame is shown).

    Returns the exit code instead when the window cannot go on: the store is busy
    (another window was starting: it was brought to the front), cannot be opened
    (the reason was shown), or the user gave up unlocking it or quit the first start.
    """
    try:
        # one secret store for unlocking an encrypted store and for the device key: asked once
        secrets: SecretStore | None = open_secret_store(folder)
    except StoreError:
        secrets = None  # the store (if encrypted) or the device key will say why
    try:
        store = open_store(folder, settings.name or actor, secrets=secrets)
    except StoreDamaged as exc:  # a damaged file: its backups, newest first, if the user agrees
        if not restore_from_backup(window, folder, exc.message, secrets):
            return 2
        return open_data(window, folder, settings, actor, clock, asked)
    except StoreError as exc:
        # the lock holder may be a window that was starting when we looked, or `omw restore`
        if isinstance(exc, StoreBusyError) and not asked and already_running(folder):
            return 0
        QtWidgets.QMessageBox.critical(window, tr("无法打开数据"), exc.message)
        return 2
    if store is None:  # the user gave up unlocking the encrypted store
        return 0
    # here, on the GUI thread, so that no work off it (drafts, exports, checks) has to ask
    if not load_device_key(store):
        store.close()
        return 0
    server = InstanceServer(folder)
    server.show_requested.connect(window.bring_to_front)  # or its open dialog
    server.listen()
    opened = Opened(AppContext(store, settings, clock or wall_clock), server)
    try:
        shown = open_window(opened.ctx, window)
    except StoreError as exc:  # e.g. an install without its built-in contract profiles
        QtWidgets.QMessageBox.critical(window, tr("无法打开数据"), exc.message)
        shown = None
        code = 2
    else:
        code = 0
    if shown is None:
        server.close()
        store.close()
        return code
    close_after = os.environ.get(ENV_CLOSE_AFTER_MS, "")
    if close_after.isdigit():  # the frozen build's smoke test: close as a user would …
        QtCore.QTimer.singleShot(int(close_after), window.close)
        # … and say what the check at start (in its child process) found
        window.integrity_checked.connect(lambda report, _notes: _say(report.summary()))
    start_auto_backup(opened.ctx, lambda message: window.statusBar().showMessage(message, 8_000))
    return opened


def _say(line: str) -> None:
    if sys.stdout is not None:  # a windowed program on Windows has none
        print(line, flush=True)


def open_window(ctx: AppContext, window: MainWindow | None = None) -> MainWindow | None:
    """First start if needed, then the main window (``window``, its frame, or a new one)
    filled and shown; None if the user quit.

    Once it has painted, the store is checked in the background (a banner shows problems).
    """
    demo: list[str] = []
    months = 0
    if needs_first_start(ctx):
        dialog = FirstStartDialog(ctx, window)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        demo, months = dialog.demo_codes, dialog.months.value()
    if window is None:
        window = MainWindow(ctx)
    else:
        window.attach(ctx)
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


def restore_from_backup(
    window: QtWidgets.QWidget, folder: Path, problem: str, secrets: SecretStore | None
) -> bool:
    """The store's file is damaged: offer its backups, newest first (each drilled, then
    swapped in, the damaged file kept aside as it is, as ``omw restore`` does); True once
    one is restored.

    A backup that fails its drill is said, and the one before it offered next. Without
    a backup, when the user declines, or when none restores, says what is wrong (False).
    """
    from app.storage import backup

    said = problem
    offer = tr("最新的备份是 {name}（{time}）。要从这个备份恢复吗？")
    buttons = QtWidgets.QMessageBox.StandardButton
    for chosen in [b for b in backup.list_backups(folder) if b.kind in backup.KINDS]:
        question = "\n\n".join(
            [
                said,
                offer.format(name=chosen.path.name, time=f"{chosen.created:%Y-%m-%d %H:%M}")
                + tr("恢复前先演练校验备份；损坏的文件原样保留在备份文件夹中。"),
            ]
        )
        if (
            QtWidgets.QMessageBox.question(
                window, tr("数据库文件已损坏"), question, buttons.Yes | buttons.No, buttons.No
            )
            != buttons.Yes
        ):
            break
        failed = _restore(window, chosen.path, folder, secrets)
        if failed is None:
            return True
        said = "\n\n".join(
            [
                problem,
                tr("无法从 {name} 恢复：{reason}").format(name=chosen.path.name, reason=failed),
            ]
        )
        offer = tr("更早的备份是 {name}（{time}）。要从这个备份恢复吗？")
    QtWidgets.QMessageBox.critical(window, tr("无法打开数据"), said)
    return False


def _restore(
    window: QtWidgets.QWidget, source: Path, folder: Path, secrets: SecretStore | None
) -> str | None:
    """Restore ``source`` over the store with progress; None, or why it failed."""
    from app.storage import backup
    from ui.operations import Operation, ProgressView

    operation = Operation(
        tr("从备份恢复"),
        lambda _progress: backup.restore_backup(source, folder, secrets=secrets),
    )
    outcome: dict[str, object] = {}
    operation.succeeded.connect(lambda report: outcome.update(report=report))
    operation.failed.connect(lambda message: outcome.update(error=message))
    waiting = QtCore.QEventLoop()
    operation.done.connect(waiting.quit)
    ProgressView(window, operation, cancellable=False).start()
    if operation.running:
        waiting.exec()
    return None if "report" in outcome else str(outcome.get("error", ""))
