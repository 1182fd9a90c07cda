"""Voided records (作废) stay in the lists, marked 「已作废」, and their occurrence is due again."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.errors import DomainError
from app.records import inspections as ins
from app.records import listings, review, signing
from app.records.holiday_board import holiday_board, list_holidays
from app.schedule import holidays
from app.storage.store import Store
from app.team.voids import void
from tests.factories import checklist, install, item, make_profile, png_bytes
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)
from tests.team_tools import sign_fault, sign_run

DAY = date(2026, 11, 2)


def test_lists_mark_voided_runs_and_faults_and_a_voided_run_can_be_redone(store: Store) -> None:
    with store.session() as s:
        install(s)
    kept = sign_run(store, DAY, "api", "张三")
    gone = sign_run(store, DAY, "portal", "张三")
    fault_id, number = sign_fault(store, datetime(2026, 11, 3, 9, 0), "张三")
    with store.session() as s:
        review.send_back(s, gone, reason="结论不清", actor="王经理")
        assert [r.voided for r in listings.run_rows(s, "test-portal")] == [False, False]
        with pytest.raises(DomainError, match="已有巡检记录"):
            ins.start_run(
                s,
                "test-portal",
                "per-system",
                scheduled_date=DAY,
                system_code="portal",
                inspector="张三",
            )
    with store.session() as s:
        void(s, "inspection_run", gone, reason="重复填写", actor="王经理")
        void(s, "fault_record", fault_id, reason="误报", actor="王经理")
    with store.session() as s:
        runs = {r.id: r for r in listings.run_rows(s, "test-portal")}
        assert (runs[gone].voided, runs[gone].status) == (True, listings.VOIDED)
        assert (runs[kept].voided, runs[kept].status) == (False, "已签字")
        (fault,) = listings.fault_rows(s, "test-portal")
        assert (fault.number, fault.voided, fault.status) == (number, True, listings.VOIDED)
        [(note, _answered)] = review.returns_for(s)
        assert note.voided  # nothing to answer any more
        again = ins.start_run(  # 作废: as if never done, so the week's run is due again
            s,
            "test-portal",
            "per-system",
            scheduled_date=DAY,
            system_code="portal",
            inspector="张三",
        )
        redo = again.id
    with store.session() as s:
        runs = {r.id: r for r in listings.run_rows(s, "test-portal")}
        assert runs[redo].status == "草稿" and not runs[redo].voided and runs[gone].voided


def test_the_holiday_board_shows_a_voided_sheet_until_it_is_redone(store: Store) -> None:
    profile = make_profile(
        "hol",
        checklists=[
            checklist("daily", cadence="holiday_daily", groups=[("每日", [item("b", "访问")])])
        ],
        holidays={"statutory": ["国庆节"]},
    )
    with store.session() as s:
        contract = install(s, profile)
        holidays.sync_statutory_holidays(s, contract)
        (national,) = list_holidays(s, "hol")
        day = national.start_date
        run = ins.start_run(
            s, "hol", "daily", scheduled_date=day, holiday_period_id=national.id, inspector="张三"
        )
        ins.mark_rest_normal(s, run.id)
        ins.complete_run(s, run.id, conclusion="正常")
        signing.sign(
            s, "inspection_run", run.id, role="运维人员", signer_name="张三", png=png_bytes()
        )
        first = run.id
    with store.session() as s:
        assert holiday_board(s, "hol", national.id, today=day).phase("holiday_daily")[0].state == (
            "done"
        )
        void(s, "inspection_run", first, reason="填错日期", actor="王经理")
    with store.session() as s:
        sheet = holiday_board(s, "hol", national.id, today=day).phase("holiday_daily")[0]
        assert (sheet.state, sheet.state_label, sheet.run_id) == ("voided", "已作废", first)
        redo = ins.start_run(
            s, "hol", "daily", scheduled_date=day, holiday_period_id=national.id, inspector="张三"
        )
        s.flush()
        sheet = holiday_board(s, "hol", national.id, today=day).phase("holiday_daily")[0]
        assert (sheet.state, sheet.run_id) == ("in_progress", redo.id)
