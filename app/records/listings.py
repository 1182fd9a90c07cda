"""Lightweight rows for the window's lists, and the clocks of open faults.

Lists of runs, faults, service requests and meeting minutes can hold 100,000 rows, so they are
read as plain tuples with one column query each (no ORM object per row). Only
the latest version of an amended record is listed. A voided record (作废,
:mod:`app.team.voids`) stays listed, marked: its status reads :data:`VOIDED`
and ``voided`` is true, so the window greys it and leaves it out of its counts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from app.contracts.registry import profile_of
from app.records import _util, faults, inspections, meetings, requests
from app.schedule import periods
from app.schedule import sla as sla_mod
from app.schedule.workcal import WorkCalendar
from app.storage.team_state import voided_ids
from db.models import (
    ChecklistTemplate,
    Contract,
    FaultRecord,
    HolidayPeriod,
    InspectionRun,
    MeetingMinutes,
    RecordVoid,
    ServiceRequest,
    StaffMember,
    System,
)

#: the status of a voided record in every list
VOIDED = "已作废"


class RunRow(NamedTuple):
    id: str
    scheduled_date: date
    template: str
    system: str
    period: str
    cadence: str
    status: str  # 草稿 | 已完成 | 已签字
    inspector: str
    completed_at: datetime | None
    amended: bool
    voided: bool = False


class FaultRow(NamedTuple):
    id: str
    number: str
    reported_at: datetime
    level: str
    system: str
    title: str
    emergency: str
    status: str  # 处理中 | 已恢复 | 已关闭
    handler: str
    locked: bool
    voided: bool = False


class RequestRow(NamedTuple):
    id: str
    number: str
    received_at: datetime
    channel: str
    caller_unit: str
    system: str
    category: str
    status: str
    handler: str
    solved_on_phone: bool
    locked: bool
    voided: bool = False


class MeetingRow(NamedTuple):
    id: str
    number: str
    meeting_at: datetime
    title: str
    place: str
    host: str
    recorder: str
    actions: int  # action items agreed
    status: str  # 草稿 | 已定稿 | 已签字
    locked: bool
    voided: bool = False


def _latest(
    model: type[InspectionRun | FaultRecord | ServiceRequest | MeetingMinutes],
) -> ColumnElement[bool]:
    """``id NOT IN`` the ids some amendment supersedes."""
    older = select(model.supersedes_id).where(model.supersedes_id.is_not(None))
    return model.id.not_in(older)


def _voided(
    session: Session,
    model: type[InspectionRun | FaultRecord | ServiceRequest | MeetingMinutes],
) -> set[str]:
    """Ids of the voided records (every version) when any of ``model`` is; one small query else."""
    named = select(RecordVoid.id).where(RecordVoid.record_type == model.__tablename__).limit(1)
    return voided_ids(session) if session.scalar(named) is not None else set()


def _status(status: str, record_id: str, voided: set[str]) -> str:
    return VOIDED if record_id in voided else status


def period_label(cadence: str, period_key: str, holiday_name: str | None) -> str:
    """``2026-11-20``, or ``国庆节 节前`` / ``国庆节 节日期间 2026-10-03`` for holiday runs."""
    if holiday_name is None or cadence not in periods.HOLIDAY_CADENCES:
        return period_key
    if cadence == "holiday_daily":
        return f"{holiday_name} 节日期间 {period_key.rsplit(':', 1)[-1]}"
    return f"{holiday_name} {periods.CADENCE_NAMES[cadence]}"


def run_rows(session: Session, contract: Contract | str) -> list[RunRow]:
    """Every inspection run of the contract, newest first."""
    contract = _util.contract_of(session, contract)
    query = (
        select(
            InspectionRun.id,
            InspectionRun.scheduled_date,
            ChecklistTemplate.name,
            System.name,
            InspectionRun.period_key,
            InspectionRun.cadence,
            InspectionRun.status,
            InspectionRun.inspector,
            InspectionRun.completed_at,
            InspectionRun.supersedes_id,
            HolidayPeriod.name,
        )
        .join(ChecklistTemplate, ChecklistTemplate.id == InspectionRun.template_id)
        .outerjoin(System, System.id == InspectionRun.system_id)
        .outerjoin(HolidayPeriod, HolidayPeriod.id == InspectionRun.holiday_period_id)
        .where(InspectionRun.contract_id == contract.id, _latest(InspectionRun))
        .order_by(InspectionRun.scheduled_date.desc(), InspectionRun.started_at.desc())
    )
    labels = inspections.RUN_STATUS_LABELS
    voided = _voided(session, InspectionRun)
    return [
        RunRow(
            r[0],
            r[1],
            r[2],
            r[3] or "",
            period_label(r[5], r[4], r[10]),
            periods.CADENCE_NAMES.get(r[5], r[5]),
            _status(labels.get(r[6], r[6]), r[0], voided),
            r[7],
            r[8],
            r[9] is not None,
            r[0] in voided,
        )
        for r in session.execute(query)
    ]


def fault_state(recovered_at: datetime | None, closed_at: datetime | None) -> str:
    if closed_at is not None:
        return "已关闭"
    return "已恢复" if recovered_at is not None else "处理中"


def fault_rows(
    session: Session, contract: Contract | str, holiday_period_id: str | None = None
) -> list[FaultRow]:
    """Every fault of the contract (or of one holiday period), newest first."""
    contract = _util.contract_of(session, contract)
    levels = {lvl.code: lvl.name for lvl in profile_of(contract).sla.fault_levels}
    query = (
        select(
            FaultRecord.id,
            FaultRecord.number,
            FaultRecord.reported_at,
            FaultRecord.level,
            System.name,
            FaultRecord.title,
            FaultRecord.emergency_type,
            FaultRecord.recovered_at,
            FaultRecord.closed_at,
            FaultRecord.handler,
            FaultRecord.locked_at,
        )
        .outerjoin(System, System.id == FaultRecord.system_id)
        .where(FaultRecord.contract_id == contract.id, _latest(FaultRecord))
        .order_by(FaultRecord.reported_at.desc(), FaultRecord.number.desc())
    )
    if holiday_period_id is not None:
        query = query.where(FaultRecord.holiday_period_id == holiday_period_id)
    voided = _voided(session, FaultRecord)
    return [
        FaultRow(
            r[0],
            r[1],
            r[2],
            levels.get(r[3], r[3]),
            r[4] or "",
            r[5],
            faults.EMERGENCY_TYPES.get(r[6] or "", ""),
            _status(fault_state(r[7], r[8]), r[0], voided),
            r[9],
            r[10] is not None,
            r[0] in voided,
        )
        for r in session.execute(query)
    ]


def request_rows(session: Session, contract: Contract | str) -> list[RequestRow]:
    """Every service request of the contract, newest first."""
    contract = _util.contract_of(session, contract)
    query = (
        select(
            ServiceRequest.id,
            ServiceRequest.number,
            ServiceRequest.received_at,
            ServiceRequest.channel,
            ServiceRequest.caller_unit,
            System.name,
            ServiceRequest.category,
            ServiceRequest.status,
            ServiceRequest.handler,
            ServiceRequest.solved_on_phone,
            ServiceRequest.locked_at,
        )
        .outerjoin(System, System.id == ServiceRequest.system_id)
        .where(ServiceRequest.contract_id == contract.id, _latest(ServiceRequest))
        .order_by(ServiceRequest.received_at.desc(), ServiceRequest.number.desc())
    )
    voided = _voided(session, ServiceRequest)
    return [
        RequestRow(
            r[0],
            r[1],
            r[2],
            requests.CHANNELS.get(r[3], r[3]),
            r[4],
            r[5] or "",
            r[6],
            _status(requests.STATUSES.get(r[7], r[7]), r[0], voided),
            r[8],
            bool(r[9]),
            r[10] is not None,
            r[0] in voided,
        )
        for r in session.execute(query)
    ]


def meeting_rows(session: Session, contract: Contract | str) -> list[MeetingRow]:
    """Every meeting of the contract, newest first."""
    contract = _util.contract_of(session, contract)
    m = MeetingMinutes
    query = (
        select(
            m.id,
            m.number,
            m.meeting_at,
            m.title,
            m.place,
            m.host,
            m.recorder,
            m.action_items,
            m.status,
            m.locked_at,
        )
        .where(m.contract_id == contract.id, _latest(m))
        .order_by(m.meeting_at.desc(), m.number.desc())
    )
    rows = []
    voided = _voided(session, MeetingMinutes)
    for r in session.execute(query):
        actions = [a for a in r[7] or [] if isinstance(a, dict)]
        status = "已签字" if r[9] is not None else meetings.STATUSES.get(r[8], r[8])
        rows.append(
            MeetingRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                len(actions),
                _status(status, r[0], voided),
                r[9] is not None,
                r[0] in voided,
            )
        )
    return rows


# --------------------------------------------------------------------------- clocks


class FaultClock(NamedTuple):
    """The next SLA step of an open fault, counted down in the status bar."""

    fault_id: str
    number: str
    title: str
    step: str  # 响应 | 到场 | 恢复 | 关闭
    due_at: datetime | None
    remaining_minutes: float | None  # negative once overdue
    overdue: bool


def open_fault_clocks(
    session: Session,
    contract: Contract | str,
    now: datetime,
    calendar: WorkCalendar | None = None,
) -> list[FaultClock]:
    """Open (not closed) faults with their next running SLA step, most urgent first.

    Minutes are service minutes of the contract's window (5×8 counts working
    hours only). A fault whose every step is done or has no target shows with
    no countdown.
    """
    contract = _util.contract_of(session, contract)
    calendar = calendar or WorkCalendar.from_session(session)
    profile = profile_of(contract)
    between, _after = sla_mod.clock(calendar, profile.service_window, profile.service_hours)
    newer = aliased(FaultRecord)
    open_faults = session.scalars(
        select(FaultRecord).where(
            FaultRecord.contract_id == contract.id,
            FaultRecord.closed_at.is_(None),
            ~select(newer.id).where(newer.supersedes_id == FaultRecord.id).exists(),
        )
    ).all()
    clocks: list[FaultClock] = []
    for fault in open_faults:
        verdicts = faults.fault_sla(session, fault, now=now, calendar=calendar)
        running = [v for v in verdicts if v.state in (sla_mod.PENDING, sla_mod.OVERDUE)]
        step = running[0] if running else None
        remaining = sla_mod.remaining_minutes(step, now, between) if step else None
        clocks.append(
            FaultClock(
                fault.id,
                fault.number,
                fault.title,
                step.label_zh if step else "",
                step.due_at if step else None,
                remaining,
                step is not None and step.state == sla_mod.OVERDUE,
            )
        )
    clocks.sort(key=lambda c: (c.remaining_minutes is None, c.remaining_minutes or 0.0, c.number))
    return clocks


# --------------------------------------------------------------------------- choices


def systems_by_use(session: Session, contract: Contract | str) -> list[tuple[str, str]]:
    """(code, name) of the contract's active systems, those most asked about first."""
    contract = _util.contract_of(session, contract)
    uses = func.count(ServiceRequest.id)
    query = (
        select(System.code, System.name)
        .outerjoin(ServiceRequest, ServiceRequest.system_id == System.id)
        .where(System.contract_id == contract.id, System.active.is_(True))
        .group_by(System.id)
        .order_by(uses.desc(), System.seq)
    )
    return [(code, name) for code, name in session.execute(query)]


