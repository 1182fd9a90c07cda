#!/usr/bin/env python3
"""Where a pack's time goes: each step of ``packs.export_pack``, in a warm process.

    .venv/bin/python bench/pack_phases.py [--archive] [--months 12|36] [--runs 5]

portal-om's 2026-10 monthly pack (``--archive``: its 12-month archive) from a
cached demo store of ``bench/stores.py`` (12 months, or ``--months 36``: the same
month of an older store should take as long), exported once to warm up, then
``--runs`` times with each step timed: the forms' contexts (``build``), the tamper
check, filling the templates (the charts' drawing shown apart, it is part of
filling), and writing and zipping the files. What is left of the whole is the
rest of ``export_pack`` (planning the files, the manifest, signing, fsyncs).
Each step is also shown as a multiple of the row's floor, timed in the same run,
interleaved with the exports: the pack's bytes written, each file fsynced, and
zipped (``bench/run.py``'s floor; the month pack's target is 3×, the archive's 4×).
Beside the steps, a lower bound no build of the forms can go under while every
export checks every seal of what it signs: the Ed25519 checks alone of the
seals the tamper check met (``seals.seals_valid`` on every core, nothing else).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

# Exports are signed with the exporter's key: never a key in the developer's real OS keyring.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("OMW_PASSPHRASE", "omw-benchmark-only-passphrase")
os.environ["OMW_SECRET_STORE"] = "file"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CONTRACT = "portal-om"
MONTH = "2026-10"


def _timed(owner: Any, name: str, label: str, spent: Counter[str]) -> None:
    """Replace ``owner.name`` by the same function adding its seconds to ``spent[label]``."""
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    setattr(owner, name, timed)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archive", action="store_true", help="the 12-month archive, not a month")
    p.add_argument("--months", type=int, choices=(12, 36), default=12, help="the store's age")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)

    from app.export import packs, render
    from app.integrity import seals
    from bench.run import _pack_files, export_plan, write_fsync_zip
    from bench.stores import UNTIL, cached_store

    checked: list[Any] = []  # (signature, public key) of every seal the tamper check met
    seals_valid = seals.seals_valid

    def noting(items: list[Any]) -> list[bool]:
        checked.extend(items)
        return seals_valid(items)

    seals.seals_valid = noting  # type: ignore[assignment]

    spent: Counter[str] = Counter()
    steps = [
        (packs.b, "build", "forms' contexts"),
        (packs, "_refuse_tampered", "tamper check"),
        (render.Renderer, "render", "filling the templates"),
        (render.Renderer, "chart_png", "  of which drawing the charts"),
        (packs, "atomic_write_bytes", "writing the files"),
        (packs, "_zip_write", "zipping"),
    ]
    for owner, name, label in steps:
        _timed(owner, name, label, spent)

    with tempfile.TemporaryDirectory(prefix="omw-pack-phases-") as tmp:
        work = Path(tmp)
        store, note = cached_store(args.months, work / "store")
        print(f"demo store: {args.months} months ({note})", flush=True)
        try:
            with store.session() as s:
                if args.archive:
                    plan = packs.plan_range(s, CONTRACT, date(2026, 3, 1), UNTIL)
                else:
                    plan = packs.plan_month(s, CONTRACT, MONTH)
            wholes: list[float] = []
            floors: list[float] = []
            checks: list[float] = []
            for run in range(args.runs + 1):
                if run == 1:
                    spent.clear()  # the first export warms the process up
                out = work / f"pack-{run}"
                checked.clear()
                started = time.perf_counter()
                result = export_plan(store, plan, out)
                if run:
                    wholes.append(time.perf_counter() - started)
                files = _pack_files(result.folder)
                shutil.rmtree(out)
                if run:
                    started = time.perf_counter()
                    write_fsync_zip(files, work / "floor")
                    floors.append(time.perf_counter() - started)
                    shutil.rmtree(work / "floor")
                    started = time.perf_counter()
                    seals_valid(checked)
                    checks.append(time.perf_counter() - started)
        finally:
            store.close()
            seals.seals_valid = seals_valid  # type: ignore[assignment]
    what = "12-month archive" if args.archive else f"month pack {MONTH}"
    whole = sum(wholes) / len(wholes)
    print(
        f"{what}: median {statistics.median(wholes):.3f} s, mean {whole:.3f} s "
        f"(min {min(wholes):.3f}, max {max(wholes):.3f}, n={len(wholes)}); mean per step:"
    )
    floor = statistics.median(floors)
    target = 4 if args.archive else 3

    def line(seconds: float, label: str) -> None:
        print(f"  {seconds:7.3f} s  {seconds / floor:6.1f}×  {label}")

    for _owner, _name, label in steps:
        line(spent[label] / len(wholes), label)
    timed = sum(v for k, v in spent.items() if not k.startswith(" ")) / len(wholes)
    line(whole - timed, "the rest (plan, manifest, signature, fsyncs)")
    print(
        f"floor, the same bytes written, fsynced and zipped: median {floor * 1000:.1f} ms "
        f"(min {min(floors) * 1000:.1f}, max {max(floors) * 1000:.1f}); "
        f"the whole: {statistics.median(wholes) / floor:.1f}×, target ≤ {target}× "
        f"({floor * target * 1000:.0f} ms)"
    )
    check = statistics.median(checks)
    print(
        f"lower bound: the Ed25519 checks alone of the {len(checked)} seals it signs over, "
        f"on every core: median {check * 1000:.1f} ms, {check / floor:.1f}× the floor"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
