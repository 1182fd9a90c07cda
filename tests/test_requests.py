"""Service requests: logging, phone resolution, escalation, autocomplete, SLA."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records import requests as rq
from app.storage.store import Store
from db.models import AuditEntry, FaultRecord, ServiceRequest
from tests.factories import count, install, internet_profile
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)

T0 = datetime(2026, 11, 3, 10, 0)
NOW = datetime(2026, 12, 20, 12, 0)


def _log(s: Session, **kw: object) -> ServiceRequest:
    args: dict[str, object] = {
        "received_at": T0,
        "caller_unit": "市规划和自然资源委员会办公室",
        "caller_name": "王女士",
        "category": "账号问题",
        "description": "网上申报系统登录提示密码错误",
        "handler": "李工",
        "system_code": "declare",
    }
    args.update(kw)
    return rq.log_request(s, "test-internet", now=NOW, **args)  # type: ignore[arg-type]


def test_log_and_resolve_on_phone(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        req = _log(s)
        s.flush()
        assert req.number == "FW-202611-0001"
        assert req.channel == "phone" and req.status == "open"
        assert req.responded_at == T0  # a call is answered when it comes in
        rq.resolve_on_phone(s, req.id, "指导用户重置密码", T0 + timedelta(minutes=6), now=NOW)
        assert req.status == "resolved" and req.solved_on_phone
        assert req.completed_at == T0 + timedelta(minutes=6)
        assert req.resolution == "指导用户重置密码"
        with pytest.raises(DomainError, match="已解决，不能再处理"):
            rq.escalate(s, req.id, "remote", T0 + timedelta(minutes=7), now=NOW)
        verdicts = rq.request_sla(s, req, now=NOW)
        assert [(v.step, v.state) for v in verdicts] == [("response", "met")]


def test_numbers_per_contract_and_month(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        numbers = [_log(s, received_at=T0 + timedelta(minutes=i)).number for i in range(42)]
        assert numbers[0] == "FW-202611-0001" and numbers[-1] == "FW-202611-0042"
        assert _log(s, received_at=datetime(2026, 12, 1, 9)).number == "FW-202612-0001"


def test_invalid_request_writes_nothing(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
    with store.session() as s:
        entries = count(s, AuditEntry)
        for kwargs, message in [
            ({"caller_unit": ""}, "来电单位"),
            ({"category": " "}, "问题类别"),
            ({"description": ""}, "问题描述"),
            ({"handler": ""}, "受理人"),
            ({"priority": "asap"}, "优先级"),
            ({"channel": "fax"}, "服务方式"),
            ({"system_code": "mail"}, "系统"),
            ({"received_at": NOW + timedelta(hours=1)}, "将来"),
            ({"responded_at": T0 - timedelta(minutes=1)}, "响应时间不能早于接报时间"),
            ({"caller_contact": "1" * 101}, "联系方式"),
        ]:
            with pytest.raises(DomainError, match=message):
                _log(s, **kwargs)
        s.flush()
        assert count(s, ServiceRequest) == 0
        assert count(s, AuditEntry) == entries


def test_escalate_to_remote_then_onsite_with_the_four_hour_target(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        req = _log(s, priority="高")
        with pytest.raises(DomainError, match="不能早于接报时间"):
            rq.escalate(s, req.id, "remote", T0 - timedelta(minutes=1), now=NOW)
        with pytest.raises(DomainError, match="无法转为"):
            rq.escalate(s, req.id, "email", T0, now=NOW)
        escalation = rq.escalate(
            s, req.id, "remote", T0 + timedelta(minutes=20), "远程查看服务器日志", now=NOW
        )
        assert escalation.request is req and escalation.fault is None
        assert req.channel == "remote" and req.remote_at == T0 + timedelta(minutes=20)
        assert req.priority == "high"
        with pytest.raises(DomainError, match="已是远程支持"):
            rq.escalate(s, req.id, "remote", T0 + timedelta(minutes=25), now=NOW)
        with pytest.raises(DomainError, match="已转为远程支持"):
            rq.resolve_on_phone(s, req.id, "x", T0 + timedelta(minutes=30), now=NOW)
        rq.escalate(s, req.id, "onsite", T0 + timedelta(minutes=50), "需到现场更换硬盘", now=NOW)
        assert req.channel == "onsite" and req.status == "open"
        assert "转远程支持] 远程查看服务器日志" in req.resolution
        assert "转现场支持] 需到现场更换硬盘" in req.resolution
        waiting = {v.step: v for v in rq.request_sla(s, req, now=T0 + timedelta(hours=3))}
        assert waiting["remote"].state == "met"
        assert waiting["onsite"].state == "pending"
        assert waiting["onsite"].due_at == T0 + timedelta(hours=4)
        assert waiting["onsite"].target_text == "4小时"
        late = {v.step: v for v in rq.request_sla(s, req, now=T0 + timedelta(hours=5))}
        assert late["onsite"].state == "overdue"
        with pytest.raises(DomainError, match="到场时间"):
            rq.complete_request(
                s, req.id, resolution="已更换", completed_at=T0 + timedelta(hours=4)
            )
        rq.complete_request(
            s,
            req.id,
            resolution="更换硬盘并恢复数据",
            onsite_at=T0 + timedelta(hours=3, minutes=30),
            completed_at=T0 + timedelta(hours=5),
            follow_up=True,
            now=NOW,
        )
        assert req.status == "resolved" and not req.solved_on_phone and req.follow_up
        done = {v.step: v for v in rq.request_sla(s, req, now=NOW)}
        assert (done["onsite"].state, done["onsite"].label) == ("met", "达标")
        assert req.resolution.endswith("更换硬盘并恢复数据")


def test_onsite_arrival_after_four_hours_is_breached(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        req = _log(s)
        rq.escalate(s, req.id, "onsite", T0 + timedelta(minutes=5), now=NOW)
        rq.set_time(s, req.id, "onsite", T0 + timedelta(hours=4, minutes=1), now=NOW)
        verdicts = {v.step: v for v in rq.request_sla(s, req, now=NOW)}
        assert verdicts["onsite"].state == "breached"
        rq.complete_request(
            s,
            req.id,
            resolution="未能修复，待厂商备件",
            resolved=False,
            completed_at=T0 + timedelta(hours=6),
            next_visit=T0 + timedelta(days=2),
            now=NOW,
        )
        assert req.status == "unresolved" and req.next_visit == T0 + timedelta(days=2)


def test_escalate_to_fault_links_both_ways(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        req = _log(s, impact="全市企业无法申报")
        with pytest.raises(DomainError, match="故障等级"):
            rq.escalate(s, req.id, "fault", T0 + timedelta(minutes=10), level="p9", now=NOW)
        assert req.status == "open" and count(s, FaultRecord) == 0
        escalation = rq.escalate(
            s, req.id, "fault", T0 + timedelta(minutes=10), "申报服务宕机", level="major", now=NOW
        )
        fault = escalation.fault
        assert escalation.request is req and isinstance(fault, FaultRecord)
        s.flush()
        assert fault.number == "GZ-202611-0001"
        assert fault.service_request_id == req.id and req.fault_id == fault.id
        assert req.status == "escalated"
        assert fault.reported_at == T0  # the fault was reported when the call came in
        assert fault.responded_at == T0
        assert fault.discovery == "user" and fault.level == "major"
        assert fault.system is not None and fault.system.code == "declare"
        assert fault.symptom == "网上申报系统登录提示密码错误\n申报服务宕机"
        assert fault.impact == "全市企业无法申报"
        assert fault.title.startswith("账号问题：")
        with pytest.raises(DomainError, match="已转故障"):
            rq.escalate(s, req.id, "fault", T0 + timedelta(minutes=11), now=NOW)
        assert rq.request_sla(s, req, now=NOW)[0].state == "met"


def test_escalated_to_fault_default_level(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        req = _log(s, channel="remote")
        assert req.responded_at is None
        fault = rq.escalate(s, req.id, "fault", T0 + timedelta(minutes=40), now=NOW).fault
        assert isinstance(fault, FaultRecord)
        assert fault.level == "minor" and fault.responded_at == T0 + timedelta(minutes=40)
        assert req.responded_at == T0 + timedelta(minutes=40)
        response = rq.request_sla(s, req, now=NOW)[0]
        assert response.state == "breached"  # 40 minutes against 30


def test_autocomplete_is_distinct_and_most_frequent_first(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        calls = [
            ("市规划和自然资源委员会海淀分局", "账号问题"),
            ("市规划和自然资源委员会海淀分局", "账号问题"),
            ("北京某科技有限公司", "申报操作"),
            ("北京某科技有限公司", "账号问题"),
            ("北京某科技有限公司", "申报操作"),
            ("市民", "信息查询"),
            ("自然资源信息中心", "申报操作"),
        ]
        for i, (unit, category) in enumerate(calls):
            _log(s, caller_unit=unit, category=category, received_at=T0 + timedelta(minutes=i))
        assert rq.caller_units(s, "test-internet") == [
            "北京某科技有限公司",
            "市规划和自然资源委员会海淀分局",
            "自然资源信息中心",  # later than 市民, same count
            "市民",
        ]
        # units starting with the typed text come before units containing it
        assert rq.caller_units(s, "test-internet", "自然资源") == [
            "自然资源信息中心",
            "市规划和自然资源委员会海淀分局",
        ]
        assert rq.caller_units(s, "test-internet", "市", limit=1) == [
            "市规划和自然资源委员会海淀分局"
        ]
        assert rq.caller_units(s, "test-internet", "100%_") == []
        # 3 each: the more recently used comes first
        assert rq.categories(s, "test-internet") == ["申报操作", "账号问题", "信息查询"]
        assert rq.categories(s, "test-internet", "申") == ["申报操作"]


def test_request_times_and_status_rules(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        req = _log(s, channel="remote")
        with pytest.raises(DomainError, match="未知的时间节点"):
            rq.set_time(s, req.id, "lunch", T0, now=NOW)
        rq.set_time(s, req.id, "responded", T0 + timedelta(minutes=10), now=NOW)
        rq.set_time(s, req.id, "remote", T0 + timedelta(minutes=30), now=NOW)
        verdicts = {v.step: v for v in rq.request_sla(s, req, now=NOW)}
        assert verdicts["response"].state == "met" and verdicts["remote"].state == "met"
        with pytest.raises(DomainError, match="不需要下次上门时间"):
            rq.complete_request(
                s,
                req.id,
                resolution="ok",
                completed_at=T0 + timedelta(hours=1),
                next_visit=T0 + timedelta(days=1),
                now=NOW,
            )
        rq.complete_request(
            s, req.id, resolution="远程处理完毕", completed_at=T0 + timedelta(hours=1), now=NOW
        )
        with pytest.raises(DomainError, match="必须有完成时间"):
            rq.set_time(s, req.id, "completed", None, now=NOW)


class _OfficeCalendar:
    """A stand-in for the working calendar: Mon-Fri, the profile's hours."""

    def __init__(self) -> None:
        self.windows: list[str] = []

    def service_minutes_between(
        self, start: datetime, end: datetime, window: str, hours: object = None
    ) -> float:
        self.windows.append(window)
        total, moment = 0.0, start
        while moment < end:
            if moment.weekday() < 5 and 9 <= moment.hour < 17:
                total += 1
            moment += timedelta(minutes=1)
        return total

    def service_deadline(
        self, start: datetime, minutes: float, window: str, hours: object = None
    ) -> datetime:
        moment = start
        while self.service_minutes_between(start, moment, window, hours) < minutes:
            moment += timedelta(minutes=30)
        return moment


