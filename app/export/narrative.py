"""Narrative sections of reports: drafted from the data, editable, saved per occurrence.

A report's prose sections — the 运维月报's 存在问题及建议 and 下月工作计划, a
summary's 分析 / 建议 / 下年度计划, a summary report's 存在问题 / 后续计划, the
written chapters of a plan document — are **drafted** here from the same
:class:`~app.export.stats.PeriodStats` the report's tables print (one result
per pack, cached on the :class:`ExportData`), so a sentence never says
anything the tables beside it contradict:

- 存在问题及建议: findings not yet fixed (by the 已整改 rule of the tables: an
  action recorded, or the linked fault recovered), overdue 整改 (a run's
  整改要求 whose 整改期限 passed by the period's end while findings of that run
  are still open), systems with more than one fault in the period, SLA steps
  that were missed (record number, step, required and actual time), checks
  not done on time, requests still open, faults not recovered;
- 下月工作计划: next month's calendar checks (per checklist, counted by the
  same period rule as the report's 巡检完成率), deliverables due in it (from
  :mod:`app.schedule.deadlines`), holidays meeting it, 整改 due in it, open
  findings and faults to follow up, the contract's end;
- a plan document's chapters that no record can fill have an empty draft.

The user edits a draft before exporting (the export dialog, or
``omw export month --narrative FILE``); the text is stored in
``report_narrative`` per contract, deliverable code, period key and section
(:func:`save`), so an encrypted store keeps it encrypted and every later export
of that occurrence — window or command line — prints it. A section never
edited is drafted afresh at each export; :func:`reset` goes back to the draft.
An edited section that was cleared is empty: the deliverable is 「待补充」
(:mod:`app.export.completeness`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.export import events as ev
from app.export import stats as st
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.schedule import periods
from app.schedule.holidays import phases
from app.storage.text_rules import clean_text
from db.models import Contract, ReportNarrative, now

#: How many items a sentence names before it says 「等 N 个」.
NAMED = 5
#: Service request states that still need work.
OPEN_REQUESTS = ("open", "unresolved")
#: Longest text of one section (characters).
MAX_TEXT = 20_000


@dataclass(frozen=True)
class SectionDef:
    key: str  # the context field (or, for documents, the key of ``texts``)
    title: str


MONTHLY = (SectionDef("problems", "存在问题及建议"), SectionDef("next_plan", "下月工作计划"))
SUMMARY = (SectionDef("analysis", "分析"), SectionDef("suggestions", "建议"))
YEAR_END = SectionDef("next_year_plan", "下年度运维计划及建议")
REPORT = (SectionDef("problems", "存在问题及改进建议"), SectionDef("plan", "后续工作计划"))

#: The written chapters of the plan documents: what no record can fill (drafts are empty).
PLAN_CHAPTERS: dict[str, tuple[SectionDef, ...]] = {
    "emergency_plan": (
        SectionDef("general", "总则（目的、适用范围、工作原则）"),
        SectionDef("reporting", "报告流程"),
        SectionDef("recovery", "恢复与验证"),
        SectionDef("drills", "应急演练"),
    ),
    "holiday_plan": (
        SectionDef("goals", "保障目标"),
        SectionDef("preparation", "节前准备（健康检查、容量评估、预案演练）"),
        SectionDef("daily", "节日期间每日检查"),
        SectionDef("review", "节后评估与方案修订"),
    ),
    "work_manual": (
        SectionDef("faults", "故障处理流程"),
        SectionDef("requests", "服务请求处理流程（电话 → 远程 → 现场）"),
        SectionDef("backup", "备份与恢复"),
        SectionDef("documents", "文档与交付"),
    ),
}


#: A section's title by its key (for messages).
_TITLES = {
    d.key: d.title
    for d in (
        *REPORT,
        *MONTHLY,
        *SUMMARY,
        YEAR_END,
        *(d for ds in PLAN_CHAPTERS.values() for d in ds),
    )
}


def sections(kind: str, *, year_end: bool = False) -> tuple[SectionDef, ...]:
    """The narrative sections of a form kind (none for forms made only of records)."""
    if kind == "monthly_report":
        return MONTHLY
    if kind == "quarterly_summary":
        return SUMMARY
    if kind == "annual_summary":
        return (*SUMMARY, YEAR_END) if year_end else SUMMARY
    if kind == "summary_report":
        return REPORT
    return PLAN_CHAPTERS.get(kind, ())


def is_year_end(data: ExportData, kind: str, end: date) -> bool:
    """An annual summary at the contract's or the calendar year's end (has 下年度计划)."""
    return kind == "annual_summary" and (
        end >= data.contract.end_date or (end.month == 12 and end.day == 31)
    )


# --------------------------------------------------------------------------- stored text


@dataclass(frozen=True)
class Saved:
    text: str
    updated_by: str
    updated_at: datetime


def saved(data: ExportData) -> dict[tuple[str, str, str], Saved]:
    """The contract's edited sections by (deliverable code, period key, section), cached."""
    cache = data.stats_cache.get("narratives")
    if cache is None:
        rows = data.session.scalars(
            select(ReportNarrative).where(ReportNarrative.contract_id == data.contract.id)
        )
        cache = {
            (r.deliverable_code, r.period_key, r.section): Saved(r.text, r.updated_by, r.updated_at)
            for r in rows
        }
        data.stats_cache["narratives"] = cache
    return cache  # type: ignore[no-any-return]


