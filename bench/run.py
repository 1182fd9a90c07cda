#!/usr/bin/env python3
"""Benchmark: every row of the speed table (issue 13), each against its floor in the same run.

    .venv/bin/python bench/run.py [--runs 5] [--only TEXT] [--json FILE] [--check]
        [--target NAME=RATIO] [--no-cache]

Each row is a median of ``--runs`` (at least 5) next to the median of a floor
timed in the same run, interleaved run by run so that both see the same load;
median, minimum and maximum of both and their ratio are printed and written to
``--json`` (default ``bench/results/run.json``). The stores are the cached demo
stores of ``bench/stores.py`` (12 months of both built-in contracts; 36 months
for the memory row); every process works on its own copy, and reads the app's
modules compiled beforehand into the run's bytecode cache, as an installed copy does.

``window first paint``
    ``omw`` started in a new process on the 12-month store (identity set, no first
    start), until the main window's first paint event (``bench/paint_probe.py``).
    Floor: a process that shows an empty PySide6 ``QMainWindow``, to its first paint.
``omw due`` / ``omw deadlines``
    The whole command process (``python -m app … due --contract portal-om``).
    Floor: ``python -c pass``.
``month pack, in process``
    ``packs.export_pack`` of portal-om's 2026-10 monthly pack (zip, manifest, signed)
    in a warm process. Floor: the same bytes written to files, each fsynced, and
    zipped (deflate 6) with the zip fsynced.
``month pack, omw export month``
    The whole ``omw export month`` process for the same pack. Floor: ``python -c pass``.
``12-month archive, in process``
    ``packs.export_pack`` of portal-om's whole demo period (``omw export range``).
    Floor: its bytes written, fsynced and zipped.
``omw demo --months 12``
    ``omw demo --contract portal-om --months 12`` into an empty data folder (whole
    process). Floor: ``executemany`` of the same rows (every table the demo filled,
    read back from the store it made) into the same schema without triggers, in
    one transaction, WAL and ``synchronous=FULL`` as the store.
``export, 12 months`` / ``import, 12 months``
    The exchange bundle of the whole 12-month store (``bench/bundle.py``): export
    against reading the same rows, import into an empty store against opening the
    same bundle.
``window memory, 36-month store``
    Resident memory of the window on the 36-month store, 5 s after its first paint
    (the background work of the start included), at an ordinary start: the day's
    automatic backup is made before. Floor: the empty window's. Target: at most 150 MiB.

``--check`` exits 1 if a figure is above its target.
"""

from __future__ import annotations

import compileall
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

# Exports are signed with the exporter's key. The benchmark must never write a key into
# the developer's real OS keyring: keys stay in the data folder's sealed file.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("OMW_PASSPHRASE", "omw-benchmark-only-passphrase")
os.environ["OMW_SECRET_STORE"] = "file"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.export import packs
from bench import bundle
from bench._timing import Bench, Result, bench_from, parser
from bench.stores import UNTIL, cached_store, copy_store

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "bench" / "paint_probe.py"
CONTRACT = "portal-om"
MONTH = "2026-10"
MEMORY_LIMIT_MIB = 150.0
#: the longest one process of a row may take
TIMEOUT_S = 600
#: ratio of the median to its floor's above which ``--check`` fails (the issue's targets)
TARGETS = {
    "window first paint": 1.5,
    "omw due": 10.0,
    "omw deadlines": 10.0,
    "month pack, in process": 3.0,
    "month pack, omw export month": 25.0,
    "12-month archive, in process": 4.0,
    "omw demo --months 12": 8.0,
    "export, 12 months": bundle.TARGETS["export, 12 months"],
    "import, 12 months": bundle.TARGETS["import, 12 months"],
}
#: the rows in the order of the issue's table (the summary and the JSON follow it)
ROWS = [*list(TARGETS)[:7], "window memory, 36-month store", *list(TARGETS)[7:]]
IDENTITY = {"name": "张工", "role": "运维工程师", "contract": CONTRACT}


