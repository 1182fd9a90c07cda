"""The schedule's rows read through the ORM (:class:`app.schedule.rows.ScheduleSource`).

What the window, the services and a team hub use: the queries ``due_on`` and
``deadlines`` made before they were split from their rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.registry import get_contract
from app.schedule.holidays import list_periods
from app.schedule.rows import (
    CHUNK,
    OPERATOR,
    ContractLike,
    FaultRow,
    HolidayRow,
    RunRow,
    ScheduleSource,
    SubmissionRow,
    SystemRow,
    TemplateRow,
)
from app.schedule.workcal import WorkCalendar
from app.storage.team_state import voided_ids
from db.models import (
    ChecklistTemplate,
    DeliverableSubmission,
    FaultRecord,
    InspectionRun,
    Signature,
    System,
)


class OrmSource(ScheduleSource):
    def __init__(self, session: Session) -> None:
        self.session = session

    def contract(self, code: str) -> ContractLike:
        return get_contract(self.session, code)

    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_session(self.session)

    def active(self, contract: ContractLike) -> tuple[list[TemplateRow], list[SystemRow]]:
        templates = self.session.scalars(
            select(ChecklistTemplate)
            .where(ChecklistTemplate.contract_id == contract.id, ChecklistTemplate.active)
            .order_by(ChecklistTemplate.seq)
        )
        systems = self.session.scalars(
            select(System)
            .where(System.contract_id == contract.id, System.active)
            .order_by(System.seq)
        )
        return (
            [
                TemplateRow(t.id, t.code, t.name, t.cadence, t.systems_mode, t.system_codes, t.seq)
                for t in templates
            ],
            [SystemRow(s.id, s.code, s.name, s.seq) for s in systems],
        )

    def holidays(
        self, contract: ContractLike, start: date | None = None, end: date | None = None
    ) -> list[HolidayRow]:
        return [
            HolidayRow(p.id, p.name, p.kind, p.start_date, p.end_date)
            for p in list_periods(self.session, contract, start, end)  # reads contract.id
        ]

    def runs(self, contract: ContractLike, keys: Iterable[str]) -> list[RunRow]:
        rows = self.session.execute(
            select(
                InspectionRun.id,
                InspectionRun.template_id,
                InspectionRun.system_id,
                InspectionRun.period_key,
                InspectionRun.status,
                InspectionRun.supersedes_id,
                InspectionRun.started_at,
                InspectionRun.inspector,
            ).where(
                InspectionRun.contract_id == contract.id, InspectionRun.period_key.in_(set(keys))
            )
        )
        return [RunRow(*r) for r in rows]

    def operators(self, run_ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(run_ids), CHUNK):
            chunk = run_ids[start : start + CHUNK]
            found.update(
                self.session.execute(
                    select(Signature.record_id, Signature.signer_name).where(
                        Signature.record_type == "inspection_run",
                        Signature.role == OPERATOR,
                        Signature.record_id.in_(chunk),
                    )
                ).all()
            )
        return found

    def engineers(self) -> list[str]:
        query = select(Signature.signer_name).where(Signature.role == OPERATOR).distinct()
        return sorted(self.session.scalars(query))

    def faults(self, contract: ContractLike) -> list[FaultRow]:
        rows = self.session.execute(
            select(
                FaultRecord.id,
                FaultRecord.number,
                FaultRecord.title,
                FaultRecord.reported_at,
                FaultRecord.closed_at,
                FaultRecord.supersedes_id,
            ).where(FaultRecord.contract_id == contract.id)
        )
        return [FaultRow(*r) for r in rows]

    def submissions(self, contract: ContractLike) -> list[SubmissionRow]:
        rows = self.session.execute(
            select(
                DeliverableSubmission.id,
                DeliverableSubmission.deliverable_code,
                DeliverableSubmission.period_key,
                DeliverableSubmission.state,
                DeliverableSubmission.submitted_at,
                DeliverableSubmission.file_name,
                DeliverableSubmission.file_sha256,
                DeliverableSubmission.note,
            ).where(DeliverableSubmission.contract_id == contract.id)
        )
        return [SubmissionRow(*r) for r in rows]

    def _voided_ids(self) -> set[str]:
        return voided_ids(self.session)