def _row(
    session: Session, contract: Contract, code: str, period_key: str, section: str
) -> ReportNarrative | None:
    return session.scalars(
        select(ReportNarrative).where(
            ReportNarrative.contract_id == contract.id,
            ReportNarrative.deliverable_code == code,
            ReportNarrative.period_key == period_key,
            ReportNarrative.section == section,
        )
    ).one_or_none()


def clean(text: str, title: str) -> str:
    """A section's text as stored: checked like every typed text, line ends unified."""
    value = clean_text(text.replace("\r\n", "\n").replace("\r", "\n"), title).strip()
    if len(value) > MAX_TEXT:
        raise DomainError(f"「{title}」过长（{len(value)} 字），最多 {MAX_TEXT} 字。")
    return value


def save(
    session: Session,
    contract: Contract,
    code: str,
    period_key: str,
    section: str,
    text: str,
    *,
    actor: str = "",
) -> ReportNarrative:
    """Store the user's text of one section (replacing an earlier edit)."""
    if not code or not period_key or not section:
        raise DomainError("文字段落缺少交付物、期间或段落代码。")
    value = clean(text, _TITLES.get(section, section))
    row = _row(session, contract, code, period_key, section)
    if row is None:
        row = ReportNarrative(
            contract_id=contract.id,
            deliverable_code=code,
            period_key=period_key,
            section=section,
            created_by=actor,
        )
        session.add(row)
    row.text = value
    row.updated_by = actor
    row.updated_at = now()
    session.flush()
    return row


def reset(session: Session, contract: Contract, code: str, period_key: str, section: str) -> bool:
    """Back to the draft: forget the edited text. False when there was none."""
    row = _row(session, contract, code, period_key, section)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# --------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Section:
    """One narrative section of a deliverable occurrence: its draft and what will print."""

    deliverable_code: str
    period_key: str
    key: str
    title: str
    draft: str
    text: str  # the edited text when there is one, else the draft
    edited: bool
    edited_by: str = ""
    edited_at: datetime | None = None


def resolve(
    data: ExportData, kind: str, code: str, period: PeriodInfo, at: datetime
) -> list[Section]:
    """Every narrative section of deliverable ``code`` (form ``kind``) for ``period``,
    with its draft (judged at ``at``) and the text to print."""
    defs = sections(kind, year_end=is_year_end(data, kind, period.end))
    if not defs:
        return []
    drafts = draft(data, kind, period, at)
    stored = saved(data) if code else {}
    found = []
    for d in defs:
        text = drafts.get(d.key, "")
        edit = stored.get((code, period.key, d.key))
        found.append(
            Section(
                code,
                period.key,
                d.key,
                d.title,
                text,
                edit.text if edit else text,
                edit is not None,
                edit.updated_by if edit else "",
                edit.updated_at if edit else None,
            )
        )
    return found


def texts(
    data: ExportData, kind: str, code: str, period: PeriodInfo, at: datetime
) -> dict[str, str]:
    """The text each narrative section prints, by section key (see :func:`resolve`)."""
    return {s.key: s.text for s in resolve(data, kind, code, period, at)}