#: The processes measured read compiled bytecode, as an installed copy does (a wheel is
#: compiled when pip installs it, a frozen build holds bytecode): a source tree run with
#: ``PYTHONDONTWRITEBYTECODE`` would compile every module of the app at every start.
BYTECODE: Path | None = None


def _compile_sources(work: Path) -> Path:
    """The app's modules compiled into a bytecode cache of the run (``PYTHONPYCACHEPREFIX``)."""
    cache = work / "bytecode"
    prefix, sys.pycache_prefix = sys.pycache_prefix, str(cache)
    try:
        for folder in ("app", "ui", "db", "bench"):
            compileall.compile_dir(ROOT / folder, quiet=1)
    finally:
        sys.pycache_prefix = prefix
    return cache


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMW_USER"] = IDENTITY["name"]
    env.pop("OMW_DATA_DIR", None)
    if BYTECODE is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(BYTECODE)
    return env


def _process(args: list[str]) -> Callable[[], float]:
    """A function running ``python ARGS`` to its end; returns the wall seconds it took."""

    def run() -> float:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, *args],
            env=_env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=TIMEOUT_S,
        )
        took = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return took

    return run


def _probe(*args: str) -> dict[str, float]:
    """Start ``bench/paint_probe.py ARGS``; its report, and the seconds from start to paint."""
    started = time.time()
    done = subprocess.run(
        [sys.executable, str(PROBE), *args],
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT_S,  # a window that never paints (a dialog waiting) fails the run
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"the window did not start:\n{done.stdout}\n{done.stderr}")
    report = json.loads(lines[-1])
    report["seconds"] = report["painted"] - started
    return report


def _with_identity(folder: Path) -> Path:
    """The store opens straight into the window: someone's name and a contract are set."""
    (folder / "settings.json").write_text(json.dumps(IDENTITY, ensure_ascii=False), "utf-8")
    return folder


# --------------------------------------------------------------------------- the window


def bench_window(bench: Bench, work: Path, store: Path) -> None:
    bench.add(
        "window first paint",
        lambda: _probe("window", str(store))["seconds"],
        "an empty PySide6 QMainWindow, to its first paint",
        lambda: _probe("empty")["seconds"],
        self_timed=True,
        floor_self_timed=True,
    )


def bench_memory(bench: Bench, work: Path, rebuild: bool) -> None:
    folder = work / "store-36"
    note = copy_store(36, folder, rebuild=rebuild)
    print(f"demo store: 36 months, both contracts ({note})", flush=True)
    _with_identity(folder)
    _backed_up_today(folder)
    bench.add(
        "window memory, 36-month store",
        lambda: _probe("window", str(folder), "--settle", "5")["rss_mib"],
        "an empty window's",
        lambda: _probe("empty", "--settle", "5")["rss_mib"],
        warmup=0,
        self_timed=True,
        floor_self_timed=True,
        unit="MiB",
        limit=MEMORY_LIMIT_MIB,
    )


def _backed_up_today(folder: Path) -> None:
    """Make today's automatic backup of the store, as its first start of the day would.

    The runs measured are then ordinary starts. Otherwise each would be the day's first:
    a run ends 5 s after the paint, before a slow machine has copied 150 MB, so the
    next start backs up again (the backup's ≈ 10 MiB in every run).
    """
    from app.storage.backup import maybe_auto_backup
    from app.storage.store import Store

    store = Store.open(folder, actor="bench")
    try:
        maybe_auto_backup(store)
    finally:
        store.close()


# --------------------------------------------------------------------------- commands


