"""How the demo's runs, calls, faults and their signatures are written: in bulk, or by the services.

:class:`BulkWriter` (what :func:`app.demo.generator.generate` uses) inserts a
month's runs and item results, its calls, its faults, and their signatures a
table at a time (:func:`app.storage.bulk.insert_rows`), and makes what the
services would have made on the way: stamps and audit entries
(:mod:`app.storage.bulk`), content hashes
(:func:`app.records.signing.content_hashes`, over the rows as stored), sealed
signatures, locks, and (once a month, :meth:`BulkWriter.settle`) the search
index. :class:`ServiceWriter` does the same through the ORM, the fault services
and :func:`app.records.signing.sign`, as the app does for a user;
``tests/test_demo_bulk.py`` proves both give the same store.

Both take the records in the order the services would meet them, so the audit
chain lists them in the same order: a month's runs (with their item results),
then its calls, each as one flush of new records; then each fault as two saves,
its opening (with the item or call it comes from) and its report (texts, times,
outage, close: one ``update`` entry); and signatures one by one, each followed
by the lock it makes (a flush of several changed records would list them in an
order of its own).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.demo.rows import DemoRow, FaultPlan, FaultRow, RequestRow, ResultRow, RunRow
from app.errors import DomainError
from app.integrity import seals
from app.records import _util, inspections, signing
from app.records import faults as fault_svc
from app.records import requests as request_svc
from app.records.attachments import store_blob
from app.search import index as search_index
from app.storage import guards
from app.storage.bulk import BulkAudit, column_values, insert_rows
from db.models import (
    ChecklistItem,
    Contract,
    FaultRecord,
    ItemResult,
    Signature,
    System,
    new_id,
    now,
)

#: one signature to make: the record, its role, the signer, when, the signature image
SignatureTodo = tuple[DemoRow, str, str, datetime, bytes]


class Writer(Protocol):
    def add(self, records: list[DemoRow]) -> None: ...

    def faults(self, plans: list[FaultPlan]) -> None: ...

    def sign(self, todo: list[SignatureTodo]) -> None: ...

    def settle(self) -> None:
        """Bring what is kept beside the records (the search index) up to date."""


def _unfinished(record: DemoRow) -> bool:
    """What :func:`signing.sign` refuses to sign: a run or call not done, a fault not closed."""
    if isinstance(record, FaultRow):
        return record.closed_at is None
    return record.status in ("draft", "open")


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

    def faults(self, plans: list[FaultPlan]) -> None:
        """Each fault through the services, saved twice: opened, then its report."""
        for plan in plans:
            self.s.flush()
            with self.s.no_autoflush:
                fault = self._open(plan)
                fault.created_at = plan.opened["created_at"]
                fault.created_by = plan.opened["created_by"]
            self.s.flush()
            self.s.refresh(fault)  # the report is saved on the fault as stored, as in the form
            if fault.number != plan.fault.number:
                raise DomainError("演示数据：故障单号与计划的不一致。")
            plan.fault.id = fault.id
            if plan.source is not None and plan.source_changes:
                plan.source.__dict__.update(plan.source_changes | {"fault_id": fault.id})
            with self.s.no_autoflush:
                fault_svc.update_fault(self.s, fault.id, **plan.report)
                for step, when in plan.steps:
                    fault_svc.set_time(self.s, fault.id, step, when, now=self.now)
                if plan.outage is not None:
                    fault_svc.set_outage(self.s, fault.id, **plan.outage, now=self.now)
                if plan.close is not None:
                    when, result = plan.close
                    fault_svc.close_fault(self.s, fault.id, when, result=result, now=self.now)
            self.s.flush()

    def _open(self, plan: FaultPlan) -> FaultRecord:
        opened = plan.opened
        if isinstance(plan.source, ResultRow):
            return inspections.open_fault_from_result(
                self.s,
                plan.source.id,
                reported_at=opened["reported_at"],
                level=opened["level"],
                actor=opened["handler"],
                now=self.now,
            )
        if isinstance(plan.source, RequestRow) and plan.escalated is not None:
            at, note = plan.escalated
            escalation = request_svc.escalate(
                self.s,
                plan.source.id,
                "fault",
                at,
                note,
                opened["level"],
                title=opened["title"],
                now=self.now,
            )
            assert escalation.fault is not None
            return escalation.fault
        contract = self.s.get(Contract, opened["contract_id"])
        assert contract is not None
        system = plan.fault.system
        return fault_svc.create_fault(
            self.s,
            contract,
            title=opened["title"],
            level=opened["level"],
            reported_at=opened["reported_at"],
            system_code=system.code if system is not None else None,
            discovery=opened["discovery"],
            category=opened["category"],
            emergency_type=opened["emergency_type"],
            holiday_period_id=opened["holiday_period_id"],
            handler=opened["handler"],
            coordinator=opened["coordinator"],
            now=self.now,
        )

    def sign(self, todo: list[SignatureTodo]) -> None:
        for item in todo:
            self._sign(*item)
            self.s.flush()

    def settle(self) -> None:
        """Nothing to do: the session's flushes keep the search index."""

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
        #: signature images known to be stored, and their SHA-256
        self.images: dict[bytes, str] = {}
        #: content hashes of records signed here: a locked record's content cannot change
        self.digests: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        #: (table, id) of what the search index does not know yet, and the records written
        #: since it was last brought up to date (:meth:`settle`)
        self.unindexed: dict[tuple[str, str], None] = {}
        self.written: set[str] = set()

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
            self._written(record)
        insert_rows(self.s, records[0].table(), parents)
        if children:
            insert_rows(self.s, ItemResult.__table__, children)  # type: ignore[arg-type]
        audit.finish()

    def faults(self, plans: list[FaultPlan]) -> None:
        """Each fault's opening and report, as :class:`ServiceWriter`'s two saves record them."""
        if not plans:
            return
        self.s.flush()
        audit = BulkAudit(self.s)
        table = FaultRecord.__tablename__
        rows: list[dict[str, Any]] = []
        changed: list[tuple[DemoRow, dict[str, Any]]] = []
        for plan in plans:
            opened = dict(plan.opened)
            audit.create(table, opened)
            source = plan.source
            if source is not None and plan.source_changes:
                before = source.values()
                stamps = audit.update(source.table().name, before, before | plan.source_changes)
                source.__dict__.update(plan.source_changes)
                if stamps:
                    changed.append((source, plan.source_changes | stamps))
            final = plan.fault.values()
            final |= {key: opened[key] for key in ("updated_by", "device_id", "device_seq")}
            rows.append(final | audit.update(table, opened, final))
            self._written(plan.fault)
        insert_rows(self.s, FaultRecord.__table__, rows)  # type: ignore[arg-type]
        self._update(changed)
        audit.finish()

    def sign(self, todo: list[SignatureTodo]) -> None:
        if not todo:
            return
        for png in {item[4] for item in todo}:
            self._store_image(png)
        self.s.flush()
        digests = self._digests(todo)
        audit = BulkAudit(self.s)
        key = guards.device_of(self.s)
        signatures = [
            self._signature(record, role, name, when, png, digests[record.id])
            for record, role, name, when, png in todo
        ]
        seals.seal_many(key, [_Columns(s) for s in signatures])  # sets device_id, device_sig
        locks: list[tuple[DemoRow, dict[str, Any]]] = []
        for (record, role, _name, _when, _png), signature in zip(todo, signatures, strict=True):
            audit.sign(signature)
            if record.locked_at is None:
                locks.append((record, self._lock(audit, record, signature)))
                _signed(record, signature["signed_at"])
            if role == search_index.REVIEWER_ROLE and record.id not in self.written:
                self.unindexed[(record.table().name, record.id)] = None  # now reviewed
        insert_rows(self.s, Signature.__table__, signatures)  # type: ignore[arg-type]
        self._update(locks)
        audit.finish()

    def settle(self) -> None:
        """Index what was written since the last time (one pass, e.g. a month's records)."""
        if self.unindexed:
            search_index.refresh(self.s.connection(), list(self.unindexed))
        self.unindexed = {}
        self.written = set()

    def _written(self, record: DemoRow) -> None:
        """Note a new record for the index: a run by its findings, a call or fault itself."""
        self.written.add(record.id)
        if isinstance(record, RunRow):
            for result in record.results:
                if result.status in search_index.FINDING_STATUSES:
                    self.unindexed[(ItemResult.__tablename__, result.id)] = None
        else:
            self.unindexed[(record.table().name, record.id)] = None

    def _update(self, changes: list[tuple[DemoRow, dict[str, Any]]]) -> None:
        """Write changed columns of stored records: one executemany per table."""
        by_table: dict[Any, list[dict[str, Any]]] = {}
        for record, changed in changes:  # parameters named apart from the columns they set
            params = {f"p_{key}": value for key, value in changed.items()}
            by_table.setdefault(record.table(), []).append(params | {"p_id": record.id})
        for table, rows in by_table.items():
            columns = {key[2:]: bindparam(key) for key in rows[0] if key != "p_id"}
            query = update(table).where(table.c.id == bindparam("p_id")).values(columns)
            self.s.connection().execute(query, rows)

    def _digests(self, todo: list[SignatureTodo]) -> dict[str, str]:
        """Content hashes of the records (locked ones remembered).

        A run's from the values written (its results', 30,000 a year, are not read
        back); a call's or fault's over its row as stored.
        """
        wanted: dict[str, list[str]] = {}
        for record, *_rest in todo:
            if _unfinished(record):
                raise DomainError("演示数据：未完成的记录不能签字。")
            if record.id in self.digests:
                continue
            if isinstance(record, RunRow):
                self.digests[record.id] = self._run_hash(record)
            else:
                wanted.setdefault(record.table().name, []).append(record.id)
        for record_type, ids in wanted.items():
            self.digests |= signing.content_hashes(self.s, record_type, list(dict.fromkeys(ids)))
        return self.digests

    def _run_hash(self, run: RunRow) -> str:
        if not self.codes:  # checklist items' and systems' codes by id, read once
            for model in (ChecklistItem, System):
                self.codes |= {i: c for i, c in self.s.execute(select(model.id, model.code))}
        results = []
        for result in run.results:
            values = result.values()
            system = self.codes.get(values["system_id"]) if values["system_id"] else None
            results.append((values, self.codes[values["item_id"]], system))
        return signing.new_run_hash(run.values(), results)

    def _signature(
        self, record: DemoRow, role: str, name: str, when: datetime, png: bytes, digest: str
    ) -> dict[str, Any]:
        """The signature :func:`signing.sign` would make (its image stored by :meth:`sign`)."""
        if record.supersedes_id is not None:
            raise DomainError("演示数据：更正记录由签字服务签字。")
        return column_values(
            Signature.__table__,  # type: ignore[arg-type]
            {
                "id": new_id(),
                "record_type": str(record.table().name),  # plain text, not quoted_name
                "record_id": record.id,
                "role": role,
                "signer_name": _util.text(
                    name, "签字人姓名", required=True, limit=_util.NAME_LIMIT
                ),
                "signed_at": _util.moment(when, "签字时间"),
                "image_sha256": self.images[png],
                "content_sha256": digest,
                "record_version": 1,
                "created_at": now(),
                "updated_at": now(),
            },
        )

    def _store_image(self, png: bytes) -> None:
        """A signature image checked and stored once, as :func:`signing.sign` stores it."""
        if png not in self.images:
            signing.png_info(png)
            self.images[png] = store_blob(self.s, png)

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