def empty_sections(data: ExportData, kind: str, code: str, period: PeriodInfo) -> list[str]:
    """The titles of the sections of an occurrence that would print empty.

    Without computing drafts: a section drafted from the data always has text
    (:func:`problems`, :func:`next_plan` and :func:`analysis` never return
    nothing), so only a cleared edit or an unwritten plan chapter is empty.
    """
    defs = sections(kind, year_end=is_year_end(data, kind, period.end))
    stored = saved(data) if code else {}
    found = []
    for d in defs:
        edit = stored.get((code, period.key, d.key))
        empty = not edit.text.strip() if edit is not None else kind in PLAN_CHAPTERS
        if empty:
            found.append(d.title)
    return found


def lines(text: str) -> list[str]:
    """A section's text as the numbered items of a list section (blank lines dropped)."""
    return [line.strip() for line in text.split("\n") if line.strip()]


# --------------------------------------------------------------------------- drafting


def pct(value: float | None, digits: int = st.RATE_DIGITS) -> str:
    """A rate in a sentence, as Word's ``pct`` filter prints it (one precision everywhere)."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _named(names: list[str], unit: str = "个") -> str:
    shown = "、".join(names[:NAMED])
    return shown + (f" 等 {len(names)} {unit}" if len(names) > NAMED else "")


def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def _deliverables(due: list[Any]) -> str:
    """Deliverables due, one entry per deliverable: 「运维月报（2026年10月，11月4日前）」,
    or 「系统故障处置报告 3 份（最迟 11月20日）」 when it is due several times."""
    by_code: dict[str, list[Any]] = defaultdict(list)
    for d in due:
        by_code[d.code].append(d)
    parts = []
    for items in by_code.values():
        first = items[0]
        if len(items) == 1:
            parts.append(
                f"{first.name}（{first.period_label or first.period_key}，{_md(first.due_date)}前）"
            )
        else:
            last = max(d.due_date for d in items)
            parts.append(f"{first.name} {len(items)} 份（最迟 {_md(last)}）")
    return "、".join(parts)


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def draft(data: ExportData, kind: str, period: PeriodInfo, now: datetime) -> dict[str, str]:
    """The drafted text of each narrative section of ``kind`` for ``period``."""
    start, end = (
        max(period.start, data.contract.start_date),
        min(period.end, data.contract.end_date),
    )
    if kind == "monthly_report":
        s = st.period_stats(data, start, end, now)
        return {
            "problems": "\n".join(problems(data, [s], end)),
            "next_plan": "\n".join(next_plan(data, end, now, [s])),
        }
    if kind in ("quarterly_summary", "annual_summary", "summary_report"):
        months = [st.period_stats(data, ms, me, now) for ms, me in st.month_starts(start, end)]
        whole = st.period_stats(data, start, end, now, findings=False)
        issues = problems(data, months, end)
        plan = next_plan(data, end, now, months, horizon=_horizon(data, kind, end))
        if kind == "summary_report":
            return {"problems": "\n".join(issues), "plan": "\n".join(plan)}
        found = {"analysis": analysis(period.label, months, whole), "suggestions": ""}
        texts_ = engineers_texts(data, start, end)
        found["suggestions"] = "\n".join(_unique(texts_["suggest"] + issues))
        found["next_year_plan"] = "\n".join(_unique(texts_["plan"] + plan))
        return found
    return {d.key: "" for d in PLAN_CHAPTERS.get(kind, ())}


def _horizon(data: ExportData, kind: str, end: date) -> tuple[date, date]:
    """The period a summary's plan looks at: the next quarter / year / the rest of the contract."""
    first = end + timedelta(days=1)
    if kind == "quarterly_summary":
        last = periods.bounds("quarterly", first)[1]
    elif kind == "annual_summary":
        last = date(first.year, 12, 31)
    else:
        last = data.contract.end_date
    return first, min(last, data.contract.end_date)


def _open_findings(data: ExportData, findings: list[ev.Finding]) -> list[ev.Finding]:
    """The ``findings`` not fixed, by the rule of the 已整改 column (:mod:`app.export.stats`)."""
    found = []
    for finding in findings:
        res = finding.result
        fault = data.fault(res.fault_id) if res.fault_id else None
        if res.action or (fault is not None and fault.recovered_at is not None):
            continue
        found.append(finding)
    return found


@dataclass(frozen=True)
class Remediation:
    checklist: str
    day: date
    text: str
    deadline: date | None
    open_items: int


