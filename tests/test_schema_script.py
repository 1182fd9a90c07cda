"""A new store is made from the head's schema script: exactly what the migrations build."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from db import migrate, schema
from db.engine import make_engine


def _contents(path: Path) -> tuple[list[Any], dict[str, list[Any]], list[Any]]:
    """Every schema object (shadow tables and SQLite's own indexes too), every table's rows
    (the full-text index's shadow tables among them) and the pragmas a file keeps."""
    conn = sqlite3.connect(path)
    try:
        objects = sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        rows = {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall())
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            )
            if not sql.upper().startswith("CREATE VIRTUAL TABLE")
        }
        pragmas = [
            conn.execute(f"PRAGMA {p}").fetchone()
            for p in ("user_version", "application_id", "encoding", "auto_vacuum", "page_size")
        ]
    finally:
        conn.close()
    return objects, rows, pragmas


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "migrated.sqlite3"
    schema.migrated_file(path)
    return path


def test_the_script_is_what_the_migrations_build(migrated: Path) -> None:
    conn = sqlite3.connect(migrated)
    try:
        built = schema.dump(conn)
    finally:
        conn.close()
    script = schema.script_path().read_text("utf-8")
    assert schema.script_revision(script) == migrate.script_head()
    assert built == script, "db/migrations/head.sql is out of date: run python -m db.schema"


def test_a_store_made_from_the_script_equals_a_migrated_one(migrated: Path, tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    engine = make_engine(path)
    try:
        assert migrate.upgrade(engine) is None
        assert migrate.current_revision(engine) == migrate.head_revision(engine)
    finally:
        engine.dispose()
    objects, rows, pragmas = _contents(path)
    assert any(kind == "trigger" for kind, *_ in objects)
    assert (objects, rows, pragmas) == _contents(migrated)


def test_the_scripted_store_refuses_what_the_triggers_refuse(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "new.sqlite3")
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, details,"
                    " prev_hash, hash) VALUES (1, '2026-01-01 00:00:00', 'a', 'create', 'x',"
                    " 'id', '{}', :h, :h)"
                ),
                {"h": "0" * 64},
            )
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'b'"))
    finally:
        engine.dispose()


def test_the_script_runs_only_on_an_empty_database_of_its_revision(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "other.sqlite3")
    try:
        assert not schema.create_at_head(engine, "0001_initial_schema")  # not the script's
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
        assert not schema.create_at_head(engine, migrate.script_head())  # not empty
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert names == ["notes"]
    finally:
        engine.dispose()


def test_statements_are_split_where_sqlite_ends_them() -> None:
    script = (
        "-- a comment; not a statement\n\n"
        "CREATE TABLE t (a TEXT DEFAULT 'x;\ny');\n\n"
        "CREATE TRIGGER g BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no');\nEND;\n"
    )
    assert schema.statements(script) == [
        "CREATE TABLE t (a TEXT DEFAULT 'x;\ny');",
        "CREATE TRIGGER g BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no');\nEND;",
    ]


def test_a_script_that_fails_half_way_leaves_the_database_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = schema.statements

    def broken(script: str) -> list[str]:
        return [*real(script)[:20], "CREATE TABLE broken (", *real(script)[20:]]

    monkeypatch.setattr(schema, "statements", broken)
    engine = make_engine(tmp_path / "half.sqlite3")
    try:
        with pytest.raises(OperationalError):
            schema.create_at_head(engine, migrate.script_head())
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar() == 0
        monkeypatch.setattr(schema, "statements", real)
        assert schema.create_at_head(engine, migrate.script_head())  # and can be made again
        assert migrate.stored_revision(engine) == migrate.script_head()
    finally:
        engine.dispose()
