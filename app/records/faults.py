"""Fault records (故障单): numbering, the timeline and its SLA verdicts.

The timeline is 报告 → 响应 → 到场 → 恢复 → 关闭. Times are set one step at a
time with :func:`set_time`, which keeps them in order:

- 报告 ≤ 响应 ≤ 到场 ≤ 恢复 ≤ 关闭 (each time against the nearest earlier one
  recorded), and a fault is closed only once recovered;
- no time more than 5 minutes in the future;
- a fault is closed only when the report sections its profile lists in
  ``fault_report_required`` are filled (:func:`missing_report_sections`).

:func:`timeline_problems` says what is wrong with each time at once (the
form shows it under each field while it is typed); the functions that store
times refuse the first of those problems.

Whether the fault interrupted the service (是否中断服务) is recorded with
:func:`set_outage`: no outage, or the systems that were unavailable and from
when to when (中断开始 ≥ 报告; 中断结束 > 中断开始; both ≤ 关闭 once closed). A
record that says nothing (NULL, e.g. one made before this was recorded) is
counted by :func:`outage_of`'s rule. 可用率 is computed from these outages
(:mod:`app.export.stats`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import FaultLevel, Profile
from app.contracts.registry import profile_of
from app.errors import DomainError
from app.records import _util
from app.schedule import sla as sla_mod
from db.engine import write_lock
from db.models import Contract, FaultRecord, MeetingMinutes, ServiceRequest, System
from db.models import now as now_

#: Codes of the emergency events of the holiday security procedure.
EMERGENCY_TYPES: dict[str, str] = {
    "domain_hijack": "域名劫持",
    "page_tamper": "网页篡改",
    "unreachable": "无法访问",
    "server_recovery": "服务器故障恢复",
}

DISCOVERY: dict[str, str] = {"alarm": "告警", "inspection": "巡检", "user": "用户反馈"}

#: Steps of the timeline: code → (column, Chinese label).
STEPS: dict[str, tuple[str, str]] = {
    "reported": ("reported_at", "报告时间"),
    "responded": ("responded_at", "响应时间"),
    "onsite": ("onsite_at", "到场时间"),
    "recovered": ("recovered_at", "恢复时间"),
    "closed": ("closed_at", "关闭时间"),
}

FAULT_PREFIX = "GZ"

#: Fields :func:`update_fault` may change, with their labels and length limits.
EDITABLE: dict[str, tuple[str, int]] = {
    "title": ("故障标题", 200),
    "category": ("类型", 64),
    "impact": ("影响范围", _util.TEXT_LIMIT),
    "handler": ("处理人", _util.NAME_LIMIT),
    "coordinator": ("协调人", _util.NAME_LIMIT),
    "symptom": ("故障现象", _util.TEXT_LIMIT),
    "impact_analysis": ("影响分析", _util.TEXT_LIMIT),
    "cause": ("原因分析", _util.TEXT_LIMIT),
    "process": ("处理过程", _util.TEXT_LIMIT),
    "prevention": ("整改及预防措施", _util.TEXT_LIMIT),
    "result": ("处理结果", _util.TEXT_LIMIT),
}
#: Sections of the report (系统故障处置报告) a profile may require before 关闭, in report order.
REPORT_SECTIONS: dict[str, str] = {
    name: EDITABLE[name][0]
    for name in ("symptom", "impact_analysis", "cause", "process", "prevention", "result")
}
#: Editable fields that need more than a length check.
EDITABLE_SPECIAL = ("level", "discovery", "emergency_type", "system_code", "holiday_period_id")


# --------------------------------------------------------------------------- numbering


def next_number(
    session: Session,
    model: type[FaultRecord] | type[ServiceRequest] | type[MeetingMinutes],
    contract: Contract,
    prefix: str,
    when: datetime,
) -> str:
    """``<prefix>-YYYYMM-NNNN``: the next number of the contract in the month of ``when``.

    With this laptop's short code set (:mod:`app.team.identity`) it is
    ``<prefix>-YYYYMM-ZS-NNN``: each laptop counts its own, so numbers stay
    unique when the team's stores are merged. Amendments keep the number of the
    record they correct, so the sequence is the highest number used so far plus
    one, not a count.
    """
    from app.storage.team_state import number_stem

    write_lock(session)  # on a hub, two people numbering at once take turns
    stem, width = number_stem(session, prefix, when)
    numbers = session.scalars(
        select(model.number).where(model.contract_id == contract.id, model.number.like(stem + "%"))
    )
    highest = 0
    for number in numbers:
        match = re.fullmatch(re.escape(stem) + r"(\d+)", number)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{stem}{highest + 1:0{width}d}"


# --------------------------------------------------------------------------- levels


def default_level(profile: Profile) -> FaultLevel:
    """The level a fault gets when none is chosen: the least severe one.

    A level named 一般 if there is one, else the level with the longest
    recovery target, else the last level of the profile.
    """
    levels = profile.sla.fault_levels
    for level in levels:
        if "一般" in level.name:
            return level
    timed = [lvl for lvl in levels if lvl.recovery_minutes is not None]
    if timed:
        return max(timed, key=lambda lvl: lvl.recovery_minutes or 0)
    return levels[-1]


def _level(profile: Profile, level: Any) -> str:
    for lvl in profile.sla.fault_levels:
        if level in (lvl.code, lvl.name):
            return lvl.code
    names = "、".join(lvl.name for lvl in profile.sla.fault_levels)
    raise DomainError(f"故障等级 “{level}” 无效，该合同的故障等级为：{names}。")


def level_name(profile: Profile, code: str) -> str:
    for lvl in profile.sla.fault_levels:
        if lvl.code == code:
            return lvl.name
    return code


# --------------------------------------------------------------------------- create & edit


def create_fault(
    session: Session,
    contract: Contract | str,
    *,
    title: str,
    level: str,
    reported_at: datetime,
    system_code: str | None = None,
    discovery: str = "user",
    category: str = "",
    emergency_type: str | None = None,
    holiday_period_id: str | None = None,
    impact: str = "",
    symptom: str = "",
    handler: str = "",
    coordinator: str = "",
    responded_at: datetime | None = None,
    source_result_id: str | None = None,
    service_request_id: str | None = None,
    now: datetime | None = None,
) -> FaultRecord:
    """Open a fault record with the next 故障单号 (``GZ-YYYYMM-NNNN``, month of the report)."""
    contract = _util.contract_of(session, contract)
    profile = profile_of(contract)
    title = _util.text(title, "故障标题", required=True, limit=200)
    level_code = _level(profile, level)
    reported = _util.not_future(_util.moment(reported_at, "报告时间"), "报告时间", now)
    responded = None
    if responded_at is not None:
        responded = _util.not_future(_util.moment(responded_at, "响应时间"), "响应时间", now)
        if responded < reported:
            raise DomainError("响应时间不能早于报告时间。")
    system = _util.system_of(session, contract, system_code)
    discovery_code = _util.choice(discovery, "发现方式", DISCOVERY)
    emergency = (
        None
        if emergency_type in (None, "")
        else _util.choice(emergency_type, "应急事件类型", EMERGENCY_TYPES)
    )
    holiday = _util.holiday_of(session, contract, holiday_period_id)
    values = {
        "category": _util.text(category, "类型", limit=64),
        "impact": _util.text(impact, "影响范围"),
        "symptom": _util.text(symptom, "故障现象"),
        "handler": _util.text(handler, "处理人", limit=_util.NAME_LIMIT),
        "coordinator": _util.text(coordinator, "协调人", limit=_util.NAME_LIMIT),
    }
    fault = FaultRecord(
        contract_id=contract.id,
        number=next_number(session, FaultRecord, contract, FAULT_PREFIX, reported),
        title=title,
        level=level_code,
        reported_at=reported,
        responded_at=responded,
        system_id=system.id if system else None,
        discovery=discovery_code,
        emergency_type=emergency,
        holiday_period_id=holiday.id if holiday else None,
        source_result_id=source_result_id,
        service_request_id=service_request_id,
        **values,
    )
    session.add(fault)
    return fault


def get_fault(session: Session, fault_id: str) -> FaultRecord:
    return _util.get(session, FaultRecord, fault_id, "故障单")


def update_fault(session: Session, fault_id: str, **fields: Any) -> FaultRecord:
    """Change descriptive fields (see :data:`EDITABLE` and :data:`EDITABLE_SPECIAL`).

    Times are changed with :func:`set_time`, the number never.
    """
    fault = get_fault(session, fault_id)
    _util.ensure_unlocked(fault)
    unknown = sorted(set(fields) - set(EDITABLE) - set(EDITABLE_SPECIAL))
    if unknown:
        raise DomainError(f"故障单的这些字段不能在此修改：{'、'.join(unknown)}。")
    contract = session.get(Contract, fault.contract_id)
    assert contract is not None
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name in EDITABLE:
            label, limit = EDITABLE[name]
            changes[name] = _util.text(value, label, required=name == "title", limit=limit)
        elif name == "level":
            changes["level"] = _level(profile_of(contract), value)
        elif name == "discovery":
            changes["discovery"] = _util.choice(value, "发现方式", DISCOVERY)
        elif name == "emergency_type":
            changes["emergency_type"] = (
                None
                if value in (None, "")
                else _util.choice(value, "应急事件类型", EMERGENCY_TYPES)
            )
        elif name == "system_code":
            system = _util.system_of(session, contract, value)
            changes["system_id"] = system.id if system else None
        elif name == "holiday_period_id":
            holiday = _util.holiday_of(session, contract, value)
            changes["holiday_period_id"] = holiday.id if holiday else None
    if fault.closed_at is not None:
        emptied = [n for n in REPORT_SECTIONS if n in changes and not changes[n]]
        required = [n for n in emptied if n in _required_sections(session, fault)]
        if required:
            names = "、".join(REPORT_SECTIONS[n] for n in required)
            raise DomainError(f"故障单已关闭，不能清空必填的报告部分：{names}。")
    for name, value in changes.items():
        setattr(fault, name, value)
    return fault


# --------------------------------------------------------------------------- outage


@dataclass(frozen=True)
class Outage:
    """When which systems of a fault were unavailable.

    ``systems`` are system codes; ``None`` means every system of the contract
    (a fault of no particular system whose outage was not recorded). ``end`` is
    ``None`` while the service is still down. ``recorded`` is false when the
    outage is not what the record says but the rule for records that say
    nothing (see :func:`outage_of`).
    """

    systems: tuple[str, ...] | None
    start: datetime
    end: datetime | None
    recorded: bool = True


def outage_of(fault: FaultRecord, system_code: str | None) -> Outage | None:
    """The outage a fault counts for (``system_code``: the code of the fault's system).

    - 未中断服务 (``service_interrupted`` false): none;
    - 中断服务: the recorded systems from 中断开始 to 中断结束;
    - not recorded (NULL — faults recorded before the outage fields existed, or
      whose handler left them empty): counted as an outage of the fault's own
      system (every system when it names none) from the report to the recovery
      (still down while not recovered). This is the conservative reading: a
      fault that says nothing never makes 可用率 look better than it was.
    """
    if fault.service_interrupted is False:
        return None
    if fault.service_interrupted and fault.outage_start is not None:
        systems = tuple(fault.outage_systems or ([system_code] if system_code else []))
        return Outage(systems or None, fault.outage_start, fault.outage_end)
    # not recorded (or, written outside the app, down without a start): the rule
    return Outage(
        (system_code,) if system_code else None,
        fault.reported_at,
        fault.recovered_at,
        recorded=False,
    )


class Problem(NamedTuple):
    """What is wrong with one time: ``kind`` (``missing``, ``future``, ``before``,
    ``not_after``, ``after``, ``unrecovered``, ``open_outage``), the field it is
    compared with (``other``) and the Chinese message the service refuses with."""

    kind: str
    other: str | None
    message: str


#: Labels of the outage times, as :func:`timeline_problems` names them.
OUTAGE_LABELS = {"outage_start": "中断开始时间", "outage_end": "中断结束时间"}


def _outage_problems(
    interrupted: bool | None,
    start: datetime | None,
    end: datetime | None,
    reported: datetime | None,
    closed: datetime | None,
) -> dict[str, Problem]:
    """The outage times of a fault that was down against its timeline."""
    problems: dict[str, Problem] = {}
    if not interrupted:
        return problems
    if start is None:
        problems["outage_start"] = Problem("missing", None, "中断服务时必须填写中断开始时间。")
    elif reported is not None and start < reported:
        problems["outage_start"] = Problem("before", "reported", "中断开始时间不能早于报告时间。")
    elif closed is not None and start > closed:
        problems["outage_start"] = Problem("after", "closed", "中断开始时间不能晚于关闭时间。")
    if start is not None and end is not None and end <= start:
        problems["outage_end"] = Problem(
            "not_after", "outage_start", "中断结束时间必须晚于中断开始时间。"
        )
    elif closed is not None and end is None and start is not None:
        problems["outage_end"] = Problem(
            "open_outage", "closed", "故障已关闭，请填写中断结束时间（服务恢复的时间）。"
        )
    elif closed is not None and end is not None and end > closed:
        problems["outage_end"] = Problem("after", "closed", "中断结束时间不能晚于关闭时间。")
    return problems


def _check_outage(
    interrupted: bool | None,
    start: datetime | None,
    end: datetime | None,
    reported: datetime | None,
    closed: datetime | None,
) -> None:
    """The outage against the fault's timeline (Chinese messages; nothing is changed)."""
    if not interrupted and (start is not None or end is not None):
        raise DomainError("未中断服务时不能填写中断开始/结束时间。")
    for problem in _outage_problems(interrupted, start, end, reported, closed).values():
        raise DomainError(problem.message)


def _outage_time(value: datetime | None, label: str, now: datetime | None) -> datetime | None:
    return None if value is None else _util.not_future(_util.moment(value, label), label, now)


def set_outage(
    session: Session,
    fault_id: str,
    interrupted: bool | None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    systems: list[str] | None = None,
    now: datetime | None = None,
) -> FaultRecord:
    """Record whether the fault interrupted the service (是否中断服务).

    ``interrupted`` False: no outage (no times); None: not recorded (clears
    everything); True: ``systems`` (codes of the contract; default: the
    fault's own system) were unavailable from ``start`` to ``end`` (``None``
    while still down). 中断开始 is not before the report, 中断结束 is after
    中断开始, and once the fault is closed both lie before the close and the
    end must be given. No time more than 5 minutes in the future.
    """
    fault = get_fault(session, fault_id)
    _util.ensure_unlocked(fault)
    if interrupted is not None and not isinstance(interrupted, bool):
        raise DomainError("「是否中断服务」应为 是 或 否。")
    begin = _outage_time(start, "中断开始时间", now)
    finish = _outage_time(end, "中断结束时间", now)
    if interrupted is None and (begin is not None or finish is not None or systems):
        raise DomainError("未说明是否中断服务时不能填写中断时间或系统。")
    _check_outage(interrupted, begin, finish, fault.reported_at, fault.closed_at)
    codes: list[str] | None = None
    if interrupted:
        contract = session.get(Contract, fault.contract_id)
        assert contract is not None
        wanted = list(systems or [])
        if not wanted and fault.system_id is not None:
            own = session.get(System, fault.system_id)
            wanted = [own.code] if own is not None else []
        if not wanted:
            raise DomainError("中断服务时请选择不可用的系统。")
        codes = []
        for code in wanted:
            system = _util.system_of(session, contract, code)
            if system is not None and system.code not in codes:
                codes.append(system.code)
    elif systems:
        raise DomainError("未中断服务时不能选择中断的系统。")
    fault.service_interrupted = interrupted
    fault.outage_start = begin
    fault.outage_end = finish
    fault.outage_systems = codes
    return fault


def timeline_problems(
    times: Mapping[str, datetime | None],
    *,
    now: datetime | None = None,
    interrupted: bool | None = None,
    outage_start: datetime | None = None,
    outage_end: datetime | None = None,
) -> dict[str, Problem]:
    """Everything wrong with a fault's times at once: field → :class:`Problem`.

    ``times`` maps the steps of :data:`STEPS` to their values (a missing key is
    an empty time); the outage fields are ``outage_start`` and ``outage_end``.
    With ``now``, a time more than 5 minutes ahead is a problem (and is not
    used to judge the order of the others). Each time is checked against the
    nearest earlier time recorded: 报告 ≤ 响应 ≤ 到场 ≤ 恢复 ≤ 关闭; 关闭 needs
    恢复; the outage lies between the report and the close.
    """
    problems: dict[str, Problem] = {}
    usable: dict[str, datetime | None] = {}
    for step, (_column, label) in STEPS.items():
        value = times.get(step)
        if value is not None and now is not None and value > now + _util.FUTURE_SLACK:
            problems[step] = Problem(
                "future",
                None,
                f"「{label}」{value:%Y-%m-%d %H:%M} 晚于当前时间，不能填写将来的时间。",
            )
            value = None
        usable[step] = value
    if times.get("reported") is None:
        problems["reported"] = Problem("missing", None, "报告时间必须填写。")
    order = list(STEPS)
    for index, step in enumerate(order):
        value = usable[step]
        if value is None or step in problems:
            continue
        if step == "closed" and times.get("recovered") is None:
            problems[step] = Problem(
                "unrecovered", "recovered", "故障恢复后才能关闭，请先填写恢复时间。"
            )
            continue
        # the nearest earlier time that is itself fine (a wrong one is no bound)
        earlier = next(
            (o for o in reversed(order[:index]) if usable[o] is not None and o not in problems),
            None,
        )
        bound = usable[earlier] if earlier is not None else None
        if earlier is not None and bound is not None and value < bound:
            problems[step] = Problem(
                "before", earlier, f"{STEPS[step][1]}不能早于{STEPS[earlier][1]}。"
            )
    for name, value in (("outage_start", outage_start), ("outage_end", outage_end)):
        if value is not None and now is not None and value > now + _util.FUTURE_SLACK:
            label = OUTAGE_LABELS[name]
            problems[name] = Problem(
                "future",
                None,
                f"「{label}」{value:%Y-%m-%d %H:%M} 晚于当前时间，不能填写将来的时间。",
            )
    for name, problem in _outage_problems(
        interrupted,
        None if "outage_start" in problems else outage_start,
        None if "outage_end" in problems else outage_end,
        usable["reported"],
        usable["closed"],
    ).items():
        if name not in problems:
            problems[name] = problem
    return problems


def _check_timeline(times: dict[str, datetime | None]) -> None:
    """The stored columns in order (the first problem, in step order, is refused)."""
    steps = {step: times[column] for step, (column, _label) in STEPS.items()}
    for problem in timeline_problems(steps).values():
        raise DomainError(problem.message)


def missing_report_sections(required: list[str], texts: Mapping[str, Any]) -> list[str]:
    """The sections of ``required`` (codes of :data:`REPORT_SECTIONS`) left empty in ``texts``."""
    return [name for name in required if not str(texts.get(name) or "").strip()]


def report_sections_message(missing: list[str]) -> str:
    names = "、".join(REPORT_SECTIONS[name] for name in missing)
    return f"关闭故障单前请填写报告的以下部分：{names}。"


def _required_sections(session: Session, fault: FaultRecord) -> list[str]:
    contract = session.get(Contract, fault.contract_id)
    assert contract is not None
    return list(profile_of(contract).fault_report_required)


def _check_report(session: Session, fault: FaultRecord, **overrides: str) -> None:
    """Refuse closing a fault whose required report sections are empty."""
    texts = {name: getattr(fault, name) for name in REPORT_SECTIONS} | overrides
    missing = missing_report_sections(_required_sections(session, fault), texts)
    if missing:
        raise DomainError(report_sections_message(missing))


def set_time(
    session: Session,
    fault_id: str,
    step: str,
    when: datetime | None,
    *,
    now: datetime | None = None,
    report: Mapping[str, str] | None = None,
) -> FaultRecord:
    """Set (or with ``None`` clear) one time of the timeline, keeping the order.

    Closing needs the report sections the profile requires; ``report`` gives
    section texts about to be stored with the close (see :func:`close_fault`).
    """
    report = dict(report or {})
    fault = get_fault(session, fault_id)
    _util.ensure_unlocked(fault)
    if step not in STEPS:
        raise DomainError(f"未知的时间节点 “{step}”，可选：{'、'.join(STEPS)}。")
    column, label = STEPS[step]
    value = None
    if when is not None:
        value = _util.not_future(_util.moment(when, label), label, now)
    times = {col: getattr(fault, col) for col, _ in STEPS.values()}
    times[column] = value
    _check_timeline(times)  # the number keeps the month it was issued in
    if step == "closed" and value is not None:
        _check_report(session, fault, **report)
    _check_outage(
        fault.service_interrupted,
        fault.outage_start,
        fault.outage_end,
        times["reported_at"],
        times["closed_at"],
    )
    setattr(fault, column, value)
    return fault


def close_fault(
    session: Session,
    fault_id: str,
    closed_at: datetime | None = None,
    *,
    result: str | None = None,
    now: datetime | None = None,
) -> FaultRecord:
    """Close a recovered fault (default: now), optionally recording the 处理结果.

    Refused while a report section the profile requires is empty.
    """
    fault = get_fault(session, fault_id)
    _util.ensure_unlocked(fault)
    outcome = None if result is None else _util.text(result, "处理结果")
    when = closed_at if closed_at is not None else (now or now_())
    # set_time validates everything before it changes anything
    report = {} if outcome is None else {"result": outcome}
    set_time(session, fault_id, "closed", when, now=now, report=report)
    if outcome is not None:
        fault.result = outcome
    return fault


# --------------------------------------------------------------------------- SLA


def sla_clock(
    profile: Profile,
    calendar: sla_mod.ServiceCalendar | None,
    minutes_between: sla_mod.MinutesBetween | None,
    deadline_after: sla_mod.DeadlineAfter | None,
) -> tuple[sla_mod.MinutesBetween | None, sla_mod.DeadlineAfter | None]:
    """Explicit clock functions win; else the calendar's clock for the profile's window."""
    if calendar is None:
        return minutes_between, deadline_after
    between, after = sla_mod.clock(calendar, profile.service_window, profile.service_hours)
    return minutes_between or between, deadline_after or after


def fault_sla(
    session: Session,
    fault: FaultRecord,
    minutes_between: sla_mod.MinutesBetween | None = None,
    deadline_after: sla_mod.DeadlineAfter | None = None,
    now: datetime | None = None,
    *,
    calendar: sla_mod.ServiceCalendar | None = None,
) -> list[sla_mod.StepVerdict]:
    """The SLA verdict of each step of the fault, from its contract's profile.

    Pass ``calendar`` (e.g. ``WorkCalendar.from_session(session)``) to count
    service time of the contract's window (5×8!), or the two clock functions
    explicitly; with neither, wall-clock minutes are counted.
    """
    contract = session.get(Contract, fault.contract_id)
    assert contract is not None
    profile = profile_of(contract)
    minutes_between, deadline_after = sla_clock(profile, calendar, minutes_between, deadline_after)
    return sla_mod.fault_verdicts(
        profile.sla,
        level=fault.level,
        reported_at=fault.reported_at,
        responded_at=fault.responded_at,
        onsite_at=fault.onsite_at,
        recovered_at=fault.recovered_at,
        closed_at=fault.closed_at,
        now=now,
        minutes_between=minutes_between,
        deadline_after=deadline_after,
    )
