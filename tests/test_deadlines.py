"""Deliverable occurrences and their due dates on the statutory working-day calendar.

Calendar facts (chinesecalendar 1.11): 国庆节 2026-10-01..10-07, then 10-08
(Thu), 10-09 (Fri) and the make-up Saturday 10-10 are the first three working
days of October, so a report due on the 3rd working day of October 2026 is due
on 2026-10-10. 劳动节 2026-05-01..05-05: 3rd working day of May is 05-08.
2027 is unknown to the library: dates there are assumed (Mon–Fri + user days).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import Profile
from app.contracts.registry import install_profile
from app.errors import DomainError
from app.schedule import holidays
from app.schedule.deadlines import (
    ON_DUE_DATE_NOTE,
    Deadline,
    deadlines,
    deadlines_json,
    mark_all_submitted,
    mark_submitted,
)
from app.schedule.due import due_on
from app.schedule.workcal import set_override
from app.storage.store import Store
from db.models import Contract, DeliverableSubmission, FaultRecord, HolidayPeriod
from tests.test_due import install, make_profile

D = date.fromisoformat


def _deliverable(code: str, **due: Any) -> dict[str, Any]:
    return {"code": code, "name": f"{code} 交付物", "form": code, "due": due}


PORTAL_DELIVERABLES = [
    _deliverable("monthly-report", rule="nth_workday_next_month", n=3),
    _deliverable("midterm", rule="workdays_after", event="month_end", month=6, n=5),
    _deliverable("final", rule="workdays_after", event="contract_end", n=5),
    _deliverable("deploy-list", rule="within_period", period="contract"),
    _deliverable("holiday-sheet", rule="workdays_after", event="holiday_end", n=2),
]
INTERNET_DELIVERABLES = [
    _deliverable("analysis", rule="nth_workday_next_month", n=3),
    _deliverable("plan", rule="fixed_date", on="2026-02-06"),
    _deliverable("fault-report", rule="workdays_after", event="fault_closed", n=2),
    _deliverable("daily-log", rule="within_period", period="month"),
    _deliverable("quarterly", rule="within_period", period="quarter"),
    _deliverable("half", rule="within_period", period="half_year"),
    _deliverable("yearly", rule="within_period", period="year"),
]


@pytest.fixture
def portal(store: Store) -> Iterator[Session]:
    """7×24, 2026-03-01..2027-02-28, 劳动节/国庆节/春节."""
    install(store, make_profile("portal", deliverables=PORTAL_DELIVERABLES))
    with store.session() as session:
        yield session


@pytest.fixture
def internet(store: Store) -> Iterator[Session]:
    """5×8, 2026-01-20..2026-12-20."""
    install(
        store,
        make_profile(
            "internet", "5x8", "2026-01-20", "2026-12-20", deliverables=INTERNET_DELIVERABLES
        ),
    )
    with store.session() as session:
        yield session


def _of(found: list[Deadline], code: str) -> list[Deadline]:
    return [d for d in found if d.code == code]


def _one(found: list[Deadline], code: str, key: str) -> Deadline:
    (match,) = [d for d in found if d.code == code and d.period_key == key]
    return match


def test_monthly_report_due_on_the_third_working_day_of_next_month(portal: Session) -> None:
    found = deadlines(portal, "portal", today=D("2026-10-01"))
    reports = _of(found, "monthly-report")
    assert [d.period_key for d in reports][:2] == ["2026-03", "2026-04"]
    assert len(reports) == 12
    september = _one(found, "monthly-report", "2026-09")
    assert september.due_date == D("2026-10-10")  # the make-up Saturday
    assert september.rule == "次月第3个工作日"
    assert (september.period_start, september.period_end) == (D("2026-09-01"), D("2026-09-30"))
    assert september.window_start == D("2026-09-30")
    assert not september.assumed
    assert _one(found, "monthly-report", "2026-04").due_date == D("2026-05-08")  # after 劳动节
    assert september.state == "due"
    assert _one(found, "monthly-report", "2026-08").state == "overdue"  # due 09-03
    # December's report is due in January 2027, a year the library does not know.
    december = _one(found, "monthly-report", "2026-12")
    assert december.due_date == D("2027-01-05")  # 01-01 is a Friday under the fallback
    assert december.assumed


def test_a_user_entered_holiday_moves_an_assumed_due_date(portal: Session) -> None:
    set_override(portal, D("2027-01-01"), workday=False, name="元旦")
    found = deadlines(portal, "portal", today=D("2026-10-01"))
    assert _one(found, "monthly-report", "2026-12").due_date == D("2027-01-06")


def test_partial_first_and_last_months(internet: Session) -> None:
    found = deadlines(internet, "internet", today=D("2026-01-20"))
    first = _one(found, "analysis", "2026-01")
    assert (first.period_start, first.period_end) == (D("2026-01-20"), D("2026-01-31"))
    assert first.due_date == D("2026-02-04")
    assert first.period_label == "2026年1月（20日至31日）"
    last = _one(found, "analysis", "2026-12")
    assert (last.period_start, last.period_end) == (D("2026-12-01"), D("2026-12-20"))
    assert last.due_date == D("2027-01-05") and last.assumed
    assert len(_of(found, "analysis")) == 12


def test_event_rules(portal: Session) -> None:
    found = deadlines(portal, "portal", today=D("2026-10-01"))
    midterm = _one(found, "midterm", "2026-08")  # contract month 6 = August 2026
    assert midterm.due_date == D("2026-09-07")  # 5 working days after 08-31
    assert midterm.rule == "合同第6个月结束后5个工作日内"
    assert (midterm.period_start, midterm.period_end) == (D("2026-03-01"), D("2026-08-31"))
    final = _one(found, "final", "contract")
    assert final.due_date == D("2027-03-05") and final.assumed  # after Sunday 2027-02-28
    assert final.rule == "合同期满后5个工作日内"
    deploy = _one(found, "deploy-list", "contract")
    assert deploy.due_date == D("2027-02-26") and deploy.assumed
    assert deploy.window_start == D("2026-03-01")
    national = portal.scalar(select(HolidayPeriod).where(HolidayPeriod.name == "国庆节"))
    assert national is not None
    sheet = _one(found, "holiday-sheet", national.id)
    assert sheet.due_date == D("2026-10-09")  # 10-08, 10-09
    assert sheet.period_label == "国庆节（2026-10-01 至 2026-10-07）"
    assert [d.period_start for d in _of(found, "holiday-sheet")] == [
        D("2026-05-01"),
        D("2026-10-01"),
    ]


def test_fixed_date_and_periods(internet: Session) -> None:
    found = deadlines(internet, "internet", today=D("2026-02-01"))
    plan = _one(found, "plan", "once")
    assert plan.due_date == D("2026-02-06")
    assert plan.window_start == D("2026-01-23")
    assert plan.rule == "2026年2月6日前"
    q1 = _one(found, "quarterly", "2026-Q1")
    assert (q1.period_start, q1.due_date) == (D("2026-01-20"), D("2026-03-31"))
    q4 = _one(found, "quarterly", "2026-Q4")
    assert (q4.period_end, q4.due_date) == (D("2026-12-20"), D("2026-12-18"))
    assert q4.period_label == "2026年第4季度（2026-10-01 至 2026-12-20）"
    assert [d.period_key for d in _of(found, "half")] == ["2026-H1", "2026-H2"]
    assert [d.due_date for d in _of(found, "yearly")] == [D("2026-12-18")]
    # the month of 春节: 2026-02-28 is a make-up Saturday, the last working day
    assert _one(found, "daily-log", "2026-02").due_date == D("2026-02-28")
    assert _one(found, "daily-log", "2026-10").due_date == D("2026-10-30")
    assert _one(found, "daily-log", "2026-10").rule == "当月最后一个工作日前"


def _fault(
    session: Session, number: str, closed: datetime | None, supersedes: str | None = None
) -> FaultRecord:
    contract = session.scalar(select(Contract).where(Contract.code == "internet"))
    assert contract is not None
    fault = FaultRecord(
        contract_id=contract.id,
        number=number,
        title="网站无法访问",
        level="normal",
        reported_at=datetime(2026, 9, 29, 10, 0),
        closed_at=closed,
        supersedes_id=supersedes,
    )
    session.add(fault)
    session.flush()
    return fault


def test_one_fault_report_per_closed_fault(internet: Session) -> None:
    original = _fault(internet, "GZ-2026-001", datetime(2026, 9, 30, 18, 0))
    _fault(internet, "GZ-2026-001", datetime(2026, 9, 30, 18, 0), supersedes=original.id)
    _fault(internet, "GZ-2026-002", None)  # still open
    found = deadlines(internet, "internet", today=D("2026-10-01"))
    (report,) = _of(found, "fault-report")
    assert report.period_key == "GZ-2026-001"
    assert report.due_date == D("2026-10-09")  # 2 working days after 09-30 across 国庆节
    assert report.window_start == D("2026-09-30")
    assert report.rule == "故障关闭后2个工作日内"


def test_range_filter_and_json(internet: Session) -> None:
    found = deadlines(internet, "internet", D("2026-10-01"), D("2026-10-31"), today=D("2026-10-01"))
    assert found and all(D("2026-10-01") <= d.due_date <= D("2026-10-31") for d in found)
    assert [d.due_date for d in found] == sorted(d.due_date for d in found)
    data = deadlines_json(internet, "internet", None, None, D("2026-10-01"))
    assert data["contract"] == "internet"
    assert data["from"] == "2026-01-20" and data["to"] == "2027-01-05"
    assert data["assumed"] is True
    row = data["deadlines"][0]
    assert {"code", "name", "period_key", "due_date", "rule", "state", "assumed"} <= set(row)
    assert isinstance(row["due_date"], str)


def test_submissions_make_occurrences_done(internet: Session) -> None:
    sub = mark_submitted(
        internet,
        "internet",
        "analysis",
        "2026-09",
        submitted_at=datetime(2026, 10, 12, 15, 0),
        file_name="2026年9月月度分析报告.docx",
    )
    assert sub.due_date == D("2026-10-10")  # 3rd working day: 10-08, 10-09, 10-10 (Sat)
    found = deadlines(internet, "internet", today=D("2026-10-12"))
    september = _one(found, "analysis", "2026-09")
    assert september.state == "done"
    assert september.submitted is not None and september.submitted.on_time is False
    # Relative to a day before the hand-in, it was not done yet.
    earlier = _one(deadlines(internet, "internet", today=D("2026-10-09")), "analysis", "2026-09")
    assert earlier.state == "due" and earlier.submitted is None
    with pytest.raises(DomainError, match="已于 2026-10-12 15:00 登记提交"):
        mark_submitted(internet, "internet", "analysis", "2026-09")
    # An export alone does not count as handed in.
    mark_submitted(
        internet,
        "internet",
        "analysis",
        "2026-08",
        state="exported",
        submitted_at=datetime(2026, 10, 11, 9, 0),
    )
    # It is 「已导出，待提交」 (the work is done, the hand-in pending), not red 已逾期.
    august = _one(deadlines(internet, "internet", today=D("2026-10-12")), "analysis", "2026-08")
    assert august.state == "exported"  # due 2026-09-03, exported 10-11, not handed in
    assert august.submitted is not None and august.submitted.state == "exported"
    # Before the export it was overdue; handed in afterwards it is done.
    before = _one(deadlines(internet, "internet", today=D("2026-10-10")), "analysis", "2026-08")
    assert before.state == "overdue" and before.submitted is None
    mark_submitted(
        internet, "internet", "analysis", "2026-08", submitted_at=datetime(2026, 10, 12, 9, 0)
    )
    august = _one(deadlines(internet, "internet", today=D("2026-10-12")), "analysis", "2026-08")
    assert august.state == "done" and august.submitted is not None
    assert august.submitted.on_time is False


def test_mark_submitted_validates(internet: Session) -> None:
    with pytest.raises(DomainError, match="没有代码为 “nope” 的交付物"):
        mark_submitted(internet, "internet", "nope", "2026-09")
    with pytest.raises(DomainError, match="没有期间 “2025-09”"):
        mark_submitted(internet, "internet", "analysis", "2025-09")
    with pytest.raises(DomainError, match="提交状态"):
        mark_submitted(internet, "internet", "analysis", "2026-09", state="sent")
    assert internet.scalar(select(DeliverableSubmission)) is None


def test_months_handed_in_before_the_app_are_registered_together(internet: Session) -> None:
    """A contract taken up mid-way: its earlier deliverables, all 已逾期, are registered at
    once, each on its own due date (noted), so they do not count as handed in late."""
    today = D("2026-10-12")
    overdue = [d for d in deadlines(internet, "internet", today=today) if d.state == "overdue"]
    assert len(overdue) >= 5
    assert mark_all_submitted(internet, "internet", overdue, None) == len(overdue)
    after = {(d.code, d.period_key): d for d in deadlines(internet, "internet", today=today)}
    for item in overdue:
        done = after[(item.code, item.period_key)]
        assert done.state == "done" and done.submitted is not None
        assert done.submitted.submitted_at.date() == item.due_date and done.submitted.on_time
        assert done.submitted.note == ON_DUE_DATE_NOTE
    # the acceptance report's 交付物提交情况 says how they were registered
    from app.contracts.registry import get_contract
    from app.export.build import _deliverables
    from app.export.data import ExportData

    shown = _deliverables(ExportData(internet, get_contract(internet, "internet")), today)
    assert [x.state for x in shown].count("已提交（补登）") == len(overdue)
    # those already handed in are skipped; the rest take the date given
    due = [d for d in after.values() if d.state == "due" and d.window_start <= today]
    assert due
    at = datetime(2026, 10, 12, 9, 0)
    assert mark_all_submitted(internet, "internet", [*overdue, *due], at) == len(due)
    # a date before an item can be handed in: refused, naming it (the caller's unit of work
    # is rolled back, so none of them is registered)
    later = next(d for d in deadlines(internet, "internet", today=today) if d.window_start > today)
    with pytest.raises(DomainError, match=f"最早 {later.window_start:%Y-%m-%d} 才能提交"):
        mark_all_submitted(internet, "internet", [later], at)


def test_deliverables_in_what_is_due(portal: Session) -> None:
    on_oct_8 = due_on(portal, "portal", D("2026-10-08"), overdue_days=0)
    report = [i for i in on_oct_8.items if i.kind == "deliverable" and i.code == "monthly-report"]
    by_key = {i.period_key: i for i in report}
    assert by_key["2026-09"].state == "due" and by_key["2026-09"].deadline == D("2026-10-10")
    assert by_key["2026-08"].state == "overdue"  # never handed in (due 09-03)
    assert "2026-10" not in by_key  # its window opens on 10-31
    mark_submitted(
        portal, "portal", "monthly-report", "2026-09", submitted_at=datetime(2026, 10, 9, 11)
    )
    on_9 = due_on(portal, "portal", D("2026-10-09"), overdue_days=0)
    (done,) = [i for i in on_9.items if i.code == "monthly-report" and i.period_key == "2026-09"]
    assert done.state == "done"
    on_10 = due_on(portal, "portal", D("2026-10-10"), overdue_days=0)
    assert not [i for i in on_10.items if i.code == "monthly-report" and i.period_key == "2026-09"]
    # holiday deliverables refer to their holiday period
    sheet = [i for i in on_10.items if i.code == "holiday-sheet"]
    assert sheet and sheet[0].holiday_period_id == sheet[0].period_key


def _builtin_profiles() -> dict[str, Profile]:
    """The shipped profiles, or nothing while they are not there yet."""
    try:
        from app.contracts.profiles import load_builtin_profiles
    except ImportError:
        return {}
    try:
        return {p.code: p for p in load_builtin_profiles()}
    except DomainError:
        return {}


BUILTIN = _builtin_profiles()


@pytest.mark.skipif("portal-om" not in BUILTIN, reason="built-in profiles not present")
def test_builtin_portal_monthly_report(store: Store) -> None:
    profile = BUILTIN["portal-om"]
    monthly = [
        d for d in profile.deliverables if d.due.rule == "nth_workday_next_month" and d.due.n == 3
    ]
    if not monthly:
        pytest.skip("portal-om has no 3rd-working-day deliverable")
    with store.session() as session:
        contract = install_profile(session, profile, builtin=True)
        holidays.sync_statutory_holidays(session, contract)
        found = deadlines(session, contract, today=D("2026-10-01"))
        assert _one(found, monthly[0].code, "2026-09").due_date == D("2026-10-10")
        report = due_on(session, contract, D("2026-10-03"))
        assert report.holiday == "国庆节"
        assert any(i.kind == "holiday_check" and i.state == "due" for i in report.items)


@pytest.mark.skipif("internet-om" not in BUILTIN, reason="built-in profiles not present")
def test_builtin_internet_due_on_makeup_saturday(store: Store) -> None:
    with store.session() as session:
        contract = install_profile(session, BUILTIN["internet-om"], builtin=True)
        holidays.sync_statutory_holidays(session, contract)
        daily = {t.code for t in contract.templates if t.cadence == "daily" and t.active}
        saturday = due_on(session, contract, D("2026-10-10"), overdue_days=0)
        assert daily and daily <= {i.code for i in saturday.items}
        sunday = due_on(session, contract, D("2026-10-11"), overdue_days=0)
        assert not daily & {i.code for i in sunday.items if i.state != "overdue"}
