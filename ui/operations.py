"""The one way the window runs long work: off the GUI thread, with progress and cancel.

    op = Operation(tr("生成演示数据"), lambda progress: generate(..., progress=progress.report))
    op.succeeded.connect(done)
    ProgressView(parent, op).start()

The work function runs on a :class:`QThreadPool` worker and receives a
:class:`Progress`; :meth:`Progress.report` hands progress to the GUI thread and
raises :class:`Cancelled` once the user pressed 「取消」. The result (or the
error message) comes back by signal, queued onto the GUI thread. A progress
dialog appears only if the work is still running after a short delay (as
Anki's ``aqt/progress.py`` does), so quick work never flashes a window.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from app.errors import StoreError
from app.storage.atomic import os_reason
from ui import errors
from ui.i18n import tr
from ui.qt import QtCore, QtWidgets, Signal, Slot

log = logging.getLogger(__name__)

#: How long work may run before its progress dialog appears.
SHOW_AFTER_MS = 400
#: Progress signals are sent at most this often (seconds).
REPORT_INTERVAL = 0.1


class Cancelled(Exception):
    """Raised inside the work once the user cancelled it."""


class Progress:
    """Handed to the work function: report progress, notice cancellation."""

    def __init__(self, key: int) -> None:
        self._key = key
        self._cancel = threading.Event()
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled

    def report(self, done: int, total: int, text: str = "") -> None:
        """Progress so far; raises :class:`Cancelled` when the user cancelled."""
        self.check()
        moment = time.monotonic()
        if moment - self._last >= REPORT_INTERVAL or done >= total:
            self._last = moment
            if self._key not in Operation._alive:  # deleted with its owner (a closed page)
                self._cancel.set()
                raise Cancelled
            _courier().progress.emit(self._key, int(done), int(total), str(text))


class _Task(QtCore.QRunnable):
    """The work on a pool thread. It holds plain values only, never the :class:`Operation`
    (a QObject of the GUI thread, which may delete it meanwhile)."""

    def __init__(self, key: int, title: str, work: Callable[[Progress], Any], progress: Progress):
        super().__init__()
        self._key, self._title, self._work, self._progress = key, title, work, progress

    def run(self) -> None:
        try:
            result = self._work(self._progress)
        except Cancelled:
            self._deliver(CANCELLED, None)
        except StoreError as exc:
            self._deliver(FAILED, exc.message)
        except OSError as exc:  # a file or folder chosen, or the disk: said in Chinese
            log.warning("operation %s: %s", self._title, exc)
            self._deliver(FAILED, file_problem(exc))
        except Exception as exc:  # logged with its traceback; the user told in Chinese
            log.exception("operation %s failed", self._title)
            self._deliver(FAILED, errors.message(exc.__class__.__name__))
        else:
            self._deliver(SUCCEEDED, result)

    def _deliver(self, outcome: str, payload: object) -> None:
        _courier().finished.emit(self._key, outcome, payload)


def file_problem(exc: OSError) -> str:
    """What an operation that failed on a file or folder tells the user."""
    where = f" {exc.filename}" if exc.filename else ""
    #: {where}: the file or folder (with a leading space, or empty); {why}: the reason
    return tr("无法读写{where}：{why}。").format(where=where, why=os_reason(exc))


SUCCEEDED, FAILED, CANCELLED = "succeeded", "failed", "cancelled"


class _Courier(QtCore.QObject):
    """Carries every worker's progress and outcome to the GUI thread; made once, never deleted.

    A worker emitting a signal of its :class:`Operation` raced the GUI thread deleting
    that operation with its page or form: the emit crashed the process (a segmentation
    fault in CI, ``Fatal Python error`` in the worker's ``emit``). A worker now emits
    only this object's signals, and its queued slots, on the GUI thread, find the
    operation by number and drop the news of one that is gone.
    """

    progress = Signal(int, int, int, str)
    finished = Signal(int, str, object)

    def __init__(self) -> None:
        super().__init__()
        queued = QtCore.Qt.ConnectionType.QueuedConnection
        self.progress.connect(self._progress, queued)
        self.finished.connect(self._finished, queued)

    # Slots declared as such: the worker thread's signals reach them through Qt's queue, and
    # PySide6 (6.8 and later) can crash delivering a cross-thread signal to a plain Python
    # method (PYSIDE-3124).
    @Slot(int, int, int, str)
    def _progress(self, key: int, done: int, total: int, text: str) -> None:
        operation = Operation._alive.get(key)
        if operation is not None:
            operation.progressed.emit(done, total, text)

    @Slot(int, str, object)
    def _finished(self, key: int, outcome: str, payload: object) -> None:
        operation = Operation._alive.pop(key, None)
        if operation is None:
            log.info("an operation finished after its owner was closed")
            return
        operation._finished(outcome, payload)


@functools.cache
def _courier() -> _Courier:
    """The courier, made on the GUI thread by the first :class:`Operation`."""
    return _Courier()


class Operation(QtCore.QObject):
    """Work to run on the thread pool; its public signals are emitted on the GUI thread.

    The worker emits only the courier's signals; the courier, on the GUI thread,
    emits this object's, so every connection to them — lambdas included — runs on
    the GUI thread.
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    was_cancelled = Signal()
    done = Signal()

    #: the running operations by number (kept referenced while running)
    _alive: ClassVar[dict[int, Operation]] = {}
    _numbers: ClassVar[Iterator[int]] = itertools.count(1)

    def __init__(
        self,
        title: str,
        work: Callable[[Progress], Any],
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        _courier()  # made here, on the GUI thread, before any worker needs it
        self.title = title
        self.work = work
        self.key = next(Operation._numbers)
        self.progress = Progress(self.key)
        self.running = False
        # A parent (a page, a form) deleted before the worker's result arrived takes the
        # operation with it, and the queued result is dropped: it must not count as running.
        self.destroyed.connect(lambda _obj=None, key=self.key: Operation._alive.pop(key, None))

    def start(self, pool: QtCore.QThreadPool | None = None) -> None:
        self.running = True
        Operation._alive[self.key] = self
        task = _Task(self.key, self.title, self.work, self.progress)
        (pool or QtCore.QThreadPool.globalInstance()).start(task)

    def cancel(self) -> None:
        self.progress.cancel()

    @classmethod
    def any_running(cls) -> bool:
        return bool(cls._alive)

    @classmethod
    def cancel_all(cls, pool: QtCore.QThreadPool | None = None) -> None:
        """Cancel every running operation and wait for the workers (before the store closes)."""
        for operation in list(cls._alive.values()):
            operation.cancel()
        (pool or QtCore.QThreadPool.globalInstance()).waitForDone()

    def _finished(self, outcome: str, payload: object) -> None:
        """The worker's outcome, on the GUI thread (from the courier)."""
        self.running = False
        if outcome == SUCCEEDED:
            self.succeeded.emit(payload)
        elif outcome == FAILED:
            self.failed.emit(str(payload))
        else:
            self.was_cancelled.emit()
        self.done.emit()


class ProgressView(QtCore.QObject):
    """Shows an operation's progress in a dialog once it runs longer than a moment."""

    def __init__(
        self,
        parent: QtWidgets.QWidget,
        operation: Operation,
        show_after_ms: int = SHOW_AFTER_MS,
        cancellable: bool = True,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self.operation = operation
        self.cancellable = cancellable
        self.dialog: QtWidgets.QProgressDialog | None = None
        self._bar: QtWidgets.QProgressBar | None = None
        self._last: tuple[int, int, str] = (0, 0, "")
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(show_after_ms)
        self._timer.timeout.connect(self._show)
        operation.progressed.connect(self._progressed)
        operation.done.connect(self._close)

    def start(self) -> Operation:
        self._timer.start()
        self.operation.start()
        return self.operation

    def _show(self) -> None:
        if not self.operation.running:
            return
        dialog = QtWidgets.QProgressDialog(self._parent)
        dialog.setWindowTitle(self.operation.title)
        dialog.setLabelText(self.operation.title)
        if self.cancellable:
            dialog.setCancelButtonText(tr("取消"))
        else:  # work that must run to its end (a conversion, a restore)
            dialog.setCancelButton(None)  # type: ignore[arg-type]
        dialog.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self._cancel)
        # Values go to the bar itself: QProgressDialog.setValue on a modal dialog runs a
        # nested event loop, in which the work's end could close and delete the dialog
        # while its setValue is still under way.
        self._bar = QtWidgets.QProgressBar(dialog)
        dialog.setBar(self._bar)
        self.dialog = dialog
        self._apply()
        dialog.show()

    def _cancel(self) -> None:
        self.operation.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText(tr("正在取消…"))

    def _progressed(self, done: int, total: int, text: str) -> None:
        self._last = (done, total, text)
        self._apply()

    def _apply(self) -> None:
        dialog, bar = self.dialog, self._bar
        if dialog is None or bar is None:
            return
        done, total, text = self._last
        if text:
            dialog.setLabelText(f"{self.operation.title}\n{text}")
        bar.setMaximum(max(total, 0))
        bar.setValue(min(done, total) if total else 0)

    def _close(self) -> None:
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = self._bar = None
        self.deleteLater()


class StatusProgress(QtWidgets.QWidget):
    """An operation's progress in the status bar, with 「取消」; the window stays usable.

    For long work the user need not wait for (demo data at the first start): the
    title, a bar and a cancel button sit at the right of the status bar until the
    operation is done.
    """

    def __init__(self, status: QtWidgets.QStatusBar, operation: Operation) -> None:
        super().__init__(status)
        self.setObjectName("statusProgress")
        self.status = status
        self.operation = operation
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QtWidgets.QLabel(operation.title)
        self.bar = QtWidgets.QProgressBar()
        self.bar.setMaximumWidth(200)
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button = QtWidgets.QToolButton()
        self.cancel_button.setText(tr("取消"))
        self.cancel_button.clicked.connect(self._cancel)
        for widget in (self.label, self.bar, self.cancel_button):
            layout.addWidget(widget)
        operation.progressed.connect(self._progressed)
        operation.done.connect(self._close)

    def start(self) -> Operation:
        self.status.addPermanentWidget(self)
        self.show()
        self.operation.start()
        return self.operation

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 0))
        self.bar.setValue(min(done, total) if total else 0)
        if text and self.cancel_button.isEnabled():
            self.label.setText(f"{self.operation.title}（{text}）")

    def _cancel(self) -> None:
        self.operation.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText(tr("正在取消…"))

    def _close(self) -> None:
        self.status.removeWidget(self)
        self.deleteLater()
