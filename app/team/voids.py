"""作废 and amendment conflicts: the two record states a merge can bring that need a person.

- :func:`void` declares a record void with a reason (append-only
  ``record_void``). Every version of the record — the original and its
  amendments — is void: it leaves due lists, statistics and packs
  (:func:`voided_ids`), and stays void after any merge, because a void is a
  row of its own that bundles carry and nothing removes.
- :func:`conflicts`: one original amended on two laptops has two amendments,
  both kept by the merge. The PM resolves it by amending the one that stands
  (saying why in the reason); a conflict with a further amendment on one of
  its branches is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records import _util, signing
from app.storage.team_state import voided_ids
from db.models import SIGNABLE_TYPES, RecordVoid, now

__all__ = ["Conflict", "conflicts", "void", "voided_ids"]


def void(
    session: Session, record_type: str, record_id: str, *, reason: str, actor: str
) -> RecordVoid:
    """作废 a signed record (with every version of it)."""
    record = signing.get_record(session, record_type, record_id)
    text = _util.text(reason, "作废原因", required=True, limit=signing.REASON_LIMIT)
    who = _util.text(actor, "作废人", required=True, limit=_util.NAME_LIMIT)
    if record.locked_at is None:
        raise DomainError("该记录尚未签字：未签字的记录可直接删除，不需要作废。")
    if record.id in voided_ids(session):
        raise DomainError("该记录已作废。")
    row = RecordVoid(
        record_type=record_type, record_id=record.id, reason=text, voided_by=who, voided_at=now()
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class Conflict:
    record_type: str
    original_id: str
    amendment_ids: tuple[str, ...]
    label: str
    amended_by: tuple[str, ...]

    def line(self) -> str:
        who = "、".join(self.amended_by)
        count = len(self.amendment_ids)
        return f"{self.label}：有 {count} 份并行的更正（{who}），请在保留的那份上再更正。"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "amendments",
            "record_type": self.record_type,
            "original_id": self.original_id,
            "amendment_ids": list(self.amendment_ids),
            "label": self.label,
            "amended_by": list(self.amended_by),
        }


def conflicts(session: Session) -> list[Conflict]:
    """Originals with two or more amendments, none of them amended further."""
    from app.records.integrity_check import record_label

    found: list[Conflict] = []
    for record_type, model in SIGNABLE_TYPES.items():
        rows = session.execute(
            select(model.id, model.supersedes_id, model.created_by, model.created_at)  # type: ignore[attr-defined]
        ).all()
        successors: dict[str, list[Any]] = {}
        for row in rows:
            if row.supersedes_id is not None:
                successors.setdefault(row.supersedes_id, []).append(row)
        for original, branches in successors.items():
            if len(branches) < 2 or any(b.id in successors for b in branches):
                continue
            branches.sort(key=lambda b: (b.created_at or datetime.min, b.id))
            record = session.get(model, original)
            label = record_label(record) if record is not None else original[:8]
            found.append(
                Conflict(
                    record_type,
                    original,
                    tuple(b.id for b in branches),
                    label,
                    tuple(b.created_by or "—" for b in branches),
                )
            )
    return found
