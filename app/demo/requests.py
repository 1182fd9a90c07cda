"""Demo phone, remote and on-site service requests, some escalated to faults."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from app.demo.people import CALLERS, Caller
from app.demo.rows import RequestRow
from app.demo.shared import MAX_ESCALATED_FAULTS, FaultTodo, Month, at_time, random_minutes
from app.demo.texts import pick, topics_for
from app.records import faults as fault_svc
from app.records import requests as request_svc
from app.schedule import periods
from app.schedule import sla as sla_mod
from db.models import ServiceRequest, System


class RequestsPart:
    """The requests part of the demo generator; its state is the generator's (generator.py)."""

    def _request_days(self, month: Month) -> list[tuple[date, float]]:
        days: list[tuple[date, float]] = []
        day = month.first
        while day <= month.last:
            if day >= self.start and self.cal.is_service_day(day, self.window):
                if self.window == "5x8":
                    weight = 1.25 if day.weekday() == 0 else 1.0
                else:
                    weight = 1.0 if self.cal.is_workday(day) else 0.3
                days.append((day, weight))
            day += timedelta(days=1)
        return days

    def _received_time(self, day: date, rng: random.Random) -> datetime:
        if self.window == "5x8":
            open_at = at_time(day, self.hours.start)
            span = (
                at_time(day, "00:00") + timedelta(hours=24)
                if self.hours.end == "24:00"
                else at_time(day, self.hours.end)
            ) - open_at
            minutes = span.total_seconds() / 60
            offset = rng.triangular(2, max(3.0, minutes - 10), minutes * 0.3)
            return open_at + timedelta(minutes=round(offset), seconds=rng.randint(0, 59))
        if rng.random() < 0.85:
            minute = rng.triangular(8.5 * 60, 18 * 60, 10 * 60)
        else:
            minute = pick(rng, [rng.uniform(18 * 60, 23.9 * 60), rng.uniform(0, 8.4 * 60)])
        return datetime.combine(day, time()) + timedelta(
            minutes=round(minute), seconds=rng.randint(0, 59)
        )

    def _request_stamps(self, month: Month, rng: random.Random) -> list[datetime]:
        """When the month's calls come in: 110–190 a full month, more on Mondays (5×8)."""
        days = self._request_days(month)
        if not days:
            return []
        month_days = (periods.month_end(month.first.year, month.first.month) - month.first).days + 1
        share = (month.last - max(month.first, self.start)).days + 1
        target = round(rng.randint(110, 190) * min(1.0, share / month_days))
        picks = rng.choices([d for d, _ in days], weights=[w for _, w in days], k=target)
        stamps = sorted(self._received_time(day, rng) for day in picks)
        return [t for t in stamps if t <= self.as_of - timedelta(minutes=10)]

    def _roll_outcome(self, rng: random.Random, caller: Caller, escalated: int) -> str:
        """How a call ends: mostly on the phone, some remote or on site, a few faults."""
        roll = rng.random()
        if roll < 0.70:
            return "phone"
        if roll < 0.85 or (roll < 0.95 and not caller.internal):
            return "remote"
        if roll < 0.95:
            return "onsite"
        if roll < 0.98 and escalated < MAX_ESCALATED_FAULTS and self.systems:
            return "fault"
        if roll < 0.98:
            return "phone"
        return "unresolved"

    def _request(
        self,
        rng: random.Random,
        received: datetime,
        number: str,
        systems: list[System],
        system_weights: list[float],
        escalated: int,
        month: Month,
    ) -> tuple[RequestRow, bool]:
        """One call: who called about what, and how it was handled.

        Returns the request and whether it became a fault (queued in ``month.fault_todo``).
        """
        caller = rng.choices(CALLERS, weights=[c.weight for c in CALLERS])[0]
        system = rng.choices(systems, weights=system_weights)[0] if systems else None
        topics = topics_for(caller)
        category, _w, variants = rng.choices(topics, weights=[t[1] for t in topics])[0]
        description, resolution = pick(rng, variants)
        sys_name = system.name if system is not None else "系统"
        handler = self._duty(received.date(), rng.randint(0, 1))
        outcome = self._roll_outcome(rng, caller, escalated)
        priority = rng.choices(["normal", "high", "low", "urgent"], weights=[80, 10, 8, 2])[0]
        req = RequestRow(
            contract_id=self.contract.id,
            system=system,
            number=number,
            channel="phone",
            received_at=received,
            caller_unit=caller.unit,
            caller_name=pick(rng, caller.names),
            caller_contact=caller.contact,
            category=category,
            priority=priority,
            impact=pick(rng, ["", "单个用户", "本部门用户"]) if caller.internal else "",
            description=description.format(sys=sys_name),
            responded_at=received,
            status="open",
            handler=handler.name,
            created_at=received,
            updated_at=received,
            created_by=handler.name,
        )
        if outcome != "fault":
            if outcome == "unresolved":
                resolution = "远程协助排查后仍未解决，已约定上门处理。"
            self._request_outcome(req, outcome, resolution.format(sys=sys_name), rng)
            return req, False
        scenario = self._scenario(rng, system)
        req.category = "系统故障"
        req.priority = "urgent" if rng.random() < 0.3 else "high"
        req.description = scenario.report.format(unit=caller.unit, sys=sys_name)
        month.fault_todo.append(
            FaultTodo(
                received,
                "request",
                request=req,
                escalate_at=received + random_minutes(rng, 5, 25),
                system=system,
                actor=handler.name,
            )
        )
        return req, True

    def _count_and_sign(self, requests: list[RequestRow], rng: random.Random) -> None:
        """Count the month's requests and SLA breaches; sign the completed on-site ones.

        The engineer signs, then the person on site (甲方确认); where the contract
        requires review, the project manager countersigns the next working day.
        """
        todo = []
        for req in requests:
            self.stats.requests[req.channel] = self.stats.requests.get(req.channel, 0) + 1
            if req.status == "open":
                self.stats.open_requests += 1
            verdicts = sla_mod.request_verdicts(
                self.profile.sla,
                channel=req.channel,
                received_at=req.received_at,
                responded_at=req.responded_at,
                remote_at=req.remote_at,
                onsite_at=req.onsite_at,
                finished=req.status != "open",
                now=self.as_of,
                minutes_between=self.between,
                deadline_after=self.after,
            )
            if any(v.state in (sla_mod.BREACHED, sla_mod.OVERDUE) for v in verdicts):
                self.stats.request_sla_breaches += 1
            if req.channel == "onsite" and req.status == "resolved" and req.completed_at:
                done = req.completed_at
                todo.append((req, "运维人员", req.handler, done + random_minutes(rng, 2, 10)))
                todo.append((req, "甲方确认", req.caller_name, done + random_minutes(rng, 10, 20)))
                if self.profile.review_required:
                    review = datetime.combine(self.cal.add_workdays(done.date(), 1), time(10))
                    todo.append((req, "复核人", self.pm.name, review + random_minutes(rng, 0, 180)))
        self._sign_rows(todo)

    def _requests(self, month: Month) -> None:
        rng = self.rng("requests", month.key)
        stamps = self._request_stamps(month, rng)
        if not stamps:
            return
        first_number = fault_svc.next_number(
            self.s, ServiceRequest, self.contract, request_svc.REQUEST_PREFIX, stamps[0]
        )
        stem, _, counter = first_number.rpartition("-")
        number = int(counter)
        systems = [s for s in self.systems if s.category not in ("中间件", "数据库")]
        systems = systems or self.systems  # callers name the application, not its middleware
        system_weights = [3.0 if i == 0 else 1.0 for i in range(len(systems))]
        escalated = 0
        requests: list[RequestRow] = []
        for received in stamps:
            req, to_fault = self._request(
                rng, received, f"{stem}-{number:04d}", systems, system_weights, escalated, month
            )
            number += 1
            if to_fault:
                escalated += 1
            requests.append(req)
        self.writer.add(requests)
        self._count_and_sign(requests, rng)

    def _request_outcome(
        self, req: RequestRow, outcome: str, resolution: str, rng: random.Random
    ) -> None:
        """Times and texts of a request's handling; steps after "now" stay undone."""
        received = req.received_at
        sla = self.profile.sla
        trail: list[str] = []
        completed: datetime | None
        if outcome == "phone":
            completed = received + random_minutes(rng, 3, 20)
            if completed <= self.as_of:
                req.solved_on_phone = True
        else:
            remote_at: datetime | None = None
            if outcome in ("remote", "unresolved") or rng.random() < 0.3:
                target = sla.remote_minutes or 60
                minutes = (
                    rng.uniform(0.1, 0.8) if rng.random() > 0.08 else rng.uniform(1.1, 2)
                ) * target
                remote_at = self.after(received, minutes).replace(microsecond=0)
                if remote_at <= self.as_of:
                    req.channel = "remote"
                    req.remote_at = remote_at
                    trail.append(f"[{remote_at:%m-%d %H:%M} 转远程支持] 电话无法解决，远程协助处理")
            completed = (remote_at or received) + random_minutes(rng, 15, 90)
            if outcome == "onsite":
                target = sla.onsite_minutes or 120
                breach = sla.onsite_minutes is not None and rng.random() < 0.08
                minutes = (rng.uniform(1.05, 1.6) if breach else rng.uniform(0.15, 0.85)) * target
                escalate_at = max(remote_at or received, received) + random_minutes(rng, 5, 30)
                onsite_at = max(
                    self.after(received, minutes).replace(microsecond=0),
                    escalate_at + timedelta(minutes=10),
                )
                if escalate_at <= self.as_of:
                    req.channel = "onsite"
                    trail.append(
                        f"[{escalate_at:%m-%d %H:%M} 转现场支持] 远程无法解决，安排工程师到场"
                    )
                if onsite_at <= self.as_of:
                    req.onsite_at = onsite_at
                completed = onsite_at + random_minutes(rng, 20, 120)
        if trail:
            req.resolution = "\n".join(trail)
        if (
            completed is None
            or completed > self.as_of
            or (req.channel == "onsite" and req.onsite_at is None)
        ):
            return  # still being handled "now"
        req.resolution = f"{req.resolution}\n{resolution}" if req.resolution else resolution
        req.completed_at = completed
        req.updated_at = completed
        if outcome == "unresolved":
            req.status = "unresolved"
            req.next_visit = datetime.combine(self.cal.add_workdays(completed.date(), 1), time(10))
        else:
            req.status = "resolved"
            req.follow_up = rng.random() < (0.4 if req.channel == "onsite" else 0.12)
