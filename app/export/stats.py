"""Statistics of a period, computed from the store (运维月报, summaries, archives).

One result per period and export: :func:`period_stats` is cached on the
:class:`~app.export.data.ExportData` of the export, so every form of a pack
(运维月报, 月巡检维护记录表, 日常巡检记录, 电话支持记录, 汇总表 …) prints the
numbers of the same :class:`PeriodStats`.

Definitions (also in ``shared/forms.md`` and the README):

- **Which period an inspection belongs to.** Due are the calendar-cadence
  checklists (daily on service days: every day for 7×24, working days for
  5×8; weekly … annual once per period, clipped to the contract), one per
  system for ``separate`` templates. Such an occurrence belongs to the period
  containing its run's 巡检日期 (``scheduled_date``, always a day of its own
  period) once the run is completed; until then to the period containing its
  deadline (the last service day of its period). A weekly check of ISO week
  W44 (2026-10-26 … 11-01) done on 10-28 is October's — in the 运维月报's
  counts, its 备份与安全 section and the 巡检记录单 alike; not done, it is
  November's (deadline 11-01), missing. Each occurrence belongs to exactly
  one period, so months add up to their quarter.
- **巡检完成率** = occurrences done on time / occurrences of the period. On
  time = completed (or signed) by the deadline; completed later = 逾期完成.
  Holiday checks are reported in their own section.
- **故障响应及时率** = faults whose response met the SLA / faults with a
  response verdict (met or breached); **故障解决率** likewise for recovery.
  Faults are counted in the period they were reported in.
- **SLA 达成率** = SLA steps met / SLA steps judged (met, breached or already
  overdue) over the faults and service requests of the period.
- **可用率**, per system = 1 − outage minutes / committed service minutes.
  Committed = the service minutes of the period (7×24: every minute; 5×8: the
  service hours of working days), clipped to the contract and to the export
  time. Outage = the service minutes in which the system was unavailable by
  the faults' records (是否中断服务, affected systems, 中断开始 → 中断结束; still
  down: to the period's end), overlapping outages of one system counted once;
  a fault without an outage does not count. A fault that does not say
  (recorded before these fields existed, or left empty) counts as an outage
  of its own system — every system when it names none — from its report to
  its recovery (:func:`app.records.faults.outage_of`). The overall 可用率 is
  1 − all outage minutes / all committed minutes (the mean of the systems).
- **电话一次解决率** = requests solved on the phone / requests.
- **报告按时交付率** = deliverable occurrences due in the period that were
  handed in (登记提交) by their due date / those due in the period whose due
  date has passed or that were handed in, as of the export day.
- **启用日期** (``period.records_from``, a contract taken up in the app mid-way):
  an inspection or a deliverable due before it counts only if it was recorded
  here (done, handed in) — what the app does not hold of those days is not
  counted as missed; faults and requests count as always. 可用率 counts from it:
  no outage before it is known.

**Precision.** Rates are fractions rounded half up to one decimal of a percent
(0.1 %), 可用率 to two (0.01 %) — the value stored in the context, printed by
Word (``pct``, ``pct(2)``) and stored in Excel cells (``0.0%``, ``0.00%``) is
the same number. A rate that is not 100 % is never shown as 100 % (99.96 % →
99.9 %) and one that is not 0 never as 0 %.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from app.export import events as ev
from app.export.data import ExportData, RunRow
from app.records import faults as faults_mod
from app.records.requests import CHANNELS
from app.schedule import periods
from app.schedule import sla as sla_mod
from app.schedule.workcal import window_label
from db.models import ChecklistTemplate, FaultRecord, ServiceRequest, System

CALENDAR = ("daily", "weekly", "monthly", "quarterly", "half_year", "annual")
DONE = ("completed", "signed")
JUDGED = (sla_mod.MET, sla_mod.BREACHED, sla_mod.OVERDUE)
#: Decimals of a percentage: rates, and 可用率.
RATE_DIGITS = 1
AVAILABILITY_DIGITS = 2


def rounded(numerator: float, denominator: float, digits: int = RATE_DIGITS) -> float | None:
    """``numerator / denominator`` rounded half up to ``digits`` decimals of a percent.

    Never 1.0 unless the two are equal, never 0.0 unless the numerator is 0
    (see the module docstring); ``None`` without a denominator.
    """
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        exact = Decimal(numerator) / Decimal(denominator)
        unit = Decimal(1).scaleb(-(digits + 2))
        value = exact.quantize(unit, rounding=ROUND_HALF_UP)
        if value >= 1 and exact < 1:
            value = 1 - unit
        elif value <= 0 < exact:
            value = unit
    return float(value)


def rate(numerator: int, denominator: int) -> float | None:
    """A rate of the forms (``None`` without a denominator), at the rate precision."""
    return rounded(numerator, denominator, RATE_DIGITS)


@dataclass(frozen=True)
class Occurrence:
    template: ChecklistTemplate
    system: System | None
    period_key: str
    period_start: date
    deadline: date
    period_end: date | None = None  # clipped to the contract; the deadline's period


@dataclass
class InspectionTally:
    template: ChecklistTemplate
    system: System | None
    planned: int = 0
    done: int = 0
    late: int = 0
    findings: int = 0
    #: not done yet and not due yet when the statistics were made (a form made before its
    #: period ends, as deliverables due 「当月最后一个工作日前」 are): not missed
    pending: int = 0


@dataclass
class SystemAvailability:
    """可用率 of one system in a period (minutes of service time)."""

    code: str
    name: str
    committed: float = 0.0
    outage: float = 0.0
    faults: list[str] = field(default_factory=list)  # numbers of the faults that counted
    unrecorded: list[str] = field(default_factory=list)  # of them: outage not recorded

    @property
    def availability(self) -> float | None:
        return rounded(self.committed - self.outage, self.committed, AVAILABILITY_DIGITS)


@dataclass
class PeriodStats:
    start: date
    end: date
    planned: int = 0
    done: int = 0
    late: int = 0
    #: of ``planned``: not done and not due yet when the statistics were made
    pending: int = 0
    tallies: list[InspectionTally] = field(default_factory=list)
    findings: list[ev.Finding] = field(default_factory=list)
    findings_fixed: int = 0
    with_findings: bool = True
    emergencies: list[ev.Event] = field(default_factory=list)
    faults: list[FaultRecord] = field(default_factory=list)
    fault_verdicts: dict[str, list[sla_mod.StepVerdict]] = field(default_factory=dict)
    requests: list[ServiceRequest] = field(default_factory=list)
    request_verdicts: dict[str, list[sla_mod.StepVerdict]] = field(default_factory=dict)
    response: tuple[int, int] = (0, 0)
    recovery: tuple[int, int] = (0, 0)
    sla: tuple[int, int] = (0, 0)
    request_response: tuple[int, int] = (0, 0)
    onsite: tuple[int, int] = (0, 0)
    deliveries: tuple[int, int] = (0, 0)
    systems: list[SystemAvailability] = field(default_factory=list)
    solved_on_phone: int = 0
    #: the 启用日期, when it falls after ``start``: what was due before it counts only if
    #: it was recorded (a check done, a deliverable handed in); records count all the same
    counted_from: date | None = None

    @property
    def before_start(self) -> bool:
        """The whole period lies before the contract's 启用日期 (:attr:`counted_from`)."""
        return self.counted_from is not None and self.counted_from > self.end

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

    @property
    def delivery_rate(self) -> float | None:
        return rate(*self.deliveries)

    @property
    def committed(self) -> float:
        return sum(s.committed for s in self.systems)

    @property
    def outage(self) -> float:
        return sum(s.outage for s in self.systems)

    @property
    def availability(self) -> float | None:
        return rounded(self.committed - self.outage, self.committed, AVAILABILITY_DIGITS)

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


