"""The working-day calendar: Chinese statutory working days with 调休 make-up days.

Answers come from, in order of precedence:

1. the user's :class:`~db.models.CalendarOverride` rows (a day declared a
   working day or a day off, optionally with a name such as ``春节``);
2. the ``chinese_calendar`` library for the years it knows (statutory holidays
   and the weekend days moved to be working days, 调休);
3. for any other year, a *fallback*: Monday to Friday are working days.

Every answer that may rest on the fallback can be recognised:
:meth:`WorkCalendar.is_known_year` tells whether a year is known, and
:meth:`WorkCalendar.assumed` whether any day of a range lies in an unknown
year. Higher-level results (due dates, holiday periods, what is due) carry an
``assumed`` flag computed that way, and the user interface marks them.

Service windows: ``7x24`` serves every minute of every day, ``5x8`` serves the
service hours (e.g. 09:00-17:00) of statutory working days.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

import chinese_calendar

from app.errors import DomainError
from app.storage.text_rules import clean_text

if TYPE_CHECKING:  # SQLAlchemy, the models and the profile schema only where they are used:
    # ``omw due`` computes with this calendar without loading any of them (issue 13)
    from sqlalchemy.orm import Session

    from app.contracts.profile_schema import ServiceHours
    from db.models import CalendarOverride

#: The statutory holidays by their Chinese name, in calendar order.
STATUTORY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")

# chinese_calendar names its holidays in English; map them to the names used
# in profiles. Special one-off holidays fall back to the library's Chinese name.
_LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}

# Words a user may type for a statutory holiday in an override name.
_NAME_STEMS = (
    ("元旦", "元旦"),
    ("春节", "春节"),
    ("除夕", "春节"),
    ("清明", "清明节"),
    ("劳动节", "劳动节"),
    ("五一", "劳动节"),
    ("端午", "端午节"),
    ("中秋", "中秋节"),
    ("国庆", "国庆节"),
)

_KNOWN_FIRST = min(chinese_calendar.holidays).year
_KNOWN_LAST = max(chinese_calendar.holidays).year

# How far a block of days off may extend (a guard against unbounded loops
# when a user marks a very long stretch as days off).
_MAX_BLOCK_DAYS = 62
# How far to search for a working day before giving up.
_MAX_SEARCH_DAYS = 3660

WINDOWS = ("7x24", "5x8")


class StatutoryHoliday(NamedTuple):
    """A block of consecutive days off around one (or two) named holidays."""

    name: str  # e.g. 国庆节; "中秋节、国庆节" when one block covers both
    start: date
    end: date


def normalize_holiday_name(name: str) -> str | None:
    """The statutory holiday a free-text name refers to (``五一假期`` → ``劳动节``)."""
    for stem, canonical in _NAME_STEMS:
        if stem in name:
            return canonical
    return None


def library_holiday_name(day: date) -> str | None:
    """The library's statutory holiday name of a day off, in Chinese, if any."""
    if not (_KNOWN_FIRST <= day.year <= _KNOWN_LAST):
        return None
    value = chinese_calendar.holidays.get(day)
    if value is None:
        return None
    if value in _LIBRARY_NAMES:
        return _LIBRARY_NAMES[value]
    try:
        return str(chinese_calendar.Holiday(value).chinese)
    except ValueError:
        return str(value)


def _clock(text: str) -> timedelta:
    hours, minutes = text.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Override:
    workday: bool
    name: str = ""


