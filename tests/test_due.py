"""Holiday periods and their phases; what is due on a date for a contract.

Profiles are built in code (``make_profile``) so these tests do not depend on
the built-in profile files. Calendar facts (chinesecalendar 1.11): 国庆节 2026
is 10-01..10-07 with 10-10 (Sat) a make-up working day; 春节 2026 is
02-15..02-23 with 02-14 (Sat) a make-up day; 2027 is unknown to the library.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import HolidaySettings, Profile
from app.contracts.registry import install_profile
from app.errors import DomainError
from app.schedule import holidays
from app.schedule.due import DueItem, DueReport, due_on
from app.schedule.workcal import WorkCalendar, set_holiday_range, set_override
from app.storage.store import Store
from db.models import ChecklistTemplate, Contract, HolidayPeriod, InspectionRun, System
from tests.factories import insert_daily_runs

D = date.fromisoformat


def _checklist(code: str, cadence: str, systems_mode: str = "none", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"{code} 检查",
        "cadence": cadence,
        "systems_mode": systems_mode,
        "groups": [{"name": "检查", "items": [{"code": "ok", "title": "运行正常"}]}],
        **extra,
    }


DEFAULT_CHECKLISTS = [
    _checklist("daily", "daily"),
    _checklist("daily-sys", "daily", "separate"),
    _checklist("weekly", "weekly"),
    _checklist("monthly", "monthly", "grouped"),
    _checklist("quarterly", "quarterly"),
    _checklist("annual", "annual"),
    _checklist("pre", "holiday_pre"),
    _checklist("during", "holiday_daily"),
    _checklist("post", "holiday_post"),
]


def make_profile(
    code: str = "test-724",
    window: str = "7x24",
    start: str = "2026-03-01",
    end: str = "2027-02-28",
    statutory: tuple[str, ...] = ("劳动节", "国庆节", "春节"),
    events: tuple[tuple[str, str, str], ...] = (),
    checklists: list[dict[str, Any]] | None = None,
    deliverables: list[dict[str, Any]] | None = None,
    pre_workdays: int = 2,
    post_workdays: int = 2,
) -> Profile:
    """A small valid profile: two systems, one template per cadence."""
    data: dict[str, Any] = {
        "code": code,
        "name": f"测试合同 {code}",
        "client": "某测试甲方",
        "vendor": "某测试乙方",
        "period": {"start": start, "end": end},
        "service_window": window,
        "service_hours": (
            {"start": "09:00", "end": "17:00"} if window == "5x8" else {"start": "00:00"}
        ),
        "sla": {"response_minutes": 15, "fault_levels": [{"code": "normal", "name": "一般"}]},
        "roles": [{"code": "engineer", "name": "运维工程师"}],
        "systems": [
            {"code": "portal", "name": "门户应用"},
            {"code": "db", "name": "数据库"},
        ],
        "holidays": {
            "statutory": list(statutory),
            "events": [{"name": n, "start": s, "end": e} for n, s, e in events],
            "pre_workdays": pre_workdays,
            "post_workdays": post_workdays,
        },
        "checklists": checklists if checklists is not None else DEFAULT_CHECKLISTS,
        "deliverables": deliverables or [],
    }
    return Profile.model_validate(data)


def install(store: Store, profile: Profile) -> None:
    with store.session() as session:
        contract = install_profile(session, profile)
        holidays.sync_statutory_holidays(session, contract)


@pytest.fixture
def s724(store: Store) -> Iterator[Session]:
    """A 7×24 contract 2026-03-01..2027-02-28 (劳动节, 国庆节, 春节)."""
    install(store, make_profile())
    with store.session() as session:
        yield session


@pytest.fixture
def s58(store: Store) -> Iterator[Session]:
    """A 5×8 contract 2026-01-20..2026-12-20 with every statutory holiday."""
    install(
        store,
        make_profile(
            "test-58",
            "5x8",
            "2026-01-20",
            "2026-12-20",
            statutory=("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"),
            pre_workdays=3,
        ),
    )
    with store.session() as session:
        yield session


def _items(report: DueReport, code: str, state: str | None = None) -> list[DueItem]:
    return [i for i in report.items if i.code == code and (state is None or i.state == state)]


def _holiday(session: Session, contract_code: str, name: str) -> HolidayPeriod:
    found = session.scalar(
        select(HolidayPeriod)
        .join(Contract, Contract.id == HolidayPeriod.contract_id)
        .where(Contract.code == contract_code, HolidayPeriod.name == name)
    )
    assert found is not None
    return found


def _run(
    session: Session,
    contract_code: str,
    template_code: str,
    period_key: str,
    status: str = "completed",
    system_code: str | None = None,
    holiday: HolidayPeriod | None = None,
    supersedes: InspectionRun | None = None,
) -> InspectionRun:
    contract = session.scalar(select(Contract).where(Contract.code == contract_code))
    assert contract is not None
    template = session.scalar(
        select(ChecklistTemplate).where(
            ChecklistTemplate.contract_id == contract.id, ChecklistTemplate.code == template_code
        )
    )
    assert template is not None
    system = None
    if system_code:
        system = session.scalar(
            select(System).where(System.contract_id == contract.id, System.code == system_code)
        )
    run = InspectionRun(
        contract_id=contract.id,
        template_id=template.id,
        system_id=system.id if system else None,
        holiday_period_id=holiday.id if holiday else None,
        cadence=template.cadence,
        period_key=period_key,
        scheduled_date=date(2026, 1, 1),
        status=status,
        supersedes_id=supersedes.id if supersedes else None,
    )
    session.add(run)
    session.flush()
    return run


# =========================================================================== holiday periods


def test_sync_creates_the_profile_holidays_within_the_contract(s724: Session) -> None:
    contract = s724.scalar(select(Contract).where(Contract.code == "test-724"))
    assert contract is not None
    rows = holidays.list_periods(s724, contract)
    # 春节 2027 falls in an unknown year and nobody entered it: not there.
    assert [(p.name, p.kind, p.start_date, p.end_date) for p in rows] == [
        ("劳动节", "statutory", D("2026-05-01"), D("2026-05-05")),
        ("国庆节", "statutory", D("2026-10-01"), D("2026-10-07")),
    ]


def test_sync_is_idempotent_and_follows_user_entered_days(store: Store) -> None:
    install(store, make_profile(events=(("重要会议保障", "2026-09-07", "2026-09-11"),)))
    with store.session() as session:
        contract = session.scalar(select(Contract))
        assert contract is not None
        before = {
            (p.id, p.name, p.start_date, p.end_date)
            for p in holidays.list_periods(session, contract)
        }
        again = holidays.sync_statutory_holidays(session, contract)
        assert not again.changed
        assert {
            (p.id, p.name, p.start_date, p.end_date)
            for p in holidays.list_periods(session, contract)
        } == before
        assert ("重要会议保障", D("2026-09-07")) in {(n, s) for _, n, s, _ in before}

        # The user enters 春节 2027 (unknown to the library): a statutory period appears,
        # marked as assumed.
        set_holiday_range(session, D("2027-02-06"), D("2027-02-12"), "春节")
        result = holidays.sync_statutory_holidays(session, contract)
        assert [(p.name, p.start_date, p.end_date) for p in result.created] == [
            ("春节", D("2027-02-06"), D("2027-02-14"))  # the weekend after joins it
        ]
        assert result.assumed == result.created
        spring = result.created[0]
        assert spring.note == holidays.ASSUMED_NOTE
        cal = WorkCalendar.from_session(session)
        assert holidays.period_assumed(spring, cal)
        assert not holidays.period_assumed(_holiday(session, "test-724", "国庆节"), cal)

        # The 2027-02-13 Saturday turns out to be a make-up working day: the period moves.
        set_override(session, D("2027-02-13"), workday=True, name="调休上班")
        set_override(session, D("2027-02-14"), workday=True, name="调休上班")
        moved = holidays.sync_statutory_holidays(session, contract)
        assert [(p.id, p.end_date) for p in moved.updated] == [(spring.id, D("2027-02-12"))]
        assert not moved.created

        # The user removes the days again: the unreferenced period goes away.
        for offset in range(7):
            set_override(session, date(2027, 2, 6 + offset), workday=offset > 0, name="")
        gone = holidays.sync_statutory_holidays(session, contract)
        assert gone.removed == ["春节 2027-02-06"]


def test_sync_keeps_a_stale_period_that_records_refer_to(store: Store) -> None:
    install(store, make_profile())
    with store.session() as session:
        contract = session.scalar(select(Contract))
        assert contract is not None
        set_holiday_range(session, D("2027-02-06"), D("2027-02-12"), "春节")
        spring = holidays.sync_statutory_holidays(session, contract).created[0]
        _run(session, "test-724", "during", f"{spring.id}:2027-02-06", "draft", holiday=spring)
        for offset in range(7):
            set_override(session, date(2027, 2, 6 + offset), workday=True)
        result = holidays.sync_statutory_holidays(session, contract)
        assert result.kept_stale == [spring]
        assert not result.removed


def test_sync_all_holidays_covers_every_contract(store: Store) -> None:
    with store.session() as session:
        install_profile(session, make_profile())
        install_profile(session, make_profile("test-58", "5x8", "2026-01-20", "2026-12-20"))
        results = holidays.sync_all_holidays(session)
        assert sorted(results) == ["test-58", "test-724"]
        assert [p.name for p in results["test-58"].created] == ["春节", "劳动节", "国庆节"]


def test_add_event_validates_in_chinese_and_writes_nothing_on_error(s724: Session) -> None:
    contract = s724.scalar(select(Contract))
    assert contract is not None
    count = s724.scalar(select(func.count()).select_from(HolidayPeriod))
    with pytest.raises(DomainError, match="早于开始日期"):
        holidays.add_event(s724, contract, "两会保障", D("2026-03-10"), D("2026-03-04"))
    with pytest.raises(DomainError, match="超出合同服务期"):
        holidays.add_event(s724, contract, "两会保障", D("2026-02-25"), D("2026-03-04"))
    with pytest.raises(DomainError, match="超出合同服务期"):
        holidays.add_event(s724, contract, "跨年保障", D("2027-02-27"), D("2027-03-02"))
    with pytest.raises(DomainError, match="名称不能为空"):
        holidays.add_event(s724, contract, "  ", D("2026-03-04"), D("2026-03-10"))
    assert s724.scalar(select(func.count()).select_from(HolidayPeriod)) == count

    event_ = holidays.add_event(
        s724, contract, "两会保障", D("2026-03-04"), D("2026-03-11"), "全国两会期间"
    )
    assert (event_.kind, event_.note) == ("event", "全国两会期间")
    with pytest.raises(DomainError, match="同名保障期"):
        holidays.add_event(s724, contract, "两会保障", D("2026-03-11"), D("2026-03-12"))
    with pytest.raises(DomainError, match="同名保障期"):
        holidays.add_event(s724, contract, "国庆节", D("2026-10-07"), D("2026-10-08"))
    # Another name may overlap (an event during a holiday).
    holidays.add_event(s724, contract, "国庆重要活动", D("2026-10-05"), D("2026-10-06"))

    assert holidays.holiday_on(s724, contract, D("2026-03-08")) == event_
    assert holidays.holiday_on(s724, contract, D("2026-03-12")) is None
    assert [p.name for p in holidays.holidays_on(s724, contract, D("2026-10-05"))] == [
        "国庆节",
        "国庆重要活动",
    ]
    with pytest.raises(DomainError, match="由日历生成"):
        holidays.remove_event(s724, contract, _holiday(s724, "test-724", "国庆节").id)
    holidays.remove_event(s724, contract, event_.id)
    assert holidays.holiday_on(s724, contract, D("2026-03-08")) is None


def test_phases_of_national_day_and_spring_festival() -> None:
    cal = WorkCalendar()
    national = holidays.phases(
        (D("2026-10-01"), D("2026-10-07")), cal, HolidaySettings(pre_workdays=3, post_workdays=2)
    )
    assert national.pre_days == (D("2026-09-28"), D("2026-09-29"), D("2026-09-30"))
    assert national.pre_deadline == D("2026-09-30")
    assert len(national.daily_days) == 7
    assert national.post_days == (D("2026-10-08"), D("2026-10-09"))
    assert national.post_deadline == D("2026-10-09")
    assert not national.assumed
    # 春节: the last working day before it is the make-up Saturday 02-14.
    spring = holidays.phases((D("2026-02-15"), D("2026-02-23")), cal, HolidaySettings())
    assert spring.pre_days == (D("2026-02-13"), D("2026-02-14"))
    assert spring.post_days == (D("2026-02-24"), D("2026-02-25"))
    # A holiday at the end of 2026 whose post window falls in 2027 is assumed.
    late = holidays.phases((D("2026-12-30"), D("2026-12-31")), cal, HolidaySettings())
    assert late.post_days == (D("2027-01-01"), D("2027-01-04"))
    assert late.assumed


# =========================================================================== what is due


def test_7x24_daily_checks_every_day_and_holiday_daily_during_national_day(
    s724: Session,
) -> None:
    report = due_on(s724, "test-724", D("2026-10-03"), overdue_days=0)
    assert report.holiday == "国庆节"
    assert not report.assumed_calendar and report.in_period
    national = _holiday(s724, "test-724", "国庆节")
    assert [(i.state, i.period_key) for i in _items(report, "daily")] == [("due", "2026-10-03")]
    # separate per system, in system order
    assert [(i.system_code, i.system_name) for i in _items(report, "daily-sys")] == [
        ("portal", "门户应用"),
        ("db", "数据库"),
    ]
    (during,) = _items(report, "during")
    assert during.kind == "holiday_check"
    assert during.period_key == f"{national.id}:2026-10-03"
    assert during.holiday_period_id == national.id and during.holiday_name == "国庆节"
    assert during.period_label == "国庆节 节日期间 2026-10-03"
    (weekly,) = _items(report, "weekly")
    assert (weekly.period_key, weekly.window_start, weekly.deadline) == (
        "2026-W40",
        D("2026-09-28"),
        D("2026-10-04"),
    )
    (monthly,) = _items(report, "monthly")  # grouped → one item
    assert monthly.system_code is None and monthly.deadline == D("2026-10-31")
    # Nothing before the holiday is listed with overdue_days=0; no pre/post on day 3.
    assert not _items(report, "pre") and not _items(report, "post")
    assert all(i.state == "due" for i in report.items)
    # Sunday 10-11: 7×24 still has the daily check.
    assert _items(due_on(s724, "test-724", D("2026-10-11"), overdue_days=0), "daily")


def test_5x8_daily_checks_follow_statutory_working_days(s58: Session) -> None:
    during_holiday = due_on(s58, "test-58", D("2026-10-03"), overdue_days=0)
    assert not _items(during_holiday, "daily") and not _items(during_holiday, "daily-sys")
    assert len(_items(during_holiday, "during")) == 1
    # The make-up Saturday 10-10 is a working day: daily checks are due.
    makeup = due_on(s58, "test-58", D("2026-10-10"), overdue_days=0)
    assert makeup.holiday is None
    assert [i.period_key for i in _items(makeup, "daily")] == ["2026-10-10"]
    assert len(_items(makeup, "daily-sys")) == 2
    # The weekly deadline of W41 is that Saturday (the last working day of the week).
    (weekly,) = _items(makeup, "weekly")
    assert weekly.deadline == D("2026-10-10")
    # Sunday 10-11: nothing daily.
    sunday = due_on(s58, "test-58", D("2026-10-11"), overdue_days=0)
    assert not _items(sunday, "daily")
    # The monthly deadline is the last working day: 2026-10-31 is a Saturday.
    (monthly,) = _items(sunday, "monthly")
    assert monthly.deadline == D("2026-10-30")


def test_periods_are_clipped_to_the_contract(s58: Session) -> None:
    first = due_on(s58, "test-58", D("2026-01-20"), overdue_days=0)
    (monthly,) = _items(first, "monthly")
    assert (monthly.window_start, monthly.deadline) == (D("2026-01-20"), D("2026-01-30"))
    (annual,) = _items(first, "annual")
    assert annual.window_start == D("2026-01-20")
    # The contract ends on Sunday 12-20: the quarter's deadline is Friday 12-18.
    last = due_on(s58, "test-58", D("2026-12-18"), overdue_days=0)
    (quarterly,) = _items(last, "quarterly")
    assert (quarterly.period_key, quarterly.deadline) == ("2026-Q4", D("2026-12-18"))


def test_nothing_is_due_before_the_contract_and_only_overdue_after(s58: Session) -> None:
    before = due_on(s58, "test-58", D("2026-01-10"))
    assert before.items == [] and not before.in_period
    after = due_on(s58, "test-58", D("2026-12-23"), overdue_days=5)
    assert not after.in_period
    assert after.items and all(i.state == "overdue" for i in after.items)
    assert max(i.deadline for i in after.items) <= D("2026-12-20")
    assert {i.period_key for i in _items(after, "daily")} == {"2026-12-18"}


def test_holiday_pre_and_post_windows(s58: Session) -> None:
    national = _holiday(s58, "test-58", "国庆节")
    mid_autumn = _holiday(s58, "test-58", "中秋节")
    # pre (3 working days): 09-28, 09-29, 09-30 — not shown the week before.
    assert not _items(due_on(s58, "test-58", D("2026-09-25"), overdue_days=0), "pre")
    on_28 = due_on(s58, "test-58", D("2026-09-28"), overdue_days=0)
    pre = [i for i in _items(on_28, "pre") if i.holiday_period_id == national.id]
    assert [(i.period_key, i.window_start, i.deadline, i.state) for i in pre] == [
        (f"{national.id}:pre", D("2026-09-28"), D("2026-09-30"), "due")
    ]
    # post of 中秋节 (09-25..09-27): 09-28 and 09-29.
    post = _items(on_28, "post")
    assert [(i.period_key, i.deadline) for i in post] == [
        (f"{mid_autumn.id}:post", D("2026-09-29"))
    ]
    # After its deadline a pre check not done is overdue …
    on_oct_2 = due_on(s58, "test-58", D("2026-10-02"))
    (late,) = [i for i in _items(on_oct_2, "pre") if i.holiday_period_id == national.id]
    assert late.state == "overdue"
    # … and a completed one disappears.
    _run(s58, "test-58", "pre", f"{national.id}:pre", "completed", holiday=national)
    assert not [
        i
        for i in _items(due_on(s58, "test-58", D("2026-10-02")), "pre")
        if i.holiday_period_id == national.id
    ]
    # In its window a done check is shown as done.
    done = [
        i
        for i in _items(due_on(s58, "test-58", D("2026-09-30"), overdue_days=0), "pre")
        if i.holiday_period_id == national.id
    ]
    assert [i.state for i in done] == ["done"]
    # post of 国庆节: 10-08 and 10-09.
    on_8 = due_on(s58, "test-58", D("2026-10-08"), overdue_days=0)
    assert [(i.window_start, i.deadline) for i in _items(on_8, "post")] == [
        (D("2026-10-08"), D("2026-10-09"))
    ]


def test_states_done_in_progress_and_amendment_chains(s724: Session) -> None:
    day = D("2026-10-12")
    _run(s724, "test-724", "daily", "2026-10-12", "draft")
    signed = _run(s724, "test-724", "daily-sys", "2026-10-12", "signed", "portal")
    amendment = _run(
        s724, "test-724", "daily-sys", "2026-10-12", "draft", "portal", supersedes=signed
    )
    _run(s724, "test-724", "monthly", "2026-10", "completed")
    _run(s724, "test-724", "weekly", "2026-W42", "draft")
    _run(s724, "test-724", "weekly", "2026-W42", "completed")
    report = due_on(s724, "test-724", day, overdue_days=0)
    (daily,) = _items(report, "daily")
    assert daily.state == "in_progress" and daily.run_id is not None
    portal, db = _items(report, "daily-sys")
    assert (portal.state, portal.run_id) == ("done", amendment.id)  # the chain counts once
    assert (db.state, db.run_id) == ("due", None)
    assert _items(report, "monthly")[0].state == "done"
    assert _items(report, "weekly")[0].state == "done"
    assert report.counts()["done"] == 3


def test_overdue_occurrences_within_the_window(s58: Session) -> None:
    national = _holiday(s58, "test-58", "国庆节")
    _run(s58, "test-58", "daily", "2026-10-09", "completed")
    _run(s58, "test-58", "during", f"{national.id}:2026-10-06", "signed", holiday=national)
    report = due_on(s58, "test-58", D("2026-10-12"), overdue_days=7)
    overdue = [i for i in report.items if i.state == "overdue"]
    # daily on the working days 10-08, 10-09 (done), 10-10 (make-up Saturday)
    assert [i.period_key for i in _items(report, "daily", "overdue")] == [
        "2026-10-08",
        "2026-10-10",
    ]
    assert len(_items(report, "daily-sys", "overdue")) == 6
    # holiday days within the last 7 days, except the one done
    assert [i.window_start for i in _items(report, "during", "overdue")] == [
        D("2026-10-05"),
        D("2026-10-07"),
    ]
    assert [i.deadline for i in _items(report, "post", "overdue")] == [D("2026-10-09")]
    assert [i.period_key for i in _items(report, "weekly", "overdue")] == ["2026-W41"]
    # overdue first, then by deadline
    assert report.items[: len(overdue)] == overdue
    assert [i.deadline for i in overdue] == sorted(i.deadline for i in overdue)
    rest = report.items[len(overdue) :]
    assert [i.deadline for i in rest] == sorted(i.deadline for i in rest)
    # A 30-day window reaches back to September.
    wide = due_on(s58, "test-58", D("2026-10-12"))
    assert min(i.deadline for i in wide.items if i.state == "overdue") >= D("2026-09-12")
    assert any(i.period_key == "2026-09" for i in _items(wide, "monthly", "overdue"))


def test_unknown_year_is_flagged_and_user_days_count(store: Store) -> None:
    install(store, make_profile("test-58b", "5x8", "2026-06-01", "2027-05-31", ("元旦",)))
    with store.session() as session:
        report = due_on(session, "test-58b", D("2027-01-01"), overdue_days=0)
        assert report.assumed_calendar
        (daily,) = _items(report, "daily")  # a Friday: a working day by the fallback
        assert daily.assumed
        set_override(session, D("2027-01-01"), workday=False, name="元旦")
        contract = session.scalar(select(Contract))
        assert contract is not None
        holidays.sync_statutory_holidays(session, contract)
        report = due_on(session, "test-58b", D("2027-01-01"), overdue_days=0)
        assert report.holiday == "元旦"
        assert not _items(report, "daily")
        (during,) = _items(report, "during")
        assert during.assumed
        known = due_on(session, "test-58b", D("2026-12-01"), overdue_days=0)
        assert not known.assumed_calendar
        assert not _items(known, "daily")[0].assumed


def test_due_report_json_is_plain_data(s724: Session) -> None:
    data = due_on(s724, "test-724", D("2026-10-03"), overdue_days=1).as_json()
    assert data["contract"] == "test-724" and data["date"] == "2026-10-03"
    assert data["holiday"] == "国庆节"
    assert set(data["counts"]) == {"due", "in_progress", "done", "overdue"}
    item = data["items"][0]
    assert set(item) >= {
        "kind",
        "code",
        "name",
        "cadence",
        "period_key",
        "system_code",
        "system_name",
        "window_start",
        "deadline",
        "state",
        "run_id",
        "holiday_period_id",
        "assumed",
    }
    assert isinstance(item["deadline"], str)


def test_unknown_contract_is_a_domain_error(s724: Session) -> None:
    with pytest.raises(DomainError, match="没有代码为"):
        due_on(s724, "nope", D("2026-10-03"))


def test_due_on_reads_runs_once(store: Store) -> None:
    install(store, make_profile())
    with store.session() as session:
        contract = session.scalar(select(Contract))
        assert contract is not None
        # every daily run of the contract, five times over
        insert_daily_runs(session, D("2026-03-01"), D("2027-02-28"), copies=5)
        cal = WorkCalendar.from_session(session)
        statements: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        event.listen(store.engine, "before_cursor_execute", count)
        try:
            due_on(session, contract, D("2026-10-03"), cal)  # warm up
            statements.clear()
            report = due_on(session, contract, D("2026-10-03"), cal)
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        # one read of the runs, however many there are (its time: bench/bench_schedule.py)
        assert sum("FROM inspection_run" in s for s in statements) == 1
        assert len(statements) <= 10
        assert all(i.state == "done" for i in _items(report, "daily"))
