"""Probe history in the monthly report: 运行监测 table, 响应时间趋势 and 可用性 charts.

The measurements are stored rows of several days (as probe runs leave them), so the
figures can be computed by hand: 网站/首页 answered in 100, 300 and 200 ms on three
days, and failed once on the third; 网上申报系统/首页 answered in 50 ms twice.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from docx import Document
from openpyxl import load_workbook

from app.contracts.profiles import read_profile_data, validate_profile
from app.contracts.registry import install_profile
from app.export import build as b
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.export.render import Renderer
from app.export.sandbox import fmt_num, shared_excel_env
from app.export.template_files import builtin_bytes
from app.export.xlsx_fast import FastExcelTemplate
from app.export.xlsx_render import ExcelTemplate
from app.storage.store import Store
from db.models import ProbeResult
from tests.test_export_engines import workbook_facts
from tests.test_probes import PROFILES

NOVEMBER = PeriodInfo(
    key="2026-11", label="2026年11月", start=date(2026, 11, 1), end=date(2026, 11, 30)
)
SEPTEMBER = PeriodInfo(
    key="2026-09", label="2026年9月", start=date(2026, 9, 1), end=date(2026, 9, 30)
)
NOW = datetime(2026, 12, 2, 9, 0)
ROWS = [
    ("website", "home", "http", datetime(2026, 11, 2, 9), "normal", 100.0),
    ("website", "home", "http", datetime(2026, 11, 3, 9), "normal", 300.0),
    ("website", "home", "http", datetime(2026, 11, 4, 9), "normal", 200.0),
    ("website", "home", "http", datetime(2026, 11, 4, 10), "abnormal", None),
    ("online-declaration", "home", "http", datetime(2026, 11, 2, 9), "normal", 50.0),
    ("online-declaration", "home", "http", datetime(2026, 11, 3, 9), "warning", 50.0),
    ("website", "home", "http", datetime(2026, 10, 31, 9), "abnormal", None),  # October
    ("website", "tamper", "tamper", datetime(2026, 11, 2, 9), "abnormal", 10.0),  # not counted
]
LABELS = {"website": "网站 / 首页", "online-declaration": "网上申报系统 / 首页"}


def test_monthly_report_monitoring(store: Store) -> None:
    with store.session() as s:
        contract = install_profile(
            s, validate_profile(read_profile_data(PROFILES / "internet-om.yaml"))
        )
        for system, target, kind, at, outcome, ms in ROWS:
            s.add(
                ProbeResult(
                    contract_id=contract.id,
                    batch_id=at.isoformat(),
                    kind=kind,
                    target=target,
                    system_code=system,
                    address="https://x.example/",
                    started_at=at,
                    outcome=outcome,
                    elapsed_ms=ms,
                    summary="",
                    details={"label": LABELS[system]},
                )
            )
        s.flush()
        data = ExportData(s, contract)
        ctx = b.build(data, b.Job(kind="monthly_report", period=NOVEMBER, exporter="测试", now=NOW))
        word = Renderer(s, contract).render(ctx, "docx")
        excel = Renderer(s, contract).render(ctx, "xlsx")
        quiet = b.build(
            data, b.Job(kind="monthly_report", period=SEPTEMBER, exporter="测试", now=NOW)
        )
    rows = [
        (r.system, r.kind, r.checks, r.failures, r.availability, r.mean_ms, r.max_ms)
        for r in ctx.monitoring
    ]
    assert rows == [
        ("网站 / 首页", "HTTP(S)", 4, 1, 0.75, 200.0, 300.0),
        ("网上申报系统 / 首页", "HTTP(S)", 2, 0, 1.0, 50.0, 50.0),
    ]
    trend = ctx.charts["response_trend"]
    # 11-4: 网上申报系统 was not checked; that day is left out rather than drawn as 0 ms
    assert trend.categories == ["11-2", "11-3"]
    assert trend.series == [("网站", [100.0, 300.0]), ("网上申报系统", [50.0, 50.0])]
    availability = ctx.charts["probe_availability"]
    assert availability.categories == ["网站", "网上申报系统"]
    assert availability.series == [("可用性", [0.75, 1.0])]
    text = "\n".join(
        "|".join(c.text for c in row.cells)
        for t in Document(io.BytesIO(word)).tables
        for row in t.rows
    )
    assert "网站 / 首页|HTTP(S)|4|1|75.00%|200|300" in text
    sheet = load_workbook(io.BytesIO(excel))["运行监测"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=5)]
    assert values[0][:5] == ["网站 / 首页", "HTTP(S)", 4, 1, 0.75]
    # the Word report's two charts, below the table in Excel, each in a row of its own
    assert ctx.monitoring_charts == [trend, availability]
    monitoring = excel_facts(ctx)["运行监测"]
    assert [chart[:3] for chart in monitoring["charts"]] == [
        (0, 6, "LineChart"),
        (0, 7, "BarChart"),
    ]
    assert monitoring["heights"][7] == monitoring["heights"][8] > 213  # a 7.5 cm chart fits
    # a month without probe runs: neither charts nor the rows made for them
    assert not quiet.monitoring and not quiet.monitoring_charts
    empty = excel_facts(quiet)["运行监测"]
    assert not empty["charts"] and max(empty["heights"].values()) < 100


def excel_facts(ctx: object) -> dict[str, object]:
    """The built-in Excel monthly report of ``ctx`` as a reader sees it (both engines agree)."""
    data = builtin_bytes("monthly_report", "xlsx")
    fast = FastExcelTemplate(data, shared_excel_env(), "fast").render(ctx)
    general = ExcelTemplate(data, shared_excel_env(), "general").render(ctx)
    facts = workbook_facts(fast)
    assert facts == workbook_facts(general)
    return facts


def test_a_number_printed_without_decimals_keeps_its_zeros() -> None:
    assert [fmt_num(200.2, 0), fmt_num(100.04, 1), fmt_num(1.5, 2), fmt_num(300.0, 0)] == [
        "200",
        "100",
        "1.5",
        "300",
    ]
