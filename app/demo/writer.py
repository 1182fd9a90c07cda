"""How the demo's runs, calls and their signatures are written: in bulk, or by the services.

:class:`BulkWriter` (what :func:`app.demo.generator.generate` uses) inserts a
day's runs and item results, a month's calls, and their signatures with one
``executemany`` per table, and makes what the services would have made on the
way: stamps and audit entries (:mod:`app.storage.bulk`), content hashes
(:func:`app.records.signing.content_hashes`, over the rows as stored), sealed
signatures, locks, the search index. :class:`ServiceWriter` does the same
through the ORM and :func:`app.records.signing.sign`, as the app does for a
user; ``tests/test_demo_bulk.py`` proves both give the same store.

Both take the records in the order the services would meet them, so the audit
chain lists them in the same order: a month's runs (with their item results),
then its calls, each as one flush of new records, and signatures one by one,
each followed by the lock it makes (a flush of several changed records would
list them in an order of its own).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.demo.rows import DemoRow, RunRow
from app.errors import DomainError
from app.integrity import seals
from app.records import _util, signing
from app.records.attachments import store_blob
from app.search import index as search_index
from app.storage import guards
from app.storage.bulk import BulkAudit, column_values, insert_rows
from db.models import ItemResult, Signature, new_id, now

#: one signature to make: the record, its role, the signer, when, the signature image
SignatureTodo = tuple[DemoRow, str, str, datetime, bytes]


class Writer(Protocol):
    def add(self, records: list[DemoRow]) -> None: ...

    def sign(self, todo: list[SignatureTodo]) -> None: ...


def _signed(record: DemoRow, when: datetime) -> None:
    """What the first signature does to the generator's copy of a record."""
    if record.locked_at is None:
        record.locked_at = when
        if isinstance(record, RunRow):
            record.status = "signed"


