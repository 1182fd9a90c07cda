"""What the 「团队」 page lists after exchanges: quarantined bundle rows and amendment conflicts.

Read-only; the rows themselves are written by :mod:`app.team.merge` (quarantine)
and resolved by the PM with a further amendment (:mod:`app.team.voids`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.team import tables
from app.team.voids import Conflict, conflicts
from db.models import Quarantine, TeamDevice


@dataclass(frozen=True)
class Quarantined:
    at: datetime
    kind: str  # the table's Chinese name
    record_id: str
    reason: str
    signer: str  # engineer or short code of the bundle's signer, else its device
    bundle_sha256: str


def quarantined(session: Session, limit: int = 500) -> list[Quarantined]:
    """Bundle rows that were not merged (same id, other content), newest first."""
    names = {
        r.device_id: r.engineer or r.code for r in session.scalars(select(TeamDevice)) if r.engineer
    }
    rows = session.scalars(select(Quarantine).order_by(Quarantine.at.desc()).limit(limit))
    return [
        Quarantined(
            row.at,
            tables.LABELS.get(row.record_type, row.record_type),
            row.record_id,
            row.reason,
            names.get(row.signer_device_id, row.signer_device_id[:8]),
            row.bundle_sha256,
        )
        for row in rows
    ]


def open_conflicts(session: Session) -> list[Conflict]:
    """Originals amended on two laptops, waiting for the PM's further amendment."""
    return conflicts(session)
