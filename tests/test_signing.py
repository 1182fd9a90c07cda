"""Signing locks records; other roles sign the same content; tampering is detected;
corrections are amendments that keep the original."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.errors import DomainError, LockedError
from app.records import attachments, faults, signing
from app.records import inspections as ins
from app.records import requests as rq
from app.storage import paths
from app.storage.store import Store
from db.models import AuditEntry, FaultRecord, InspectionRun, ItemResult, Signature
from tests.factories import count, install, jpeg_bytes, png_bytes, results_by_code

DAY = date(2026, 11, 3)
NOW = datetime(2026, 12, 20, 12, 0)
SIGNED = datetime(2026, 11, 3, 17, 0)


def _completed_run(s: Session) -> InspectionRun:
    """A whole grouped daily check: two exceptions, the rest normal, completed."""
    install(s)
    run = ins.start_run(s, "test-portal", "daily-server", scheduled_date=DAY, inspector="张工")
    by = results_by_code(run)
    ins.set_result(s, by[("portal", "disk")].id, value=91.5)  # 警告
    ins.set_result(s, by[("exchange", "disk")].id, value=42)
    ins.set_result(s, by[("api", "disk")].id, value=37)
    ins.set_result(s, by[("api", "server-status")].id, status="异常", note="应用无响应")
    ins.set_result(s, by[("api", "server-status")].id, action="重启 tomcat 后恢复")
    ins.mark_rest_normal(s, run.id)
    ins.complete_run(
        s,
        run.id,
        conclusion=ins.suggest_conclusion(run),
        remediation="清理磁盘",
        remediation_deadline=date(2026, 11, 5),
        completed_at=datetime(2026, 11, 3, 9, 40),
    )
    return run


def _sign(s: Session, kind: str, record_id: str, role: str = "运维人员", **kw: object) -> Signature:
    args: dict[str, object] = {"role": role, "signer_name": "张工", "png": png_bytes()}
    args.update(kw)
    args.setdefault("signed_at", SIGNED)
    return signing.sign(s, kind, record_id, now=NOW, **args)  # type: ignore[arg-type]


def _db(store: Store) -> sqlite3.Connection:
    return sqlite3.connect(paths.db_path(store.folder))


# --------------------------------------------------------------------------- signing


def test_first_signature_locks_the_run(store: Store) -> None:
    with store.session() as s:
        run = _completed_run(s)
        signature = _sign(s, "inspection_run", run.id)
        assert run.locked_at == SIGNED and run.status == "signed"
        assert signature.content_sha256 == signing.content_hash(s, "inspection_run", run.id)
        assert attachments.blob_bytes(s, signature.image_sha256) == png_bytes()
        run_id, result_id = run.id, run.results[0].id
    # the ORM refuses any change to the run or its results
    with store.session() as s, pytest.raises(LockedError):
        ins.set_result(s, result_id, status="abnormal")
    with pytest.raises(LockedError, match="签字锁定"), store.session() as s:
        locked = s.get(InspectionRun, run_id)
        assert locked is not None
        locked.conclusion = "改过的结论"
        s.flush()
    with pytest.raises(LockedError), store.session() as s:
        result = s.get(ItemResult, result_id)
        assert result is not None
        result.note = "改过"
        s.flush()
    with pytest.raises(LockedError), store.session() as s:
        s.delete(s.get(InspectionRun, run_id))
        s.flush()
    # and so does the database itself, for code that bypasses the ORM (said in Chinese)
    with pytest.raises(LockedError, match="签字锁定"), store.session() as s:
        s.connection().exec_driver_sql(
            "UPDATE inspection_run SET conclusion = 'x' WHERE id = ?", (run_id,)
        )
    with pytest.raises(LockedError, match="签字锁定"), store.session() as s:
        s.connection().exec_driver_sql(
            "UPDATE item_result SET note = 'x' WHERE id = ?", (result_id,)
        )
    with store.session() as s:
        assert signing.verify_record(s, "inspection_run", run_id).ok


def test_signing_requires_a_finished_record_and_valid_input(store: Store) -> None:
    with store.session() as s:
        install(s)
        run = ins.start_run(s, "test-portal", "monthly", scheduled_date=DAY, inspector="张工")
        with pytest.raises(DomainError, match="巡检记录尚未完成"):
            _sign(s, "inspection_run", run.id)
        fault = faults.create_fault(
            s, "test-portal", title="故障", level="major", reported_at=SIGNED, now=NOW
        )
        with pytest.raises(DomainError, match="故障单尚未关闭"):
            _sign(s, "fault_record", fault.id)
        req = rq.log_request(
            s,
            "test-portal",
            received_at=SIGNED,
            caller_unit="某单位",
            category="咨询",
            description="咨询",
            handler="李工",
            now=NOW,
        )
        with pytest.raises(DomainError, match="服务请求尚未处理完成"):
            _sign(s, "service_request", req.id)
        rq.resolve_on_phone(s, req.id, "已解答", SIGNED + timedelta(minutes=3), now=NOW)
        ins.mark_rest_normal(s, run.id)
        ins.complete_run(s, run.id, conclusion="正常")
        s.flush()
        entries, signatures = count(s, AuditEntry), count(s, Signature)
        good = png_bytes()
        bad_images = [
            (b"", "不是 PNG"),
            (b"GIF89a" + b"\x00" * 100, "不是 PNG"),
            (jpeg_bytes(), "不是 PNG"),
            (good[:40], "不完整|不是 PNG"),
            (good[:20] + b"\xff" + good[21:], "损坏"),  # header changed, CRC no longer fits
            (good + b"\x00" * (2 * 1024 * 1024), "过大"),
            ("not bytes", "字节"),
        ]
        for image, message in bad_images:
            with pytest.raises(DomainError, match=message):
                _sign(s, "inspection_run", run.id, png=image)
        with pytest.raises(DomainError, match="签字角色"):
            _sign(s, "inspection_run", run.id, role="项目经理")
        with pytest.raises(DomainError, match="签字人姓名"):
            _sign(s, "inspection_run", run.id, signer_name=" ")
        with pytest.raises(DomainError, match="不能签字"):
            _sign(s, "contract", run.id)
        with pytest.raises(DomainError, match="将来"):
            _sign(s, "inspection_run", run.id, signed_at=NOW + timedelta(hours=1))
        s.flush()
        assert run.locked_at is None and run.status == "completed"
        assert count(s, AuditEntry) == entries and count(s, Signature) == signatures
        # a service request that is done can be signed
        _sign(s, "service_request", req.id)
        assert req.locked_at == SIGNED


def test_png_header_dimensions() -> None:
    assert signing.png_info(png_bytes(600, 200)) == signing.PngInfo(600, 200)
    with pytest.raises(DomainError, match="尺寸"):
        signing.png_info(png_bytes(0, 5))


def test_other_roles_sign_the_same_content_once(store: Store) -> None:
    with store.session() as s:
        run = _completed_run(s)
        first = _sign(s, "inspection_run", run.id)
        second = _sign(
            s,
            "inspection_run",
            run.id,
            role="复核人",
            signer_name="项目经理甲",
            png=png_bytes(seed=7),
            signed_at=SIGNED + timedelta(hours=1),
        )
        assert second.content_sha256 == first.content_sha256
        assert run.locked_at == SIGNED  # the lock is the first signature's
        with pytest.raises(DomainError, match="「复核人」已由 项目经理甲"):
            _sign(s, "inspection_run", run.id, role="复核人", signer_name="别人")
        _sign(s, "inspection_run", run.id, role="甲方确认", signer_name="甲方代表")
        roles = [x.role for x in signing.signatures_of(s, "inspection_run", run.id)]
        assert roles == ["运维人员", "复核人", "甲方确认"]
        run_id = run.id
    with store.session() as s:  # the hash is stable across sessions (floats, dates, …)
        report = signing.verify_record(s, "inspection_run", run_id)
        assert report.ok and len(report.signatures) == 3 and report.problems == []
        assert len(signing.short_code(report.content_sha256)) == 14


def test_tampering_outside_the_app_is_detected(store: Store) -> None:
    with store.session() as s:
        run = _completed_run(s)
        _sign(s, "inspection_run", run.id)
        run_id = run.id
        api_status = results_by_code(run)[("api", "server-status")].id
    con = _db(store)
    con.execute("DROP TRIGGER item_result_locked_update")
    con.execute("UPDATE item_result SET status = 'normal', note = '' WHERE id = ?", (api_status,))
    con.commit()
    con.close()
    with store.session() as s:
        report = signing.verify_record(s, "inspection_run", run_id)
        assert not report.ok
        assert report.signatures[0].content_ok is False
        assert "签字后记录内容被改动" in report.problems[0]
        with pytest.raises(DomainError, match="内容与已有签字时不一致"):
            _sign(s, "inspection_run", run_id, role="复核人", signer_name="项目经理甲")


def test_tampered_fault_and_signature_image_are_detected(store: Store) -> None:
    with store.session() as s:
        install(s)
        fault = faults.create_fault(
            s, "test-portal", title="网站无法访问", level="major", reported_at=SIGNED, now=NOW
        )
        faults.set_time(s, fault.id, "recovered", SIGNED + timedelta(hours=1), now=NOW)
        faults.close_fault(s, fault.id, SIGNED + timedelta(hours=2), now=NOW)
        signature = _sign(s, "fault_record", fault.id, signed_at=SIGNED + timedelta(hours=3))
        fault_id, image = fault.id, signature.image_sha256
    con = _db(store)
    con.execute("DROP TRIGGER fault_record_locked_update")  # an attacker drops the guards
    con.execute("DROP TRIGGER blob_no_update")
    con.execute("UPDATE fault_record SET cause = '改写的原因' WHERE id = ?", (fault_id,))
    con.execute("UPDATE blob SET data = ? WHERE sha256 = ?", (png_bytes(seed=99), image))
    con.commit()
    con.close()
    with store.session() as s:
        report = signing.verify_record(s, "fault_record", fault_id)
        check = report.signatures[0]
        assert (check.content_ok, check.image_ok) == (False, False)
        assert len(report.problems) == 2


def test_signed_records_refuse_attachments(store: Store) -> None:
    with store.session() as s:
        run = _completed_run(s)
        result = run.results[0]
        shot = attachments.add_attachment(s, "item_result", result.id, png_bytes(seed=3), "a.png")
        ins.complete_run(s, run.id, conclusion="正常")
        _sign(s, "inspection_run", run.id)
        with pytest.raises(LockedError):
            attachments.add_attachment(s, "item_result", result.id, png_bytes(seed=4), "b.png")
        with pytest.raises(LockedError):
            attachments.add_attachment(s, "inspection_run", run.id, png_bytes(seed=4), "b.png")
        with pytest.raises(LockedError):
            attachments.remove_attachment(s, shot.id)
        run_id = run.id
    con = _db(store)
    con.execute("DELETE FROM attachment")  # attachments are part of the signed content
    con.commit()
    con.close()
    with store.session() as s:
        assert not signing.verify_record(s, "inspection_run", run_id).ok


def test_bulk_hashes_cover_the_photos_of_item_results(store: Store) -> None:
    """``content_hashes`` (exports, ``omw check``, merges) reads result photos by run:
    the same hash as the per-record path, and a photo removed outside the app shows."""
    with store.session() as s:
        run = _completed_run(s)
        other = ins.start_run(
            s,
            "test-portal",
            "daily-server",
            scheduled_date=DAY + timedelta(days=1),
            inspector="张工",
        )
        first, second = run.results[0].id, run.results[3].id
        attachments.add_attachment(
            s, "item_result", first, png_bytes(seed=6), "b.png", caption="右"
        )
        attachments.add_attachment(
            s, "item_result", first, png_bytes(seed=7), "a.png", caption="左"
        )
        attachments.add_attachment(s, "item_result", second, png_bytes(seed=8), "c.png")
        attachments.add_attachment(
            s, "item_result", other.results[0].id, png_bytes(seed=9), "d.png"
        )
        ids = [run.id, other.id]
        bulk = signing.content_hashes(s, "inspection_run", ids)
        assert bulk == {i: signing.content_hash(s, "inspection_run", i) for i in ids}
        content = signing.record_content(s, "inspection_run", run.id)
        photos = [len(r["attachments"]) for r in content["results"]]
        assert photos[0] == 2 and photos[3] == 1 and sum(photos) == 3
    con = _db(store)
    con.execute("DELETE FROM attachment WHERE filename = 'c.png'")
    con.commit()
    con.close()
    with store.session() as s:
        after = signing.content_hashes(s, "inspection_run", ids)
        assert after[run.id] != bulk[run.id] and after[other.id] == bulk[other.id]
        assert after[run.id] == signing.content_hash(s, "inspection_run", run.id)


# --------------------------------------------------------------------------- amendments


def test_amendment_keeps_the_original_and_lists_the_changes(store: Store) -> None:
    with store.session() as s:
        run = _completed_run(s)
        attachments.add_attachment(s, "item_result", run.results[1].id, png_bytes(seed=5), "d.png")
        ins.complete_run(s, run.id, conclusion="发现1 项异常、1 项警告。")
        _sign(s, "inspection_run", run.id)
        original_id = run.id
        original_hash = signing.content_hash(s, "inspection_run", run.id)
    with store.session() as s:
        with pytest.raises(DomainError, match="更正原因"):
            signing.amend(s, "inspection_run", original_id, reason=" ", actor="张工")
        with pytest.raises(DomainError, match="更正原因"):
            signing.amend(s, "inspection_run", original_id, reason="x" * 2001, actor="张工")
        amended = signing.amend(
            s, "inspection_run", original_id, reason="API 磁盘读数抄错", actor="张工"
        )
        assert isinstance(amended, InspectionRun)
        assert amended.supersedes_id == original_id and amended.status == "draft"
        assert amended.locked_at is None and amended.amendment_reason == "API 磁盘读数抄错"
        assert amended.created_by == "张工"
        assert len(amended.results) == 12
        by = results_by_code(amended)
        assert by[("api", "server-status")].note == "应用无响应"
        assert len(attachments.list_attachments(s, "item_result", by[("portal", "disk")].id)) == 1
        ins.set_result(s, by[("api", "disk")].id, value=97)
        ins.set_result(s, by[("api", "disk")].id, action="清理日志")
        ins.complete_run(s, amended.id, conclusion="发现2 项异常、1 项警告。")
        _sign(s, "inspection_run", amended.id, signed_at=SIGNED + timedelta(days=1))
        changes = {c.field: c for c in signing.diff(s, original_id, amended.id)}
        assert set(changes) == {
            "conclusion",
            "api/disk.status",
            "api/disk.value_num",
            "api/disk.note",
            "api/disk.action",
        }
        assert changes["api/disk.value_num"].old == 37 and changes["api/disk.value_num"].new == 97
        assert changes["api/disk.status"].label == "API接口应用 / 磁盘空间使用率·状态"
        assert changes["conclusion"].label == "巡检结论"
        amended_id = amended.id
    with store.session() as s:
        original = s.get(InspectionRun, original_id)
        assert original is not None and original.status == "signed"
        assert signing.content_hash(s, "inspection_run", original_id) == original_hash
        assert results_by_code(original)[("api", "disk")].value_num == 37
        assert signing.verify_record(s, "inspection_run", original_id).ok
        assert signing.latest_version(s, "inspection_run", original_id).id == amended_id
        assert [v.id for v in signing.versions(s, "inspection_run", amended_id)] == [
            original_id,
            amended_id,
        ]
        with pytest.raises(DomainError, match="请在最新版本上更正"):
            signing.amend(s, "inspection_run", original_id, reason="再改", actor="张工")
        with pytest.raises(DomainError, match="已有更正版本"):
            _sign(s, "inspection_run", original_id, role="复核人")
        # the amendment stands for the period: a new run is still refused
        with pytest.raises(DomainError, match="已有巡检记录"):
            ins.start_run(s, "test-portal", "daily-server", scheduled_date=DAY, inspector="李工")
        entries = s.query(AuditEntry).filter(AuditEntry.entity_id == amended_id).all()
        assert [e.action for e in entries][:1] == ["amend"]
        assert entries[0].details["supersedes"] == original_id


def test_unsigned_records_are_edited_not_amended(store: Store) -> None:
    with store.session() as s:
        run = _completed_run(s)
        with pytest.raises(DomainError, match="尚未签字"):
            signing.amend(s, "inspection_run", run.id, reason="x", actor="张工")


def test_fault_amendment_keeps_its_number(store: Store) -> None:
    with store.session() as s:
        install(s)
        fault = faults.create_fault(
            s, "test-portal", title="门户宕机", level="major", reported_at=SIGNED, now=NOW
        )
        faults.set_time(s, fault.id, "recovered", SIGNED + timedelta(minutes=50), now=NOW)
        faults.close_fault(s, fault.id, SIGNED + timedelta(hours=1), now=NOW)
        _sign(s, "fault_record", fault.id, signed_at=SIGNED + timedelta(hours=2))
        with pytest.raises(LockedError):
            faults.update_fault(s, fault.id, cause="x")
        amended = signing.amend(s, "fault_record", fault.id, reason="补充原因", actor="张工")
        assert isinstance(amended, FaultRecord)
        faults.update_fault(s, amended.id, cause="数据库连接池耗尽")
        s.flush()
        assert amended.number == fault.number == "GZ-202611-0001"
        changes = signing.diff(s, fault.id, amended.id)
        assert [(c.field, c.old, c.new, c.label) for c in changes] == [
            ("cause", "", "数据库连接池耗尽", "原因分析")
        ]
        assert signing.diff(s, fault.id, amended.id, "fault_record") == changes
        other = faults.create_fault(
            s, "test-portal", title="再次宕机", level="major", reported_at=SIGNED, now=NOW
        )
        assert other.number == "GZ-202611-0002"


def test_a_fault_can_be_opened_from_a_signed_run(store: Store) -> None:
    with store.session() as s:
        run = _completed_run(s)
        _sign(s, "inspection_run", run.id)
        item = results_by_code(run)[("api", "server-status")]
        fault = ins.open_fault_from_result(s, item.id, actor="张工", now=NOW)
        s.flush()
        assert fault.source_result_id == item.id
        assert item.fault_id is None  # the signed item cannot change
        assert ins.linked_fault(s, item) is fault
        with pytest.raises(DomainError, match="已生成故障单"):
            ins.open_fault_from_result(s, item.id, actor="张工", now=NOW)
        assert signing.verify_record(s, "inspection_run", run.id).ok
