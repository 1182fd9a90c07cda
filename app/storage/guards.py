"""Rules checked on every flush of a store session.

- A signed (locked) record and its item results cannot change or be deleted;
  the attempt raises :class:`LockedError` and the transaction rolls back.
- New and changed records are stamped with the acting person.
- Every create, update, delete and signature is appended to the audit log in
  the same transaction, so a record and its audit entry commit together.
- New and changed records are stamped with this device and its next change
  number (``device_id``/``device_seq``, :data:`STAMPS`; what exchange bundles
  select by), from a counter that never goes back (``team_counter``).
- Entries noted with :func:`note` (an import naming its bundle) are appended too.
- The chain's new head is signed with the device key (:mod:`app.storage.device`)
  in the same flush, into ``audit_head``; the signed head is left in
  ``session.info[SIGNED_HEAD]`` for the store to remember outside itself after
  the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from app.errors import LockedError
from app.storage.device import (
    DeviceError,
    DeviceKey,
    SignedHead,
    default_label,
    head_problem,
    tail_problems,
)
from db.audit import AuditWriter
from db.engine import write_lock
from db.models import (
    AuditEntry,
    AuditHead,
    Blob,
    ChecklistItem,
    ChecklistTemplate,
    Device,
    Draft,
    InspectionRun,
    ItemResult,
    ProbeLink,
    ProbeResult,
    Quarantine,
    Record,
    Signable,
    Signature,
    TeamCounter,
    TeamDevice,
    TeamExchange,
    new_id,
    now,
)

#: team bookkeeping rows say nothing of the records; trust and imports are noted (:func:`note`),
#: and so are probe runs and link-list imports (one entry each, not one per row)
_NOT_AUDITED = (
    AuditEntry,
    AuditHead,
    Blob,
    Device,
    Draft,
    ProbeLink,
    ProbeResult,
    Quarantine,
    TeamCounter,
    TeamDevice,
    TeamExchange,
)
#: ``session.info`` keys: the device-key provider, and the head signed by the last flush
DEVICE = "device"
#: the audit action recording what was found wrong before a device signed on (see _tail_problems)
ALERT = "integrity_alert"
SIGNED_HEAD = "signed_head"
#: ``session.info`` key: this device's row and head row, held so that the session's (weak)
#: identity map keeps them and the next flush finds them without a query
_KEPT = "device_rows"
#: ``session.info`` key: audit entries to append at the next flush (:func:`note`)
NOTES = "audit_notes"
#: the columns stamping writes, left out of the changes an update entry lists
STAMPS = ("device_id", "device_seq")
_LOCKED_MESSAGE = "该记录已签字锁定，不能修改或删除；如需更正，请使用「更正」生成更正记录。"
_TEXT_LIMIT = 200


def install(session: Session, actor: str, device: Callable[[], DeviceKey]) -> None:
    """Check every flush of ``session``; ``device`` gives the key that signs audit heads."""
    session.info["actor"] = actor
    session.info[DEVICE] = device
    event.listen(session, "before_flush", _before_flush)


def device_of(session: Session) -> DeviceKey:
    """The device key of the store ``session`` belongs to (created at first use)."""
    provider: Callable[[], DeviceKey] = session.info[DEVICE]
    return provider()


def note(
    session: Session, action: str, entity: str, entity_id: str, details: dict[str, Any]
) -> None:
    """Append an audit entry at the next flush (which must write some row)."""
    session.info.setdefault(NOTES, []).append((action, entity, entity_id, details))


def next_seq(session: Session, device_id: str, name: str = "seq", count: int = 1) -> int:
    """The next value of a per-device counter; it never goes back, whatever is deleted.

    ``count`` takes that many values at once (the last is returned).
    """
    pending: dict[tuple[str, str], TeamCounter] = session.info.setdefault("counters", {})
    counter = pending.get((device_id, name))
    if counter is None:
        with session.no_autoflush:
            counter = session.get(TeamCounter, (device_id, name))
    if counter is None:
        counter = TeamCounter(device_id=device_id, name=name, value=0)
        session.add(counter)
    pending[(device_id, name)] = counter
    counter.value += count
    return counter.value


def _tail_problems(session: Session, key: DeviceKey) -> list[str]:
    """What is wrong with the chain's end before this key first signs a head over it.

    A new head would otherwise vouch for entries appended, or a chain cut or
    rewritten, behind the app's back; instead the problems are written into the
    chain as an ``integrity_alert`` entry, which every check reports.
    """
    heads = session.scalars(select(AuditHead)).all()
    devices = dict(session.execute(select(Device.id, Device.public_key)).all())
    problems: list[str] = []
    if not heads and devices:  # a store from before devices has entries but no heads yet
        problems.append("审计日志没有任何设备签名的链头（链头被删除）。")
    signed = [SignedHead(h.device_id, h.seq, h.hash, h.at, h.sig) for h in heads]
    problems += [head_problem(session, head, devices, "数据库中") for head in signed]
    problems += tail_problems(session, signed)
    remembered = key.outside_head()
    if remembered is not None:
        rolled_back = head_problem(session, remembered, devices, "本机记得的")
        key.rolled_back = bool(rolled_back)
        problems.append(rolled_back)
    return [p.rstrip("。") for p in problems if p]


def _prepare_device(session: Session) -> tuple[DeviceKey, bool, list[str]]:
    """The device key; whether its public half was just added; problems found at first use."""
    key = device_of(session)
    problems: list[str] = []
    with session.no_autoflush:
        row = session.get(Device, key.device_id)
        if not key.head_checked:
            problems = _tail_problems(session, key)
            key.head_checked = True
    if row is None:
        session.add(Device(id=key.device_id, public_key=key.public_key, label=default_label()))
        return key, True, problems
    session.info[_KEPT] = (row, session.info.get(_KEPT, (None, None))[1])
    if row.public_key != key.public_key:
        raise DeviceError(
            "数据库中本机设备的公钥与本机密钥不符（数据库可能在本应用之外被改动），"
            "不能写入；请运行 omw check 核查。"
        )
    return key, False, problems


def open_writer(session: Session, actor: str) -> AuditWriter:
    """The audit writer of one flush, opened as its first entry is due.

    The device is prepared first: a device new to the store gets its ``create``
    entry, and what was found wrong before it first signs an ``integrity_alert``.
    """
    key, added, problems = _prepare_device(session)
    writer = AuditWriter(session, key.device_id)
    if added:
        writer.append(actor, "create", "device", key.device_id, {"label": default_label()})
    if problems:
        writer.append(actor, ALERT, "audit_log", key.device_id, {"problems": problems})
    return writer


def sign_head(session: Session, writer: AuditWriter) -> None:
    """Sign the chain's new head (``writer``'s last entry) with the device key."""
    key = device_of(session)
    signed = key.sign_head(writer.seq, writer.prev, now())
    with session.no_autoflush:
        head = session.get(AuditHead, key.device_id)
    if head is None:
        head = AuditHead(device_id=key.device_id)
        session.add(head)
    head.seq, head.hash, head.at, head.sig = signed.seq, signed.hash, signed.at, signed.sig
    session.info[_KEPT] = (session.info.get(_KEPT, (None, None))[0], head)
    session.info[SIGNED_HEAD] = signed


def _committed(obj: Any, attr: str) -> Any:
    history = inspect(obj).attrs[attr].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(obj, attr) if not history.added else None


def _was_locked(obj: Any) -> bool:
    if isinstance(obj, Signable):
        return _committed(obj, "locked_at") is not None
    if isinstance(obj, ItemResult):
        run = obj.run
        if run is None:
            return False
        state = inspect(run)
        return (state.persistent or state.deleted) and _committed(run, "locked_at") is not None
    return False


def _parent(obj: Any) -> int | None:
    if isinstance(obj, ItemResult):
        return id(obj.run)
    if isinstance(obj, ChecklistItem):
        return id(obj.template)
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, str) and len(value) > _TEXT_LIMIT:
        return value[:_TEXT_LIMIT] + "…"
    return value


def _changes(obj: Any) -> dict[str, list[Any]]:
    changed: dict[str, list[Any]] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in ("updated_at", "updated_by", *STAMPS):
            continue
        history = inspect(obj).attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changed[attr.key] = [_plain(old), _plain(new)]
    return changed


_SUMMARY_KEYS = (
    "code",
    "number",
    "title",
    "name",
    "period_key",
    "role",
    "signer_name",
    "record_id",
)


def _summary(obj: Any) -> dict[str, Any]:
    return {
        k: _plain(getattr(obj, k)) for k in _SUMMARY_KEYS if getattr(obj, k, None) not in (None, "")
    }


def summary_of(values: dict[str, Any]) -> dict[str, Any]:
    """What an audit entry says of a row given as column values (as :func:`_summary` of it)."""
    return {k: _plain(values[k]) for k in _SUMMARY_KEYS if values.get(k) not in (None, "")}


def changes_of(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """What an update entry lists for a row changed from ``before`` to ``after`` (column values).

    As :func:`_changes` of the ORM object: every changed column but the stamps, ``[old, new]``.
    """
    return {
        key: [_plain(before.get(key)), _plain(value)]
        for key, value in after.items()
        if key not in ("updated_at", "updated_by", *STAMPS) and before.get(key) != value
    }


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        write_lock(session)  # a hub's writers take turns (counters, chain, seq)
    actor: str = session.info.get("actor", "system")
    writer: AuditWriter | None = None

    def log(action: str, obj: Any, details: dict[str, Any]) -> None:
        nonlocal writer
        if writer is None:
            writer = open_writer(session, actor)
        writer.append(actor, action, obj.__tablename__, obj.id, details)

    def stamp(obj: Record | ProbeResult) -> None:
        device_id = device_of(session).device_id
        if not isinstance(obj, Signature):  # a signature's device is the one that sealed it
            obj.device_id = device_id
        obj.device_seq = next_seq(session, device_id)

    new_parents = {id(o) for o in session.new if isinstance(o, InspectionRun | ChecklistTemplate)}
    for obj in list(session.new):
        if isinstance(obj, ProbeResult) and obj.device_seq is None:
            stamp(obj)  # not audited row by row, but exchanged in bundles (revision 0014)
        if isinstance(obj, _NOT_AUDITED):
            continue
        if getattr(obj, "id", None) is None:
            obj.id = new_id()
        if isinstance(obj, Record):
            obj.created_by = obj.created_by or actor
            obj.updated_by = actor
            stamp(obj)
        if _was_locked(obj):
            raise LockedError(_LOCKED_MESSAGE)
        if _parent(obj) in new_parents:
            continue  # covered by the parent's own create entry
        if isinstance(obj, Signature):
            log("sign", obj, _summary(obj) | {"record_type": obj.record_type})
        elif isinstance(obj, Signable) and obj.supersedes_id:
            log("amend", obj, _summary(obj) | {"supersedes": obj.supersedes_id})
        else:
            log("create", obj, _summary(obj))

    for obj in list(session.dirty):
        if isinstance(obj, _NOT_AUDITED) or not session.is_modified(obj):
            continue
        if _was_locked(obj):
            raise LockedError(_LOCKED_MESSAGE)
        changes = _changes(obj)
        if not changes:
            continue
        if isinstance(obj, Record):
            obj.updated_by = actor
            stamp(obj)
        if isinstance(obj, Signable) and obj.locked_at is not None and "locked_at" in changes:
            log("lock", obj, _summary(obj))
        else:
            log("update", obj, _summary(obj) | {"changed": changes})

    for obj in list(session.deleted):
        if isinstance(obj, _NOT_AUDITED):
            continue
        if _was_locked(obj):
            raise LockedError(_LOCKED_MESSAGE)
        log("delete", obj, _summary(obj))

    for action, entity, entity_id, details in session.info.pop(NOTES, []):
        log(action, _Noted(entity, entity_id), details)

    if writer is not None:
        sign_head(session, writer)


class _Noted:
    """Stands for the subject of a :func:`note` in ``log`` (a table name and an id)."""

    def __init__(self, entity: str, entity_id: str) -> None:
        self.__tablename__ = entity
        self.id = entity_id
