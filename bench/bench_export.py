#!/usr/bin/env python3
"""Benchmark: monthly packs and a year's archive, median of several runs.

    .venv/bin/python bench/bench_export.py [--months 3] [--runs 5] [--year] [--no-cache]

Builds a demo store (``app.demo.generator.generate`` for both built-in contracts,
``--months`` months ending 2026-11-20; ``--year`` makes it 12), then exports
the full monthly pack of October 2026 for each contract ``--runs`` times
(folder + zip + manifest, the way ``omw export month`` does, without recording
the export) and prints the median and the spread. ``--year`` adds the archive
of the whole demo period of portal-om (``omw export range``), also ``--runs``
times.

The built store is cached under the system temp folder
(``omw-bench-store-<key>``), keyed by the arguments and a hash of the code that
makes demo data (demo generator, models, migrations, profiles): building 12
months takes ~17 s, exporting them a few seconds. Each benchmark run works on a
fresh copy of the cached store. ``--no-cache`` rebuilds it.

The first export in a process also pays for imports, font loading and
compiling the templates (kept for the process afterwards, see
``app/export/render.py``); it is reported separately as "cold" and left out
of the median. ``--compile`` clears the compiled templates before every run,
so that each run includes compiling every template it uses.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

# Exports are signed with the exporter's key. The benchmark must never write a key into
# the developer's real OS keyring, so it keeps its keys in the data folder's sealed file.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("OMW_PASSPHRASE", "omw-benchmark-only-passphrase")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.contracts.profiles import install_builtin_profiles
from app.demo.generator import generate
from app.export import packs, render
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


def cached_store(months: int, target: Path, *, rebuild: bool = False) -> tuple[Store, str]:
    """A copy of the demo store of ``months`` months at ``target`` (built once, then cached)."""
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
    shutil.copytree(cache, target, ignore=shutil.ignore_patterns("ready"))
    return Store.open(target, actor="bench"), f"{note}: {cache}"


def _time(fn: Callable[[int], object], runs: int) -> tuple[float, list[float], object]:
    times = []
    result: object = None
    for n in range(runs + 1):
        t = time.perf_counter()
        result = fn(n)
        times.append(time.perf_counter() - t)
    return times[0], times[1:], result


def _line(what: str, cold: float, warm: list[float]) -> str:
    return (
        f"{what}: median {statistics.median(warm):.3f} s "
        f"(min {min(warm):.3f}, max {max(warm):.3f}, n={len(warm)}; cold {cold:.3f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--year", action="store_true", help="also time a 12-month archive")
    parser.add_argument("--no-cache", action="store_true", help="rebuild the cached demo store")
    parser.add_argument("--only", choices=CODES, help="only this contract's monthly pack")
    parser.add_argument(
        "--compile", action="store_true", help="compile the templates anew in every run"
    )
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="omw-bench-"))
    try:
        months = 12 if args.year else args.months
        store, note = cached_store(months, work / "data", rebuild=args.no_cache)
        print(f"demo store: {months} months, both contracts ({note})")
        for code in [args.only] if args.only else CODES:
            with store.session() as s:
                plan = packs.plan_month(s, code, args.month)

            def month(n: int, plan: packs.PackPlan = plan, code: str = code) -> object:
                if args.compile:
                    render.clear_cache()
                out = work / f"out-{code}-{n}"
                result = packs.export_pack(
                    store, plan, out, exporter="bench", record=False, allow_unreviewed=True
                )
                shutil.rmtree(out)
                return result

            cold, warm, result = _time(month, args.runs)
            n_files = len(result.files)  # type: ignore[attr-defined]
            print(_line(f"{code} monthly pack {args.month}: {n_files} files", cold, warm))
        if args.year:
            with store.session() as s:
                plan = packs.plan_range(s, "portal-om", date(2026, 3, 1), UNTIL)

            def year(n: int) -> object:
                if args.compile:
                    render.clear_cache()
                out = work / f"year-{n}"
                result = packs.export_pack(
                    store, plan, out, exporter="bench", record=False, allow_unreviewed=True
                )
                shutil.rmtree(out)
                return result

            cold, warm, result = _time(year, max(1, min(args.runs, 5)))
            n_files = len(result.files)  # type: ignore[attr-defined]
            print(_line(f"portal-om archive 2026-03-01..{UNTIL}: {n_files} files", cold, warm))
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
