"""Every figure that appears in two forms of one monthly pack is the same number.

The October 2026 demo month of both built-in contracts (国庆节 falls in it). The
contexts are built as an export builds them — one :class:`ExportData` per pack —
and the figures each form shows are compared across forms; the rendered Word and
Excel files of the 运维月报 print them with one precision.
"""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from app.contracts.registry import get_contract
from app.export import build as b
from app.export import context as c
from app.export import events as ev
from app.export import packs
from app.export import stats as st
from app.export.data import ExportData
from app.export.render import Renderer
from app.export.sandbox import fmt_pct
from app.schedule import periods
from tests.test_export_fixtures import CODES, MONTH, demo_dir, demo_store  # noqa: F401

NOW = datetime(2026, 11, 4, 9, 0)
START, END = date(2026, 10, 1), date(2026, 10, 31)


def _pack_contexts(
    s: Any, code: str, month: str = MONTH, now: datetime = NOW
) -> tuple[ExportData, dict[str, list[c.FormContext]]]:
    """The contexts of the month pack, built the way ``packs._render_files`` builds them."""
    forms: dict[str, list[c.FormContext]] = {}
    plan = packs.plan_month(s, code, month, today=now.date())
    data = ExportData(s, get_contract(s, code))
    seen = set()
    for planned in plan.files:
        key = (planned.kind, planned.deliverable_code, planned.period.key, planned.holiday_id)
        key += tuple(planned.record_ids or ())
        if key in seen:
            continue  # the Excel file of a form shares the Word file's context
        seen.add(key)
        ctx = b.build(data, packs._job(planned, "测试", now))
        forms.setdefault(planned.kind, []).append(ctx)
    return data, forms


def _counts(rows: list[c.Count]) -> dict[str, int]:
    return {x.name: x.count for x in rows}


@pytest.mark.parametrize("code", CODES)
def test_every_figure_shown_twice_in_a_pack_is_the_same(demo_store: Any, code: str) -> None:
    with demo_store.session() as session:
        _check_pack(session, code)


@pytest.mark.parametrize("code", CODES)
def test_a_pack_made_before_its_month_ends_agrees_too(demo_store: Any, code: str) -> None:
    """November on the 4th, nothing of it recorded: most of its checks are not due yet."""
    with demo_store.session() as session:
        data, forms = _pack_contexts(session, code, "2026-11", NOW)
        (report,) = forms["monthly_report"]
        assert isinstance(report, c.MonthlyReportCtx)
        assert 0 < report.inspections_pending < report.inspections_planned
        assert f"其中 {report.inspections_pending} 次尚未到期" in report.overview
        late = re.search(r"有 (\d+) 次巡检未按时完成", "\n".join(report.problems))
        due = report.inspections_planned - report.inspections_pending  # by the 4th
        assert (int(late.group(1)) if late else 0) == due - report.inspections_done
        assert bool(forms.get("daily_inspection_log")) == (code == "internet-om")
        for log in forms.get("daily_inspection_log", []):
            assert isinstance(log, c.DailyLogCtx)
            word = Renderer(session, data.contract).render(log, "docx", "")
            text = "\n".join(p.text for p in Document(io.BytesIO(word)).paragraphs)
            for section in log.sections:
                assert section.pending > 0
                assert f"已完成 0 次，{section.pending} 次尚未到期" in text


EXPECTED = {
    "portal-om": {"inspection_record", "service_record", "monthly_report"},
    "internet-om": {"holiday_check", "daily_inspection_log", "phone_log", "monthly_inspection"},
}


