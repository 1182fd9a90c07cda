"""What typed text may contain before it is stored: the one rule every entry point applies.

- A **lone surrogate** (half of a UTF-16 pair, e.g. ``"\\ud800"`` from a broken
  paste or a mis-decoded command-line argument) cannot be stored as UTF-8 at all:
  it is **refused** with a Chinese message naming the field, before anything is
  written. Two halves that do form a pair are joined into the one character they
  encode, not refused.
- **Control characters** — C0 (U+0000–U+001F, NUL included) except tab, line
  feed and carriage return, DEL (U+007F) and C1 (U+0080–U+009F) — are invisible,
  print as garbage and break exported files; they are **stripped** silently
  (typing them is almost always an accident of copy and paste).

:func:`clean_text` applies both (the record services call it through
``app.records._util.text``); :func:`scrub` is for drafts, which are saved as
typed and must never fail: lone surrogates become U+FFFD, nothing else changes.
:func:`app.storage.db_errors.translate` is the safety net for any entry point that
was missed.
"""

from __future__ import annotations

import re
from typing import Any

from app.errors import DomainError

__all__ = [
    "KEPT_CONTROLS",
    "clean_text",
    "join_pairs",
    "lone_surrogate",
    "scrub",
    "strip_controls",
    "surrogate_message",
]

#: Control characters that are kept: tab, line feed, carriage return.
KEPT_CONTROLS = "\t\n\r"
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def join_pairs(value: str) -> str:
    """Join high+low surrogate halves that form a pair into the character they encode."""
    if _SURROGATE.search(value) is None:
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def lone_surrogate(value: str) -> int | None:
    """The index of the first lone surrogate of ``value`` (pairs joined first), or ``None``."""
    found = _SURROGATE.search(join_pairs(value))
    return None if found is None else found.start()


def surrogate_message(label: str, index: int) -> str:
    return (
        f"「{label}」中第 {index + 1} 个字符无效（不成对的代理字符，常见于复制粘贴出错），"
        "请删除后重新输入。"
    )


def strip_controls(value: str) -> str:
    """``value`` without C0/C1 control characters, DEL and NUL (tab, LF and CR are kept)."""
    return _CONTROLS.sub("", value)


def clean_text(value: str, label: str) -> str:
    """``value`` fit to store: lone surrogates refused, control characters stripped.

    Raises :class:`DomainError` (a Chinese message naming ``label``) for a lone
    surrogate. Surrounding whitespace is left to the caller.
    """
    joined = join_pairs(value)
    found = _SURROGATE.search(joined)
    if found is not None:
        raise DomainError(surrogate_message(label, found.start()))
    return strip_controls(joined)


def scrub(value: Any) -> Any:
    """A JSON-like value with every lone surrogate (in texts and keys) replaced by U+FFFD.

    For drafts: what was typed is kept as closely as possible and can always be
    saved. Other values are returned unchanged.
    """
    if isinstance(value, str):
        joined = join_pairs(value)
        return _SURROGATE.sub(REPLACEMENT, joined) if _SURROGATE.search(joined) else joined
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, dict):
        return {scrub(k) if isinstance(k, str) else k: scrub(v) for k, v in value.items()}
    return value
