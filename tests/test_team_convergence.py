"""Three engineers and a PM on four stores, two months, bundles in random orders: one outcome.

Hypothesis draws a story — engineers sign weekly runs, anyone amends or voids,
the PM countersigns, anyone publishes a new version of the contract's profile,
and bundles (whole or incremental, repeated, in any direction) travel between
any two stores — then everyone exchanges with the PM once more. Every store
must end with the same records, signatures and voids (no duplicate, nothing
lost), the same conflicts, the same profile and systems, and no quarantined
row, pass ``omw check`` and every device's audit chain, and the PM's month
data (what the month pack is built from) must hold every engineer's records.
Once per test run (the explicit example) the PM's October pack is rendered: its
Word fault reports name every engineer's fault, its Excel inspection record
every engineer's runs.

The team is set up once per test; each example works on copies of its four
stores (the device keys stay in the test's keyring).
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.contracts.profile_schema import Profile
from app.contracts.registry import install_profile
from app.errors import DomainError
from app.export import packs
from app.export.data import ExportData
from app.records import signing
from app.records.integrity_check import check_store
from app.storage.store import Store
from app.storage.team_state import voided_ids
from app.team import bundles
from app.team.container import BundleError
from app.team.voids import conflicts, void
from db.audit import verify_chain
from db.models import Contract, InspectionRun, Quarantine, RecordVoid, Signature, System
from tests.factories import png_bytes, portal_profile
from tests.team_tools import (
    CONTRACT,
    PASS,
    amend_and_sign,
    document_text,
    sign_fault,
    sign_run,
    start_team,
)

ENGINEERS = [("张三", "ZS"), ("李四", "LS"), ("王五", "WW")]
NAMES = [name for name, _code in ENGINEERS] + ["王经理"]
PM = 3
FIRST_WEEK = date(2026, 10, 5)  # two months: eight weeks of October and November

stores_ = st.integers(0, 3)
operations = st.one_of(
    st.tuples(
        st.just("sign"), st.integers(0, 2), st.integers(0, 8), st.sampled_from(["portal", "api"])
    ),
    st.tuples(st.just("amend"), stores_, st.integers(0, 20)),
    st.tuples(st.just("void"), stores_, st.integers(0, 20)),
    st.tuples(st.just("countersign"), st.integers(0, 20)),
    st.tuples(st.just("profile"), stores_, st.integers(0, 9)),
    st.tuples(st.just("send"), stores_, stores_, st.booleans()),
)


#: a story that reaches every rule: two laptops amend one run (a conflict), a void, a
#: countersignature, incremental bundles relayed through the PM and back
RICH = [
    ("send", 0, 3, False),
    ("send", 3, 1, True),
    ("amend", 0, 0),
    ("amend", 1, 0),
    ("void", 2, 0),
    ("countersign", 1),
    ("profile", 1, 1),
    ("send", 1, 2, True),
    ("send", 0, 3, True),
    ("send", 3, 0, True),
    ("sign", 2, 7, "api"),
    ("profile", 3, 2),
    ("send", 2, 0, False),
]
#: what the month pack holds: a monthly inspection record, a report per closed fault
DELIVERABLES = [
    {
        "code": "xj",
        "name": "巡检记录单",
        "form": "inspection_record",
        "due": {"rule": "nth_workday_next_month", "n": 5},
    },
    {
        "code": "gz",
        "name": "系统故障处置报告",
        "form": "fault_report",
        "due": {"rule": "workdays_after", "event": "fault_closed", "n": 3},
    },
]


def _publish(store: Store, n: int | None) -> None:
    """A new version of the profile: the deliverables, and the portal renamed (``n``)."""
    data = portal_profile().model_dump(mode="json") | {"deliverables": DELIVERABLES}
    if n is not None:
        data["systems"][0]["name"] = f"门户应用（第 {n} 版）"
    with store.session() as s:
        install_profile(s, Profile.model_validate(data))


def _latest_signed(store: Store) -> list[str]:
    """Latest signed runs by date and system: two stores holding the same runs agree on order."""
    run = InspectionRun
    with store.session() as s:
        rows = s.execute(
            select(run.id, run.supersedes_id, run.locked_at).order_by(
                run.scheduled_date, run.system_id, run.id
            )
        ).all()
        superseded = {r.supersedes_id for r in rows if r.supersedes_id}
        voided = voided_ids(s)
    return [r.id for r in rows if r.locked_at and r.id not in superseded | voided]


def _play(
    story: list[tuple[Any, ...]], stores: list[Store], folder: Path, made: dict[str, str | None]
) -> dict[str, Any]:
    """Play the story; ``made`` maps each signed run to the run it supersedes (None)."""
    made = dict(made)
    voided: set[str] = set()
    sent = 0
    for op in story:
        kind = op[0]
        try:
            if kind == "sign":
                _, who, week, system = op
                day = FIRST_WEEK + timedelta(weeks=week)
                made[sign_run(stores[who], day, system, NAMES[who])] = None
            elif kind == "profile":
                _publish(stores[op[1]], op[2])
            elif kind in ("amend", "void", "countersign"):
                who = PM if kind == "countersign" else op[1]
                runs = _latest_signed(stores[who])
                if not runs:
                    continue
                target = runs[op[-1] % len(runs)]
                if kind == "amend":
                    made[amend_and_sign(stores[who], target, NAMES[who], "更正")] = target
                elif kind == "void":
                    with stores[who].session() as s:
                        void(s, "inspection_run", target, reason="作废", actor=NAMES[who])
                    voided.add(target)
                else:
                    with stores[PM].session() as s:
                        signing.sign(
                            s,
                            "inspection_run",
                            target,
                            role="复核人",
                            signer_name="王经理",
                            png=png_bytes(seed=1),
                        )
            else:
                _, source, target, incremental = op
                if source == target:
                    continue
                sent += 1
                path = folder / f"send-{sent}.omwb"
                code = (ENGINEERS[target][1] if target < PM else "WJ") if incremental else None
                try:
                    bundles.export_bundle(stores[source], path, PASS, since=code)
                except DomainError:  # never imported from that colleague: no --since yet
                    bundles.export_bundle(stores[source], path, PASS)
                bundles.import_bundle(stores[target], path, PASS)
                if sent % 2:  # the same bundle twice changes nothing
                    again = bundles.import_bundle(stores[target], path, PASS)
                    assert not again.quarantined
        except (DomainError, BundleError) as exc:
            # refusals the story may hit: a week already done, a record already amended …
            assert not isinstance(exc, BundleError), exc
            print("refused", op, exc)
    return {"made": made, "voided": voided}


def _converge(stores: list[Store], folder: Path) -> None:
    for n in range(PM):  # everyone → PM, then PM → everyone
        path = folder / f"up-{n}.omwb"
        bundles.export_bundle(stores[n], path, PASS)
        bundles.import_bundle(stores[PM], path, PASS)
    for n in range(PM):
        path = folder / f"down-{n}.omwb"
        bundles.export_bundle(stores[PM], path, PASS, since=ENGINEERS[n][1])
        bundles.import_bundle(stores[n], path, PASS)


def _state(store: Store) -> dict[str, Any]:
    with store.session() as s:
        runs = list(s.scalars(select(InspectionRun.id).where(InspectionRun.locked_at.is_not(None))))
        hashes = signing.content_hashes(s, "inspection_run", runs)
        return {
            "runs": set(hashes.items()),
            "signatures": {
                (g.id, g.record_id, g.role, g.content_sha256) for g in s.scalars(select(Signature))
            },
            "voids": {(v.id, v.record_id) for v in s.scalars(select(RecordVoid))},
            "conflicts": {(c.original_id, c.amendment_ids) for c in conflicts(s)},
            "quarantined": s.scalars(select(Quarantine.id)).all(),
            "chain": verify_chain(s),
            "profile": s.scalars(select(Contract.profile_sha256)).one(),
            "systems": {(x.id, x.code, x.name, x.active, x.seq) for x in s.scalars(select(System))},
        }


def _render_october(pm: Store, out: Path, numbers: list[str], runs: set[str]) -> None:
    """Render the PM's October pack; every fault and run of every engineer is in its files."""
    with pm.session() as s:
        plan = packs.plan_month(s, CONTRACT, "2026-10", today=date(2026, 12, 1))
        inspectors = {
            r.inspector for r in s.scalars(select(InspectionRun).where(InspectionRun.id.in_(runs)))
        }
    result = packs.export_pack(
        pm, plan, out, make_zip=False, record=False, allow_unreviewed=True, allow_incomplete=True
    )
    texts = {f.path: document_text(result.folder / f.path) for f in result.files}
    reports = "\n".join(t for p, t in texts.items() if p.endswith(".docx") and "GZ-" in t)
    assert all(number in reports for number in numbers), numbers
    (sheet,) = [
        f for f in result.files if f.planned.kind == "inspection_record" and f.planned.fmt == "xlsx"
    ]
    assert set(sheet.record_ids) == runs  # every engineer's latest October runs, none voided
    assert all(name in texts[sheet.path] for name in inspectors), inspectors


