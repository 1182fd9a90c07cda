#!/usr/bin/env python3
"""Benchmark: monthly packs and a year's archive, median of several runs.

    .venv/bin/python bench/bench_export.py [--months 3] [--runs 5] [--year]

Builds a demo store once (``app.demo.generate`` for both built-in contracts,
``--months`` months ending 2026-11-20), then exports the full monthly pack of
October 2026 for each contract ``--runs`` times (folder + zip + manifest, the
way ``omw export month`` does, without recording the export) and prints the
median and the spread. ``--year`` adds the archive of the whole demo period of
portal-om (``omw export range``), timed once. The first run in a process also
pays for imports (matplotlib); it is reported separately as "cold".
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.demo import generate
from app.export import packs
from app.profiles import install_builtin_profiles
from app.services.holidays import sync_all_holidays
from app.store import Store

UNTIL = date(2026, 11, 20)
CODES = ("portal-om", "internet-om")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--year", action="store_true", help="also time a 12-month archive")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="omw-bench-"))
    try:
        months = 12 if args.year else args.months
        t = time.perf_counter()
        store = Store.open(work / "data", actor="bench")
        with store.session() as s:
            install_builtin_profiles(s)
            sync_all_holidays(s)
        for code in CODES:
            generate(store, code, months=months, seed=1, until=UNTIL)
        print(f"demo store: {months} months, both contracts, {time.perf_counter() - t:.1f} s")
        for code in CODES:
            with store.session() as s:
                plan = packs.plan_month(s, code, args.month)
            times = []
            for n in range(args.runs + 1):
                out = work / f"out-{code}-{n}"
                t = time.perf_counter()
                result = packs.export_pack(store, plan, out, exporter="bench", record=False)
                times.append(time.perf_counter() - t)
                shutil.rmtree(out)
            cold, warm = times[0], times[1:]
            print(
                f"{code} monthly pack {args.month}: {len(result.files)} files, "
                f"median {statistics.median(warm):.3f} s "
                f"(min {min(warm):.3f}, max {max(warm):.3f}, n={len(warm)}; cold {cold:.3f} s)"
            )
        if args.year:
            with store.session() as s:
                plan = packs.plan_range(s, "portal-om", date(2026, 3, 1), UNTIL)
            t = time.perf_counter()
            result = packs.export_pack(store, plan, work / "year", exporter="bench", record=False)
            print(
                f"portal-om archive 2026-03-01..{UNTIL}: {len(result.files)} files, "
                f"{time.perf_counter() - t:.2f} s"
            )
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
