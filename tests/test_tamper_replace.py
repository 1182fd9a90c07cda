"""``INSERT OR REPLACE`` from a database tool cannot swap a protected row (migration 0004).

REPLACE deletes the conflicting row without firing DELETE triggers (SQLite's
``recursive_triggers`` is off in an ordinary connection), so the UPDATE/DELETE
guards alone let a signed run, a signature, a blob or an audit entry be replaced.
Each attack here runs on a demo store through a plain ``sqlite3`` connection, as an
attacker with the file and a database tool would, and must be refused leaving the
row exactly as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.storage import paths
from app.storage.store import Store
from tests.test_export_fixtures import demo_dir, store_copy  # noqa: F401

LOCKED = "record is signed and locked"
_LOCKED_ROW = "SELECT id FROM {} WHERE locked_at IS NOT NULL"
#: (table, key column, a row to aim at, the column an attacker would change, the refusal)
ATTACKS = [
    ("inspection_run", "id", _LOCKED_ROW.format("inspection_run"), "conclusion", LOCKED),
    ("fault_record", "id", _LOCKED_ROW.format("fault_record"), "title", LOCKED),
    ("service_request", "id", _LOCKED_ROW.format("service_request"), "description", LOCKED),
    ("meeting_minutes", "id", _LOCKED_ROW.format("meeting_minutes"), "decisions", LOCKED),
    (
        "item_result",
        "id",
        "SELECT r.id FROM item_result r JOIN inspection_run u ON u.id = r.run_id "
        "WHERE u.locked_at IS NOT NULL",
        "note",
        LOCKED,
    ),
    ("signature", "id", "SELECT id FROM signature", "signer_name", "signatures are immutable"),
    ("blob", "sha256", "SELECT sha256 FROM blob", "data", "blobs are immutable"),
    ("audit_log", "seq", "SELECT seq FROM audit_log", "actor", "audit log is append-only"),
    ("device", "id", "SELECT id FROM device", "public_key", "device keys are immutable"),
    (
        "audit_head",
        "device_id",
        "SELECT device_id FROM audit_head",
        "hash",
        "audit heads are never removed",
    ),
]


@pytest.fixture
def tool(demo_dir: Path, tmp_path: Path) -> Iterator[sqlite3.Connection]:  # noqa: F811
    """A plain sqlite3 connection to a copy of the demo store: no app, triggers in place."""
    store: Store = store_copy(demo_dir, tmp_path / "store")
    folder = store.folder
    store.close()
    con = sqlite3.connect(paths.db_path(folder))
    assert con.execute("PRAGMA recursive_triggers").fetchone() == (0,)
    yield con
    con.close()


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in con.execute(f"PRAGMA table_info({table})")]


@pytest.mark.parametrize(
    ("table", "key", "target", "column", "refusal"), ATTACKS, ids=[a[0] for a in ATTACKS]
)
def test_replace_of_a_protected_row_is_refused(
    tool: sqlite3.Connection, table: str, key: str, target: str, column: str, refusal: str
) -> None:
    row_key = tool.execute(target + " LIMIT 1").fetchone()
    assert row_key is not None, f"the demo store has no {table} row to attack"
    columns = _columns(tool, table)
    assert column in columns
    before = tool.execute(f"SELECT * FROM {table} WHERE {key} = ?", row_key).fetchone()
    forged = [
        (b"forged" if isinstance(value, bytes) else "forged") if name == column else value
        for name, value in zip(columns, before, strict=True)
    ]
    marks = ", ".join("?" for _ in columns)
    with pytest.raises(sqlite3.IntegrityError, match=refusal):
        tool.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", forged)
    tool.rollback()
    assert tool.execute(f"SELECT * FROM {table} WHERE {key} = ?", row_key).fetchone() == before


def test_blobs_are_never_updated(tool: sqlite3.Connection) -> None:
    digest = tool.execute("SELECT sha256 FROM blob LIMIT 1").fetchone()
    before = tool.execute("SELECT data FROM blob WHERE sha256 = ?", digest).fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="blobs are immutable"):
        tool.execute("UPDATE blob SET data = x'00' WHERE sha256 = ?", digest)
    tool.rollback()
    assert tool.execute("SELECT data FROM blob WHERE sha256 = ?", digest).fetchone() == before


def test_unlocked_records_are_still_written_as_usual(tool: sqlite3.Connection) -> None:
    """The guards only refuse replacing protected rows: a draft run may still change."""
    draft = tool.execute("SELECT id FROM inspection_run WHERE locked_at IS NULL LIMIT 1").fetchone()
    assert draft is not None
    tool.execute("UPDATE inspection_run SET conclusion = '草稿结论' WHERE id = ?", draft)
    tool.commit()
