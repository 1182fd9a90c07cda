"""A team whose members each start on their own: one contract on every laptop, records merge.

Every laptop's first start installs the built-in contracts and their holiday periods
itself. Those get the same ids everywhere (:func:`app.contracts.versions.contract_id`,
the periods' ids derived from the contract), so what each member records before any
exchange — a daily check, a holiday check pointing at a statutory holiday period —
merges with the PM's and each other's, in any order, without a duplicate or a row held.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.contracts.profiles import (
    install_beginning,
    install_builtin_profiles,
    set_records_from,
)
from app.contracts.snapshot import schedule_parts
from app.contracts.versions import contract_id
from app.records import inspections as ins
from app.records.integrity_check import check_store
from app.schedule.holidays import sync_statutory_holidays
from app.storage.store import Store
from app.team import bundles, identity
from app.team.container import BundleError
from app.team.merge import StartDate
from db.models import Contract, HolidayPeriod, InspectionRun, System
from tests.factories import png_bytes
from tests.team_tools import PASS, complete_and_sign, open_member, snapshot

CONTRACT = "portal-om"


def _first_start(folder: Path, name: str, code: str, *, begins: date | None = None) -> Store:
    """A member's store after the first start: the built-in contracts and their holidays."""
    store = open_member(folder, name, code)
    with store.session() as s:
        for contract in install_builtin_profiles(s, begins=begins):
            sync_statutory_holidays(s, contract)
    return store


def _check(store: Store, template: str, day: date, who: str, *, holiday: str = "") -> str:
    """A signed check of ``template`` for ``day`` (all items normal, readings filled)."""
    with store.session() as s:
        contract = s.scalars(select(Contract).where(Contract.code == CONTRACT)).one()
        period = None
        if holiday:
            period = s.scalars(
                select(HolidayPeriod).where(
                    HolidayPeriod.contract_id == contract.id, HolidayPeriod.name.contains(holiday)
                )
            ).one()
        run = ins.start_run(
            s,
            contract,
            template,
            scheduled_date=day,
            holiday_period_id=period.id if period else None,
            inspector=who,
            started_at=datetime.combine(day, datetime.min.time()).replace(hour=9),
        )
        for result in ins.pending_items(s, run.id):
            if result.item.kind == "number":
                ins.set_result(s, result.id, value=10)
            elif result.item.kind == "pair":
                ins.set_result(s, result.id, value=10, value2=10)
            elif result.item.kind == "text":
                ins.set_result(s, result.id, status="normal", text="已落实")
        complete_and_sign(s, run.id, day, who, png_bytes(seed=len(who)))
        return run.id


def _runs(store: Store) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(InspectionRun.id)))


def _trust_everyone(store: Store) -> None:
    for other in identity.members(store):
        if not other.own and not other.trusted:
            identity.trust(store, other.fingerprint, actor=store.actor)


def test_members_who_began_on_their_own_merge_in_any_order(tmp_path: Path) -> None:
    pm = _first_start(tmp_path / "pm", "王经理", "WJ")
    one = _first_start(tmp_path / "one", "张三", "ZS")
    two = _first_start(tmp_path / "two", "李四", "LS")
    stores = (pm, one, two)
    try:
        with pm.session() as s, one.session() as o:  # one contract, one set of holidays
            assert s.scalars(select(Contract.id)).all() == o.scalars(select(Contract.id)).all()
            assert set(s.scalars(select(HolidayPeriod.id))) == set(
                o.scalars(select(HolidayPeriod.id))
            )
            assert set(s.scalars(select(System.id))) == set(o.scalars(select(System.id)))
        made = {
            _check(pm, "program-daily", date(2026, 9, 28), "王经理"),
            _check(one, "program-daily", date(2026, 9, 29), "张三"),
            _check(one, "holiday-pre", date(2026, 9, 29), "张三", holiday="国庆"),
            _check(two, "program-daily", date(2026, 9, 30), "李四"),
        }
        files = {
            "pm": tmp_path / "pm.omwb",
            "one": tmp_path / "one.omwb",
            "two": tmp_path / "two.omwb",
        }
        for store, name in zip(stores, files, strict=True):
            bundles.export_bundle(store, files[name], PASS)

        def take(target: Store, name: str) -> None:
            report = bundles.import_bundle(target, files[name], PASS, trust_new_signer=True)
            assert report.quarantined == [] and report.conflicts == [], report.lines()
            assert report.duplicates == [], report.lines()

        # the PM takes two's, then one's, and relays all; one takes two's before the relay
        take(pm, "two")
        take(pm, "one")
        files["relay"] = tmp_path / "relay.omwb"
        bundles.export_bundle(pm, files["relay"], PASS)
        take(one, "two")
        take(one, "relay")
        take(two, "relay")
        for store in stores:
            _trust_everyone(store)
        assert _runs(pm) == _runs(one) == _runs(two) == made
        for store in stores:
            report_, _notes = check_store(store)
            assert report_.ok, report_.lines()
        again = bundles.import_bundle(pm, files["one"], PASS)  # once more: nothing new
        assert sum(again.new.values()) == 0 and again.quarantined == []
    finally:
        for store in stores:
            store.close()


