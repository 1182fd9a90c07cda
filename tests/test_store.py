"""The store: pragmas, migrations, the copy before migrating, newer stores refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app.storage.store import Store
from db import migrate
from db.errors import NewerDatabaseError
from tests.migration_helpers import stage_test_revision


def test_fresh_store_is_at_head_with_pragmas(store: Store) -> None:
    assert migrate.current_revision(store.engine) == migrate.head_revision(store.engine)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert store.migration_backup is None


def test_reopening_a_current_store_makes_no_backup(isolated_dirs: Path) -> None:
    Store.open(isolated_dirs).close()
    again = Store.open(isolated_dirs)
    assert again.migration_backup is None
    assert not list(isolated_dirs.glob("*.bak-*"))
    again.close()


def test_newer_store_is_refused_and_left_untouched(isolated_dirs: Path) -> None:
    Store.open(isolated_dirs).close()
    db_file = isolated_dirs / "omw.sqlite3"
    con = sqlite3.connect(db_file)
    con.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    con.commit()
    con.close()
    before = db_file.read_bytes()
    with pytest.raises(NewerDatabaseError, match="更新版本"):
        Store.open(isolated_dirs)
    assert db_file.read_bytes() == before


def test_migration_copies_the_database_first(
    isolated_dirs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(isolated_dirs).close()  # a store at the current head
    head = migrate.head_revision(Store.open(isolated_dirs).engine)
    stage_test_revision(tmp_path, head, monkeypatch)
    upgraded = Store.open(isolated_dirs)
    assert upgraded.migration_backup is not None
    assert upgraded.migration_backup.name.startswith(f"omw.sqlite3.bak-{head}-")
    assert migrate.current_revision(upgraded.engine) == "9999"
    upgraded.close()
    con = sqlite3.connect(upgraded.migration_backup)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
