"""SLA clocks of faults and service requests: a verdict for every step.

Pure functions, no store access. Every target is measured from the moment the
fault or request was reported/received (see :class:`app.contracts.profile_schema.Sla`).
How minutes are counted is passed in:

- ``minutes_between(start, end)`` counts service minutes between two times;
  the default counts wall-clock minutes, which is exact for a 7×24 window.
  For a 5×8 window pass the working-calendar function, e.g.
  ``lambda a, b: cal.service_minutes_between(a, b, window, hours)``.
- ``deadline_after(start, minutes)`` is the inverse: the moment ``minutes``
  service minutes after ``start``; the default adds wall-clock minutes.

States of a step: ``met`` (达标) and ``breached`` (超时) once the step is done;
``pending`` (进行中) and ``overdue`` (已超时) while it is not, judged at ``now``;
``n/a`` (不适用) when the profile sets no target, or the step did not happen
on a finished record (e.g. a fault recovered remotely never needed 到场).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from app.contracts.profile_schema import FaultLevel, ServiceHours, Sla

MinutesBetween = Callable[[datetime, datetime], float]
DeadlineAfter = Callable[[datetime, float], datetime]


class ServiceCalendar(Protocol):
    """What a working calendar (``app.schedule.workcal.WorkCalendar``) offers SLA clocks."""

    def service_minutes_between(
        self, start: datetime, end: datetime, window: str, hours: ServiceHours | None = None
    ) -> float: ...

    def service_deadline(
        self, start: datetime, minutes: float, window: str, hours: ServiceHours | None = None
    ) -> datetime: ...


def clock(
    calendar: ServiceCalendar, window: str, hours: ServiceHours | None = None
) -> tuple[MinutesBetween, DeadlineAfter]:
    """The two clock functions of a service window on a working calendar."""

    def between(start: datetime, end: datetime) -> float:
        return calendar.service_minutes_between(start, end, window, hours)

    def after(start: datetime, minutes: float) -> datetime:
        return calendar.service_deadline(start, minutes, window, hours)

    return between, after


MET = "met"
BREACHED = "breached"
PENDING = "pending"
OVERDUE = "overdue"
NOT_APPLICABLE = "n/a"

STATE_LABELS: dict[str, str] = {
    MET: "达标",
    BREACHED: "超时",
    PENDING: "进行中",
    OVERDUE: "已超时",
    NOT_APPLICABLE: "不适用",
}

#: Steps of a fault and of a service request with their Chinese labels.
STEP_LABELS: dict[str, str] = {
    "response": "响应",
    "remote": "远程支持",
    "onsite": "到场",
    "recovery": "恢复",
    "close": "关闭",
}


def wall_minutes(start: datetime, end: datetime) -> float:
    """Wall-clock minutes from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    return (end - start).total_seconds() / 60


def wall_deadline(start: datetime, minutes: float) -> datetime:
    return start + timedelta(minutes=minutes)


@dataclass(frozen=True)
class StepVerdict:
    step: str  # response | remote | onsite | recovery | close
    label_zh: str  # 响应 | 远程支持 | 到场 | 恢复 | 关闭
    target_minutes: int | None
    actual_minutes: float | None  # service minutes from start to done, when done
    due_at: datetime | None  # the deadline, when a target is set
    state: str  # met | breached | pending | overdue | n/a
    label: str  # 达标 | 超时 | 进行中 | 已超时 | 不适用
    started_at: datetime | None = None
    done_at: datetime | None = None

    @property
    def target_text(self) -> str:
        return format_minutes(self.target_minutes) if self.target_minutes is not None else "—"

    @property
    def actual_text(self) -> str:
        return format_minutes(self.actual_minutes) if self.actual_minutes is not None else "—"

    @property
    def actual_and_elapsed_text(self) -> str:
        """:attr:`actual_text`, and the clock time when the service window counted less.

        A 5×8 contract's fault answered in 11 minutes on a holiday took 0 service
        minutes: a form printing 「0分钟」 beside 09:23 → 09:34 reads as an error, so
        it prints 「0分钟（服务时间内，历时 11分钟）」, as 服务中断 words its outage.
        """
        if self.actual_minutes is None or self.started_at is None or self.done_at is None:
            return self.actual_text
        elapsed = format_minutes(wall_minutes(self.started_at, self.done_at))
        if elapsed == self.actual_text:
            return self.actual_text
        return f"{self.actual_text}（服务时间内，历时 {elapsed}）"


def split_minutes(minutes: float) -> tuple[int, int]:
    """Whole hours and minutes, a started minute counting: ``90.2`` → ``(1, 31)``.

    The window words them in its language (``ui.wording.duration``).
    """
    return divmod(max(0, math.ceil(minutes - 1e-9)), 60)


def format_minutes(minutes: float | None) -> str:
    """``15`` → ``15分钟``, ``240`` → ``4小时``, ``90`` → ``1小时30分钟``."""
    if minutes is None:
        return "—"
    hours, rest = split_minutes(minutes)
    if hours and rest:
        return f"{hours}小时{rest}分钟"
    if hours:
        return f"{hours}小时"
    return f"{rest}分钟"