def remediations(data: ExportData, end: date) -> list[Remediation]:
    """整改 asked for by completed runs up to ``end`` whose findings are not all fixed."""
    runs = [
        r
        for r in data.runs(data.contract.start_date, end)
        if r.status in st.DONE and r.remediation.strip()
    ]
    if not runs:
        return []
    still_open = _open_findings(data, ev.findings_of(data, runs))
    open_by_run: Counter[str] = Counter(f.run.id for f in still_open)
    found = []
    for run in runs:
        if not open_by_run[run.id]:
            continue
        template = data.templates.get(run.template_id)
        found.append(
            Remediation(
                template.name if template else "",
                run.scheduled_date,
                run.remediation.strip(),
                run.remediation_deadline,
                open_by_run[run.id],
            )
        )
    return found


def problems(data: ExportData, months: list[st.PeriodStats], end: date) -> list[str]:
    """存在问题及建议 of a period made of ``months`` (one month for the 运维月报)."""
    one = len(months) == 1
    scope = "本月" if one else "本期"
    found: list[str] = []
    open_findings = [f for s in months for f in _open_findings(data, s.findings)]
    if open_findings:
        names = [f"{f.label}（{_md(f.run.scheduled_date)}）" for f in open_findings]
        found.append(
            f"{scope}巡检发现的问题中有 {len(open_findings)} 个尚未整改完毕："
            f"{_named(names)}，建议跟踪处理并在下次巡检时复查。"
        )
    overdue = [r for r in remediations(data, end) if r.deadline is not None and r.deadline < end]
    for r in overdue[:NAMED]:
        found.append(
            f"{r.checklist}（{_md(r.day)}）提出的整改「{r.text}」已过整改期限 {r.deadline}，"
            f"尚有 {r.open_items} 项未整改，建议尽快落实。"
        )
    if len(overdue) > NAMED:
        found.append(f"另有 {len(overdue) - NAMED} 项整改已逾期，详见巡检记录。")
    faults = [f for s in months for f in s.faults]
    by_system: dict[str, list[str]] = defaultdict(list)
    for fault in faults:
        if fault.system is not None:
            by_system[fault.system.name].append(fault.number)
    recurring = sorted(
        ((name, numbers) for name, numbers in by_system.items() if len(numbers) > 1),
        key=lambda kv: (-len(kv[1]), kv[0]),
    )
    for name, numbers in recurring[:3]:
        found.append(
            f"{name}{scope}发生故障 {len(numbers)} 起（{_named(numbers, '起')}），"
            "建议分析共性原因，制定预防措施。"
        )
    if len(recurring) > 3:
        rest = "、".join(f"{name} {len(numbers)} 起" for name, numbers in recurring[3:])
        found.append(f"{scope}故障重复发生的还有：{rest}，建议一并排查。")
    misses = _sla_misses(data, months)
    if misses:
        found.append(
            f"{scope}有 {len(misses)} 个 SLA 环节未达标：{_named(misses)}，"
            "建议分析原因并改进响应流程。"
        )
    late = [(t, n) for s in months for t in s.tallies if (n := t.planned - t.done - t.pending) > 0]
    missed_total = sum(n for _t, n in late)
    if missed_total:
        per: Counter[str] = Counter()
        for t, n in late:
            per[t.template.name + (f"（{t.system.name}）" if t.system else "")] += n
        names = [f"{k} {n} 次" for k, n in per.most_common()]
        found.append(
            f"{scope}有 {missed_total} 次巡检未按时完成：{_named(names, '项')}，"
            "建议合理安排人员，确保按计划巡检。"
        )
    unresolved = [r.number for s in months for r in s.requests if r.status in OPEN_REQUESTS]
    if unresolved:
        found.append(f"尚有 {len(unresolved)} 个服务请求未解决（{_named(unresolved)}），需跟进。")
    still_down = [f.number for f in faults if f.recovered_at is None]
    if still_down:
        found.append(
            f"尚有 {len(still_down)} 起故障未恢复（{_named(still_down, '起')}），需跟进处置。"
        )
    if not found:
        emergencies = sum(len(s.emergencies) for s in months)
        found.append(
            f"{scope}发生应急事件 {emergencies} 起，均已处置，未发现需要甲方协调的问题。"
            if emergencies
            else f"{scope}运行平稳，未发现需要甲方协调的问题。"
        )
    return found


