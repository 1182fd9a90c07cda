#!/usr/bin/env python3
"""Benchmark: the window's table model, cancelling work, thirty calls typed, against floors.

    .venv/bin/python bench/bench_ui.py [--runs 7] [--check] [--target NAME=RATIO] [--only NAME]

Runs on Qt's offscreen platform (no display needed). Each figure is a median
of ``--runs`` (at least 5) after a warm-up, next to a floor timed in the same
run, and their ratio:

``model_load``
    ``RowTableModel.set_rows`` of 100,000 fault rows and a filter on "信访".
    Floor: the same text search over the same rows in a plain Python list.
``model_sort``
    Two sorts of the 25,000 filtered rows (time, then title).
    Floor: ``list.sort`` of the same rows by the same keys.
``model_refilter``
    Filtering all rows again, down to one ("故障 99999"). Floor: a substring test
    over the rows' texts prepared beforehand (what a search index allows).
``cancel_all``
    ``Operation.cancel_all()`` while a worker reports progress every 10 ms:
    from the call until the worker has stopped. Floor: one 10 ms step of that worker.
``thirty_calls``
    Thirty service requests typed by keyboard (F2, unit, Tab Tab, category,
    Tab, description, Tab, result, Ctrl+Enter; 680 keys) into the main window.
    Floor: the same 680 keys typed into four bare text boxes.

``--check`` exits 1 if a ratio is above its target (the targets below). These
replace the wall-clock limits tests/ui/test_models.py (0.5-1 s),
test_operations.py (2 s) and test_request.py (15 s) used to assert.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from operator import attrgetter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the OS keyring
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFormLayout, QLineEdit, QWidget

from app.contracts.registry import install_profile
from app.records import listings, requests
from app.schedule.holidays import sync_all_holidays
from app.storage.store import Store
from bench._timing import Bench, bench_from, parser
from tests.factories import fault_rows, internet_profile
from ui.context import AppContext
from ui.forms.request import RequestForm
from ui.main_window import MainWindow
from ui.models import Column, RowTableModel
from ui.operations import Operation, Progress
from ui.settings import Settings

#: ratio of the median to its floor's above which ``--check`` fails
TARGETS = {
    "model_load": 10.0,
    "model_sort": 15.0,
    "model_refilter": 10.0,
    "cancel_all": 10.0,
    "thirty_calls": 20.0,
}
NOW = datetime(2026, 11, 20, 10, 0)
CTRL = Qt.KeyboardModifier.ControlModifier
COLUMNS = [
    Column("单号", "number"),
    Column("时间", "reported_at"),
    Column("等级", "level", label=True),
    Column("系统", "system"),
    Column("标题", "title"),
    Column("应急事件", "emergency"),
    Column("状态", "status", label=True),
    Column("处理人", "handler"),
    Column("已签字", "locked"),
]


def _quiet_offscreen(kind: QtMsgType, _context: object, message: str) -> None:
    """The offscreen platform cannot raise or grab windows; say nothing about it."""
    if not message.startswith("This plugin does not support"):
        print(message, file=sys.stderr)


def wait_until(condition: Callable[[], object], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        QTest.qWait(5)


# --------------------------------------------------------------------------- the table model


def bench_model(bench: Bench) -> None:
    many = fault_rows(100_000)
    model = RowTableModel(COLUMNS)

    def search(text: str) -> list[listings.FaultRow]:
        needle = text.lower()
        return [r for r in many if any(needle in str(v).lower() for v in r)]

    def load() -> None:
        model.set_rows(many)
        model.set_filter("信访")
        assert model.rowCount() == 25_000

    bench.add("model_load", load, "the list search", lambda: search("信访"))
    shown = search("信访")

    def sort() -> None:
        model.sort(1, Qt.SortOrder.DescendingOrder)
        model.sort(4, Qt.SortOrder.AscendingOrder)

    def list_sort() -> None:
        rows = list(shown)
        rows.sort(key=attrgetter("reported_at"), reverse=True)
        rows.sort(key=attrgetter("title"))

    bench.add("model_sort", sort, "list.sort by the same keys", list_sort)

    def refilter() -> None:
        model.set_filter("故障 99999")
        assert model.rowCount() == 1

    prepared = [" ".join(str(v) for v in r).lower() for r in many]

    def scan() -> list[str]:
        return [t for t in prepared if "故障 99999" in t]

    bench.add("model_refilter", refilter, "a scan of 100,000 prepared strings", scan)


# --------------------------------------------------------------------------- cancelling


STEP_S = 0.01


def bench_cancel(bench: Bench) -> None:
    def cancel_a_running_worker() -> float:
        working = threading.Event()

        def work(progress: Progress) -> None:
            working.set()
            deadline = time.monotonic() + 30  # only if cancelling were broken
            while time.monotonic() < deadline:
                progress.report(0, 1)
                time.sleep(STEP_S)

        operation = Operation("基准", work)
        operation.start()
        working.wait(30)
        time.sleep(3 * STEP_S)  # well inside its loop
        started = time.perf_counter()
        Operation.cancel_all()
        took = time.perf_counter() - started
        wait_until(lambda: not operation.running)
        return took

    bench.add(
        "cancel_all",
        cancel_a_running_worker,
        f"one {STEP_S * 1000:.0f} ms step of the worker",
        lambda: time.sleep(STEP_S),
        self_timed=True,
    )


# --------------------------------------------------------------------------- thirty calls


def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    QTest.keyClick(widget, key, modifiers)


def type_text(text: str) -> None:
    for char in text:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        if char.isascii():
            QTest.keyClick(widget, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char)
                )


def activate(window: QWidget) -> None:
    window.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is window)


def one_call(n: int) -> None:
    press(Qt.Key.Key_F2)
    wait_until(lambda: isinstance(QApplication.activeWindow(), RequestForm))
    form = QApplication.activeWindow()
    assert isinstance(form, RequestForm)
    wait_until(lambda: form.lines["caller_unit"].hasFocus())
    type_text("某区分局")
    press(Qt.Key.Key_Tab)
    press(Qt.Key.Key_Tab)
    type_text("账号问题")
    press(Qt.Key.Key_Tab)
    type_text(f"密码遗忘{n}")
    press(Qt.Key.Key_Tab)
    type_text("已重置")
    press(Qt.Key.Key_Return, CTRL)  # 电话已解决
    wait_until(lambda: not form.isVisible())


def bench_calls(bench: Bench, work: Path) -> None:
    store = Store.open(work / "data", actor="张工")
    with store.session() as s:
        install_profile(s, internet_profile())
        sync_all_holidays(s)
    settings = Settings.load(store.folder)
    settings.name, settings.role, settings.contract = "张工", "运维工程师", "test-internet"
    settings.save()
    ctx = AppContext(store, settings, clock=lambda: NOW)
    for unit, category in (("某区分局", "账号问题"), ("某区分局", "页面打不开")):
        ctx.call(
            lambda s, u=unit, c=category: requests.log_request(
                s,
                "test-internet",
                received_at=NOW.replace(hour=9),
                caller_unit=u,
                category=c,
                description="历史来电",
                handler="张工",
                now=NOW,
            )
        )
    window = MainWindow(ctx)
    window.show()
    activate(window)

    def thirty_calls() -> None:
        for n in range(30):
            one_call(n)
            activate(window)

    boxes = QWidget()
    layout = QFormLayout(boxes)
    edits = [QLineEdit() for _ in range(4)]
    for edit in edits:
        layout.addRow(edit)
    boxes.show()

    def bare_boxes() -> None:
        activate(boxes)
        for n in range(30):
            for edit in edits:
                edit.clear()
            edits[0].setFocus()
            wait_until(edits[0].hasFocus)
            press(Qt.Key.Key_F2)
            type_text("某区分局")
            press(Qt.Key.Key_Tab)
            press(Qt.Key.Key_Tab)
            type_text("账号问题")
            press(Qt.Key.Key_Tab)
            type_text(f"密码遗忘{n}")
            press(Qt.Key.Key_Tab)
            type_text("已重置")
            press(Qt.Key.Key_Return, CTRL)
        activate(window)

    try:
        bench.add("thirty_calls", thirty_calls, "680 keys into bare text boxes", bare_boxes)
        rows = ctx.call(lambda s: listings.request_rows(s, "test-internet"))
        print(f"    {len(rows)} requests in the store", flush=True)
    finally:
        boxes.close()
        window.close()
        store.close()


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[1], TARGETS)
    p.add_argument("--only", choices=("model", "cancel", "calls"), help="only these benchmarks")
    args = p.parse_args(argv)
    bench = bench_from(args, TARGETS)
    qInstallMessageHandler(_quiet_offscreen)
    _app = QApplication.instance() or QApplication(sys.argv[:1])
    if args.only in (None, "model"):
        bench_model(bench)
    if args.only in (None, "cancel"):
        bench_cancel(bench)
    if args.only in (None, "calls"):
        with tempfile.TemporaryDirectory(prefix="omw-bench-ui-") as work:
            bench_calls(bench, Path(work))
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
