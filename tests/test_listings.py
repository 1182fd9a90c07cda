"""Lightweight list rows, open-fault clocks, checklist snapshots and the holiday board."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.records import checklist_view, faults, listings, requests, signing
from app.records import inspections as ins
from app.records.holiday_board import holiday_board, list_holidays
from app.schedule import holidays
from app.schedule.sla import countdown_text
from app.storage.store import Store
from tests.factories import checklist, install, item, make_profile, png_bytes
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)

DAY = date(2026, 11, 3)
NOW = datetime(2026, 11, 3, 10, 0)


def test_rows_are_plain_tuples_of_the_latest_versions(store: Store) -> None:
    with store.session() as s:
        install(s)
        run = ins.start_run(s, "test-portal", "daily-server", scheduled_date=DAY, inspector="张工")
        fault = faults.create_fault(
            s, "test-portal", title="门户无法访问", level="major", reported_at=NOW, now=NOW
        )
        req = requests.log_request(
            s,
            "test-portal",
            received_at=NOW,
            caller_unit="某区分局",
            category="账号",
            description="无法登录",
            handler="张工",
            system_code="portal",
            now=NOW,
        )
        s.flush()
        run_id, fault_id, req_id = run.id, fault.id, req.id
    with store.session() as s:
        (row,) = listings.run_rows(s, "test-portal")
        assert row.id == run_id and row.status == "草稿" and row.period == "2026-11-03"
        assert row.template == "日常服务器巡检" and not row.amended
        (frow,) = listings.fault_rows(s, "test-portal")
        assert (frow.id, frow.level, frow.status, frow.locked) == (
            fault_id,
            "重大",
            "处理中",
            False,
        )
        (rrow,) = listings.request_rows(s, "test-portal")
        assert (rrow.id, rrow.channel, rrow.system, rrow.status) == (
            req_id,
            "电话",
            "门户应用",
            "处理中",
        )


def test_an_amended_record_lists_once(store: Store) -> None:
    with store.session() as s:
        install(s)
        req = requests.log_request(
            s,
            "test-portal",
            received_at=NOW,
            caller_unit="某区分局",
            category="账号",
            description="无法登录",
            handler="张工",
            now=NOW,
        )
        s.flush()
        requests.resolve_on_phone(s, req.id, "已重置密码", now=NOW + timedelta(minutes=5))
        signing.sign(
            s, "service_request", req.id, role="运维人员", signer_name="张工", png=png_bytes()
        )
        signing.amend(s, "service_request", req.id, reason="来电单位写错", actor="张工")
    with store.session() as s:
        rows = listings.request_rows(s, "test-portal")
        assert len(rows) == 1 and not rows[0].locked


def test_open_fault_clocks_count_down_the_next_step(store: Store) -> None:
    with store.session() as s:
        install(s)
        late = faults.create_fault(
            s, "test-portal", title="甲", level="major", reported_at=NOW, now=NOW
        )
        soon = faults.create_fault(
            s,
            "test-portal",
            title="乙",
            level="major",
            reported_at=NOW + timedelta(minutes=20),
            now=NOW + timedelta(minutes=20),
        )
        s.flush()
        late_id, soon_id = late.id, soon.id
    with store.session() as s:
        clocks = listings.open_fault_clocks(s, "test-portal", NOW + timedelta(minutes=25))
    assert [c.fault_id for c in clocks] == [late_id, soon_id]
    assert clocks[0].overdue and countdown_text(clocks[0].remaining_minutes) == "超时 10分钟"
    assert clocks[1].step == "响应" and countdown_text(clocks[1].remaining_minutes) == "剩余 10分钟"


def test_run_view_and_occurrences(store: Store) -> None:
    with store.session() as s:
        install(s)
        run = checklist_view.run_for_occurrence(
            s,
            "test-portal",
            "daily-server",
            window_start=DAY,
            deadline=DAY,
            today=DAY + timedelta(days=2),
            inspector="张工",
        )
        s.flush()
        again = checklist_view.run_for_occurrence(
            s,
            "test-portal",
            "daily-server",
            window_start=DAY,
            deadline=DAY,
            today=DAY,
            inspector="李工",
        )
        assert again.id == run.id and run.scheduled_date == DAY
        disk = next(r for r in run.results if r.item.code == "disk")
        ins.set_result(s, disk.id, value=96)
        fault = ins.open_fault_from_result(s, disk.id, actor="张工", now=NOW)
        run_id, number = run.id, fault.number
    with store.session() as s:
        view = checklist_view.run_view(s, run_id)
    assert view.title == "日常服务器巡检 2026-11-03"
    disk_view = next(i for i in view.items if i.title == "磁盘空间使用率")
    assert disk_view.status == "abnormal" and disk_view.fault_number == number
    assert disk_view.display == "96%（异常）" and disk_view.system == "门户应用"
    assert not view.locked and view.suggested_conclusion.startswith("发现 1 项异常")


def test_holiday_board_has_three_phases_sheets_and_emergencies(store: Store) -> None:
    profile = make_profile(
        "hol",
        checklists=[
            checklist("pre", cadence="holiday_pre", groups=[("节前", [item("a", "检查")])]),
            checklist("daily", cadence="holiday_daily", groups=[("每日", [item("b", "访问")])]),
            checklist("post", cadence="holiday_post", groups=[("节后", [item("c", "评估")])]),
        ],
        holidays={"statutory": ["国庆节"]},
    )
    with store.session() as s:
        contract = install(s, profile)
        holidays.sync_statutory_holidays(s, contract)
        (national,) = list_holidays(s, "hol")
        day = national.start_date
        run = ins.start_run(
            s, "hol", "daily", scheduled_date=day, holiday_period_id=national.id, inspector="张工"
        )
        faults.create_fault(
            s,
            "hol",
            title="首页被篡改",
            level="major",
            reported_at=datetime(2026, 10, 2, 9, 0),
            emergency_type="page_tamper",
            holiday_period_id=national.id,
        )
        s.flush()
        board = holiday_board(s, "hol", national.id, today=day)
    assert board.name == "国庆节" and len(board.phases.daily_days) == 7
    assert [s.state for s in board.phase("holiday_pre")] == ["overdue"]
    daily = board.phase("holiday_daily")
    assert daily[0].run_id == run.id and daily[0].state == "in_progress"
    assert [s.state for s in daily[1:3]] == ["upcoming", "upcoming"]
    assert board.phase("holiday_post")[0].state == "upcoming"
    assert [e.emergency for e in board.events] == ["网页篡改"]


def test_an_export_reads_calls_by_their_dates_and_lists_only_current_ones(store: Store) -> None:
    """``ExportData.requests`` reads a range (a range inside one read is cut from it);
    a call an amendment replaces is left out even when the amendment, from elsewhere,
    carries another time and so lies outside the range read."""
    from app.contracts.registry import get_contract
    from app.export.data import ExportData

    with store.session() as s:
        install(s)
        ids = []
        for n, when in enumerate([NOW - timedelta(days=40), NOW, NOW + timedelta(hours=2)]):
            req = requests.log_request(
                s,
                "test-portal",
                received_at=when,
                caller_unit=f"单位{n}",
                category="账号",
                description="无法登录",
                handler="张工",
                now=NOW + timedelta(hours=3),
            )
            s.flush()
            requests.resolve_on_phone(s, req.id, "已重置", now=when + timedelta(minutes=5))
            ids.append(req.id)
        signing.sign(
            s, "service_request", ids[1], role="运维人员", signer_name="张工", png=png_bytes()
        )
        amended = signing.amend(s, "service_request", ids[1], reason="时间记错", actor="张工")
        amended.received_at = NOW - timedelta(days=35)  # as a record made elsewhere may carry
        s.flush()
        data = ExportData(s, get_contract(s, "test-portal"))
        november = data.requests(date(2026, 11, 1), date(2026, 11, 30))
        assert [r.id for r in november] == [ids[2]]
        autumn = ExportData(s, get_contract(s, "test-portal"))
        wide = autumn.requests(date(2026, 9, 1), date(2026, 11, 30))
        assert [r.id for r in wide] == [ids[0], amended.id, ids[2]]
        assert autumn.requests(date(2026, 11, 1), date(2026, 11, 30)) == november
        assert autumn.requests(date(2026, 9, 1), date(2026, 9, 30)) == wide[:2]
        assert [r.id for r in data.requests_by_id([ids[2], ids[1], amended.id])] == [
            amended.id,
            ids[2],
        ]