def _sla_misses(data: ExportData, months: list[st.PeriodStats]) -> list[str]:
    """「F-001 响应（要求 15分钟，实际 40分钟）」 per breached or overdue SLA step."""
    from app.schedule import sla as sla_mod

    found = []
    for s in months:
        numbers = {f.id: f.number for f in s.faults} | {r.id: r.number for r in s.requests}
        for verdicts in (s.fault_verdicts, s.request_verdicts):
            for record_id, steps in verdicts.items():
                for v in steps:
                    if v.state not in (sla_mod.BREACHED, sla_mod.OVERDUE):
                        continue
                    actual = f"，实际 {v.actual_text}" if v.actual_minutes is not None else ""
                    found.append(
                        f"{numbers.get(record_id, '')} {v.label_zh}（要求 {v.target_text}{actual}）"
                    )
    return found


def next_plan(
    data: ExportData,
    end: date,
    now: datetime,
    months: list[st.PeriodStats],
    *,
    horizon: tuple[date, date] | None = None,
) -> list[str]:
    """The work of the period after ``end`` (next month unless ``horizon`` says otherwise)."""
    contract = data.contract
    if horizon is None:
        first = end + timedelta(days=1)
        horizon = (first, periods.month_end(first.year, first.month))
    first, last = horizon[0], min(horizon[1], contract.end_date)
    if first > contract.end_date:
        # the year-end forms are due before the last day: the end may still be to come
        ends = "已于" if now.date() > contract.end_date else "将于"
        return [f"合同服务期{ends} {contract.end_date} 结束，做好项目总结、资料归档与移交工作。"]
    scope = "下月" if (first.year, first.month) == (last.year, last.month) else "下一阶段"
    plan: list[str] = []
    planned: Counter[str] = Counter()
    cadence: dict[str, str] = {}
    for o in st.occurrences(data, first, last):
        name = o.template.name
        planned[name] += 1
        cadence[name] = periods.CADENCE_NAMES.get(o.template.cadence, o.template.cadence)
    if planned:
        parts = [f"{n}（{cadence[n]}，{k} 次）" for n, k in planned.items()]
        plan.append(f"{scope}按计划完成巡检 {sum(planned.values())} 次：{'、'.join(parts)}。")
    for h in data.holidays:
        if h.start_date <= last and h.end_date >= first:
            pre = phases(h, data.calendar, data.profile.holidays).pre_days
            before = f"，{_md(pre[-1])}前完成节前检查" if pre else ""
            plan.append(
                f"做好{h.name}（{_md(h.start_date)}至{_md(h.end_date)}）节假日保障{before}，"
                "节日期间每日检查，节后评估。"
            )
    due = [
        d for d in data.deadlines(now.date()) if first <= d.due_date <= last and d.state != "done"
    ]
    if due:
        plan.append(f"按时提交交付物 {len(due)} 份：{_deliverables(due)}。")
    upcoming = [r for r in remediations(data, end) if r.deadline is None or r.deadline >= first]
    for r in upcoming[:NAMED]:
        when = f"于 {r.deadline} 前" if r.deadline else ""
        plan.append(f"{when}完成{r.checklist}（{_md(r.day)}）提出的整改「{r.text}」。")
    carry = [f for s in months for f in _open_findings(data, s.findings)]
    if carry:
        plan.append(f"跟踪本期未整改完毕的 {len(carry)} 个巡检问题，复查整改结果。")
    down = [f.number for s in months for f in s.faults if f.recovered_at is None]
    if down:
        plan.append(f"继续处置未恢复的故障：{_named(down, '起')}。")
    if first <= contract.end_date <= last:
        plan.append(f"合同服务期于 {contract.end_date} 结束，准备项目总结报告及终验材料。")
    if not plan:  # nothing scheduled: still the contract's standing service
        plan.append(f"{scope}按合同做好日常运维值守，及时响应故障和服务请求。")
    return plan


def since(s: st.PeriodStats) -> str:
    """After a period's name in a sentence: from when its figures count, if not from its start.

    A contract taken up in the app mid-way declares its 启用日期 (``period.records_from``):
    what was due before it and not recorded here is not counted as missed
    (:func:`st.period_stats`), and the sentences beside the tables say so.
    """
    if s.counted_from is None:
        return ""
    return f"（本应用 {s.counted_from:%Y-%m-%d} 启用，此前未在本应用中记录的不计入）"


