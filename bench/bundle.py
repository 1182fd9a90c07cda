#!/usr/bin/env python3
"""Benchmark: exchange bundles — size, export and import time, against floors of the same run.

    .venv/bin/python bench/bundle.py [--runs 5] [--year] [--no-cache] [--check]

Two stores, the demo stores of ``bench/stores.py`` (cached there):

- **one engineer-month**: one month of demo data, the bundle of contract
  ``portal-om`` (what an engineer hands the PM at the end of a month);
- **12 months** (``--year``): the whole 12-month demo store, both contracts
  (a PM's store handed to a new colleague).

For each: the bundle's size, then ``export_bundle`` (select, encode, zip,
encrypt, sign; the tamper check of the signed records included) against the
floor *reading the same rows* (:func:`app.team.selection.select_rows`), and
``import_bundle`` into an empty store (decrypt, verify, merge, check every
merged signature, commit) against the floor *opening the same bundle*
(decrypt and verify the container only). The passphrase's key derivation is
the real one (scrypt, ~0.1–0.3 s), in both the operation and its floor.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("OMW_PASSPHRASE", "omw-benchmark-only-passphrase")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.storage import paths
from app.storage.store import Store
from app.team import bundles, selection
from app.team.container import open_bundle
from bench._timing import bench_from, parser
from bench.stores import cached_store

PASS = "bench-bundle-passphrase"
#: ratio targets for --check (operation median / floor median), a little above what was
#: measured on the 2-core development machine: an import does much more than decrypting
#: (row checks, bulk inserts, every merged signature re-verified)
TARGETS = {
    "export, engineer-month": 6.0,
    "import, engineer-month": 8.0,
    "export, 12 months": 6.0,
    "import, 12 months": 45.0,
}


def _blank(work: Path) -> Path:
    """An empty store at the schema head (copied for every import run)."""
    folder = work / "blank"
    Store.open(folder, actor="bench").close()
    return paths.db_path(folder)


def case(bench: object, label: str, store: Store, contract: str | None, work: Path) -> None:
    target = work / f"{label}.omwb"
    summary = bundles.export_bundle(store, target, PASS, contract=contract)
    records = sum(
        summary.counts.get(k, 0)
        for k in ("inspection_run", "fault_record", "service_request", "meeting_minutes")
    )
    print(
        f"{label}: bundle {summary.size / 1024 / 1024:.2f} MB, {records} signed records, "
        f"{summary.counts.get('item_result', 0)} item results, "
        f"{summary.counts.get('signature', 0)} signatures, "
        f"{summary.counts.get('audit_log', 0)} audit entries",
        flush=True,
    )
    with store.session() as s:
        ids = selection.contract_ids(s, contract)

    def export() -> None:
        bundles.export_bundle(store, work / f"{label}-x.omwb", PASS, contract=contract)

    def read_rows() -> None:
        with store.session() as s:
            selection.select_rows(s, ids, selection.empty_since())

    bench.add(f"export, {label}", export, "reading the same rows", read_rows)  # type: ignore[attr-defined]
    blank = _blank(work / label)
    runs = iter(range(10_000))

    def import_once() -> float:
        folder = work / f"{label}-import-{next(runs)}"
        folder.mkdir(parents=True)
        shutil.copy2(blank, paths.db_path(folder))
        receiver = Store.open(folder, actor="bench")
        try:
            started = time.perf_counter()
            bundles.import_bundle(receiver, target, PASS, trust_new_signer=True)
            return time.perf_counter() - started
        finally:
            receiver.close()
            shutil.rmtree(folder, ignore_errors=True)

    def open_only() -> None:
        with open_bundle(target, PASS) as bundle:
            for name in bundle.names():
                bundle.read(name)

    bench.add(  # type: ignore[attr-defined]
        f"import, {label}", import_once, "opening the same bundle", open_only, self_timed=True
    )


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0], TARGETS)
    p.add_argument("--year", action="store_true", help="also the 12-month store")
    p.add_argument("--no-cache", action="store_true", help="rebuild the cached demo stores")
    args = p.parse_args(argv)
    bench = bench_from(args, TARGETS)
    work = Path(tempfile.mkdtemp(prefix="omw-bench-bundle-"))
    try:
        store, note = cached_store(1, work / "month", rebuild=args.no_cache)
        print(f"demo store: 1 month, both contracts ({note})", flush=True)
        try:
            case(bench, "engineer-month", store, "portal-om", work)
        finally:
            store.close()
        if args.year:
            store, note = cached_store(12, work / "year", rebuild=args.no_cache)
            print(f"demo store: 12 months, both contracts ({note})", flush=True)
            try:
                case(bench, "12 months", store, None, work)
            finally:
                store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
