"""Demo stores for the benchmarks, built once and cached in the system temp folder.

:func:`cached_store` gives a fresh copy of the demo store of both built-in
contracts (``app.demo.generator.generate``, ``months`` months ending
2026-11-20, seed 1). The built store is kept under the temp folder
(``omw-bench-store-<key>``), keyed by the arguments and a hash of the code that
makes demo data (demo generator, models, migrations, profiles), so a change to
any of them builds it anew. Each benchmark works on its own copy.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from app.contracts.profiles import install_builtin_profiles
from app.demo.generator import generate
from app.schedule.holidays import sync_all_holidays
from app.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
UNTIL = date(2026, 11, 20)
SEED = 1
CODES = ("portal-om", "internet-om")
#: What the demo store is made from: a change to any of these rebuilds the cache.
SOURCES = (
    "app/demo",
    "app/contracts/profiles.py",
    "db/models.py",
    "db/migrations",
    "resources/profiles",
)


def _fingerprint(months: int) -> str:
    h = hashlib.sha256(f"{months}|{SEED}|{UNTIL}|{','.join(CODES)}".encode())
    for rel in SOURCES:
        path = ROOT / rel
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(ROOT).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _build(folder: Path, months: int) -> None:
    store = Store.open(folder, actor="bench")
    try:
        with store.session() as s:
            install_builtin_profiles(s)
            sync_all_holidays(s)
        for code in CODES:
            generate(store, code, months=months, seed=SEED, until=UNTIL)
    finally:
        store.close()


def cached_folder(months: int, *, rebuild: bool = False) -> tuple[Path, str]:
    """The cached demo store's folder (built if missing) and how it was obtained."""
    cache = Path(tempfile.gettempdir()) / f"omw-bench-store-{_fingerprint(months)}"
    note = "cached"
    if rebuild or not (cache / "ready").is_file():
        t = time.perf_counter()
        shutil.rmtree(cache, ignore_errors=True)
        building = cache.with_name(f"{cache.name}.building-{time.time_ns()}")
        _build(building, months)
        (building / "ready").write_text("ok\n")
        shutil.rmtree(cache, ignore_errors=True)
        building.rename(cache)
        note = f"built in {time.perf_counter() - t:.1f} s"
    return cache, f"{note}: {cache}"


def copy_store(months: int, target: Path, *, rebuild: bool = False) -> str:
    """Copy the demo store of ``months`` months to ``target`` (a data folder); the note."""
    cache, note = cached_folder(months, rebuild=rebuild)
    shutil.copytree(cache, target, ignore=shutil.ignore_patterns("ready", "omw.lock"))
    return note


def cached_store(months: int, target: Path, *, rebuild: bool = False) -> tuple[Store, str]:
    """A copy of the demo store of ``months`` months at ``target``, opened."""
    note = copy_store(months, target, rebuild=rebuild)
    return Store.open(target, actor="bench"), note
