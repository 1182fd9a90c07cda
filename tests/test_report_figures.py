"""The 运维月报's rates against figures computed by hand from a small data set written here.

The contract (7×24, 15-minute response; 重大 recovered in 2 h, 一般 in 8 h; three
systems A/B/C) has a weekly and a monthly checklist and three dated deliverables.
June 2026 (30 days = 43,200 minutes per system), exported on 2 July:

巡检 — ISO weeks W23…W27 and the month (belongs to June: completed runs dated in
June, else a deadline in June):
    W23 run 06-03, done 06-03           on time
    W24 run 06-12, done 06-16           late (deadline Sun 06-14)
    W25 —                               missing (deadline 06-21)
    W26 run 06-24, done 06-24           on time
    W27 run 06-30, done 06-30           on time (deadline 07-05, but run in June)
    2026-06 run 06-25, done 06-25       on time
    → 4 of 6 on time: 巡检完成率 66.7 %  (W22: deadline 05-31, May's)

故障 — reported in June (F0 is May's, its outage runs into June):
    F0 05-31 23:00 重大  resp 10' met, rec 100' met          outage B 05-31 23:00–06-01 00:30
    F1 06-10 10:00 重大  resp 10' met, rec 90' met           outage A 10:00–11:00
    F2 06-12 20:00 一般  resp 40' BREACHED, rec 600' BREACHED  no outage
    F3 06-20 08:00 重大  resp 5' met,  rec 100' met          outage A+B 08:00–09:30
    F4 06-20 08:30 一般  resp 10' met, rec 510' BREACHED     outage A 08:30–10:00
    F5 06-25 14:00 一般  resp 5' met,  rec 60' met           outage not recorded (system C)
    F6 06-28 09:00 一般  resp 5' met,  rec 50' met           no outage
    → 故障响应及时率 5/6 = 83.3 %, 故障解决率 4/6 = 66.7 %

服务请求 — R1, R2, R4, R6, R7 solved on the phone (answered at once: response met); R3
taken as a call, then remote; R5 logged as remote, answered after 30' (breached):
    → 电话一次解决率 5/7 = 71.4 %; SLA 达成率 = (fault steps 5 + 4 met of 12)
      + (request responses 6 met of 7) = 15/19 = 78.9 %

可用率 — outage minutes per system in June, overlaps once:
    A: 60 (F1) + 08:00–10:00 (F3 ∪ F4) 120 = 180 → 1 − 180/43200 = 99.58 %
    B: 30 (F0, from 06-01 00:00) + 90 (F3)  = 120 → 99.72 %
    C: 60 (F5, not recorded: report → recovery on its own system) → 99.86 %
    合计: 1 − 360/129600 = 99.72 %

报告按时交付率 — due in June: May's 月报 (3rd working day: 06-03) handed in 06-02 ✓;
部署清单 (06-15) handed in 06-16 ✗; 满意度调查 (06-30) not handed in by 07-02 ✗ → 1/3 = 33.3 %
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook

from app.contracts.registry import get_contract
from app.export import build as b
from app.export import stats as st
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.export.render import Renderer
from app.records import faults, inspections, requests
from app.schedule.deadlines import mark_submitted
from app.storage.store import Store
from tests.factories import checklist, install, item, make_profile, system_defs
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)

JUNE = PeriodInfo(key="2026-06", label="2026年6月", start=date(2026, 6, 1), end=date(2026, 6, 30))
JULY = PeriodInfo(key="2026-07", label="2026年7月", start=date(2026, 7, 1), end=date(2026, 7, 31))
NOW = datetime(2026, 7, 2, 9, 0)
AUG = datetime(2026, 8, 3, 9, 0)

#: The hand-computed figures of the module docstring, as printed.
EXPECTED = {
    "巡检完成率": "66.7%",
    "故障响应及时率": "83.3%",
    "故障解决率": "66.7%",
    "SLA 达成率": "78.9%",
    "电话一次解决率": "71.4%",
    "报告按时交付率": "33.3%",
    "可用率": "99.72%",
}
PER_SYSTEM = {"系统A": ("99.58%", 180), "系统B": ("99.72%", 120), "系统C": ("99.86%", 60)}


def profile():
    return make_profile(
        "figures",
        systems=system_defs(("a", "系统A"), ("b", "系统B"), ("c", "系统C")),
        checklists=[
            checklist("weekly", name="周巡检", cadence="weekly", groups=[("周", [item("ok")])]),
            checklist("monthly", name="月巡检", cadence="monthly", groups=[("月", [item("ok")])]),
        ],
        deliverables=[
            {
                "code": "report",
                "name": "运维月报",
                "form": "monthly_report",
                "due": {"rule": "nth_workday_next_month", "n": 3},
            },
            {
                "code": "deploy",
                "name": "部署清单",
                "form": "deployment_list",
                "due": {"rule": "fixed_date", "on": "2026-06-15"},
            },
            {
                "code": "survey",
                "name": "客户满意度调查表",
                "form": "satisfaction_survey",
                "due": {"rule": "fixed_date", "on": "2026-06-30"},
            },
        ],
    )


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm))


def down(systems: list[str], start: str, end: str) -> tuple[list[str], datetime, datetime]:
    return systems, datetime.fromisoformat(start), datetime.fromisoformat(end)


def _run(s, code: str, day: str, done: str | None) -> None:
    run = inspections.start_run(
        s,
        "figures",
        code,
        scheduled_date=date.fromisoformat(day),
        inspector="巡检员",
        started_at=at(day, "09:00"),
    )
    s.flush()
    for res in run.results:
        inspections.set_result(s, res.id, status="normal")
    if done is not None:
        inspections.complete_run(
            s, run.id, conclusion="正常。", completed_at=datetime.fromisoformat(done)
        )


def _fault(
    s,
    reported: datetime,
    level: str,
    response: int,
    recovery: int,
    outage: tuple[list[str], datetime, datetime] | bool | None,
    system: str | None = None,
) -> None:
    f = faults.create_fault(
        s,
        "figures",
        title=f"故障 {reported:%m-%d %H:%M}",
        level=level,
        reported_at=reported,
        system_code=system,
        responded_at=reported + timedelta(minutes=response),
        now=NOW,
    )
    s.flush()
    recovered = reported + timedelta(minutes=recovery)
    faults.set_time(s, f.id, "recovered", recovered, now=NOW)
    if isinstance(outage, tuple):
        systems, start, end = outage
        faults.set_outage(s, f.id, True, start=start, end=end, systems=systems, now=NOW)
    elif outage is not None:
        faults.set_outage(s, f.id, outage, now=NOW)
    faults.close_fault(s, f.id, recovered + timedelta(minutes=20), now=NOW)


def _request(s, received: datetime, *, phone: bool = True, remote: int | None = None) -> None:
    channel = "phone" if phone or remote is None else "remote"
    r = requests.log_request(
        s,
        "figures",
        received_at=received,
        caller_unit="办公室",
        category="咨询",
        description="问题",
        handler="受理人",
        channel=channel,
        responded_at=None if channel == "phone" else received + timedelta(minutes=remote or 0),
        now=NOW,
    )
    s.flush()
    if phone and remote is None:
        requests.resolve_on_phone(s, r.id, "已解答", received + timedelta(minutes=5), now=NOW)
        return
    if phone:  # a call taken, then remote support
        requests.escalate(s, r.id, "remote", received + timedelta(minutes=remote or 0), now=NOW)
    requests.complete_request(
        s, r.id, resolution="远程处理完毕", completed_at=received + timedelta(hours=2), now=NOW
    )


@pytest.fixture
def figures(store: Store) -> Store:
    with store.session() as s:
        install(s, profile())
        _run(s, "weekly", "2026-06-03", "2026-06-03 10:00")  # W23
        _run(s, "weekly", "2026-06-12", "2026-06-16 10:00")  # W24, late
        _run(s, "weekly", "2026-06-24", "2026-06-24 10:00")  # W26
        _run(s, "weekly", "2026-06-30", "2026-06-30 10:00")  # W27, June's
        _run(s, "monthly", "2026-06-25", "2026-06-25 16:00")
        _fault(
            s,
            at("2026-05-31", "23:00"),
            "major",
            10,
            100,
            down(["b"], "2026-05-31 23:00", "2026-06-01 00:30"),
        )
        _fault(
            s,
            at("2026-06-10", "10:00"),
            "major",
            10,
            90,
            down(["a"], "2026-06-10 10:00", "2026-06-10 11:00"),
        )
        _fault(s, at("2026-06-12", "20:00"), "minor", 40, 600, False)
        _fault(
            s,
            at("2026-06-20", "08:00"),
            "major",
            5,
            100,
            down(["a", "b"], "2026-06-20 08:00", "2026-06-20 09:30"),
        )
        _fault(
            s,
            at("2026-06-20", "08:30"),
            "minor",
            10,
            510,
            down(["a"], "2026-06-20 08:30", "2026-06-20 10:00"),
        )
        _fault(s, at("2026-06-25", "14:00"), "minor", 5, 60, None, system="c")
        _fault(s, at("2026-06-28", "09:00"), "minor", 5, 50, False)
        for n, hhmm in enumerate(("09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00")):
            day = f"2026-06-{n + 2:02d}"
            if n == 2:
                _request(s, at(day, hhmm), phone=True, remote=20)  # R3
            elif n == 4:
                _request(s, at(day, hhmm), phone=False, remote=30)  # R5, answered late
            else:
                _request(s, at(day, hhmm))
        mark_submitted(s, "figures", "report", "2026-05", submitted_at=at("2026-06-02", "10:00"))
        mark_submitted(s, "figures", "deploy", "once", submitted_at=at("2026-06-16", "10:00"))
    return store


def _texts(word: bytes) -> str:
    doc = Document(io.BytesIO(word))
    parts = [p.text for p in doc.paragraphs]
    with zipfile.ZipFile(io.BytesIO(word)) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    return "\n".join(parts) + xml


def test_monthly_report_rates_match_the_hand_computed_figures(figures: Store) -> None:
    with figures.session() as s:
        contract = get_contract(s, "figures")
        data = ExportData(s, contract)
        job = b.Job(kind="monthly_report", period=JUNE, exporter="测试", now=NOW)
        ctx = b.build(data, job)
        renderer = Renderer(s, contract)
        word, excel = renderer.render(ctx, "docx"), renderer.render(ctx, "xlsx")
    # the context holds the rounded values the forms print
    assert (ctx.inspections_planned, ctx.inspections_done) == (6, 4)
    assert ctx.inspection_rate == 0.667 and ctx.response_rate == 0.833
    assert ctx.resolution_rate == 0.667 and ctx.sla_rate == 0.789
    assert ctx.first_call_rate == 0.714 and ctx.delivery_rate == 0.333
    assert ctx.availability == 0.9972
    assert (ctx.faults_total, ctx.requests_total) == (6, 7)
    rows = {r.name: r for r in ctx.sla}
    assert (rows["SLA 达成率"].numerator, rows["SLA 达成率"].denominator) == (15, 19)
    assert (rows["报告按时交付率"].numerator, rows["报告按时交付率"].denominator) == (1, 3)
    systems = {r.system: r for r in ctx.availability_systems}
    for name, (printed, minutes) in PER_SYSTEM.items():
        assert systems[name].outage_minutes == minutes
        assert systems[name].committed_hours == 720.0
        assert f"{systems[name].availability * 100:.2f}%" == printed
    assert systems["系统C"].faults.endswith("*")  # counted by the rule for unrecorded outages
    assert systems["合计"].outage_minutes == 360
    # Word prints them so, Excel stores the same numbers with the same precision
    text = _texts(word)
    for label, printed in EXPECTED.items():
        assert printed in text, label
    for printed, _minutes in PER_SYSTEM.values():
        assert printed in text
    assert "可用率 = 1 − 中断时长 ÷ 承诺服务时长" in text
    wb = load_workbook(io.BytesIO(excel))
    overview = {r[0].value: r[1] for r in wb["概况"].iter_rows(min_row=3) if r[0].value}
    for label, printed in EXPECTED.items():
        cell = overview[label]
        digits = 2 if label == "可用率" else 1
        assert cell.number_format == "0." + "0" * digits + "%", label
        assert f"{cell.value * 100:.{digits}f}%" == printed, label
    sheet = {r[0].value: r for r in wb["可用率"].iter_rows(min_row=4) if r[0].value}
    for name, (printed, minutes) in PER_SYSTEM.items():
        assert sheet[name][2].value == minutes
        assert f"{sheet[name][3].value * 100:.2f}%" == printed
    assert any(
        "可用率 = 1 − 中断时长" in str(c.value) for row in wb["可用率"].iter_rows() for c in row
    )


def test_a_run_belongs_to_one_month_by_its_date_once_completed(figures: Store) -> None:
    """W27 (06-29…07-05) was done on 06-30: June's, not July's; W25 missed: June's."""
    with figures.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        june = st.period_stats(data, JUNE.start, JUNE.end, NOW)
        july = st.period_stats(data, JULY.start, JULY.end, AUG)
        record = b.build(data, b.Job(kind="inspection_record", period=JUNE, now=NOW))
    weekly = {o.period_key for o, _run in st.assigned(data, JUNE.start, JUNE.end)}
    assert weekly == {"2026-W23", "2026-W24", "2026-W25", "2026-W26", "2026-W27", "2026-06"}
    assert (june.planned, june.done, june.late) == (6, 4, 1)
    # July: W28, W29, W30 (W31 ends on 08-02) and the month, none done
    assert (july.planned, july.done, july.late) == (4, 0, 0)
    # the 巡检记录单 of June holds exactly the completed runs the report counts
    assert len(record.runs) == june.done + june.late == 5


def test_rates_round_half_up_and_never_to_a_round_figure_they_are_not() -> None:
    assert st.rounded(13, 16) == 0.813  # 81.25 % → 81.3 %, not banker's 81.2 %
    assert st.rounded(2, 3) == 0.667 and st.rounded(1, 3) == 0.333
    assert st.rounded(9999, 10000) == 0.999  # never 100.0 % when one step failed
    assert st.rounded(1, 100000) == 0.001  # never 0.0 % when one step was met
    assert st.rounded(43200 - 1, 43200, 2) == 0.9999
    assert st.rounded(5, 5) == 1.0 and st.rounded(0, 5) == 0.0 and st.rounded(1, 0) is None