@pytest.mark.slow
def test_four_stores_converge_whatever_the_order_of_the_bundles(tmp_path: Path) -> None:
    pm, engineers = start_team(tmp_path / "template", ENGINEERS)
    _publish(pm, None)  # the deliverables: a new profile version, not yet sent
    before: dict[str, str | None] = {}  # each engineer's first two weeks, signed and not yet sent
    numbers = [
        sign_fault(store, datetime(2026, 10, 6 + n, 9, 30), NAMES[n])[1]
        for n, store in enumerate(engineers)
    ]
    for n, store in enumerate(engineers):
        for week in (2 * n, 2 * n + 1):
            for system in ("portal", "api"):
                day = FIRST_WEEK + timedelta(weeks=week)
                before[sign_run(store, day, system, NAMES[n])] = None
    folders = [s.folder for s in (*engineers, pm)]
    for store in (*engineers, pm):
        store.close()
    ring = keyring.get_keyring()
    secrets = dict(ring._secrets)  # type: ignore[attr-defined]
    runs = iter(range(1000))
    rendered: list[Path] = []

    @settings(max_examples=3, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(st.lists(operations, min_size=8, max_size=16))
    @example(RICH)
    def story(ops: list[tuple[Any, ...]]) -> None:
        here = tmp_path / f"example-{next(runs)}"
        copies = []
        for folder in folders:
            shutil.copytree(folder, here / folder.name, ignore=shutil.ignore_patterns("*.lock"))
            copies.append(here / folder.name)
        ring._secrets = dict(secrets)  # type: ignore[attr-defined]  # heads as the copies left them
        stores = [Store.open(f, actor=NAMES[n]) for n, f in enumerate(copies)]
        try:
            played = _play(ops, stores, here, before)
            _converge(stores, here)
            states = [_state(store) for store in stores]
            for state in states:
                assert state["chain"].ok, state["chain"]
                assert state["quarantined"] == []
                for key in ("runs", "signatures", "voids", "conflicts", "profile", "systems"):
                    assert state[key] == states[0][key], key
            children: dict[str, list[str]] = {}
            for run_id, up in played["made"].items():
                if up:
                    children.setdefault(up, []).append(run_id)
            parallel = {
                up
                for up, kids in children.items()
                if len(kids) > 1 and not any(k in children for k in kids)
            }
            assert {original for original, _ in states[0]["conflicts"]} == parallel
            signed_ids = {run_id for run_id, _digest in states[0]["runs"]}
            assert set(played["made"]) <= signed_ids  # nothing lost
            for store in stores:
                report, _notes = check_store(store)
                assert report.ok, report.lines()
            superseded = {up for up in played["made"].values() if up}
            with stores[PM].session() as s:
                gone = voided_ids(s)
                contract = s.scalars(select(Contract)).one()
                data = ExportData(s, contract)
                in_pack = {
                    r.id
                    for start, end in (
                        (date(2026, 10, 1), date(2026, 10, 31)),
                        (date(2026, 11, 1), date(2026, 11, 30)),
                    )
                    for r in data.runs(start, end)
                }
            expected = {i for i in played["made"] if i not in superseded and i not in gone}
            print(
                "STORY",
                len(played["made"]),
                len(played["voided"]),
                len(states[0]["signatures"]),
                len(states[0]["conflicts"]),
                len(in_pack),
            )
            assert in_pack == expected  # every engineer's latest records, none voided
            with stores[PM].session() as s:
                data = ExportData(s, s.scalars(select(Contract)).one())
                assert set(numbers) <= {f.number for f in data.all_faults}
                october = {r.id for r in data.runs(date(2026, 10, 1), date(2026, 10, 31))}
            if not rendered:  # once per test run: rendering costs seconds
                rendered.append(here / "pack")
                _render_october(stores[PM], here / "pack", numbers, october)
        finally:
            for store in stores:
                store.close()

    story()
