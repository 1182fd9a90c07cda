"""Reminders of what is due: a badge on 今日 and a desktop notification.

The badge on the 今日 entry of the sidebar counts what is due today (not done
yet) and what is overdue for the current contract; it follows every change of
the records. At start and every day at the time set in 设置 (``reminder_time``,
``HH:MM``; empty for none) the same count is announced: a notification of the
system tray where the desktop has one (:class:`QSystemTrayIcon`), and a message
in the status bar of the main window in any case. Nothing goes on the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from app.errors import StoreError
from app.schedule.due import due_on
from ui.context import AppContext
from ui.i18n import tr
from ui.icons import icon
from ui.qt import QtCore, QtWidgets, Signal

#: Records change in bursts (其余全部正常, a demo): the badge is recounted once after them.
RECOUNT_MS = 400
#: How long a notification stays up.
NOTICE_MS = 15_000


@dataclass(frozen=True)
class DueCount:
    today: int  # due today, not started
    overdue: int
    in_progress: int = 0

    @property
    def total(self) -> int:
        return self.today + self.in_progress + self.overdue


def reminder_time(text: str) -> time | None:
    """The daily reminder time of a setting (``"08:30"``); ``None`` when unset or unreadable."""
    try:
        return time.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def next_reminder(now: datetime, at: time) -> datetime:
    """The next moment at ``at``: today if it is still ahead, else tomorrow."""
    moment = datetime.combine(now.date(), at)
    return moment if moment > now else moment + timedelta(days=1)


def notice(count: DueCount) -> str:
    """What a reminder says."""
    if not count.total:
        return tr("今日没有待办或逾期事项。")
    if count.in_progress:  # the Today page's words: 待办 · 进行中 · 已逾期
        return tr("今日待办 {today} 项、进行中 {doing} 项，已逾期 {overdue} 项。").format(
            today=count.today, doing=count.in_progress, overdue=count.overdue
        )
    return tr("今日待办 {today} 项，已逾期 {overdue} 项。").format(
        today=count.today, overdue=count.overdue
    )


class Reminders(QtCore.QObject):
    """Keeps the badge current and announces the count at start and at the set time.

    ``show_badge(count)`` puts the number on the 今日 entry; ``show_message(text)``
    shows it in the window (the status bar).
    """

    #: A reminder was announced (its text), in the tray or the window.
    announced = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        show_badge: Callable[[int], None],
        show_message: Callable[[str], None],
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._show_badge = show_badge
        self._show_message = show_message
        self.count = DueCount(0, 0)
        self.tray: QtWidgets.QSystemTrayIcon | None = None
        self._recount = QtCore.QTimer(self)
        self._recount.setSingleShot(True)
        self._recount.setInterval(RECOUNT_MS)
        self._recount.timeout.connect(self.refresh)
        self.daily = QtCore.QTimer(self)
        self.daily.setSingleShot(True)
        self.daily.timeout.connect(self._daily_due)
        ctx.records_changed.connect(self._recount.start)
        ctx.contract_changed.connect(lambda _code: self._recount.start())
        ctx.store_reopened.connect(self._recount.start)

    def start(self) -> None:
        """At start: the badge, the first reminder, and the daily one scheduled."""
        self.refresh()
        self.announce()
        self.schedule()

    def refresh(self) -> DueCount:
        """Recount what is due today and overdue; the badge shows it."""
        if not self.ctx.contract or self.ctx.store_closed:
            self.count = DueCount(0, 0)
        else:
            try:
                report = self.ctx.call(lambda s: due_on(s, self.ctx.contract, self.ctx.today()))
            except StoreError:
                return self.count  # the store is busy (a conversion): keep the last count
            counts = report.counts()
            self.count = DueCount(counts["due"], counts["overdue"], counts["in_progress"])
        self._show_badge(self.count.total)
        return self.count

    def schedule(self) -> datetime | None:
        """Arm the daily reminder; the moment it fires (``None`` when none is set)."""
        self.daily.stop()
        at = reminder_time(self.ctx.settings.reminder_time)
        if at is None:
            return None
        now = self.ctx.now()
        moment = next_reminder(now, at)
        self.daily.start(max(0, int((moment - now).total_seconds() * 1000)))
        return moment

    def _daily_due(self) -> None:
        self.refresh()
        self.announce()
        self.schedule()

    def announce(self) -> str:
        """Tell the user the count: in the tray where there is one, in the window always."""
        text = notice(self.count)
        self._show_message(text)
        if self.count.total and QtWidgets.QSystemTrayIcon.isSystemTrayAvailable():
            tray = self._tray()
            tray.showMessage(
                tr("运维工作台 · 今日提醒"),
                text,
                QtWidgets.QSystemTrayIcon.MessageIcon.Information,
                NOTICE_MS,
            )
        self.announced.emit(text)
        return text

    def _tray(self) -> QtWidgets.QSystemTrayIcon:
        if self.tray is None:
            self.tray = QtWidgets.QSystemTrayIcon(icon("app"), self)
            self.tray.setToolTip(tr("运维工作台"))
            self.tray.show()
        return self.tray
