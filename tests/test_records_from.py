"""启用日期 (``period.records_from``): a contract taken up in the app mid-way.

The built-in internet-om (2026-01-20 … 2026-12-20) with demo records of
September and October 2026, then a new version of its profile declaring that
the app's records begin on 2026-10-15. What came before is neither counted nor
shown as overdue; the forms say from when they count.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.cli.common import EXIT_USER_ERROR
from app.cli.main import main
from app.contracts.profiles import builtin_profile_paths, read_profile_data, validate_profile
from app.contracts.registry import get_contract, install_profile
from app.contracts.validation import ProfileError
from app.demo.generator import generate
from app.export import stats as st
from app.export.build import Job, build
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.schedule.deadlines import deadlines, mark_all_submitted
from app.schedule.due import due_on
from app.schedule.holidays import sync_all_holidays
from app.storage.store import Store

CODE = "internet-om"
BEGINS = date(2026, 10, 15)
NOW = datetime(2026, 10, 31, 18, 0)
YEAR = PeriodInfo("once", "2026年度", date(2026, 1, 20), date(2026, 12, 20))


def internet_om(**period: Any) -> dict[str, Any]:
    """The built-in internet-om profile's data, its ``period`` updated by ``period``."""
    path = next(p for p in builtin_profile_paths() if p.stem == CODE)
    data = read_profile_data(path)
    data["period"] = {**data["period"], **period}
    return data


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo records of Sep–Oct 2026, then the profile's version 2 declaring the 启用日期."""
    folder = tmp_path_factory.mktemp("records-from")
    store = Store.open(folder, actor="测试")
    try:
        generate(store, CODE, months=2, seed=5, until=NOW.date())
        with store.session() as session:
            install_profile(session, validate_profile(internet_om(records_from=BEGINS)))
    finally:
        store.close()
    return folder


@pytest.fixture
def data(folder: Path) -> Iterator[ExportData]:
    store = Store.open(folder, actor="测试")
    try:
        with store.session() as session:
            yield ExportData(session, get_contract(session, CODE))
    finally:
        store.close()


@pytest.mark.parametrize("given", ["2026-01-19", "2026-12-21"])
def test_the_start_date_lies_within_the_contract(given: str) -> None:
    with pytest.raises(ProfileError) as caught:
        validate_profile(internet_om(records_from=given), "internet-om.yaml")
    assert (
        "字段 period.records_from：启用日期（records_from）应在合同期内"
        f"（合同期 2026-01-20 至 2026-12-20，启用日期 {given}）"
    ) in str(caught.value)
    for edge in ("2026-01-20", "2026-12-20"):
        profile = validate_profile(internet_om(records_from=edge))
        assert profile.period.records_from == date.fromisoformat(edge)


def _as_if_undeclared(data: ExportData) -> ExportData:
    """The same store's figures had no 启用日期 been declared."""
    plain = ExportData(data.session, data.contract)
    plain.__dict__["records_start"] = data.contract.start_date  # the cached property, set
    return plain


def test_what_was_due_before_the_start_date_counts_only_if_recorded(data: ExportData) -> None:
    plain = _as_if_undeclared(data)
    september = st.period_stats(data, date(2026, 9, 1), date(2026, 9, 30), NOW)
    before = st.period_stats(plain, date(2026, 9, 1), date(2026, 9, 30), NOW)
    assert september.before_start and september.counted_from == BEGINS
    # the checks done count; those due and not done here are not missed
    assert september.done == before.done > 0
    assert september.planned == september.done + september.late
    # records are facts: every fault and request of the month counts all the same
    assert [f.id for f in september.faults] == [f.id for f in before.faults]
    assert [r.id for r in september.requests] == [r.id for r in before.requests]
    assert september.availability is None  # no outage is known before the 启用日期

    october = st.period_stats(data, date(2026, 10, 1), date(2026, 10, 31), NOW)
    whole = st.period_stats(plain, date(2026, 10, 1), date(2026, 10, 31), NOW)
    missed = [
        o
        for o, run in st.assigned(plain, date(2026, 10, 1), date(2026, 10, 31))
        if st.belongs_to(o, run) < BEGINS and not (run and run.completed_at)
    ]
    assert october.counted_from == BEGINS and not october.before_start
    assert october.planned == whole.planned - len(missed)
    assert october.done == whole.done
    assert [f.id for f in october.faults] == [f.id for f in whole.faults]


