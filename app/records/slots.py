"""Runs that share a slot: one template's check of one period (and system) done twice.

A laptop refuses a second run of a slot (:func:`app.records.inspections.start_run`);
two laptops working offline can each make one, and a merge keeps both. Who is
shown them and how they are resolved is :mod:`app.team.duplicates`; the pack's
「待补充」 check (:mod:`app.export.completeness`) and the review queue (such a run is
not countersigned in a batch) use the same grouping.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.team_state import voided_ids
from db.models import InspectionRun

T = TypeVar("T")


def slot_of(run: Any) -> tuple[str, str | None, str]:
    """A run's slot: its template, system (none for a grouped check) and period key."""
    return (run.template_id, run.system_id, run.period_key)


def same_period(runs: Iterable[T]) -> list[list[T]]:
    """The runs that share a slot with another, by slot, each group in the order given.

    ``runs`` are current versions (no superseded or voided ones).
    """
    groups: dict[Any, list[T]] = {}
    for run in runs:
        groups.setdefault(slot_of(run), []).append(run)
    return [group for group in groups.values() if len(group) > 1]


def signed_current(session: Session, *columns: Any) -> list[Any]:
    """Rows (id, slot, and ``columns``) of the signed runs no amendment replaced, none voided."""
    r = InspectionRun
    rows = session.execute(
        select(
            r.id, r.template_id, r.system_id, r.period_key, r.supersedes_id, r.locked_at, *columns
        )
    ).all()
    gone = {row.supersedes_id for row in rows if row.supersedes_id} | voided_ids(session)
    return [row for row in rows if row.id not in gone and row.locked_at is not None]


def doubled(session: Session) -> set[str]:
    """Ids of the signed runs that share their slot with another."""
    return {row.id for group in same_period(signed_current(session)) for row in group}
