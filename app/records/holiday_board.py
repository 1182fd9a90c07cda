"""One holiday period at a glance: its three phases, every sheet and the emergencies.

A *sheet* is one checklist occurrence of the period: the pre-holiday check, the
daily check of each day, the post-holiday evaluation (one per system for
templates filled per system). A sheet whose run was voided (作废) reads
「已作废」 and is not done: a new run of it is due again. Emergency events
(域名劫持, 网页篡改, 无法访问, 服务器故障恢复) are fault records of the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.registry import profile_of
from app.contracts.snapshot import records_start
from app.records import _util
from app.records.listings import FaultRow, fault_rows
from app.schedule import periods
from app.schedule.holidays import HolidayPhases, phases
from app.schedule.workcal import WorkCalendar
from app.storage.team_state import voided_ids
from db.models import ChecklistTemplate, Contract, HolidayPeriod, InspectionRun, System

PHASES: dict[str, str] = {
    "holiday_pre": "节前",
    "holiday_daily": "节日期间",
    "holiday_post": "节后",
}
SHEET_STATES: dict[str, str] = {
    "upcoming": "未开始",
    "due": "待办",
    "in_progress": "进行中",
    "done": "已完成",
    "overdue": "已逾期",
    "voided": "已作废",
    "before_start": "启用前",  # due before the contract's 启用日期 and not recorded here
}

#: the status :func:`_holiday_runs` gives a voided run
VOIDED = "voided"


@dataclass(frozen=True)
class Sheet:
    template_code: str
    template_name: str
    cadence: str  # holiday_pre | holiday_daily | holiday_post
    period_key: str
    day: date | None  # the day of a daily sheet
    window_start: date
    deadline: date
    system_code: str | None
    system_name: str
    state: str  # upcoming | due | in_progress | done | overdue | voided | before_start
    run_id: str | None

    @property
    def state_label(self) -> str:
        return SHEET_STATES[self.state]


@dataclass(frozen=True)
class HolidayBoard:
    period_id: str
    name: str
    kind: str
    #: its dates: start, end and the days of each phase on the working-day calendar
    phases: HolidayPhases
    sheets: list[Sheet]
    events: list[FaultRow]

    def phase(self, cadence: str) -> list[Sheet]:
        return [s for s in self.sheets if s.cadence == cadence]


def _state(
    run: tuple[str, str] | None, start: date, deadline: date, today: date, begins: date
) -> str:
    if run is not None and run[0] == VOIDED:
        return "voided"
    if run is not None and run[0] in ("completed", "signed"):
        return "done"
    if deadline < begins:
        return "before_start"
    if deadline < today:
        return "overdue"
    if run is not None:
        return "in_progress"
    return "upcoming" if start > today else "due"


def _holiday_runs(
    session: Session, holiday_id: str
) -> dict[tuple[str, str | None, str], tuple[str, str]]:
    """(template id, system id, period key) → (status, run id) of the period's current runs.

    Runs an amendment replaced are left out; a voided run has the status
    :data:`VOIDED` and counts only when its sheet has no other run.
    """
    runs: dict[tuple[str, str | None, str], tuple[str, str]] = {}
    superseded = {
        r
        for r in session.scalars(
            select(InspectionRun.supersedes_id).where(
                InspectionRun.holiday_period_id == holiday_id,
                InspectionRun.supersedes_id.is_not(None),
            )
        )
    }
    query = select(
        InspectionRun.id,
        InspectionRun.template_id,
        InspectionRun.system_id,
        InspectionRun.period_key,
        InspectionRun.status,
    ).where(InspectionRun.holiday_period_id == holiday_id)
    voided = voided_ids(session)
    for run_id, template_id, system_id, key, status in session.execute(query):
        if run_id in superseded:
            continue
        if run_id in voided:
            runs.setdefault((template_id, system_id, key), (VOIDED, run_id))
        else:
            runs[(template_id, system_id, key)] = (status, run_id)
    return runs


def _spans(cadence: str, phase: HolidayPhases) -> list[tuple[date | None, date, date]]:
    """(day, window start, deadline) of each sheet of a holiday checklist (day: daily ones)."""
    if cadence == "holiday_daily":
        return [(d, d, d) for d in phase.daily_days]
    if cadence == "holiday_pre":
        return [(None, phase.pre_start, phase.pre_deadline)]
    return [(None, phase.post_start, phase.post_deadline)]


def _sheets(
    templates: Sequence[ChecklistTemplate],
    systems: Sequence[System],
    phase: HolidayPhases,
    holiday_id: str,
    runs: dict[tuple[str, str | None, str], tuple[str, str]],
    today: date,
    begins: date,
) -> list[Sheet]:
    """Every sheet of the period (per system for templates filled per system), with its state."""
    sheets: list[Sheet] = []
    for template in templates:
        targets: list[System | None] = [None]
        if template.systems_mode == "separate":
            wanted = template.system_codes
            targets = [s for s in systems if wanted is None or s.code in wanted]
        for day, start, deadline in _spans(template.cadence, phase):
            key = periods.holiday_key(template.cadence, holiday_id, day)
            for system in targets:
                run = runs.get((template.id, system.id if system else None, key))
                sheets.append(
                    Sheet(
                        template_code=template.code,
                        template_name=template.name,
                        cadence=template.cadence,
                        period_key=key,
                        day=day,
                        window_start=start,
                        deadline=deadline,
                        system_code=system.code if system else None,
                        system_name=system.name if system else "",
                        state=_state(run, start, deadline, today, begins),
                        run_id=run[1] if run else None,
                    )
                )
    return sheets


def holiday_board(
    session: Session,
    contract: Contract | str,
    period_id: str,
    today: date,
    calendar: WorkCalendar | None = None,
) -> HolidayBoard:
    contract = _util.contract_of(session, contract)
    holiday = _util.holiday_of(session, contract, period_id)
    assert holiday is not None
    calendar = calendar or WorkCalendar.from_session(session)
    phase = phases(holiday, calendar, profile_of(contract).holidays)
    templates = session.scalars(
        select(ChecklistTemplate)
        .where(
            ChecklistTemplate.contract_id == contract.id,
            ChecklistTemplate.active.is_(True),
            ChecklistTemplate.cadence.in_(periods.HOLIDAY_CADENCES),
        )
        .order_by(ChecklistTemplate.seq)
    ).all()
    systems = session.scalars(
        select(System)
        .where(System.contract_id == contract.id, System.active.is_(True))
        .order_by(System.seq)
    ).all()
    runs = _holiday_runs(session, holiday.id)
    return HolidayBoard(
        period_id=holiday.id,
        name=holiday.name,
        kind=holiday.kind,
        phases=phase,
        sheets=_sheets(
            templates,
            systems,
            phase,
            holiday.id,
            runs,
            today,
            records_start(contract.start_date, contract.profile),
        ),
        events=[e for e in fault_rows(session, contract, holiday.id) if e.emergency],
    )


def list_holidays(session: Session, contract: Contract | str) -> list[HolidayPeriod]:
    """The contract's holiday periods within its service period, by start date."""
    contract = _util.contract_of(session, contract)
    return list(
        session.scalars(
            select(HolidayPeriod)
            .where(
                HolidayPeriod.contract_id == contract.id,
                HolidayPeriod.end_date >= contract.start_date,
                HolidayPeriod.start_date <= contract.end_date,
            )
            .order_by(HolidayPeriod.start_date)
        )
    )