def _service_days(data: ExportData, start: date, end: date) -> list[date]:
    window = data.contract.service_window
    days = []
    d = start
    while d <= end:
        if data.calendar.is_service_day(d, window):
            days.append(d)
        d += timedelta(days=1)
    return days


def _candidates(data: ExportData, lo: date, hi: date) -> list[Occurrence]:
    """Every calendar-cadence occurrence whose period (clipped to the contract) meets lo..hi."""
    contract = data.contract
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
            slots = [(d.isoformat(), d, d, d) for d in days]
        else:
            slots = []
            cursor = periods.bounds(template.cadence, lo)[0]
            while cursor <= hi:
                ps, pe = periods.bounds(template.cadence, cursor)
                cs, ce = max(ps, contract.start_date), min(pe, contract.end_date)
                if cs <= ce:
                    deadline = data.calendar.last_service_day(cs, ce, window) or ce
                    slots.append((periods.key(template.cadence, cs), cs, deadline, ce))
                cursor = pe + timedelta(days=1)
        for key, period_start, deadline, period_end in slots:
            for system in systems:
                found.append(Occurrence(template, system, key, period_start, deadline, period_end))
    return found


def _slot(run: RunRow) -> tuple[str, str | None, str]:
    return (run.template_id, run.system_id, run.period_key)


