"""Canonical JSON (db/canonical.py): orjson's speed, json's bytes.

Every content hash, audit entry and seal covers this text, and hashes written
years ago are recomputed from it: the fast encoder must write exactly what
``json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` writes,
and fail where it fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import canonical
from db.audit import canonical_bytes, canonical_json, json_default


def _reference(value: Any, default: Any = json_default) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default
    )


#: every kind of text: controls, quotes, backslashes, CJK, astral characters, lone surrogates
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e-3, max_value=1e-3, allow_nan=False),  # json writes 1e-05
    st.sampled_from([1e-4, 9.99e-5, 1e-5, 1e-6, 1e-7, 1e15, 1e16, -0.0, 0.1, 100.0]),
)
INTEGERS = st.one_of(st.integers(), st.integers(min_value=2**63 - 2, max_value=2**64 + 2))
MOMENTS = st.one_of(
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.binary(max_size=8),  # json_default: its SHA-256
)
SCALARS = st.one_of(st.none(), st.booleans(), INTEGERS, FLOATS, TEXT, MOMENTS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(TEXT, inner, max_size=4),
    ),
    max_leaves=20,
)


def _outcome(encode: Any, value: Any) -> tuple[str, Any]:
    try:
        return "text", encode(value)
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        return "error", type(exc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_canonical_json_writes_what_json_writes(value: Any) -> None:
    assert _outcome(canonical_json, value) == _outcome(_reference, value)
    expected = _outcome(lambda v: _reference(v).encode("utf-8"), value)
    assert _outcome(canonical_bytes, value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [1e-05, 2.5e-7, 0.0001]},  # small floats: json writes them
        {"text": "0.00001 and 1e-5 in words"},  # text that only looks like them
        {"big": 2**70, "neg": -(2**64)},  # beyond 64 bits
        {2: "a", 1: "b"},  # keys that are no strings
        {1: "a", "2": "b"},  # keys json cannot sort
        {"when": datetime(2026, 1, 2, 3, 4, 5), "day": date(2026, 1, 2), "raw": b"\x00"},
        {"z": "中文", "a": '\u2028\x7f\x1f"\\'},
    ],
)
def test_the_cases_orjson_writes_differently_or_refuses(value: Any) -> None:
    assert _outcome(canonical_json, value) == _outcome(_reference, value)


def test_what_json_refuses_canonical_json_refuses() -> None:
    for value in [{"t": time(1, 2)}, {"d": timedelta(1)}, {"s": {1, 2}}, {"x": object()}]:
        with pytest.raises(TypeError):
            canonical_json(value)
    with pytest.raises(TypeError):
        _reference({"k": {(1, 2): 3}})  # a tuple key: both refuse
    with pytest.raises(TypeError):
        canonical_json({"k": {(1, 2): 3}})


def test_a_dataclass_is_what_default_makes_of_it() -> None:
    @dataclass
    class Row:
        z: int
        a: str

    def default(value: Any) -> Any:
        return {"fields": vars(value)} if isinstance(value, Row) else json_default(value)

    row = {"row": Row(1, "一")}
    assert canonical.text(row, default) == _reference(row, default)
    assert canonical.text(row, default) == '{"row":{"fields":{"a":"一","z":1}}}'


def test_hashes_written_before_still_verify() -> None:
    """A content hash and an audit entry's hash as the json encoder wrote them, pinned."""
    from db.audit import entry_hash

    at = datetime(2026, 3, 4, 5, 6, 7, 890123)
    details = {"title": "核心交换机", "value": 1.5e-05, "n": None, "ok": True}
    assert entry_hash(7, at, "张工", "create", "fault_record", "f-1", details, "0" * 64) == (
        _pinned_entry_hash(7, at, details)
    )


def _pinned_entry_hash(seq: int, at: datetime, details: dict[str, Any]) -> str:
    import hashlib

    body = _reference(
        {
            "seq": seq,
            "at": at.isoformat(),
            "actor": "张工",
            "action": "create",
            "entity": "fault_record",
            "entity_id": "f-1",
            "details": details,
            "prev": "0" * 64,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def test_a_records_content_takes_the_fast_path() -> None:
    """Ids, times and readings are no small floats: orjson's text is used as it is."""
    from db.models import new_id

    content = {
        "record": {"id": new_id(), "run_id": new_id(), "value_num": 45.3, "note": "3e-5 级"},
        "at": datetime(2026, 1, 2, 3, 4, 5),
        "results": [{"id": new_id(), "value_num": 0.0001, "seq": 10} for _ in range(50)],
    }
    assert canonical._fast(content, json_default) == canonical_bytes(content)
    assert canonical._fast({"v": 1e-05}, json_default) is None
