"""What the team features leave in a store that the layers below them read.

- :func:`voided_ids`: records declared void (作废, ``record_void``; declared by
  :mod:`app.team.voids`), which due lists, statistics and packs leave out;
- :func:`number_stem`: this laptop's short code in human numbers
  (``GZ-202611-ZS-004``; set by :mod:`app.team.identity`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.storage import guards
from app.storage.void_chains import void_closure
from db.models import SIGNABLE_TYPES, RecordVoid, TeamDevice


def voided_ids(session: Session) -> set[str]:
    """Ids of every version (original and amendments) of every voided record."""
    named = set(session.scalars(select(RecordVoid.record_id)))
    if not named:
        return set()

    def links(ids: list[str]) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = []
        for model in SIGNABLE_TYPES.values():
            ident, up = model.id, model.supersedes_id  # type: ignore[attr-defined]
            query = select(ident, up).where(or_(ident.in_(ids), up.in_(ids)))
            found += [(rid, parent) for rid, parent in session.execute(query)]
        return found

    return void_closure(named, links)


def own_identity(session: Session) -> TeamDevice | None:
    """This laptop's ``team_device`` row (engineer and short code), if set."""
    row = session.get(TeamDevice, guards.device_of(session).device_id)
    return row if row is not None and row.own else None


def number_stem(session: Session, prefix: str, when: datetime) -> tuple[str, int]:
    """The stem and digit count of this laptop's human numbers in the month of ``when``.

    ``GZ-202611-ZS-`` and 3 digits with a short code set; ``GZ-202611-`` and 4
    (the numbers made before teams) without one.
    """
    row = own_identity(session)
    if row is not None and row.code:
        return f"{prefix}-{when:%Y%m}-{row.code}-", 3
    return f"{prefix}-{when:%Y%m}-", 4