def bench_commands(bench: Bench, store: Path, work: Path, which: Callable[[str], bool]) -> None:
    data = ["-m", "app", "--data-dir", str(store)]
    floor = _process(["-c", "pass"])
    day = UNTIL.isoformat()
    runs = iter(range(10_000))

    def export_month() -> float:
        out = work / f"export-month-{next(runs)}"
        took = _process(
            [
                *data,
                "export",
                "month",
                "--contract",
                CONTRACT,
                "--month",
                MONTH,
                "--out",
                str(out),
                "--allow-unreviewed",
                "--allow-incomplete",
            ]
        )()
        shutil.rmtree(out, ignore_errors=True)
        return took

    commands = {
        "omw due": _process([*data, "due", "--contract", CONTRACT, "--date", day]),
        "omw deadlines": _process([*data, "deadlines", "--contract", CONTRACT, "--today", day]),
        "month pack, omw export month": export_month,
    }
    for name, command in commands.items():
        if which(name):
            bench.add(
                name, command, "python -c pass", floor, self_timed=True, floor_self_timed=True
            )


# --------------------------------------------------------------------------- packs in process


def write_fsync_zip(files: dict[str, bytes], out: Path) -> None:
    """The floor of a pack: its bytes as files, each fsynced, and zipped with the zip fsynced."""
    folder = out / "pack"
    folder.mkdir(parents=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
    with open(out / "pack.zip", "wb") as raw:
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for name, content in files.items():
                zf.writestr(f"pack/{name}", content)
        raw.flush()
        os.fsync(raw.fileno())


def _pack_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def export_plan(store: object, plan: packs.PackPlan, out: Path) -> packs.PackResult:
    """A pack as the benchmarks export it: signed by "bench", not recorded, as far as it goes."""
    return packs.export_pack(
        store,  # type: ignore[arg-type]
        plan,
        out,
        exporter="bench",
        record=False,
        allow_unreviewed=True,
        allow_incomplete=True,
    )


def bench_pack(bench: Bench, name: str, store: object, plan: packs.PackPlan, work: Path) -> None:
    runs = iter(range(10_000))

    def export() -> packs.PackResult:
        return export_plan(store, plan, work / f"pack-{next(runs)}")

    first = export()  # the warm-up: imports, fonts, compiled templates stay for the process
    files = _pack_files(first.folder)
    size = sum(len(c) for c in files.values())
    print(f"{name}: {len(files)} files, {size / 2**20:.1f} MiB", flush=True)

    def timed_export() -> float:
        started = time.perf_counter()
        result = export()
        took = time.perf_counter() - started
        shutil.rmtree(result.folder.parent)
        return took

    def floor() -> float:
        out = work / f"floor-{next(runs)}"
        started = time.perf_counter()
        write_fsync_zip(files, out)
        took = time.perf_counter() - started
        shutil.rmtree(out)
        return took

    bench.add(
        name,
        timed_export,
        "the same bytes written, fsynced and zipped",
        floor,
        warmup=0,
        self_timed=True,
        floor_self_timed=True,
    )


def bench_packs(bench: Bench, store: object, work: Path, which: Callable[[str], bool]) -> None:
    from app.storage.store import Store

    assert isinstance(store, Store)
    if which("month pack, in process"):
        with store.session() as s:
            plan = packs.plan_month(s, CONTRACT, MONTH)
        bench_pack(bench, "month pack, in process", store, plan, work)
    if which("12-month archive, in process"):
        with store.session() as s:
            plan = packs.plan_range(s, CONTRACT, date(2026, 3, 1), UNTIL)
        bench_pack(bench, "12-month archive, in process", store, plan, work)


# --------------------------------------------------------------------------- demo data


def executemany_floor(source: Path, target: Path) -> tuple[float, int]:
    """Seconds to insert every row of ``source`` into an empty copy of its schema; rows.

    Tables and indexes as in the store, no triggers and no full-text index (what the
    rows cost SQLite, not what checks them). WAL and ``synchronous=FULL`` as the store.
    """
    src = sqlite3.connect(source)
    try:
        tables = src.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_fts%'"
        ).fetchall()
        indexes = src.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name NOT LIKE 'search_fts%'"
        ).fetchall()
        rows = {name: src.execute(f'SELECT * FROM "{name}"').fetchall() for name, _ in tables}
    finally:
        src.close()
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA synchronous=FULL")
        for _name, sql in tables:
            dst.execute(sql)
        for (sql,) in indexes:
            dst.execute(sql)
        started = time.perf_counter()
        dst.execute("BEGIN")
        for name, data in rows.items():
            if data:
                marks = ", ".join("?" * len(data[0]))
                dst.executemany(f'INSERT INTO "{name}" VALUES ({marks})', data)
        dst.execute("COMMIT")
        took = time.perf_counter() - started
    finally:
        dst.close()
    return took, sum(len(data) for data in rows.values())


