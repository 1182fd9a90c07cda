"""The three phases of a holiday period on the working-day calendar, from plain dates.

Kept apart from :mod:`app.schedule.holidays` (which reads and writes holiday
periods through the ORM) so that what is due can be computed without loading
SQLAlchemy (issue 13); :mod:`app.schedule.holidays` re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from app.schedule.phrases import Phrase
from app.schedule.workcal import StatutoryHoliday, WorkCalendar

KIND_STATUTORY = "statutory"
KIND_EVENT = "event"


class _Dated(Protocol):
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...


class _Period(_Dated, Protocol):
    """A holiday period: a ``holiday_period`` row or its plain reading."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...


class _Duty(Protocol):
    """How many working days the pre and post phases last (a profile's ``holidays``)."""

    @property
    def pre_workdays(self) -> int: ...
    @property
    def post_workdays(self) -> int: ...


@dataclass(frozen=True)
class HolidayPhases:
    """The three phases of a holiday period on the working-day calendar.

    - 节前 (pre): the ``pre_workdays`` working days before the start; the check
      is due by the last of them (the last working day before the holiday).
    - 节日期间 (daily): every day from start to end.
    - 节后 (post): the first ``post_workdays`` working days after the end; the
      evaluation is due by the last of them.
    """

    start: date
    end: date
    pre_days: tuple[date, ...]
    daily_days: tuple[date, ...]
    post_days: tuple[date, ...]
    assumed: bool

    @property
    def pre_start(self) -> date:
        return self.pre_days[0]

    @property
    def pre_deadline(self) -> date:
        return self.pre_days[-1]

    @property
    def post_start(self) -> date:
        return self.post_days[0]

    @property
    def post_deadline(self) -> date:
        return self.post_days[-1]


def _bounds(period: _Dated | StatutoryHoliday | tuple[date, date]) -> tuple[date, date]:
    if isinstance(period, StatutoryHoliday):
        return period.start, period.end
    if isinstance(period, tuple):
        return period[0], period[1]
    return period.start_date, period.end_date


def phases(
    period: _Dated | StatutoryHoliday | tuple[date, date],
    calendar: WorkCalendar,
    settings: _Duty | None = None,
) -> HolidayPhases:
    """The pre / daily / post phases of a holiday period (see :class:`HolidayPhases`).

    ``settings``: the profile's ``holidays`` (default: the schema's defaults).
    """
    if settings is None:
        from app.contracts.profile_schema import HolidaySettings

        settings = HolidaySettings()
    start, end = _bounds(period)
    pre: list[date] = []
    day = start
    while len(pre) < settings.pre_workdays:
        day = calendar.add_workdays(day, -1)
        pre.insert(0, day)
    post: list[date] = []
    day = end
    while len(post) < settings.post_workdays:
        day = calendar.add_workdays(day, 1)
        post.append(day)
    daily = tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
    return HolidayPhases(
        start=start,
        end=end,
        pre_days=tuple(pre),
        daily_days=daily,
        post_days=tuple(post),
        assumed=calendar.assumed(pre[0], post[-1]),
    )


def period_assumed(period: _Period, calendar: WorkCalendar) -> bool:
    """Whether a statutory period's dates rest on the weekday fallback."""
    return period.kind == KIND_STATUTORY and calendar.assumed(period.start_date, period.end_date)


def holiday_phrase(period: _Period | StatutoryHoliday) -> Phrase:
    """``国庆节（2026-10-01 至 2026-10-07）`` as a phrase the window translates."""
    start, end = (
        (period.start, period.end)
        if isinstance(period, StatutoryHoliday)
        else (period.start_date, period.end_date)
    )
    return Phrase(
        "{holiday}（{start} 至 {end}）",
        (("holiday", period.name), ("start", start.isoformat()), ("end", end.isoformat())),
    )


def describe(period: _Period | StatutoryHoliday) -> str:
    """``国庆节（2026-10-01 至 2026-10-07）``."""
    return str(holiday_phrase(period))
