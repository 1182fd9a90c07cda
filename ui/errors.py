"""What the window does with an error nobody expected: log it, and say so in Chinese.

Every error a user can cause is answered where it happens (a domain error's
message, a file's reason: :mod:`ui.operations`). This is the net under those: an
exception that escapes a slot or an event handler reaches ``sys.excepthook``,
where PySide6 would print its traceback to the console — which a started window
has none of, so the action just did nothing. :func:`install` makes it

- written, with its traceback, to the data folder's error log
  (:mod:`app.storage.error_log`), together with what :mod:`logging` reports at warning level
  (a background operation that failed unexpectedly, an automatic backup);
- said to the user in a message box, in Chinese, without the traceback: the action
  did not finish, saved records are unaffected, and where the details are.

An error in another thread is logged only: the work that runs off the GUI thread
(:class:`ui.operations.Operation`) reports its own failure.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from types import TracebackType

from app.storage import error_log
from ui.i18n import tr
from ui.qt import QtCore, QtWidgets

log = logging.getLogger("omw")


class _Installed:
    """What :func:`install` changed, for :func:`uninstall` to put back."""

    path: Path | None = None
    handler: logging.Handler | None = None
    hooks: tuple[object, object] | None = None
    #: an error's message box is on its way or shown
    told = False


_state = _Installed()


def log_path() -> Path | None:
    """The error log of the running window (``None`` before :func:`install`)."""
    return _state.path


def install(folder: Path) -> Path:
    """Log to ``folder``'s error log and answer unexpected errors in a message box."""
    path = error_log.path_in(folder)
    handler = error_log.PrivateFileHandler(path)
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
    _state.path, _state.handler = path, handler
    _state.hooks = sys.excepthook, threading.excepthook
    sys.excepthook = _unexpected
    threading.excepthook = _unexpected_in_thread
    return path


def uninstall() -> None:
    """Undo :func:`install` (the window closed): the hooks and the log as they were."""
    if _state.hooks is not None:
        sys.excepthook, threading.excepthook = _state.hooks  # type: ignore[assignment]
    if _state.handler is not None:
        logging.getLogger().removeHandler(_state.handler)
        _state.handler.close()
    _state.path = _state.handler = _state.hooks = None
    _state.told = False


def _unexpected(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    log.error("unexpected error on the GUI thread", exc_info=(kind, error, trace))
    if threading.current_thread() is threading.main_thread() and not _state.told:
        # after the call that failed has returned (a paint event's, say): a dialog's own event
        # loop inside it would repaint into the same error
        _state.told = True
        QtCore.QTimer.singleShot(0, lambda: show(kind.__name__))


def _unexpected_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    trace = (args.exc_type, args.exc_value, args.exc_traceback)
    log.error("unexpected error in thread %s", name, exc_info=trace)


def message(kind: str) -> str:
    """What the user is told of an unexpected error of ``kind`` (an exception's class name)."""
    path = log_path()
    #: {kind}: the exception's class name, e.g. KeyError
    text = tr("发生了意外错误（{kind}），刚才的操作没有完成。已保存的记录不受影响。").format(
        kind=kind
    )
    if path is not None:
        #: {path}: the error log file; the user may send it to support
        text += tr("详细信息已记录在 {path}，可发给技术支持。").format(path=path)
    return text


def show(kind: str) -> None:
    """The message box of an unexpected error. One at a time: errors until it is closed
    (the same one at every repaint, say) are only logged."""
    try:
        parent = QtWidgets.QApplication.activeWindow()
        QtWidgets.QMessageBox.critical(parent, tr("意外错误"), message(kind))
    finally:
        _state.told = False
