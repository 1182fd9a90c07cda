"""Reminders: the 今日 badge follows the records; the daily reminder is scheduled and fires."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from app.records import inspections
from app.schedule.due import due_on
from tests.ui.conftest import NOW
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.pages.settings import SettingsPage
from ui.reminders import DueCount, next_reminder, notice, reminder_time


def test_the_next_reminder_is_today_while_ahead_else_tomorrow() -> None:
    at = time(8, 30)
    assert next_reminder(datetime(2026, 11, 20, 7, 0), at) == datetime(2026, 11, 20, 8, 30)
    assert next_reminder(datetime(2026, 11, 20, 8, 30), at) == datetime(2026, 11, 21, 8, 30)
    assert next_reminder(datetime(2026, 12, 31, 23, 0), at) == datetime(2027, 1, 1, 8, 30)
    assert reminder_time("08:30") == at
    assert reminder_time("") is None and reminder_time("25:99") is None
    assert notice(DueCount(2, 5)) == "今日待办 2 项，已逾期 5 项。"
    # in the Today page's words: its header said 待办 18 · 进行中 2 beside 「今日待办 20 项」
    assert notice(DueCount(18, 3, 2)) == "今日待办 18 项、进行中 2 项，已逾期 3 项。"
    assert DueCount(18, 3, 2).total == 23  # the badge: 今日 (23)
    assert notice(DueCount(0, 0)) == "今日没有待办或逾期事项。"


def expected(ctx: AppContext) -> int:
    counts = ctx.call(lambda s: due_on(s, ctx.contract, ctx.today())).counts()
    return counts["due"] + counts["in_progress"] + counts["overdue"]


def test_the_today_badge_counts_what_is_due_and_overdue_and_follows_the_records(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    today = window.nav.item(0)
    before = expected(ctx)
    assert before > 0 and today.text() == f"今日 ({before})"

    def complete_monthly(s: object) -> None:
        run = inspections.start_run(
            s, ctx.contract, "monthly", scheduled_date=NOW.date(), inspector="张工"
        )
        inspections.mark_rest_normal(s, run.id)
        inspections.complete_run(s, run.id, conclusion="正常")

    ctx.call(complete_monthly)
    ctx.changed()
    qtbot.waitUntil(lambda: today.text() == f"今日 ({before - 1})")
    assert window.reminders.count.total == before - 1 == expected(ctx)


# the offscreen platform has no tray to attach the icon to, and says so
@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_a_reminder_at_start_and_at_the_time_set_in_settings(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminders = window.reminders
    with qtbot.waitSignal(reminders.announced) as start:
        reminders.start()
    text = notice(reminders.count)
    assert start.args == [text] and window.statusBar().currentMessage() == text
    if not QSystemTrayIcon.isSystemTrayAvailable():  # offscreen: the window tells it alone
        assert reminders.tray is None
    # a desktop with a tray gets the notification there too (the path runs offscreen as well)
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    reminders.announce()
    assert reminders.tray is not None and reminders.tray.toolTip() == "运维工作台"
    # 08:30 has passed at 10:00: tomorrow, 22.5 hours ahead
    assert reminders.schedule() == datetime(2026, 11, 21, 8, 30)
    assert abs(reminders.daily.remainingTime() - 22.5 * 3600_000) < 5_000

    settings = window.pages["settings"]
    assert isinstance(settings, SettingsPage)
    ctx.clock = lambda: datetime(2026, 11, 20, 10, 29, 59, 800_000)
    with qtbot.waitSignal(reminders.announced, timeout=5_000) as fired:
        settings.remind_at.setTime(settings.remind_at.time().fromString("10:30", "HH:mm"))
    assert fired.args == [text] and ctx.settings.reminder_time == "10:30"
    assert reminders.daily.isActive()  # rescheduled for tomorrow
    settings.remind_daily.setChecked(False)
    assert ctx.settings.reminder_time == "" and not reminders.daily.isActive()
