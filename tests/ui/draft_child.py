"""A window process that is killed mid-form by ``test_draft_restore.py``.

Usage: ``python draft_child.py DATA_DIR RUN_ID``. It opens the checklist of
RUN_ID and the service-request quick entry, types into both like a user,
waits until the drafts are on disk, prints ``READY`` and waits to be killed.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.services import drafts
from app.store import Store
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


def main(data_dir: str, run_id: str) -> None:
    from datetime import datetime

    app = QApplication(sys.argv[:1])
    store = Store.open(data_dir)
    settings = Settings.load(store.folder)
    store.actor = settings.name
    ctx = AppContext(store, settings, clock=lambda: datetime.fromisoformat(NOW_ISO))
    window = MainWindow(ctx)
    window.show()

    window.open_run(run_id)
    form = window.forms[f"inspection_run:{run_id}"]
    assert isinstance(form, ChecklistForm)
    form.rows[0].setFocus()
    QTest.keyClick(form.rows[0], Qt.Key.Key_3)  # 异常: saved into the run at once
    wait_for(lambda: form.rows[0].note.isVisible())
    type_into(form.rows[0].note, NOTE)  # not confirmed: only a draft

    window.open_request()
    request = next(f for f in window.forms.values() if isinstance(f, RequestForm))
    type_into(request.lines["caller_unit"], UNIT)
    type_into(request.texts["description"], DESCRIPTION)

    def saved() -> bool:
        with store.session() as s:
            run = drafts.load(s, f"inspection_run:{run_id}")
            req = drafts.load(s, request.saver.form_key)
        return run.get(f"note:{form.rows[0].view.result_id}") == NOTE and (
            req.get("description") == DESCRIPTION
        )

    wait_for(saved)
    print("READY", flush=True)
    app.exec()  # until killed


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
