"""A contract's changed profile travels in exchange bundles as a signed version, in any order."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from app.contracts import versions
from app.contracts.profile_schema import Profile
from app.contracts.registry import install_profile
from app.records.integrity_check import check_store
from app.storage import paths
from app.storage.store import Store
from app.team import bundles, identity
from app.team.container import BundleError
from db.models import Contract, ContractProfileVersion, Quarantine, System
from tests.factories import portal_profile
from tests.team_tools import (
    PASS,
    exchange,
    open_member,
    pm_and_two_engineers,  # noqa: F401  (fixture ``team``)
    repack,
    sign_run,
    snapshot,
)

DAY = date(2026, 11, 2)


def _changed(**edits: Any) -> Profile:
    """The test contract's profile with edits: systems added or renamed, the period moved."""
    data = portal_profile().model_dump(mode="json")
    for code, name in edits.get("systems", {}).items():
        found = [s for s in data["systems"] if s["code"] == code]
        if found:
            found[0]["name"] = name
        else:
            data["systems"].append({"code": code, "name": name})
    for code in edits.get("drop", ()):
        data["systems"] = [s for s in data["systems"] if s["code"] != code]
    if "end" in edits:
        data["period"]["end"] = edits["end"]
    return Profile.model_validate(data)


def _publish(store: Store, profile: Profile) -> None:
    with store.session() as s:
        install_profile(s, profile)


def _setup(store: Store) -> dict[str, Any]:
    """What every store of the team must agree on: the profile and the systems derived from it."""
    with store.session() as s:
        contract = s.scalars(select(Contract)).one()
        return {
            "profile": contract.profile_sha256,
            "end": contract.end_date,
            "systems": {
                (x.id, x.code, x.name, x.active, x.seq)
                for x in s.scalars(select(System).where(System.contract_id == contract.id))
            },
            "versions": set(s.scalars(select(ContractProfileVersion.id))),
            "quarantined": s.scalars(select(Quarantine.id)).all(),
        }


def _ok(store: Store) -> None:
    report, _notes = check_store(store)
    assert report.ok, report.lines()


def test_a_changed_profile_reaches_an_engineer_and_comes_back_without_quarantine(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, _ls) = team
    _publish(pm, _changed(systems={"db": "数据库", "exchange": "数据交换平台"}, end="2027-06-30"))
    bundle = tmp_path / "pm-v2.omwb"
    bundles.export_bundle(pm, bundle, PASS, since="ZS")
    preview = bundles.preview_bundle(zs, bundle, PASS)
    assert [(u.version, u.publisher) for u in preview.profiles] == [(2, "王经理")]
    assert "合同档案已更新（版本 2，来自 王经理）" in "\n".join(preview.lines())
    assert _setup(zs)["end"] == date(2026, 12, 31)  # a preview writes nothing
    result = bundles.import_bundle(zs, bundle, PASS)
    assert result.written and [u.version for u in result.profiles] == [2]
    assert result.as_json()["profiles"][0]["publisher"] == "王经理"
    assert result.quarantined == []
    assert _setup(zs) == _setup(pm)
    assert _setup(zs)["end"] == date(2027, 6, 30) and len(_setup(zs)["versions"]) == 2
    assert bundles.import_bundle(zs, bundle, PASS).profiles == []  # twice: nothing new

    sign_run(zs, DAY, "portal", "张三")  # the engineer's derived rows, rewritten here, go back
    back = exchange(zs, pm, tmp_path / "zs.omwb", since="WJ")
    assert back.quarantined == [] and back.profiles == []
    assert back.new["inspection_run"] == 1
    assert _setup(pm) == _setup(zs)
    for store in (pm, zs):
        _ok(store)


