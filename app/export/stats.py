"""Statistics of a period, computed from the store (运维月报, summaries, archives).

Definitions (also in ``shared/forms.md``):

- **巡检完成率** = inspections done on time / inspections due. Due are the
  calendar-cadence checklists (daily on service days: every day for 7×24,
  working days for 5×8; weekly … annual by the last service day of the period
  clipped to the contract), one per system for ``separate`` templates, whose
  deadline falls in the period. On time = completed (or signed) by the
  deadline. Holiday checks are reported in their own section.
- **故障响应及时率** = faults whose response met the SLA / faults with a
  response verdict (met or breached); **故障解决率** likewise for recovery.
  Faults are counted in the period they were reported in.
- **SLA 达成率** = SLA steps met / SLA steps judged (met, breached or already
  overdue) over the faults and service requests of the period.
- **可用率** = 1 − outage / committed service time. Outage = service minutes
  from the report to the recovery of each fault (to the period end while not
  recovered), clipped to the period; committed = the period's service minutes
  (7×24: all, 5×8: service hours of working days) × the number of systems.
- **电话一次解决率** = requests solved on the phone / requests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.export.data import ExportData, RunRow
from app.records.inspections import ABNORMAL, WARNING
from app.records.requests import CHANNELS
from app.schedule import periods
from app.schedule import sla as sla_mod
from db.models import ChecklistTemplate, FaultRecord, ServiceRequest, System

CALENDAR = ("daily", "weekly", "monthly", "quarterly", "half_year", "annual")
DONE = ("completed", "signed")
JUDGED = (sla_mod.MET, sla_mod.BREACHED, sla_mod.OVERDUE)


@dataclass(frozen=True)
class Occurrence:
    template: ChecklistTemplate
    system: System | None
    period_key: str
    period_start: date
    deadline: date


@dataclass
class InspectionTally:
    template: ChecklistTemplate
    system: System | None
    planned: int = 0
    done: int = 0
    late: int = 0
    findings: int = 0


@dataclass
class PeriodStats:
    start: date
    end: date
    planned: int = 0
    done: int = 0
    late: int = 0
    tallies: list[InspectionTally] = field(default_factory=list)
    findings: list[tuple[RunRow, str, str, str, str]] = field(default_factory=list)
    findings_fixed: int = 0
    faults: list[FaultRecord] = field(default_factory=list)
    fault_verdicts: dict[str, list[sla_mod.StepVerdict]] = field(default_factory=dict)
    requests: list[ServiceRequest] = field(default_factory=list)
    request_verdicts: dict[str, list[sla_mod.StepVerdict]] = field(default_factory=dict)
    response: tuple[int, int] = (0, 0)
    recovery: tuple[int, int] = (0, 0)
    sla: tuple[int, int] = (0, 0)
    request_response: tuple[int, int] = (0, 0)
    onsite: tuple[int, int] = (0, 0)
    availability: float | None = None
    solved_on_phone: int = 0

    @property
    def inspection_rate(self) -> float | None:
        return rate(self.done, self.planned)

    @property
    def response_rate(self) -> float | None:
        return rate(*self.response)

    @property
    def resolution_rate(self) -> float | None:
        return rate(*self.recovery)

    @property
    def sla_rate(self) -> float | None:
        return rate(*self.sla)

    @property
    def first_call_rate(self) -> float | None:
        return rate(self.solved_on_phone, len(self.requests))

    def count_by(self, what: str) -> list[tuple[str, int]]:
        """Requests by ``unit``, ``system``, ``category`` or ``channel``, most first."""
        counter: Counter[str] = Counter()
        for r in self.requests:
            if what == "unit":
                counter[r.caller_unit or "（未填）"] += 1
            elif what == "system":
                counter[r.system.name if r.system else "（未指定）"] += 1
            elif what == "category":
                counter[r.category or "（未分类）"] += 1
            else:
                counter[CHANNELS.get(r.channel, r.channel)] += 1
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _service_days(data: ExportData, start: date, end: date) -> list[date]:
    window = data.contract.service_window
    days = []
    d = start
    while d <= end:
        if data.calendar.is_service_day(d, window):
            days.append(d)
        d += timedelta(days=1)
    return days


def occurrences(data: ExportData, start: date, end: date) -> list[Occurrence]:
    """Calendar-cadence checklists due in ``start``..``end`` (see the module docstring)."""
    contract = data.contract
    lo, hi = max(start, contract.start_date), min(end, contract.end_date)
    if lo > hi:
        return []
    window = contract.service_window
    active_systems = [s for s in data.systems.values() if s.active]
    found: list[Occurrence] = []
    days = _service_days(data, lo, hi)
    for template in data.templates.values():
        if not template.active or template.cadence not in CALENDAR:
            continue
        if template.systems_mode == "separate":
            wanted = template.system_codes
            systems: list[System | None] = [
                s for s in active_systems if wanted is None or s.code in wanted
            ]
        else:
            systems = [None]
        if template.cadence == "daily":
            slots = [(d.isoformat(), d, d) for d in days]
        else:
            slots = []
            # a deadline lies inside its period, so periods overlapping lo..hi suffice
            cursor = periods.bounds(template.cadence, lo)[0]
            while cursor <= hi:
                ps, pe = periods.bounds(template.cadence, cursor)
                cs, ce = max(ps, contract.start_date), min(pe, contract.end_date)
                if cs <= ce:
                    deadline = data.calendar.last_service_day(cs, ce, window) or ce
                    if lo <= deadline <= hi:
                        slots.append((periods.key(template.cadence, cs), cs, deadline))
                cursor = pe + timedelta(days=1)
        for key, period_start, deadline in slots:
            for system in systems:
                found.append(Occurrence(template, system, key, period_start, deadline))
    return found


def _verdict_counts(verdicts: list[sla_mod.StepVerdict], step: str) -> tuple[int, int]:
    met = sum(1 for v in verdicts if v.step == step and v.state == sla_mod.MET)
    judged = sum(1 for v in verdicts if v.step == step and v.state in JUDGED)
    return met, judged


def clock(data: ExportData) -> tuple[sla_mod.MinutesBetween, sla_mod.DeadlineAfter]:
    profile = data.profile
    return sla_mod.clock(data.calendar, profile.service_window, profile.service_hours)


def fault_verdicts(
    data: ExportData, fault: FaultRecord, now: datetime
) -> list[sla_mod.StepVerdict]:
    between, after = clock(data)
    return sla_mod.fault_verdicts(
        data.profile.sla,
        level=fault.level,
        reported_at=fault.reported_at,
        responded_at=fault.responded_at,
        onsite_at=fault.onsite_at,
        recovered_at=fault.recovered_at,
        closed_at=fault.closed_at,
        now=now,
        minutes_between=between,
        deadline_after=after,
    )


def request_verdicts(
    data: ExportData, req: ServiceRequest, now: datetime
) -> list[sla_mod.StepVerdict]:
    between, after = clock(data)
    return sla_mod.request_verdicts(
        data.profile.sla,
        channel=req.channel,
        received_at=req.received_at,
        responded_at=req.responded_at,
        remote_at=req.remote_at,
        onsite_at=req.onsite_at,
        finished=req.status != "open",
        now=now,
        minutes_between=between,
        deadline_after=after,
    )


def _tally_runs(
    occ: list[Occurrence], runs: list[RunRow]
) -> dict[tuple[str, str | None], InspectionTally]:
    """Per checklist (and system): occurrences planned, done by their deadline, done late."""
    by_slot: dict[tuple[str, str | None, str], RunRow] = {}
    for run in runs:
        by_slot[(run.template_id, run.system_id, run.period_key)] = run
    tallies: dict[tuple[str, str | None], InspectionTally] = {}
    for o in occ:
        sys_id = o.system.id if o.system else None
        tally = tallies.setdefault((o.template.id, sys_id), InspectionTally(o.template, o.system))
        tally.planned += 1
        run = by_slot.get((o.template.id, sys_id, o.period_key))
        if run is not None and run.status in DONE and run.completed_at is not None:
            if run.completed_at.date() <= o.deadline:
                tally.done += 1
            else:
                tally.late += 1
    return tallies


def _add_findings(
    data: ExportData, stats: PeriodStats, runs: list[RunRow]
) -> Counter[tuple[str, str | None]]:
    """Add the abnormal and warning results of ``runs`` to ``stats.findings``.

    A finding counts as fixed when it has an action, or its fault has
    recovered. Returns the number of findings per checklist (and system).
    """
    results = data.results(runs)
    per_template: Counter[tuple[str, str | None]] = Counter()
    for run in runs:
        for res in results[run.id]:
            if res.status not in (ABNORMAL, WARNING):
                continue
            item = data.items.get(res.item_id)
            title = item.title if item else ""
            system = data.system_name(res.system_id or run.system_id)
            label = f"{system} / {title}" if system else title
            template = data.templates.get(run.template_id)
            stats.findings.append(
                (run, template.name if template else "", label, res.note, res.action)
            )
            fault = data.fault(res.fault_id) if res.fault_id else None
            if res.action or (fault is not None and fault.recovered_at is not None):
                stats.findings_fixed += 1
            per_template[(run.template_id, run.system_id)] += 1
    return per_template


def _judge_sla(data: ExportData, stats: PeriodStats, now: datetime) -> None:
    """The SLA verdicts of ``stats.faults`` and ``stats.requests``, and their counts."""
    all_steps: list[sla_mod.StepVerdict] = []
    for fault in stats.faults:
        verdicts = fault_verdicts(data, fault, now)
        stats.fault_verdicts[fault.id] = verdicts
        all_steps += verdicts
    fv = [v for vs in stats.fault_verdicts.values() for v in vs]
    stats.response = _verdict_counts(fv, "response")
    stats.recovery = _verdict_counts(fv, "recovery")
    for req in stats.requests:
        verdicts = request_verdicts(data, req, now)
        stats.request_verdicts[req.id] = verdicts
        all_steps += verdicts
    rv = [v for vs in stats.request_verdicts.values() for v in vs]
    stats.request_response = _verdict_counts(rv, "response")
    stats.onsite = _verdict_counts(rv + fv, "onsite")
    stats.sla = (
        sum(1 for v in all_steps if v.state == sla_mod.MET),
        sum(1 for v in all_steps if v.state in JUDGED),
    )


def period_stats(
    data: ExportData, start: date, end: date, now: datetime, *, findings: bool = True
) -> PeriodStats:
    """Every statistic of ``start``..``end`` (judged at ``now`` for open records).

    ``findings=False`` leaves out what needs the item results of every run of
    the period — ``findings``, ``findings_fixed`` and the tallies' ``findings``
    stay empty — for callers that only want rates and counts (a trend line,
    the figures of a whole range).
    """
    stats = PeriodStats(start, end)
    occ = occurrences(data, start, end)
    earliest = min((o.period_start for o in occ), default=start)
    runs = data.runs(min(earliest, start), end)
    tallies = _tally_runs(occ, runs)
    # findings of the runs held in the period
    in_period = [r for r in runs if start <= r.scheduled_date <= end] if findings else []
    per_template = _add_findings(data, stats, in_period)
    for key, tally in tallies.items():
        tally.findings = per_template.get(key, 0)
    stats.tallies = sorted(
        tallies.values(),
        key=lambda t: (t.template.seq, t.system.seq if t.system else -1),
    )
    stats.planned = sum(t.planned for t in stats.tallies)
    stats.done = sum(t.done for t in stats.tallies)
    stats.late = sum(t.late for t in stats.tallies)

    stats.faults = data.faults(start, end)
    stats.requests = data.requests(start, end)
    _judge_sla(data, stats, now)
    stats.solved_on_phone = sum(1 for r in stats.requests if r.solved_on_phone)
    stats.availability = availability(data, start, end, now)
    return stats


def availability(data: ExportData, start: date, end: date, now: datetime) -> float | None:
    contract = data.contract
    lo_day, hi_day = max(start, contract.start_date), min(end, contract.end_date)
    if lo_day > hi_day:
        return None
    lo = datetime.combine(lo_day, datetime.min.time())
    hi = min(datetime.combine(hi_day + timedelta(days=1), datetime.min.time()), max(now, lo))
    between, _after = clock(data)
    systems = max(1, sum(1 for s in data.systems.values() if s.active))
    committed = between(lo, hi) * systems
    if committed <= 0:
        return None
    outage = 0.0
    for fault in data.all_faults:
        until = fault.recovered_at or hi
        a, b = max(fault.reported_at, lo), min(until, hi)
        if b > a:
            outage += between(a, b)
    return max(0.0, 1 - outage / committed)


def month_starts(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar months overlapping ``start``..``end``, clipped to it."""
    months = []
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        ms = max(date(y, m, 1), start)
        me = min(periods.month_end(y, m), end)
        months.append((ms, me))
        y, m = periods.add_months(y, m, 1)
    return months


def month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"
