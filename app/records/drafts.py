"""Drafts of open forms, saved field by field as they are typed.

A form is identified by a ``form_key`` chosen by the window (e.g.
``"inspection_run:<id>"`` or ``"service_request:new:<uuid>"``). After a crash
the next start lists :func:`open_drafts` and offers to restore each form with
:func:`load`; a saved or cancelled form calls :func:`discard`.

Values must be plain JSON (text, numbers, booleans, null, lists, objects);
dates are passed as ISO text. Drafts are working copies, not records: they
are not audited.

A draft is saved as typed and never fails on what was typed: a lone surrogate
(a broken paste) in the value, the title or the author is replaced by U+FFFD
(:func:`app.storage.text_rules.scrub`); control characters are kept in the value
until the form is saved (the services strip them then). The form key and field
name come from the window and are checked like any text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records import _util
from app.storage.text_rules import scrub
from db.models import Draft, now

MAX_VALUE_CHARS = 100_000
#: a draft's title (what the list of drafts shows: the form's heading) is cut to this
TITLE_LIMIT = 200


def _label(title: str) -> str:
    """``title`` cut to :data:`TITLE_LIMIT` characters, "…" last: it names the draft, and a
    heading made of a long typed 会议名称 must not keep the draft from being saved."""
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


@dataclass(frozen=True)
class DraftInfo:
    form_key: str
    form_type: str
    title: str
    updated_at: datetime
    fields: int  # how many fields have a draft value


def _key(form_key: str) -> str:
    return _util.text(form_key, "表单标识", required=True, limit=128)


def save_field(
    session: Session,
    form_key: str,
    form_type: str,
    field: str,
    value: Any,
    *,
    title: str = "",
    author: str = "",
) -> Draft:
    """Insert or replace the draft value of one field of a form."""
    key = _key(form_key)
    form_type = _util.text(form_type, "表单类型", required=True, limit=32)
    field = _util.text(field, "字段", required=True, limit=128)
    title = _util.text(_label(scrub(title)), "标题", limit=TITLE_LIMIT)
    author = _util.text(scrub(author), "填写人", limit=_util.NAME_LIMIT)
    value = scrub(value)
    try:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DomainError(f"草稿字段「{field}」的内容无法保存（{exc}）。") from None
    if len(encoded) > MAX_VALUE_CHARS:
        raise DomainError(f"草稿字段「{field}」的内容过长（最多 {MAX_VALUE_CHARS} 字符）。")
    plain = json.loads(encoded)  # stored exactly as it will be read back
    draft = session.scalar(select(Draft).where(Draft.form_key == key, Draft.field == field))
    if draft is None:
        draft = Draft(form_key=key, form_type=form_type, field=field)
        session.add(draft)
    draft.form_type = form_type
    draft.value = plain
    draft.title = title or draft.title or ""
    draft.author = author or draft.author or ""
    draft.updated_at = now()
    return draft


def load(session: Session, form_key: str) -> dict[str, Any]:
    """Every saved field of a form: field → value."""
    key = _key(form_key)
    rows = session.scalars(select(Draft).where(Draft.form_key == key).order_by(Draft.field))
    return {row.field: row.value for row in rows}


def open_drafts(session: Session, form_type: str | None = None) -> list[DraftInfo]:
    """Forms with unsaved drafts, the most recently edited first."""
    query = select(Draft)
    if form_type is not None:
        query = query.where(Draft.form_type == form_type)
    forms: dict[str, list[Draft]] = {}
    for row in session.scalars(query):
        forms.setdefault(row.form_key, []).append(row)
    infos = []
    for key, rows in forms.items():
        latest = max(rows, key=lambda r: r.updated_at)
        titled = [r for r in rows if r.title]
        title = max(titled, key=lambda r: r.updated_at).title if titled else ""
        infos.append(DraftInfo(key, latest.form_type, title, latest.updated_at, len(rows)))
    infos.sort(key=lambda i: (i.updated_at, i.form_key), reverse=True)
    return infos


def discard(session: Session, form_key: str) -> int:
    """Forget every draft field of a form; returns how many were removed."""
    key = _key(form_key)
    result = session.execute(delete(Draft).where(Draft.form_key == key))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def discard_field(session: Session, form_key: str, field: str) -> None:
    key = _key(form_key)
    session.execute(delete(Draft).where(Draft.form_key == key, Draft.field == field))