def not_due(pending: int) -> str:
    """Inside a completion rate's brackets: the planned checks not due yet when the form was
    made (a form due before its period ends is made before its last checks)."""
    return f"，其中 {pending} 次尚未到期" if pending else ""


def month_label(s: st.PeriodStats) -> str:
    """A month's name in a table of months, marked when it began before the 启用日期.

    The mark goes on a line of its own: in the narrow 月份 column, 「2026年1月至9月（启用前）」
    wrapped inside its brackets (「（」 at the end of one line, 「启用前）」 on the next).
    """
    label = st.month_label(s.start)
    if s.counted_from is not None:
        return f"{label}\n（{s.counted_from.day}日启用）"
    return label


def months_before_start(months: list[st.PeriodStats]) -> str:
    """The one row of a table of months that stands for those before the 启用日期."""
    first, last = months[0].start, months[-1].start
    if first == last:
        span = st.month_label(first)
    elif first.year == last.year:
        span = f"{st.month_label(first)}至{last.month}月"
    else:
        span = f"{st.month_label(first)}至{st.month_label(last)}"
    return f"{span}\n（启用前）"


def analysis(label: str, months: list[st.PeriodStats], whole: st.PeriodStats) -> str:
    """A summary's 分析: the totals of its table, then where the period's problems lay."""
    planned = sum(s.planned for s in months)
    done = sum(s.done for s in months)
    pending = sum(s.pending for s in months)
    problems_ = sum(len(s.findings) for s in months)
    fixed = sum(s.findings_fixed for s in months)
    faults = [f for s in months for f in s.faults]
    requests = sum(len(s.requests) for s in months)
    by_system = Counter(f.system.name if f.system else "（未指定）" for f in faults)
    top = "、".join(f"{k} {n} 起" for k, n in by_system.most_common(3))
    text = (
        f"{label}{since(whole)}共应巡检 {planned} 次，按时完成 {done} 次"
        f"（完成率 {pct(st.rate(done, planned))}{not_due(pending)}）；发现问题 {problems_} 个，"
        f"已整改 {fixed} 个；发生故障 {len(faults)} 起"
        + (f"（{top}）" if top else "")
        + f"；服务请求 {requests} 次；SLA 达成率 {pct(whole.sla_rate)}，"
        f"可用率 {pct(whole.availability, st.AVAILABILITY_DIGITS)}。"
    )
    if len(months) > 1 and faults:
        per_month = [(st.month_label(s.start), len(s.faults)) for s in months]
        worst = max(per_month, key=lambda kv: kv[1])
        text += f"故障最多的月份为{worst[0]}（{worst[1]} 起）。"
    low = [
        (x.name, x.availability)
        for x in whole.systems
        if x.availability is not None and x.availability < 1
    ]
    if low:
        low.sort(key=lambda kv: kv[1] or 0)
        text += (
            "可用率低于 100% 的系统："
            + "、".join(f"{n} {pct(a, st.AVAILABILITY_DIGITS)}" for n, a in low[:NAMED])
            + "。"
        )
    return text


def engineers_texts(data: ExportData, start: date, end: date) -> dict[str, list[str]]:
    """What the engineers wrote in the period's quarterly / full inspections (text items).

    Items titled with 计划 or 下年 are plans; the others suggestions.
    """
    found: dict[str, list[str]] = {"suggest": [], "plan": []}
    full = [
        r
        for r in data.runs(start, end)
        if r.cadence in ("quarterly", "half_year", "annual") and r.status in st.DONE
    ]
    results = data.results(full)
    for run in full:
        for res in results[run.id]:
            item = data.items.get(res.item_id)
            if item is None or item.kind != "text" or not res.value_text:
                continue
            bucket = "plan" if ("计划" in item.title or "下年" in item.title) else "suggest"
            found[bucket].append(res.value_text)
    return found


# --------------------------------------------------------------------------- a pack's sections


@dataclass(frozen=True)
class Occurrence:
    """A deliverable occurrence of a pack that has narrative sections."""

    deliverable_code: str
    deliverable_name: str
    kind: str
    period: PeriodInfo
    sections: list[Section]

    @property
    def label(self) -> str:
        return (
            f"{self.deliverable_name}（{self.period.label}）"
            if self.period.label
            else (self.deliverable_name)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "deliverable": self.deliverable_code,
            "deliverable_name": self.deliverable_name,
            "period_key": self.period.key,
            "period_label": self.period.label,
            "sections": [
                {
                    "section": s.key,
                    "title": s.title,
                    "text": s.text,
                    "draft": s.draft,
                    "edited": s.edited,
                    "edited_by": s.edited_by,
                    "edited_at": s.edited_at.isoformat() if s.edited_at else None,
                }
                for s in self.sections
            ],
        }


