"""Calendar periods of the cadences and their stable keys.

A run or deliverable occurrence is identified by its cadence and a period key:
``2026-11-21`` (day), ``2026-W47`` (ISO week), ``2026-11`` (month),
``2026-Q4`` (quarter), ``2026-H2`` (half year), ``2026`` (year). Holiday
phases use the holiday period's id: ``<id>:pre``, ``<id>:2026-10-03``,
``<id>:post``.
"""

from __future__ import annotations

from datetime import date, timedelta

CALENDAR_CADENCES = ("daily", "weekly", "monthly", "quarterly", "half_year", "annual")
HOLIDAY_CADENCES = ("holiday_pre", "holiday_daily", "holiday_post")

CADENCE_NAMES = {
    "daily": "日",
    "weekly": "周",
    "monthly": "月",
    "quarterly": "季",
    "half_year": "半年",
    "annual": "年",
    "holiday_pre": "节前",
    "holiday_daily": "节日期间每日",
    "holiday_post": "节后",
}


def month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def bounds(cadence: str, day: date) -> tuple[date, date]:
    """First and last day of the calendar period of ``cadence`` containing ``day``."""
    if cadence == "daily":
        return day, day
    if cadence == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if cadence == "monthly":
        return day.replace(day=1), month_end(day.year, day.month)
    if cadence == "quarterly":
        first = 3 * ((day.month - 1) // 3) + 1
        return date(day.year, first, 1), month_end(day.year, first + 2)
    if cadence == "half_year":
        first = 1 if day.month <= 6 else 7
        return date(day.year, first, 1), month_end(day.year, first + 5)
    if cadence == "annual":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError(f"not a calendar cadence: {cadence}")


def key(cadence: str, day: date) -> str:
    """The period key of the calendar period of ``cadence`` containing ``day``."""
    if cadence == "daily":
        return day.isoformat()
    if cadence == "weekly":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if cadence == "monthly":
        return f"{day.year}-{day.month:02d}"
    if cadence == "quarterly":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if cadence == "half_year":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if cadence == "annual":
        return str(day.year)
    raise ValueError(f"not a calendar cadence: {cadence}")


def holiday_key(cadence: str, holiday_id: str, day: date | None = None) -> str:
    if cadence == "holiday_pre":
        return f"{holiday_id}:pre"
    if cadence == "holiday_post":
        return f"{holiday_id}:post"
    if cadence == "holiday_daily" and day is not None:
        return f"{holiday_id}:{day.isoformat()}"
    raise ValueError(f"not a holiday cadence: {cadence}")


def next_start(cadence: str, day: date) -> date:
    """First day of the period after the one containing ``day``."""
    return bounds(cadence, day)[1] + timedelta(days=1)
