"""Holiday periods of a contract and their three phases.

A holiday period (:class:`~db.models.HolidayPeriod`) is either *statutory* — a
block of days off around a statutory holiday the profile names (五一, 国庆,
春节 …), taken from the working-day calendar — or an *event* both sides agreed
on (a major conference, an election …), entered by the user or listed in the
profile. During a holiday period the holiday daily check is due; before it the
pre-holiday check, after it the post-holiday evaluation.

For years the statutory calendar library does not know, statutory periods come
only from the days the user entered as overrides (``omw calendar``); such
periods are *assumed* and marked so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import HolidaySettings
from app.contracts.registry import profile_of
from app.contracts.versions import derived_id
from app.errors import DomainError
from app.schedule.holiday_phases import (  # noqa: F401  (re-exported: the phases live there)
    KIND_EVENT,
    KIND_STATUTORY,
    HolidayPhases,
    describe,
    holiday_phrase,
    period_assumed,
    phases,
)
from app.schedule.workcal import WorkCalendar
from app.storage.text_rules import clean_text
from db.models import Contract, DeliverableSubmission, FaultRecord, HolidayPeriod, InspectionRun

ASSUMED_NOTE = "日历库未收录该年度，按用户录入的休息日推定"


@dataclass
class SyncResult:
    created: list[HolidayPeriod] = field(default_factory=list)
    updated: list[HolidayPeriod] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # "<name> <start>" of deleted rows
    kept_stale: list[HolidayPeriod] = field(default_factory=list)  # referenced, so kept
    assumed: list[HolidayPeriod] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def _overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


def _referenced(session: Session, period_id: str) -> bool:
    return bool(
        session.scalar(select(exists().where(InspectionRun.holiday_period_id == period_id)))
        or session.scalar(select(exists().where(FaultRecord.holiday_period_id == period_id)))
        or session.scalar(select(exists().where(DeliverableSubmission.period_key == period_id)))
    )


def list_periods(
    session: Session, contract: Contract, start: date | None = None, end: date | None = None
) -> list[HolidayPeriod]:
    """The contract's holiday periods overlapping ``start``..``end``, by start date."""
    query = select(HolidayPeriod).where(HolidayPeriod.contract_id == contract.id)
    if start is not None:
        query = query.where(HolidayPeriod.end_date >= start)
    if end is not None:
        query = query.where(HolidayPeriod.start_date <= end)
    return list(session.scalars(query.order_by(HolidayPeriod.start_date, HolidayPeriod.name)))


def holidays_on(session: Session, contract: Contract, day: date) -> list[HolidayPeriod]:
    return list_periods(session, contract, day, day)


def holiday_on(session: Session, contract: Contract, day: date) -> HolidayPeriod | None:
    """The holiday period covering ``day`` (the earliest-starting one if several)."""
    found = holidays_on(session, contract, day)
    return found[0] if found else None


def _agreed_id(contract: Contract, kind: str, name: str, start: date) -> str:
    """The id of a period the profile or the statutory calendar gives: the same on every store.

    Each laptop of a team makes these periods itself; holiday checks recorded in one
    point at it, so the same period must have the same id everywhere for them to
    merge. A period a user adds (:func:`add_event`) is a record of theirs: a new id.
    """
    return derived_id(contract.id, f"holiday-{kind}", f"{name}/{start.isoformat()}")


def _sync_events(
    session: Session,
    contract: Contract,
    settings: HolidaySettings,
    events: list[HolidayPeriod],
    result: SyncResult,
) -> None:
    """An ``event`` period per event of the profile within the contract period.

    Found by name and start date (its end is updated); new ones are added to ``events``.
    """
    for event in settings.events:
        if not _overlaps(event.start, event.end, contract.start_date, contract.end_date):
            continue
        row = next(
            (p for p in events if p.name == event.name and p.start_date == event.start), None
        )
        if row is None:
            row = HolidayPeriod(
                id=_agreed_id(contract, KIND_EVENT, event.name, event.start),
                contract_id=contract.id,
                name=event.name,
                kind=KIND_EVENT,
                start_date=event.start,
                end_date=event.end,
                note="合同约定",
            )
            session.add(row)
            events.append(row)
            result.created.append(row)
        elif row.end_date != event.end:
            row.end_date = event.end
            result.updated.append(row)


