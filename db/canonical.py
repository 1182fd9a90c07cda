"""Canonical JSON: the text every content hash, audit entry and seal of the app covers.

Sorted keys, no spaces, UTF-8 text unescaped: what
``json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))``
writes. Hashes stored years ago are recomputed from it, so its bytes never change.

orjson writes those same bytes four times faster, the check below included (a
run's content of 1.6 kB: 6.7 µs against 28 µs; ``omw demo`` encodes 54,000
contents and audit entries, a pack's tamper check thousands). It differs from
:mod:`json` in a few cases, all handled here:

- a float below 1e-4 in magnitude: orjson writes ``0.00001`` or ``1e-7``, json
  ``1e-05`` and ``1e-07``. Where orjson's text holds such a number (or a string
  of JSON punctuation around one), json writes the text;
- an integer beyond 64 bits, a non-string key, a lone surrogate: orjson refuses,
  json writes (or refuses) as before;
- a non-finite float: orjson writes ``null``, json ``NaN``. No content holds one:
  numbers are checked finite when entered (:func:`app.records._util.number`),
  SQLite stores NaN as NULL, and exchange bundles refuse such constants.

Dates, times and dataclasses go to ``default`` (``OPT_PASSTHROUGH_*``) exactly as
json sends them; a ``tests/test_canonical.py`` property test holds the two
encoders to the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
#: the characters of a number as orjson writes one, and what may stand on either side
_NUMBER = frozenset(b"0123456789.-+e")
_BEFORE = frozenset(b":,[")
_AFTER = frozenset(b",]}")


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """``value`` as canonical JSON, UTF-8 encoded (``default`` converts what JSON lacks)."""
    out = _fast(value, default)
    return _json(value, default).encode("utf-8") if out is None else out


def text(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """``value`` as canonical JSON text."""
    out = _fast(value, default)
    return _json(value, default) if out is None else out.decode("utf-8")


def _fast(value: Any, default: Callable[[Any], Any] | None) -> bytes | None:
    """orjson's text, or ``None`` where json's may differ."""
    try:
        out = orjson.dumps(value, default=default, option=_OPTIONS)
    except orjson.JSONEncodeError:  # json raises the same error, or writes what orjson cannot
        return None
    return None if _small_float_in(out) else out


def _small_float_in(out: bytes) -> bool:
    """Whether orjson's text holds a number below 1e-4 (``0.0000…`` or ``…e-…``).

    Found by substring search, then the characters around it: a regular
    expression took 40 µs on a run's 1.6 kB, more than json's whole encoding.
    Text holding ``:1e-5,`` counts too (json then writes the same bytes).
    """
    for needle in (b"e-", b"0.0000"):
        at = out.find(needle)
        while at != -1:
            start, end = at, at + len(needle)
            while start and out[start - 1] in _NUMBER:
                start -= 1
            while end < len(out) and out[end] in _NUMBER:
                end += 1
            if (start == 0 or out[start - 1] in _BEFORE) and (
                end == len(out) or out[end] in _AFTER
            ):
                return True
            at = out.find(needle, end)
    return False


def _json(value: Any, default: Callable[[Any], Any] | None) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default
    )
