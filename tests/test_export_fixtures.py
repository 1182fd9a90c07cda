"""Fixtures of the export tests: a demo store made once per test session.

October 2026 of both built-in contracts (国庆节 falls in it), from
:func:`app.demo.generator.generate`. Tests that write to the store work on a copy
(:func:`store_copy`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.contracts.profiles import install_builtin_profiles
from app.demo.generator import generate
from app.schedule.holidays import sync_all_holidays
from app.storage.store import Store

MONTH = "2026-10"
UNTIL = date(2026, 10, 31)
CODES = ("portal-om", "internet-om")
#: internet-om's deliverable to export a form as, where it has several of that form
#: (:func:`app.export.packs.export_form` asks which one)
INTERNET_OM_DELIVERABLE = {"annual_summary": "annual-summary", "summary_report": "final-report"}
SEED = 3


def make_demo(folder: Path) -> Path:
    store = Store.open(folder, actor="测试导出")
    with store.session() as session:
        install_builtin_profiles(session)
        sync_all_holidays(session)
    for code in CODES:
        generate(store, code, months=1, seed=SEED, until=UNTIL)
    store.close()
    return folder


def store_copy(source: Path, target: Path) -> Store:
    target.mkdir(parents=True, exist_ok=True)
    for f in source.iterdir():
        if f.name.startswith("omw.sqlite3") and "bak" not in f.name:
            shutil.copy2(f, target / f.name)
    return Store.open(target, actor="测试导出")


#: The demo store of this test process. Each module that imports ``demo_dir`` gets its own
#: copy of the fixture (session scope is per fixture definition), so the store itself is
#: kept here: built once per process (per xdist worker), not once per module (~10 s each).
_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store with October 2026 of both built-in contracts (use it through a copy)."""
    found = _BUILT.get("demo")
    if found is None or not (found / "omw.sqlite3").exists():
        found = _BUILT["demo"] = make_demo(tmp_path_factory.mktemp("demo"))
    return found


@pytest.fixture
def demo_store(demo_dir: Path, tmp_path: Path) -> Iterator[Store]:
    opened = store_copy(demo_dir, tmp_path / "demo-copy")
    yield opened
    opened.close()
