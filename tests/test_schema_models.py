"""The models (``db.models``) and the migrations describe the same schema.

A store is created by the migrations, while tests and tools may use
``metadata.create_all``; Alembic autogenerate compares the two. Any column,
index or table the one has and the other lacks is a drift — for example the
per-device indexes bundles select by (revision 0009) missing from the models.
Tables the models do not declare on purpose (the full-text search index, raw
SQL of :mod:`app.search.index`) are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.storage.store import Store
from db.models import Base


def test_a_migrated_store_matches_the_models(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s")
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            indexes = {
                table: {i["name"] for i in inspect(conn).get_indexes(table)}
                for table in Base.metadata.tables
            }
    finally:
        store.close()
    modelled = set(Base.metadata.tables)

    def drift(entry: Any) -> bool:
        if isinstance(entry, tuple) and entry[0] == "remove_table":
            return entry[1].name in modelled
        if isinstance(entry, tuple) and entry[0] == "remove_index":
            return entry[1].table.name in modelled
        return True  # anything else: a column, an index or a table the two disagree on

    assert [repr(entry)[:200] for entry in diff if drift(entry)] == []
    for table in Base.metadata.sorted_tables:
        if "device_seq" in table.c and table.name != "audit_log":
            assert f"ix_{table.name}_device" in indexes[table.name], table.name
    assert "ix_audit_log_chain" in indexes["audit_log"]


def test_create_all_makes_the_per_device_indexes(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    Base.metadata.create_all(engine)
    found = inspect(engine)
    unique = {i["name"]: i["unique"] for i in found.get_indexes("audit_log")}
    assert unique.get("ix_audit_log_chain")
    assert {i["name"] for i in found.get_indexes("fault_record")} >= {"ix_fault_record_device"}
    engine.dispose()


def test_new_ids_are_random_version_4_uuids_as_uuid4_writes_them() -> None:
    import uuid

    from db.models import new_id

    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert {text[19] for text in ids} == set("89ab")  # every variant digit occurs