def test_one_profile_is_one_id_its_start_date_aside(tmp_path: Path) -> None:
    """Another profile under the same code is another contract; a 启用日期 is not."""
    from app.contracts.profiles import load_builtin_profiles

    profile = next(p for p in load_builtin_profiles() if p.code == CONTRACT)
    dated = profile.model_copy(
        update={"period": profile.period.model_copy(update={"records_from": date(2026, 10, 8)})}
    )
    other = profile.model_copy(update={"contract_no": "另一份合同"})
    assert contract_id(profile) == contract_id(dated)
    assert contract_id(profile) != contract_id(other)
    pm = _first_start(tmp_path / "pm", "王经理", "WJ")
    late = open_member(tmp_path / "late", "张三", "ZS")
    try:
        with late.session() as s:
            install_beginning(s, profile, date(2026, 10, 8))
        with pm.session() as p, late.session() as s:
            ours = p.scalars(select(Contract).where(Contract.code == CONTRACT)).one()
            theirs = s.scalars(select(Contract)).one()
            assert theirs.id == ours.id
            assert schedule_parts(theirs.profile).records_from == date(2026, 10, 8)
    finally:
        pm.close()
        late.close()


def test_a_start_date_is_taken_while_nothing_is_recorded_and_kept_after(tmp_path: Path) -> None:
    """The PM began the records on 10-08 at the first start; a newcomer who recorded nothing
    takes that date, one who chose 12-01 and recorded keeps theirs, and the report says so."""
    begins, own = date(2026, 10, 8), date(2026, 12, 1)

    def records_from(store: Store) -> date | None:
        with store.session() as s:
            contract = s.scalars(select(Contract).where(Contract.code == CONTRACT)).one()
            return schedule_parts(contract.profile).records_from

    pm = _first_start(tmp_path / "pm", "王经理", "WJ", begins=begins)
    fresh = _first_start(tmp_path / "fresh", "张三", "ZS")
    busy = _first_start(tmp_path / "busy", "李四", "LS", begins=own)
    try:
        _check(busy, "program-daily", date(2026, 12, 2), "李四")
        bundles.export_bundle(pm, tmp_path / "pm.omwb", PASS)
        taken = bundles.import_bundle(fresh, tmp_path / "pm.omwb", PASS, trust_new_signer=True)
        kept = bundles.import_bundle(busy, tmp_path / "pm.omwb", PASS, trust_new_signer=True)
        assert StartDate(CONTRACT, None, begins, taken=True) in taken.start_dates
        assert StartDate(CONTRACT, own, begins, taken=False) in kept.start_dates
        assert records_from(fresh) == begins and records_from(busy) == own
        assert (
            "  ！启用日期：合同 portal-om 本机为 2026-12-01，交换包中为 2026-10-08。本机已有记录，"
            "保留本机的；要与之一致，在「设置」→「启用日期…」中改为 2026-10-08。"
        ) in kept.lines()
        assert {"contract": CONTRACT, "ours": None, "theirs": "2026-10-08", "taken": True} in (
            taken.as_json()["start_dates"]
        )
        again = bundles.import_bundle(fresh, tmp_path / "pm.omwb", PASS)
        assert again.start_dates == []  # the same date now
        with busy.session() as s:  # after an exchange a declaration is a version: it decides
            contract = s.scalars(select(Contract).where(Contract.code == CONTRACT)).one()
            set_records_from(s, contract, date(2026, 11, 2))
        assert bundles.import_bundle(busy, tmp_path / "pm.omwb", PASS).start_dates == []
        assert records_from(busy) == date(2026, 11, 2)
    finally:
        for store in (pm, fresh, busy):
            store.close()


def test_demo_data_never_mixes_with_real_records(tmp_path: Path) -> None:
    """A contract has one id everywhere, so a store that tried 「生成演示数据」 is kept apart by
    a mark instead: its bundles say so, and an import refuses to mix invented and real work."""
    from app.demo.generator import generate

    demo = _first_start(tmp_path / "demo", "张三", "ZS")
    pm = _first_start(tmp_path / "pm", "王经理", "WJ")
    fresh = _first_start(tmp_path / "fresh", "李四", "LS")
    try:
        generate(demo, CONTRACT, months=1, until=date(2026, 10, 31))
        _check(pm, "program-daily", date(2026, 9, 28), "王经理")
        bundles.export_bundle(demo, tmp_path / "demo.omwb", PASS)
        bundles.export_bundle(pm, tmp_path / "pm.omwb", PASS)
        before = snapshot(pm)
        with pytest.raises(BundleError, match="交换包来自含演示数据的数据目录"):
            bundles.import_bundle(pm, tmp_path / "demo.omwb", PASS, trust_new_signer=True)
        assert snapshot(pm) == before
        bundles.import_bundle(fresh, tmp_path / "demo.omwb", PASS, trust_new_signer=True)
        before = snapshot(fresh)  # a store with nothing of its own may look at the demo …
        with pytest.raises(BundleError, match="本机数据目录含演示数据"):
            bundles.import_bundle(fresh, tmp_path / "pm.omwb", PASS, trust_new_signer=True)
        assert snapshot(fresh) == before  # … and then takes no real work in
    finally:
        for store in (demo, pm, fresh):
            store.close()
