"""SLA verdicts of a fault or request being typed, before (or without) a stored record.

The forms show each step's target and 达标/超时 live while times are entered;
these functions apply the contract's profile and working calendar to the
times on screen, exactly as :func:`faults.fault_sla` and
:func:`requests.request_sla` do for stored records, and count the time left
in service minutes (5×8 counts working hours only).

A time that is not valid yet — in the future, or out of order (see
:func:`faults.timeline_problems`) — gets no verdict: the form says what is
wrong with it instead of judging it.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from app.contracts.registry import profile_of
from app.records import _util, faults
from app.schedule import sla as sla_mod
from app.schedule.workcal import WorkCalendar
from db.models import Contract


class StepClock(NamedTuple):
    """A step's verdict and, while it runs, the service minutes left (negative: overdue)."""

    verdict: sla_mod.StepVerdict
    remaining: float | None


def _clock(
    session: Session, contract: Contract
) -> tuple[sla_mod.MinutesBetween, sla_mod.DeadlineAfter]:
    profile = profile_of(contract)
    calendar = WorkCalendar.from_session(session)
    return sla_mod.clock(calendar, profile.service_window, profile.service_hours)


def _clocked(
    verdicts: list[sla_mod.StepVerdict], now: datetime, between: sla_mod.MinutesBetween
) -> list[StepClock]:
    return [StepClock(v, sla_mod.remaining_minutes(v, now, between)) for v in verdicts]


def fault_preview(
    session: Session,
    contract: Contract | str,
    *,
    level: str,
    reported_at: datetime,
    responded_at: datetime | None = None,
    onsite_at: datetime | None = None,
    recovered_at: datetime | None = None,
    closed_at: datetime | None = None,
    now: datetime,
) -> list[StepClock]:
    """The verdict of each step; none for a time that is in the future or out of order."""
    times = {
        "reported": reported_at,
        "responded": responded_at,
        "onsite": onsite_at,
        "recovered": recovered_at,
        "closed": closed_at,
    }
    wrong = {
        step
        for step, problem in faults.timeline_problems(times, now=now).items()
        if problem.kind != "missing"
    }
    if "reported" in wrong:
        return []
    valid = {step: None if step in wrong else value for step, value in times.items()}
    contract = _util.contract_of(session, contract)
    between, after = _clock(session, contract)
    verdicts = sla_mod.fault_verdicts(
        profile_of(contract).sla,
        level=level,
        reported_at=reported_at,
        responded_at=valid["responded"],
        onsite_at=valid["onsite"],
        recovered_at=valid["recovered"],
        closed_at=valid["closed"],
        now=now,
        minutes_between=between,
        deadline_after=after,
    )
    skipped = {SLA_STEPS[step] for step in wrong if step in SLA_STEPS}
    return [c for c in _clocked(verdicts, now, between) if c.verdict.step not in skipped]


#: Timeline step → the SLA step it finishes.
SLA_STEPS = {
    "responded": "response",
    "onsite": "onsite",
    "recovered": "recovery",
    "closed": "close",
}


def request_preview(
    session: Session,
    contract: Contract | str,
    *,
    channel: str,
    received_at: datetime,
    responded_at: datetime | None = None,
    remote_at: datetime | None = None,
    onsite_at: datetime | None = None,
    finished: bool = False,
    now: datetime,
) -> list[StepClock]:
    """响应, plus 远程支持 and 到场 (the 4-hour target) for the channels that have them.

    Pass ``channel="onsite"`` to learn the on-site deadline of a call before
    escalating it.
    """
    contract = _util.contract_of(session, contract)
    between, after = _clock(session, contract)
    verdicts = sla_mod.request_verdicts(
        profile_of(contract).sla,
        channel=channel,
        received_at=received_at,
        responded_at=responded_at,
        remote_at=remote_at,
        onsite_at=onsite_at,
        finished=finished,
        now=now,
        minutes_between=between,
        deadline_after=after,
    )
    return _clocked(verdicts, now, between)