class ServiceWriter:
    """Through the ORM session and the signing service, as the app writes a user's records."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.s = session
        self.now = now

    def add(self, records: list[DemoRow]) -> None:
        self.s.add_all([record.orm() for record in records])
        self.s.flush()

    def sign(self, todo: list[SignatureTodo]) -> None:
        for item in todo:
            self._sign(*item)
            self.s.flush()

    def _sign(self, record: DemoRow, role: str, name: str, when: datetime, png: bytes) -> None:
        signing.sign(
            self.s,
            record.table().name,
            record.id,
            role=role,
            signer_name=name,
            png=png,
            signed_at=when,
            now=self.now,
        )
        _signed(record, when)


class BulkWriter:
    """With Core, making the same rows, stamps and audit entries as :class:`ServiceWriter`."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.s = session
        self.now = now
        self.images: set[str] = set()  # signature images known to be stored
        #: content hashes of records signed here: a locked record's content cannot change
        self.digests: dict[str, str] = {}

    def add(self, records: list[DemoRow]) -> None:
        if not records:
            return
        self.s.flush()  # anything pending comes first, as in a flush of its own
        audit = BulkAudit(self.s)
        parents: list[dict[str, Any]] = []
        children: list[dict[str, Any]] = []
        for record in records:
            values = record.values()
            audit.create(record.table().name, values)
            parents.append(values)
            results = [result.values() for result in getattr(record, "results", None) or []]
            audit.children(results)
            children += results
        insert_rows(self.s, records[0].table(), parents)
        if children:
            insert_rows(self.s, ItemResult.__table__, children)  # type: ignore[arg-type]
        audit.finish()
        search_index.refresh(
            self.s.connection(), [(record.table().name, record.id) for record in records]
        )

    def sign(self, todo: list[SignatureTodo]) -> None:
        if not todo:
            return
        for png in {item[4] for item in todo}:
            self._store_image(png)
        self.s.flush()
        digests = self._digests(todo)
        audit = BulkAudit(self.s)
        key = guards.device_of(self.s)
        signatures: list[dict[str, Any]] = []
        locks: list[tuple[DemoRow, dict[str, Any]]] = []
        for record, role, name, when, png in todo:
            signature = self._signature(record, role, name, when, png, digests[record.id])
            seals.seal(key, _Columns(signature))  # sets its device_id and device_sig
            audit.sign(signature)
            signatures.append(signature)
            if record.locked_at is None:
                locks.append((record, self._lock(audit, record, signature)))
                _signed(record, signature["signed_at"])
        insert_rows(self.s, Signature.__table__, signatures)  # type: ignore[arg-type]
        by_table: dict[Any, list[dict[str, Any]]] = {}
        for record, changed in locks:  # parameters named apart from the columns they set
            params = {f"p_{key}": value for key, value in changed.items()}
            by_table.setdefault(record.table(), []).append(params | {"p_id": record.id})
        for table, rows in by_table.items():
            columns = {key[2:]: bindparam(key) for key in rows[0] if key != "p_id"}
            query = update(table).where(table.c.id == bindparam("p_id")).values(columns)
            self.s.connection().execute(query, rows)  # one executemany per table
        audit.finish()
        reviewed = [(r.table().name, r.id) for r, role, *_ in todo if role == "复核人"]
        search_index.refresh(self.s.connection(), reviewed)

    def _digests(self, todo: list[SignatureTodo]) -> dict[str, str]:
        """Content hashes of the records, over their rows as stored (locked ones remembered)."""
        wanted: dict[str, list[str]] = {}
        for record, *_rest in todo:
            if record.status in ("draft", "open"):
                raise DomainError("演示数据：未完成的记录不能签字。")
            if record.id not in self.digests:
                wanted.setdefault(record.table().name, []).append(record.id)
        for record_type, ids in wanted.items():
            self.digests |= signing.content_hashes(self.s, record_type, list(dict.fromkeys(ids)))
        return self.digests

    def _signature(
        self, record: DemoRow, role: str, name: str, when: datetime, png: bytes, digest: str
    ) -> dict[str, Any]:
        """The signature :func:`signing.sign` would make (its image already stored)."""
        if record.supersedes_id is not None:
            raise DomainError("演示数据：更正记录由签字服务签字。")
        return column_values(
            Signature.__table__,  # type: ignore[arg-type]
            {
                "id": new_id(),
                "record_type": record.table().name,
                "record_id": record.id,
                "role": role,
                "signer_name": _util.text(
                    name, "签字人姓名", required=True, limit=_util.NAME_LIMIT
                ),
                "signed_at": _util.moment(when, "签字时间"),
                "image_sha256": hashlib.sha256(png).hexdigest(),
                "content_sha256": digest,
                "record_version": 1,
                "created_at": now(),
                "updated_at": now(),
            },
        )

    def _store_image(self, png: bytes) -> None:
        """A signature image checked and stored once, as :func:`signing.sign` stores it."""
        if hashlib.sha256(png).hexdigest() not in self.images:
            signing.png_info(png)
            self.images.add(store_blob(self.s, png))

    @staticmethod
    def _lock(audit: BulkAudit, record: DemoRow, signature: dict[str, Any]) -> dict[str, Any]:
        changed = {"locked_at": signature["signed_at"]}
        if isinstance(record, RunRow):
            changed["status"] = "signed"
        values = record.__dict__ | changed  # what the entry's summary reads (number, period)
        return changed | audit.lock(record.table().name, values)


class _Columns:
    """A signature's column values as attributes, for :func:`seals.seal` (which sets two)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__["_values"] = values

    def __getattr__(self, name: str) -> Any:
        return self._values[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self._values[name] = value


def stored_results(session: Session, ids: list[str]) -> dict[str, ItemResult]:
    """Item results by id as ORM objects (one query), to change a few after writing."""
    return {r.id: r for r in session.scalars(select(ItemResult).where(ItemResult.id.in_(ids)))}
