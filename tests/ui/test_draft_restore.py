"""A form killed mid-typing is restored exactly by the next process (SIGKILL, no goodbye)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.storage.store import Store
from tests.ui import draft_child
from tests.ui.conftest import NOW, activate, wait_window
from tests.ui.test_checklist import start
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.forms.request import RequestForm
from ui.main_window import MainWindow
from ui.restore import RestoreDialog
from ui.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
# "note": the note typed last, so the restore opens the request form after the
# checklist and its window takes the focus from the restored note; that must not
# confirm the note into the record (the user never did).
@pytest.mark.slow
@pytest.mark.parametrize("last", ["request", "note"])
def test_a_killed_process_leaves_forms_that_the_next_start_restores(
    qtbot: QtBot, ctx: AppContext, last: str
) -> None:
    """Whichever form was typed into last is offered first; both come back as they were."""
    run_id = start(ctx)
    folder = ctx.store.folder
    ctx.store.close()  # one process writes a store at a time: hand it to the child
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    with subprocess.Popen(
        [sys.executable, draft_child.__file__, str(folder), run_id, last],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        ready, _, _ = select.select([child.stdout], [], [], 120)  # it types for a few seconds
        line = child.stdout.readline() if ready else ""
        # It said READY and handles no event after that: the kill lands mid-form, in the
        # state it announced. No close, no flush, no goodbye.
        os.kill(child.pid, signal.SIGKILL)
        _, errors = child.communicate(timeout=60)
    assert line.strip() == "READY", errors
    assert child.returncode == -signal.SIGKILL

    store = Store.open(folder, actor=ctx.actor)  # the next start, in this process
    ctx = AppContext(store, Settings.load(folder), clock=lambda: NOW)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    activate(qtbot, window)
    dialog = window.offer_restore()
    assert isinstance(dialog, RestoreDialog) and dialog.list.count() == 2
    newest = {"request": "service_request:", "note": "inspection_run:"}[last]
    assert dialog.forms[0][0].form_key.startswith(newest)  # the last one typed into
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    form = wait_window(qtbot, ChecklistForm)
    assert form.run_id == run_id
    first = form.rows[0]
    assert first.view.status == "abnormal"  # what was saved before the kill
    assert first.note.text() == draft_child.NOTE and first.note.dirty  # what was being typed
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first.note)  # the cursor, too
    assert form.current is first

    request = next(f for f in window.forms.values() if isinstance(f, RequestForm))
    assert request.lines["caller_unit"].text() == draft_child.UNIT
    assert request.texts["description"].toPlainText() == draft_child.DESCRIPTION
    assert request.received_at == NOW  # the clock started when the killed form opened
    window.close()
    store.close()
