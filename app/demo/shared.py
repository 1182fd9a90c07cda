"""Constants, small time helpers and work lists shared by the demo generator's parts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.demo.rows import RequestRow, ResultRow, RunRow
from app.schedule import periods
from db.models import ChecklistTemplate, HolidayPeriod, System

#: The demo's "now" on the ``until`` day.
AS_OF_TIME = time(10, 0)


#: Cadences whose runs the project manager countersigns as 复核人.
REVIEWED_CADENCES = frozenset({"monthly", "quarterly", "half_year", "annual"})


#: Deliverables due within this many days before ``until`` are left open.
LEFT_OPEN_DAYS = 7


#: Faults opened from abnormal inspection items, at most, per month.
MAX_INSPECTION_FAULTS = 6


#: Requests escalated to a fault, at most, per month.
MAX_ESCALATED_FAULTS = 3


def series_rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def month_bounds(day: date) -> tuple[date, date]:
    return day.replace(day=1), periods.month_end(day.year, day.month)


def random_minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=round(rng.uniform(low, high)))


def at_time(day: date, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime.combine(day, time()) + timedelta(hours=int(hours), minutes=int(minutes))


@dataclass
class RunSpec:
    template: ChecklistTemplate
    system: System | None
    day: date
    period_key: str
    holiday: HolidayPeriod | None = None


@dataclass
class FaultTodo:
    """A fault to open in the month's fault pass, in order of report time."""

    reported_at: datetime
    kind: str  # inspection | request | alarm | user | emergency
    result: ResultRow | None = None
    request: RequestRow | None = None
    escalate_at: datetime | None = None
    emergency_type: str | None = None
    holiday: HolidayPeriod | None = None
    system: System | None = None
    actor: str = ""


@dataclass
class Month:
    first: date
    last: date  # clipped to until
    key: str
    skip_records: bool
    to_sign: list[tuple[RunRow, datetime, datetime | None]] = field(default_factory=list)
    fault_todo: list[FaultTodo] = field(default_factory=list)
    flagged: int = 0


SHEET_FORMS = frozenset(
    {
        "inspection_record",
        "service_record",
        "phone_log",
        "daily_inspection_log",
        "monthly_inspection",
        "quarterly_summary",
        "annual_summary",
        "deployment_list",
        "satisfaction_survey",
    }
)
