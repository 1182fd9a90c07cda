"""Exchange bundles between a PM's and engineers' stores: each merge rule and each bad input."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import DomainError
from app.export.data import ExportData
from app.records import faults
from app.records.integrity_check import check_store
from app.storage import paths
from app.storage.store import Store
from app.team import bundles, identity
from app.team.container import BundleError
from app.team.voids import conflicts, void
from db.audit import verify_chain
from db.models import Contract, FaultRecord, HolidayPeriod, InspectionRun, Quarantine
from tests.factories import PERIOD, install, portal_profile
from tests.team_tools import (
    PASS,
    amend_and_sign,
    exchange,
    open_member,
    pm_and_two_engineers,  # noqa: F401  (fixture ``team``)
    repack,
    sign_run,
    snapshot,
    start_team,
)

DAY = date(2026, 11, 2)


def _ok(store: Store) -> None:
    report, _notes = check_store(store)
    assert report.ok, report.lines()


def test_numbers_carry_the_short_code_and_old_ones_stay(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", actor="张三")
    try:
        with store.session() as s:
            contract = install(s)
            when = datetime(2026, 11, 3, 9)
            assert faults.next_number(s, FaultRecord, contract, "GZ", when) == "GZ-202611-0001"
        identity.set_identity(store, "张三", "zs")
        with store.session() as s:
            contract = s.scalars(select(Contract)).one()
            assert faults.next_number(s, FaultRecord, contract, "GZ", when) == "GZ-202611-ZS-001"
        assert identity.whoami(store).code == "ZS"
        with pytest.raises(DomainError, match="2–4 个拉丁字母"):
            identity.set_identity(store, "张三", "Z1")
    finally:
        store.close()


def test_records_travel_both_ways_and_a_repeat_changes_nothing(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, ls) = team
    run_id = sign_run(zs, DAY, "portal", "张三")
    first = exchange(zs, pm, tmp_path / "zs1.omwb")
    assert first.new["inspection_run"] == 1 and first.by_engineer == {"ZS": 1}
    again = bundles.import_bundle(pm, tmp_path / "zs1.omwb", PASS)
    assert not any(again.new.get(k) for k in ("inspection_run", "signature", "audit_log"))
    assert again.quarantined == []
    exchange(pm, ls, tmp_path / "pm1.omwb", since="LS")
    with ls.session() as s:
        assert s.get(InspectionRun, run_id) is not None
    for store in (pm, zs, ls):
        _ok(store)
    with pm.session() as s:  # the import names its bundle in the PM's own chain
        from db.models import AuditEntry

        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()
        assert first.sha256 in {e.details["sha256"] for e in entries}
        assert verify_chain(s).ok and verify_chain(s).chains >= 2


def test_an_incremental_bundle_holds_only_what_is_new(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, _ls) = team
    sign_run(zs, DAY, "portal", "张三")
    exchange(zs, pm, tmp_path / "a.omwb")
    sign_run(zs, DAY, "api", "张三")
    summary = bundles.export_bundle(zs, tmp_path / "b.omwb", PASS, since=tmp_path / "a.omwb")
    assert summary.counts.get("inspection_run") == 1
    assert "contract" not in summary.counts
    result = bundles.import_bundle(pm, tmp_path / "b.omwb", PASS)
    assert result.new["inspection_run"] == 1
    _ok(pm)


def test_an_unknown_signer_is_refused_with_its_fingerprint(tmp_path: Path) -> None:
    pm = open_member(tmp_path / "pm", "王经理", "WJ")
    other = open_member(tmp_path / "x", "外人", "WR")
    try:
        with pm.session() as s:
            install(s)
        bundles.export_bundle(pm, tmp_path / "pm.omwb", PASS)
        before = snapshot(other)
        preview = bundles.preview_bundle(other, tmp_path / "pm.omwb", PASS)
        assert not preview.signer.trusted and preview.new["contract"] == 1
        assert snapshot(other) == before
        with pytest.raises(bundles.UntrustedSigner) as refused:
            bundles.import_bundle(other, tmp_path / "pm.omwb", PASS)
        assert identity.whoami(pm).fingerprint in str(refused.value)
        assert snapshot(other) == before
    finally:
        pm.close()
        other.close()


def test_bad_files_are_refused_in_chinese_and_change_nothing(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, _ls) = team
    sign_run(zs, DAY, "portal", "张三")
    good = tmp_path / "good.omwb"
    bundles.export_bundle(zs, good, PASS)
    before = snapshot(pm)
    cut = tmp_path / "cut.omwb"
    cut.write_bytes(good.read_bytes()[:-100])
    newer = tmp_path / "newer.omwb"
    repack(good, newer, zs, manifest=lambda m: m.update(schema="0099_future"))

    def not_a_number(data: bytes) -> bytes:  # json writes NaN; no record holds one
        rows = json.loads(data)
        rows[0]["conclusion"] = float("nan")
        return json.dumps(rows, ensure_ascii=False).encode()

    nan = tmp_path / "nan.omwb"
    repack(good, nan, zs, member=("rows/inspection_run.json", not_a_number))
    for path, password, expected in [
        (good, "wrong-pass-123", "口令不对"),
        (cut, PASS, "不完整"),
        (newer, PASS, "较新版本"),
        (nan, PASS, "内容格式无效"),
    ]:
        with pytest.raises(BundleError, match=expected):
            bundles.import_bundle(pm, path, password)
        assert snapshot(pm) == before


def test_a_record_changed_inside_a_signed_bundle_is_not_merged(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, _ls) = team
    sign_run(zs, DAY, "portal", "张三")
    good = tmp_path / "good.omwb"
    bundles.export_bundle(zs, good, PASS)

    def forge(data: bytes) -> bytes:
        rows = json.loads(data)
        rows[0]["conclusion"] = "伪造的结论"
        return json.dumps(rows, ensure_ascii=False).encode()

    forged = tmp_path / "forged.omwb"
    repack(good, forged, zs, member=("rows/inspection_run.json", forge))
    before = snapshot(pm)
    preview = bundles.preview_bundle(pm, forged, PASS)
    assert "签字后，记录内容被改动" in preview.refusal
    with pytest.raises(DomainError, match="已停止导入"):
        bundles.import_bundle(pm, forged, PASS)
    assert snapshot(pm) == before


def test_a_gap_in_a_chain_or_a_missing_contract_is_refused(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, _ls) = team
    sign_run(zs, DAY, "portal", "张三")
    bundles.export_bundle(zs, tmp_path / "a.omwb", PASS)
    sign_run(zs, DAY, "api", "张三")
    bundles.export_bundle(zs, tmp_path / "b.omwb", PASS, since=tmp_path / "a.omwb")
    before = snapshot(pm)
    with pytest.raises(BundleError, match="请先导入更早的交换包"):
        bundles.import_bundle(pm, tmp_path / "b.omwb", PASS)
    assert snapshot(pm) == before
    fresh = open_member(tmp_path / "fresh", "赵六", "ZL")
    try:
        before = snapshot(fresh)
        with pytest.raises(BundleError, match="本机没有的合同"):
            bundles.import_bundle(fresh, tmp_path / "b.omwb", PASS, trust_new_signer=True)
        assert snapshot(fresh) == before
        with fresh.session() as s:  # a contract set up from another profile: same code …
            install(s, portal_profile().model_copy(update={"contract_no": "另一份合同"}))
        sign_run(fresh, DAY, "api", "赵六")  # … and used
        before = snapshot(fresh)
        with pytest.raises(BundleError, match="单独建立的"):
            bundles.import_bundle(fresh, tmp_path / "a.omwb", PASS, trust_new_signer=True)
        assert snapshot(fresh) == before
    finally:
        fresh.close()


@contextlib.contextmanager
def _newcomer(folder: Path) -> Iterator[tuple[Store, Contract]]:
    """A new member's store with what the first start installs: the built-in profile."""
    store = open_member(folder, "赵六", "ZL")
    try:
        with store.session() as s:
            contract = install(s)
        yield store, contract
    finally:
        store.close()