def _completed(run: RunRow | None) -> bool:
    return run is not None and run.status in DONE and run.completed_at is not None


def belongs_to(occurrence: Occurrence, run: RunRow | None) -> date:
    """The day that places an occurrence in a period (the period rule of the module docstring)."""
    if run is not None and _completed(run):
        end = occurrence.period_end or occurrence.deadline
        return min(max(run.scheduled_date, occurrence.period_start), end)
    return occurrence.deadline


def assigned(data: ExportData, start: date, end: date) -> list[tuple[Occurrence, RunRow | None]]:
    """The occurrences that belong to ``start``..``end``, each with its run (if any)."""
    lo, hi = max(start, data.contract.start_date), min(end, data.contract.end_date)
    if lo > hi:
        return []
    candidates = _candidates(data, lo, hi)
    if not candidates:
        return []
    first = min(o.period_start for o in candidates)
    last = max(o.period_end or o.deadline for o in candidates)
    by_slot = {_slot(r): r for r in data.runs(min(first, lo), max(last, hi))}
    begins = data.records_start
    found = []
    for o in candidates:
        run = by_slot.get((o.template.id, o.system.id if o.system else None, o.period_key))
        day = belongs_to(o, run)
        if day < begins and not _completed(run):
            continue  # due before the 启用日期 and not recorded here: not missed, not counted
        if lo <= day <= hi:
            found.append((o, run))
    return found


def occurrences(data: ExportData, start: date, end: date) -> list[Occurrence]:
    """The calendar-cadence occurrences belonging to ``start``..``end`` (the period rule)."""
    return [o for o, _run in assigned(data, start, end)]


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
    pairs: list[tuple[Occurrence, RunRow | None]], today: date
) -> dict[tuple[str, str | None], InspectionTally]:
    """Per checklist (and system): occurrences planned, done by their deadline, done late,
    and still to do by a deadline not passed ``today``."""
    tallies: dict[tuple[str, str | None], InspectionTally] = {}
    for o, run in pairs:
        sys_id = o.system.id if o.system else None
        tally = tallies.setdefault((o.template.id, sys_id), InspectionTally(o.template, o.system))
        tally.planned += 1
        if run is not None and _completed(run):
            assert run.completed_at is not None
            if run.completed_at.date() <= o.deadline:
                tally.done += 1
            else:
                tally.late += 1
        elif o.deadline >= today:
            tally.pending += 1
    return tallies


def _add_findings(data: ExportData, stats: PeriodStats, runs: list[RunRow]) -> None:
    """The 警告/异常 results of the completed ``runs`` into ``stats.findings``.

    A finding counts as fixed when it has an action, or its fault has
    recovered.
    """
    stats.findings = ev.findings_of(data, runs)
    for finding in stats.findings:
        res = finding.result
        fault = data.fault(res.fault_id) if res.fault_id else None
        if res.action or (fault is not None and fault.recovered_at is not None):
            stats.findings_fixed += 1


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


def deliveries(data: ExportData, start: date, end: date, now: datetime) -> tuple[int, int]:
    """报告按时交付率's (handed in on time, judged) of ``start``..``end`` (module docstring)."""
    today = now.date()
    on_time = judged = 0
    for d in data.deadlines(today):
        if not start <= d.due_date <= end:
            continue
        handed = d.submitted is not None and d.submitted.state == "submitted"
        if not handed and d.due_date >= today:
            continue  # not due yet
        if not handed and d.due_date < data.records_start:
            continue  # due before the 启用日期: handed in outside the app, if at all
        judged += 1
        if handed and d.submitted is not None and d.submitted.on_time:
            on_time += 1
    return on_time, judged


def period_stats(
    data: ExportData, start: date, end: date, now: datetime, *, findings: bool = True
) -> PeriodStats:
    """Every statistic of ``start``..``end`` (judged at ``now`` for open records).

    Cached on ``data``: every form of an export gets the same result for the
    same period. ``findings=False`` may leave out what needs the item results
    of every run of the period — ``findings``, ``findings_fixed``,
    ``emergencies`` and the tallies' ``findings`` stay empty — for callers that
    only want rates and counts (a trend line, the figures of a whole range);
    a result with findings serves both.
    """
    key = ("period_stats", start, end, now)
    cached = data.stats_cache.get(key)
    if cached is not None and (cached.with_findings or not findings):
        return cached  # type: ignore[no-any-return]
    stats = _compute(data, start, end, now, findings)
    if cached is not None:
        # completed with the findings in place: a form that took it earlier holds the same object
        vars(cached).update(vars(stats))
        return cached  # type: ignore[no-any-return]
    data.stats_cache[key] = stats
    return stats


