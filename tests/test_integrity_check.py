"""The pieces ``omw check`` is built from: bulk content hashes, seals, legacy sealing."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, select

from app.integrity import seals
from app.records import signing
from app.records.integrity_check import check_records, check_store
from app.storage import guards, paths
from app.storage.legacy_seals import ancestor_versions, record_versions
from app.storage.store import Store
from db.models import SIGNABLE_TYPES, AuditEntry, Device, Signature
from tests.test_export_fixtures import demo_dir, demo_store, store_copy  # noqa: F401


def test_bulk_content_hashes_equal_the_per_record_hash(demo_store: Store) -> None:  # noqa: F811
    """What the check computes in bulk is exactly what signing computed per record."""
    with demo_store.session() as s:
        for record_type, model in SIGNABLE_TYPES.items():
            ids = list(s.scalars(select(model.id)))  # type: ignore[attr-defined]
            assert ids, record_type
            bulk = signing.content_hashes(s, record_type, ids)
            assert bulk == {i: signing.content_hash(s, record_type, i) for i in ids}


def test_every_demo_signature_is_sealed_by_a_known_device(demo_store: Store) -> None:  # noqa: F811
    with demo_store.session() as s:
        devices = dict(s.execute(select(Device.id, Device.public_key)).all())
        sigs = s.scalars(select(Signature)).all()
        assert sigs and all(seals.seal_valid(sig, devices.get(sig.device_id)) for sig in sigs)
        assert all(sig.record_version >= 1 for sig in sigs)
        amended = [sig for sig in sigs if sig.record_version > 1]
        assert amended, "the demo's amended run was signed again"


def test_versions_read_along_the_chains_equal_those_of_the_whole_table(
    demo_store: Store,  # noqa: F811
) -> None:
    """An export checks its records' versions by walking their amendment chains only."""
    with demo_store.session() as s:
        for model in SIGNABLE_TYPES.values():
            every = record_versions(s, model)
            amended = [i for i, v in every.items() if v > 1]
            some = [*amended, *list(every)[:5]]
            assert ancestor_versions(s, model, some) == {i: every[i] for i in some}
        assert any(record_versions(s, model) for model in SIGNABLE_TYPES.values())
        run = SIGNABLE_TYPES["inspection_run"]
        assert max(record_versions(s, run).values()) > 1  # the demo's amended run


def test_many_seals_are_checked_each_and_in_order(demo_store: Store) -> None:  # noqa: F811
    with demo_store.session() as s:
        devices = dict(s.execute(select(Device.id, Device.public_key)).all())
        sigs = s.scalars(select(Signature)).all()[:300]
        pairs = [(sig, devices.get(sig.device_id)) for sig in sigs]
        pairs[7] = (pairs[7][0], pairs[8][1] if pairs[8][1] != pairs[7][1] else None)
        pairs[150] = (pairs[150][0], None)  # no key: not valid
        assert seals.seals_valid(pairs) == [seals.seal_valid(sig, key) for sig, key in pairs]
        assert seals.seals_valid(pairs).count(False) >= 1


def test_many_seals_are_made_each_in_order_as_one_at_a_time(demo_store: Store) -> None:  # noqa: F811
    """Sealing on several threads gives each row the seal made alone (Ed25519 is deterministic)."""
    with demo_store.session() as s:
        key = guards.device_of(s)
        rows = [
            SimpleNamespace(**{c: getattr(sig, c) for c in _SEALED}, device_id=None)
            for sig in s.scalars(select(Signature).limit(300))
        ]
        rows[40].signer_name += "乙"  # a different statement gets its own seal
        alone = [SimpleNamespace(**vars(row)) for row in rows]
        for row in alone:
            seals.seal(key, row)
        seals.seal_many(key, rows)
        assert [r.device_sig for r in rows] == [r.device_sig for r in alone]
        assert len({r.device_sig for r in rows}) == len(rows)
        assert all(seals.seal_valid(r, key.public_key) for r in rows)


_SEALED = (
    "record_type",
    "record_id",
    "record_version",
    "content_sha256",
    "role",
    "signer_name",
    "signed_at",
    "image_sha256",
)


def test_the_record_check_of_the_demo_store_passes(demo_store: Store) -> None:  # noqa: F811
    with demo_store.session() as s:
        report = check_records(s)
        assert report.ok, report.lines()
        assert report.signatures == s.scalar(select(func.count()).select_from(Signature))


def _make_legacy(folder: Path) -> int:
    """Turn the store into what schema 0004 left: signatures without seals, no devices or heads."""
    con = sqlite3.connect(paths.db_path(folder))
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        con.execute(f"DROP TRIGGER {name}")
    con.execute("UPDATE signature SET device_id = NULL, device_sig = NULL, record_version = NULL")
    con.execute("DELETE FROM audit_head")
    con.execute("DELETE FROM device")
    con.execute("UPDATE audit_log SET device_id = NULL, device_seq = NULL")  # no owner at 0009
    count = con.execute("SELECT count(*) FROM signature").fetchone()[0]
    for _name, sql in triggers:
        con.execute(sql)
    con.commit()
    con.close()
    return int(count)


def test_signatures_from_before_seals_are_sealed_once_at_the_upgrade(
    demo_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    store = store_copy(demo_dir, tmp_path / "legacy")
    store.close()
    total = _make_legacy(tmp_path / "legacy")
    store = Store.open(tmp_path / "legacy")  # seals them, with this laptop's device key
    try:
        report, _notes = check_store(store)
        assert report.ok, report.lines()
        with store.session() as s:
            assert s.scalar(select(func.count()).where(Signature.device_sig.is_not(None))) == total
            sealed = s.scalar(
                select(func.count()).where(
                    AuditEntry.entity == "signature", AuditEntry.action == "update"
                )
            )
            assert sealed == total  # each sealing is in the audit log
    finally:
        store.close()
    # a signature without a seal that turns up later is reported, never sealed
    con = sqlite3.connect(paths.db_path(tmp_path / "legacy"))
    con.execute("DROP TRIGGER signature_no_update")
    con.execute(
        "UPDATE signature SET device_sig = NULL WHERE id = (SELECT id FROM signature LIMIT 1)"
    )
    con.commit()
    con.close()
    store = Store.open(tmp_path / "legacy")
    try:
        report, _notes = check_store(store)
        assert any("没有设备签名" in p.message for p in report.problems), report.lines()
    finally:
        store.close()


def test_records_and_signatures_inserted_outside_the_app_are_named(
    demo_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Rows without an audit entry are found by id and named by the record they are."""
    folder = tmp_path / "inserted"
    store_copy(demo_dir, folder).close()
    con = sqlite3.connect(paths.db_path(folder))
    con.row_factory = sqlite3.Row
    fault = dict(con.execute("SELECT * FROM fault_record LIMIT 1").fetchone())
    sig = dict(con.execute("SELECT * FROM signature LIMIT 1").fetchone())
    fault["id"], sig["id"], sig["record_id"] = "f" * 32, "5" * 32, "f" * 32
    sig["record_type"] = "fault_record"
    for table, row in (("fault_record", fault), ("signature", sig)):
        names = ", ".join(row)
        con.execute(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", [*row.values()]
        )
    con.commit()
    con.close()
    store = Store.open(folder, actor="测试")
    try:
        report, _notes = check_store(store)
    finally:
        store.close()
    outside = [p for p in report.problems if "在本应用之外插入" in p.message]
    assert [(p.record_type, p.record_id) for p in outside] == [("fault_record", "f" * 32)] * 2
    assert "签字" in outside[1].where  # the signature, named with its record
