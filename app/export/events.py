"""What happened: faults and inspection findings as events, and the sentences made from them.

Every sentence a form prints about events — 「本月无应急响应事件」, a holiday
day's 事件及处置, 「期间故障/事件：无」, the 节假日保障 line of the 运维月报 — is
made here from the same lists the forms' tables show, never from a default:
a form says 「无」 only when the list it prints is empty. The demo generator
writes its engineers' summary texts with the same functions
(:mod:`app.demo.inspections`), so a demo record never contradicts the records
beside it.

**What is an emergency event (应急事件).** From the data model:

- a fault whose 应急事件类型 (``emergency_type``: 域名劫持, 网页篡改, 无法访问,
  服务器故障恢复) is set;
- an inspection finding — an item result marked 异常 in a completed run —
  whose note or action names one of those events (劫持, 篡改, 无法访问, 宕机)
  or says the emergency plan was started (「应急预案」): e.g. the daily
  monitoring check's 「疑似域名被劫持」 with 「立即启动应急预案」 is an emergency
  even when no fault was opened for it;
- a fault opened from such a finding, even without an ``emergency_type``.

A finding that opened a fault is told once, as that fault. Warnings (警告) and
other abnormal findings are events of their day (a holiday sheet's
事件及处置) but not emergencies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.export.data import ExportData, ResultRow, RunRow
from app.records import faults as faults_mod
from app.records import inspections as insp
from app.records.requests import CHANNELS
from app.schedule.periods import CADENCE_NAMES
from db.models import FaultRecord, HolidayPeriod

DONE = ("completed", "signed")

#: Words of a finding's note or action that name an emergency event (see the module docstring).
EMERGENCY_WORDS: dict[str, tuple[str, ...]] = {
    "domain_hijack": ("劫持",),
    "page_tamper": ("篡改",),
    "unreachable": ("无法访问",),
    "server_recovery": ("宕机",),
}
#: A finding whose action says this started the emergency procedure.
EMERGENCY_PLAN = "应急预案"


@dataclass(frozen=True)
class Finding:
    """A 警告/异常 item result of a completed run, with where it was found."""

    run: RunRow
    result: ResultRow
    checklist: str  # the checklist's name
    label: str  # "<system> / <item>" or the item


@dataclass(frozen=True)
class Event:
    """A fault, or a finding that opened none, as one line of a form."""

    at: datetime
    text: str
    emergency: bool
    kind: str  # 域名劫持 … for emergencies; else 故障 / 巡检发现
    fault_id: str | None = None
    result_id: str | None = None
    open: bool = False  # a fault not recovered yet, a finding without an action

    @property
    def day(self) -> date:
        return self.at.date()


def emergency_kind(note: str, action: str) -> str | None:
    """The emergency a finding's texts name: a code of ``EMERGENCY_TYPES``, ``"plan"``, or None."""
    text = f"{note} {action}"
    for code, words in EMERGENCY_WORDS.items():
        if any(w in text for w in words):
            return code
    return "plan" if EMERGENCY_PLAN in text else None


def finding_is_emergency(finding: Finding) -> bool:
    res = finding.result
    return res.status == insp.ABNORMAL and emergency_kind(res.note, res.action) is not None


def findings_of(data: ExportData, runs: list[RunRow]) -> list[Finding]:
    """The 警告/异常 results of the completed ones of ``runs``, in run and item order."""
    done = [r for r in runs if r.status in ("completed", "signed")]
    results = data.results(done)
    found = []
    for run in done:
        template = data.templates.get(run.template_id)
        for res in results[run.id]:
            if res.status not in (insp.ABNORMAL, insp.WARNING):
                continue
            item = data.items.get(res.item_id)
            title = item.title if item else ""
            system = data.system_name(res.system_id or run.system_id)
            label = f"{system} / {title}" if system else title
            found.append(Finding(run, res, template.name if template else "", label))
    return found


def _before(when: datetime | None, until: datetime | None) -> bool:
    return when is not None and (until is None or when <= until)


def _fault_state(fault: FaultRecord, until: datetime | None = None) -> str:
    if not _before(fault.recovered_at, until):
        return "处置中"
    return "已关闭" if _before(fault.closed_at, until) else "已恢复"


def fault_event(
    data: ExportData,
    fault: FaultRecord,
    emergency: bool | None = None,
    until: datetime | None = None,
) -> Event:
    """``GZ-… 标题（等级，网页篡改，已恢复）`` (its state as of ``until``, default: now)."""
    level = faults_mod.level_name(data.profile, fault.level)
    kind = faults_mod.EMERGENCY_TYPES.get(fault.emergency_type or "", "")
    parts = [level, kind, _fault_state(fault, until)]
    text = f"{fault.number} {fault.title}（{'，'.join(p for p in parts if p)}）"
    is_emergency = bool(fault.emergency_type) if emergency is None else emergency
    return Event(
        at=fault.reported_at,
        text=text,
        emergency=is_emergency,
        kind=kind or ("应急事件" if is_emergency else "故障"),
        fault_id=fault.id,
        open=not _before(fault.recovered_at, until),
    )


