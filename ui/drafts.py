"""Saving an open form's fields as drafts while they are typed.

A form owns a :class:`DraftSaver` for its ``form_key``. Each change is queued
and written (``app.records.drafts``) a moment after typing pauses, and at
once when a field is left, so a crash loses at most the last few keystrokes.
While the form is open its drafts carry an ``_open`` marker, so the next start
offers to restore the forms that were open when the process died.

Closing a form with unsaved typing asks (``ui.forms.common.CloseGuard``):
「保存草稿」 keeps the drafts and marks them ``_kept`` (:meth:`DraftSaver.close`
with ``keep=True``); 「放弃」 and closing a form without changes drop them. Kept
drafts are never orphaned: the next start lists them with the crashed forms
(``MainWindow.offer_restore``), and opening the same record's form again puts
them back (:meth:`DraftSaver.kept`), its banner saying so.
"""

from __future__ import annotations

import logging
from typing import Any

from app.errors import DomainError
from app.records import drafts
from ui.context import AppContext
from ui.qt import QtCore

OPEN = "_open"
#: The user closed the form with 「保存草稿」: offered again like a crashed form.
KEPT = "_kept"
#: Draft fields that are not typing (markers, where the cursor was, when a call came in).
NOT_TYPING = (OPEN, KEPT, "focus", "received_at")
#: Pause after the last keystroke before the queued fields are written.
DELAY_MS = 250

log = logging.getLogger(__name__)


class DraftSaver(QtCore.QObject):
    def __init__(
        self,
        ctx: AppContext,
        form_key: str,
        form_type: str,
        title: str,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.form_key = form_key
        self.form_type = form_type
        self.title = title
        self._pending: dict[str, Any] = {}
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.flush)

    def open(self) -> None:
        """Mark the form open (it is offered for restoring if the process dies)."""
        self._pending[OPEN] = True
        self.flush()

    def set(self, field: str, value: Any) -> None:
        self._pending[field] = value
        self._timer.start()

    def drop(self, *fields: str) -> None:
        """Forget fields whose value was saved into the record."""
        for field in fields:
            self._pending.pop(field, None)
        self.ctx.call(lambda s: [drafts.discard_field(s, self.form_key, f) for f in fields])

    def flush(self) -> None:
        self._timer.stop()
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        refused: list[str] = []

        def save(session: Any) -> None:
            for field, value in pending.items():
                try:  # refused before anything of the field is written
                    drafts.save_field(
                        session,
                        self.form_key,
                        self.form_type,
                        field,
                        value,
                        title=self.title,
                        author=self.ctx.actor,
                    )
                except DomainError as exc:
                    refused.append(f"{field}: {exc.message}")

        self.ctx.call(save)
        # e.g. 100,000 characters pasted: the record's own save refuses them in words; a
        # draft that cannot be kept never stops the typing, nor the other fields' drafts
        for problem in refused:
            log.warning("draft of %s not saved: %s", self.form_key, problem)

    def kept(self) -> dict[str, Any]:
        """The drafts left for this form (kept, or from a crash), if any field was typed."""
        values = self.ctx.call(lambda s: drafts.load(s, self.form_key))
        return values if any(k not in NOT_TYPING for k in values) else {}

    def close(self, keep: bool) -> None:
        """The form closes: keep its unsaved fields (offered again, see above) or drop all."""
        self._pending.pop(OPEN, None)
        if keep:
            self._pending[KEPT] = True
            self.flush()
            self.ctx.call(lambda s: drafts.discard_field(s, self.form_key, OPEN))
        else:
            self._timer.stop()
            self._pending.clear()
            self.ctx.call(lambda s: drafts.discard(s, self.form_key))
