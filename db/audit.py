"""The append-only, hash-chained audit log.

Each entry's hash covers its own content and the previous entry's hash, so a
changed, removed or reordered row breaks the chain at that point. SQLite
triggers refuse UPDATE and DELETE on the table; the chain catches edits made
to the file by other means.

Each device keeps its own chain (revision 0009): its entries are numbered
``device_seq`` 1, 2, … and the hash covers that number, so a colleague's chain
arrives by an exchange bundle unchanged and verifies in any store. ``seq`` is
only the order in which entries arrived in this store.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from db import canonical
from db.models import AuditEntry, now

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON used for every hash in the app (:mod:`db.canonical`)."""
    return canonical.text(value, json_default)


def canonical_bytes(value: Any) -> bytes:
    """:func:`canonical_json` encoded as UTF-8: what the hashes cover."""
    return canonical.dumps(value, json_default)


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
    body = canonical_bytes(
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
    return hashlib.sha256(body).hexdigest()


#: a device's last entry, and the store's last ``seq`` (built once: every flush asks)
_LAST_OF_DEVICE = (
    select(AuditEntry.device_seq, AuditEntry.hash)
    .where(AuditEntry.device_id == bindparam("device_id"))
    .order_by(AuditEntry.device_seq.desc())
    .limit(1)
)
_LAST_SEQ = select(func.max(AuditEntry.seq))


class AuditWriter:
    """Appends entries of one device's chain in one session, continuing from its last entry."""

    def __init__(self, session: Session, device_id: str) -> None:
        with session.no_autoflush:
            last = session.execute(_LAST_OF_DEVICE, {"device_id": device_id}).first()
            self.local = session.scalar(_LAST_SEQ) or 0
        self.session = session
        self.device_id = device_id
        self.seq, self.prev = (last[0], last[1]) if last else (0, GENESIS)

    def append(
        self, actor: str, action: str, entity: str, entity_id: str, details: dict[str, Any]
    ) -> AuditEntry:
        entry = AuditEntry(**self.row(actor, action, entity, entity_id, details))
        self.session.add(entry)
        return entry

    def row(
        self, actor: str, action: str, entity: str, entity_id: str, details: dict[str, Any]
    ) -> dict[str, Any]:
        """The next entry as column values, for a caller inserting many at once (Core)."""
        details = json.loads(canonical_bytes(details))  # what is stored is what was hashed
        self.seq += 1
        self.local += 1
        at = now()
        digest = entry_hash(self.seq, at, actor, action, entity, entity_id, details, self.prev)
        values = {
            "seq": self.local,
            "at": at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "details": details,
            "prev_hash": self.prev,
            "hash": digest,
            "device_id": self.device_id,
            "device_seq": self.seq,
        }
        self.prev = digest
        return values


def row_hash(row: Any, number: int | None = None) -> str:
    """The hash an audit row (ORM or Core mapping) should have, by its own content.

    ``number`` is its place in its chain: ``device_seq`` unless given (a row from before
    devices is numbered by ``seq``, see :func:`verify_chain`).
    """
    return entry_hash(
        row.device_seq if number is None else number,
        row.at,
        row.actor,
        row.action,
        row.entity,
        row.entity_id,
        row.details,
        row.prev_hash,
    )


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # device_seq of the first entry that does not verify
    reason: str = ""
    device_id: str | None = None  # the chain that broke
    chains: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session) -> ChainReport:
    """Walk every device's chain in order and report the first broken link.

    Entries without a device (a store from before devices that no device has
    written since) form one chain of their own, numbered by ``seq``.
    """
    count = 0
    chains: dict[str | None, tuple[int, str]] = {}
    broken: ChainReport | None = None
    table = AuditEntry.__table__
    query = select(table).order_by(table.c.device_id, table.c.device_seq, table.c.seq)
    # streamed in batches: a long log is never held in memory at once (the window checks it).
    # Rows, not ORM objects: building 20,000 entries' objects took a third of the walk.
    rows = session.execute(query.execution_options(yield_per=1000))
    seen: set[str | None] = set()  # every chain, also those after a break
    for row in rows:
        count += 1
        seen.add(row.device_id)
        if broken is not None:
            continue
        number = row.device_seq if row.device_id is not None else row.seq
        expected, prev = chains.get(row.device_id, (1, GENESIS))
        where = row.device_id
        if number != expected:
            broken = ChainReport(count, expected, f"缺少第 {expected} 条记录", where)
        elif row.prev_hash != prev:
            broken = ChainReport(count, number, "与上一条记录的链接不符", where)
        elif row_hash(row, number) != row.hash:
            broken = ChainReport(count, number, "记录内容被改动", where)
        chains[row.device_id] = (expected + 1, row.hash)
    if broken is not None:
        return ChainReport(count, broken.broken_at, broken.reason, broken.device_id, len(seen))
    return ChainReport(count, None, chains=len(seen))
