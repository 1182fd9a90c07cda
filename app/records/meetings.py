"""Meeting minutes (例会会议纪要): written as a draft, 定稿, signed, amended.

One record per meeting: 会议名称, 会议时间 (and end), 地点, 主持人, 记录人, 出席 /
缺席, 议程, 会议内容, 决议, and the action items agreed (行动项 | 负责人 | 完成时间,
with 已完成). The number is ``HY-YYYYMM-NNNN`` in the month of the meeting.

- A **draft** (``status = "draft"``) may be incomplete, but what it holds is
  valid: times are real and in order, not in the future, and no action item has
  a 负责人 or 完成时间 without saying what is to be done.
- **定稿** (:func:`finalize`, ``status = "final"``) needs everything the printed
  minutes need: :data:`REQUIRED` fields, and each action item with its owner and
  due date (not before the meeting). A final record stays complete: an edit that
  would empty a required field is refused.
- Only final minutes are signed (:mod:`app.records.signing`); the first signature
  locks them, and a correction is an amendment like for any signed record.

:func:`problems` says everything wrong at once, field by field, without a
session — the form shows it under each field while it is typed, and the
services refuse with the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records import _util
from app.records.faults import next_number
from db.models import Contract, MeetingMinutes

MEETING_PREFIX = "HY"
DEFAULT_TITLE = "运维例会"
STATUSES: dict[str, str] = {"draft": "草稿", "final": "已定稿"}
#: Text fields: name → (Chinese label, length limit).
TEXTS: dict[str, tuple[str, int]] = {
    "title": ("会议名称", 200),
    "place": ("地点", 200),
    "host": ("主持人", _util.NAME_LIMIT),
    "recorder": ("记录人", _util.NAME_LIMIT),
    "attendees": ("出席人员", 2_000),
    "absentees": ("缺席人员", 2_000),
    "agenda": ("议程", _util.TEXT_LIMIT),
    "discussion": ("会议内容", _util.TEXT_LIMIT),
    "decisions": ("决议", _util.TEXT_LIMIT),
}
TIMES: dict[str, str] = {"meeting_at": "会议时间", "ended_at": "结束时间"}
#: What 定稿 needs besides the meeting time (in the order of the form).
REQUIRED = ("title", "place", "host", "recorder", "attendees", "agenda", "decisions")
ACTION_LABELS: dict[str, str] = {"content": "内容", "owner": "负责人", "due_date": "完成时间"}
MAX_ACTIONS = 100
ACTION_TEXT_LIMIT = 2_000
#: A meeting longer than this is a typing mistake in its end time.
LONGEST = timedelta(hours=24)


@dataclass(frozen=True)
class ActionItem:
    """One agreed action: what, who, by when, and whether it is done."""

    content: str = ""
    owner: str = ""
    due_date: date | None = None
    done: bool = False

    @property
    def empty(self) -> bool:
        return not (self.content or self.owner or self.due_date or self.done)

    def as_json(self) -> dict[str, Any]:
        """As stored in ``meeting_minutes.action_items`` (and signed)."""
        return {
            "content": self.content,
            "owner": self.owner,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "done": self.done,
        }


def _due(value: Any, label: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        raise DomainError(f"「{label}」必须是日期。")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(
                f"「{label}」“{value.strip()[:40]}” 不是有效日期，格式应为 YYYY-MM-DD。"
            ) from None
    raise DomainError(f"「{label}」必须是日期。")


def action_item(value: Any, number: int) -> ActionItem:
    """An action item from a mapping (or an :class:`ActionItem`), its text cleaned."""
    if isinstance(value, ActionItem):
        value = value.as_json()
    if not isinstance(value, Mapping):
        raise DomainError(f"行动项 {number} 的格式无效。")
    unknown = sorted(set(value) - {"content", "owner", "due_date", "done"})
    if unknown:
        raise DomainError(f"行动项 {number} 含有未知字段：{'、'.join(map(str, unknown))}。")
    done = value.get("done", False)
    if not isinstance(done, bool):
        raise DomainError(f"行动项 {number} 的「已完成」必须是是或否。")
    return ActionItem(
        content=_util.text(
            value.get("content"), f"行动项 {number} 的内容", limit=ACTION_TEXT_LIMIT
        ),
        owner=_util.text(value.get("owner"), f"行动项 {number} 的负责人", limit=_util.NAME_LIMIT),
        due_date=_due(value.get("due_date"), f"行动项 {number} 的完成时间"),
        done=done,
    )


def action_items(values: Any) -> list[ActionItem]:
    """The action items of a list, rows left entirely empty dropped."""
    if values is None:
        return []
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise DomainError("行动项必须是列表。")
    items = [action_item(v, n) for n, v in enumerate(values, start=1)]
    items = [item for item in items if not item.empty]
    if len(items) > MAX_ACTIONS:
        raise DomainError(f"行动项过多（{len(items)} 条），最多 {MAX_ACTIONS} 条。")
    return items


def stored_actions(record: MeetingMinutes) -> list[ActionItem]:
    """The action items of a stored record."""
    return [action_item(v, n) for n, v in enumerate(record.action_items or [], start=1)]


# --------------------------------------------------------------------------- checks


def problems(
    values: Mapping[str, Any], *, final: bool, now: datetime | None = None
) -> dict[str, str]:
    """Everything wrong with the minutes in ``values``: field → Chinese message.

    ``values`` holds ``meeting_at``/``ended_at`` (datetimes or None), the text
    fields of :data:`TEXTS` and ``action_items`` (:class:`ActionItem` list). An
    action item's problem is keyed ``action_items.<index>.<column>`` (index from
    0). ``final``: also what 定稿 needs. With ``now``, a time more than 5
    minutes ahead is a problem.
    """
    found: dict[str, str] = {}
    start, end = values.get("meeting_at"), values.get("ended_at")
    for name, value in (("meeting_at", start), ("ended_at", end)):
        if value is not None and now is not None and value > now + _util.FUTURE_SLACK:
            found[name] = (
                f"「{TIMES[name]}」{value:%Y-%m-%d %H:%M} 晚于当前时间，不能填写将来的时间。"
            )
    if start is None:
        found["meeting_at"] = "请填写会议时间。"
    elif end is not None and "ended_at" not in found:
        if end <= start:
            found["ended_at"] = "结束时间应晚于会议开始时间。"
        elif end - start > LONGEST:
            found["ended_at"] = "会议时长超过 24 小时，请核对结束时间。"
    if final:
        for name in REQUIRED:
            if not str(values.get(name) or "").strip():
                found[name] = f"定稿前请填写「{TEXTS[name][0]}」。"
    day = start.date() if start is not None else None
    for index, item in enumerate(values.get("action_items") or []):
        key, number = f"action_items.{index}", index + 1
        if not item.content and (item.owner or item.due_date or item.done):
            found[f"{key}.content"] = f"行动项 {number}：请填写要做的事。"
        if final and item.content and not item.owner:
            found[f"{key}.owner"] = f"行动项 {number}：定稿前请填写负责人。"
        if final and item.content and item.due_date is None:
            found[f"{key}.due_date"] = f"行动项 {number}：定稿前请填写完成时间。"
        if item.due_date is not None and day is not None and item.due_date < day:
            found[f"{key}.due_date"] = (
                f"行动项 {number}：完成时间 {item.due_date} 早于会议日期 {day}。"
            )
    return found


def _refuse(found: dict[str, str], lead: str = "") -> None:
    if found:
        messages = list(dict.fromkeys(found.values()))
        raise DomainError(lead + "".join(messages))


# --------------------------------------------------------------------------- services


def get_meeting(session: Session, meeting_id: str) -> MeetingMinutes:
    return _util.get(session, MeetingMinutes, meeting_id, "会议纪要")


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Column values of ``fields`` (names of :data:`TEXTS`, :data:`TIMES`, ``action_items``)."""
    unknown = sorted(set(fields) - set(TEXTS) - set(TIMES) - {"action_items"})
    if unknown:
        raise DomainError(f"会议纪要没有这些字段：{'、'.join(unknown)}。")
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name in TEXTS:
            label, limit = TEXTS[name]
            clean[name] = _util.text(value, label, limit=limit)
        elif name in TIMES:
            if value is None and name == "meeting_at":
                raise DomainError("请填写会议时间。")
            clean[name] = None if value is None else _util.moment(value, TIMES[name])
        else:
            clean[name] = action_items(value)
    return clean


