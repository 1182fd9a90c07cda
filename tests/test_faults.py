"""Fault records: numbering, timeline order, editing, and SLA verdicts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.contracts.profile_schema import Sla
from app.contracts.profiles import load_builtin_profiles, validate_profile
from app.errors import DomainError
from app.records import faults
from app.schedule import sla
from app.storage.store import Store
from db.models import AuditEntry, FaultRecord
from tests.factories import count, install, internet_profile, make_profile
from tests.factories import sla as sla_def
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)

T0 = datetime(2026, 11, 3, 10, 0)
NOW = datetime(2026, 12, 20, 12, 0)


def _fault(s: Session, **kw: object) -> FaultRecord:
    args: dict[str, object] = {"title": "门户无法访问", "level": "major", "reported_at": T0}
    args.update(kw)
    return faults.create_fault(s, "test-portal", now=NOW, **args)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- numbering


def test_numbers_run_per_contract_and_month(store: Store) -> None:
    with store.session() as s:
        install(s)
        install(s, internet_profile())
        a = _fault(s)
        b = _fault(s, reported_at=T0 + timedelta(days=20))
        c = _fault(s, reported_at=datetime(2026, 12, 1, 0, 5))
        other = faults.create_fault(
            s, "test-internet", title="网站打不开", level="minor", reported_at=T0, now=NOW
        )
        assert [a.number, b.number, c.number] == [
            "GZ-202611-0001",
            "GZ-202611-0002",
            "GZ-202612-0001",
        ]
        assert other.number == "GZ-202611-0001"
        for n in range(3, 8):
            assert _fault(s).number == f"GZ-202611-{n:04d}"


def test_create_validates_everything_and_writes_nothing_on_error(store: Store) -> None:
    with store.session() as s:
        install(s)
    with store.session() as s:
        entries = count(s, AuditEntry)
        bad = [
            ({"title": " "}, "故障标题"),
            ({"level": "p1"}, "故障等级 “p1” 无效"),
            ({"reported_at": NOW + timedelta(minutes=6)}, "不能填写将来的时间"),
            ({"reported_at": "2026-11-03 10:00"}, "必须是日期时间"),
            ({"system_code": "nope"}, "没有代码为 “nope” 的系统"),
            ({"discovery": "rumour"}, "发现方式"),
            ({"emergency_type": "地震"}, "应急事件类型"),
            ({"holiday_period_id": "missing"}, "节假日保障期"),
            ({"responded_at": T0 - timedelta(minutes=1)}, "响应时间不能早于报告时间"),
            ({"symptom": "x" * 20_001}, "故障现象"),
        ]
        for kwargs, message in bad:
            with pytest.raises(DomainError, match=message):
                _fault(s, **kwargs)
        s.flush()
        assert count(s, FaultRecord) == 0
        assert count(s, AuditEntry) == entries


def test_create_accepts_labels_and_a_time_just_ahead(store: Store) -> None:
    with store.session() as s:
        install(s)
        fault = _fault(
            s,
            level="一般",
            discovery="告警",
            emergency_type="网页篡改",
            system_code="portal",
            reported_at=NOW + timedelta(minutes=4),  # clocks of two laptops differ a little
        )
        assert (fault.level, fault.discovery, fault.emergency_type) == (
            "minor",
            "alarm",
            "page_tamper",
        )
        assert fault.system_id is not None


# --------------------------------------------------------------------------- timeline


def test_timeline_order_is_enforced(store: Store) -> None:
    with store.session() as s:
        install(s)
        f = _fault(s)
        with pytest.raises(DomainError, match="响应时间不能早于报告时间"):
            faults.set_time(s, f.id, "responded", T0 - timedelta(minutes=1), now=NOW)
        faults.set_time(s, f.id, "responded", T0 + timedelta(minutes=10), now=NOW)
        with pytest.raises(DomainError, match="到场时间不能早于响应时间"):
            faults.set_time(s, f.id, "onsite", T0 + timedelta(minutes=5), now=NOW)
        with pytest.raises(DomainError, match="恢复时间不能早于响应时间"):
            faults.set_time(s, f.id, "recovered", T0 + timedelta(minutes=5), now=NOW)
        with pytest.raises(DomainError, match="请先填写恢复时间"):
            faults.set_time(s, f.id, "closed", T0 + timedelta(hours=5), now=NOW)
        with pytest.raises(DomainError, match="请先填写恢复时间"):
            faults.close_fault(s, f.id, T0 + timedelta(hours=5), now=NOW)
        with pytest.raises(DomainError, match="将来"):
            faults.set_time(s, f.id, "recovered", NOW + timedelta(minutes=10), now=NOW)
        with pytest.raises(DomainError, match="未知的时间节点"):
            faults.set_time(s, f.id, "lunch", T0, now=NOW)
        faults.set_time(s, f.id, "recovered", T0 + timedelta(hours=1), now=NOW)
        with pytest.raises(DomainError, match="关闭时间不能早于恢复时间"):
            faults.close_fault(s, f.id, T0 + timedelta(minutes=30), now=NOW)
        with pytest.raises(DomainError, match="响应时间不能早于报告时间"):
            faults.set_time(s, f.id, "reported", T0 + timedelta(minutes=20), now=NOW)
        with pytest.raises(DomainError, match="报告时间必须填写"):
            faults.set_time(s, f.id, "reported", None, now=NOW)
        faults.close_fault(s, f.id, T0 + timedelta(hours=2), result="已恢复", now=NOW)
        with pytest.raises(DomainError, match="请先填写恢复时间"):
            faults.set_time(s, f.id, "recovered", None, now=NOW)
        assert f.closed_at == T0 + timedelta(hours=2) and f.result == "已恢复"
        assert f.recovered_at == T0 + timedelta(hours=1)
        # clearing a step that nothing depends on is fine
        faults.set_time(s, f.id, "onsite", T0 + timedelta(minutes=40), now=NOW)
        faults.set_time(s, f.id, "onsite", None, now=NOW)
        assert f.onsite_at is None


def test_onsite_without_response_only_needs_to_follow_the_report(store: Store) -> None:
    with store.session() as s:
        install(s)
        f = _fault(s)
        with pytest.raises(DomainError, match="到场时间不能早于报告时间"):
            faults.set_time(s, f.id, "onsite", T0 - timedelta(minutes=1), now=NOW)
        faults.set_time(s, f.id, "onsite", T0 + timedelta(minutes=1), now=NOW)
        faults.set_time(s, f.id, "onsite", datetime(2026, 11, 3, 10, 2, 30, 999), now=NOW)
        assert f.onsite_at == datetime(2026, 11, 3, 10, 2, 30)  # to the second


def test_update_fault_whitelist(store: Store) -> None:
    with store.session() as s:
        install(s)
        f = _fault(s)
        with pytest.raises(DomainError, match="number"):
            faults.update_fault(s, f.id, number="GZ-1")
        with pytest.raises(DomainError, match="reported_at"):
            faults.update_fault(s, f.id, reported_at=T0)
        with pytest.raises(DomainError, match="故障标题"):
            faults.update_fault(s, f.id, title="", cause="磁盘满")
        assert f.cause == ""  # nothing applied when one field is wrong
        faults.update_fault(
            s,
            f.id,
            cause="日志未轮转导致磁盘满",
            process="清理日志；配置 logrotate；验证服务",
            level="一般",
            emergency_type="unreachable",
            system_code="api",
        )
        assert f.level == "minor" and f.emergency_type == "unreachable"
        assert f.system is not None or f.system_id is not None
        faults.update_fault(s, f.id, emergency_type=None, system_code=None)
        assert f.emergency_type is None and f.system_id is None


# --------------------------------------------------------------------------- SLA


def _sla(**kw: object) -> Sla:
    return Sla.model_validate(sla_def(**kw))  # type: ignore[arg-type]


def test_fifteen_minute_response_7x24() -> None:
    rules = _sla(response=15, close=1440)
    met = sla.fault_verdicts(
        rules, level="major", reported_at=T0, responded_at=T0 + timedelta(minutes=15)
    )
    assert [v.step for v in met] == ["response", "recovery", "close"]  # no on-site target
    response = met[0]
    assert (response.state, response.label, response.label_zh) == ("met", "达标", "响应")
    assert response.actual_minutes == 15 and response.target_minutes == 15
    assert response.due_at == T0 + timedelta(minutes=15)
    assert response.target_text == "15分钟"
    late = sla.fault_verdicts(
        rules, level="major", reported_at=T0, responded_at=T0 + timedelta(minutes=16)
    )
    assert (late[0].state, late[0].label) == ("breached", "超时")
    pending = sla.fault_verdicts(
        rules, level="major", reported_at=T0, now=T0 + timedelta(minutes=10)
    )
    assert (pending[0].state, pending[0].label) == ("pending", "进行中")
    assert sla.remaining_minutes(pending[0], T0 + timedelta(minutes=10)) == 5
    assert sla.countdown_text(5) == "剩余 5分钟"
    overdue = sla.fault_verdicts(
        rules, level="major", reported_at=T0, now=T0 + timedelta(minutes=20)
    )
    assert (overdue[0].state, overdue[0].label) == ("overdue", "已超时")
    assert sla.remaining_minutes(overdue[0], T0 + timedelta(minutes=20)) == -5
    assert sla.countdown_text(-65) == "超时 1小时5分钟"
    assert sla.remaining_minutes(met[0], T0) is None


def test_a_form_says_the_clock_time_when_the_service_window_counted_less() -> None:
    """An answer in 11 minutes outside a 5×8 window is 0 service minutes: both are printed."""
    rules = _sla(response=30)
    outside = sla.fault_verdicts(
        rules,
        level="major",
        reported_at=T0,
        responded_at=T0 + timedelta(minutes=11),
        minutes_between=lambda start, end: 0.0,  # all of it outside the service hours
    )[0]
    assert (outside.actual_text, outside.state) == ("0分钟", "met")
    assert outside.actual_and_elapsed_text == "0分钟（服务时间内，历时 11分钟）"
    inside = sla.fault_verdicts(
        rules, level="major", reported_at=T0, responded_at=T0 + timedelta(minutes=11)
    )[0]
    assert inside.actual_and_elapsed_text == inside.actual_text == "11分钟"
    pending = sla.fault_verdicts(rules, level="major", reported_at=T0, now=NOW)[0]
    assert pending.actual_and_elapsed_text == "—"


def test_recovery_follows_the_level_and_missing_targets_are_not_applicable() -> None:
    rules = _sla(response=15)
    verdicts = sla.fault_verdicts(
        rules,
        level="minor",
        reported_at=T0,
        responded_at=T0 + timedelta(minutes=5),
        recovered_at=T0 + timedelta(hours=7),
        closed_at=T0 + timedelta(hours=8),
    )
    by = {v.step: v for v in verdicts}
    assert by["recovery"].target_minutes == 480 and by["recovery"].state == "met"
    assert by["recovery"].actual_text == "7小时"
    assert by["close"].state == "n/a" and by["close"].label == "不适用"
    major = sla.fault_verdicts(
        rules, level="major", reported_at=T0, recovered_at=T0 + timedelta(hours=3), now=NOW
    )
    assert {v.step: v for v in major}["recovery"].state == "breached"
    unknown = sla.fault_verdicts(rules, level="gone", reported_at=T0, now=NOW)
    assert {v.step: v for v in unknown}["recovery"].state == "n/a"


def test_four_hour_onsite_and_remote_recovery() -> None:
    rules = _sla(response=30, onsite=240)
    on_time = sla.fault_verdicts(
        rules, level="major", reported_at=T0, onsite_at=T0 + timedelta(hours=3, minutes=59)
    )
    onsite = {v.step: v for v in on_time}["onsite"]
    assert (onsite.state, onsite.label_zh, onsite.target_text) == ("met", "到场", "4小时")
    late = sla.fault_verdicts(
        rules, level="major", reported_at=T0, onsite_at=T0 + timedelta(hours=5)
    )
    assert {v.step: v for v in late}["onsite"].state == "breached"
    # recovered remotely: nobody needed to go on site
    remote = sla.fault_verdicts(
        rules, level="major", reported_at=T0, recovered_at=T0 + timedelta(hours=1), now=NOW
    )
    assert {v.step: v for v in remote}["onsite"].state == "n/a"
    waiting = sla.fault_verdicts(rules, level="major", reported_at=T0, now=T0 + timedelta(hours=5))
    assert {v.step: v for v in waiting}["onsite"].state == "overdue"


def _office_minutes(start: datetime, end: datetime) -> float:
    """Service minutes of a toy 5×8 calendar: Mon-Fri 09:00-17:00."""
    total = 0.0
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5:
            open_ = datetime.combine(day, datetime.min.time()).replace(hour=9)
            close = open_.replace(hour=17)
            lo, hi = max(start, open_), min(end, close)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


def _office_deadline(start: datetime, minutes: float) -> datetime:
    moment = start
    while _office_minutes(start, moment) < minutes:
        moment += timedelta(minutes=1)
    return moment


def test_service_minutes_and_deadline_come_from_the_calendar_passed_in() -> None:
    rules = _sla(response=30, onsite=240)
    friday_afternoon = datetime(2026, 11, 6, 16, 0)  # a Friday
    monday = datetime(2026, 11, 9, 11, 0)
    verdicts = sla.fault_verdicts(
        rules,
        level="major",
        reported_at=friday_afternoon,
        onsite_at=monday,
        minutes_between=_office_minutes,
        deadline_after=_office_deadline,
    )
    onsite = {v.step: v for v in verdicts}["onsite"]
    assert onsite.actual_minutes == 60 + 120
    assert onsite.state == "met"
    assert onsite.due_at == datetime(2026, 11, 9, 12, 0)
    wall = sla.fault_verdicts(rules, level="major", reported_at=friday_afternoon, onsite_at=monday)
    assert {v.step: v for v in wall}["onsite"].state == "breached"


def test_fault_sla_uses_the_contract_profile(store: Store) -> None:
    with store.session() as s:
        install(s, make_profile(sla_def=sla_def(response=15, onsite=240, close=2880)))
        f = _fault(s, responded_at=T0 + timedelta(minutes=20))
        faults.set_time(s, f.id, "onsite", T0 + timedelta(hours=2), now=NOW)
        faults.set_time(s, f.id, "recovered", T0 + timedelta(hours=2, minutes=30), now=NOW)
        verdicts = faults.fault_sla(s, f, now=T0 + timedelta(hours=3))
        assert [(v.label_zh, v.label) for v in verdicts] == [
            ("响应", "超时"),
            ("到场", "达标"),
            ("恢复", "超时"),
            ("关闭", "进行中"),
        ]
        assert verdicts[3].due_at == T0 + timedelta(minutes=2880)


def test_format_minutes() -> None:
    assert sla.format_minutes(15) == "15分钟"
    assert sla.format_minutes(240) == "4小时"
    assert sla.format_minutes(90) == "1小时30分钟"
    assert sla.format_minutes(0.2) == "1分钟"
    assert sla.format_minutes(None) == "—"


def test_default_level_is_the_least_severe() -> None:
    levels = [
        {"code": "l1", "name": "特别重大", "recovery_minutes": 60},
        {"code": "l2", "name": "重大", "recovery_minutes": 240},
    ]
    profile = make_profile(sla_def=sla_def(levels=levels))
    assert faults.default_level(profile).code == "l2"
    assert faults.default_level(make_profile()).code == "minor"  # named 一般


# --------------------------------------------------------------------------- checks while typing


def test_timeline_problems_says_every_wrong_time_at_once() -> None:
    problems = faults.timeline_problems(
        {
            "reported": T0,
            "responded": NOW + timedelta(minutes=30),  # future
            "onsite": T0 + timedelta(hours=2),
            "recovered": T0 + timedelta(hours=1),  # before 到场
            "closed": T0 - timedelta(minutes=5),  # before 报告 (the wrong 恢复 is no bound)
        },
        now=NOW,
        interrupted=True,
        outage_start=T0 - timedelta(minutes=1),
        outage_end=T0 - timedelta(minutes=2),
    )
    assert {k: (p.kind, p.other) for k, p in problems.items()} == {
        "responded": ("future", None),
        "recovered": ("before", "onsite"),
        "closed": ("before", "onsite"),
        "outage_start": ("before", "reported"),
        "outage_end": ("not_after", "outage_start"),
    }
    assert problems["recovered"].message == "恢复时间不能早于到场时间。"
    assert faults.timeline_problems({"reported": T0}, now=NOW) == {}


def test_to_site_after_the_recovery_is_refused(store: Store) -> None:
    with store.session() as s:
        install(s)
        f = _fault(s)
        faults.set_time(s, f.id, "recovered", T0 + timedelta(hours=1), now=NOW)
        with pytest.raises(DomainError, match="恢复时间不能早于到场时间"):
            faults.set_time(s, f.id, "onsite", T0 + timedelta(hours=2), now=NOW)


def test_closing_needs_the_report_sections_the_profile_requires(store: Store) -> None:
    profile = make_profile(fault_report_required=["symptom", "cause", "process", "result"])
    with store.session() as s:
        install(s, profile)
        f = _fault(s, symptom="首页打不开")
        faults.set_time(s, f.id, "recovered", T0 + timedelta(hours=1), now=NOW)
        with pytest.raises(DomainError) as refused:
            faults.close_fault(s, f.id, T0 + timedelta(hours=2), now=NOW)
        assert (
            refused.value.message
            == "关闭故障单前请填写报告的以下部分：原因分析、处理过程、处理结果。"
        )
        faults.update_fault(s, f.id, cause="证书过期", process="更换证书")
        with pytest.raises(DomainError, match="处理结果"):
            faults.set_time(s, f.id, "closed", T0 + timedelta(hours=2), now=NOW)
        assert f.closed_at is None
        # the 处理结果 given with the close counts
        faults.close_fault(s, f.id, T0 + timedelta(hours=2), result="已恢复", now=NOW)
        assert f.closed_at == T0 + timedelta(hours=2)
        with pytest.raises(DomainError, match="不能清空必填的报告部分：原因分析"):
            faults.update_fault(s, f.id, cause=" ")
        faults.update_fault(s, f.id, prevention="")  # not required: may stay empty


def test_the_required_sections_are_checked_by_the_schema() -> None:
    for profile in load_builtin_profiles():
        assert profile.fault_report_required == ["symptom", "cause", "process", "result"]
    assert make_profile().fault_report_required == []
    for bad in (["lunch"], ["cause", "cause"]):
        with pytest.raises(ValueError):
            make_profile(fault_report_required=bad)
    data = make_profile().model_dump(mode="json") | {"fault_report_required": ["cause", "cause"]}
    with pytest.raises(DomainError, match="关闭前必填的报告部分代码重复：cause"):
        validate_profile(data)