def step_verdict(
    step: str,
    *,
    started_at: datetime | None,
    done_at: datetime | None,
    target_minutes: int | None,
    finished: bool = False,
    now: datetime | None = None,
    minutes_between: MinutesBetween | None = None,
    deadline_after: DeadlineAfter | None = None,
) -> StepVerdict:
    """The verdict of one step.

    ``finished`` says the record is over (closed/completed): a step that was
    never done is then ``n/a`` instead of counting down forever.
    """
    between = minutes_between or wall_minutes
    after = deadline_after or wall_deadline
    label_zh = STEP_LABELS.get(step, step)
    due_at = (
        after(started_at, target_minutes)
        if started_at is not None and target_minutes is not None
        else None
    )
    actual = between(started_at, done_at) if started_at and done_at else None

    def verdict(state: str) -> StepVerdict:
        return StepVerdict(
            step,
            label_zh,
            target_minutes,
            actual,
            due_at,
            state,
            STATE_LABELS[state],
            started_at,
            done_at,
        )

    if target_minutes is None or started_at is None:
        return verdict(NOT_APPLICABLE)
    if actual is not None:
        return verdict(MET if actual <= target_minutes else BREACHED)
    if finished:
        return verdict(NOT_APPLICABLE)
    elapsed = between(started_at, now or datetime.now())
    return verdict(PENDING if elapsed <= target_minutes else OVERDUE)


def find_level(sla: Sla, level: str | FaultLevel | None) -> FaultLevel | None:
    if isinstance(level, FaultLevel) or level is None:
        return level
    return next((lvl for lvl in sla.fault_levels if lvl.code == level), None)


def fault_verdicts(
    sla: Sla,
    *,
    level: str | FaultLevel | None,
    reported_at: datetime,
    responded_at: datetime | None = None,
    onsite_at: datetime | None = None,
    recovered_at: datetime | None = None,
    closed_at: datetime | None = None,
    now: datetime | None = None,
    minutes_between: MinutesBetween | None = None,
    deadline_after: DeadlineAfter | None = None,
) -> list[StepVerdict]:
    """响应, 到场 (only when the profile sets an on-site target), 恢复, 关闭."""
    fault_level = find_level(sla, level)
    common = {
        "started_at": reported_at,
        "now": now,
        "minutes_between": minutes_between,
        "deadline_after": deadline_after,
    }
    closed = closed_at is not None
    steps = [
        step_verdict(
            "response",
            done_at=responded_at,
            target_minutes=sla.response_minutes,
            finished=closed,
            **common,
        )
    ]
    if sla.onsite_minutes is not None:
        # A fault recovered without anyone going on site never needed 到场.
        steps.append(
            step_verdict(
                "onsite",
                done_at=onsite_at,
                target_minutes=sla.onsite_minutes,
                finished=closed or recovered_at is not None,
                **common,
            )
        )
    steps.append(
        step_verdict(
            "recovery",
            done_at=recovered_at,
            target_minutes=fault_level.recovery_minutes if fault_level else None,
            finished=closed,
            **common,
        )
    )
    steps.append(
        step_verdict(
            "close", done_at=closed_at, target_minutes=sla.close_minutes, finished=closed, **common
        )
    )
    return steps


def request_verdicts(
    sla: Sla,
    *,
    channel: str,
    received_at: datetime,
    responded_at: datetime | None = None,
    remote_at: datetime | None = None,
    onsite_at: datetime | None = None,
    finished: bool = False,
    now: datetime | None = None,
    minutes_between: MinutesBetween | None = None,
    deadline_after: DeadlineAfter | None = None,
) -> list[StepVerdict]:
    """响应; 远程支持 when the request went remote; 到场 when it went on site.

    ``finished`` is true once the request is completed or escalated to a fault.
    """
    common = {
        "started_at": received_at,
        "finished": finished,
        "now": now,
        "minutes_between": minutes_between,
        "deadline_after": deadline_after,
    }
    steps = [
        step_verdict(
            "response", done_at=responded_at, target_minutes=sla.response_minutes, **common
        )
    ]
    if sla.remote_minutes is not None and (channel == "remote" or remote_at is not None):
        steps.append(
            step_verdict("remote", done_at=remote_at, target_minutes=sla.remote_minutes, **common)
        )
    if sla.onsite_minutes is not None and (channel == "onsite" or onsite_at is not None):
        steps.append(
            step_verdict("onsite", done_at=onsite_at, target_minutes=sla.onsite_minutes, **common)
        )
    return steps


def remaining_minutes(
    verdict: StepVerdict, now: datetime, minutes_between: MinutesBetween | None = None
) -> float | None:
    """Service minutes left before the step's deadline at ``now`` (negative when overdue).

    ``None`` when the step is done or has no target: nothing to count down.
    """
    if verdict.state not in (PENDING, OVERDUE) or verdict.started_at is None:
        return None
    assert verdict.target_minutes is not None
    between = minutes_between or wall_minutes
    return verdict.target_minutes - between(verdict.started_at, now)


def countdown_text(remaining: float | None) -> str:
    """``剩余 12分钟`` or ``超时 1小时5分钟`` for a status-bar countdown."""
    if remaining is None:
        return ""
    if remaining >= 0:
        return f"剩余 {format_minutes(remaining)}"
    return f"超时 {format_minutes(-remaining)}"