def _values(record: MeetingMinutes) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(record, name) for name in (*TEXTS, *TIMES)}
    values["action_items"] = stored_actions(record)
    return values


def _store(record: MeetingMinutes, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if name == "action_items":
            record.action_items = [item.as_json() for item in value]
        else:
            setattr(record, name, value)


def create_meeting(
    session: Session,
    contract: Contract | str,
    *,
    meeting_at: datetime,
    now: datetime | None = None,
    **fields: Any,
) -> MeetingMinutes:
    """A draft with the next 纪要编号; ``fields`` as :func:`update_meeting` takes them."""
    contract = _util.contract_of(session, contract)
    values = {name: "" for name in TEXTS} | {"ended_at": None, "action_items": []}
    values |= _clean({"meeting_at": meeting_at, **fields})
    values["title"] = values["title"] or DEFAULT_TITLE
    _refuse(problems(values, final=False, now=now))
    record = MeetingMinutes(
        contract_id=contract.id,
        number=next_number(session, MeetingMinutes, contract, MEETING_PREFIX, values["meeting_at"]),
        status="draft",
    )
    _store(record, values)
    session.add(record)
    return record


def update_meeting(
    session: Session, meeting_id: str, *, now: datetime | None = None, **fields: Any
) -> MeetingMinutes:
    """Change fields of unsigned minutes (the number never changes).

    The whole record is checked as it would be after the change — as a draft,
    or as final minutes if they are 定稿 — and nothing is changed if it fails.
    """
    record = get_meeting(session, meeting_id)
    _util.ensure_unlocked(record)
    changes = _clean(fields)
    merged = _values(record) | changes
    final = record.status == "final"
    _refuse(problems(merged, final=final, now=now), "已定稿的会议纪要必须完整：" if final else "")
    _store(record, changes)
    return record


def finalize(session: Session, meeting_id: str, *, now: datetime | None = None) -> MeetingMinutes:
    """定稿: the minutes are complete (see :func:`problems`) and can be signed."""
    record = get_meeting(session, meeting_id)
    _util.ensure_unlocked(record)
    _refuse(problems(_values(record), final=True, now=now), "会议纪要还不能定稿：")
    record.status = "final"
    return record


def reopen(session: Session, meeting_id: str) -> MeetingMinutes:
    """Back to draft (before anyone signed): to change what 定稿 would refuse."""
    record = get_meeting(session, meeting_id)
    _util.ensure_unlocked(record)
    record.status = "draft"
    return record


def signable_problems(record: MeetingMinutes) -> str:
    """Why these minutes cannot be signed yet ("" if they can)."""
    if record.status != "final":
        return "会议纪要尚未定稿，定稿后才能签字。"
    found = problems(_values(record), final=True)
    return "".join(dict.fromkeys(found.values()))


def meeting_fields(session: Session, meeting_id: str) -> dict[str, Any]:
    """Every field of the minutes form, as plain values (action items as :class:`ActionItem`)."""
    record = get_meeting(session, meeting_id)
    contract = session.get(Contract, record.contract_id)
    assert contract is not None
    return _values(record) | {
        "id": record.id,
        "number": record.number,
        "contract": contract.code,
        "status": record.status,
        "locked": record.locked_at is not None,
        "amendment_reason": record.amendment_reason,
    }
