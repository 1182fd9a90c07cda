"""The audit log records every change of the services and its hash chain exposes edits."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.errors import DomainError, LockedError, RefusedError
from app.records import inspections as ins
from app.records import signing
from app.storage import paths
from app.storage.store import Store
from db.audit import AuditWriter, canonical_json, row_hash, verify_chain
from db.models import AuditEntry, InspectionRun
from tests.factories import install, png_bytes, results_by_code

NOW = datetime(2026, 12, 20, 12, 0)


def _signed_and_amended(store: Store) -> tuple[str, str]:
    with store.session() as s:
        install(s)
        run = ins.start_run(
            s, "test-portal", "monthly", scheduled_date=date(2026, 11, 3), inspector="张工"
        )
        ins.set_result(
            s, run.results[0].id, status="abnormal", note="发现弃用账号", action="已停用"
        )
        ins.complete_run(s, run.id, conclusion="发现 1 项异常")
        signing.sign(
            s,
            "inspection_run",
            run.id,
            role="运维人员",
            signer_name="张工",
            png=png_bytes(),
            signed_at=datetime(2026, 11, 3, 17),
            now=NOW,
        )
    with store.session() as s:
        amended = signing.amend(s, "inspection_run", run.id, reason="补充处理措施", actor="张工")
        ins.set_result(s, results_by_code(amended)[(None, "accounts")].id, action="已停用账号")
        return run.id, amended.id


def test_every_change_is_logged_by_the_acting_person(store: Store) -> None:
    run_id, amended_id = _signed_and_amended(store)
    with store.session() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        of_run = [(e.action, e.entity) for e in entries if e.entity_id == run_id]
        assert of_run == [
            ("create", "inspection_run"),
            ("update", "inspection_run"),  # completed
            ("lock", "inspection_run"),
        ]
        updates = [e for e in entries if e.action == "update" and e.entity == "item_result"]
        assert updates[0].details["changed"]["status"] == [None, "abnormal"]
        signs = [e for e in entries if e.action == "sign"]
        assert len(signs) == 1 and signs[0].details["record_id"] == run_id
        assert signs[0].details["role"] == "运维人员"
        amends = [e for e in entries if e.entity_id == amended_id]
        assert amends[0].action == "amend" and amends[0].details["supersedes"] == run_id
        assert {e.actor for e in entries} == {"测试工程师"}
        report = verify_chain(s)
        assert report.ok and report.entries == len(entries)


def test_a_modified_audit_row_breaks_the_chain_at_that_row(store: Store) -> None:
    _signed_and_amended(store)
    with store.session() as s:
        sign_seq = s.scalar(select(AuditEntry.seq).where(AuditEntry.action == "sign"))
        assert sign_seq is not None
    # the database refuses edits of the log …
    with pytest.raises(RefusedError, match="审计日志只能追加"), store.session() as s:
        s.connection().exec_driver_sql("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    # … so an attacker drops the trigger and edits the file directly
    con = sqlite3.connect(paths.db_path(store.folder))
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute(
        "UPDATE audit_log SET details = json_set(details, '$.signer_name', '李四') WHERE seq = ?",
        (sign_seq,),
    )
    con.commit()
    con.close()
    with store.session() as s:
        report = verify_chain(s)
        assert not report.ok
        assert report.broken_at == sign_seq
        assert report.reason == "记录内容被改动"


def test_a_removed_audit_row_is_reported(store: Store) -> None:
    _signed_and_amended(store)
    con = sqlite3.connect(paths.db_path(store.folder))
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq = 3")
    con.commit()
    con.close()
    with store.session() as s:
        report = verify_chain(s)
        assert report.broken_at == 3 and "缺少第 3 条" in report.reason


def test_refused_operations_leave_no_audit_entries(store: Store) -> None:
    run_id, amended_id = _signed_and_amended(store)
    with store.session() as s:
        before = s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        original = s.get(InspectionRun, run_id)
        assert original is not None
        with pytest.raises(LockedError):
            ins.set_result(s, original.results[0].id, note="x")
        with pytest.raises(DomainError, match="尚未完成"):
            signing.sign(
                s,
                "inspection_run",
                amended_id,
                role="运维人员",
                signer_name="张工",
                png=png_bytes(),
                now=NOW,
            )
        s.flush()
        after = s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        assert after == before


@pytest.mark.parametrize(
    "details",
    [
        {"number": "XJ-2026-11-0001", "changed": {"note": ["", "风扇异响，已报修"]}},
        {"value": 1e-05, "limits": [0.00001, 2.5e-7, 90.0]},  # json's text, not orjson's
        {9: "九", 10: "十"},  # non-string keys: read back as "10", "9"
        {"big": 2**70, "when": date(2026, 11, 3), "at": datetime(2026, 11, 3, 9, 30)},
        {"nested": [{"b": 1, "a": [True, None, -0.0]}], "text": '\u2028\t"引号"'},
        {},
    ],
)
def test_an_entry_is_hashed_as_its_stored_row_is_checked(store: Store, details: dict) -> None:
    """An entry's hash covers the details as stored (read back), whichever way they were
    written: the chain check recomputes it from the row."""
    with store.session() as s:
        writer = AuditWriter(s, "device-under-test")
        entry = writer.append("张工", "update", "fault_record", "f-1", details)
        s.flush()
        stored = s.get(AuditEntry, entry.seq)
        s.refresh(stored)
        assert stored.hash == row_hash(stored)
        assert canonical_json(stored.details) == canonical_json(entry.details)