def finding_event(finding: Finding) -> Event:
    """``10-03 运行监测检查 网站 / DNS 解析：疑似域名被劫持；处理：立即启动应急预案…``."""
    res, run = finding.result, finding.run
    code = emergency_kind(res.note, res.action) if res.status == insp.ABNORMAL else None
    kind = faults_mod.EMERGENCY_TYPES.get(code or "", "应急事件" if code else "巡检发现")
    text = f"{run.scheduled_date:%m-%d} {finding.checklist} {finding.label}：{res.note or '异常'}"
    if res.action:
        text += f"；处理：{res.action}"
    at = run.completed_at or datetime.combine(run.scheduled_date, datetime.min.time())
    return Event(
        at=at,
        text=text,
        emergency=code is not None,
        kind=kind,
        result_id=res.id,
        open=not res.action,
    )


def events(
    data: ExportData,
    faults: list[FaultRecord],
    findings: list[Finding],
    *,
    emergencies_only: bool,
    until: datetime | None = None,
) -> list[Event]:
    """Faults and the findings that opened none, in time order (see the module docstring).

    ``until``: the faults' states as of then (a summary written at that time).
    """
    listed = {f.id for f in faults}
    emergency_faults = {
        x.result.fault_id for x in findings if x.result.fault_id and finding_is_emergency(x)
    }
    found = [
        fault_event(data, f, bool(f.emergency_type) or f.id in emergency_faults, until)
        for f in faults
    ]
    for finding in findings:
        if finding.result.fault_id in listed:
            continue  # told as its fault
        found.append(finding_event(finding))
    if emergencies_only:
        found = [e for e in found if e.emergency]
    found.sort(key=lambda e: (e.at, e.text))
    return found


def period_emergencies(
    data: ExportData, start: date, end: date, findings: list[Finding], until: datetime | None = None
) -> list[Event]:
    """The emergency events of ``start``..``end`` (reported / found by ``until``, if given).

    ``findings`` are the findings of the period's completed runs (what the
    statistics of the period hold).
    """
    faults = data.faults(start, end)
    if until is not None:
        faults = [f for f in faults if f.reported_at <= until]
        findings = [x for x in findings if x.run.completed_at and x.run.completed_at <= until]
    return events(data, faults, findings, emergencies_only=True, until=until)


def holiday_faults(data: ExportData, holiday: HolidayPeriod) -> list[FaultRecord]:
    """Faults of a holiday period: recorded for it, or reported on one of its days."""
    return [
        f
        for f in data.all_faults
        if f.holiday_period_id == holiday.id
        or holiday.start_date <= f.reported_at.date() <= holiday.end_date
    ]


def holiday_runs(data: ExportData, holiday: HolidayPeriod) -> list[RunRow]:
    """The holiday's own checks (节前, 每日, 节后), completed or not."""
    margin = timedelta(days=45)
    around = data.runs(holiday.start_date - margin, holiday.end_date + margin)
    return [r for r in around if r.holiday_period_id == holiday.id]


def holiday_events(
    data: ExportData,
    holiday: HolidayPeriod,
    day: date | None = None,
    until: datetime | None = None,
) -> list[Event]:
    """Every fault and finding of a holiday period (its sheet's 期间故障/事件), or of one ``day``.

    ``until``: what was known then (faults reported, checks completed, states).
    """
    runs = [r for r in holiday_runs(data, holiday) if r.cadence == "holiday_daily"]
    faults = holiday_faults(data, holiday)
    if day is not None:
        runs = [r for r in runs if r.scheduled_date == day]
        faults = [f for f in faults if f.reported_at.date() == day]
    found = findings_of(data, runs)
    if until is not None:
        faults = [f for f in faults if f.reported_at <= until]
        found = [x for x in found if x.run.completed_at and x.run.completed_at <= until]
    return events(data, faults, found, emergencies_only=False, until=until)