def test_the_annual_summary_says_what_it_counts(data: ExportData) -> None:
    ctx = build(data, Job(kind="annual_summary", period=YEAR, exporter="测试", now=NOW))
    months = [(m.month, m.planned, m.done, m.faults, m.requests) for m in ctx.months]
    september = st.period_stats(data, date(2026, 9, 1), date(2026, 9, 30), NOW)
    # January to August hold nothing: the row is September's
    assert months[0] == (
        "2026年1月至9月\n（启用前）",  # the mark on a line of its own in the narrow column
        september.planned,
        september.done,
        len(september.faults),
        len(september.requests),
    )
    assert ctx.months[0].availability is None
    assert months[1][0] == "2026年10月\n（15日启用）"
    assert [m[0] for m in months[2:]] == ["2026年11月", "2026年12月"]
    october = st.period_stats(data, date(2026, 10, 1), date(2026, 10, 31), NOW)
    assert months[1][1:3] == (october.planned, october.done)
    assert ctx.total.planned == sum(m[1] for m in months)
    assert ctx.analysis.startswith(
        "2026年度（本应用 2026-10-15 启用，此前未在本应用中记录的不计入）"
        f"共应巡检 {ctx.total.planned} 次，按时完成 {ctx.total.done} 次"
    )


def test_a_month_before_the_start_date_says_so(data: ExportData) -> None:
    september = PeriodInfo("2026-09", "2026年9月", date(2026, 9, 1), date(2026, 9, 30))
    ctx = build(data, Job(kind="monthly_inspection", period=september, now=NOW))
    s = st.period_stats(data, september.start, september.end, NOW)
    assert ctx.summary.startswith(
        "本月（本应用 2026-10-15 启用，此前未在本应用中记录的不计入）"
        f"应巡检 {s.planned} 次，按时完成 {s.done} 次"
    )


@pytest.fixture
def undeclared(isolated_dirs: Path) -> Iterator[tuple[Any, Any]]:
    """A session on a new store with internet-om installed without a 启用日期, and the
    contract (the 启用日期 is then declared in the test)."""
    store = Store.open(isolated_dirs, actor="测试")
    try:
        with store.session() as session:
            contract = install_profile(session, validate_profile(internet_om()))
            sync_all_holidays(session)
            yield session, contract
    finally:
        store.close()


def test_due_lists_nothing_from_before_the_start_date(undeclared: tuple[Any, Any]) -> None:
    session, contract = undeclared
    today = date(2026, 10, 20)
    before = due_on(session, contract, today)
    assert any(i.deadline < BEGINS and i.state == "overdue" for i in before.items)
    install_profile(session, validate_profile(internet_om(records_from=BEGINS)))
    report = due_on(session, contract, today)
    assert report.items and min(i.deadline for i in report.items) >= BEGINS
    assert report.begins is None  # begun
    early = due_on(session, contract, date(2026, 10, 12))
    assert early.begins == BEGINS
    assert all(i.deadline >= BEGINS for i in early.items)
    assert early.as_json()["begins"] == "2026-10-15"
    assert {i.state for i in report.items} >= {"overdue", "due"}  # 10-15 … 10-19
    found = deadlines(session, contract, today=today)
    early = [d for d in found if d.due_date < BEGINS]
    assert early and {d.state for d in early} == {"before_start"}
    assert {d.state for d in found if d.due_date >= BEGINS} <= {"due", "overdue"}
    # handed in outside the app: registered on their due dates, then done
    assert mark_all_submitted(session, contract, early, None) == len(early)
    again = deadlines(session, contract, today=today)
    assert {d.state for d in again if d.due_date < BEGINS} == {"done"}