class WorkCalendar:
    """Statutory working days plus the user's overrides, with a weekday fallback.

    A calendar is a snapshot of the overrides at construction time; build a new
    one (``WorkCalendar.from_session``) after overrides change.
    """

    def __init__(self, overrides: Mapping[date, Override | bool] | None = None) -> None:
        self._overrides: dict[date, Override] = {}
        for day, value in (overrides or {}).items():
            self._overrides[day] = value if isinstance(value, Override) else Override(bool(value))
        self._cache: dict[date, bool] = {}

    @classmethod
    def from_session(cls, session: Session) -> WorkCalendar:
        from sqlalchemy import select

        from db.models import CalendarOverride

        rows = session.execute(
            select(CalendarOverride.day, CalendarOverride.workday, CalendarOverride.name)
        ).all()
        return cls({day: Override(bool(workday), name or "") for day, workday, name in rows})

    # ------------------------------------------------------------------ knowledge

    @staticmethod
    def is_known_year(year: int) -> bool:
        """Whether the statutory calendar library knows the arrangement of ``year``."""
        return _KNOWN_FIRST <= year <= _KNOWN_LAST

    def assumed(self, start: date, end: date | None = None) -> bool:
        """Whether an answer about the days ``start``..``end`` may rest on the fallback.

        True when any year of the range is unknown to the library. (Overrides in
        such a year do not make it certain: the user may not have entered every
        day of the official arrangement.)
        """
        end = start if end is None else end
        if end < start:
            start, end = end, start
        return any(not self.is_known_year(y) for y in range(start.year, end.year + 1))

    def override(self, day: date) -> Override | None:
        return self._overrides.get(day)

    # ------------------------------------------------------------------ days

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a statutory working day (调休 Saturdays included)."""
        if isinstance(day, datetime):
            day = day.date()
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        override = self._overrides.get(day)
        if override is not None:
            result = override.workday
        elif self.is_known_year(day.year):
            result = bool(chinese_calendar.is_workday(day))
        else:
            result = day.weekday() < 5
        self._cache[day] = result
        return result

    def is_service_day(self, day: date, window: str) -> bool:
        """Whether the service window covers ``day``: 7×24 every day, 5×8 working days."""
        if window == "7x24":
            return True
        if window == "5x8":
            return self.is_workday(day)
        raise ValueError(f"unknown service window: {window}")

    def holiday_name(self, day: date) -> str | None:
        """The statutory holiday name of a day off (library or user override), if any."""
        override = self._overrides.get(day)
        if override is not None:
            if override.workday:
                return None
            return normalize_holiday_name(override.name) if override.name else None
        if self.is_workday(day):
            return None
        return library_holiday_name(day)

    def workdays(self, start: date, end: date) -> list[date]:
        """The working days of ``start``..``end`` (both included)."""
        return [d for d in _days(start, end) if self.is_workday(d)]

    def nth_workday_of_month(self, year: int, month: int, n: int) -> date:
        """The ``n``-th working day of a month (``n`` ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day = date(year, month, 1)
        count = 0
        while day.month == month:
            if self.is_workday(day):
                count += 1
                if count == n:
                    return day
            day += timedelta(days=1)
        raise DomainError(f"{year}年{month}月只有 {count} 个工作日，没有第 {n} 个工作日。")

    def add_workdays(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n`` < 0; ``day`` if 0)."""
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        current = day
        guard = 0
        while remaining:
            current += step
            guard += 1
            if guard > _MAX_SEARCH_DAYS:
                raise DomainError("在十年范围内找不到足够的工作日，请检查日历设置。")
            if self.is_workday(current):
                remaining -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """The number of working days in ``start``..``end``, both included (0 if reversed).

        So ``workdays_between(d + 1 day, add_workdays(d, n)) == n``.
        """
        return sum(1 for d in _days(start, end) if self.is_workday(d))

    def last_workday_on_or_before(self, day: date) -> date:
        current = day
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_workday(current):
                return current
            current -= timedelta(days=1)
        raise DomainError("在十年范围内找不到工作日，请检查日历设置。")

    def first_workday_on_or_after(self, day: date) -> date:
        current = day
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_workday(current):
                return current
            current += timedelta(days=1)
        raise DomainError("在十年范围内找不到工作日，请检查日历设置。")

    def last_service_day(self, start: date, end: date, window: str) -> date | None:
        """The last day of ``start``..``end`` the service window covers, if any."""
        current = end
        while current >= start:
            if self.is_service_day(current, window):
                return current
            current -= timedelta(days=1)
        return None

    def last_workday_in(self, start: date, end: date) -> date | None:
        return self.last_service_day(start, end, "5x8")

    # ------------------------------------------------------------------ holidays

    def statutory_holidays(self, start: date, end: date) -> list[StatutoryHoliday]:
        """Statutory holiday blocks that overlap ``start``..``end``, in date order.

        A block is a run of consecutive days off containing at least one day
        named as a statutory holiday (by the library or by a user override
        such as ``2027-02-06 休息日 春节``), so adjacent weekends are included:
        国庆节 2026 is 2026-10-01..10-07. Blocks are not clipped to the range.
        For years the library does not know, only user-entered days carry
        names, so the blocks come from overrides alone (check
        :meth:`assumed` on the block's dates).
        """
        margin = timedelta(days=_MAX_BLOCK_DAYS)
        scan_start, scan_end = start - margin, end + margin
        named: dict[date, str] = {}
        for day in _days(scan_start, scan_end):
            name = self.holiday_name(day)
            if name:
                named[day] = name
        blocks: list[StatutoryHoliday] = []
        covered: set[date] = set()
        for day in sorted(named):
            if day in covered:
                continue
            first = last = day
            for _ in range(_MAX_BLOCK_DAYS):
                before = first - timedelta(days=1)
                if self.is_workday(before):
                    break
                first = before
            for _ in range(_MAX_BLOCK_DAYS):
                after = last + timedelta(days=1)
                if self.is_workday(after):
                    break
                last = after
            names: list[str] = []
            for d in _days(first, last):
                covered.add(d)
                n = named.get(d)
                if n and n not in names:
                    names.append(n)
            if last >= start and first <= end:
                blocks.append(StatutoryHoliday("、".join(names), first, last))
        return blocks

    # ------------------------------------------------------------------ service time

    def _daily_window(self, window: str, hours: ServiceHours | None) -> tuple[timedelta, timedelta]:
        if window == "7x24":
            return timedelta(0), timedelta(days=1)
        if window != "5x8":
            raise ValueError(f"unknown service window: {window}")
        if hours is None:
            from app.contracts.profile_schema import ServiceHours

            hours = ServiceHours(start="09:00", end="17:00")
        return _clock(hours.start), _clock(hours.end)

    def _service_spans(
        self, first_day: date, last_day: date, window: str, hours: ServiceHours | None
    ) -> Iterator[tuple[datetime, datetime]]:
        open_at, close_at = self._daily_window(window, hours)
        if close_at <= open_at:
            return
        for day in _days(first_day, last_day):
            if self.is_service_day(day, window):
                midnight = datetime.combine(day, time())
                yield midnight + open_at, midnight + close_at

    def service_minutes_between(
        self, start: datetime, end: datetime, window: str, hours: ServiceHours | None = None
    ) -> float:
        """Minutes of service time from ``start`` to ``end`` (0 if ``end`` ≤ ``start``).

        7×24 counts every minute; 5×8 counts only the minutes inside ``hours``
        (default 09:00-17:00) on working days. Seconds count as fractions of a
        minute. The work is proportional to the number of days spanned.
        """
        if end <= start:
            return 0.0
        if window == "7x24":
            return (end - start).total_seconds() / 60
        total = 0.0
        for span_start, span_end in self._service_spans(start.date(), end.date(), window, hours):
            lo, hi = max(start, span_start), min(end, span_end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        return total / 60

    def service_deadline(
        self, start: datetime, minutes: float, window: str, hours: ServiceHours | None = None
    ) -> datetime:
        """The moment ``minutes`` of service time after ``start`` have elapsed.

        For 5×8 a clock started outside service hours begins at the next
        opening; the result is the inverse of :meth:`service_minutes_between`.
        """
        if window not in WINDOWS:
            raise ValueError(f"unknown service window: {window}")
        if minutes <= 0:
            return start
        if window == "7x24":
            return start + timedelta(minutes=minutes)
        remaining = timedelta(minutes=minutes)
        day = start.date()
        limit = day + timedelta(days=_MAX_SEARCH_DAYS)
        while day <= limit:
            chunk_end = min(day + timedelta(days=30), limit)
            for span_start, span_end in self._service_spans(day, chunk_end, window, hours):
                lo = max(start, span_start)
                if span_end <= lo:
                    continue
                available = span_end - lo
                if available >= remaining:
                    return lo + remaining
                remaining -= available
            day = chunk_end + timedelta(days=1)
        raise DomainError("在十年范围内找不到足够的服务时间，请检查服务时间设置。")


def window_label(window: str) -> str:
    return {"7x24": "7×24", "5x8": "5×8"}.get(window, window)


# ---------------------------------------------------------------------- overrides


def set_override(session: Session, day: date, *, workday: bool, name: str = "") -> CalendarOverride:
    """Declare ``day`` a working day or a day off (replacing an earlier override).

    ``name`` follows :func:`app.storage.text_rules.clean_text` (a lone surrogate is
    refused, control characters are stripped).
    """
    from sqlalchemy import select

    from db.models import CalendarOverride

    name = clean_text(name or "", "日历说明").strip()
    if len(name) > 100:
        raise DomainError("日历说明不能超过 100 个字。")
    row = session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    if row is None:
        row = CalendarOverride(day=day, workday=workday, name=name)
        session.add(row)
    else:
        row.workday = workday
        row.name = name
    session.flush()
    return row


def remove_override(session: Session, day: date) -> bool:
    """Remove the override of ``day``; returns whether there was one."""
    from sqlalchemy import select

    from db.models import CalendarOverride

    row = session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def set_holiday_range(
    session: Session, start: date, end: date, name: str, *, makeup_days: Iterable[date] = ()
) -> None:
    """Enter a statutory holiday for a year the library does not know yet.

    Marks ``start``..``end`` as days off named ``name`` and each make-up day
    as a working day.
    """
    if end < start:
        raise DomainError("结束日期不能早于开始日期。")
    if (end - start).days >= _MAX_BLOCK_DAYS:
        raise DomainError(f"一次录入的休息日不能超过 {_MAX_BLOCK_DAYS} 天。")
    for day in _days(start, end):
        set_override(session, day, workday=False, name=name)
    for day in makeup_days:
        set_override(session, day, workday=True, name=f"{name}调休上班")
