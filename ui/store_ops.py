"""Work on the store as a whole: conversions and restores (store closed), automatic backups.

A conversion (加密/解密/更换密钥) or a restore replaces the store file, so it
runs with the store closed and its lock released (:meth:`AppContext.close_store`),
off the GUI thread (:mod:`ui.operations`); afterwards the store is opened
again — asking for the key if it must — and the window carries on with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.errors import StoreError
from app.storage.backup import BackupInfo, maybe_auto_backup
from app.storage.secrets import SecretStore
from ui.context import AppContext
from ui.i18n import tr
from ui.keys import load_device_key, open_store
from ui.operations import Operation, Progress, ProgressView
from ui.qt import QtWidgets

log = logging.getLogger(__name__)

# ``done(result, error)``: the result of the work, or ``None`` and the error shown to the user.
Done = Callable[[Any, str], None]


def run_with_store_closed(
    parent: QtWidgets.QWidget,
    ctx: AppContext,
    title: str,
    work: Callable[[Progress], Any],
    done: Done,
    *,
    secrets: SecretStore | None = None,
) -> Operation:
    """Close the store, run ``work`` off the GUI thread, open the store again, then ``done``.

    ``secrets`` (unlocked on the GUI thread) reopens an encrypted store without asking again.
    """
    folder = ctx.store.folder
    ctx.close_store()

    def reopen() -> bool:
        try:
            store = open_store(folder, ctx.actor, secrets=secrets, parent=parent.window())
        except StoreError as exc:
            store, message = None, exc.message
        else:
            message = tr("没有解锁数据库。")
        if store is None:
            QtWidgets.QMessageBox.critical(
                parent.window(),
                tr("无法重新打开数据"),
                message + "\n" + tr("程序将退出；请重新启动。"),
            )
            QtWidgets.QApplication.quit()
            return False
        # as at start: loaded here, so that work off the GUI thread never has to ask for it
        if not load_device_key(store, parent.window()):
            store.close()
            QtWidgets.QApplication.quit()
            return False
        ctx.reopen_store(store)
        return True

    def finish(result: Any, error: str) -> None:
        if reopen():
            done(result, error)

    operation = Operation(title, work, parent)
    operation.succeeded.connect(lambda result: finish(result, ""))
    operation.failed.connect(lambda message: finish(None, message))
    operation.was_cancelled.connect(lambda: finish(None, tr("已取消。")))
    ProgressView(parent, operation, cancellable=False).start()
    return operation


def start_auto_backup(ctx: AppContext, report: Callable[[str], None]) -> Operation:
    """Today's automatic backup, in the background; ``report`` gets a line for the status bar.

    A failed backup is reported, never fatal.
    """
    now = ctx.now()
    store = ctx.store

    def done(info: BackupInfo | None) -> None:
        if info is not None:
            report(tr("已自动备份：{name}").format(name=info.path.name))
            ctx.backups_changed.emit()

    operation = Operation(tr("自动备份"), lambda _progress: maybe_auto_backup(store, now=now))
    operation.succeeded.connect(done)
    operation.failed.connect(lambda message: report(tr("自动备份失败：{m}").format(m=message)))
    operation.start()
    return operation


def auto_backup_now(ctx: AppContext) -> str:
    """Today's automatic backup, here and now (at close); the problem, or ""."""
    if ctx.store_closed:
        return ""
    try:
        maybe_auto_backup(ctx.store, now=ctx.now())
    except StoreError as exc:
        log.warning("automatic backup failed: %s", exc.message)
        return exc.message
    except OSError as exc:
        log.warning("automatic backup failed: %s", exc)
        return str(exc)
    return ""
