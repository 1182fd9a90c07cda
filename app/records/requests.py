"""Service requests (服务请求): phone support, escalated to remote, on-site or a fault.

One record per request, whatever its channel. A phone call is answered when it
is received, so its response time is the time it came in. Escalation moves the
request along phone → remote → on-site, or turns it into a fault record
linked both ways. Every escalation is written into the request's 处理过程
(``resolution``) with its time, so the printed log shows the whole path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.contracts.registry import profile_of
from app.errors import DomainError
from app.records import _util, faults
from app.schedule import sla as sla_mod
from db.models import Contract, FaultRecord, ServiceRequest
from db.models import now as current_time

REQUEST_PREFIX = "FW"

CHANNELS: dict[str, str] = {"phone": "电话", "remote": "远程", "onsite": "现场"}
PRIORITIES: dict[str, str] = {"low": "低", "normal": "普通", "high": "高", "urgent": "紧急"}
STATUSES: dict[str, str] = {
    "open": "处理中",
    "resolved": "已解决",
    "escalated": "已转故障",
    "unresolved": "未解决",
}
#: Times of a request that :func:`set_time` may set: code → (column, label).
STEPS: dict[str, tuple[str, str]] = {
    "responded": ("responded_at", "响应时间"),
    "remote": ("remote_at", "远程支持时间"),
    "onsite": ("onsite_at", "到场时间"),
    "completed": ("completed_at", "完成时间"),
}
_ESCALATION_LABELS = {"remote": "转远程支持", "onsite": "转现场支持", "fault": "转故障处理"}


@dataclass(frozen=True)
class Escalation:
    request: ServiceRequest
    fault: FaultRecord | None = None  # set when escalated to a fault


def get_request(session: Session, req_id: str) -> ServiceRequest:
    return _util.get(session, ServiceRequest, req_id, "服务请求")


def _open(req: ServiceRequest) -> None:
    _util.ensure_unlocked(req)
    if req.status != "open":
        raise DomainError(
            f"服务请求 {req.number} 已{STATUSES.get(req.status, req.status)}，不能再处理。"
        )


def _when(value: datetime, label: str, req: ServiceRequest, current: datetime | None) -> datetime:
    moment = _util.not_future(_util.moment(value, label), label, current)
    if moment < req.received_at:
        raise DomainError(f"{label}不能早于接报时间 {req.received_at:%Y-%m-%d %H:%M}。")
    return moment


def escalation_trail(resolution: str, at: datetime, to: str, note: str) -> str:
    """The 处理记录 ``resolution`` with the line :func:`escalate` adds for escalating ``to``."""
    line = f"[{at:%m-%d %H:%M} {_ESCALATION_LABELS[to]}]" + (f" {note}" if note else "")
    return f"{resolution}\n{line}" if resolution else line


def log_request(
    session: Session,
    contract: Contract | str,
    *,
    received_at: datetime,
    caller_unit: str,
    caller_name: str = "",
    caller_contact: str = "",
    system_code: str | None = None,
    category: str,
    description: str,
    priority: str = "normal",
    channel: str = "phone",
    handler: str,
    impact: str = "",
    responded_at: datetime | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Log a request with the next 服务单号 (``FW-YYYYMM-NNNN``, month received)."""
    contract = _util.contract_of(session, contract)
    received = _util.not_future(_util.moment(received_at, "接报时间"), "接报时间", now)
    channel = _util.choice(channel, "服务方式", CHANNELS)
    values: dict[str, Any] = {
        "caller_unit": _util.text(caller_unit, "来电单位", required=True, limit=200),
        "caller_name": _util.text(caller_name, "来电人", limit=_util.NAME_LIMIT),
        "caller_contact": _util.text(caller_contact, "联系方式", limit=100),
        "category": _util.text(category, "问题类别", required=True, limit=64),
        "description": _util.text(description, "问题描述", required=True),
        "impact": _util.text(impact, "影响范围"),
        "priority": _util.choice(priority, "优先级", PRIORITIES),
        "handler": _util.text(handler, "受理人", required=True, limit=_util.NAME_LIMIT),
    }
    system = _util.system_of(session, contract, system_code)
    responded = None
    if responded_at is not None:
        responded = _util.not_future(_util.moment(responded_at, "响应时间"), "响应时间", now)
        if responded < received:
            raise DomainError("响应时间不能早于接报时间。")
    elif channel == "phone":
        responded = received  # the call was answered when it came in
    req = ServiceRequest(
        contract_id=contract.id,
        number=faults.next_number(session, ServiceRequest, contract, REQUEST_PREFIX, received),
        channel=channel,
        received_at=received,
        system_id=system.id if system else None,
        responded_at=responded,
        status="open",
        **values,
    )
    session.add(req)
    return req