def test_the_command_line_shows_the_start_date(
    capsys: pytest.CaptureFixture[str], isolated_dirs: Path
) -> None:
    import json

    import yaml

    folder = str(isolated_dirs)
    assert main(["--data-dir", folder, "init"]) == 0
    profile = isolated_dirs / "internet-om.yaml"
    profile.write_text(
        yaml.safe_dump(internet_om(records_from=BEGINS), allow_unicode=True), encoding="utf-8"
    )
    assert main(["--data-dir", folder, "profiles", "--install", str(profile)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", folder, "profiles"]) == 0
    assert "2026-01-20 至 2026-12-20（2026-10-15 启用）" in capsys.readouterr().out
    assert main(["--data-dir", folder, "profiles", "--json"]) == 0
    listed = {c["code"]: c for c in json.loads(capsys.readouterr().out)["contracts"]}
    assert listed[CODE]["records_from"] == "2026-10-15"
    assert listed["portal-om"]["records_from"] is None
    assert main(["--data-dir", folder, "due", "--contract", CODE, "--date", "2026-10-12"]) == 0
    assert "本合同在本应用中自 2026-10-15 启用（启用日期），此前到期的事项不列出。" in (
        capsys.readouterr().out
    )
    args = ["--data-dir", folder, "deadlines", "--contract", CODE, "--today", "2026-10-20"]
    assert main(args) == 0
    shown = capsys.readouterr().out
    assert "启用前" in shown and "已逾期" not in shown
    submit = ["--data-dir", folder, "submit", "--contract", CODE, "--overdue", "--on-due-date"]
    assert main([*submit, "--today", "2026-10-20"]) == 0
    capsys.readouterr()
    assert main(args) == 0
    assert "启用前" not in capsys.readouterr().out


def test_the_start_date_is_declared_and_withdrawn_from_the_command_line(
    capsys: pytest.CaptureFixture[str], isolated_dirs: Path
) -> None:
    folder = ["--data-dir", str(isolated_dirs)]
    assert main([*folder, "init"]) == 0
    capsys.readouterr()
    declare = [*folder, "profiles", "--contract", CODE, "--records-from"]
    # after the contract's end: refused, nothing changed
    assert main([*declare, "2027-01-05"]) == EXIT_USER_ERROR
    refused = capsys.readouterr().err
    assert "字段 period.records_from：启用日期（records_from）应在合同期内" in refused
    assert main([*folder, "profiles", "--records-from", "2026-10-15"]) == EXIT_USER_ERROR
    assert "--records-from 和 --contract 须一起给出" in capsys.readouterr().err
    assert main([*declare, "2026-10-15"]) == 0
    out = capsys.readouterr().out
    # no bundle exchanged yet: part of the profile as installed (version 1), no version row
    assert "合同 internet-om 启用日期为 2026-10-15（档案版本 1" in out
    assert "2026-01-20 至 2026-12-20（2026-10-15 启用）" in out
    store = Store.open(isolated_dirs, actor="测试")
    try:
        with store.session() as session:
            contract = get_contract(session, CODE)
            assert not contract.builtin  # the built-in installed again keeps the declaration
            assert ExportData(session, contract).records_start == BEGINS
    finally:
        store.close()
    assert main([*folder, "init"]) == 0
    assert main([*declare, "none"]) == 0
    out = capsys.readouterr().out
    assert "合同 internet-om 不再声明启用日期（自合同期开始统计）（档案版本 1" in out
    assert "（2026-10-15 启用）" not in out.rsplit("（档案版本 1", 1)[1]


def test_init_installs_the_built_in_contracts_with_a_start_date(
    capsys: pytest.CaptureFixture[str], isolated_dirs: Path
) -> None:
    """``omw init --records-from``: the window's first start, from the command line."""
    from app.contracts.versions import current_number

    folder = ["--data-dir", str(isolated_dirs)]
    assert main([*folder, "init", "--demo", "--records-from", "2026-10-15"]) == EXIT_USER_ERROR
    assert "--records-from 与 --demo 不能同时使用" in capsys.readouterr().err
    assert main([*folder, "init", "--records-from", "2026-02-10"]) == 0
    out = capsys.readouterr().out
    # internet-om's period holds it; portal-om begins 2026-03-01, so it counts from there
    assert "已载入合同：internet-om（2026-02-10 启用）、portal-om\n" in out
    store = Store.open(isolated_dirs, actor="测试")
    try:
        with store.session() as session:
            contract = get_contract(session, CODE)
            # version 1 (no row: still gives way to a PM's contract), the user's own
            assert (current_number(session, contract), contract.builtin) == (1, False)
            assert ExportData(session, contract).records_start == date(2026, 2, 10)
    finally:
        store.close()
    assert main([*folder, "init", "--records-from", "2026-11-02"]) == 0  # both installed already
    out = capsys.readouterr().out
    assert "已载入合同：internet-om（2026-02-10 启用）、portal-om\n" in out
    assert "未设启用日期：2026-11-02 不在尚未载入的内置合同的合同期内" in out


def test_the_month_of_the_start_date_agrees_across_its_pack(folder: Path) -> None:
    """October 2026, counted from the 15th: every figure two forms of its pack show agrees."""
    from tests import test_pack_consistency as consistency

    store = Store.open(folder, actor="测试")
    try:
        with store.session() as session:
            consistency._check_pack(
                session, CODE, "2026-10", NOW, {"daily_inspection_log", "monthly_report"}
            )
    finally:
        store.close()


def test_holiday_sheets_due_before_the_start_date_are_not_overdue(
    undeclared: tuple[Any, Any],
) -> None:
    from app.records.holiday_board import holiday_board, list_holidays

    session, contract = undeclared
    national = next(h for h in list_holidays(session, contract) if h.name == "国庆节")
    today = date(2026, 10, 20)
    sheets = holiday_board(session, contract, national.id, today).sheets
    assert sheets and {s.state for s in sheets} == {"overdue"}
    install_profile(session, validate_profile(internet_om(records_from=BEGINS)))
    after = holiday_board(session, contract, national.id, today).sheets
    assert {s.state for s in after} == {"before_start"}
    assert after[0].state_label == "启用前"


def test_a_revised_profile_file_keeps_the_start_date_it_does_not_mention(
    capsys: pytest.CaptureFixture[str], isolated_dirs: Path
) -> None:
    """A vendor's revised file (a system renamed) must not bring back months of 已逾期."""
    import yaml

    folder = ["--data-dir", str(isolated_dirs)]
    assert main([*folder, "init"]) == 0
    assert main([*folder, "profiles", "--contract", CODE, "--records-from", "2026-10-15"]) == 0
    capsys.readouterr()

    def install(**period: Any) -> str:
        data = internet_om(**period)
        data["systems"][0]["name"] += "（新版）"
        path = isolated_dirs / "revised.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert main([*folder, "profiles", "--install", str(path)]) == 0
        return capsys.readouterr().out

    assert "（2026-10-15 启用）" in install()  # not mentioned: kept (version 3)
    assert "（2026-10-15 启用）" not in install(records_from=None)  # null: withdrawn
    assert main([*folder, "profiles", "--contract", CODE, "--records-from", "2026-10-15"]) == 0
    capsys.readouterr()
    moved = install(start="2026-11-01")  # the new period no longer holds it: dropped
    assert "2026-11-01 至 2026-12-20" in moved and "启用）" not in moved
