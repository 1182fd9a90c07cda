"""One check of one period signed on two laptops: shown after the merge, resolved by 作废."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import DomainError
from app.export import completeness
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.records import inspections as ins
from app.records import review, signing
from app.storage.store import Store
from app.team import bundles
from app.team.duplicates import duplicate_runs
from app.team.voids import conflicts, void
from db.models import Contract, HolidayPeriod
from tests.factories import png_bytes
from tests.team_tools import (
    CONTRACT,
    PASS,
    exchange,
    pm_and_two_engineers,  # noqa: F401  (fixture ``team``)
    sign_run,
)

DAY = date(2026, 11, 3)  # a Tuesday: the week 2026-W45
NOVEMBER = PeriodInfo("2026-11", "2026年11月", date(2026, 11, 1), date(2026, 11, 30))


def _run_order(store: Store) -> list[str]:
    with store.session() as s:
        data = ExportData(s, s.scalars(select(Contract)).one())
        return [r.id for r in data.runs(NOVEMBER.start, NOVEMBER.end)]


def _reason(store: Store, kind: str, period: PeriodInfo = NOVEMBER) -> str:
    with store.session() as s:
        data = ExportData(s, s.scalars(select(Contract)).one())
        return completeness.missing_reason(data, completeness.Occurrence("D1", kind, period))


def test_the_same_check_signed_on_two_laptops_is_shown_until_the_pm_voids_one(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, ls) = team
    ours = sign_run(zs, DAY, "portal", "张三")
    theirs = sign_run(ls, DAY + timedelta(days=1), "portal", "李四")
    other_system = sign_run(ls, DAY, "api", "李四")  # another system: not a duplicate
    first = exchange(zs, pm, tmp_path / "zs.omwb")
    assert first.duplicates == []
    report = exchange(ls, pm, tmp_path / "ls.omwb")
    assert [d.ids for d in report.duplicates] == [(ours, theirs)]  # in the order they were done
    found = report.duplicates[0]
    assert "2026-W45" in found.label and "门户" in found.label
    assert "张三（ZS）" in found.who() and "李四（LS）" in found.who()
    assert "同一周期重复的巡检：1 项" in "\n".join(report.lines())
    assert report.as_json()["duplicates"][0]["record_ids"] == [ours, theirs]
    assert report.conflicts == []  # not an amendment conflict

    # a bundle imported again, or the other way round, shows the same one pair: nothing doubled
    again = bundles.import_bundle(pm, tmp_path / "ls.omwb", PASS)
    assert [d.ids for d in again.duplicates] == []  # nothing new arrived with it
    exchange(pm, zs, tmp_path / "pm-to-zs.omwb")
    with pm.session() as s, zs.session() as z:
        assert [d.ids for d in duplicate_runs(s)] == [(ours, theirs)]
        assert [d.ids for d in duplicate_runs(z)] == [(ours, theirs)]
        assert other_system not in {i for d in duplicate_runs(s) for i in d.ids}
        assert conflicts(s) == []

    # the forms printing the period's checks would print the check twice: 「待补充」
    for kind in ("inspection_record", "monthly_inspection", "monthly_report"):
        reason = _reason(pm, kind)
        assert "同一周期有重复的已签字巡检记录" in reason and "张三、李四" in reason, kind
        assert "团队" in reason
    assert "重复" not in _reason(pm, "daily_inspection_log")  # a weekly check is not on it
    assert "重复" not in _reason(pm, "phone_log")
    october = PeriodInfo("2026-10", "2026年10月", date(2026, 10, 1), date(2026, 10, 31))
    assert "重复" not in _reason(pm, "inspection_record", october)

    # the PM voids the extra one: resolved here, and on every laptop after the next exchange
    with pm.session() as s:
        void(s, "inspection_run", theirs, reason="同一周期重复巡检，保留张三的记录", actor="王经理")
    with pm.session() as s:
        assert duplicate_runs(s) == []
    assert "重复" not in _reason(pm, "inspection_record")
    for n, store in enumerate((zs, ls)):
        exchange(pm, store, tmp_path / f"void-{n}.omwb")
        with store.session() as s:
            assert duplicate_runs(s) == []


def _sign_daily(store: Store, inspector: str) -> str:
    """The grouped daily server check of ``DAY``, its numbers in range, signed."""
    with store.session() as s:
        run = ins.start_run(s, CONTRACT, "daily-server", scheduled_date=DAY, inspector=inspector)
        s.flush()
        for result in run.results:
            if result.item.kind == "number":
                ins.set_result(s, result.id, value=40)
        ins.mark_rest_normal(s, run.id)
        ins.complete_run(s, run.id, conclusion="正常")
        signing.sign(
            s, "inspection_run", run.id, role="运维人员", signer_name=inspector, png=png_bytes()
        )
        return run.id


def test_a_daily_check_done_twice_is_named_by_its_day(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, ls) = team
    _sign_daily(zs, "张三")
    _sign_daily(ls, "李四")
    exchange(zs, pm, tmp_path / "zs.omwb")
    exchange(ls, pm, tmp_path / "ls.omwb")
    # each laptop received them in another order, and prints them in the same one
    exchange(pm, ls, tmp_path / "pm-to-ls.omwb")
    exchange(pm, zs, tmp_path / "pm-to-zs.omwb")
    assert _run_order(pm) == _run_order(ls) == _run_order(zs)
    reason = _reason(pm, "daily_inspection_log")
    assert f"{DAY}" in reason and "2 份（" in reason and "张三" in reason and "李四" in reason
    with pm.session() as s:
        (found,) = duplicate_runs(s)
    assert str(DAY) in found.label


def test_the_command_line_lists_them_with_their_numbers(
    team: tuple[Store, list[Store]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli.main import main

    pm, (zs, ls) = team
    ours = sign_run(zs, DAY, "portal", "张三")
    theirs = sign_run(ls, DAY, "portal", "李四")
    exchange(zs, pm, tmp_path / "zs.omwb")
    exchange(ls, pm, tmp_path / "ls.omwb")
    folder = str(pm.folder)
    pm.close()
    assert main(["--data-dir", folder, "team", "conflicts"]) == 0
    out = capsys.readouterr().out
    assert "同一周期有 2 份已签字的巡检记录" in out and ours in out and theirs in out
    assert "omw void inspection_run" in out
    assert main(["--data-dir", folder, "review", "list"]) == 0
    assert capsys.readouterr().out.count("重复巡检") == 2
    assert main(["--data-dir", folder, "team", "conflicts", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["kind"] == "same_period" and set(entry["record_ids"]) == {ours, theirs}
    assert {r["inspector"] for r in entry["runs"]} == {"张三", "李四"}
    void_args = ["void", "inspection_run", theirs, "--reason", "重复巡检"]
    assert main(["--data-dir", folder, *void_args]) == 0
    capsys.readouterr()
    assert main(["--data-dir", folder, "team", "conflicts"]) == 0
    assert "没有更正冲突，也没有同一周期重复的巡检" in capsys.readouterr().out


def test_a_holiday_day_checked_twice_is_named_by_its_holiday_and_day(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, ls) = team
    with pm.session() as s:
        contract = s.scalars(select(Contract)).one()
        holiday = HolidayPeriod(
            contract_id=contract.id,
            name="元旦",
            start_date=date(2026, 12, 31),
            end_date=date(2026, 12, 31),  # the contract ends that day
        )
        s.add(holiday)
        s.flush()
        holiday_id = holiday.id
    for n, store in enumerate((zs, ls)):
        exchange(pm, store, tmp_path / f"holiday-{n}.omwb", since=("ZS", "LS")[n])
    for store, who in ((zs, "张三"), (ls, "李四")):
        with store.session() as s:
            run = ins.start_run(
                s,
                CONTRACT,
                "holiday-daily",
                scheduled_date=date(2026, 12, 31),
                holiday_period_id=holiday_id,
                inspector=who,
            )
            ins.mark_rest_normal(s, run.id)
            ins.complete_run(s, run.id, conclusion="正常")
            signing.sign(
                s, "inspection_run", run.id, role="运维人员", signer_name=who, png=png_bytes()
            )
    exchange(zs, pm, tmp_path / "zs.omwb")
    report = exchange(ls, pm, tmp_path / "ls.omwb")
    (found,) = report.duplicates
    assert found.label == "节日期间每日检查 元旦 2026-12-31"  # not the holiday's id
    period = PeriodInfo(holiday_id, "元旦", date(2026, 12, 31), date(2026, 12, 31))
    assert "同一周期有重复的已签字巡检记录" in _reason(pm, "holiday_check", period)


def test_the_review_queue_marks_twins_and_a_batch_refuses_them(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, ls) = team
    ours = sign_run(zs, DAY, "portal", "张三")
    theirs = sign_run(ls, DAY, "portal", "李四")
    alone = sign_run(ls, DAY, "api", "李四")
    exchange(zs, pm, tmp_path / "zs.omwb")
    exchange(ls, pm, tmp_path / "ls.omwb")
    with pm.session() as s:
        items = {i.record_id: i for i in review.queue(s)}
        assert items[ours].twin and items[theirs].twin and not items[alone].twin
        assert not items[ours].routine and items[alone].routine
        assert items[ours].as_json()["twin"] is True
        with pytest.raises(DomainError, match="同一周期另有一份已签字的记录"):
            review.countersign_batch(
                s, [ours, alone], viewed=[ours, alone], signer_name="王经理", png=png_bytes()
            )
    with pm.session() as s:
        void(s, "inspection_run", theirs, reason="重复巡检", actor="王经理")
    with pm.session() as s:
        items = {i.record_id: i for i in review.queue(s)}
        assert theirs not in items and not items[ours].twin and items[ours].routine
        review.countersign_batch(
            s, [ours, alone], viewed=[ours, alone], signer_name="王经理", png=png_bytes()
        )