def _check_pack(
    session: Any,
    code: str,
    month: str = MONTH,
    now: datetime = NOW,
    expected: set[str] | None = None,
) -> None:
    """Every figure two forms of the pack of ``month`` show agrees (the ``expected`` forms
    at least are in the pack)."""
    data, forms = _pack_contexts(session, code, month, now)
    start = date.fromisoformat(f"{month}-01")
    end = periods.month_end(start.year, start.month)
    expected = EXPECTED[code] if expected is None else expected
    assert expected <= set(forms), sorted(forms)
    (report,) = forms["monthly_report"]
    assert isinstance(report, c.MonthlyReportCtx)
    # one statistics result for the month, shared by every form of the pack
    month_keys = [k for k in data.stats_cache if k[1:3] == (start, end)]
    assert len(month_keys) == 1
    s = data.stats_cache[month_keys[0]]
    assert report.inspections_planned == s.planned and report.faults_total == len(s.faults)
    assert sum(x.planned for x in report.inspections) == report.inspections_planned
    assert sum(x.done for x in report.inspections) == report.inspections_done
    assert sum(x.count for x in report.faults_by_level) == report.faults_total
    assert sum(x.count for x in report.requests_by_channel) == report.requests_total
    assert f"应巡检 {report.inspections_planned} 次" in report.overview
    assert report.inspections_pending == s.pending  # not done, not due yet when made
    assert (f"其中 {s.pending} 次尚未到期" in report.overview) == bool(s.pending)
    assert f"发生故障 {report.faults_total} 起" in report.overview
    assert fmt_pct(report.availability, 2) in report.overview
    assert report.availability_systems[-1].availability == report.availability
    _check_narrative(data, report, s, end, now)
    holiday_names = {t.name for t in data.templates.values() if t.cadence.startswith("holiday")}

    for record in forms.get("inspection_record", []):
        assert isinstance(record, c.InspectionRecordCtx)
        # the 巡检记录单 holds exactly the runs the report counts as done (on time or late)
        assert len(record.runs) == report.inspections_done + sum(x.late for x in report.inspections)
        in_report = [f for f in report.findings if f.name not in holiday_names]
        assert len(record.findings) == len(in_report)
        per_checklist: Counter[str] = Counter()
        for x in report.inspections:
            per_checklist[x.name] += x.done + x.late
        assert Counter(r.name for r in record.runs) == +per_checklist
        # section 7 lists the periodic backup checks the record holds, by date
        periodic = {
            f"{r.date:%m-%d} {r.name}"
            for r in record.runs
            if any(w in r.name for w in ("备份", "安全", "恢复", "演练")) and r.cadence != "日"
        }
        listed = {x.label.split("（")[0] for x in report.backup_security}
        assert periodic <= listed

    for log in forms.get("daily_inspection_log", []):
        assert isinstance(log, c.DailyLogCtx)
        for section in log.sections:
            rows = [x for x in report.inspections if x.name == section.name]
            assert section.planned == sum(x.planned for x in rows), section.name
            assert section.done == sum(x.done + x.late for x in rows), section.name
            assert section.done + section.pending <= section.planned, section.name

    for phone in forms.get("phone_log", []) + forms.get("service_record", []):
        if isinstance(phone, c.PhoneLogCtx):
            assert phone.total == report.requests_total
            assert phone.first_call_rate == report.first_call_rate
            assert _counts(phone.by_channel) == _counts(report.requests_by_channel)
            assert _counts(phone.by_unit) == _counts(report.requests_by_unit)
            assert _counts(phone.by_category) == _counts(report.requests_by_category)
            assert {x.name: x.share for x in phone.by_channel} == {
                x.name: x.share for x in report.requests_by_channel
            }
        else:
            assert isinstance(phone, c.ServiceRecordCtx)
            assert len(phone.records) == report.requests_total

    for monthly in forms.get("monthly_inspection", []):
        assert isinstance(monthly, c.MonthlyInspectionCtx)
        assert (monthly.planned, monthly.done) == (
            report.inspections_planned,
            report.inspections_done,
        )
        assert monthly.faults_total == report.faults_total
        assert monthly.requests_total == report.requests_total
        assert _counts(monthly.faults_by_level) == _counts(report.faults_by_level)
        assert _counts(monthly.faults_by_system) == _counts(report.faults_by_system)
        assert monthly.emergencies == [e.text for e in s.emergencies]
        assert f"应急事件 {len(monthly.emergencies)} 起" in monthly.summary
        assert f"完成率 {fmt_pct(report.inspection_rate)}" in monthly.summary
        # what the engineers wrote in the month's summary items agrees with the records
        written = [r.result for sec in monthly.sections for r in sec.rows if "应急" in r.item]
        assert written, "the 月巡检维护记录表 has its 本月应急响应情况 item"
        for text in written:
            said = re.search(r"应急响应事件 (\d+) 起", text)
            assert said or "无应急响应事件" in text, text
            listed = [e for e in s.emergencies if e.text in text]
            assert (int(said.group(1)) if said else 0) == len(listed), text

    for sheet in forms.get("holiday_check", []):
        assert isinstance(sheet, c.HolidayCheckCtx)
        line = next(x for x in report.holidays if x.label.startswith(sheet.holiday))
        said = re.search(r"期间故障/事件 (\d+) 起", line.value)
        assert said and int(said.group(1)) == len(sheet.events)
        assert f"期间故障/事件 {len(sheet.events)} 起" in sheet.summary
        # every fault of the holiday is on its day's row; 「无」 only on a day without one
        faults = [e for e in ev.holiday_events(data, _holiday(data, sheet)) if e.fault_id]
        assert faults, "the demo holiday has its emergencies"
        for event in faults:
            row = next((r for r in sheet.days if r.date == event.day), None)
            if row is not None:
                number = event.text.split()[0]
                assert number in row.note or any(number in cell for cell in row.cells), number
        for row in sheet.days:
            typed = [v for col, v in zip(sheet.columns, row.cells, strict=True) if "事件" in col]
            if typed and typed[0] == "无":
                assert not [e for e in faults if e.day == row.date], row.date
        assert not re.search(r"未发生.{0,4}故障", sheet.evaluation) or not faults

    for fault in forms.get("fault_report", []):
        assert isinstance(fault, c.FaultReportCtx)
        assert fault.outage  # every fault report says whether the service was interrupted