def _sync_statutory(
    session: Session,
    contract: Contract,
    calendar: WorkCalendar,
    settings: HolidaySettings,
    statutory: list[HolidayPeriod],
    events: list[HolidayPeriod],
    result: SyncResult,
) -> set[str]:
    """A ``statutory`` period per block of days off around a holiday the profile names.

    An existing period of the same name overlapping the block is moved to its
    dates; a block the user entered as an event is left to theirs. Returns the
    ids of the statutory periods that match a block.
    """
    wanted = set(settings.statutory)
    matched: set[str] = set()
    for block in calendar.statutory_holidays(contract.start_date, contract.end_date):
        if not wanted.intersection(block.name.split("、")):
            continue
        assumed = calendar.assumed(block.start, block.end)
        note = ASSUMED_NOTE if assumed else ""
        if any(
            _overlaps(e.start_date, e.end_date, block.start, block.end) and e.name == block.name
            for e in events
        ):
            continue  # the user entered this holiday by hand; theirs wins
        row = next(
            (
                p
                for p in statutory
                if p.id not in matched
                and p.name == block.name
                and _overlaps(p.start_date, p.end_date, block.start, block.end)
            ),
            None,
        )
        if row is None:
            row = HolidayPeriod(
                id=_agreed_id(contract, KIND_STATUTORY, block.name, block.start),
                contract_id=contract.id,
                name=block.name,
                kind=KIND_STATUTORY,
                start_date=block.start,
                end_date=block.end,
                note=note,
            )
            session.add(row)
            result.created.append(row)
        elif (row.start_date, row.end_date, row.note) != (block.start, block.end, note):
            row.start_date, row.end_date, row.note = block.start, block.end, note
            result.updated.append(row)
        matched.add(row.id)
        if assumed:
            result.assumed.append(row)
    return matched


def _drop_stale(
    session: Session, statutory: list[HolidayPeriod], matched: set[str], result: SyncResult
) -> None:
    """Delete the statutory periods no block matches, unless records refer to them."""
    for stale in statutory:
        if stale.id in matched:
            continue
        if _referenced(session, stale.id):
            result.kept_stale.append(stale)
        else:
            result.removed.append(f"{stale.name} {stale.start_date.isoformat()}")
            session.delete(stale)


def sync_statutory_holidays(
    session: Session, contract: Contract, calendar: WorkCalendar | None = None
) -> SyncResult:
    """Bring the contract's holiday periods in line with its profile and the calendar.

    Creates a ``statutory`` period for each block of days off around a holiday
    the profile names that overlaps the contract period, and an ``event`` period
    for each of the profile's ``holidays.events``. Running it again changes
    nothing; when the calendar changed (overrides entered), statutory periods
    are moved to the new dates, and ones that no longer exist are deleted unless
    records refer to them (then they are kept and reported).
    """
    calendar = calendar or WorkCalendar.from_session(session)
    settings = profile_of(contract).holidays
    result = SyncResult()
    existing = list_periods(session, contract)
    statutory = [p for p in existing if p.kind == KIND_STATUTORY]
    events = [p for p in existing if p.kind != KIND_STATUTORY]
    _sync_events(session, contract, settings, events, result)
    matched = _sync_statutory(session, contract, calendar, settings, statutory, events, result)
    _drop_stale(session, statutory, matched, result)
    session.flush()
    return result


def sync_all_holidays(
    session: Session, calendar: WorkCalendar | None = None
) -> dict[str, SyncResult]:
    """:func:`sync_statutory_holidays` for every contract, by contract code."""
    calendar = calendar or WorkCalendar.from_session(session)
    contracts = session.scalars(select(Contract).order_by(Contract.code))
    return {c.code: sync_statutory_holidays(session, c, calendar) for c in contracts}


def add_event(
    session: Session,
    contract: Contract,
    name: str,
    start: date,
    end: date,
    note: str = "",
) -> HolidayPeriod:
    """Add a major event (重大活动保障期) both sides agreed on.

    ``name`` and ``note`` follow :func:`app.storage.text_rules.clean_text`: a lone
    surrogate is refused, control characters are stripped.
    """
    name = clean_text(name or "", "保障期名称").strip()
    if not name:
        raise DomainError("保障期名称不能为空。")
    if len(name) > 100:
        raise DomainError("保障期名称不能超过 100 个字。")
    note = clean_text(note or "", "说明").strip()
    if end < start:
        raise DomainError(
            f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}，请检查保障期日期。"
        )
    if start < contract.start_date or end > contract.end_date:
        raise DomainError(
            f"保障期 {start.isoformat()} 至 {end.isoformat()} 超出合同服务期"
            f"（{contract.start_date.isoformat()} 至 {contract.end_date.isoformat()}）。"
        )
    for other in list_periods(session, contract, start, end):
        if other.name == name:
            raise DomainError(
                f"已有同名保障期“{name}”（{other.start_date.isoformat()} 至 "
                f"{other.end_date.isoformat()}）与所选日期重叠。"
            )
    period = HolidayPeriod(
        contract_id=contract.id,
        name=name,
        kind=KIND_EVENT,
        start_date=start,
        end_date=end,
        note=note,
    )
    session.add(period)
    session.flush()
    return period


def remove_event(session: Session, contract: Contract, period_id: str) -> None:
    """Delete a user-added event that no record refers to yet."""
    period = session.get(HolidayPeriod, period_id)
    if period is None or period.contract_id != contract.id:
        raise DomainError("没有找到该保障期。")
    if period.kind == KIND_STATUTORY:
        raise DomainError("法定节假日保障期由日历生成，不能删除；如日期有误，请修改日历设置。")
    if _referenced(session, period.id):
        raise DomainError(f"保障期“{period.name}”已有检查记录或故障记录，不能删除。")
    session.delete(period)
    session.flush()
