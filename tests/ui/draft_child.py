"""A window process that is killed mid-form by ``test_draft_restore.py``.

Usage: ``python draft_child.py DATA_DIR RUN_ID [request|note]``. It opens the
checklist of RUN_ID and the service-request quick entry and types into both
like a user, the named one last (in a later second, so its drafts are the
newest), waiting each time until the drafts are on disk. Then it prints
``READY`` and sleeps until it is killed, without handling another event: the
kill lands exactly in the state that ``READY`` announced.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.records import drafts
from app.storage.store import Store
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.forms.request import RequestForm
from ui.main_window import MainWindow
from ui.settings import Settings

NOW_ISO = "2026-11-20T10:00:00"
NOTE = "进程被杀前输入的异常说明"
UNIT = "某区分局"
DESCRIPTION = "网上申报提交后无回执"


def type_into(widget: QWidget, text: str) -> None:
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def wait_for(condition: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        QTest.qWait(20)


def next_second() -> None:
    """Drafts are stamped to the second: make the next one unmistakably later."""
    now = time.time()
    time.sleep(int(now) + 1 - now + 0.01)


def main(data_dir: str, run_id: str, last: str = "request") -> None:
    """Type into both forms; ``last`` ("request" or "note") is the form typed into last."""
    from datetime import datetime

    _app = QApplication(sys.argv[:1])  # kept alive until the kill
    store = Store.open(data_dir)
    settings = Settings.load(store.folder)
    store.actor = settings.name
    ctx = AppContext(store, settings, clock=lambda: datetime.fromisoformat(NOW_ISO))
    window = MainWindow(ctx)
    window.show()

    window.open_run(run_id)
    form = window.forms[f"inspection_run:{run_id}"]
    assert isinstance(form, ChecklistForm)
    window.open_request()
    request = next(f for f in window.forms.values() if isinstance(f, RequestForm))
    row = form.rows[0]

    def drafted(form_key: str, field: str, value: str) -> bool:
        with store.session() as s:
            return drafts.load(s, form_key).get(field) == value

    def type_note() -> None:
        form.activateWindow()
        row.setFocus()
        QTest.keyClick(row, Qt.Key.Key_3)  # 异常: saved into the run at once
        wait_for(lambda: row.note.isVisible())
        row.note.setFocus()
        type_into(row.note, NOTE)  # not confirmed: only a draft
        note_key = f"note:{row.view.result_id}"
        wait_for(lambda: drafted(f"inspection_run:{run_id}", note_key, NOTE))

    def type_request() -> None:
        type_into(request.lines["caller_unit"], UNIT)
        type_into(request.texts["description"], DESCRIPTION)
        wait_for(lambda: drafted(request.saver.form_key, "description", DESCRIPTION))

    first, second = (type_note, type_request) if last == "request" else (type_request, type_note)
    first()
    next_second()  # the form typed into last has the newest drafts: it is offered first
    second()
    assert row.note.dirty  # typed, not confirmed: only the draft holds it
    print("READY", flush=True)
    # The kill point: nothing runs from here on. Going back to the event loop would let
    # pending events (the note losing the focus confirms it) race with the kill.
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main(*sys.argv[1:])
