"""What an exchange bundle carries: rows chosen by :mod:`app.team.tables`, newer than ``since``.

``since`` is what the receiver is known to have — two maps from device id to a
number: ``rows`` (the device's change counter, ``device_seq`` of record rows)
and ``audit`` (the length of the device's audit chain). A row is *newer* when
its device's number is above the receiver's. Children follow their parents
whatever their own number (item results and attachments of a signed record),
and a signature is sent for any signed record of the contracts, so a
countersignature made today on last month's record travels too.

:func:`holdings` is the other side: what this store has, the ``upto`` a bundle's
manifest states (the receiver's next ``since``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.team import tables
from app.team.tables import Exchanged
from db.models import AuditEntry, AuditHead, Blob, Contract, Device, TeamCounter

Vector = dict[str, int]


def empty_since() -> dict[str, Vector]:
    return {"rows": {}, "audit": {}}


@dataclass
class Selection:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    blobs: set[str] = field(default_factory=set)
    devices: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    heads: list[dict[str, Any]] = field(default_factory=list)

    def count(self) -> dict[str, int]:
        counts = {name: len(rows) for name, rows in self.rows.items() if rows}
        if self.blobs:
            counts["blob"] = len(self.blobs)
        if self.audit:
            counts["audit_log"] = len(self.audit)
        return counts


def _chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def contract_ids(session: Session, code: str | None) -> list[str]:
    if code is None:
        return list(session.scalars(select(Contract.id)))
    found = session.scalar(select(Contract.id).where(Contract.code == code))
    if found is None:
        codes = "、".join(session.scalars(select(Contract.code))) or "（无）"
        raise DomainError(f"本机没有合同 “{code}”。本机的合同：{codes}。")
    return [found]


def holdings(session: Session) -> dict[str, Vector]:
    """What this store has of every device (``upto`` of the bundles it writes).

    For a device that wrote here, its change counter; for one met in bundles,
    how far the bundles imported reached without a gap (``have``).
    """
    rows: Vector = {}
    for device_id, value in session.execute(
        select(TeamCounter.device_id, TeamCounter.value).where(
            TeamCounter.name.in_(("seq", "have"))
        )
    ):
        rows[device_id] = max(rows.get(device_id, 0), value)
    audit: Vector = dict(
        session.execute(
            select(AuditEntry.device_id, func.max(AuditEntry.device_seq))
            .where(AuditEntry.device_id.is_not(None))
            .group_by(AuditEntry.device_id)
        ).all()
    )
    return {"rows": rows, "audit": audit}


def _rows(session: Session, spec: Exchanged, **where: list[str]) -> list[dict[str, Any]]:
    table = spec.table
    if not where:
        return [dict(r) for r in session.execute(select(table)).mappings()]
    ((column, values),) = where.items()
    found: list[dict[str, Any]] = []
    for chunk in _chunks(values):
        query = select(table).where(table.c[column].in_(chunk))
        found += [dict(r) for r in session.execute(query).mappings()]
    return found


def select_rows(session: Session, contracts: list[str], since: dict[str, Vector]) -> Selection:
    """Every exchanged row of ``contracts`` the receiver (``since``) may lack."""
    known = since.get("rows", {})
    every = not known and not since.get("audit")

    def newer(row: dict[str, Any]) -> bool:
        device_id = row.get("device_id")
        if device_id is None:
            return every
        return int(row.get("device_seq") or 0) > known.get(device_id, 0)

    chosen = Selection()
    ids_of: dict[str, set[str]] = {}
    signed_ids: dict[str, list[str]] = {}
    faults = _fault_links(session, contracts)
    for spec in tables.TABLES:
        rows = _candidates(session, spec, contracts, ids_of, signed_ids)
        if spec.select == "signed":
            rows = [r for r in rows if faults.ready(r["id"])]
            signed_ids[spec.name] = [r["id"] for r in rows]
            rows = [r for r in rows if newer(r) or any(map(newer, faults.linked(r["id"])))]
        elif spec.select != "child":
            rows = [r for r in rows if newer(r)]
        chosen.rows[spec.name] = [tables.encode(spec.table, r) for r in rows]
        ids_of[spec.name] = {r["id"] for r in rows}
    for row in chosen.rows.get("attachment", []):
        chosen.blobs.add(row["blob_sha256"])
    for row in chosen.rows.get("signature", []):
        chosen.blobs.add(row["image_sha256"])
    chosen.devices = [
        {"id": d.id, "public_key": d.public_key, "label": d.label, "created_at": d.created_at}
        for d in session.scalars(select(Device))
    ]
    for d in chosen.devices:
        d["created_at"] = d["created_at"].isoformat()
    chosen.audit = _audit(session, since.get("audit", {}))
    chains = {entry["device_id"] for entry in chosen.audit}
    chosen.heads = [
        {
            "device_id": h.device_id,
            "seq": h.seq,
            "hash": h.hash,
            "at": h.at.isoformat(),
            "sig": h.sig,
        }
        for h in session.scalars(select(AuditHead))
        if h.device_id in chains
    ]
    return chosen


@dataclass
class _FaultLinks:
    """Signed records that name faults (an item result's or a request's ``fault_id``).

    The database requires the fault to exist, so such a record travels once
    every fault it names is signed too, and again when one of them is signed
    later than the record (the receiver could not take it before).
    """

    links: dict[str, set[str]]
    faults: dict[str, dict[str, Any]]

    def ready(self, record_id: str) -> bool:
        return all(
            self.faults.get(f, {}).get("locked_at") is not None
            for f in self.links.get(record_id, ())
        )

    def linked(self, record_id: str) -> list[dict[str, Any]]:
        return [self.faults[f] for f in self.links.get(record_id, ()) if f in self.faults]


def _fault_links(session: Session, contracts: list[str]) -> _FaultLinks:
    from db.models import FaultRecord, InspectionRun, ItemResult, ServiceRequest

    links: dict[str, set[str]] = {}
    queries = [
        select(ItemResult.run_id, ItemResult.fault_id)
        .join(InspectionRun, InspectionRun.id == ItemResult.run_id)
        .where(ItemResult.fault_id.is_not(None), InspectionRun.contract_id.in_(contracts)),
        select(ServiceRequest.id, ServiceRequest.fault_id).where(
            ServiceRequest.fault_id.is_not(None), ServiceRequest.contract_id.in_(contracts)
        ),
    ]
    for query in queries:
        for record_id, fault_id in session.execute(query):
            links.setdefault(record_id, set()).add(fault_id)
    wanted = set().union(*links.values()) if links else set()
    faults: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(wanted):
        for row in session.execute(
            select(
                FaultRecord.id, FaultRecord.locked_at, FaultRecord.device_id, FaultRecord.device_seq
            ).where(FaultRecord.id.in_(chunk))
        ).mappings():
            faults[row["id"]] = dict(row)
    return _FaultLinks(links, faults)


def _candidates(
    session: Session,
    spec: Exchanged,
    contracts: list[str],
    ids_of: dict[str, set[str]],
    signed_ids: dict[str, list[str]],
) -> list[dict[str, Any]]:
    """The rows of ``spec`` the contracts hold, before the ``since`` filter."""
    if spec.name == "attachment":
        owners = set().union(*(ids_of.get(n, set()) for n in (*tables.SIGNED_TYPES, "item_result")))
        return _rows(session, spec, owner_id=sorted(owners))
    if spec.name == "item_result":
        return _rows(session, spec, run_id=sorted(ids_of.get("inspection_run", set())))
    if spec.name in ("signature", "record_void"):
        every_signed = [i for ids in signed_ids.values() for i in ids]
        return _rows(session, spec, record_id=every_signed)
    if spec.contract is None:
        rows = _rows(session, spec)
    elif isinstance(spec.contract, tuple):
        parent, column = spec.contract
        return _rows(session, spec, **{column: sorted(ids_of.get(parent, set()))})
    else:
        rows = _rows(session, spec, **{spec.contract: contracts})
    if spec.select == "signed":
        rows = [r for r in rows if r["locked_at"] is not None]
    return rows


def _audit(session: Session, known: Vector) -> list[dict[str, Any]]:
    columns = [c for c in AuditEntry.__table__.columns if c.key != "seq"]
    found: list[dict[str, Any]] = []
    query = (
        select(*columns)
        .where(AuditEntry.device_id.is_not(None))
        .order_by(AuditEntry.device_id, AuditEntry.device_seq)
    )
    for row in session.execute(query).mappings():
        if row["device_seq"] > known.get(row["device_id"], 0):
            entry = dict(row)
            entry["at"] = entry["at"].isoformat()
            found.append(entry)
    return found


def blob_data(session: Session, shas: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    for chunk in _chunks(shas, 200):
        for sha, data in session.execute(
            select(Blob.sha256, Blob.data).where(Blob.sha256.in_(chunk))
        ):
            yield sha, bytes(data)