#: Fields :func:`update_request` may change: name → (label, length limit).
EDITABLE: dict[str, tuple[str, int]] = {
    "caller_unit": ("来电单位", 200),
    "caller_name": ("来电人", _util.NAME_LIMIT),
    "caller_contact": ("联系方式", 100),
    "category": ("问题类别", 64),
    "description": ("问题描述", _util.TEXT_LIMIT),
    "impact": ("影响范围", _util.TEXT_LIMIT),
    "handler": ("受理人", _util.NAME_LIMIT),
    "resolution": ("处理结果", _util.TEXT_LIMIT),
}
_REQUIRED = ("caller_unit", "category", "description", "handler")


def update_request(session: Session, req_id: str, **fields: Any) -> ServiceRequest:
    """Correct descriptive fields (see :data:`EDITABLE`, plus ``priority``,
    ``system_code``, ``follow_up``). Times go through :func:`set_time`; channel
    and status change only by escalating or completing.
    """
    req = get_request(session, req_id)
    _util.ensure_unlocked(req)
    allowed = set(EDITABLE) | {"priority", "system_code", "follow_up"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise DomainError(f"服务请求的这些字段不能在此修改：{'、'.join(unknown)}。")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name in EDITABLE:
            label, limit = EDITABLE[name]
            changes[name] = _util.text(value, label, required=name in _REQUIRED, limit=limit)
        elif name == "priority":
            changes[name] = _util.choice(value, "优先级", PRIORITIES)
        elif name == "follow_up":
            if not isinstance(value, bool):
                raise DomainError("「是否回访」必须是是或否。")
            changes[name] = value
        elif name == "system_code":
            contract = session.get(Contract, req.contract_id)
            assert contract is not None
            system = _util.system_of(session, contract, value)
            changes["system_id"] = system.id if system else None
    for name, value in changes.items():
        setattr(req, name, value)
    return req


def resolve_on_phone(
    session: Session,
    req_id: str,
    resolution: str,
    completed_at: datetime | None = None,
    *,
    now: datetime | None = None,
) -> ServiceRequest:
    """「电话已解决」: the call ended with a solution."""
    req = get_request(session, req_id)
    _open(req)
    if req.channel != "phone":
        raise DomainError(
            f"服务请求 {req.number} 已转为{CHANNELS[req.channel]}支持，请用「完成」记录处理结果。"
        )
    text = _util.text(resolution, "处理结果", required=True)
    done = _when(
        completed_at if completed_at is not None else (now or current_time()), "完成时间", req, now
    )
    req.resolution = f"{req.resolution}\n{text}" if req.resolution else text
    req.completed_at = done
    req.responded_at = req.responded_at or req.received_at
    req.solved_on_phone = True
    req.status = "resolved"
    return req


def escalate(
    session: Session,
    req_id: str,
    to: str,
    at: datetime,
    note: str = "",
    level: str | None = None,
    *,
    title: str | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Escalate to ``remote`` or ``onsite`` support, or turn the request into a ``fault``.

    - remote: channel becomes remote, remote support starts at ``at``;
    - onsite: channel becomes onsite; record the arrival with
      ``set_time(..., "onsite", t)`` (the 4-hour target runs from receipt);
    - fault: a fault record is opened (reported when the request was received,
      level as given or the least severe one), linked both ways, and the
      request is closed as 已转故障 (``Escalation.fault``).
    """
    req = get_request(session, req_id)
    _open(req)
    if to not in _ESCALATION_LABELS:
        raise DomainError(f"无法转为 “{to}”，可选：远程（remote）、现场（onsite）、故障（fault）。")
    when = _when(at, "升级时间", req, now)
    note = _util.text(note, "说明")
    if to == "remote" and req.channel != "phone":
        raise DomainError(
            f"服务请求 {req.number} 已是{CHANNELS[req.channel]}支持，不能转为远程支持。"
        )
    if to == "onsite" and req.channel == "onsite":
        raise DomainError(f"服务请求 {req.number} 已是现场支持。")
    trail = escalation_trail(req.resolution, when, to, note)
    if to == "fault":
        contract = session.get(Contract, req.contract_id)
        assert contract is not None
        level_code = level if level is not None else faults.default_level(profile_of(contract)).code
        symptom = req.description + (f"\n{note}" if note else "")
        fault = faults.create_fault(
            session,
            contract,
            title=title or f"{req.category}：{req.description.splitlines()[0][:60]}",
            level=level_code,
            reported_at=req.received_at,
            responded_at=req.responded_at or when,
            system_code=req.system.code if req.system else None,
            discovery="user",
            category=req.category,
            impact=req.impact,
            symptom=symptom,
            handler=req.handler,
            service_request_id=req.id,
            now=now,
        )
        req.fault_id = fault.id
        req.status = "escalated"
        req.resolution = trail
        req.responded_at = req.responded_at or when
        return Escalation(req, fault)
    req.channel = to
    req.resolution = trail
    req.responded_at = req.responded_at or when
    if to == "remote":
        req.remote_at = when
    return Escalation(req)


def set_time(
    session: Session,
    req_id: str,
    step: str,
    when: datetime | None,
    *,
    now: datetime | None = None,
) -> ServiceRequest:
    """Set (or clear) the response, remote, on-site or completion time."""
    req = get_request(session, req_id)
    _util.ensure_unlocked(req)
    if step not in STEPS:
        raise DomainError(f"未知的时间节点 “{step}”，可选：{'、'.join(STEPS)}。")
    column, label = STEPS[step]
    value = None if when is None else _when(when, label, req, now)
    if step == "completed" and value is None and req.status in ("resolved", "unresolved"):
        raise DomainError("已完成的服务请求必须有完成时间。")
    setattr(req, column, value)
    return req


def complete_request(
    session: Session,
    req_id: str,
    *,
    resolution: str,
    completed_at: datetime | None = None,
    resolved: bool = True,
    onsite_at: datetime | None = None,
    follow_up: bool | None = None,
    next_visit: datetime | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Finish a remote or on-site request: 已解决, or 未解决 with an optional next visit."""
    req = get_request(session, req_id)
    _open(req)
    text = _util.text(resolution, "处理结果", required=True)
    done = _when(
        completed_at if completed_at is not None else (now or current_time()), "完成时间", req, now
    )
    arrived = req.onsite_at
    if onsite_at is not None:
        arrived = _when(onsite_at, "到场时间", req, now)
    if req.channel == "onsite":
        if arrived is None:
            raise DomainError("现场支持请填写到场时间。")
        if done < arrived:
            raise DomainError("完成时间不能早于到场时间。")
    visit = None
    if next_visit is not None:
        visit = _util.moment(next_visit, "下次上门时间")
        if resolved:
            raise DomainError("已解决的服务请求不需要下次上门时间。")
    req.resolution = f"{req.resolution}\n{text}" if req.resolution else text
    req.completed_at = done
    req.onsite_at = arrived
    req.responded_at = req.responded_at or req.remote_at or arrived or done
    req.status = "resolved" if resolved else "unresolved"
    req.next_visit = visit
    if follow_up is not None:
        req.follow_up = bool(follow_up)
    return req


# --------------------------------------------------------------------------- autocomplete


def _suggest(
    session: Session,
    contract: Contract | str,
    column: Any,
    prefix: str,
    limit: int,
) -> list[str]:
    contract = _util.contract_of(session, contract)
    typed = _util.text(prefix, "输入", limit=200)
    limit = max(1, min(int(limit), 200))
    superseded = select(ServiceRequest.supersedes_id).where(
        ServiceRequest.supersedes_id.is_not(None)
    )
    escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        select(column, func.count().label("n"), func.max(ServiceRequest.received_at).label("last"))
        .where(
            ServiceRequest.contract_id == contract.id,
            column != "",
            ServiceRequest.id.not_in(superseded),
        )
        .group_by(column)
    )
    if typed:
        query = query.where(column.like(f"%{escaped}%", escape="\\"))
        starts = case((column.like(f"{escaped}%", escape="\\"), 0), else_=1)
        query = query.order_by(starts)
    query = query.order_by(func.count().desc(), func.max(ServiceRequest.received_at).desc(), column)
    return [row[0] for row in session.execute(query.limit(limit))]


def caller_units(
    session: Session, contract: Contract | str, prefix: str = "", limit: int = 20
) -> list[str]:
    """Caller units used before, matching what was typed, most frequent first.

    Units that start with the typed text come before units that only contain it.
    """
    return _suggest(session, contract, ServiceRequest.caller_unit, prefix, limit)


def categories(
    session: Session, contract: Contract | str, prefix: str = "", limit: int = 20
) -> list[str]:
    """Problem categories used before, like :func:`caller_units`."""
    return _suggest(session, contract, ServiceRequest.category, prefix, limit)


def caller_names(
    session: Session, contract: Contract | str, prefix: str = "", limit: int = 20
) -> list[str]:
    return _suggest(session, contract, ServiceRequest.caller_name, prefix, limit)


# --------------------------------------------------------------------------- SLA


def is_finished(req: ServiceRequest) -> bool:
    return req.status != "open"


def request_sla(
    session: Session,
    req: ServiceRequest,
    minutes_between: sla_mod.MinutesBetween | None = None,
    deadline_after: sla_mod.DeadlineAfter | None = None,
    now: datetime | None = None,
    *,
    calendar: sla_mod.ServiceCalendar | None = None,
) -> list[sla_mod.StepVerdict]:
    """响应, and 远程支持 / 到场 when the request went that way, from the profile.

    ``calendar`` and the clock functions work as in :func:`faults.fault_sla`.
    """
    contract = session.get(Contract, req.contract_id)
    assert contract is not None
    profile = profile_of(contract)
    minutes_between, deadline_after = faults.sla_clock(
        profile, calendar, minutes_between, deadline_after
    )
    return sla_mod.request_verdicts(
        profile.sla,
        channel=req.channel,
        received_at=req.received_at,
        responded_at=req.responded_at,
        remote_at=req.remote_at,
        onsite_at=req.onsite_at,
        finished=is_finished(req),
        now=now,
        minutes_between=minutes_between,
        deadline_after=deadline_after,
    )
