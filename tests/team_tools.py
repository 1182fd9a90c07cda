"""A small team for the exchange-bundle tests: a PM's store and engineers' stores.

The PM installs the contract and hands it out in a bundle; each engineer's
store starts from that bundle (one contract, the same ids everywhere).
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from app.records import faults, signing
from app.records import inspections as ins
from app.storage import paths
from app.storage.store import Store
from app.team import bundles, identity
from app.team.container import open_bundle, write_bundle
from db.models import Base, InspectionRun
from tests.factories import install, png_bytes

PASS = "team-pass-2026"


CONTRACT = "test-portal"
WEEKLY = "per-system"  # weekly, one run per system: many distinct runs to sign


#: an empty store at the schema head, copied for each member (migrating costs ~1 s a store)
_BLANK: list[Path] = []


def _blank(scratch: Path) -> Path:
    if not _BLANK or not _BLANK[0].exists():
        Store.open(scratch / "blank").close()
        _BLANK[:] = [paths.db_path(scratch / "blank")]
    return _BLANK[0]


def open_member(folder: Path, engineer: str, code: str) -> Store:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(_blank(folder.parent), paths.db_path(folder))
    store = Store.open(folder, actor=engineer)
    identity.set_identity(store, engineer, code)
    return store


def start_team(root: Path, codes: list[tuple[str, str]]) -> tuple[Store, list[Store]]:
    """The PM (with the contract) and a store per ``(engineer, code)``, trusting each other."""
    pm = open_member(root / "pm", "王经理", "WJ")
    with pm.session() as s:
        install(s)
    first = root / "pm-setup.omwb"
    bundles.export_bundle(pm, first, PASS)
    engineers = []
    for n, (name, code) in enumerate(codes):
        store = open_member(root / f"e{n}", name, code)
        bundles.import_bundle(store, first, PASS, trust_new_signer=True)
        hello = root / f"hello-{code}.omwb"
        bundles.export_bundle(store, hello, PASS)
        bundles.import_bundle(pm, hello, PASS, trust_new_signer=True)
        engineers.append(store)
    roster = root / "pm-roster.omwb"  # the PM relays every engineer's key and name
    bundles.export_bundle(pm, roster, PASS)
    for store in engineers:
        bundles.import_bundle(store, roster, PASS)
        for other in identity.members(store):
            if not other.own and not other.trusted:
                identity.trust(store, other.fingerprint, actor=store.actor)
    return pm, engineers


@pytest.fixture(name="team")
def pm_and_two_engineers(tmp_path: Path) -> Iterator[tuple[Store, list[Store]]]:
    """The PM's store and two engineers' (张三 ZS, 李四 LS), closed after the test."""
    pm, engineers = start_team(tmp_path / "team", [("张三", "ZS"), ("李四", "LS")])
    yield pm, engineers
    for store in (pm, *engineers):
        store.close()


def sign_run(
    store: Store, day: date, system: str, inspector: str, *, template: str = WEEKLY
) -> str:
    """A completed, signed weekly run of ``system`` in the week of ``day``."""
    with store.session() as s:
        run = ins.start_run(
            s, CONTRACT, template, scheduled_date=day, system_code=system, inspector=inspector
        )
        complete_and_sign(s, run.id, day, inspector)
        return run.id


def complete_and_sign(
    s: Any, run_id: str, day: date, inspector: str, png: bytes | None = None
) -> None:
    """The rest of a started run normal, completed and signed by its inspector at 17:00."""
    ins.mark_rest_normal(s, run_id)
    ins.complete_run(s, run_id, conclusion="正常")
    signing.sign(
        s,
        "inspection_run",
        run_id,
        role="运维人员",
        signer_name=inspector,
        png=png or png_bytes(),
        signed_at=datetime.combine(day, datetime.min.time()).replace(hour=17),
    )


def sign_fault(store: Store, reported: datetime, who: str) -> tuple[str, str]:
    """A closed fault reported at ``reported``, signed by ``who``: its id and number."""
    with store.session() as s:
        fault = faults.create_fault(
            s, CONTRACT, title=f"门户无法访问（{who}）", level="major", reported_at=reported
        )
        s.flush()
        faults.set_time(s, fault.id, "recovered", reported + timedelta(hours=1))
        faults.close_fault(s, fault.id, reported + timedelta(hours=2), result="已恢复")
        signing.sign(s, "fault_record", fault.id, role="运维人员", signer_name=who, png=png_bytes())
        return fault.id, fault.number


def amend_and_sign(store: Store, run_id: str, who: str, reason: str) -> str:
    with store.session() as s:
        amended = signing.amend(s, "inspection_run", run_id, reason=reason, actor=who)
        amended.conclusion = f"正常（{reason}）"
        new_id = amended.id
    with store.session() as s:
        run = s.get(InspectionRun, new_id)
        assert run is not None
        ins.complete_run(s, new_id, conclusion=run.conclusion)
        signing.sign(s, "inspection_run", new_id, role="运维人员", signer_name=who, png=png_bytes())
    return new_id


def exchange(source: Store, target: Store, path: Path, *, since: Any = None) -> Any:
    bundles.export_bundle(source, path, PASS, since=since)
    return bundles.import_bundle(target, path, PASS)


def snapshot(store: Store) -> dict[str, int]:
    """Row counts of every table: equal snapshots mean nothing was written."""
    with store.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
            if conn.execute(
                text("SELECT 1 FROM sqlite_master WHERE type='table' AND name=:n"),
                {"n": table.name},
            ).first()
        }


def repack(
    source: Path,
    target: Path,
    store: Store,
    *,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    member: tuple[str, Callable[[bytes], bytes]] | None = None,
) -> None:
    """Rewrite a bundle with an edit, signed by ``store``'s device (a colleague gone rogue)."""
    with open_bundle(source, PASS) as bundle:
        doc = json.loads(json.dumps(bundle.manifest))
        members = [(name, bundle.read(name)) for name in bundle.names()]
    if manifest is not None:
        manifest(doc)
    if member is not None:
        name, edit = member
        members = [(n, edit(data) if n == name else data) for n, data in members]
    write_bundle(target, doc, members, PASS, store.device())


def document_text(path: Path) -> str:
    """The text a reader sees of a rendered Word file (body, headers, footers) or workbook."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as zf:
            parts = [
                n
                for n in zf.namelist()
                if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)
            ]
            xml = "".join(zf.read(n).decode() for n in sorted(parts))
        return "\n".join(
            "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", p)) for p in xml.split("</w:p>")
        )
    book = load_workbook(path, read_only=True)
    try:
        return "\n".join(
            "|".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    finally:
        book.close()
