"""Every form renders from demo data; exported files are re-opened and their content checked."""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.contracts.registry import get_contract
from app.export import build as b
from app.export import charts, packs
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.export.forms import FORMS
from app.export.render import Renderer
from app.export.sandbox import fmt_pct
from db.models import FaultRecord, ServiceRequest, Signature
from tests.test_export_fixtures import (  # noqa: F401
    CODES,
    INTERNET_OM_DELIVERABLE,
    MONTH,
    demo_dir,
    demo_store,
)

NOW = datetime(2026, 11, 2, 9, 0)
OCT = PeriodInfo(key=MONTH, label="2026年10月", start=date(2026, 10, 1), end=date(2026, 10, 31))


def _docx_xml(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        return zf.read("word/document.xml").decode("utf-8")


def _docx_text(body: bytes) -> str:
    doc = Document(io.BytesIO(body))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table._tbl.tr_lst:
            for tc in row.tc_lst:
                parts.append("".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t")))
    return "\n".join(parts)


def _media(body: bytes, prefix: str) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        return [n for n in zf.namelist() if n.startswith(prefix)]


@pytest.fixture(scope="module")
def pack_dirs(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.test_export_fixtures import store_copy

    out = tmp_path_factory.mktemp("packs")
    found = {}
    for code in CODES:
        store = store_copy(demo_dir, out / f"store-{code}")
        with store.session() as s:
            plan = packs.plan_month(s, code, MONTH)
        result = packs.export_pack(
            store, plan, out / code, exporter="测试", record=False, now=NOW, allow_unreviewed=True
        )
        store.close()
        found[code] = result.folder
    return found


def test_month_packs_hold_every_form_of_the_profile(pack_dirs: dict[str, Path]) -> None:
    names = {code: sorted(p.name for p in folder.rglob("*")) for code, folder in pack_dirs.items()}
    portal = " ".join(names["portal-om"])
    internet = " ".join(names["internet-om"])
    for expected in (
        "运维月报_2026年10月.docx",
        "运维月报_2026年10月.xlsx",
        "巡检记录单",
        "运维工单",
    ):
        assert expected in portal
    for expected in (
        "日常巡检记录",
        "电话支持记录",
        "月巡检维护记录表",
        "月度分析报告",
        "节假日检查记录单_国庆节",
        "系统故障处置报告_GZ-202610-",
        "例会会议纪要",
    ):
        assert expected in internet
    assert "manifest.json" in names["portal-om"] and "SHA256SUMS" in names["portal-om"]


def test_word_layout_a4_fonts_header_footer_repeat(pack_dirs: dict[str, Path]) -> None:
    for folder in pack_dirs.values():
        for path in folder.glob("*.docx"):
            body = path.read_bytes()
            doc = Document(io.BytesIO(body))
            section = doc.sections[0]
            assert {round(section.page_width.cm, 1), round(section.page_height.cm, 1)} == {
                21.0,
                29.7,
            }
            assert section.gutter.cm == pytest.approx(0.5, abs=0.01)
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                styles = zf.read("word/styles.xml").decode()
                footer = "".join(
                    zf.read(n).decode() for n in zf.namelist() if n.startswith("word/footer")
                )
                header = "".join(
                    zf.read(n).decode() for n in zf.namelist() if n.startswith("word/header")
                )
            assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="仿宋"' in styles
            assert "PAGE" in footer and "NUMPAGES" in footer and "第 " in footer
            assert "校验码" in footer and re.search(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", footer)
            assert "合同编号" in header and "{{" not in header
            xml = _docx_xml(body)
            assert "{{" not in xml and "{%" not in xml
            if "<w:tbl>" in xml:
                assert "<w:tblHeader/>" in xml
                for grid in re.findall(r"<w:tblGrid>(.*?)</w:tblGrid>", xml):
                    width = sum(int(w) for w in re.findall(r'w:w="(\d+)"', grid)) / 567
                    text_width = (
                        section.page_width
                        - section.left_margin
                        - section.right_margin
                        - section.gutter
                    ) / 360000
                    assert width <= text_width + 0.1, path.name


def test_excel_print_setup_and_real_values(pack_dirs: dict[str, Path]) -> None:
    for folder in pack_dirs.values():
        for path in folder.glob("*.xlsx"):
            wb = load_workbook(path)
            ws = wb.worksheets[0]
            assert ws.print_area, path.name
            assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
            assert ws.column_dimensions["A"].width and ws.column_dimensions["A"].width > 5
            for row in ws.iter_rows():
                for cell in row:
                    assert not (isinstance(cell.value, str) and "{{" in cell.value), path.name
    daily = next(pack_dirs["internet-om"].glob("*日常巡检记录*.xlsx"))
    ws = load_workbook(daily).worksheets[0]
    assert ws.freeze_panes == "A4"
    assert isinstance(ws["A4"].value, datetime) and ws["A4"].is_date
    report = next(pack_dirs["portal-om"].glob("*运维月报*.xlsx"))
    wb = load_workbook(report)
    rates = {r[0].value: r[1].value for r in wb["概况"].iter_rows(min_row=3) if r[0].value}
    assert isinstance(rates["故障总数"], int) and isinstance(rates["服务请求总数"], int)
    assert rates["巡检完成率"] is None or isinstance(rates["巡检完成率"], float)


@pytest.mark.slow
def test_every_form_kind_exports_word_and_excel(demo_store, tmp_path: Path) -> None:
    with demo_store.session() as s:
        fault = s.scalar(select(FaultRecord).where(FaultRecord.closed_at.is_not(None)).limit(1))
        req = s.scalar(select(ServiceRequest).limit(1))
        from db.models import HolidayPeriod, InspectionRun

        run = s.scalar(select(InspectionRun).where(InspectionRun.status == "signed").limit(1))
        holiday = s.scalar(select(HolidayPeriod).where(HolidayPeriod.name == "国庆节").limit(1))
        ids = {
            "fault_report": fault.id,
            "service_record": req.id,
            "inspection_record": run.id,
            "holiday_check": holiday.id,
        }
    for kind, form in FORMS.items():
        for fmt in form.formats:
            out = tmp_path / f"{kind}.{fmt}"
            result = packs.export_form(
                demo_store,
                kind,
                out,
                record_id=ids.get(kind),
                contract=None if kind in ids else "internet-om",
                start=date(2026, 10, 1),
                end=date(2026, 10, 31),
                deliverable_code=INTERNET_OM_DELIVERABLE.get(kind, ""),
                exporter="测试",
                now=NOW,
                allow_incomplete=True,  # every kind renders, 「待补充」 or not
            )
            assert result.size > 1000 and out.is_file()
            if fmt == "docx":
                text = _docx_text(out.read_bytes())
                assert "{{" not in text and len(text) > 50, kind
            else:
                assert load_workbook(out).worksheets


def test_a_form_of_several_deliverables_asks_which_one(demo_store, tmp_path: Path) -> None:
    """internet-om hands in a half-year and a year-end 年度巡检维护汇总表: the title of the first
    one was printed on any period's summary. Which one must be said; the name it gives is the
    title."""
    out = tmp_path / "annual.docx"

    def export(code: str = "") -> packs.FormResult:
        return packs.export_form(
            demo_store,
            "annual_summary",
            out,
            contract="internet-om",
            start=date(2026, 1, 20),
            end=date(2026, 10, 31),
            deliverable_code=code,
            exporter="测试",
            now=NOW,
            allow_incomplete=True,
        )

    with pytest.raises(packs.ExportError) as asked:
        export()
    assert str(asked.value) == (
        "「年度巡检维护汇总表」是合同 internet-om 的 2 项交付物：half-year-summary（年度巡检维护"
        "汇总表（半年））、annual-summary（年度巡检维护汇总表（年终））。请用 --deliverable 指定"
        "导出为哪一项（决定表单的标题和客户模板）。未导出任何文件。"
    )
    assert not out.exists()
    export("annual-summary")
    assert "年度巡检维护汇总表（年终）" in _docx_text(out.read_bytes())


def test_the_holiday_sheet_says_what_is_missing_and_names_each_column_once(demo_store) -> None:
    """October's demo starts on the 1st: National Day's 节前检查 (30 Sep) was never made."""
    from db.models import HolidayPeriod

    with demo_store.session() as s:
        contract = get_contract(s, "internet-om")
        holiday = s.scalar(
            select(HolidayPeriod).where(
                HolidayPeriod.contract_id == contract.id, HolidayPeriod.name == "国庆节"
            )
        )
        data = ExportData(s, contract)
        job = b.Job(kind="holiday_check", period=OCT, holiday_id=holiday.id, now=NOW)
        ctx = b.build(data, job)
        renderer = Renderer(s, contract)
        word, excel = renderer.render(ctx, "docx"), renderer.render(ctx, "xlsx")
    assert ctx.pre_date is None and not ctx.pre_items and ctx.events
    text = _docx_text(word)
    assert "一、节前检查（无记录）" in text and "本保障期没有已完成的节前检查记录。" in text
    assert "（，" not in text and "（）" not in text
    # the checklist has its own 事件及处置 item: the notes' column is named apart
    assert "事件及处置" in ctx.columns and ctx.note_title == "异常情况及处理"
    tables = Document(io.BytesIO(word)).tables
    header = next(t for t in tables if "值班人" in t.rows[0].cells[-1].text)
    titles = [cell.text for cell in header.rows[0].cells]
    assert titles.count("事件及处置") == 1 and "异常情况及处理" in titles
    sheet = load_workbook(io.BytesIO(excel)).worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "异常情况及处理" in cells
    assert not [n for r in ctx.days for n in r.note.splitlines() if "。；处理" in n]
    assert re.search(r"期间故障/事件：.+。\n", text + "\n") and "；\n" not in text + "\n"


def test_a_fault_answered_outside_the_service_hours_prints_its_clock_time(demo_store) -> None:
    """internet-om is 5×8: a National Day fault's SLA minutes are 0, its clock time is not."""
    with demo_store.session() as s:
        contract = get_contract(s, "internet-om")
        fault = s.scalar(
            select(FaultRecord)
            .where(
                FaultRecord.contract_id == contract.id,
                FaultRecord.reported_at >= datetime(2026, 10, 1),
                FaultRecord.reported_at < datetime(2026, 10, 8),
                FaultRecord.responded_at.is_not(None),
            )
            .limit(1)
        )
        assert fault is not None, "the demo's National Day has its emergencies"
        data = ExportData(s, contract)
        job = b.Job(kind="fault_report", period=OCT, record_ids=[fault.id], now=NOW)
        ctx = b.build(data, job)
        answered = round((fault.responded_at - fault.reported_at).total_seconds() / 60)
    response = next(t for t in ctx.timeline if t.step == "响应")
    assert response.actual == f"0分钟（服务时间内，历时 {answered}分钟）" and response.met


def test_a_one_off_deliverable_names_its_period_by_its_dates(demo_store) -> None:
    """终验材料 covers the contract period: its 期间 and first sentence say so (a blank label
    printed 「期间」 empty and began the summary with 「，共应巡检 …」); its file keeps its name."""
    with demo_store.session() as s:
        contract = get_contract(s, "internet-om")
        plan = packs.plan_range(
            s, contract, date(2026, 10, 1), date(2026, 12, 20), today=NOW.date()
        )
        final = next(f for f in plan.files if f.deliverable_code == "final-materials")
        data = ExportData(s, contract)
        job = b.Job(
            kind=final.kind, period=final.period, deliverable_code="final-materials", now=NOW
        )
        ctx = b.build(data, job)
    span = f"{contract.start_date} 至 {contract.end_date}"
    assert final.period.label == span and final.path.endswith("_终验材料.docx")
    assert ctx.overview.startswith(f"{span}，共应巡检 ")
    # its 交付物提交情况 shows which hand-ins were late, as its 报告按时交付率 counts them
    with demo_store.session() as s:
        found = ExportData(s, get_contract(s, "internet-om")).deadlines(NOW.date())
        late = [d for d in found if d.submitted and d.state == "done" and not d.submitted.on_time]
    assert late, "the demo hands a few deliverables in late"
    states = [x.state for x in ctx.deliverables]
    assert states.count("已提交（逾期）") == len(late)


def test_a_single_plan_uses_its_packs_period_and_texts_and_is_checked_like_a_pack(
    demo_store, tmp_path: Path
) -> None:
    """``omw export form emergency_plan``: the same 期间 and written chapters as in a pack,
    and refused as 「待补充」 while a chapter is empty (it printed bare headings)."""
    from app.export import narrative
    from app.export.completeness import IncompleteError

    out = tmp_path / "plan.docx"
    args = {"contract": "internet-om", "exporter": "测试", "now": NOW}
    with pytest.raises(IncompleteError, match=r"系统应急预案.*为空") as refused:
        packs.export_form(demo_store, "emergency_plan", out, **args)
    assert "--allow-incomplete" in refused.value.message and not out.exists()
    with demo_store.session() as s:
        contract = get_contract(s, "internet-om")
        data = ExportData(s, contract)
        sections = narrative.resolve(data, "emergency_plan", "emergency-plan", _once(data), NOW)
        for section in sections:
            narrative.save(
                s, contract, "emergency-plan", "once", section.key, f"{section.title}正文。"
            )
    packs.export_form(demo_store, "emergency_plan", out, **args)
    text = _docx_text(out.read_bytes())
    span = f"{contract.start_date} 至 {contract.end_date}"
    assert span in text and all(f"{x.title}正文。" in text for x in sections)


def _once(data: ExportData) -> PeriodInfo:
    d = next(d for d in data.deadlines(NOW.date()) if d.code == "emergency-plan")
    return PeriodInfo(key=d.period_key, label="", start=d.period_start, end=d.period_end)


def test_the_inspection_record_names_the_same_systems_in_word_and_excel(demo_store) -> None:
    """A check of several systems is 「3 个系统」 in Word; Excel printed its 系统 blank."""
    with demo_store.session() as s:
        contract = get_contract(s, "portal-om")
        data = ExportData(s, contract)
        ctx = b.build(data, b.Job(kind="inspection_record", period=OCT, now=NOW))
        excel = Renderer(s, contract).render(ctx, "xlsx")
    rows = list(load_workbook(io.BytesIO(excel)).worksheets[0].iter_rows(values_only=True))
    at = next(n for n, r in enumerate(rows) if "系统" in r)
    column = rows[at].index("系统")
    printed = [r[column] or "" for r in rows[at + 1 :]]
    scopes = [r.scope for r in ctx.runs]
    assert any(x.endswith("个系统") for x in scopes)
    assert printed[: len(scopes)] == scopes


def test_a_daily_check_of_many_items_prints_its_notes_under_each_row(pack_dirs) -> None:
    """internet-om's 运行监测检查 has 13 items: beside a notes column they printed a few
    characters a line. Its notes are now a row of their own across the table, kept with
    their row; the server check's 6 items keep the notes column."""
    from docx.oxml.ns import qn

    path = next(pack_dirs["internet-om"].glob("*日常巡检记录*.docx"))
    tables = Document(path).tables
    texts = {t._tbl: [[c.text for c in r.cells] for r in t.rows] for t in tables}
    monitor = next(t for t in tables if "死链检测" in texts[t._tbl][0])
    server = next(t for t in tables if "服务器状态" in texts[t._tbl][0])
    assert "异常情况及处理" in texts[server._tbl][0]
    assert "异常情况及处理" not in texts[monitor._tbl][0]
    columns = len(monitor._tbl.tblGrid.findall(qn("w:gridCol")))
    trs = monitor._tbl.tr_lst
    notes = [n for n, tr in enumerate(trs) if len(tr.tc_lst) == 1]
    assert notes, "the demo month has monitoring anomalies"
    for n in notes:
        cell = trs[n].tc_lst[0]
        assert int(cell.tcPr.find(qn("w:gridSpan")).get(qn("w:val"))) == columns
        assert "".join(t.text for t in cell.iter(qn("w:t"))).startswith("异常情况及处理：")
        above = trs[n - 1]
        assert len(above.tc_lst) == columns
        assert all(p.pPr is not None and p.pPr.keepNext is not None for p in above.iter(qn("w:p")))
    # a row without notes does not keep with the next (the table may break anywhere else)
    plain = next(
        tr for n, tr in enumerate(trs[1:-1], 1) if n + 1 not in notes and len(tr.tc_lst) > 1
    )
    assert not any(p.pPr is not None and p.pPr.keepNext is not None for p in plain.iter(qn("w:p")))
    # no row is split over two pages (its last line alone on the next), as in data_table
    assert all(tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None for tr in trs)
    # the monitoring platform checks the contract as a whole: 系统 says so, not blank
    assert {r[1] for r in texts[monitor._tbl][1:] if len(set(r)) > 1} == {"—"}


def test_signature_images_names_and_dates(demo_store, tmp_path: Path) -> None:
    with demo_store.session() as s:
        sig = s.scalar(select(Signature).where(Signature.record_type == "fault_record").limit(1))
        assert sig is not None
        fault_id = sig.record_id
        signed = s.scalars(select(Signature).where(Signature.record_id == fault_id)).all()
        names = {x.signer_name for x in signed}
        req_sig = s.scalar(
            select(Signature).where(Signature.record_type == "service_request").limit(1)
        )
    out = packs.export_form(demo_store, "fault_report", tmp_path / "f.docx", record_id=fault_id)
    body = out.path.read_bytes()
    assert len(_media(body, "word/media/")) >= 1
    xml = _docx_xml(body)
    assert xml.count("<w:drawing>") >= len(signed)
    text = _docx_text(body)
    for name in names:
        assert name in text
    assert f"{signed[0].signed_at:%Y-%m-%d}" in text
    # Excel: the signature pictures are in the workbook
    xl = packs.export_form(
        demo_store, "service_record", tmp_path / "s.xlsx", record_id=req_sig.record_id
    )
    assert _media(xl.path.read_bytes(), "xl/media/")
    assert load_workbook(xl.path).worksheets[0]._images


def test_unsigned_signature_cells_stay_blank(demo_store, tmp_path: Path) -> None:
    out = packs.export_form(
        demo_store, "satisfaction_survey", tmp_path / "m.docx", contract="portal-om"
    )
    doc = Document(out.path)
    block = doc.tables[-1]
    assert "运维人员" in block.rows[0].cells[0].text
    assert block.rows[1].cells[0].text.strip() == ""
    assert "<w:drawing>" not in block._tbl.xml
    assert block.rows[2].cells[0].text.strip() == "签字人："


def test_monthly_report_statistics_from_store_and_equal_in_word_and_excel(
    demo_store,
) -> None:
    with demo_store.session() as s:
        contract = get_contract(s, "portal-om")
        data = ExportData(s, contract)
        ctx = b.build(data, b.Job(kind="monthly_report", period=OCT, exporter="测试", now=NOW))
        renderer = Renderer(s, contract)
        word = renderer.render(ctx, "docx")
        excel = renderer.render(ctx, "xlsx")
        lo, hi = datetime(2026, 10, 1), datetime(2026, 11, 1)
        superseded = select(FaultRecord.supersedes_id).where(FaultRecord.supersedes_id.is_not(None))
        faults = s.scalar(
            select(func.count()).where(
                FaultRecord.contract_id == contract.id,
                FaultRecord.reported_at >= lo,
                FaultRecord.reported_at < hi,
                FaultRecord.id.not_in(superseded),
            )
        )
        rs = select(ServiceRequest.supersedes_id).where(ServiceRequest.supersedes_id.is_not(None))
        requests = s.scalar(
            select(func.count()).where(
                ServiceRequest.contract_id == contract.id,
                ServiceRequest.received_at >= lo,
                ServiceRequest.received_at < hi,
                ServiceRequest.id.not_in(rs),
            )
        )
    assert ctx.faults_total == faults and ctx.requests_total == requests
    assert sum(x.count for x in ctx.requests_by_channel) == requests
    assert sum(x.count for x in ctx.faults_by_system) == faults
    assert ctx.inspections_planned > 100 and 0 < (ctx.inspection_rate or 0) <= 1
    text = _docx_text(word)
    wb = load_workbook(io.BytesIO(excel))
    overview = {r[0].value: r[1].value for r in wb["概况"].iter_rows(min_row=3) if r[0].value}
    for label, field in (
        ("巡检完成率", "inspection_rate"),
        ("故障响应及时率", "response_rate"),
        ("故障解决率", "resolution_rate"),
        ("SLA 达成率", "sla_rate"),
        ("电话一次解决率", "first_call_rate"),
    ):
        value = getattr(ctx, field)
        assert overview[label] == value
        assert f"{label}\n{fmt_pct(value)}" in text or fmt_pct(value) in text
    assert overview["故障总数"] == faults and f"本月共发生故障 {faults} 起" in text
    bars = ctx.charts["faults_by_system"]
    assert any(x.name == "（未指定）" for x in ctx.faults_by_system)  # the case this checks
    assert sum(bars.series[0][1]) == faults  # the chart adds up as the table beside it
    assert {x.name for x in ctx.faults_by_system} <= set(bars.categories)
    sla_sheet = {r[0].value: r for r in wb["SLA达成"].iter_rows(min_row=5) if r[0].value}
    for row in ctx.sla:
        assert sla_sheet[row.name][2].value == row.numerator
        assert sla_sheet[row.name][3].value == row.denominator
        assert f"{row.numerator}/{row.denominator}" in text
    with zipfile.ZipFile(io.BytesIO(excel)) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
    if charts.cjk_font_available():
        assert len(_media(word, "word/media/")) >= 3  # three chart pictures
    # the demo's only month: the contract's months before it have no records, and are not
    # printed as months of 0.0 % and no faults (the app was taken up in October)
    assert [t.month for t in ctx.trend] == ["2026年10月"]
    assert "2026年9月" not in text and "2026年5月" not in text
    # The 巡检情况 table has a row per scheduled check; National Day's holiday checks have
    # none, yet their findings are the month's: the sentence beside the table says so.
    table = sum(x.findings for x in ctx.inspections)
    holiday = [x for x in ctx.findings if x.name in ("节前检查", "节日期间每日检查", "节后检查")]
    assert holiday and table + len(holiday) == len(ctx.findings)
    assert ctx.findings_note == f"（下表各巡检 {table} 个，节假日检查 {len(holiday)} 个）"
    assert f"发现问题 {len(ctx.findings)} 个{ctx.findings_note}，已整改" in text
    assert f"发现问题 {len(ctx.findings)} 个（其中节假日检查 {len(holiday)} 个）" in ctx.overview
    assert overview["本月工作概述"] == ctx.overview


def test_a_report_with_one_month_of_rates_draws_them_as_bars_not_a_trend(demo_store) -> None:
    """A line of one month printed two dots under 「…趋势」 (the first report of a contract;
    here the demo's only month). A trend of two months or more: tests/test_profile_2022.py."""
    with demo_store.session() as s:
        contract = get_contract(s, "portal-om")
        ctx = b.build(ExportData(s, contract), b.Job(kind="monthly_report", period=OCT, now=NOW))
    assert [t.month for t in ctx.trend] == ["2026年10月"]  # the months before have no records
    chart = ctx.charts["sla_trend"]
    assert chart.kind == "bar" and chart.categories == ["2026年10月"]
    assert chart.title == "SLA 达成率与巡检完成率（2026年10月）"
    assert chart.series == [("SLA 达成率", [ctx.sla_rate]), ("巡检完成率", [ctx.inspection_rate])]


@pytest.mark.needs_tool("cjk-font")
def test_chart_font_is_shipped_or_installed() -> None:
    png = charts.render_png(
        charts.Chart(key="t", title="测试图表", categories=["门户应用"], series=[("数", [1.0])])
    )
    assert png is not None and png.startswith(b"\x89PNG")
