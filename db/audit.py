"""The append-only, hash-chained audit log.

Each entry's hash covers its own content and the previous entry's hash, so a
changed, removed or reordered row breaks the chain at that point. SQLite
triggers refuse UPDATE and DELETE on the table; the chain catches edits made
to the file by other means.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEntry, now

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON used for every hash in the app."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=json_default
    )


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def entry_hash(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    body = canonical_json(
        {
            "seq": seq,
            "at": at.isoformat(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "details": details,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class AuditWriter:
    """Appends entries in one session, continuing the chain from the last row."""

    def __init__(self, session: Session) -> None:
        with session.no_autoflush:
            last = session.execute(
                select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
            ).first()
        self.session = session
        self.seq, self.prev = (last[0], last[1]) if last else (0, GENESIS)

    def append(
        self, actor: str, action: str, entity: str, entity_id: str, details: dict[str, Any]
    ) -> AuditEntry:
        details = json.loads(canonical_json(details))  # what is stored is what was hashed
        self.seq += 1
        at = now()
        digest = entry_hash(self.seq, at, actor, action, entity, entity_id, details, self.prev)
        entry = AuditEntry(
            seq=self.seq,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=details,
            prev_hash=self.prev,
            hash=digest,
        )
        self.prev = digest
        self.session.add(entry)
        return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # seq of the first entry that does not verify
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole log in order and report the first broken link."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for row in rows:
        count += 1
        if row.seq != expected_seq:
            return ChainReport(count, expected_seq, f"缺少第 {expected_seq} 条记录")
        if row.prev_hash != prev:
            return ChainReport(count, row.seq, "与上一条记录的链接不符")
        digest = entry_hash(
            row.seq,
            row.at,
            row.actor,
            row.action,
            row.entity,
            row.entity_id,
            row.details,
            row.prev_hash,
        )
        if digest != row.hash:
            return ChainReport(count, row.seq, "记录内容被改动")
        prev = row.hash
        expected_seq += 1
    return ChainReport(count, None)
