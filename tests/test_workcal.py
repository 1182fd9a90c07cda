"""The working-day calendar: statutory days, 调休, overrides, fallback, service minutes.

Expected dates were checked against chinesecalendar 1.11 (the State Council's
2026 arrangement): 国庆节 2026-10-01..10-07 with 2026-09-20 (Sun) and
2026-10-10 (Sat) as make-up working days; 春节 2026-02-15..02-23 with
2026-02-14 (Sat) and 2026-02-28 (Sat) as make-up days; 元旦 2026-01-01..01-03
with 2026-01-04 (Sun) as a make-up day; 劳动节 2026-05-01..05-05 with 05-09 (Sat).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.contracts.profile_schema import ServiceHours
from app.errors import DomainError
from app.schedule.workcal import (
    Override,
    StatutoryHoliday,
    WorkCalendar,
    normalize_holiday_name,
    remove_override,
    set_holiday_range,
    set_override,
)
from app.storage.store import Store

D = date.fromisoformat
NINE_TO_FIVE = ServiceHours(start="09:00", end="17:00")


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# ------------------------------------------------------------------ statutory days


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        ("2026-10-10", True),  # Saturday, 调休 make-up day for 国庆节
        ("2026-10-11", False),  # Sunday
        ("2026-09-20", True),  # Sunday, make-up day for 国庆节
        ("2026-10-01", False),
        ("2026-10-07", False),  # Wednesday inside 国庆节
        ("2026-10-08", True),
        ("2026-02-14", True),  # Saturday, make-up day for 春节
        ("2026-02-28", True),  # Saturday, make-up day for 春节
        ("2026-02-15", False),
        ("2026-02-23", False),  # Monday, last day of 春节
        ("2026-02-24", True),
        ("2026-01-04", True),  # Sunday, make-up day for 元旦
        ("2026-05-09", True),  # Saturday, make-up day for 劳动节
        ("2026-05-05", False),  # Tuesday inside 劳动节
        ("2026-03-07", False),  # an ordinary Saturday
        ("2026-03-09", True),  # an ordinary Monday
    ],
)
def test_statutory_working_days(cal: WorkCalendar, day: str, workday: bool) -> None:
    assert cal.is_workday(D(day)) is workday
    assert cal.is_workday(datetime.fromisoformat(day + "T10:00")) is workday


def test_service_days_follow_the_window(cal: WorkCalendar) -> None:
    assert cal.is_service_day(D("2026-10-03"), "7x24")
    assert not cal.is_service_day(D("2026-10-03"), "5x8")
    assert cal.is_service_day(D("2026-10-10"), "5x8")  # make-up Saturday
    assert cal.is_service_day(D("2026-10-11"), "7x24")
    with pytest.raises(ValueError):
        cal.is_service_day(D("2026-10-11"), "6x9")


def test_known_years(cal: WorkCalendar) -> None:
    assert cal.is_known_year(2026)
    assert cal.is_known_year(2004)
    assert not cal.is_known_year(2027)
    assert not cal.is_known_year(2003)
    assert not cal.assumed(D("2026-01-01"), D("2026-12-31"))
    assert cal.assumed(D("2026-12-31"), D("2027-01-01"))
    assert cal.assumed(D("2027-03-01"))


def test_statutory_holidays_2026(cal: WorkCalendar) -> None:
    assert cal.statutory_holidays(D("2026-01-01"), D("2026-12-31")) == [
        StatutoryHoliday("元旦", D("2026-01-01"), D("2026-01-03")),
        StatutoryHoliday("春节", D("2026-02-15"), D("2026-02-23")),
        StatutoryHoliday("清明节", D("2026-04-04"), D("2026-04-06")),
        StatutoryHoliday("劳动节", D("2026-05-01"), D("2026-05-05")),
        StatutoryHoliday("端午节", D("2026-06-19"), D("2026-06-21")),
        StatutoryHoliday("中秋节", D("2026-09-25"), D("2026-09-27")),
        StatutoryHoliday("国庆节", D("2026-10-01"), D("2026-10-07")),
    ]


def test_statutory_blocks_are_not_clipped_and_overlap_the_range(cal: WorkCalendar) -> None:
    assert cal.statutory_holidays(D("2026-10-05"), D("2026-10-05")) == [
        StatutoryHoliday("国庆节", D("2026-10-01"), D("2026-10-07"))
    ]
    assert cal.statutory_holidays(D("2026-10-08"), D("2026-12-31")) == []


def test_one_block_with_two_holidays_is_named_after_both(cal: WorkCalendar) -> None:
    # 2023: 中秋节 (09-29) and 国庆节 ran together from 09-29 to 10-06.
    (block,) = cal.statutory_holidays(D("2023-09-29"), D("2023-10-06"))
    assert block == StatutoryHoliday("中秋节、国庆节", D("2023-09-29"), D("2023-10-06"))


# ------------------------------------------------------------------ counting working days


def test_third_working_day_of_october_2026_is_the_makeup_saturday(cal: WorkCalendar) -> None:
    # 10-01..10-07 off; 10-08 Thu, 10-09 Fri, 10-10 Sat (调休) are the first three.
    assert cal.nth_workday_of_month(2026, 10, 1) == D("2026-10-08")
    assert cal.nth_workday_of_month(2026, 10, 3) == D("2026-10-10")
    assert cal.nth_workday_of_month(2026, 10, 4) == D("2026-10-12")


def test_nth_working_day_when_the_month_starts_with_a_holiday(cal: WorkCalendar) -> None:
    # 劳动节 05-01..05-05: the first working days of May 2026 are 05-06, 05-07, 05-08.
    assert cal.nth_workday_of_month(2026, 5, 3) == D("2026-05-08")
    # 元旦 01-01..01-03, then the make-up Sunday 01-04 is the first working day.
    assert cal.nth_workday_of_month(2026, 1, 1) == D("2026-01-04")
    # February 2026: 10 weekdays before 春节, then the make-up Saturday 02-14.
    assert cal.nth_workday_of_month(2026, 2, 11) == D("2026-02-14")


def test_nth_working_day_beyond_the_month_is_a_domain_error(cal: WorkCalendar) -> None:
    with pytest.raises(DomainError, match="没有第 30 个工作日"):
        cal.nth_workday_of_month(2026, 10, 30)
    with pytest.raises(ValueError):
        cal.nth_workday_of_month(2026, 10, 0)


def test_add_workdays_across_national_day(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D("2026-09-30"), 1) == D("2026-10-08")
    assert cal.add_workdays(D("2026-09-30"), 3) == D("2026-10-10")
    assert cal.add_workdays(D("2026-09-30"), 4) == D("2026-10-12")
    assert cal.add_workdays(D("2026-10-03"), 0) == D("2026-10-03")
    assert cal.add_workdays(D("2026-10-08"), -1) == D("2026-09-30")
    # "within 10 working days" of a request filed on Monday 09-28:
    # 09-29, 09-30, 10-08, 10-09, 10-10 (Sat), 10-12 … 10-16.
    assert cal.add_workdays(D("2026-09-28"), 10) == D("2026-10-16")


def test_workdays_between_and_last_workday(cal: WorkCalendar) -> None:
    assert cal.workdays_between(D("2026-10-01"), D("2026-10-12")) == 4  # 8, 9, 10, 12
    assert cal.workdays_between(D("2026-10-12"), D("2026-10-01")) == 0
    for n in range(1, 15):
        end = cal.add_workdays(D("2026-09-25"), n)
        assert cal.workdays_between(D("2026-09-26"), end) == n
    assert cal.last_workday_on_or_before(D("2026-10-07")) == D("2026-09-30")
    assert cal.last_workday_on_or_before(D("2026-02-15")) == D("2026-02-14")
    assert cal.first_workday_on_or_after(D("2026-02-15")) == D("2026-02-24")
    assert cal.last_service_day(D("2026-10-01"), D("2026-10-07"), "5x8") is None
    assert cal.last_service_day(D("2026-10-01"), D("2026-10-07"), "7x24") == D("2026-10-07")


# ------------------------------------------------------------------ overrides and fallback


def test_unknown_year_falls_back_to_weekdays(cal: WorkCalendar) -> None:
    assert not cal.is_known_year(2027)
    assert cal.is_workday(D("2027-01-01"))  # a Friday; the real 元旦 is unknown to us
    assert not cal.is_workday(D("2027-01-02"))
    assert cal.nth_workday_of_month(2027, 1, 1) == D("2027-01-01")
    assert cal.statutory_holidays(D("2027-01-01"), D("2027-12-31")) == []


def test_user_overrides_take_precedence_in_an_unknown_year() -> None:
    cal = WorkCalendar(
        {
            D("2027-01-01"): Override(False, "元旦"),
            D("2027-01-09"): Override(True, "调休上班"),  # a Saturday
        }
    )
    assert not cal.is_workday(D("2027-01-01"))
    assert cal.is_workday(D("2027-01-09"))
    assert cal.nth_workday_of_month(2027, 1, 1) == D("2027-01-04")
    # The user's 元旦 joins the weekend after it into one block of days off.
    assert cal.statutory_holidays(D("2027-01-01"), D("2027-01-31")) == [
        StatutoryHoliday("元旦", D("2027-01-01"), D("2027-01-03"))
    ]
    assert cal.assumed(D("2027-01-01"))  # still flagged: the year is not official


def test_user_overrides_take_precedence_in_a_known_year() -> None:
    cal = WorkCalendar({D("2026-10-10"): Override(False, "单位调整"), D("2026-10-11"): True})
    assert not cal.is_workday(D("2026-10-10"))
    assert cal.is_workday(D("2026-10-11"))
    assert cal.nth_workday_of_month(2026, 10, 3) == D("2026-10-11")
    # A day off whose name is not a statutory holiday forms no holiday block.
    blocks = cal.statutory_holidays(D("2026-10-01"), D("2026-10-31"))
    assert blocks == [StatutoryHoliday("国庆节", D("2026-10-01"), D("2026-10-07"))]


def test_holiday_names_typed_by_users_are_recognised() -> None:
    assert normalize_holiday_name("五一假期") == "劳动节"
    assert normalize_holiday_name("春节（除夕）") == "春节"
    assert normalize_holiday_name("国庆") == "国庆节"
    assert normalize_holiday_name("单位运动会") is None


def test_overrides_are_stored_and_read_back(store: Store) -> None:
    with store.session() as session:
        set_holiday_range(
            session,
            D("2027-02-06"),
            D("2027-02-12"),
            "春节",
            makeup_days=[D("2027-02-14"), D("2027-02-20")],
        )
        set_override(session, D("2027-01-01"), workday=False, name="元旦")
        set_override(session, D("2027-01-01"), workday=False, name="元旦节")  # replaced
    with store.session() as session:
        cal = WorkCalendar.from_session(session)
        assert not cal.is_workday(D("2027-02-08"))  # a Monday
        assert cal.is_workday(D("2027-02-14"))  # a Sunday
        override = cal.override(D("2027-01-01"))
        assert override is not None and override.name == "元旦节"
        blocks = cal.statutory_holidays(D("2027-01-01"), D("2027-02-28"))
        assert [(b.name, b.start, b.end) for b in blocks] == [
            ("元旦", D("2027-01-01"), D("2027-01-03")),
            ("春节", D("2027-02-06"), D("2027-02-13")),  # the Saturday after joins it
        ]
        assert remove_override(session, D("2027-01-01"))
        assert not remove_override(session, D("2027-01-01"))
    with store.session() as session:
        assert WorkCalendar.from_session(session).is_workday(D("2027-01-01"))
        with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
            set_holiday_range(session, D("2027-05-05"), D("2027-05-01"), "劳动节")


# ------------------------------------------------------------------ service minutes


def _brute_force(cal: WorkCalendar, start: datetime, end: datetime, window: str) -> float:
    minutes = 0
    t = start
    while t < end:
        if window == "7x24" or (cal.is_workday(t.date()) and 9 <= t.hour < 17):
            minutes += 1
        t += timedelta(minutes=1)
    return minutes


def test_service_minutes_7x24_count_every_minute(cal: WorkCalendar) -> None:
    # Friday 16:00 to Monday 10:00 over a weekend: 66 hours.
    start, end = datetime(2026, 3, 13, 16, 0), datetime(2026, 3, 16, 10, 0)
    assert cal.service_minutes_between(start, end, "7x24") == 66 * 60
    assert cal.service_minutes_between(end, start, "7x24") == 0


def test_service_minutes_5x8_skip_weekends_and_holidays(cal: WorkCalendar) -> None:
    h = NINE_TO_FIVE
    # An ordinary weekend: Fri 16:00 → Mon 10:00 = 60 + 60 minutes.
    assert cal.service_minutes_between(
        datetime(2026, 3, 13, 16), datetime(2026, 3, 16, 10), "5x8", h
    ) == (120)
    # Across 国庆节: Wed 09-30 16:30 → Thu 10-08 09:30 = 30 + 30 minutes.
    assert cal.service_minutes_between(
        datetime(2026, 9, 30, 16, 30), datetime(2026, 10, 8, 9, 30), "5x8", h
    ) == (60)
    # The make-up Saturday 10-10 counts in full: Fri 16:00 → Mon 10:00 = 60 + 480 + 60.
    assert cal.service_minutes_between(
        datetime(2026, 10, 9, 16), datetime(2026, 10, 12, 10), "5x8", h
    ) == (600)
    # Outside hours and seconds.
    assert cal.service_minutes_between(
        datetime(2026, 10, 12, 7), datetime(2026, 10, 12, 8, 59), "5x8", h
    ) == (0)
    assert cal.service_minutes_between(
        datetime(2026, 10, 12, 9, 0, 0), datetime(2026, 10, 12, 9, 15, 30), "5x8", h
    ) == pytest.approx(15.5)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-09-24T08:17", "2026-10-09T11:03"),
        ("2026-02-13T16:59", "2026-02-25T09:01"),
        ("2026-12-31T12:00", "2027-01-04T12:00"),
        ("2026-10-10T23:00", "2026-10-12T09:30"),
    ],
)
@pytest.mark.parametrize("window", ["5x8", "7x24"])
def test_service_minutes_match_minute_by_minute_counting(
    cal: WorkCalendar, start: str, end: str, window: str
) -> None:
    a, b = datetime.fromisoformat(start), datetime.fromisoformat(end)
    assert cal.service_minutes_between(a, b, window, NINE_TO_FIVE) == _brute_force(
        cal, a, b, window
    )


def test_service_minutes_are_proportional_to_days_not_minutes(
    cal: WorkCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One calendar look-up per day spanned, none per minute (timing: bench/bench_schedule.py)."""
    start, end = datetime(2010, 1, 1), datetime(2026, 12, 31)
    looked_up: list[date] = []
    is_service_day = cal.is_service_day

    def counting(day: date, window: str) -> bool:
        looked_up.append(day)
        return is_service_day(day, window)

    monkeypatch.setattr(cal, "is_service_day", counting)
    minutes = cal.service_minutes_between(start, end, "5x8", NINE_TO_FIVE)
    days = (end.date() - start.date()).days + 1
    assert len(looked_up) <= days and len(set(looked_up)) == len(looked_up)
    workdays = cal.workdays_between(D("2010-01-01"), D("2026-12-30"))
    assert minutes == workdays * 480


def test_service_deadline_is_the_inverse(cal: WorkCalendar) -> None:
    h = NINE_TO_FIVE
    start = datetime(2026, 9, 30, 16, 30)
    assert cal.service_deadline(start, 60, "5x8", h) == datetime(2026, 10, 8, 9, 30)
    assert cal.service_deadline(start, 30, "5x8", h) == datetime(2026, 9, 30, 17, 0)
    # A call on a Sunday evening: the 4-hour on-site clock starts Monday 09:00.
    assert cal.service_deadline(datetime(2026, 3, 15, 20), 240, "5x8", h) == datetime(
        2026, 3, 16, 13, 0
    )
    assert cal.service_deadline(start, 15, "7x24") == datetime(2026, 9, 30, 16, 45)
    for minutes in (1, 59, 480, 481, 2400, 5000):
        due = cal.service_deadline(start, minutes, "5x8", h)
        assert cal.service_minutes_between(start, due, "5x8", h) == minutes
