"""Engines of the same kind share compiled SQL (``db.engine.SharedCompiledCache``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select
from sqlalchemy.util import LRUCache

from app.storage.store import Store
from db.engine import SharedCompiledCache, compiled_statements, make_engine
from db.models import CalendarOverride

NOTES = Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("text", String))
NEWEST = select(NOTES.c.text).where(NOTES.c.id > 0).order_by(NOTES.c.id.desc()).limit(7)


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of each statement compiled into the shared cache, emptied for the test."""
    monkeypatch.setattr(compiled_statements, "_entries", LRUCache(2000))
    seen: list[str] = []
    store = SharedCompiledCache.__setitem__

    def counting(self: SharedCompiledCache, key: Any, value: Any) -> None:
        seen.append(value.string)
        store(self, key, value)

    monkeypatch.setattr(SharedCompiledCache, "__setitem__", counting)
    return seen


def _filled(path: Path, key: bytes | None, *texts: str) -> Engine:
    engine = make_engine(path, key)
    NOTES.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(NOTES), [{"text": t} for t in texts])
    return engine


def test_a_second_store_reuses_the_first_ones_statements_and_reads_its_own_rows(
    tmp_path: Path, compiled: list[str]
) -> None:
    first = _filled(tmp_path / "a.sqlite3", None, "甲", "乙")
    second = _filled(tmp_path / "b.sqlite3", None, "丙")
    try:
        compiled.clear()
        with first.connect() as conn:
            assert conn.execute(NEWEST).scalars().all() == ["乙", "甲"]
        with second.connect() as conn:
            assert conn.execute(NEWEST).scalars().all() == ["丙"]
        assert len([sql for sql in compiled if "FROM notes" in sql]) == 1  # once, for both files
    finally:
        first.dispose()
        second.dispose()


def test_a_flush_s_insert_is_compiled_once_for_every_store(
    tmp_path: Path, compiled: list[str]
) -> None:
    stores = [Store.open(tmp_path / name, actor="测试工程师") for name in ("甲", "乙", "丙")]
    try:
        compiled.clear()
        for day, store in enumerate(stores, start=1):
            with store.session() as s:
                s.add(CalendarOverride(day=date(2031, 1, day), workday=True, name="调休"))
            with store.session() as s:
                assert s.scalars(select(CalendarOverride.day)).all() == [date(2031, 1, day)]
    finally:
        for store in stores:
            store.close()
    inserts = [sql for sql in compiled if sql.startswith("INSERT INTO calendar_override")]
    assert len(inserts) == 1, compiled


def test_an_encrypted_store_compiles_apart_from_plain_ones(
    tmp_path: Path, compiled: list[str]
) -> None:
    """``sqlcipher3`` carries its own SQLite: its statements are kept apart."""
    plain = _filled(tmp_path / "plain.sqlite3", None, "明文")
    sealed = _filled(tmp_path / "sealed.sqlite3", bytes(range(32)), "密文")
    statement = select(NOTES.c.text).where(NOTES.c.text != "无").limit(3)
    try:
        compiled.clear()
        with plain.connect() as conn:
            assert conn.execute(statement).scalars().all() == ["明文"]
        with sealed.connect() as conn:
            assert conn.execute(statement).scalars().all() == ["密文"]
        assert len([sql for sql in compiled if "FROM notes" in sql]) == 2
    finally:
        plain.dispose()
        sealed.dispose()
