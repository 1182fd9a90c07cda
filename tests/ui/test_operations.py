"""The one way to run long work: off the GUI thread, progress, cancel, a late progress dialog."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.errors import DomainError
from ui.operations import Cancelled, Operation, Progress, ProgressView


def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def outcome(operation: Operation) -> list[tuple[str, Any]]:
    """What the operation reported, in order (signals arrive on the GUI thread)."""
    seen: list[tuple[str, Any]] = []
    operation.succeeded.connect(lambda value: seen.append(("succeeded", value)))
    operation.failed.connect(lambda message: seen.append(("failed", message)))
    operation.was_cancelled.connect(lambda: seen.append(("cancelled", None)))
    operation.done.connect(lambda: seen.append(("done", threading.get_ident())))
    return seen


def test_work_runs_off_the_gui_thread_and_reports_back_by_signal(qtbot: QtBot) -> None:
    gui = threading.get_ident()
    worker: list[int] = []

    def work(progress: Progress) -> int:
        worker.append(threading.get_ident())
        for n in range(1, 4):
            progress.report(n, 3, f"第 {n} 步")
        return 42

    operation = Operation("测试", work)
    steps: list[tuple[int, int, str]] = []
    operation.progressed.connect(lambda d, t, text: steps.append((d, t, text)))
    seen = outcome(operation)
    operation.start()
    qtbot.waitUntil(lambda: not operation.running)
    assert seen == [("succeeded", 42), ("done", gui)]
    assert worker and worker[0] != gui
    assert steps[-1] == (3, 3, "第 3 步")


def test_a_domain_error_comes_back_as_its_message(qtbot: QtBot) -> None:
    def work(_progress: Progress) -> None:
        raise DomainError("演示数据的月数至少为 1。")

    operation = Operation("测试", work)
    seen = outcome(operation)
    operation.start()
    qtbot.waitUntil(lambda: not operation.running)
    assert seen[0] == ("failed", "演示数据的月数至少为 1。")


def test_a_file_that_fails_comes_back_in_chinese(qtbot: QtBot, tmp_path: Path) -> None:
    """Not 「PermissionError: [Errno 13] …」: the path and the reason, in Chinese."""
    target = tmp_path / "a-file" / "月报.docx"
    (tmp_path / "a-file").write_bytes(b"")

    def work(_progress: Progress) -> None:
        target.write_bytes(b"PK")

    operation = Operation("测试", work)
    seen = outcome(operation)
    operation.start()
    qtbot.waitUntil(lambda: not operation.running)
    assert seen[0] == ("failed", f"无法读写 {target}：路径中有一项不是文件夹。")


def test_quick_work_shows_no_dialog_and_slow_work_can_be_cancelled(qtbot: QtBot) -> None:
    window = parent(qtbot)
    quick = Operation("快速", lambda _p: "ok", window)
    ProgressView(window, quick, show_after_ms=300).start()
    qtbot.waitUntil(lambda: not quick.running)
    qtbot.wait(400)
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
    assert not [d for d in dialogs if d.isVisible()]

    release = threading.Event()

    def slow(progress: Progress) -> str:
        for n in range(1000):
            progress.report(n, 1000)
            if release.wait(0.01):
                break
        return "done"

    operation = Operation("生成演示数据", slow, window)
    seen = outcome(operation)
    view = ProgressView(window, operation, show_after_ms=50)
    view.start()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible())
    dialog = view.dialog
    assert dialog is not None and dialog.labelText().startswith("生成演示数据")
    qtbot.waitUntil(lambda: dialog.maximum() == 1000 and dialog.value() > 0)  # the bar moves
    (cancel,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "取消"]
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not operation.running)
    assert seen[0] == ("cancelled", None)
    assert view.dialog is None
    release.set()


def test_cancel_all_waits_for_the_workers(qtbot: QtBot) -> None:
    """cancel_all returns once the worker has stopped, and it stopped because of the cancel."""
    working = threading.Event()
    give_up = threading.Event()  # only if cancelling were broken: never hang the suite
    ended: list[str] = []

    def work(progress: Progress) -> None:
        working.set()
        try:
            while not give_up.wait(0.01):
                progress.report(0, 1)
        except Cancelled:
            ended.append("cancelled")
            raise
        ended.append("gave up")

    operation = Operation("测试", work)
    operation.start()
    assert working.wait(30)
    safety = threading.Timer(30, give_up.set)
    safety.start()
    try:
        Operation.cancel_all()
        assert ended == ["cancelled"]  # already over when cancel_all returned
    finally:
        safety.cancel()
        give_up.set()
    qtbot.waitUntil(lambda: not operation.running)


def test_an_operation_deleted_with_its_parent_before_its_result_stops_counting(
    qtbot: QtBot,
) -> None:
    """A page or form closed while its work runs takes the operation along; the dropped result
    must not leave it counted as running for the rest of the session."""
    release = threading.Event()
    owner = QWidget()
    operation = Operation("加载列表", lambda _p: release.wait(10), owner)
    operation.start()
    assert Operation.any_running()
    owner.deleteLater()
    qtbot.waitUntil(lambda: not Operation.any_running())
    release.set()
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()
    assert not Operation.any_running()


#: Owners deleted while their operations' workers deliver (run in a child: a crash is a result)
RACE = """
import shiboken6, sys, threading
import ui.qt  # noqa: F401  (Qt as the window imports it)
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget
from ui.operations import Operation

app = QApplication([])
for i in range(2000):
    owner, go = QWidget(), threading.Event()
    work = lambda p, go=go: (go.wait(5), [p.report(k, 50) for k in range(50)])
    Operation("x", work, owner).start()
    go.set()
    if i % 2:
        QApplication.processEvents()
    shiboken6.delete(owner)  # the page closed just as its work ends
QThreadPool.globalInstance().waitForDone()
QApplication.processEvents()
print("running" if Operation.any_running() else "none running")
"""


def test_owners_deleted_while_their_results_arrive_never_crash_the_window(tmp_path: Path) -> None:
    """A worker emitting on its operation while the GUI thread deleted it (with its page) was
    a segmentation fault, about two runs in three of this script, once in CI; the workers
    now only emit on the courier, which is never deleted."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(root))
    for _attempt in range(3):
        done = subprocess.run(
            [sys.executable, "-c", RACE],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stdout.strip()) == (0, "none running"), done.stderr[-2000:]