def known_people(session: Session) -> list[tuple[str, str]]:
    """(name, role) of the vendor staff known to the store, for picking an identity."""
    query = (
        select(StaffMember.name, StaffMember.role)
        .where(StaffMember.side == "vendor", StaffMember.active.is_(True))
        .group_by(StaffMember.name, StaffMember.role)
        .order_by(StaffMember.name)
    )
    return [(name, role) for name, role in session.execute(query)]


class TemplateChoice(NamedTuple):
    code: str
    name: str
    cadence: str
    systems: list[tuple[str, str]]  # (code, name) to choose from when filled per system


def calendar_templates(session: Session, contract: Contract | str) -> list[TemplateChoice]:
    """Active checklist templates of calendar cadences, for starting a run by hand."""
    contract = _util.contract_of(session, contract)
    found = []
    for template in session.scalars(
        select(ChecklistTemplate)
        .where(
            ChecklistTemplate.contract_id == contract.id,
            ChecklistTemplate.active.is_(True),
            ChecklistTemplate.cadence.in_(periods.CALENDAR_CADENCES),
        )
        .order_by(ChecklistTemplate.seq)
    ):
        systems: list[tuple[str, str]] = []
        if template.systems_mode == "separate":
            systems = [(s.code, s.name) for s in inspections.template_systems(session, template)]
        found.append(TemplateChoice(template.code, template.name, template.cadence, systems))
    return found
