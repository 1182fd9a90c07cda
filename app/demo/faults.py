"""Demo faults: from inspections, from requests and emergencies, with SLA timelines.

Every demo fault records whether it interrupted the service (:meth:`FaultsPart._outage`):
most do not, or only briefly and for their own system; the more severe the level, the
more likely and the longer an outage; an emergency (域名劫持, 网站无法访问, 服务器故障)
takes its systems down until shortly before recovery.

A fault's whole story is decided first (:class:`app.demo.rows.FaultPlan`: opened, its
report and times filled in, the outage recorded, closed) and the month's faults are
then written by the writer (:mod:`app.demo.writer`), their signatures after them.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from app.contracts.profile_schema import FaultLevel
from app.demo.rows import DemoRow, FaultPlan, FaultRow, RequestRow, ResultRow
from app.demo.shared import FaultTodo, Month, random_minutes
from app.demo.texts import EMERGENCIES, SCENARIOS, Scenario, matches, pick
from app.errors import DomainError
from app.records import _util, inspections
from app.records import faults as fault_svc
from app.records import requests as request_svc
from app.schedule import periods
from app.schedule import sla as sla_mod
from db.models import FaultRecord, System


class FaultsPart:
    """The faults part of the demo generator; its state is the generator's (generator.py)."""

    def _plan_emergencies(self) -> dict[tuple[str, date], str]:
        """Two emergency events (域名劫持, 网页篡改 …) on days of each holiday period."""
        found: dict[tuple[str, date], str] = {}
        for holiday in self.holidays:
            days = [
                holiday.start_date + timedelta(days=i)
                for i in range((holiday.end_date - holiday.start_date).days + 1)
            ]
            days = [d for d in days if self.start <= d < self.until]
            if not days:
                continue
            rng = self.rng("emergency", holiday.name, holiday.start_date)
            kinds = rng.sample(sorted(fault_svc.EMERGENCY_TYPES), 2)
            for kind, day in zip(kinds, sorted(rng.sample(days, min(2, len(days)))), strict=False):
                found[(holiday.id, day)] = kind
        return found

    def _scenario(self, rng: random.Random, system: System | None) -> Scenario:
        category = system.category if system is not None else ""
        name = system.name if system is not None else ""

        def fits(scenario: Scenario) -> bool:
            if scenario.target == "db":
                return "数据库" in category or "数据库" in name
            if scenario.target == "mw":
                return "中间件" in category or name in ("nginx", "tomcat")
            if scenario.target == "app":
                return "数据库" not in category and "中间件" not in category
            return True

        return pick(rng, [s for s in SCENARIOS if fits(s)] or list(SCENARIOS))

    def _level(self, rng: random.Random, emergency: bool = False) -> FaultLevel:
        weights = [8, 25, 40, 27] if emergency else [60, 25, 12, 3]
        return rng.choices(self.levels, weights=weights[: len(self.levels)])[0]

    def _fault_time(
        self, month: Month, rng: random.Random, *, service_hours: bool
    ) -> datetime | None:
        days = (
            [d for d, _ in self._request_days(month)]
            if service_hours
            else [
                month.first + timedelta(days=i) for i in range((month.last - month.first).days + 1)
            ]
        )
        days = [d for d in days if d >= self.start]
        if not days:
            return None
        day = pick(rng, days)
        when = (
            self._received_time(day, rng)
            if service_hours
            else (datetime.combine(day, time()) + timedelta(minutes=rng.randint(0, 24 * 60 - 1)))
        )
        return when if when <= self.as_of - timedelta(minutes=30) else None

    def _faults(self, month: Month) -> None:
        rng = self.rng("faults", month.key)
        todo = list(month.fault_todo)
        month_days = (periods.month_end(month.first.year, month.first.month) - month.first).days + 1
        share = (month.last - max(month.first, self.start)).days + 1
        target = round(rng.randint(10, 20) * min(1.0, share / month_days))
        holidays = {h.id: h for h in self.holidays}
        for (holiday_id, day), kind in sorted(self.emergencies.items(), key=lambda kv: kv[0][1]):
            if not month.first <= day <= month.last or any(
                t.emergency_type == kind and t.holiday is not None and t.holiday.id == holiday_id
                for t in todo
            ):
                continue  # outside the month, or already found by the holiday check
            when = datetime.combine(day, time(9)) + random_minutes(rng, 0, 600)
            if when <= self.as_of - timedelta(minutes=30):
                todo.append(
                    FaultTodo(
                        when,
                        "emergency",
                        emergency_type=kind,
                        holiday=holidays[holiday_id],
                        system=self.systems[0] if self.systems else None,
                        actor=self._duty(day).name,
                    )
                )
        attempts = 0
        while len(todo) < target and attempts < 3 * target:
            attempts += 1
            kind = "alarm" if rng.random() < 0.55 else "user"
            when = self._fault_time(
                month, rng, service_hours=kind == "user" or self.window == "5x8"
            )
            if when is None:
                continue
            system = pick(rng, self.systems) if self.systems else None
            todo.append(FaultTodo(when, kind, system=system, actor=self._duty(when.date()).name))
        todo.sort(key=lambda t: t.reported_at)
        numbers: dict[str, tuple[str, int, int]] = {}
        signatures: list[tuple[DemoRow, str, str, datetime]] = []
        plans = [self._open_fault(item, rng, numbers, signatures) for item in todo]
        self.writer.faults(plans)
        self._sign_rows(signatures)

    def _fault_number(self, when: datetime, numbers: dict[str, tuple[str, int, int]]) -> str:
        """The next 故障单号 of the month of ``when`` (the store is asked once a month)."""
        month = f"{when:%Y%m}"
        if month not in numbers:
            first = fault_svc.next_number(
                self.s, FaultRecord, self.contract, fault_svc.FAULT_PREFIX, when
            )
            found = re.fullmatch(r"(.*?)(\d+)", first)
            assert found is not None
            numbers[month] = (found[1], len(found[2]), int(found[2]) - 1)
        stem, width, last = numbers[month]
        numbers[month] = (stem, width, last + 1)
        return f"{stem}{last + 1:0{width}d}"

    def _open_fault(
        self,
        todo: FaultTodo,
        rng: random.Random,
        numbers: dict[str, tuple[str, int, int]],
        signatures: list[tuple[DemoRow, str, str, datetime]],
    ) -> FaultPlan:
        """Open a fault as the services would (from an item, a call or anew) and tell its story."""
        emergency = todo.emergency_type is not None
        level = self._level(rng, emergency)
        handler = todo.actor or self._duty(todo.reported_at.date()).name
        texts: dict[str, str]
        source: ResultRow | RequestRow | None = None
        escalated: tuple[datetime, str] | None = None
        reported = todo.reported_at.replace(microsecond=0)
        if todo.kind in ("inspection", "emergency") and todo.result is not None:
            source = todo.result
            system = source.system or source.run.system
            fields: dict[str, Any] = inspections.fault_prefill(source, system) | {
                "discovery": "inspection",
                "holiday_period_id": source.run.holiday_period_id,
                "source_result_id": source.id,
            }
            if emergency and todo.emergency_type is not None:
                texts = self._emergency_texts(todo.emergency_type, system)
                texts.pop("symptom")  # the item's own note is the symptom
            else:
                texts = self._inspection_texts(source, system, rng)
        elif todo.kind == "request" and todo.request is not None and todo.escalate_at is not None:
            source = todo.request
            system = source.system
            scenario = self._scenario(rng, todo.system)
            at = min(todo.escalate_at, self.as_of).replace(microsecond=0)
            escalated = (at, "电话及远程无法恢复，转故障处理")
            reported = source.received_at
            fields = {
                "title": scenario.title.format(sys=todo.system.name if todo.system else "系统"),
                "responded_at": source.responded_at or at,
                "discovery": "user",
                "category": source.category,
                "impact": source.impact or "",
                "symptom": f"{source.description}\n{escalated[1]}",
                "handler": source.handler,
                "service_request_id": source.id,
            }
            texts = self._scenario_texts(scenario, todo.system, rng, unit=source.caller_unit)
        else:
            system = todo.system
            if emergency:
                assert todo.emergency_type is not None
                title = EMERGENCIES[todo.emergency_type][0]
                discovery = "alarm"
                category = "安全事件"
            else:
                scenario = self._scenario(rng, system)
                title = scenario.title.format(sys=system.name if system else "系统")
                discovery = todo.kind
                category = scenario.category
            fields = {
                "title": title,
                "discovery": discovery,
                "category": category,
                "emergency_type": todo.emergency_type,
                "holiday_period_id": todo.holiday.id if todo.holiday else None,
                "coordinator": self.coordinator.name,
            }
            texts = (
                self._emergency_texts(todo.emergency_type, system)
                if emergency and todo.emergency_type
                else self._scenario_texts(scenario, system, rng, unit="")
            )
        fields.setdefault("handler", handler)
        fault = FaultRow(
            contract_id=self.contract.id,
            number=self._fault_number(reported, numbers),
            level=level.code,
            reported_at=reported,
            system=system,
            created_at=reported,
            created_by=handler,
            **_cleaned(fields),
        )
        plan = FaultPlan(fault, fault.values(), source, escalated=escalated)
        if isinstance(source, ResultRow) and source.run.locked_at is None:
            plan.source_changes = {"fault_id": fault.id}  # a signed run's item cannot change
        elif escalated is not None and source is not None:
            plan.source_changes = {
                "fault_id": fault.id,
                "status": "escalated",
                "resolution": request_svc.escalation_trail(
                    source.resolution or "", escalated[0], "fault", escalated[1]
                ),
                "responded_at": source.responded_at or escalated[0],
            }
        if emergency:
            assert todo.emergency_type is not None
            texts["emergency_type"] = todo.emergency_type
            texts["title"] = EMERGENCIES[todo.emergency_type][0]
            if todo.holiday is not None:
                texts["holiday_period_id"] = todo.holiday.id
        texts.setdefault("coordinator", self.coordinator.name)
        self._timeline(plan, level, rng, emergency, texts, signatures)
        self.stats.faults += 1
        self.stats.emergency_faults += int(emergency)
        return plan

    def _scenario_texts(
        self, scenario: Scenario, system: System | None, rng: random.Random, *, unit: str
    ) -> dict[str, str]:
        sys_name = system.name if system is not None else "系统"
        fill = {"sys": sys_name, "unit": unit or "用户", "n": rng.randint(20, 300)}
        return {
            "symptom": scenario.symptom.format(**fill),
            "impact": scenario.impact.format(**fill),
            "impact_analysis": scenario.impact_analysis.format(**fill),
            "cause": scenario.cause.format(**fill),
            "process": scenario.process.format(**fill),
            "prevention": scenario.prevention.format(**fill),
            "category": scenario.category,
        }

    def _emergency_texts(self, kind: str, system: System | None) -> dict[str, str]:
        _title, _kw, symptom, cause, process, prevention = EMERGENCIES[kind]
        return {
            "symptom": symptom,
            "impact": "门户及各子站点访问用户",
            "impact_analysis": "节日期间公众访问受影响，存在舆情风险，按应急预案处置。",
            "cause": cause,
            "process": process,
            "prevention": prevention,
            "category": "安全事件",
        }

    def _inspection_texts(
        self, result: ResultRow, system: System | None, rng: random.Random
    ) -> dict[str, str]:
        title = result.item.title
        key = "oom"
        for keywords, scenario_key in (
            (("磁盘", "存储"), "disk"),
            (("备份",), "backup"),
            (("日志",), "oom"),
            (("连接", "表空间", "慢查询"), "dbpool"),
            (("接口",), "iface"),
            (("任务", "同步", "调度", "推送", "申报量"), "sync"),
            (("登录",), "sso"),
            (("附件",), "fdfs"),
            (("证书",), "cert"),
            (("响应", "访问", "页面"), "nginx"),
        ):
            if matches(title, keywords):
                key = scenario_key
                break
        scenario = next(s for s in SCENARIOS if s.key == key)
        texts = self._scenario_texts(scenario, system, rng, unit="")
        texts.pop("symptom")  # the item's own note is the symptom
        texts.pop("category")
        return texts

    def _fault_times(
        self, fault: FaultRow, level: FaultLevel, rng: random.Random, emergency: bool
    ) -> tuple[datetime, datetime | None, datetime, datetime]:
        """When a fault is responded to, gone on site (or not), recovered and closed.

        On the service clock, mostly within the SLA: about one fault in five is
        drawn to miss one limit (response, on site or recovery).
        """
        sla = self.profile.sla
        reported = fault.reported_at
        breach = rng.random()

        def clock(minutes: float) -> datetime:
            if emergency:  # the holiday duty engineer acts at once, whatever the window
                return reported + timedelta(minutes=round(minutes))
            return self.after(reported, minutes).replace(microsecond=0)

        responded = fault.responded_at
        if responded is None:
            factor = rng.uniform(1.1, 3) if breach < 0.08 else rng.uniform(0.15, 0.9)
            if emergency:
                factor = rng.uniform(0.1, 0.5)
            responded = clock(sla.response_minutes * factor)
        onsite: datetime | None = None
        if sla.onsite_minutes is not None and (emergency or rng.random() < 0.35):
            factor = rng.uniform(1.05, 1.6) if 0.08 <= breach < 0.14 else rng.uniform(0.2, 0.9)
            onsite = max(clock(sla.onsite_minutes * factor), responded + timedelta(minutes=5))
        target = level.recovery_minutes or 480
        if 0.14 <= breach < 0.22:
            factor = rng.uniform(1.05, 1.8)
        else:
            factor = min(0.95, rng.betavariate(1.3, 5) + 0.02)
        recovered = max(clock(target * factor), (onsite or responded) + timedelta(minutes=10))
        if sla.close_minutes is not None:
            closed = max(clock(sla.close_minutes * rng.uniform(0.2, 0.9)), recovered)
        else:
            closed = recovered + random_minutes(rng, 20, 240)
            if not time(8, 30) <= closed.time() <= time(20):  # the report is closed in the day
                day = closed.date() + timedelta(days=int(closed.time() > time(20)))
                closed = datetime.combine(day, time(9)) + random_minutes(rng, 0, 90)
        return responded, onsite, recovered, closed

    #: Per level, least severe first: (chance of an outage, its length in minutes as (low, high)).
    OUTAGE_ODDS = ((0.25, (5, 40)), (0.45, (15, 120)), (0.75, (30, 240)), (0.95, (60, 480)))

    def _outage(self, fault: FaultRow, level: FaultLevel, emergency: bool) -> dict[str, Any] | None:
        """是否中断服务 as the handler records it (its own random stream: see the docstring).

        The ``set_outage`` arguments (``None``: nothing recorded), applied to ``fault``.
        The outage starts at the report (the earliest time the record allows) and
        ends by the recovery; an outage still going on at "now" has no end.
        """
        rng = self.rng("outage", fault.reported_at.isoformat(), fault.number)
        rank = next((n for n, lvl in enumerate(self.levels) if lvl.code == level.code), 0)
        chance, (low, high) = self.OUTAGE_ODDS[min(rank, len(self.OUTAGE_ODDS) - 1)]
        kind = fault.emergency_type
        if emergency:
            chance = 0.1 if kind == "page_tamper" else 0.9  # a tampered page is taken offline
            low, high = (20, 180)
        if rng.random() >= chance:
            fault.service_interrupted = False
            return {"interrupted": False}
        own = next((s for s in self.systems if s.id == fault.system_id), None)
        if own is not None:
            systems = [own.code]
        elif self.systems:
            count = 3 if kind in ("unreachable", "server_recovery") else 1
            systems = [s.code for s in rng.sample(self.systems, min(count, len(self.systems)))]
        else:
            return None
        start = fault.reported_at
        end: datetime | None = start + timedelta(minutes=rng.randint(low, high))
        if fault.recovered_at is not None:
            assert end is not None
            end = min(end, fault.recovered_at)
            if end <= start:
                end = fault.recovered_at
        if end is not None and end > self.as_of:
            end = None  # still down at "now"
        if end is not None and end <= start:
            fault.service_interrupted = False
            return {"interrupted": False}
        fault.service_interrupted = True
        fault.outage_start, fault.outage_end = start, end
        fault.outage_systems = list(dict.fromkeys(systems))
        self.stats.outages += 1
        return {"interrupted": True, "start": start, "end": end, "systems": systems}

    def _close(
        self,
        plan: FaultPlan,
        closed: datetime,
        rng: random.Random,
        signatures: list[tuple[DemoRow, str, str, datetime]],
    ) -> None:
        """Close a recovered fault and have it signed, as far as "now" allows; else count it open.

        The handler signs after closing, the reviewer on the next working day.
        """
        now = self.as_of
        fault = plan.fault
        if fault.recovered_at is not None and closed <= now:
            plan.close = (closed, "故障已排除，业务恢复正常，经验证运行稳定。")
            fault.closed_at = _util.moment(closed, "关闭时间")
            fault.result = _util.text(plan.close[1], "处理结果")
            signed = closed + random_minutes(rng, 5, 60)
            if signed <= now:
                signatures.append((fault, "运维人员", fault.handler or self.pm.name, signed))
                review = datetime.combine(self.cal.add_workdays(closed.date(), 1), time(10)) + (
                    random_minutes(rng, 0, 240)
                )
                if review <= now:
                    signatures.append((fault, "复核人", self.pm.name, review))
        else:
            self.stats.open_faults += 1

    def _timeline(
        self,
        plan: FaultPlan,
        level: FaultLevel,
        rng: random.Random,
        emergency: bool,
        texts: dict[str, str],
        signatures: list[tuple[DemoRow, str, str, datetime]],
    ) -> None:
        """Respond, (go on site), recover and close on the service clock; most within the SLA."""
        fault = plan.fault
        responded, onsite, recovered, closed = self._fault_times(fault, level, rng, emergency)
        now = self.as_of
        steps = [("responded", responded), ("onsite", onsite), ("recovered", recovered)]
        plan.report = dict(texts)
        if recovered > now:
            plan.report["cause"] = "原因排查中。"
            plan.report["process"] = "已采取临时措施，正在排查处理。"
            plan.report["prevention"] = ""
        _report(fault, plan.report)
        for step, when in steps:
            if when is None:
                continue  # e.g. recovered remotely: nobody had to go on site
            if when > now:
                break
            if step == "responded" and fault.responded_at is not None:
                continue
            plan.steps.append((step, when))
            column, label = fault_svc.STEPS[step]
            setattr(fault, column, _util.moment(when, label))
        plan.outage = self._outage(fault, level, emergency)
        self._close(plan, closed, rng, signatures)
        _check_story(fault, now, self.profile.fault_report_required)
        verdicts = sla_mod.fault_verdicts(
            self.profile.sla,
            level=fault.level,
            reported_at=fault.reported_at,
            responded_at=fault.responded_at,
            onsite_at=fault.onsite_at,
            recovered_at=fault.recovered_at,
            closed_at=fault.closed_at,
            now=now,
            minutes_between=self.between,
            deadline_after=self.after,
        )
        if any(v.state in (sla_mod.BREACHED, sla_mod.OVERDUE) for v in verdicts):
            self.stats.fault_sla_breaches += 1