def test_request_sla_counts_service_time_with_a_calendar(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        friday = datetime(2026, 11, 6, 16, 0)
        req = _log(s, received_at=friday, channel="onsite", responded_at=friday)
        rq.set_time(s, req.id, "onsite", datetime(2026, 11, 9, 11, 0), now=NOW)
        calendar = _OfficeCalendar()
        onsite = rq.request_sla(s, req, now=NOW, calendar=calendar)[-1]
        assert (onsite.step, onsite.actual_minutes, onsite.state) == ("onsite", 180, "met")
        assert onsite.due_at == datetime(2026, 11, 9, 12, 0)
        assert set(calendar.windows) == {"5x8"}
        wall = rq.request_sla(s, req, now=NOW)[-1]
        assert wall.state == "breached"


def test_update_request_whitelist(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        req = _log(s)
        with pytest.raises(DomainError, match="status"):
            rq.update_request(s, req.id, status="resolved")
        with pytest.raises(DomainError, match="来电单位"):
            rq.update_request(s, req.id, caller_unit="", caller_name="赵先生")
        assert req.caller_name == "王女士"
        rq.update_request(
            s,
            req.id,
            caller_name="赵先生",
            priority="urgent",
            system_code="website",
            follow_up=True,
        )
        assert (req.caller_name, req.priority, req.follow_up) == ("赵先生", "urgent", True)
        assert req.system is not None or req.system_id is not None