def test_a_start_date_declared_by_the_pm_reaches_the_engineers(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    """启用日期 set on the PM's laptop: the engineer's due list starts from it too."""
    from app.contracts.profiles import set_records_from
    from app.schedule.due import due_on

    pm, (zs, _ls) = team
    begins = date(2026, 10, 20)

    def first_due(store: Store) -> date:
        with store.session() as s:
            report = due_on(s, s.scalars(select(Contract)).one(), DAY)  # 30 days back
            return min(i.deadline for i in report.items)

    assert first_due(zs) < begins
    with pm.session() as s:
        set_records_from(s, s.scalars(select(Contract)).one(), begins)
    assert first_due(pm) == begins
    result = exchange(pm, zs, tmp_path / "pm-begins.omwb", since="ZS")
    assert [u.version for u in result.profiles] == [2]
    assert first_due(zs) == begins
    assert _setup(zs) == _setup(pm)
    _ok(zs)


@pytest.mark.slow
def test_versions_imported_in_any_order_or_made_at_once_end_in_one_profile(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, ls) = team
    _publish(pm, _changed(systems={"db": "数据库"}))
    bundles.export_bundle(pm, tmp_path / "v2.omwb", PASS)
    _publish(pm, _changed(systems={"db": "数据库集群"}, drop=["exchange"]))
    bundles.export_bundle(pm, tmp_path / "v3.omwb", PASS)
    bundles.import_bundle(zs, tmp_path / "v2.omwb", PASS)
    bundles.import_bundle(zs, tmp_path / "v3.omwb", PASS)
    late = bundles.import_bundle(ls, tmp_path / "v3.omwb", PASS)
    older = bundles.import_bundle(ls, tmp_path / "v2.omwb", PASS)
    assert [u.version for u in late.profiles] == [3] and older.profiles == []
    assert _setup(zs) == _setup(ls) == _setup(pm)
    with pm.session() as s:  # dropped, not deleted: records made under version 2 keep it
        gone = s.scalars(select(System).where(System.code == "exchange")).one()
        assert not gone.active

    # the PM and an engineer change the profile without seeing each other's change
    _publish(pm, _changed(systems={"db": "数据库集群", "cache": "缓存"}, drop=["exchange"]))
    _publish(zs, _changed(systems={"db": "数据库集群", "mq": "消息队列"}, drop=["exchange"]))
    exchange(pm, zs, tmp_path / "pm-v4.omwb", since="ZS")
    exchange(zs, pm, tmp_path / "zs-v4.omwb", since="WJ")
    exchange(pm, ls, tmp_path / "pm-all.omwb", since="LS")
    exchange(zs, ls, tmp_path / "zs-all.omwb")
    states = [_setup(store) for store in (pm, zs, ls)]
    assert states[0] == states[1] == states[2]
    assert states[0]["quarantined"] == []
    with pm.session() as s:
        versions = s.scalars(select(ContractProfileVersion)).all()
        fours = sorted((v.profile_sha256, v.device_id) for v in versions if v.version == 4)
        assert len(fours) == 2
        assert states[0]["profile"] == fours[-1][0]  # the same number: the larger hash wins
        active = {x.code for x in s.scalars(select(System).where(System.active))}
    loser = "cache" if fours[-1][1] != pm.device().device_id else "mq"
    assert loser not in active and {"portal", "api", "db"} <= active
    for store in (pm, zs, ls):
        _ok(store)


def test_a_version_from_a_device_not_trusted_here_waits_for_trust(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    pm, (zs, _ls) = team
    rogue = open_member(tmp_path / "new", "赵六", "ZL")
    bundles.export_bundle(pm, tmp_path / "setup.omwb", PASS)
    bundles.import_bundle(rogue, tmp_path / "setup.omwb", PASS, trust_new_signer=True)
    _publish(rogue, _changed(systems={"db": "数据库"}))
    bundles.export_bundle(rogue, tmp_path / "zl.omwb", PASS)
    assert bundles.import_bundle(pm, tmp_path / "zl.omwb", PASS, trust_new_signer=True).profiles
    before = _setup(zs)["profile"]
    relayed = exchange(pm, zs, tmp_path / "relay.omwb", since="ZS")
    assert relayed.profiles == [] and _setup(zs)["profile"] == before
    member = next(m for m in identity.members(zs) if m.code == "ZL")
    identity.trust(zs, member.fingerprint, actor="张三")  # now it counts, at once
    assert _setup(zs)["profile"] == _setup(pm)["profile"] != before
    rogue.close()


@pytest.mark.parametrize(
    ("field", "reason"), [("profile", "校验值不符"), ("published_by", "签名无效")]
)
def test_a_tampered_version_refuses_the_bundle(
    team: tuple[Store, list[Store]], tmp_path: Path, field: str, reason: str
) -> None:
    pm, (zs, _ls) = team
    _publish(pm, _changed(systems={"db": "数据库"}))
    bundles.export_bundle(pm, tmp_path / "v2.omwb", PASS, since="ZS")

    def edit(data: bytes) -> bytes:
        rows = json.loads(data)
        for row in rows:
            if field == "profile":
                row["profile"]["name"] = "改过的合同"
            else:
                row["published_by"] = "项目经理"
        return json.dumps(rows).encode()

    forged = tmp_path / "forged.omwb"
    repack(tmp_path / "v2.omwb", forged, pm, member=("rows/contract_profile_version.json", edit))
    before = snapshot(zs)
    with pytest.raises(BundleError, match=reason):
        bundles.import_bundle(zs, forged, PASS)
    assert snapshot(zs) == before


def test_omw_check_finds_a_version_changed_outside_the_app(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", actor="王经理")
    with store.session() as s:
        install_profile(s, portal_profile())
    _publish(store, _changed(systems={"db": "数据库"}))
    _ok(store)
    store.close()
    with sqlite3.connect(paths.db_path(tmp_path / "s")) as conn:  # a database tool
        conn.execute("DROP TRIGGER contract_profile_version_no_update")
        conn.execute("UPDATE contract_profile_version SET published_by = '别人' WHERE version = 2")
    store = Store.open(tmp_path / "s", actor="王经理")
    try:
        report, _notes = check_store(store)
        (found,) = report.problems
        assert "合同档案版本 2" in found.where and "签名无效" in found.message
        with store.session() as s:  # and it no longer counts: version 1 applies
            contract = s.scalars(select(Contract)).one()
            assert [v.number for v in versions.history(s, contract.id)] == [1]
    finally:
        store.close()


def test_the_command_line_installs_a_new_version_and_the_import_names_it(
    team: tuple[Store, list[Store]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli.main import main

    pm, (zs, _ls) = team
    folders = {"pm": str(pm.folder), "zs": str(zs.folder)}
    pm.close()
    zs.close()
    changed = _changed(systems={"db": "数据库"}, end="2027-03-31").model_dump(mode="json")
    source = tmp_path / "test-portal.yaml"
    source.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    assert main(["--data-dir", folders["pm"], "profiles", "--install", str(source)]) == 0
    assert "已载入合同档案 test-portal（版本 2）" in capsys.readouterr().out
    assert main(["--data-dir", folders["pm"], "profiles", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["contracts"][0]["version"] == 2
    monkeypatch.setenv(bundles.ENV_PASSPHRASE, PASS)
    target = str(tmp_path / "v2.omwb")
    assert main(["--data-dir", folders["pm"], "bundle", "export", "--to", target]) == 0
    capsys.readouterr()
    assert main(["--data-dir", folders["zs"], "bundle", "import", target]) == 0
    assert "合同档案已更新（版本 2，来自 王经理）：test-portal" in capsys.readouterr().out
    assert main(["--data-dir", folders["zs"], "profiles"]) == 0
    assert "2027-03-31" in capsys.readouterr().out