def _check_narrative(
    data: ExportData, report: c.MonthlyReportCtx, s: st.PeriodStats, end: date, now: datetime
) -> None:
    """存在问题及建议 and 下月工作计划 say what the report's own figures say."""
    assert report.problems and report.next_plan
    problems = "\n".join(report.problems)
    # every record a problem names is a record of the month
    numbers = {f.number for f in s.faults} | {r.number for r in s.requests}
    named = set(re.findall(r"\b(?:GZ|FW)-\d{6}-\d{4}\b", problems))
    assert named <= numbers, named - numbers
    missed = re.search(r"有 (\d+) 个 SLA 环节未达标", problems)
    assert (int(missed.group(1)) if missed else 0) == s.sla[1] - s.sla[0]
    late = re.search(r"有 (\d+) 次巡检未按时完成", problems)
    assert (
        int(late.group(1)) if late else 0
    ) == report.inspections_planned - report.inspections_done - s.pending  # due, not done
    for name, count in Counter(f.system.name for f in s.faults if f.system).items():
        told = re.search(re.escape(name) + rf"(?:本月发生故障)? {count} 起", problems)
        assert bool(told) == (count > 1), name
    # the checks planned for next month are what next month's report will count as due
    first = end + timedelta(days=1)
    plan = "\n".join(report.next_plan)
    if first <= data.contract.end_date:
        following = st.period_stats(data, first, periods.month_end(first.year, first.month), now)
        said = re.search(r"下月按计划完成巡检 (\d+) 次", plan)
        assert said and int(said.group(1)) == following.planned, plan


def _holiday(data: ExportData, sheet: c.HolidayCheckCtx) -> Any:
    return next(
        h for h in data.holidays if h.name == sheet.holiday and h.start_date == sheet.holiday_start
    )


@pytest.mark.parametrize("code", CODES)
def test_word_and_excel_print_each_rate_with_one_precision(demo_store: Any, code: str) -> None:
    with demo_store.session() as s:
        contract = get_contract(s, code)
        data = ExportData(s, contract)
        period = c.PeriodInfo(key=MONTH, label="2026年10月", start=START, end=END)
        ctx = b.build(data, b.Job(kind="monthly_report", period=period, now=NOW))
        renderer = Renderer(s, contract)
        word, excel = renderer.render(ctx, "docx"), renderer.render(ctx, "xlsx")
    text = "\n".join(p.text for p in Document(io.BytesIO(word)).paragraphs)
    wb = load_workbook(io.BytesIO(excel))
    overview = {r[0].value: r[1] for r in wb["概况"].iter_rows(min_row=3) if r[0].value}
    for label, field, digits in (
        ("巡检完成率", "inspection_rate", st.RATE_DIGITS),
        ("故障响应及时率", "response_rate", st.RATE_DIGITS),
        ("故障解决率", "resolution_rate", st.RATE_DIGITS),
        ("SLA 达成率", "sla_rate", st.RATE_DIGITS),
        ("电话一次解决率", "first_call_rate", st.RATE_DIGITS),
        ("报告按时交付率", "delivery_rate", st.RATE_DIGITS),
        ("可用率", "availability", st.AVAILABILITY_DIGITS),
    ):
        value = getattr(ctx, field)
        cell = overview[label]
        assert cell.value == value, label
        assert cell.number_format == "0." + "0" * digits + "%", label
        if value is not None:
            # the stored value has no more digits than are printed
            assert round(value, digits + 2) == value, label
            assert fmt_pct(value, digits) in text, label