def test_an_unused_contract_of_a_first_start_gives_way_to_the_pms(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, _engineers = team
    bundles.export_bundle(pm, tmp_path / "pm.omwb", PASS)
    with _newcomer(tmp_path / "new") as (newcomer, _contract):
        bundles.import_bundle(newcomer, tmp_path / "pm.omwb", PASS, trust_new_signer=True)
        with newcomer.session() as s, pm.session() as p:
            assert s.scalars(select(Contract.id)).all() == p.scalars(select(Contract.id)).all()
        sign_run(newcomer, DAY, "api", "赵六")
        bundles.export_bundle(newcomer, tmp_path / "back.omwb", PASS)
        bundles.import_bundle(pm, tmp_path / "back.omwb", PASS, trust_new_signer=True)
        _ok(newcomer)
        _ok(pm)


def test_a_contract_changed_before_the_pms_first_bundle_merges_or_says_why_not(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    """A 启用日期 declared before any exchange is part of the profile as installed: the
    PM's date applies. A revised profile loaded on top of the same one is a version like
    any: the contract merges and the version travels. A contract from another profile,
    changed here, cannot merge, and the message says why."""
    from app.contracts.profiles import set_records_from
    from app.contracts.versions import current_number

    pm, _engineers = team
    bundles.export_bundle(pm, tmp_path / "pm.omwb", PASS)
    with _newcomer(tmp_path / "new") as (newcomer, contract):
        with newcomer.session() as s:
            declared = set_records_from(s, s.merge(contract), contract.start_date)
            assert current_number(s, declared) == 1  # no version row
        bundles.import_bundle(newcomer, tmp_path / "pm.omwb", PASS, trust_new_signer=True)
        with newcomer.session() as s, pm.session() as p:
            assert s.scalars(select(Contract.id)).all() == p.scalars(select(Contract.id)).all()
            assert s.scalars(select(Contract)).one().profile == (
                p.scalars(select(Contract)).one().profile
            )
    with _newcomer(tmp_path / "revised") as (revised, _contract):
        with revised.session() as s:
            install(s, portal_profile().model_copy(update={"contract_no": "正式合同号"}))
        bundles.import_bundle(revised, tmp_path / "pm.omwb", PASS, trust_new_signer=True)
        bundles.export_bundle(revised, tmp_path / "revised.omwb", PASS)
        report = bundles.import_bundle(pm, tmp_path / "revised.omwb", PASS, trust_new_signer=True)
        assert [u.version for u in report.profiles] == [2]
        with pm.session() as p:
            assert p.scalars(select(Contract)).one().contract_no == "正式合同号"
    other = open_member(tmp_path / "other", "赵六", "ZL")
    try:
        with other.session() as s:  # another profile under the same code, then changed here
            own = portal_profile().model_copy(update={"contract_no": "另一份合同"})
            install(s, own)
            install(s, own.model_copy(update={"site": "另一处现场"}))
        before = snapshot(other)
        with pytest.raises(BundleError) as refused:
            bundles.import_bundle(other, tmp_path / "pm.omwb", PASS, trust_new_signer=True)
        assert str(refused.value) == (
            "本机的合同 test-portal 尚无记录，但已在本机修改过合同档案（如声明启用日期、导入合同"
            "档案文件），与交换包中的不是同一份，不能合并。团队中只由项目经理建立和修改合同"
            "（包括启用日期），其他成员在新的数据目录中先导入项目经理的交换包。未导入任何内容。"
        )
        assert snapshot(other) == before
    finally:
        other.close()


def test_a_start_date_chosen_at_the_first_start_gives_way_too_and_travels_from_the_pm(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    """The first start's 「本应用从今天开始记录」 installs the date with the contract (no
    version): a newcomer's store still takes the PM's contract; a PM's reaches the team."""
    from app.contracts.profiles import install_beginning
    from app.contracts.snapshot import schedule_parts

    def begins(store: Store) -> object:
        with store.session() as s:
            return schedule_parts(s.scalars(select(Contract)).one().profile).records_from

    pm, _engineers = team
    bundles.export_bundle(pm, tmp_path / "pm.omwb", PASS)
    day = PERIOD[0] + timedelta(days=60)
    newcomer = open_member(tmp_path / "new", "赵六", "ZL")
    lead = open_member(tmp_path / "lead", "钱七", "QQ")  # a PM who starts in the window
    try:
        with newcomer.session() as s:
            install_beginning(s, portal_profile(), day)
            with pytest.raises(DomainError, match="已安装"):
                install_beginning(s, portal_profile(), day)
        assert begins(newcomer) == day
        bundles.import_bundle(newcomer, tmp_path / "pm.omwb", PASS, trust_new_signer=True)
        with newcomer.session() as s, pm.session() as p:
            assert s.scalars(select(Contract.id)).all() == p.scalars(select(Contract.id)).all()
        assert begins(newcomer) is None  # the PM's contract, as the PM declared it (nothing)
        with lead.session() as s:
            install_beginning(s, portal_profile(), day)
        bundles.export_bundle(lead, tmp_path / "lead.omwb", PASS)
        joiner = open_member(tmp_path / "joiner", "孙八", "SB")
        try:
            bundles.import_bundle(joiner, tmp_path / "lead.omwb", PASS, trust_new_signer=True)
            assert begins(joiner) == day
        finally:
            joiner.close()
    finally:
        newcomer.close()
        lead.close()


def test_same_id_other_content_is_quarantined_not_merged(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, _ls) = team
    with pm.session() as s:
        contract = s.scalars(select(Contract)).one()
        s.add(
            HolidayPeriod(
                contract_id=contract.id,
                name="元旦",
                start_date=date(2027, 1, 1),
                end_date=date(2027, 1, 3),
            )
        )
    exchange(pm, zs, tmp_path / "pm.omwb", since="ZS")
    with zs.session() as s:
        period = s.scalars(select(HolidayPeriod).where(HolidayPeriod.name == "元旦")).one()
        period.note = "张三改过"
    result = exchange(zs, pm, tmp_path / "zs.omwb")
    assert [(h.table, h.reason) for h in result.quarantined] == [
        ("holiday_period", "本机已有同一编号的记录，内容不同（未合并）")
    ]
    with pm.session() as s:
        assert s.scalars(select(HolidayPeriod.note).where(HolidayPeriod.name == "元旦")).one() == ""
        held = s.scalars(select(Quarantine)).one()
        assert held.incoming["note"] == "张三改过" and held.bundle_sha256 == result.sha256


def test_parallel_amendments_are_both_kept_until_the_pm_amends_one(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, ls) = team
    run_id = sign_run(zs, DAY, "portal", "张三")
    exchange(zs, pm, tmp_path / "1.omwb")
    exchange(pm, ls, tmp_path / "2.omwb", since="LS")
    amend_and_sign(zs, run_id, "张三", "补录时间")
    chosen = amend_and_sign(ls, run_id, "李四", "更正结论")
    exchange(zs, pm, tmp_path / "3.omwb", since=tmp_path / "1.omwb")
    result = exchange(ls, pm, tmp_path / "4.omwb")
    assert len(result.conflicts) == 1 and result.conflicts[0].original_id == run_id
    with pm.session() as s:
        assert len(conflicts(s)) == 1
    amend_and_sign(pm, chosen, "王经理", "以李四的更正为准")
    with pm.session() as s:
        assert conflicts(s) == []
    _ok(pm)


def test_a_void_wins_over_any_merge(team: tuple[Store, list[Store]], tmp_path: Path) -> None:
    pm, (zs, _ls) = team
    run_id = sign_run(zs, DAY, "portal", "张三")
    old = tmp_path / "old.omwb"
    bundles.export_bundle(zs, old, PASS)
    with zs.session() as s:
        void(s, "inspection_run", run_id, reason="重复填写", actor="张三")
    exchange(zs, pm, tmp_path / "new.omwb")
    bundles.import_bundle(pm, old, PASS)  # the record without its void, once more
    with pm.session() as s:
        contract = s.scalars(select(Contract)).one()
        runs = ExportData(s, contract).runs(date(2026, 11, 1), date(2026, 11, 30))
        assert run_id not in {r.id for r in runs}
        with pytest.raises(DomainError, match="已作废"):
            void(s, "inspection_run", run_id, reason="再次", actor="王经理")
    _ok(pm)


def test_every_chain_is_verified_after_a_merge(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, _ls) = team
    sign_run(zs, DAY, "portal", "张三")
    exchange(zs, pm, tmp_path / "zs.omwb")
    zs_device = zs.device().device_id
    con = sqlite3.connect(paths.db_path(pm.folder))
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute(
        "UPDATE audit_log SET actor = '伪造者' WHERE device_id = ? AND device_seq = 3",
        (zs_device,),
    )
    con.commit()
    con.close()
    with pm.session() as s:
        report = verify_chain(s)
    assert report.device_id == zs_device and report.broken_at == 3
    checked, _notes = check_store(pm)
    assert any(f"设备 {zs_device[:8]}" in p.message for p in checked.problems)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
@pytest.mark.parametrize("stop_at", [2, 6])  # after the 2nd and the 6th table of rows
def test_a_kill_during_an_import_leaves_the_store_as_before(tmp_path: Path, stop_at: int) -> None:
    from tests.test_crash_safety import _fork_and_kill

    pm, (zs,) = start_team(tmp_path / "team", [("张三", "ZS")])
    sign_run(zs, DAY, "portal", "张三")
    sign_run(zs, DAY, "api", "张三")
    bundle = tmp_path / "zs.omwb"
    bundles.export_bundle(zs, bundle, PASS)
    zs.close()
    before = snapshot(pm)
    folder = pm.folder
    pm.close()

    def child(fd: int) -> None:
        store = Store.open(folder, actor="王经理")
        calls = 0

        def progress(_done: int, _total: int, _what: str) -> None:
            nonlocal calls
            calls += 1
            if calls == stop_at:
                os.write(fd, b"K merge\n")
                time.sleep(120)

        bundles.import_bundle(store, bundle, PASS, progress=progress)
        os.write(fd, b"imported without stopping\n")

    seen = _fork_and_kill(child, "merge")
    assert b"imported without stopping" not in seen
    store = Store.open(folder, actor="王经理")
    try:
        assert snapshot(store) == before
        _ok(store)
        result = bundles.import_bundle(store, bundle, PASS)
        assert result.new["inspection_run"] == 2
        _ok(store)
    finally:
        store.close()


def test_the_command_line_exports_previews_imports_and_voids(
    team: tuple[Store, list[Store]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli.main import main

    pm, (zs, _ls) = team
    run_id = sign_run(zs, DAY, "portal", "张三")
    folders = {"pm": str(pm.folder), "zs": str(zs.folder)}
    pm.close()
    zs.close()
    monkeypatch.setenv(bundles.ENV_PASSPHRASE, PASS)
    target = str(tmp_path / "cli.omwb")
    assert main(["--data-dir", folders["zs"], "team", "whoami", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["code"] == "ZS"
    assert main(["--data-dir", folders["zs"], "bundle", "export", "--to", target]) == 0
    assert "已导出完整交换包" in capsys.readouterr().out
    assert main(["--data-dir", folders["pm"], "bundle", "preview", target, "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["new"]["inspection_run"] == 1 and not preview["written"]
    assert main(["--data-dir", folders["pm"], "bundle", "import", target]) == 0
    assert "巡检记录 1" in capsys.readouterr().out
    assert main(["--data-dir", folders["pm"], "bundle", "export", "--to", target]) == 2
    assert "已存在" in capsys.readouterr().err
    void_args = ["void", "inspection_run", run_id, "--reason", "重复"]
    assert main(["--data-dir", folders["pm"], *void_args]) == 0
    assert main(["--data-dir", folders["pm"], "team", "devices"]) == 0
    listing = capsys.readouterr().out
    assert "ZS" in listing and "已信任" in listing
    monkeypatch.delenv(bundles.ENV_PASSPHRASE)
    assert main(["--data-dir", folders["pm"], "bundle", "preview", target]) == 2
    assert "OMW_BUNDLE_PASSPHRASE" in capsys.readouterr().err


def test_the_upgrade_to_0009_stamps_existing_rows_and_keeps_hashes_and_triggers(
    tmp_path: Path,
) -> None:
    from alembic import command
    from sqlalchemy import text

    from db import migrate

    def one(store: Store, sql: str) -> object:
        with store.engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()

    store = Store.open(tmp_path / "old", actor="张三")
    with store.session() as s:
        install(s)
    sign_run(store, DAY, "portal", "张三")
    device = store.device().device_id
    triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
    before = one(store, triggers)
    command.downgrade(migrate.alembic_config(store.engine), "0008_meeting_minutes")
    store.close()
    store = Store.open(tmp_path / "old", actor="张三")  # upgrades again, stamping every row
    try:
        _ok(store)  # the same content hashes, seals, chain and heads
        assert one(store, triggers) == before
        assert one(store, "SELECT count(DISTINCT device_id) FROM inspection_run") == 1
        assert one(store, "SELECT device_id FROM inspection_run") == device
        assert one(store, f"SELECT count(*) FROM audit_log WHERE device_id != '{device}'") == 0
        assert one(store, "SELECT count(*) FROM audit_log WHERE device_seq IS NOT seq") == 0
        with pytest.raises(DomainError, match="已签字锁定"), store.session() as s:
            s.scalars(select(InspectionRun)).one().conclusion = "改"
    finally:
        store.close()