#: the text columns :func:`app.records.faults.create_fault` cleans
_OPENING_TEXTS = {
    "title": 200,
    "category": 64,
    "impact": _util.TEXT_LIMIT,
    "symptom": _util.TEXT_LIMIT,
    "handler": _util.NAME_LIMIT,
    "coordinator": _util.NAME_LIMIT,
}


def _cleaned(fields: dict[str, Any]) -> dict[str, Any]:
    """A fault's opening columns with its texts as the service stores them."""
    return {
        key: _util.text(value, key, required=key == "title", limit=_OPENING_TEXTS[key])
        if key in _OPENING_TEXTS
        else value
        for key, value in fields.items()
    }


def _report(fault: FaultRow, report: dict[str, Any]) -> None:
    """:func:`app.records.faults.update_fault` of ``report`` on the plain row."""
    for name, value in report.items():
        if name in fault_svc.EDITABLE:
            label, limit = fault_svc.EDITABLE[name]
            value = _util.text(value, label, required=name == "title", limit=limit)
        elif name not in ("emergency_type", "holiday_period_id"):
            raise DomainError(f"演示数据：故障单的字段 {name} 不能这样修改。")
        setattr(fault, name, value)


def _check_story(fault: FaultRow, now: datetime, required: list[str]) -> None:
    """Refuse a fault the services would not have let become what it is (times, outage, report).

    ``required``: the report sections the profile requires before 关闭.
    """
    if fault.closed_at is not None:
        texts = {name: getattr(fault, name) for name in fault_svc.REPORT_SECTIONS}
        missing = fault_svc.missing_report_sections(required, texts)
        if missing:
            raise DomainError(f"演示数据：{fault_svc.report_sections_message(missing)}")
    problems = fault_svc.timeline_problems(
        {step: getattr(fault, column) for step, (column, _label) in fault_svc.STEPS.items()},
        now=now,
        interrupted=fault.service_interrupted,
        outage_start=fault.outage_start,
        outage_end=fault.outage_end,
    )
    for problem in problems.values():
        raise DomainError(f"演示数据：{problem.message}")
