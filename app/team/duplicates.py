"""One check of one period signed on two laptops: shown to the PM, resolved by 作废.

On one laptop a second run of a template for the same period (and system) is
refused (:func:`app.records.inspections.start_run`), but two engineers working
offline can each do the day's check, and a merge keeps both: each is a genuine
signed record, so neither is dropped or preferred silently. Until the PM voids
the extra one (:func:`app.team.voids.void`) both stay listed — on the 「团队」
page, by ``omw team conflicts`` and in the import report (:func:`duplicate_runs`)
— and a pack whose forms would print both lists those forms as 「待补充」
(:mod:`app.export.completeness`, grouping as :func:`app.records.slots.same_period`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.records.slots import same_period, signed_current
from db.models import ChecklistTemplate, HolidayPeriod, InspectionRun, System, TeamDevice


@dataclass(frozen=True)
class SignedRun:
    """One of the runs of a slot: who did it, where and when."""

    id: str
    inspector: str
    device: str  # the short code (or engineer) of the device that wrote it
    completed_at: datetime | None

    def person(self) -> str:
        """The inspector and the device's short code: 张三（ZS）."""
        return f"{self.inspector}（{self.device}）" if self.device else self.inspector

    def label(self) -> str:
        when = f" {self.completed_at:%m-%d %H:%M} 完成" if self.completed_at else ""
        return f"{self.person()}{when}"


@dataclass(frozen=True)
class DuplicateRuns:
    """Two or more signed runs of the same template, period and system."""

    label: str  # template, period and system, e.g. 日常巡检 2026-10-05（门户网站）
    runs: tuple[SignedRun, ...]
    record_type: str = "inspection_run"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.runs)

    def who(self) -> str:
        return "、".join(r.label() for r in self.runs)

    def line(self) -> str:
        return (
            f"{self.label}：同一周期有 {len(self.runs)} 份已签字的巡检记录（{self.who()}），"
            "请作废多出的一份。"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "same_period",
            "record_type": self.record_type,
            "record_ids": list(self.ids),
            "label": self.label,
            "runs": [
                {
                    "id": r.id,
                    "inspector": r.inspector,
                    "device": r.device,
                    "completed_at": r.completed_at.isoformat() if r.completed_at else None,
                }
                for r in self.runs
            ],
        }


def duplicate_runs(session: Session, touching: set[str] | None = None) -> list[DuplicateRuns]:
    """Signed runs sharing a slot with another (current versions, none voided).

    ``touching``: only the groups holding one of these run ids (what an import brought).
    """
    r = InspectionRun
    current = signed_current(
        session,
        r.cadence,
        r.holiday_period_id,
        r.scheduled_date,
        r.inspector,
        r.completed_at,
        r.device_id,
    )
    groups = same_period(current)
    if touching is not None:
        groups = [g for g in groups if touching & {row.id for row in g}]
    if not groups:
        return []
    templates = dict(session.execute(select(ChecklistTemplate.id, ChecklistTemplate.name)).all())
    systems = dict(session.execute(select(System.id, System.name)).all())
    holidays = dict(session.execute(select(HolidayPeriod.id, HolidayPeriod.name)).all())
    devices = {d.device_id: d.code or d.engineer for d in session.scalars(select(TeamDevice))}
    found = []
    for group in groups:
        group.sort(key=lambda row: (row.scheduled_date, row.completed_at or datetime.min, row.id))
        first = group[0]
        system = f"（{systems.get(first.system_id, '')}）" if first.system_id else ""
        period = first.period_key
        if first.holiday_period_id is not None:  # its key holds the holiday's id: name it
            day = f" {first.scheduled_date}" if first.cadence == "holiday_daily" else ""
            period = f"{holidays.get(first.holiday_period_id, '节假日')}{day}"
        found.append(
            DuplicateRuns(
                f"{templates.get(first.template_id, '巡检')} {period}{system}",
                tuple(
                    SignedRun(
                        row.id,
                        row.inspector,
                        devices.get(row.device_id or "", "") or (row.device_id or "")[:8],
                        row.completed_at,
                    )
                    for row in group
                ),
            )
        )
    found.sort(key=lambda d: d.label)
    return found