def _compute(
    data: ExportData, start: date, end: date, now: datetime, findings: bool
) -> PeriodStats:
    stats = PeriodStats(start, end, with_findings=findings)
    if start < data.records_start:
        stats.counted_from = data.records_start  # what is due before it counts only if recorded
    pairs = assigned(data, start, end)
    tallies = _tally_runs(pairs, now.date())
    if findings:
        _add_findings(data, stats, data.runs(start, end))
        per_template = Counter((x.run.template_id, x.run.system_id) for x in stats.findings)
        for key, tally in tallies.items():
            tally.findings = per_template.get(key, 0)
    stats.tallies = sorted(
        tallies.values(),
        key=lambda t: (t.template.seq, t.system.seq if t.system else -1),
    )
    stats.planned = sum(t.planned for t in stats.tallies)
    stats.done = sum(t.done for t in stats.tallies)
    stats.late = sum(t.late for t in stats.tallies)
    stats.pending = sum(t.pending for t in stats.tallies)

    stats.faults = data.faults(start, end)
    stats.requests = data.requests(start, end)
    if findings:
        stats.emergencies = ev.period_emergencies(data, start, end, stats.findings)
    _judge_sla(data, stats, now)
    stats.solved_on_phone = sum(1 for r in stats.requests if r.solved_on_phone)
    stats.deliveries = deliveries(data, start, end, now)
    stats.systems = system_availability(data, start, end, now)
    return stats


# --------------------------------------------------------------------------- 可用率


def _merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def system_availability(
    data: ExportData, start: date, end: date, now: datetime
) -> list[SystemAvailability]:
    """可用率 per active system of ``start``..``end`` (definition in the module docstring)."""
    lo_day, hi_day = max(start, data.records_start), min(end, data.contract.end_date)
    systems = [s for s in data.systems.values() if s.active]
    rows = {s.code: SystemAvailability(s.code, s.name) for s in systems}
    if lo_day > hi_day or not systems:
        return list(rows.values())
    lo = datetime.combine(lo_day, datetime.min.time())
    hi = min(datetime.combine(hi_day + timedelta(days=1), datetime.min.time()), max(now, lo))
    between, _after = clock(data)
    committed = between(lo, hi)
    intervals: dict[str, list[tuple[datetime, datetime]]] = {code: [] for code in rows}
    for fault in data.all_faults:
        own = data.systems.get(fault.system_id or "")
        outage = faults_mod.outage_of(fault, own.code if own else None)
        if outage is None:
            continue
        a, b = max(outage.start, lo), min(outage.end or hi, hi)
        if b <= a:
            continue
        for code in outage.systems or tuple(rows):
            if code not in rows:
                continue  # a system no longer served
            intervals[code].append((a, b))
            row = rows[code]
            if fault.number not in row.faults:
                row.faults.append(fault.number)
                if not outage.recorded:
                    row.unrecorded.append(fault.number)
    for code, row in rows.items():
        row.committed = committed
        row.outage = min(committed, sum(between(a, b) for a, b in _merged(intervals[code])))
    return list(rows.values())


def availability(data: ExportData, start: date, end: date, now: datetime) -> float | None:
    """The overall 可用率 of ``start``..``end``."""
    return period_stats(data, start, end, now, findings=False).availability


def availability_definition(data: ExportData) -> str:
    """The definition printed under the 可用率 table (Word and Excel)."""
    k = data.contract
    window = window_label(k.service_window)
    if k.service_window == "5x8":
        hours = data.profile.service_hours
        service = f"{window}：法定工作日（含调休上班日）{hours.start}-{hours.end}"
    else:
        service = f"{window}：每天全天"
    return (
        "可用率 = 1 − 中断时长 ÷ 承诺服务时长，按系统计算。承诺服务时长为本期服务时间"
        f"（{service}）内的分钟数，计至导出时；中断时长为故障单记录的中断服务时段"
        "（所涉系统、中断开始至中断结束，未恢复的计至期末）落在服务时间内的分钟数，"
        "同一系统重叠的时段只计一次；未中断服务的故障不计入。"
        "未记录是否中断服务的故障（如早于该字段的记录）按报告至恢复时间计为其所属系统中断"
        "（未指定系统的计为全部系统）。"
        "合计可用率 = 1 − 各系统中断时长之和 ÷ 各系统承诺服务时长之和。"
        "百分比保留两位小数。"
    )


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
