"""What a checklist form shows: a plain snapshot of a run, read in one go.

The window never walks ORM relationships itself; it asks for a :class:`RunView`
(or one refreshed :class:`ItemView` after a change) and renders it.
:func:`run_for_occurrence` opens the run of something due — continuing the one
that exists or starting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from app.records import _util, inspections, signing
from app.records.listings import period_label
from db.models import (
    Attachment,
    Contract,
    FaultRecord,
    HolidayPeriod,
    InspectionRun,
    ItemResult,
)


@dataclass(frozen=True)
class ItemView:
    result_id: str
    seq: int
    system: str  # system name, "" when the run is not per system
    group: str
    title: str
    method: str
    standard: str
    kind: str  # status | number | pair | url | text | photo
    params: dict[str, Any]
    required: bool
    status: str | None
    value_num: float | None
    value_num2: float | None
    value_text: str
    note: str
    action: str
    fault_id: str | None
    fault_number: str
    attachments: int
    display: str  # the 检查结果 cell as printed
    mismatch: bool  # a pair item whose two counts disagree

    @property
    def touched(self) -> bool:
        return self.status is not None or (self.kind == "text" and bool(self.value_text))

    @property
    def needs_note(self) -> bool:
        return self.status in (inspections.ABNORMAL, inspections.WARNING) and not self.note

    @property
    def needs_action(self) -> bool:
        """An abnormal item with neither a 处理措施 nor a fault opened from it."""
        return self.status == inspections.ABNORMAL and not self.action and not self.fault_number


@dataclass(frozen=True)
class SignatureView:
    role: str
    signer_name: str
    signed_at: datetime
    image_sha256: str


@dataclass(frozen=True)
class RunView:
    id: str
    contract_code: str
    contract_name: str
    template_code: str
    template_name: str
    cadence: str
    period: str
    scheduled_date: date
    system: str
    status: str  # draft | completed | signed
    inspector: str
    conclusion: str
    remediation: str
    remediation_deadline: date | None
    locked: bool
    amendment_reason: str | None
    superseded: bool  # a newer version exists
    suggested_conclusion: str
    items: list[ItemView]
    signatures: list[SignatureView]

    @property
    def title(self) -> str:
        where = f"（{self.system}）" if self.system else ""
        return f"{self.template_name}{where} {self.period}"


def _item_view(
    result: ItemResult, fault_numbers: dict[str, str], files: dict[str, int]
) -> ItemView:
    item = result.item
    return ItemView(
        result_id=result.id,
        seq=result.seq,
        system=result.system.name if result.system is not None else "",
        group=item.group,
        title=item.title,
        method=item.method,
        standard=item.standard,
        kind=item.kind,
        params=dict(item.params or {}),
        required=item.required,
        status=result.status,
        value_num=result.value_num,
        value_num2=result.value_num2,
        value_text=result.value_text,
        note=result.note,
        action=result.action,
        fault_id=result.fault_id,
        fault_number=fault_numbers.get(result.id, ""),
        attachments=files.get(result.id, 0),
        display=inspections.result_display(result),
        mismatch=item.kind == "pair"
        and inspections.pair_mismatch(item, result.value_num, result.value_num2),
    )


def _fault_numbers(session: Session, results: list[ItemResult]) -> dict[str, str]:
    """Result id → number of the fault opened from it (linked either way)."""
    by_fault = {r.fault_id: r.id for r in results if r.fault_id}
    ids = {r.id for r in results}
    rows = session.execute(
        select(FaultRecord.id, FaultRecord.number, FaultRecord.source_result_id).where(
            FaultRecord.id.in_(list(by_fault)) | FaultRecord.source_result_id.in_(list(ids))
        )
    ).all()
    numbers: dict[str, str] = {}
    for fault_id, number, source in rows:
        owner = by_fault.get(fault_id) or (source if source in ids else None)
        if owner is not None:
            numbers[owner] = number
    return numbers


def _attachment_counts(session: Session, result_ids: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(Attachment.owner_id, func.count())
        .where(Attachment.owner_type == "item_result", Attachment.owner_id.in_(result_ids))
        .group_by(Attachment.owner_id)
    )
    return {owner: int(n) for owner, n in rows}


def item_view(session: Session, result_id: str) -> ItemView:
    result = _util.get(session, ItemResult, result_id, "检查项")
    return _item_view(
        result, _fault_numbers(session, [result]), _attachment_counts(session, [result.id])
    )


def run_view(session: Session, run_id: str) -> RunView:
    run = session.scalar(
        select(InspectionRun)
        .where(InspectionRun.id == run_id)
        .options(
            selectinload(InspectionRun.results).selectinload(ItemResult.item),
            selectinload(InspectionRun.results).selectinload(ItemResult.system),
        )
    )
    if run is None:
        raise NotFound(f"找不到该巡检记录（{run_id}）。")
    contract = session.get(Contract, run.contract_id)
    assert contract is not None
    holiday = session.get(HolidayPeriod, run.holiday_period_id) if run.holiday_period_id else None
    results = sorted(run.results, key=lambda r: r.seq)
    numbers = _fault_numbers(session, results)
    files = _attachment_counts(session, [r.id for r in results])
    newer = session.scalar(
        select(InspectionRun.id).where(InspectionRun.supersedes_id == run.id).limit(1)
    )
    return RunView(
        id=run.id,
        contract_code=contract.code,
        contract_name=contract.name,
        template_code=run.template.code,
        template_name=run.template.name,
        cadence=run.cadence,
        period=period_label(run.cadence, run.period_key, holiday.name if holiday else None),
        scheduled_date=run.scheduled_date,
        system=run.system.name if run.system is not None else "",
        status=run.status,
        inspector=run.inspector,
        conclusion=run.conclusion,
        remediation=run.remediation,
        remediation_deadline=run.remediation_deadline,
        locked=run.locked_at is not None,
        amendment_reason=run.amendment_reason,
        superseded=newer is not None,
        suggested_conclusion=inspections.suggest_conclusion(run),
        items=[_item_view(r, numbers, files) for r in results],
        signatures=[
            SignatureView(s.role, s.signer_name, s.signed_at, s.image_sha256)
            for s in signing.signatures_of(session, "inspection_run", run.id)
        ],
    )


def occurrence_date(window_start: date, deadline: date, today: date) -> date:
    """The date a run for an occurrence is scheduled on: today if it lies in the window."""
    return today if window_start <= today <= deadline else window_start


def run_for_occurrence(
    session: Session,
    contract: Contract | str,
    template_code: str,
    *,
    window_start: date,
    deadline: date,
    today: date,
    inspector: str,
    system_code: str | None = None,
    holiday_period_id: str | None = None,
) -> InspectionRun:
    """The run of a due checklist occurrence: the latest existing version, else a new one."""
    contract = _util.contract_of(session, contract)
    template = inspections.template_of(session, contract, template_code)
    scheduled = occurrence_date(window_start, deadline, today)
    key = inspections.period_key_of(template.cadence, scheduled, holiday_period_id)
    existing = inspections.existing_run(session, contract, template_code, key, system_code)
    if existing is not None:
        return existing
    return inspections.start_run(
        session,
        contract,
        template_code,
        scheduled_date=scheduled,
        system_code=system_code,
        holiday_period_id=holiday_period_id,
        inspector=inspector,
    )


__all__ = [
    "ItemView",
    "RunView",
    "SignatureView",
    "item_view",
    "occurrence_date",
    "run_for_occurrence",
    "run_view",
]
