"""Probe results travel in exchange bundles: the PM's merged store has every engineer's history."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.contracts.profiles import read_profile_data, validate_profile
from app.contracts.registry import install_profile
from app.probes import history, service
from app.records.integrity_check import check_store
from app.storage.store import Store
from app.team import bundles
from db.models import Contract, InspectionRun, ProbeResult, Quarantine
from tests.probe_servers import LOOPBACK, site
from tests.team_tools import CONTRACT, PASS, open_member, repack, start_team

DAY = date(2026, 11, 2)
PROFILES = Path(__file__).resolve().parent.parent / "resources" / "profiles"


def _measure(store: Store, target: str, times: list[float | None]) -> set[str]:
    """One probe run of ``target`` a day (``None``: no answer), as ``app.probes.service`` stores."""
    rows: list[ProbeResult] = []
    with store.session() as s:
        contract_id = s.scalar(select(Contract.id).where(Contract.code == CONTRACT))
        batch = f"batch-{store.actor}-{target}"
        for n, elapsed in enumerate(times):
            row = ProbeResult(
                contract_id=contract_id,
                batch_id=batch,
                kind="http",
                target=target,
                system_code="portal",
                address=f"https://{target}.example.test/",
                started_at=datetime.combine(DAY + timedelta(days=n), datetime.min.time())
                + timedelta(hours=9),
                outcome="normal" if elapsed is not None else "abnormal",
                status_code=200 if elapsed is not None else None,
                elapsed_ms=elapsed,
                addresses=["127.0.0.1"],
                error="" if elapsed is not None else "连接超时",
                summary="HTTP 200" if elapsed is not None else "无响应",
                details={"label": f"门户 / {target}"},
                # a draft run's item result: it stays on the engineer's laptop
                item_result_id="00000000-0000-0000-0000-00000000d1af",
                created_by=store.actor,
            )
            s.add(row)
            rows.append(row)
        s.flush()
        return {r.id for r in rows}


def _probe_rows(store: Store) -> dict[str, tuple[str | None, int | None]]:
    with store.session() as s:
        return {r.id: (r.device_id, r.device_seq) for r in s.scalars(select(ProbeResult))}


def test_probe_results_travel_once_in_any_order(tmp_path: Path) -> None:
    pm, (zs, ls) = start_team(tmp_path / "team", [("张三", "ZS"), ("李四", "LS")])
    try:
        zs_ids = _measure(zs, "home", [120.0, 140.0, None])
        ls_ids = _measure(ls, "api", [80.0, None])
        stamped = _probe_rows(zs)
        assert {d for d, _n in stamped.values()} == {zs.device().device_id}  # stamped like a record
        assert all(n is not None for _d, n in stamped.values())

        bundles.export_bundle(zs, tmp_path / "zs.omwb", PASS)
        bundles.export_bundle(ls, tmp_path / "ls.omwb", PASS)
        first = bundles.import_bundle(pm, tmp_path / "zs.omwb", PASS)
        assert first.new["probe_result"] == 3
        again = bundles.import_bundle(pm, tmp_path / "zs.omwb", PASS)
        assert not again.new.get("probe_result") and again.quarantined == []
        bundles.import_bundle(pm, tmp_path / "ls.omwb", PASS)

        # another PM's store takes the bundles in the other order: the same set
        other = open_member(tmp_path / "pm2", "王经理", "WJ")
        try:
            for name in ("ls.omwb", "zs.omwb", "ls.omwb"):
                result = bundles.import_bundle(other, tmp_path / name, PASS, trust_new_signer=True)
                assert result.quarantined == []
            assert _probe_rows(other) == _probe_rows(pm)
        finally:
            other.close()

        rows = _probe_rows(pm)
        assert set(rows) == zs_ids | ls_ids  # each result exactly once
        assert rows == _probe_rows(zs) | _probe_rows(ls)  # with the measuring devices' stamps
        with pm.session() as s:
            assert s.scalar(select(func.count()).select_from(Quarantine)) == 0
            contract_id = s.scalar(select(Contract.id).where(Contract.code == CONTRACT))
            assert contract_id is not None
            found = history.monitoring(s, contract_id, DAY, DAY + timedelta(days=29))
        by_target = {t.key: t for t in found}
        home, api = by_target[("portal", "home")], by_target[("portal", "api")]
        assert (home.checks, home.failures, home.mean_ms) == (3, 1, 130.0)
        assert (api.checks, api.failures, api.mean_ms) == (2, 1, 80.0)
        report, _notes = check_store(pm)
        assert report.ok, report.lines()
    finally:
        for store in (pm, zs, ls):
            store.close()


def test_a_changed_probe_result_is_quarantined(tmp_path: Path) -> None:
    pm, (zs,) = start_team(tmp_path / "team", [("张三", "ZS")])
    try:
        (probe_id,) = _measure(zs, "home", [120.0])
        good = tmp_path / "zs.omwb"
        bundles.export_bundle(zs, good, PASS)
        assert bundles.import_bundle(pm, good, PASS).new["probe_result"] == 1

        def forge(data: bytes) -> bytes:
            rows = json.loads(data)
            rows[0]["elapsed_ms"] = 1.0
            return json.dumps(rows, ensure_ascii=False).encode()

        forged = tmp_path / "forged.omwb"
        repack(good, forged, zs, member=("rows/probe_result.json", forge))
        result = bundles.import_bundle(pm, forged, PASS)
        assert not result.new.get("probe_result")
        with pm.session() as s:
            held = s.scalars(select(Quarantine).where(Quarantine.record_id == probe_id)).one()
            assert held.record_type == "probe_result" and held.incoming["elapsed_ms"] == 1.0
            row = s.get(ProbeResult, probe_id)
            assert row is not None and row.elapsed_ms == 120.0
    finally:
        pm.close()
        zs.close()


@pytest.mark.enable_socket
@pytest.mark.allow_hosts([LOOPBACK])
def test_a_real_probe_run_reaches_the_pm_while_its_draft_run_stays(tmp_path: Path) -> None:
    pm = open_member(tmp_path / "pm", "王经理", "WJ")
    zs = open_member(tmp_path / "zs", "张三", "ZS")
    try:
        with site() as web:
            data = read_profile_data(PROFILES / "portal-om.yaml")
            for system in data["systems"]:
                for target in system.get("targets", []):
                    if target["code"] == "home":
                        kept = {"code": "home", "name": target.get("name", "")}
                        target.clear()
                        target.update(kept | {"kind": "http", "url": web.url("/ok")})
            with pm.session() as s:
                install_profile(s, validate_profile(copy.deepcopy(data)))
            bundles.export_bundle(pm, tmp_path / "setup.omwb", PASS)
            bundles.import_bundle(zs, tmp_path / "setup.omwb", PASS, trust_new_signer=True)
            with zs.session() as s:
                run = service.run_for_day(s, "portal-om", "program-daily", DAY, inspector="张三")
                s.flush()
                plan = service.plan_run(s, run.id)
                applied = service.apply(s, plan, service.execute(plan), actor="张三")
                measured = set(
                    s.scalars(
                        select(ProbeResult.id).where(ProbeResult.batch_id == applied.batch_id)
                    )
                )
                assert measured and run.locked_at is None  # a draft: it stays here
        bundles.export_bundle(zs, tmp_path / "zs.omwb", PASS)
        for _twice in range(2):
            bundles.import_bundle(pm, tmp_path / "zs.omwb", PASS, trust_new_signer=True)
        with pm.session() as s:
            got = s.scalars(select(ProbeResult).where(ProbeResult.id.in_(measured))).all()
            assert len(got) == len(measured) and s.get(InspectionRun, run.id) is None
            assert {r.item_result_id is not None for r in got} == {True}  # kept as plain data
            contract_id = s.scalar(select(Contract.id).where(Contract.code == "portal-om"))
            assert contract_id is not None
            days = sorted(r.started_at.date() for r in got)  # measured now, for DAY's run
            found = history.monitoring(s, contract_id, days[0], days[-1])
        assert sum(t.checks for t in found) == len(measured)
        assert all(t.failures == 0 for t in found)
    finally:
        pm.close()
        zs.close()
