"""Rules checked on every flush of a store session.

- A signed (locked) record and its item results cannot change or be deleted;
  the attempt raises :class:`LockedError` and the transaction rolls back.
- New and changed records are stamped with the acting person.
- Every create, update, delete and signature is appended to the audit log in
  the same transaction, so a record and its audit entry commit together.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.errors import LockedError
from db.audit import AuditWriter
from db.models import (
    AuditEntry,
    Blob,
    ChecklistItem,
    ChecklistTemplate,
    Draft,
    InspectionRun,
    ItemResult,
    Record,
    Signable,
    Signature,
    new_id,
)

_NOT_AUDITED = (AuditEntry, Blob, Draft)
_LOCKED_MESSAGE = "该记录已签字锁定，不能修改或删除；如需更正，请使用「更正」生成更正记录。"
_TEXT_LIMIT = 200


def install(session: Session, actor: str) -> None:
    session.info["actor"] = actor
    event.listen(session, "before_flush", _before_flush)


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
        if attr.key in ("updated_at", "updated_by"):
            continue
        history = inspect(obj).attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changed[attr.key] = [_plain(old), _plain(new)]
    return changed


def _summary(obj: Any) -> dict[str, Any]:
    keys = ("code", "number", "title", "name", "period_key", "role", "signer_name", "record_id")
    return {k: _plain(getattr(obj, k)) for k in keys if getattr(obj, k, None) not in (None, "")}


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    actor: str = session.info.get("actor", "system")
    writer: AuditWriter | None = None

    def log(action: str, obj: Any, details: dict[str, Any]) -> None:
        nonlocal writer
        if writer is None:
            writer = AuditWriter(session)
        writer.append(actor, action, type(obj).__tablename__, obj.id, details)

    new_parents = {id(o) for o in session.new if isinstance(o, InspectionRun | ChecklistTemplate)}
    for obj in list(session.new):
        if isinstance(obj, _NOT_AUDITED):
            continue
        if getattr(obj, "id", None) is None:
            obj.id = new_id()
        if isinstance(obj, Record):
            obj.created_by = obj.created_by or actor
            obj.updated_by = actor
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
