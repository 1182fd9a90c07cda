"""A user's contract with real 2022 dates: the statutory calendar, the packs, the forms.

The profile (``tests/fixtures/internet-om-2022.yaml``) is the built-in internet-om
moved to 2022-03-01 … 2023-02-28, installed as a user's profile is. Demo records
of September and October 2022 are generated on it; October 2022 holds 国庆节 with
its 调休 Saturdays and Sundays (10-08, 10-09). The calendar facts below are written
by hand from the State Council's 2022 notice, not taken from the code under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.contracts.profiles import builtin_profile_paths, read_profile_data, validate_profile
from app.contracts.registry import get_contract, install_profile
from app.demo.generator import generate
from app.export import narrative, packs
from app.export.build import Job, build
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.schedule.holidays import sync_all_holidays
from app.schedule.workcal import WorkCalendar
from app.storage.store import Store
from tests import test_pack_consistency as consistency
from tests.test_form_check import fc
from tests.tools import require_tool

FIXTURE = Path(__file__).parent / "fixtures" / "internet-om-2022.yaml"
CODE = "internet-om-2022"
MONTH = "2022-10"
NOW = datetime(2022, 11, 3, 9, 0)  # the pack is exported on the 3rd of the next month

#: 2022's statutory holidays as the State Council announced them (国办发明电〔2021〕11号).
HOLIDAYS_2022 = {
    "清明节": (date(2022, 4, 3), date(2022, 4, 5)),
    "劳动节": (date(2022, 4, 30), date(2022, 5, 4)),
    "端午节": (date(2022, 6, 3), date(2022, 6, 5)),
    "中秋节": (date(2022, 9, 10), date(2022, 9, 12)),
    "国庆节": (date(2022, 10, 1), date(2022, 10, 7)),
}
#: Weekend days that were working days (调休上班) in the contract's 2022.
SHIFTED_WORKDAYS = (date(2022, 4, 2), date(2022, 4, 24), date(2022, 5, 7), date(2022, 10, 8))


def profile_2022() -> Any:
    """The fixture's overrides applied to the built-in internet-om profile."""
    overrides = read_profile_data(FIXTURE)
    base_code = overrides.pop("base")
    dates = overrides.pop("deliverable_dates")
    path = next(p for p in builtin_profile_paths() if p.stem == base_code)
    data = read_profile_data(path) | overrides
    for d in data["deliverables"]:
        if d["due"]["rule"] == "fixed_date":
            d["due"]["on"] = dates[d["code"]]  # every fixed date is moved (KeyError otherwise)
    return validate_profile(data, FIXTURE.name)


@pytest.fixture(scope="module")
def dir_2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the 2022 contract and its demo records of Sep–Oct 2022."""
    folder = tmp_path_factory.mktemp("y2022")
    store = Store.open(folder, actor="测试2022")
    try:
        with store.session() as session:
            install_profile(session, profile_2022())
            sync_all_holidays(session)
        generate(store, CODE, months=2, seed=3, until=date(2022, 10, 31))
    finally:
        store.close()
    return folder


@pytest.fixture
def store_2022(dir_2022: Path) -> Iterator[Store]:
    store = Store.open(dir_2022, actor="测试2022")
    yield store
    store.close()


def test_the_2022_contract_has_the_real_statutory_calendar(store_2022: Any) -> None:
    with store_2022.session() as session:
        contract = get_contract(session, CODE)
        assert (contract.start_date, contract.end_date) == (date(2022, 3, 1), date(2023, 2, 28))
        data = ExportData(session, contract)
        periods = {h.name: (h.start_date, h.end_date) for h in data.holidays}
        for name, span in HOLIDAYS_2022.items():
            assert periods.get(name) == span, name
        calendar = WorkCalendar.from_session(session)
        assert not calendar.assumed(date(2022, 3, 1), date(2023, 2, 28))
        for day in SHIFTED_WORKDAYS:
            assert day.weekday() >= 5 and calendar.is_workday(day), day
        for day in (date(2022, 10, 3), date(2022, 10, 7), date(2022, 6, 3)):
            assert day.weekday() < 5 and not calendar.is_workday(day), day


def test_the_2022_october_pack_is_consistent(store_2022: Any) -> None:
    with store_2022.session() as session:
        consistency._check_pack(
            session,
            CODE,
            MONTH,
            NOW,
            {"holiday_check", "daily_inspection_log", "phone_log", "monthly_report"},
        )
        plan = packs.plan_month(session, CODE, MONTH, today=NOW.date())
        assert not plan.incomplete, [m.reason for m in plan.incomplete]
        data = ExportData(session, get_contract(session, CODE))
        (report,) = narrative.pack_sections(data, plan.files, NOW)
        plan_text = next(s.text for s in report.sections if s.key == "next_plan")
        # November 2022 has 22 working days (no holiday): the daily checks of a 5×8 contract;
        # October's report is due on the 5th working day of November, Monday the 7th
        assert "服务器日常巡检（日，22 次）" in plan_text, plan_text
        assert "月度分析报告（2022年10月，11月7日前）" in plan_text, plan_text
        # September's plan prepares 国庆节: its 3 pre-holiday working days end Fri 09-30
        september = PeriodInfo("2022-09", "2022年9月", date(2022, 9, 1), date(2022, 9, 30))
        drafted = narrative.draft(data, "monthly_report", september, datetime(2022, 10, 9, 9))
        assert (
            "做好国庆节（10月1日至10月7日）节假日保障，9月30日前完成节前检查"
            in (drafted["next_plan"])
        )


def test_the_2022_october_report_draws_its_two_months_as_a_trend(store_2022: Any) -> None:
    with store_2022.session() as session:
        data = ExportData(session, get_contract(session, CODE))
        october = PeriodInfo(MONTH, "2022年10月", date(2022, 10, 1), date(2022, 10, 31))
        ctx = build(data, Job(kind="monthly_report", period=october, now=NOW))
    chart = ctx.charts["sla_trend"]
    assert chart.kind == "line" and chart.title == "SLA 达成率与巡检完成率趋势"
    assert chart.categories == ["2022年9月", "2022年10月"]
    # May–August (the contract began in March) have no records: not printed as 0.0 %
    assert [t.month for t in ctx.trend] == ["2022年9月", "2022年10月"]


@pytest.mark.slow
@pytest.mark.needs_tool("soffice", "pdftotext")
@pytest.mark.timeout(900)
def test_the_2022_october_forms_print_clean(dir_2022: Path, tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    files = fc.export_packs(dir_2022, tmp_path / "packs", (MONTH,), (CODE,))
    assert {"holiday_check", "monthly_report", "daily_inspection_log"} <= {f.kind for f in files}
    pdfs = fc.convert_all([f.path for f in files], tmp_path / "pdf", soffice=soffice, jobs=2)
    failures = []
    for f in files:
        bound = fc.PAGE_BOUNDS.get(("internet-om", f.kind, f.fmt))
        report = fc.check_file(f, pdfs[f.path], bound=bound, pdftotext=pdftotext)
        failures += [f"{f.path.name} {c}: {report.problems[c]}" for c in report.failed()]
    assert not failures, "\n".join(failures)