def pack_sections(data: ExportData, files: list[Any], at: datetime) -> list[Occurrence]:
    """The narrative sections of the planned files of a pack (one entry per occurrence)."""
    found: list[Occurrence] = []
    seen: set[tuple[str, str, str]] = set()
    for f in files:
        key = (f.kind, f.deliverable_code, f.period.key)
        if key in seen or not f.deliverable_code or not sections(f.kind, year_end=True):
            continue
        seen.add(key)
        found_sections = resolve(data, f.kind, f.deliverable_code, f.period, at)
        if found_sections:
            found.append(
                Occurrence(f.deliverable_code, f.deliverable_name, f.kind, f.period, found_sections)
            )
    return found


def parse_file(body: bytes, occurrences: list[Occurrence]) -> list[tuple[Occurrence, str, str]]:
    """The (occurrence, section key, text) of a ``--narrative`` file, all checked first.

    The file is UTF-8 JSON: ``{"<交付物代码>": {"<段落代码或标题>": "文本" | ["第一条", …]}}``;
    a code that occurs more than once in the pack is written ``<代码>@<期间代码>``.
    """
    import json

    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DomainError(
            f"文字段落文件不是有效的 UTF-8 JSON：第 {exc.start + 1} 个字节无法按 UTF-8 解码，"
            "请用 UTF-8 编码另存后再试。"
        ) from None
    except json.JSONDecodeError as exc:
        raise DomainError(
            f"文字段落文件不是有效的 UTF-8 JSON：第 {exc.lineno} 行第 {exc.colno} 列有格式错误"
            "（如缺少引号、逗号或括号）。"
        ) from None
    if not isinstance(doc, dict):
        raise DomainError("文字段落文件应为 JSON 对象：{交付物代码: {段落代码: 文本}}。")
    by_key: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        by_key[o.deliverable_code].append(o)
        by_key[f"{o.deliverable_code}@{o.period.key}"].append(o)
    known = "、".join(dict.fromkeys(o.deliverable_code for o in occurrences)) or "无"
    found = []
    for code, entries in doc.items():
        matches = by_key.get(str(code), [])
        if not matches:
            raise DomainError(f"本交付包中没有带文字段落的交付物「{code}」（可用：{known}）。")
        if len(matches) > 1:
            keys = "、".join(f"{o.deliverable_code}@{o.period.key}" for o in matches)
            raise DomainError(f"交付物「{code}」在本交付包中有多期，请写明期间：{keys}。")
        occurrence = matches[0]
        if not isinstance(entries, dict):
            raise DomainError(f"「{code}」的值应为 {{段落代码: 文本}}。")
        for name, value in entries.items():
            section = next((s for s in occurrence.sections if name in (s.key, s.title)), None)
            if section is None:
                names = "、".join(f"{s.key}（{s.title}）" for s in occurrence.sections)
                raise DomainError(f"「{code}」没有段落「{name}」（可用：{names}）。")
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = "\n".join(value)
            if not isinstance(value, str):
                raise DomainError(f"「{code}」的「{section.title}」应为文本或文本列表。")
            found.append((occurrence, section.key, clean(value, section.title)))
    return found


def save_edits(
    session: Session, contract: Contract | str, edits: dict[tuple[str, str, str], str], actor: str
) -> None:
    """Store several edited sections at once, keyed (deliverable code, period key, section);
    all are checked before any is written (one unit of work)."""
    from app.contracts.registry import get_contract

    found = get_contract(session, contract) if isinstance(contract, str) else contract
    for (code, period_key, section), text in edits.items():
        save(session, found, code, period_key, section, text, actor=actor)


def reset_section(session: Session, contract: Contract | str, key: tuple[str, str, str]) -> bool:
    """:func:`reset` by contract code and (deliverable code, period key, section)."""
    from app.contracts.registry import get_contract

    found = get_contract(session, contract) if isinstance(contract, str) else contract
    return reset(session, found, *key)
