"""Inspection runs: start, fill with automatic evaluation, mark the rest normal, complete."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from app.errors import DomainError, LockedError, NotFound
from app.records import inspections as ins
from app.storage.store import Store
from db.models import AuditEntry, FaultRecord, HolidayPeriod, InspectionRun, ItemResult
from tests.factories import (
    checklist,
    count,
    install,
    item,
    make_profile,
    number_item,
    results_by_code,
)
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)

DAY = date(2026, 11, 3)


def _daily(s: Session) -> InspectionRun:
    install(s)
    return ins.start_run(s, "test-portal", "daily-server", scheduled_date=DAY, inspector="张工")


def _push(s: Session) -> InspectionRun:
    install(s)
    return ins.start_run(s, "test-portal", "push-check", scheduled_date=DAY, inspector="张工")


def _state(r: ItemResult) -> tuple[object, ...]:
    return (r.status, r.value_num, r.value_num2, r.value_text, r.note, r.action)


# --------------------------------------------------------------------------- start


def test_grouped_run_has_one_result_per_system_and_item_in_order(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        s.flush()
        assert run.period_key == "2026-11-03"
        assert run.cadence == "daily"
        assert run.status == "draft"
        assert run.system_id is None
        pairs = [(r.system.code, r.item.code) for r in run.results]
        items = ["server-status", "disk", "app-log", "screenshot"]
        assert pairs == [(sys, i) for sys in ("portal", "exchange", "api") for i in items]
        assert [r.seq for r in run.results] == list(range(1, 13))
        assert all(r.status is None for r in run.results)


def test_a_second_run_for_the_same_period_is_refused(store: Store) -> None:
    with store.session() as s:
        _daily(s)
        with pytest.raises(DomainError, match="已有巡检记录"):
            ins.start_run(s, "test-portal", "daily-server", scheduled_date=DAY, inspector="李工")
        other = ins.start_run(
            s, "test-portal", "daily-server", scheduled_date=date(2026, 11, 4), inspector="李工"
        )
        assert other.period_key == "2026-11-04"
        found = ins.existing_run(s, "test-portal", "daily-server", "2026-11-03")
        assert found is not None and found.inspector == "张工"


def test_monthly_and_separate_runs_use_calendar_keys_and_systems(store: Store) -> None:
    with store.session() as s:
        install(s)
        monthly = ins.start_run(s, "test-portal", "monthly", scheduled_date=DAY, inspector="张工")
        assert monthly.period_key == "2026-11"
        assert len(monthly.results) == 1 and monthly.results[0].system is None
        with pytest.raises(DomainError, match="不能指定系统"):
            ins.start_run(
                s, "test-portal", "monthly", scheduled_date=DAY, inspector="张", system_code="api"
            )
        with pytest.raises(DomainError, match="请选择系统"):
            ins.start_run(s, "test-portal", "per-system", scheduled_date=DAY, inspector="张")
        with pytest.raises(DomainError, match="不在「分系统巡检」的巡检范围内"):
            ins.start_run(
                s,
                "test-portal",
                "per-system",
                scheduled_date=DAY,
                inspector="张",
                system_code="exchange",
            )
        portal = ins.start_run(
            s, "test-portal", "per-system", scheduled_date=DAY, inspector="张", system_code="portal"
        )
        api = ins.start_run(
            s, "test-portal", "per-system", scheduled_date=DAY, inspector="张", system_code="api"
        )
        assert portal.period_key == api.period_key == "2026-W45"
        assert portal.system.code == "portal" and portal.results[0].system.code == "portal"


def test_holiday_runs_need_a_period_of_the_contract_and_a_day_inside_it(store: Store) -> None:
    with store.session() as s:
        contract = install(s)
        holiday = HolidayPeriod(
            contract_id=contract.id,
            name="国庆节",
            kind="statutory",
            start_date=date(2026, 10, 1),
            end_date=date(2026, 10, 7),
        )
        s.add(holiday)
        s.flush()
        with pytest.raises(DomainError, match="请选择节假日保障期"):
            ins.start_run(
                s, contract, "holiday-daily", scheduled_date=date(2026, 10, 3), inspector="张"
            )
        with pytest.raises(DomainError, match="不在「国庆节」"):
            ins.start_run(
                s,
                contract,
                "holiday-daily",
                scheduled_date=date(2026, 10, 9),
                inspector="张",
                holiday_period_id=holiday.id,
            )
        run = ins.start_run(
            s,
            contract,
            "holiday-daily",
            scheduled_date=date(2026, 10, 3),
            inspector="张",
            holiday_period_id=holiday.id,
        )
        assert run.period_key == f"{holiday.id}:2026-10-03"
        assert run.holiday_period_id == holiday.id


def test_start_refuses_bad_input_and_writes_nothing(store: Store) -> None:
    with store.session() as s:
        install(s)
    with store.session() as s:
        runs, entries = count(s, InspectionRun), count(s, AuditEntry)
        with pytest.raises(NotFound):
            ins.start_run(s, "test-portal", "nope", scheduled_date=DAY, inspector="张")
        with pytest.raises(NotFound):
            ins.start_run(s, "no-contract", "daily-server", scheduled_date=DAY, inspector="张")
        with pytest.raises(DomainError, match="巡检人员"):
            ins.start_run(s, "test-portal", "daily-server", scheduled_date=DAY, inspector="  ")
        with pytest.raises(DomainError, match="合同服务期"):
            ins.start_run(
                s, "test-portal", "daily-server", scheduled_date=date(2027, 1, 5), inspector="张"
            )
        with pytest.raises(DomainError, match="必须是日期"):
            ins.start_run(
                s, "test-portal", "daily-server", scheduled_date="2026-11-03", inspector="张"
            )  # type: ignore[arg-type]
        s.flush()
        assert count(s, InspectionRun) == runs == 0
        assert count(s, AuditEntry) == entries


# --------------------------------------------------------------------------- evaluation


def test_number_items_turn_warning_and_abnormal_from_the_threshold(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        disk = results_by_code(run)[("portal", "disk")]
        assert ins.set_result(s, disk.id, value=50).status == ins.NORMAL
        assert disk.note == ""
        assert ins.set_result(s, disk.id, value="85").status == ins.WARNING  # threshold reached
        assert disk.note == "磁盘空间使用率 85%，达到警告阈值 85%"
        assert ins.set_result(s, disk.id, value=96.5).status == ins.ABNORMAL
        assert disk.value_num == 96.5
        assert disk.note == "磁盘空间使用率 96.5%，达到异常阈值 95%"
        # the engineer may override the verdict; the automatic note goes with it
        ins.set_result(s, disk.id, status="正常")
        assert disk.status == ins.NORMAL and disk.note == ""
        # a note of their own is never overwritten
        ins.set_result(s, disk.id, value=97, note="日志目录占满，已清理")
        assert disk.status == ins.ABNORMAL and disk.note == "日志目录占满，已清理"
        ins.set_result(s, disk.id, value=40)
        assert disk.status == ins.NORMAL and disk.note == "日志目录占满，已清理"
        # clearing the value makes the item untouched again
        ins.set_result(s, disk.id, value=None)
        assert disk.status is None and disk.value_num is None


def test_below_thresholds(store: Store) -> None:
    profile = make_profile(
        checklists=[
            checklist(
                "backup",
                groups=[
                    (
                        "备份",
                        [
                            number_item(
                                "free", "剩余空间", unit="GB", warn=50, alarm=10, direction="below"
                            )
                        ],
                    )
                ],
            )
        ]
    )
    with store.session() as s:
        install(s, profile)
        run = ins.start_run(s, "test-portal", "backup", scheduled_date=DAY, inspector="张")
        result = run.results[0]
        assert ins.set_result(s, result.id, value=80).status == ins.NORMAL
        assert ins.set_result(s, result.id, value=50).status == ins.WARNING
        assert ins.set_result(s, result.id, value=9).status == ins.ABNORMAL
        assert result.note == "剩余空间 9GB，低至异常阈值 10GB"


def test_pair_mismatch_is_abnormal_with_an_automatic_note(store: Store) -> None:
    with store.session() as s:
        run = _push(s)
        pair = results_by_code(run)[(None, "push-count")]
        ins.set_result(s, pair.id, value=120)
        assert pair.status is None  # one number alone is not a verdict
        ins.set_result(s, pair.id, value2=118)
        assert pair.status == ins.ABNORMAL
        assert pair.note == "申报量 120 与已发送的申报量 118 不一致（差 2）"
        assert "申报量 120；已发送的申报量 118" in ins.result_display(pair)
        ins.set_result(s, pair.id, value2=120)
        assert pair.status == ins.NORMAL and pair.note == ""
        ins.set_result(s, pair.id, value=3.5, value2=3.25, note="统计口径差异")
        assert pair.status == ins.ABNORMAL and pair.note == "统计口径差异"


def test_url_items_need_a_valid_http_address_and_a_user_verdict(store: Store) -> None:
    with store.session() as s:
        run = _push(s)
        link = results_by_code(run)[(None, "jump-link")]
        for bad in (
            "ftp://example.org/x",
            "not a url",
            "http://",
            "https://exa mple.org",
            "www.x.cn",
        ):
            with pytest.raises(DomainError, match="不是有效的 http"):
                ins.set_result(s, link.id, text=bad)
        ins.set_result(s, link.id, text="https://zwfw.example.gov.cn/item?id=42")
        assert link.status is None  # the app never opens the link itself
        ins.set_result(s, link.id, status="abnormal", note="链接返回 404，已通知业务运维重新配置")
        assert link.status == ins.ABNORMAL
        assert ins.result_display(link).startswith("https://zwfw.example.gov.cn")


def test_invalid_values_are_refused_and_change_nothing(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        by = results_by_code(run)
        disk, status, log = (
            by[("api", "disk")],
            by[("api", "server-status")],
            by[("api", "app-log")],
        )
        ins.set_result(s, disk.id, value=10)
        s.flush()
        before = {r.id: _state(r) for r in run.results}
        entries = count(s, AuditEntry)
        bad_calls = [
            lambda: ins.set_result(s, disk.id, value=float("nan")),
            lambda: ins.set_result(s, disk.id, value=float("inf")),
            lambda: ins.set_result(s, disk.id, value="abc"),
            lambda: ins.set_result(s, disk.id, value=True),
            lambda: ins.set_result(s, disk.id, value=1e300),
            lambda: ins.set_result(s, disk.id, text="95"),
            lambda: ins.set_result(s, status.id, value=1),
            lambda: ins.set_result(s, status.id, value2=1),
            lambda: ins.set_result(s, status.id, status="ok"),
            lambda: ins.set_result(s, status.id, status="正常", note="x" * 20_001),
            lambda: ins.set_result(s, log.id, text="y" * 20_001),
            lambda: ins.set_result(s, disk.id, value=99, note=123),  # type: ignore[arg-type]
        ]
        for call in bad_calls:
            with pytest.raises(DomainError):
                call()
        with pytest.raises(NotFound):
            ins.set_result(s, "no-such-id", status="normal")
        s.flush()
        assert {r.id: _state(r) for r in run.results} == before
        assert count(s, AuditEntry) == entries


# --------------------------------------------------------------------------- completion


def test_mark_rest_normal_leaves_items_that_need_a_value(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        by = results_by_code(run)
        ins.set_result(s, by[("portal", "server-status")].id, status="abnormal", note="宕机")
        ins.set_result(s, by[("portal", "disk")].id, value=30)
        marked = ins.mark_rest_normal(s, run.id)
        # status + photo items of 3 systems, minus the one already filled
        assert marked == 3 * 2 - 1
        assert by[("portal", "server-status")].status == ins.ABNORMAL
        assert by[("exchange", "screenshot")].status == ins.NORMAL
        assert by[("exchange", "disk")].status is None
        assert by[("api", "app-log")].status is None  # text items need their text
        pending = ins.pending_items(s, run.id)
        assert [(r.system.code, r.item.code) for r in pending] == [
            ("exchange", "disk"),
            ("api", "disk"),
        ]
        assert ins.mark_rest_normal(s, run.id) == 0


def test_complete_run_refusals_then_success(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        by = results_by_code(run)
        ins.mark_rest_normal(s, run.id)
        with pytest.raises(
            DomainError, match="还有 3 项必填检查项未填写：门户应用 / 磁盘空间使用率"
        ):
            ins.complete_run(s, run.id, conclusion="正常")
        for code in ("portal", "exchange", "api"):
            ins.set_result(s, by[(code, "disk")].id, value=40)
        ins.set_result(s, by[("api", "server-status")].id, status="warning")
        with pytest.raises(DomainError, match="必须填写异常情况：API接口应用 / 服务器状态"):
            ins.complete_run(s, run.id, conclusion="正常")
        ins.set_result(s, by[("api", "server-status")].id, note="CPU 负载偏高")
        with pytest.raises(DomainError, match="巡检结论"):
            ins.complete_run(s, run.id, conclusion="  ")
        with pytest.raises(DomainError, match="整改期限 2026-11-02 不能早于巡检日期"):
            ins.complete_run(
                s,
                run.id,
                conclusion="x",
                remediation="扩容",
                remediation_deadline=date(2026, 11, 2),
            )
        assert run.status == "draft" and run.completed_at is None
        conclusion = ins.suggest_conclusion(run)
        assert conclusion == "发现 1 项警告，详见异常情况及处理措施。"
        ins.complete_run(
            s,
            run.id,
            conclusion=conclusion,
            remediation="观察负载",
            remediation_deadline=date(2026, 11, 10),
            completed_at=datetime(2026, 11, 3, 9, 30),
        )
        assert run.status == "completed"
        assert run.completed_at == datetime(2026, 11, 3, 9, 30)
        summary = ins.summarize(run)
        assert (summary.total, summary.warning, summary.pending_required) == (12, 1, 0)
        # a change after completion puts the run back to draft
        ins.set_result(s, by[("api", "app-log")].id, text="无异常日志")
        assert run.status == "draft" and run.completed_at is None


def test_rest_normal_covers_number_items_the_profile_lets_be_unmeasured(store: Store) -> None:
    with store.session() as s:
        install(s)
        install(
            s,
            make_profile(
                "unmeasured",
                checklists=[
                    checklist(
                        "daily",
                        groups=[
                            (
                                "服务器",
                                [
                                    item("status"),
                                    {
                                        **number_item("disk", "磁盘"),
                                        "threshold": {
                                            "unit": "%",
                                            "warn": 80,
                                            "alarm": 90,
                                            "allow_unmeasured": True,
                                        },
                                    },
                                    number_item("cpu", "CPU"),
                                ],
                            )
                        ],
                    )
                ],
            ),
        )
        run = ins.start_run(s, "unmeasured", "daily", scheduled_date=DAY, inspector="张工")
        by = {r.item.code: r for r in run.results}
        assert ins.mark_rest_normal(s, run.id) == 2  # status + the disk; the CPU needs a value
        disk = by["disk"]
        assert (disk.status, disk.value_num) == (ins.NORMAL, None)
        assert ins.result_display(disk) == "正常（未测值）"
        assert by["cpu"].status is None
        ins.set_result(s, disk.id, value=95)  # a reading typed in is still evaluated
        assert disk.status == ins.ABNORMAL


def test_an_abnormal_item_needs_an_action_or_a_fault_before_completion(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        by = results_by_code(run)
        ins.mark_rest_normal(s, run.id)
        for code in ("portal", "exchange", "api"):
            ins.set_result(s, by[(code, "disk")].id, value=40)
        down, slow = by[("portal", "server-status")], by[("api", "server-status")]
        ins.set_result(s, down.id, status="abnormal", note="宕机")
        ins.set_result(s, slow.id, status="abnormal", note="响应慢")
        with pytest.raises(
            DomainError,
            match="须填写处理措施或生成故障单：门户应用 / 服务器状态、API接口应用 / 服务器状态",
        ):
            ins.complete_run(s, run.id, conclusion="异常")
        assert run.status == "draft"
        ins.set_result(s, down.id, action="已重启服务")
        ins.open_fault_from_result(s, slow.id, actor="张工", now=datetime(2026, 11, 3, 9))
        ins.complete_run(s, run.id, conclusion="异常")
        assert run.status == "completed"


def test_setting_the_same_value_again_keeps_a_completed_run(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        ins.mark_rest_normal(s, run.id)
        by = results_by_code(run)
        for code in ("portal", "exchange", "api"):
            ins.set_result(s, by[(code, "disk")].id, value=40)
        ins.complete_run(s, run.id, conclusion="正常")
        ins.set_result(s, by[("api", "disk")].id, value=40)
        assert run.status == "completed"


# --------------------------------------------------------------------------- faults


def test_open_fault_from_an_abnormal_item_links_both_ways(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        by = results_by_code(run)
        normal = by[("exchange", "server-status")]
        ins.set_result(s, normal.id, status="normal")
        with pytest.raises(DomainError, match="只有结果为异常或警告"):
            ins.open_fault_from_result(s, normal.id, actor="张工")
        disk = by[("exchange", "disk")]
        ins.set_result(s, disk.id, value=99)
        fault = ins.open_fault_from_result(
            s, disk.id, reported_at=datetime(2026, 11, 3, 9, 5), actor="张工"
        )
        s.flush()
        assert fault.title == "数据交换应用 磁盘空间使用率 异常"
        assert fault.system.code == "exchange"
        assert fault.discovery == "inspection"
        assert fault.level == "minor"  # the least severe level when none is chosen
        assert fault.symptom == "磁盘空间使用率 99%，达到异常阈值 95%"
        assert fault.handler == "张工"
        assert fault.number == "GZ-202611-0001"
        assert fault.source_result_id == disk.id and disk.fault_id == fault.id
        assert ins.linked_fault(s, disk) is fault
        with pytest.raises(DomainError, match="已生成故障单 GZ-202611-0001"):
            ins.open_fault_from_result(s, disk.id, actor="张工")
        assert count(s, FaultRecord) == 1


def test_open_fault_with_a_chosen_level_and_bad_level(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        status = results_by_code(run)[("portal", "server-status")]
        ins.set_result(s, status.id, status="abnormal", note="服务无响应")
        with pytest.raises(DomainError, match="故障等级"):
            ins.open_fault_from_result(s, status.id, level="p0", actor="张工")
        assert status.fault_id is None
        fault = ins.open_fault_from_result(
            s, status.id, level="重大", reported_at=datetime(2026, 11, 3, 8), actor="张工"
        )
        assert fault.level == "major" and fault.symptom == "服务无响应"


def test_locked_run_cannot_be_filled(store: Store) -> None:
    with store.session() as s:
        run = _daily(s)
        s.flush()
        run.locked_at = datetime(2026, 11, 3, 10)  # as signing does
    with store.session() as s:
        run = s.get(InspectionRun, run.id)
        assert run is not None
        with pytest.raises(LockedError):
            ins.set_result(s, run.results[0].id, status="normal")
        with pytest.raises(LockedError):
            ins.mark_rest_normal(s, run.id)
        with pytest.raises(LockedError):
            ins.complete_run(s, run.id, conclusion="x")
