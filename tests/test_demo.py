"""Demo data: realistic, invented, deterministic, idempotent, and consistent with the services.

The generated stores are shared per module (one month of each built-in
profile, ending 2026-10-31 so 国庆节 falls inside) to keep the suite fast.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import re
import threading
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.contracts.registry import get_contract, profile_of
from app.demo import generator as demo
from app.demo import people
from app.demo.shared import REVIEWED_CADENCES
from app.demo.stats import DemoStats
from app.errors import DomainError
from app.records import faults, inspections, review, signing
from app.records.integrity_check import check_session
from app.schedule.deadlines import deadlines
from app.schedule.workcal import WorkCalendar
from app.storage.store import Store
from db.audit import canonical_json, verify_chain
from db.models import (
    AuditEntry,
    Base,
    DeliverableSubmission,
    FaultRecord,
    HolidayPeriod,
    InspectionRun,
    ItemResult,
    ServiceRequest,
    Signature,
    StaffMember,
)

UNTIL = date(2026, 10, 31)
CODES = ("portal-om", "internet-om")
MOBILE = re.compile(r"1[3-9]\d{9}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


def _generate_all(folder: Path, seed: int = 1) -> tuple[Store, dict[str, DemoStats]]:
    store = Store.open(folder, actor="测试工程师")
    stats = {code: demo.generate(store, code, months=1, seed=seed, until=UNTIL) for code in CODES}
    return store, stats


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, Any]]]:
    store, stats = _generate_all(tmp_path_factory.mktemp("demo"))
    yield store, stats
    store.close()


def _count(session: Session, model: type[Any], *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --------------------------------------------------------------------------- content


@pytest.mark.parametrize("code", CODES)
def test_one_month_within_the_expected_ranges(generated: tuple[Store, Any], code: str) -> None:
    store, all_stats = generated
    stats: DemoStats = all_stats[code]
    assert stats.start == date(2026, 10, 1) and stats.until == UNTIL
    assert 10 <= stats.faults <= 20
    assert 100 <= stats.request_total <= 200
    assert stats.requests["phone"] > stats.request_total / 2
    assert stats.emergency_faults >= 1  # 国庆节 lies in October
    assert stats.draft_runs >= 1 and stats.amendments == 1 and stats.submissions > 0
    findings = stats.abnormal_items + stats.warning_items
    assert 0.005 <= findings / stats.item_results <= 0.04
    assert stats.signatures > stats.run_total / 2
    assert "个月" in stats.describe() and "故障" in stats.describe()

    with store.session() as s:
        contract = get_contract(s, code)
        cid = contract.id
        assert _count(s, InspectionRun, InspectionRun.contract_id == cid) == stats.run_total + 1
        assert _count(s, FaultRecord, FaultRecord.contract_id == cid) == stats.faults
        assert _count(s, ServiceRequest, ServiceRequest.contract_id == cid) == stats.request_total
        requests = s.scalars(select(ServiceRequest).where(ServiceRequest.contract_id == cid)).all()
        on_phone = sum(r.solved_on_phone for r in requests) / len(requests)
        assert 0.55 <= on_phone <= 0.85
        assert {r.channel for r in requests} == {"phone", "remote", "onsite"}
        assert any(r.status == "escalated" and r.fault_id for r in requests)
        assert any(r.follow_up for r in requests)
        for r in requests:
            assert r.status == "open" or r.resolution
            assert r.completed_at is None or r.completed_at >= r.received_at
        numbers = sorted(r.number for r in requests)
        assert len(set(numbers)) == len(numbers) and numbers[0] == "FW-202610-0001"


@pytest.mark.parametrize("code", CODES)
def test_every_daily_checklist_is_done_on_every_service_day(
    generated: tuple[Store, Any], code: str
) -> None:
    store, _ = generated
    calendar = WorkCalendar()
    with store.session() as s:
        contract = get_contract(s, code)
        daily = [t for t in contract.templates if t.active and t.cadence == "daily"]
        runs = s.scalars(
            select(InspectionRun).where(
                InspectionRun.contract_id == contract.id, InspectionRun.cadence == "daily"
            )
        ).all()
        by_day: dict[date, set[str]] = {}
        for run in runs:
            by_day.setdefault(run.scheduled_date, set()).add(run.template.code)
        for day in (date(2026, 10, d) for d in range(1, 31)):
            expected = (
                {t.code for t in daily}
                if calendar.is_service_day(day, contract.service_window)
                else set()
            )
            assert by_day.get(day, set()) == expected, day
        # "today": begun runs are drafts, the rest not started; yesterday one is in progress
        today = [r for r in runs if r.scheduled_date == UNTIL]
        assert all(r.status == "draft" for r in today)
        assert len(today) < len(daily)
        yesterday = [r for r in runs if r.scheduled_date == date(2026, 10, 30)]
        assert sum(r.status == "draft" for r in yesterday) == 1
        # the holiday checks of 国庆节
        holiday = s.scalars(
            select(InspectionRun).where(
                InspectionRun.contract_id == contract.id,
                InspectionRun.cadence == "holiday_daily",
            )
        ).all()
        assert holiday and all(r.holiday_period_id for r in holiday)


@pytest.mark.parametrize("code", CODES)
def test_runs_are_filled_and_signed_like_the_services_would(
    generated: tuple[Store, Any], code: str
) -> None:
    store, _ = generated
    with store.session() as s:
        contract = get_contract(s, code)
        runs = s.scalars(
            select(InspectionRun).where(
                InspectionRun.contract_id == contract.id, InspectionRun.status == "signed"
            )
        ).all()
        for run in runs:
            assert inspections.pending_items(s, run.id) == []
            assert run.conclusion == inspections.suggest_conclusion(run)
            for result in run.results:
                if result.status in (inspections.ABNORMAL, inspections.WARNING):
                    assert result.note and result.action
                if result.item.kind == "url" and result.value_text:
                    assert inspections.valid_url(result.value_text)
                    assert ".example.gov.local" in result.value_text
                if result.item.kind == "number" and result.status != inspections.NA:
                    assert result.value_num is not None
                    assert result.status == inspections.evaluate_number(
                        result.value_num, result.item.params
                    )
                if result.item.kind == "pair":
                    mismatch = inspections.pair_mismatch(
                        result.item, result.value_num, result.value_num2
                    )
                    assert (result.status == inspections.ABNORMAL) == mismatch
            roles = [x.role for x in signing.signatures_of(s, "inspection_run", run.id)]
            assert roles[0] == "运维人员"
        reviewed = [r for r in runs if r.cadence in REVIEWED_CADENCES]
        assert reviewed and any(
            "复核人" in [x.role for x in signing.signatures_of(s, "inspection_run", r.id)]
            for r in reviewed
        )
        for run in runs[:: max(1, len(runs) // 25)]:
            assert signing.verify_record(s, "inspection_run", run.id).ok
        amended = s.scalars(
            select(InspectionRun).where(
                InspectionRun.contract_id == contract.id, InspectionRun.supersedes_id.is_not(None)
            )
        ).one()
        assert amended.amendment_reason and amended.status == "signed"
        changes = signing.diff(s, amended.supersedes_id, amended.id, "inspection_run")
        assert [c.field.rsplit(".", 1)[-1] for c in changes] == ["value_num"]
        assert signing.verify_record(s, "inspection_run", amended.supersedes_id).ok


@pytest.mark.parametrize("code", CODES)
def test_faults_have_timelines_on_the_service_clock(
    generated: tuple[Store, Any], code: str
) -> None:
    store, all_stats = generated
    calendar = WorkCalendar()
    with store.session() as s:
        contract = get_contract(s, code)
        found = s.scalars(
            select(FaultRecord)
            .where(FaultRecord.contract_id == contract.id)
            .order_by(FaultRecord.reported_at)
        ).all()
        assert [f.number for f in found] == sorted(f.number for f in found)
        assert {f.discovery for f in found} == {"alarm", "inspection", "user"}
        levels = {lvl.code for lvl in profile_of(contract).sla.fault_levels}
        breached = 0
        for fault in found:
            assert fault.level in levels and fault.title and fault.symptom and fault.handler
            verdicts = faults.fault_sla(s, fault, calendar=calendar, now=datetime(2026, 10, 31, 10))
            breached += any(v.state in ("breached", "overdue") for v in verdicts)
            if fault.closed_at is not None:
                assert fault.cause and fault.process and fault.prevention and fault.result
                if fault.closed_at <= datetime(2026, 10, 31, 9):
                    assert fault.locked_at is not None  # closed faults are signed
                assert signing.verify_record(s, "fault_record", fault.id).ok
            if fault.emergency_type is not None:
                assert fault.emergency_type in faults.EMERGENCY_TYPES
                holiday = s.get(HolidayPeriod, fault.holiday_period_id)
                assert holiday is not None
                assert holiday.start_date <= fault.reported_at.date() <= holiday.end_date
            if fault.source_result_id is not None:
                result = s.get(ItemResult, fault.source_result_id)
                assert result is not None and result.fault_id == fault.id
        assert breached == all_stats[code].fault_sla_breaches
        assert breached < len(found) / 2  # most meet the SLA
    total_breaches = sum(generated[1][c].fault_sla_breaches for c in CODES)
    assert total_breaches >= 1  # and some do not


def test_five_by_eight_requests_come_in_service_hours(generated: tuple[Store, Any]) -> None:
    store, _ = generated
    calendar = WorkCalendar()
    with store.session() as s:
        contract = get_contract(s, "internet-om")
        for req in s.scalars(
            select(ServiceRequest).where(ServiceRequest.contract_id == contract.id)
        ):
            assert calendar.is_workday(req.received_at.date())
            assert time(9) <= req.received_at.time() < time(17)


def test_deliverables_handed_in_mostly_on_time(generated: tuple[Store, Any]) -> None:
    store, _ = generated
    with store.session() as s:
        for code in CODES:
            found = deadlines(s, code, today=UNTIL)
            done = [d for d in found if d.state == "done"]
            assert done and all(d.due_date < UNTIL for d in done)
            on_time = sum(bool(d.submitted and d.submitted.on_time) for d in done)
            assert on_time > len(done) / 2
            assert not any(d.state == "done" and d.due_date >= date(2026, 10, 24) for d in found)


def test_audit_chain_verifies_and_records_every_create(generated: tuple[Store, Any]) -> None:
    store, _ = generated
    with store.session() as s:
        report = verify_chain(s)
        assert report.ok, report.reason
        runs = _count(s, InspectionRun)
        audited = _count(
            s, AuditEntry, AuditEntry.entity == "inspection_run", AuditEntry.action == "create"
        )
        assert audited == runs - 2  # the amendments are logged as "amend"
        assert _count(s, AuditEntry, AuditEntry.action == "sign") == _count(s, Signature)
        assert _count(s, AuditEntry, AuditEntry.entity == "service_request") >= _count(
            s, ServiceRequest
        )


def test_only_invented_people_and_numbers(generated: tuple[Store, Any]) -> None:
    store, _ = generated
    invented = set(people.NAME_POOL) | set(people.CLIENT_NAMES)
    callers = {name for c in people.CALLERS for name in c.names}
    with store.session() as s:
        for table in Base.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, String | Text | JSON)
                and not c.name.endswith("id")
                and "sha" not in c.name
                and "hash" not in c.name
            ]
            if not columns:
                continue
            for row in s.execute(select(*columns)):
                for value in row:
                    text = (
                        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    )
                    text = HEX64.sub("", UUID.sub("", text or ""))
                    assert not MOBILE.search(text), (table.name, text)
        for member in s.scalars(select(StaffMember)):
            assert member.name in invented
            assert re.fullmatch(r"010-0000-\d{4}", member.contact)
        for req in s.scalars(select(ServiceRequest)):
            assert req.caller_name in callers and req.handler in invented
            assert req.caller_contact == "" or re.fullmatch(r"010-0000-\d{4}", req.caller_contact)
        for signature in s.scalars(select(Signature)):
            assert signature.signer_name in invented | callers


# --------------------------------------------------------------------------- determinism


def _canonical(store: Store) -> dict[str, Any]:
    """Every demo record minus ids and bookkeeping, so two stores can be compared."""
    bookkeeping = {"created_at", "updated_at", "created_by", "updated_by", "content_sha256"}
    bookkeeping |= {"device_sig"}  # a seal is made with the key of the device that generated it
    bookkeeping |= {"device_seq"}  # the change counter of the device that wrote the row
    dump: dict[str, Any] = {}
    with store.session() as s:
        for model in (
            InspectionRun,
            ItemResult,
            FaultRecord,
            ServiceRequest,
            Signature,
            DeliverableSubmission,
            StaffMember,
        ):
            rows = []
            for obj in s.scalars(select(model)):
                values = {
                    c.key: getattr(obj, c.key)
                    for c in model.__table__.columns
                    if c.key not in bookkeeping and c.key != "id" and not c.key.endswith("_id")
                }
                if isinstance(obj, ItemResult):
                    values["item"] = obj.item.code
                    values["system"] = obj.system.code if obj.system else None
                    values["run"] = (obj.run.template.code, obj.run.period_key)
                if isinstance(obj, InspectionRun):
                    values["template"] = obj.template.code
                text = UUID.sub("<id>", canonical_json(values))
                rows.append(text)
            dump[model.__tablename__] = sorted(rows)
        dump["audit_entries"] = _count(s, AuditEntry)
    return dump


@pytest.mark.slow
def test_same_arguments_give_the_same_records_and_a_second_call_adds_nothing(
    generated: tuple[Store, Any], tmp_path: Path
) -> None:
    first, first_stats = generated
    second, second_stats = _generate_all(tmp_path / "again")
    try:
        for code in CODES:
            a, b = vars(first_stats[code]).copy(), vars(second_stats[code]).copy()
            a.pop("elapsed"), b.pop("elapsed")
            assert a == b
        before = _canonical(second)
        assert before == _canonical(first)

        for code in CODES:
            again = demo.generate(second, code, months=1, seed=1, until=UNTIL)
            assert again.run_total == 0 and again.request_total == 0 and again.faults == 0
            assert again.signatures == 0 and again.submissions == 0 and again.amendments == 0
            assert again.skipped_runs == first_stats[code].run_total
            assert again.skipped_months == ["2026-10"]
        assert _canonical(second) == before
    finally:
        second.close()


def test_a_different_seed_gives_different_records(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a", actor="测试工程师")
    other = Store.open(tmp_path / "b", actor="测试工程师")
    try:
        demo.generate(store, "internet-om", months=1, seed=1, until=date(2026, 6, 30))
        demo.generate(other, "internet-om", months=1, seed=2, until=date(2026, 6, 30))
        assert _canonical(store)["service_request"] != _canonical(other)["service_request"]
    finally:
        store.close()
        other.close()


# --------------------------------------------------------------------------- edges


def test_records_may_precede_the_contract_and_progress_is_reported(tmp_path: Path) -> None:
    store = Store.open(tmp_path, actor="测试工程师")
    calls: list[tuple[int, int]] = []
    try:
        stats = demo.generate(
            store,
            "internet-om",  # starts 2026-01-20; January's first weeks lie before it
            months=1,
            until=date(2026, 1, 31),
            progress=lambda done, total: calls.append((done, total)),
        )
        with store.session() as s:
            contract = get_contract(s, "internet-om")
            early = _count(s, InspectionRun, InspectionRun.scheduled_date < contract.start_date)
        assert early > 0 and stats.request_total > 0
    finally:
        store.close()
    assert calls[-1] == (32, 32)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) >= 31


def test_the_collector_runs_less_often_while_generating_on_the_main_thread(
    tmp_path: Path,
) -> None:
    """Fewer collections while generating (``COLLECT_EVERY``), the thresholds restored after;
    left alone in a worker thread (the window's), beside the event loop."""
    before = gc.get_threshold()
    seen: dict[str, set[tuple[int, ...]]] = {"main": set(), "worker": set()}
    store = Store.open(tmp_path, actor="测试工程师")
    try:

        def generate(where: str, code: str) -> None:
            demo.generate(
                store,
                code,
                months=1,
                until=date(2026, 3, 10),
                progress=lambda _done, _total: seen[where].add(gc.get_threshold()),
            )

        generate("main", "internet-om")
        assert gc.get_threshold() == before
        worker = threading.Thread(target=generate, args=("worker", "portal-om"))
        worker.start()
        worker.join()
    finally:
        store.close()
    assert seen["main"] == {(demo.COLLECT_EVERY, *before[1:])}
    assert seen["worker"] == {before}
    assert gc.get_threshold() == before


def test_the_pm_countersigns_all_but_the_latest_days_where_review_is_required(
    generated: tuple[Store, Any],
) -> None:
    """portal-om requires review: a month pack of the demo needs no --allow-unreviewed."""
    store, _ = generated
    with store.session() as s:
        assert review.review_required(get_contract(s, "portal-om"))
        assert review.unreviewed(s, "portal-om", date(2026, 10, 1), date(2026, 10, 27)) == []
        waiting = review.queue(s, contract="portal-om")
        assert waiting and all(item.day >= date(2026, 10, 28) for item in waiting)
        assert {item.record_type for item in waiting} >= {"inspection_run"}
        daily = (
            select(Signature.role)
            .join(InspectionRun, InspectionRun.id == Signature.record_id)
            .where(
                InspectionRun.cadence == "daily",
                InspectionRun.contract_id == get_contract(s, "portal-om").id,
            )
        )
        roles = s.scalars(daily).all()
        assert roles.count("复核人") > roles.count("运维人员") * 0.85
        assert not review.review_required(get_contract(s, "internet-om"))


def test_a_cancel_keeps_the_months_done_and_writes_nothing_of_the_month_under_way(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path, actor="测试工程师")
    asked: list[int] = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 35  # during the second month

    try:
        with pytest.raises(demo.DemoCancelled, match="已取消"):
            demo.generate(store, "portal-om", months=2, until=date(2026, 11, 20), cancel=cancel)
        with store.session() as s:
            months = {run.scheduled_date.month for run in s.scalars(select(InspectionRun))}
            assert months == {10}
            assert check_session(s).ok
        again = demo.generate(store, "portal-om", months=2, until=date(2026, 11, 20))
        assert again.skipped_runs > 0 and again.runs.get("daily", 0) > 0
    finally:
        store.close()


def test_months_must_be_positive(store: Store) -> None:
    with pytest.raises(DomainError):
        demo.generate(store, "portal-om", months=0)


def test_default_until_is_today_clipped_to_the_contract(store: Store) -> None:
    with store.session() as s:
        demo._contract(s, "portal-om")  # installs the built-in profile
        contract = get_contract(s, "portal-om")
        assert demo.default_until(contract, date(2026, 11, 21)) == date(2026, 11, 21)
        assert demo.default_until(contract, date(2030, 1, 1)) == contract.end_date
        assert demo.default_until(contract, date(2020, 1, 1)) == contract.start_date
    assert demo.period_start(date(2026, 11, 21), 36) == date(2023, 12, 1)


def test_signature_images_are_valid_and_stable() -> None:
    png = people.signature_png("陈思远")
    assert signing.png_info(png).width > 0
    assert png == people.signature_png("陈思远") != people.signature_png("刘晓峰")


def test_a_dot_inks_its_pen_and_an_empty_stroke_nothing() -> None:
    from PIL import Image

    from app.demo.signature_png import strokes_to_png

    with Image.open(io.BytesIO(strokes_to_png([[], [(10.0, 10.0)]], 40, 20))) as image:
        alpha = image.getchannel("A")
        assert alpha.getpixel((10, 10)) == 255 and alpha.getpixel((30, 10)) == 0
        assert alpha.getbbox() == (8, 8, 12, 12)  # a pen of 3 px, its edge anti-aliased


def test_signature_images_keep_their_pixels() -> None:
    """The demo's signature images (and so every demo signature's image hash) stay as they were:
    the pixels of one, whatever the PNG encoder makes of them."""
    from PIL import Image

    with Image.open(io.BytesIO(people.signature_png("陈思远"))) as image:
        dpi = tuple(round(d) for d in image.info["dpi"])  # stored per metre
        assert (image.mode, image.size, dpi) == ("RGBA", (600, 200), (300, 300))
        pixels = hashlib.sha256(image.tobytes()).hexdigest()
    assert pixels == "3b0a7087c418b730ab9b11eaa657f11c9a262dcb0af2e54ecbcfb578cb69570f"


# --------------------------------------------------------------------------- command line


def test_omw_init_demo_then_due_shows_done_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, "_today", lambda: UNTIL)
    folder = str(tmp_path / "cli")
    assert main(["--data-dir", folder, "init", "--demo", "--months", "1"]) == 0
    out = capsys.readouterr().out
    assert "演示数据 portal-om" in out and "演示数据 internet-om" in out
    for code in CODES:
        args = ["--data-dir", folder, "due", "--contract", code, "--date", "2026-10-29", "--json"]
        assert main(args) == 0
        report = json.loads(capsys.readouterr().out)
        states = {item["state"] for item in report["items"]}
        assert "done" in states
        assert any(i["state"] == "done" and i["cadence"] == "daily" for i in report["items"])
    assert main(["--data-dir", folder, "audit", "verify"]) == 0


def test_omw_demo_on_a_fresh_store_installs_the_builtin_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, "_today", lambda: date(2026, 6, 30))
    folder = str(tmp_path / "fresh")
    assert main(["--data-dir", folder, "demo", "--contract", "internet-om", "--months", "1"]) == 0
    assert "演示数据 internet-om：2026-06-01 至 2026-06-30" in capsys.readouterr().out
    assert main(["--data-dir", folder, "demo", "--contract", "no-such", "--months", "1"]) == 2
    assert "no-such" in capsys.readouterr().err