def bench_demo(bench: Bench, work: Path) -> None:
    times: list[float] = []
    floors: list[float] = []
    for n in range(max(bench.runs, 5)):
        folder = work / f"demo-{n}"
        took = _process(
            [
                "-m",
                "app",
                "--data-dir",
                str(folder),
                "demo",
                "--contract",
                CONTRACT,
                "--months",
                "12",
            ]
        )()
        floor, count = executemany_floor(folder / "omw.sqlite3", work / f"demo-floor-{n}.sqlite3")
        times.append(took)
        floors.append(floor)
        print(f"    run {n + 1}: {took:.1f} s, floor {floor:.2f} s, {count:,} rows", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
    name = "omw demo --months 12"
    bench.record(
        Result(name, times, "executemany of the same rows", floors, bench.targets.get(name), "s")
    )


# --------------------------------------------------------------------------- the run


def _machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[1], TARGETS)
    p.set_defaults(runs=5)
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="only the rows whose name contains TEXT (repeatable)",
    )
    p.add_argument(
        "--json",
        default=str(ROOT / "bench" / "results" / "run.json"),
        help="where to write the results (default bench/results/run.json)",
    )
    p.add_argument("--no-cache", action="store_true", help="rebuild the cached demo stores")
    args = p.parse_args(argv)
    bench = bench_from(args, TARGETS)

    def which(name: str) -> bool:
        return not args.only or any(text in name for text in args.only)

    started = time.perf_counter()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    work = Path(tempfile.mkdtemp(prefix="omw-bench-run-"))
    global BYTECODE
    BYTECODE = _compile_sources(work)
    try:
        store, note = cached_store(12, work / "store-12", rebuild=args.no_cache)
        print(f"demo store: 12 months, both contracts ({note})", flush=True)
        folder = store.folder
        try:
            bench_packs(bench, store, work, which)
            if which("export, 12 months") or which("import, 12 months"):
                bundle.case(bench, "12 months", store, None, work)
        finally:
            store.close()
        _with_identity(folder)
        if which("window first paint"):
            bench_window(bench, work, folder)
        bench_commands(bench, folder, work, which)
        if which("omw demo --months 12"):
            bench_demo(bench, work)
        if which("window memory, 36-month store"):
            bench_memory(bench, work, args.no_cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    bench.results.sort(key=lambda r: ROWS.index(r.name))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": time.perf_counter() - started,
        "runs": args.runs,
        "machine": _machine() | {"load_at_start": load},
        "results": [r.as_json() for r in bench.results],
    }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"\n{'row':<32} {'median':>10} {'floor':>10} {'ratio':>8}  target  met")
    for r in bench.results:
        targets = [f"≤{r.target:g}×"] if r.target is not None else []
        targets += [f"≤{r.limit:g} {r.unit}"] if r.limit is not None else []
        print(
            f"{r.name:<32} {statistics.median(r.times):>8.2f} {r.unit:<3}"
            f"{statistics.median(r.floor):>7.2f} {r.unit:<3}{r.ratio:>6.1f}×  "
            f"{', '.join(targets)}  {'no' if r.over() else 'yes'}"
        )
    print(f"written: {out}")
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
