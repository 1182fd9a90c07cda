"""What every page of the main window shares: refreshing when shown and when records change."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from app.schedule.due import DueItem
from ui.context import AppContext
from ui.qt import QtCore, QtGui, QtWidgets


class Opener(Protocol):
    """The main window, as the pages see it: it opens forms and switches pages."""

    def open_run(self, run_id: str) -> None: ...
    def open_fault(
        self, fault_id: str | None = None, prefill: dict[str, Any] | None = None
    ) -> None: ...
    def open_request(self, req_id: str | None = None) -> None: ...
    def open_meeting(self, meeting_id: str | None = None) -> None: ...
    def open_due(self, item: DueItem) -> None: ...
    def open_occurrence(
        self,
        template_code: str,
        *,
        window_start: date,
        deadline: date,
        system_code: str | None,
        holiday_period_id: str | None,
    ) -> None: ...
    def show_page(self, name: str) -> None: ...
    def store_busy_reason(self) -> str: ...


class Page(QtWidgets.QWidget):
    """A page; :meth:`refresh` reloads it, lazily while it is hidden."""

    key = ""

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__()
        self.ctx = ctx
        self.opener = opener
        self._stale = True
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._refresh_now)
        ctx.records_changed.connect(self.mark_stale)
        ctx.contract_changed.connect(lambda _code: self.mark_stale())

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._refresh_now()

    def _refresh_now(self) -> None:
        self._stale = False
        if self.ctx.contract:
            self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError
