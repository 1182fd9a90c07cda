"""Merging a bundle's rows into a store: a set union by primary key, in the caller's transaction.

- A row already present with the same content is skipped; with other content
  it is **quarantined** (``quarantine`` table) and not merged; a row whose
  unique values (a system code, a role's signature…) another local row holds
  is quarantined the same way.
- Device keys are added; a known device id with another key refuses the bundle.
- Each device's audit entries must continue its chain here without a gap and
  hash correctly; the device's signed head moves forward when the bundle's is
  further (and valid under the device's key).
- Signed records are inserted unlocked, their item results and attachments
  after them, and then locked (the triggers refuse children of a locked run).

Nothing is committed here; the caller checks the merged records and commits or
rolls back (:mod:`app.team.bundles`).
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import UniqueConstraint, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from app.contracts import registry, versions
from app.contracts.profile_schema import Profile
from app.search import index as search_index
from app.storage.bulk import insert_rows
from app.storage.device import SignedHead
from app.team import profiles, tables
from app.team.container import BundleError
from db.audit import GENESIS, row_hash
from db.models import (
    AuditEntry,
    AuditHead,
    Base,
    Blob,
    Contract,
    Device,
    HolidayPeriod,
    Quarantine,
)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Held:
    """A bundle row that was not merged."""

    table: str
    record_id: str
    reason: str

    def line(self) -> str:
        return f"{tables.LABELS.get(self.table, self.table)} {self.record_id[:8]}：{self.reason}"


@dataclass
class Outcome:
    new: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)
    held: list[Held] = field(default_factory=list)
    #: (table, id, device id) of each signable record and signature inserted
    inserted: list[tuple[str, str, str | None]] = field(default_factory=list)


@dataclass
class Parsed:
    """A bundle's content, decoded (see :mod:`app.team.bundles` for the member names)."""

    rows: dict[str, list[dict[str, Any]]]
    blobs: dict[str, Callable[[], bytes]]
    devices: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    heads: list[SignedHead]


def _exists(session: Session, table: Any, column: str, values: Iterable[Any]) -> set[Any]:
    found: set[Any] = set()
    ordered = sorted({v for v in values if v is not None})
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(session.scalars(select(table.c[column]).where(table.c[column].in_(chunk))))
    return found


# --------------------------------------------------------------------------- devices, blobs


def merge_devices(session: Session, devices: list[dict[str, Any]], out: Outcome) -> None:
    known = dict(session.execute(select(Device.id, Device.public_key)).all())
    for doc in devices:
        device_id, public = str(doc["id"]), str(doc["public_key"])
        if device_id in known:
            if known[device_id] != public:
                raise BundleError(
                    f"交换包中设备 {device_id[:8]} 的公钥与本机记录的不同（可能是伪造的），"
                    "未导入任何内容。"
                )
            out.present["device"] += 1
            continue
        session.execute(
            insert(Device).values(
                id=device_id,
                public_key=public,
                label=str(doc.get("label", ""))[:128],
                created_at=datetime.fromisoformat(str(doc["created_at"])),
            )
        )
        known[device_id] = public
        out.new["device"] += 1


def merge_blobs(session: Session, blobs: dict[str, Callable[[], bytes]], out: Outcome) -> None:
    present = _exists(session, Blob.__table__, "sha256", blobs)
    for sha, read in blobs.items():
        if sha in present:
            out.present["blob"] += 1
            continue
        data = read()
        if hashlib.sha256(data).hexdigest() != sha:
            raise BundleError(f"交换包中的文件 {sha[:12]} 与其名称（哈希）不符，未导入任何内容。")
        session.execute(insert(Blob).values(sha256=sha, size=len(data), data=data))
        out.new["blob"] += 1


# --------------------------------------------------------------------------- audit chains


def merge_audit(session: Session, entries: list[dict[str, Any]], out: Outcome) -> None:
    """Append each device's entries where its chain here ends; refuse gaps and forks."""
    by_device: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_device.setdefault(str(entry["device_id"]), []).append(entry)
    local = session.scalar(select(func.max(AuditEntry.seq))) or 0
    fresh: list[dict[str, Any]] = []
    for device_id, chain in sorted(by_device.items()):
        chain.sort(key=lambda e: e["device_seq"])
        have = dict(
            session.execute(
                select(AuditEntry.device_seq, AuditEntry.hash).where(
                    AuditEntry.device_id == device_id,
                    AuditEntry.device_seq >= chain[0]["device_seq"] - 1,
                )
            ).all()
        )
        last = (
            session.scalar(
                select(func.max(AuditEntry.device_seq)).where(AuditEntry.device_id == device_id)
            )
            or 0
        )
        prev = GENESIS if last == 0 else have.get(last, "")
        for entry in chain:
            number = entry["device_seq"]
            if number <= last:
                if have.get(number) != entry["hash"]:
                    raise BundleError(
                        f"交换包中设备 {device_id[:8]} 的第 {number} 条审计日志与本机的不同"
                        "（审计日志被改写），未导入任何内容。"
                    )
                out.present["audit_log"] += 1
                continue
            if number != last + 1:
                raise BundleError(
                    f"本机缺少设备 {device_id[:8]} 的第 {last + 1}–{number - 1} 条审计日志："
                    "请先导入更早的交换包（或请对方导出完整的交换包）。未导入任何内容。"
                )
            if entry["prev_hash"] != prev or row_hash(_Row(entry)) != entry["hash"]:
                raise BundleError(
                    f"交换包中设备 {device_id[:8]} 的第 {number} 条审计日志校验失败"
                    "（被改动），未导入任何内容。"
                )
            local += 1
            fresh.append(entry | {"seq": local})
            prev, last = entry["hash"], number
            out.new["audit_log"] += 1

    insert_rows(session, AuditEntry.__table__, fresh)  # type: ignore[arg-type]


class _Row:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.__dict__.update(doc)


def merge_heads(session: Session, heads: list[SignedHead]) -> None:
    """Move each device's signed head forward to the bundle's, if valid and on the chain."""
    keys = dict(session.execute(select(Device.id, Device.public_key)).all())
    for head in heads:
        public = keys.get(head.device_id)
        stored = session.scalar(
            select(AuditEntry.hash).where(
                AuditEntry.device_id == head.device_id, AuditEntry.device_seq == head.seq
            )
        )
        if public is None or not head.valid_under(public) or stored != head.hash:
            raise BundleError(
                f"交换包中设备 {head.device_id[:8]} 的审计链头无效（被改动），未导入任何内容。"
            )
        row = session.get(AuditHead, head.device_id)
        if row is None:
            session.add(
                AuditHead(
                    device_id=head.device_id, seq=head.seq, hash=head.hash, at=head.at, sig=head.sig
                )
            )
        elif head.seq > row.seq:
            row.seq, row.hash, row.at, row.sig = head.seq, head.hash, head.at, head.sig


# --------------------------------------------------------------------------- record rows


def missing_contracts(session: Session, rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Contract ids the bundle's rows refer to that neither the store nor the bundle has."""
    carried = {r["id"] for r in rows.get("contract", [])}
    wanted = {
        r["contract_id"] for name, found in rows.items() for r in found if r.get("contract_id")
    }
    wanted -= carried
    return sorted(wanted - _exists(session, Contract.__table__, "id", wanted))


#: tables whose rows describe a contract rather than record work done under it
_CONTRACT_SETUP = frozenset({"system", "staff_member", "checklist_template", "holiday_period"})


@dataclass(frozen=True)
class ContractClash:
    """A bundle contract this store set up on its own under another id and cannot give up."""

    code: str
    #: records made under it here; ``False``: only its profile changed here (its versions,
    #: append-only, hold it: a revised profile file loaded here, say)
    recorded: bool


def contract_clashes(session: Session, rows: list[dict[str, Any]]) -> list[ContractClash]:
    """Bundle contracts this store set up on its own (other ids) and has used.

    A profile installed on two stores is one contract, under one id
    (:func:`app.contracts.versions.contract_id`): its records merge (and its 启用日期:
    :func:`start_dates`). A contract installed here under another id (from another
    profile, or before ids were shared) with nothing recorded yet is removed (audited
    like any delete) so the bundle's takes its place; one with records, or with a
    profile version published here (those rows are never removed), cannot be merged.
    """
    clashes = []
    for row in rows:
        local = session.scalar(select(Contract).where(Contract.code == row["code"]))
        if local is None or local.id == row["id"]:
            continue
        used = _contract_used(session, local.id)
        if used:
            clashes.append(ContractClash(row["code"], used != {profiles.TABLE}))
            continue
        for period in session.scalars(
            select(HolidayPeriod).where(HolidayPeriod.contract_id == local.id)
        ):
            session.delete(period)
        session.delete(local)  # its systems, staff, templates and items with it
        session.flush()
    return clashes


@dataclass(frozen=True)
class StartDate:
    """A contract whose 启用日期 here and in a bundle differ, its profile otherwise the same."""

    code: str
    ours: date | None
    theirs: date | None
    #: the store took the bundle's (nothing recorded under the contract here yet)
    taken: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "contract": self.code,
            "ours": self.ours.isoformat() if self.ours else None,
            "theirs": self.theirs.isoformat() if self.theirs else None,
            "taken": self.taken,
        }

    def line(self) -> str:
        ours, theirs = _day(self.ours), _day(self.theirs)
        if self.taken:
            return f"启用日期：合同 {self.code} 采用交换包中的{theirs}（本机原为{ours}，尚无记录）"
        return (
            f"！启用日期：合同 {self.code} 本机为{ours}，交换包中为{theirs}。本机已有记录，保留"
            f"本机的；要与之一致，在「设置」→「启用日期…」中改为{theirs}。"
        )


def _day(day: date | None) -> str:
    return f" {day.isoformat()}" if day is not None else "未声明"


def start_dates(
    session: Session, rows: list[dict[str, Any]], versioned: set[str]
) -> list[StartDate]:
    """The bundle's 启用日期 of each contract this store holds under the same id.

    Stores installing one profile give it one id whatever 启用日期 each declared before
    exchanging (as part of the profile: no version). A store with nothing recorded
    under the contract and no version of it takes the bundle's date (the PM's, or
    none), as its own contract gave way to the PM's before ids were shared; one with
    records keeps its own, and the report says so. Where the bundle or the store holds
    versions of the contract (``versioned``: the bundle's, by contract id), the versions
    apply instead.
    """
    found = []
    for row in rows:
        local = session.get(Contract, row["id"])
        theirs = row.get("profile")
        if local is None or local.id in versioned or not isinstance(theirs, dict):
            continue
        if theirs == local.profile:
            continue
        try:
            profile = Profile.model_validate(theirs)
        except ValidationError:
            continue  # not a profile this version reads: the contract stays as installed here
        own = registry.profile_of(local)
        same = versions.contract_id(profile) == local.id == versions.contract_id(own)
        if not same or profile.period.records_from == own.period.records_from:
            continue  # another profile under this id (a store from before shared ids)
        used = _contract_used(session, local.id)
        if profiles.TABLE in used:
            continue  # versions of it here: they decide, and reach the others with the next bundle
        taken = not used
        if taken:
            registry.materialize(local, [profile])
            local.builtin = bool(row.get("builtin"))
            session.flush()
        found.append(
            StartDate(local.code, own.period.records_from, profile.period.records_from, taken)
        )
    return found


def _contract_used(session: Session, contract_id: str) -> set[str]:
    """The tables holding rows of the contract beyond its setup (none: unused)."""
    used = set()
    for table in Base.metadata.sorted_tables:
        if table.name in _CONTRACT_SETUP or "contract_id" not in table.c:
            continue
        found = session.execute(
            select(table.c.contract_id).where(table.c.contract_id == contract_id).limit(1)
        ).first()
        if found is not None:
            used.add(table.name)
    return used


#: rows every store makes itself, under the same ids (the holiday periods of the profile and
#: the statutory calendar: :func:`app.schedule.holidays._agreed_id`): the same period made on
#: two laptops differs only in who made it, when and on which device
_MADE_ON_EACH = frozenset({"holiday_period"})
_STAMPS = ("created_at", "created_by", "updated_at", "updated_by", "device_id", "device_seq")


def _comparable(spec: tables.Exchanged, row: dict[str, Any]) -> dict[str, Any]:
    encoded = tables.encode(spec.table, row)
    if spec.name in _MADE_ON_EACH:
        encoded = {k: v for k, v in encoded.items() if k not in _STAMPS}
    return profiles.comparable(spec.name, encoded)


@functools.cache
def _unique_sets(table: Any) -> tuple[tuple[str, ...], ...]:
    """The column sets a table's unique constraints cover, the primary key aside."""
    found = [
        tuple(c.key for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    found += [(c.key,) for c in table.columns if c.unique and not c.primary_key]
    return tuple(found)


class _Taken:
    """The unique values (other than the id) a table's rows hold, to refuse duplicates."""

    def __init__(self, session: Session, table: Any) -> None:
        self.sets = _unique_sets(table)
        self.held: dict[tuple[str, ...], dict[tuple[Any, ...], str]] = {}
        for columns in self.sets:
            query = select(table.c.id, *(table.c[c] for c in columns))
            self.held[columns] = {tuple(r[1:]): r[0] for r in session.execute(query)}

    def clash(self, row: dict[str, Any]) -> bool:
        for columns in self.sets:
            holder = self.held[columns].get(tuple(row[c] for c in columns))
            if holder is not None and holder != row["id"]:
                return True
        return False

    def take(self, row: dict[str, Any]) -> None:
        for columns in self.sets:
            self.held[columns][tuple(row[c] for c in columns)] = row["id"]


def merge_rows(
    session: Session,
    parsed: Parsed,
    out: Outcome,
    *,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> None:
    total = sum(len(parsed.rows.get(spec.name, [])) for spec in tables.TABLES)
    done = 0
    to_lock: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for spec in tables.TABLES:
        rows = parsed.rows.get(spec.name, [])
        if not rows:
            continue
        if cancel is not None and cancel():
            from app.team.container import BundleCancelled

            raise BundleCancelled("已取消导入，本机数据未改变。")
        table = spec.table
        local = {
            r["id"]: r
            for chunk in _chunked([r["id"] for r in rows])
            for r in session.execute(select(table).where(table.c.id.in_(chunk))).mappings()
        }
        parents = {
            column: _exists(
                session,
                tables.parent_table(target),
                tables.parent_key(target),
                [r[column] for r in rows],
            )
            for column, target in spec.parents
        }
        owners = _owners(session, spec.name, rows)
        taken = _Taken(session, table)
        fresh: list[dict[str, Any]] = []
        for row in rows:
            held = _hold_reason(spec, row, local.get(row["id"]), parents, owners, taken)
            if held == "present":
                out.present[spec.name] += 1
            elif held:
                out.held.append(Held(spec.name, row["id"], held))
            else:
                fresh.append(row)
        values = []
        for row in fresh:
            value = dict(row)
            if spec.select == "signed" and value.get("locked_at") is not None:
                when = {"locked_at": value["locked_at"], "updated_at": row["updated_at"]}
                to_lock.setdefault(spec.name, []).append((row["id"], when))
                value["locked_at"] = None
            values.append(value)
        insert_rows(session, table, values)  # in chunks: rows have every column
        out.new[spec.name] += len(fresh)
        for row in fresh:
            if spec.select == "signed" or spec.name == "signature":
                record = row["record_id"] if spec.name == "signature" else row["id"]
                out.inserted.append((spec.name, record, row.get("device_id")))
        done += len(rows)
        if progress is not None:
            progress(done, total, tables.LABELS.get(spec.name, spec.name))
    for name, locks in to_lock.items():  # one executemany a table; updated_at given, or
        table = tables.BY_NAME[name].table  # Core would stamp it
        query = (
            update(table)
            .where(table.c.id == bindparam("p_id"))
            .values(locked_at=bindparam("p_locked_at"), updated_at=bindparam("p_updated_at"))
        )
        session.connection().execute(
            query,
            [
                {"p_id": record_id, "p_locked_at": w["locked_at"], "p_updated_at": w["updated_at"]}
                for record_id, w in locks
            ],
        )
    search_index.refresh(session.connection(), [(t, r) for t, r, _d in out.inserted])


def _chunked(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), 500):
        yield values[start : start + 500]


def _owner(name: str, row: dict[str, Any]) -> tuple[str, str] | None:
    """(table, id) of the record a signature or an attachment belongs to."""
    if name == "signature":
        return row["record_type"], row["record_id"]
    if name == "attachment":
        return row["owner_type"], row["owner_id"]
    return None


def _owners(session: Session, name: str, rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The owners of ``rows`` (signatures, attachments) present in the store, by table."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        owner = _owner(name, row)
        if owner is not None and owner[0] in tables.BY_NAME:
            wanted.setdefault(owner[0], set()).add(owner[1])
    return {
        kind: _exists(session, tables.BY_NAME[kind].table, "id", ids)
        for kind, ids in wanted.items()
    }


def _hold_reason(
    spec: tables.Exchanged,
    row: dict[str, Any],
    local: Any,
    parents: dict[str, set[Any]],
    owners: dict[str, set[str]],
    taken: _Taken,
) -> str:
    """Whether to insert the row (""), skip it ("present") or quarantine it (the reason)."""
    if local is not None:
        if _comparable(spec, dict(local)) == _comparable(spec, row):
            return "present"
        return "本机已有同一编号的记录，内容不同（未合并）"
    for column, target in spec.parents:
        value = row.get(column)
        if value is not None and value not in parents[column]:
            label = tables.LABELS.get(target, target)
            return f"本机没有它所属的{label}（{str(value)[:8]}）"
    owner = _owner(spec.name, row)
    if owner is not None and owner[1] not in owners.get(owner[0], set()):
        return "本机没有它所属的记录"
    if taken.clash(row):
        return "与本机已有的记录重名或重复（如同一角色已有另一签字）"
    taken.take(row)
    return ""


def quarantine(session: Session, outcome: Outcome, parsed: Parsed, sha: str, signer: str) -> None:
    """Keep what was held, with its incoming content, for the PM to see (once per bundle)."""
    rows = {(name, r["id"]): r for name, found in parsed.rows.items() for r in found}
    for held in outcome.held:
        exists = session.scalar(
            select(Quarantine.id).where(
                Quarantine.bundle_sha256 == sha,
                Quarantine.record_type == held.table,
                Quarantine.record_id == held.record_id,
            )
        )
        if exists is None:
            spec = tables.BY_NAME[held.table]
            session.add(
                Quarantine(
                    bundle_sha256=sha,
                    signer_device_id=signer,
                    record_type=held.table,
                    record_id=held.record_id,
                    incoming=tables.encode(spec.table, rows[(held.table, held.record_id)]),
                    reason=held.reason,
                )
            )