def holiday_summary(
    data: ExportData, holiday: HolidayPeriod, found: list[Event] | None = None
) -> str:
    """保障情况 of a holiday, from its sheet's own rows and events (never a default).

    ``found``: :func:`holiday_events` of the holiday (computed when not given).
    """
    found = holiday_events(data, holiday) if found is None else found
    lo = max(holiday.start_date, data.contract.start_date)
    hi = min(holiday.end_date, data.contract.end_date)
    planned = max(0, (hi - lo).days + 1)
    daily = [r for r in holiday_runs(data, holiday) if r.cadence == "holiday_daily"]
    done = len({r.scheduled_date for r in daily if r.status in DONE and lo <= r.scheduled_date})
    listed = {e.fault_id for e in found if e.fault_id}
    levels = Counter(
        faults_mod.level_name(data.profile, f.level)
        for f in holiday_faults(data, holiday)
        if f.id in listed
    )
    order = {lvl.name: n for n, lvl in enumerate(data.profile.sla.fault_levels)}
    level_text = "、".join(
        f"{name} {n} 起" for name, n in sorted(levels.items(), key=lambda kv: order.get(kv[0], 99))
    )
    text = (
        f"保障期 {planned} 天，节日期间每日检查完成 {min(done, planned)} 天；"
        f"期间故障/事件 {count_sentence(found)}"
    )
    if level_text:
        text += f"，故障按等级：{level_text}"
    if found:
        still_open = sum(1 for e in found if e.open)
        text += "；均已处置。" if not still_open else f"；尚有 {still_open} 起未处置完毕。"
    else:
        text += "。"
    return text


def _known(data: ExportData, start: date, until: datetime) -> tuple[list, list, list]:
    """The completed runs, faults and requests of ``start``..``until`` known at ``until``."""
    runs = [
        r
        for r in data.runs(start, until.date())
        if r.status in DONE and r.completed_at and r.completed_at <= until
    ]
    faults = [f for f in data.faults(start, until.date()) if f.reported_at <= until]
    requests = [r for r in data.requests(start, until.date()) if r.received_at <= until]
    return runs, faults, requests


def month_summary(data: ExportData, start: date, until: datetime) -> str:
    """本月运维情况 as known at ``until``: checks done, faults and requests and their state."""
    runs, faults, requests = _known(data, start, until)
    open_faults = sum(1 for f in faults if not _before(f.recovered_at, until))
    open_requests = sum(1 for r in requests if not _before(r.completed_at, until))
    found = findings_of(data, runs)
    fixed = sum(1 for x in found if x.result.action)
    fault_state = (
        f"（处置中 {open_faults} 起）" if open_faults else ("（均已恢复）" if faults else "")
    )
    request_state = f"（未完成 {open_requests} 次）" if open_requests else ""
    return (
        f"截至{until:%m-%d}，本月完成巡检 {len(runs)} 次，发现问题 {len(found)} 个"
        f"（已处理 {fixed} 个）；发生故障 {len(faults)} 起{fault_state}；"
        f"受理服务请求 {len(requests)} 次{request_state}。"
    )


def month_data_summary(data: ExportData, start: date, until: datetime) -> str:
    """运维数据分类汇总 known at ``until``: runs by cadence, faults by level, calls by channel."""
    runs, faults, requests = _known(data, start, until)
    by_cadence = Counter(CADENCE_NAMES.get(r.cadence, r.cadence) for r in runs)
    by_level = Counter(faults_mod.level_name(data.profile, f.level) for f in faults)
    by_channel = Counter(CHANNELS.get(r.channel, r.channel) for r in requests)

    def listing(counter: Counter[str]) -> str:
        return f"（{'、'.join(f'{k} {n}' for k, n in counter.most_common())}）" if counter else ""

    return (
        f"巡检 {len(runs)} 次{listing(by_cadence)}；故障 {len(faults)} 起{listing(by_level)}；"
        f"服务请求 {len(requests)} 次{listing(by_channel)}。"
    )


def events_sentence(found: list[Event], *, none: str = "无") -> str:
    """The events one after another (``；``), or ``none`` when there are none."""
    return "；".join(e.text for e in found) if found else none


def count_sentence(found: list[Event]) -> str:
    """``3 起（其中应急事件 2 起，处置中 1 起）`` / ``0 起``."""
    if not found:
        return "0 起"
    extra = []
    emergencies = sum(1 for e in found if e.emergency)
    still_open = sum(1 for e in found if e.open)
    if emergencies:
        extra.append(f"其中应急事件 {emergencies} 起")
    if still_open:
        extra.append(f"处置中 {still_open} 起")
    return f"{len(found)} 起" + (f"（{'，'.join(extra)}）" if extra else "")


def emergency_sentence(found: list[Event], period: str = "本月") -> str:
    """``本月应急响应事件 2 起：…。`` or ``本月无应急响应事件。`` (``period`` may be empty)."""
    if not found:
        return f"{period}无应急响应事件。"
    return f"{period}应急响应事件 {len(found)} 起：{events_sentence(found)}。"
