"""Small validation helpers shared by the services (private to ``app.records``).

Every helper raises :class:`DomainError` with a Chinese message and never
writes, so a service can validate all of its input before it mutates anything.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError, LockedError, NotFound
from app.storage.guards import _LOCKED_MESSAGE
from app.storage.text_rules import clean_text
from db.models import Base, Contract, HolidayPeriod, System, now

T = TypeVar("T", bound=Base)

TEXT_LIMIT = 20_000
NAME_LIMIT = 64
FUTURE_SLACK = timedelta(minutes=5)
LOCKED_MESSAGE = _LOCKED_MESSAGE
#: Numbers beyond this magnitude are typing accidents, not measurements.
NUMBER_LIMIT = 1e15


def text(value: Any, label: str, *, required: bool = False, limit: int = TEXT_LIMIT) -> str:
    """Typed text, checked and cleaned (:func:`app.storage.text_rules.clean_text`).

    ``None`` is ``""``. A lone surrogate (a broken paste) is refused with a
    Chinese message naming ``label``; control characters other than tab, line
    feed and carriage return (NUL, C0, DEL, C1) are **stripped**, not refused;
    surrounding whitespace is stripped; then ``required`` and ``limit`` apply.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"「{label}」必须是文本。")
    value = clean_text(value, label).strip()
    if required and not value:
        raise DomainError(f"请填写「{label}」。")
    if len(value) > limit:
        raise DomainError(f"「{label}」过长（{len(value)} 字），最多 {limit} 字。")
    return value


def number(value: Any, label: str) -> float | None:
    """A finite number (``int``, ``float`` or numeric text), or ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise DomainError(f"「{label}」必须是数字。")
    if isinstance(value, str):
        value = clean_text(value, label)  # the message below quotes what was typed
    try:
        result = float(value.strip().replace(",", "") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise DomainError(f"「{label}」必须是数字，收到 “{value}”。") from None
    if not math.isfinite(result):
        raise DomainError(f"「{label}」必须是有限的数字。")
    if abs(result) > NUMBER_LIMIT:
        raise DomainError(f"「{label}」的数值 {value} 超出合理范围。")
    return result


def moment(value: Any, label: str) -> datetime:
    """A site wall-clock time: naive, to the second (aware times are converted)."""
    if not isinstance(value, datetime):
        raise DomainError(f"「{label}」必须是日期时间。")
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.replace(microsecond=0)


def not_future(value: datetime, label: str, current: datetime | None = None) -> datetime:
    reference = current or now()
    if value > reference + FUTURE_SLACK:
        raise DomainError(f"「{label}」{value:%Y-%m-%d %H:%M} 晚于当前时间，不能填写将来的时间。")
    return value


def day(value: Any, label: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DomainError(f"「{label}」必须是日期。")
    return value


def contract_of(session: Session, contract: Contract | str) -> Contract:
    if isinstance(contract, Contract):
        return contract
    found = session.scalar(select(Contract).where(Contract.code == contract))
    if found is None:
        raise NotFound(f"没有代码为 “{contract}” 的合同。")
    return found


def get(session: Session, model: type[T], record_id: str, label: str) -> T:
    found = session.get(model, record_id) if isinstance(record_id, str) else None
    if found is None:
        raise NotFound(f"找不到该{label}（{record_id}）。")
    return found


def system_of(session: Session, contract: Contract, code: str | None) -> System | None:
    if code is None or code == "":
        return None
    system = session.scalar(
        select(System).where(System.contract_id == contract.id, System.code == code)
    )
    if system is None:
        raise DomainError(f"合同「{contract.name}」中没有代码为 “{code}” 的系统。")
    return system


def holiday_of(
    session: Session, contract: Contract, holiday_id: str | None
) -> HolidayPeriod | None:
    if holiday_id is None:
        return None
    holiday = session.get(HolidayPeriod, holiday_id)
    if holiday is None or holiday.contract_id != contract.id:
        raise DomainError("所选节假日保障期不存在或不属于该合同。")
    return holiday


def ensure_unlocked(record: Any) -> None:
    """Refuse early, with the guard's message, before anything is changed."""
    locked = record.locked_at if not hasattr(record, "run") else record.run.locked_at
    if locked is not None:
        raise LockedError(LOCKED_MESSAGE)


def superseded(session: Session, model: type[Any], record_id: str) -> bool:
    """Whether an amendment of this record exists."""
    return (
        session.scalar(select(model.id).where(model.supersedes_id == record_id).limit(1))
        is not None
    )


def choice(value: Any, label: str, options: dict[str, str]) -> str:
    """A code of ``options`` (code → Chinese label); the Chinese label is accepted too."""
    if isinstance(value, str):
        if value in options:
            return value
        for code, name in options.items():
            if value == name:
                return code
    allowed = "、".join(options.values())
    raise DomainError(f"「{label}」的取值 “{value}” 无效，可选：{allowed}。")


__all__ = [
    "FUTURE_SLACK",
    "LOCKED_MESSAGE",
    "NAME_LIMIT",
    "TEXT_LIMIT",
    "choice",
    "contract_of",
    "day",
    "ensure_unlocked",
    "get",
    "holiday_of",
    "moment",
    "not_future",
    "number",
    "superseded",
    "system_of",
    "text",
]
