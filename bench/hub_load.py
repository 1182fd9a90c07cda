"""Load test of a team hub: N people logging calls and signing them at once, then ``omw check``.

    .venv/bin/python bench/hub_load.py                      # 10 clients, 120 s, throw-away cluster
    .venv/bin/python bench/hub_load.py --clients 4 --duration 20
    .venv/bin/python bench/hub_load.py --database postgresql://owner@server/omw_load

Each client is its own process with its own data folder (its own device key, as each
person's window is): it logs a service request (one transaction: the next 服务单号 and
an audit entry), then resolves and signs it (a second transaction: the signature, its
seal, the lock), again and again until the time is up. Without ``--database`` a
throw-away PostgreSQL cluster (durable: fsync on) is started (``scripts/pg_cluster.py``)
and stopped after;
a given server gets a new database ``omw_load_<time>`` (left there for a look).

Afterwards: every request a client saw committed is on the hub exactly once, signed
and locked; the 服务单号 are unique; every device's audit chain verifies; the whole
``omw check`` passes. Printed: throughput and the latency (median, p95) of each step.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _png() -> bytes:
    from tests.factories import png_bytes

    return png_bytes(seed=7)


def _environment(folder: Path) -> None:
    os.environ["OMW_SECRET_STORE"] = "file"  # no desktop keyring needed
    os.environ["OMW_PASSPHRASE"] = "hub-load-test"
    os.environ["OMW_DATA_DIR"] = str(folder)


def client(n: int, url: str, folder: str, contract: str, until: float) -> dict[str, object]:
    """One person at work until ``until``: (ids committed, latencies of each step)."""
    from app.records import requests as rq
    from app.records import signing
    from app.storage.store import Store

    _environment(Path(folder))
    store = Store.open(folder, actor=f"工程师{n:02d}", database=url)
    png = _png()
    created: list[str] = []
    signed: list[str] = []
    latency: dict[str, list[float]] = {"log": [], "sign": []}
    errors: list[str] = []
    base = datetime.now().replace(microsecond=0) - timedelta(days=1)
    while time.time() < until:
        try:
            start = time.perf_counter()
            with store.session() as s:
                req = rq.log_request(
                    s,
                    contract,
                    received_at=base,
                    caller_unit=f"单位{n}",
                    category="咨询",
                    description=f"压力测试来电 {n}-{len(created)}",
                    handler=f"工程师{n:02d}",
                )
                req_id = req.id
            latency["log"].append(time.perf_counter() - start)
            created.append(req_id)
            start = time.perf_counter()
            with store.session() as s:
                rq.resolve_on_phone(s, req_id, "已解答", base + timedelta(minutes=5))
                signing.sign(
                    s,
                    "service_request",
                    req_id,
                    role="运维人员",
                    signer_name=f"工程师{n:02d}",
                    png=png,
                    signed_at=base + timedelta(minutes=6),
                )
            latency["sign"].append(time.perf_counter() - start)
            signed.append(req_id)
        except Exception as exc:  # counted and reported: a load test must not stop at one
            errors.append(f"{type(exc).__name__}: {exc}")
    store.close()
    return {"created": created, "signed": signed, "latency": latency, "errors": errors}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _prepare(admin_url: str | None, work: Path) -> tuple[str, str, object | None]:
    """(the clients' URL, the owner's URL, the cluster to stop or None)."""
    from sqlalchemy.engine import make_url

    from app.storage import hub

    cluster = None
    if admin_url is None:
        sys.path.insert(0, str(ROOT / "scripts"))
        import pg_cluster

        cluster = pg_cluster.start(durable=True)  # fsync on, as a real server
        if cluster is None:
            raise SystemExit("PostgreSQL is not installed; give --database or install it")
        admin_url = cluster.url
    name = f"omw_load_{datetime.now():%Y%m%d%H%M%S}"
    owner = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    hub.init(owner)
    clients = make_url(owner).set(username=hub.APP_ROLE).render_as_string(False)
    if cluster is None:
        clients = owner  # a real server: its owner's login (the app role may have no password)
    _setup_contract(clients, work / "pm")
    return clients, owner, cluster


def _setup_contract(url: str, folder: Path) -> None:
    from app.contracts.profiles import install_builtin_profiles
    from app.storage.store import Store

    _environment(folder)
    store = Store.open(folder, actor="项目经理", database=url)
    with store.session() as s:
        install_builtin_profiles(s)
    store.close()


def _contract(url: str, folder: Path) -> str:
    from sqlalchemy import text

    from app.storage.store import Store

    store = Store.open(folder, actor="项目经理", database=url)
    with store.session() as s:
        code = s.scalars(text("SELECT code FROM contract ORDER BY code")).first()
    store.close()
    return str(code)


def _verify(url: str, folder: Path, results: list[dict[str, object]], clients: int) -> list[str]:
    from sqlalchemy import text

    from app.records.integrity_check import check_store
    from app.storage.store import Store
    from db.audit import verify_chain

    problems: list[str] = []
    store = Store.open(folder, actor="项目经理", database=url)
    created = [i for r in results for i in r["created"]]  # type: ignore[attr-defined]
    signed = {i for r in results for i in r["signed"]}  # type: ignore[attr-defined]
    with store.session() as s:
        rows = s.execute(text("SELECT id, number, locked_at FROM service_request")).all()
        chain = verify_chain(s)
        signatures = s.scalar(text("SELECT count(*) FROM signature"))
    ids = [r[0] for r in rows]
    if sorted(ids) != sorted(created):
        lost = set(created) - set(ids)
        extra = set(ids) - set(created)
        problems.append(f"requests: {len(lost)} lost, {len(extra)} not reported by a client")
    numbers = [r[1] for r in rows]
    if len(set(numbers)) != len(numbers):
        problems.append(f"{len(numbers) - len(set(numbers))} duplicated 服务单号")
    unlocked = [r[0] for r in rows if r[0] in signed and r[2] is None]
    if unlocked or signatures != len(signed):
        problems.append(f"signed {len(signed)}, signatures {signatures}, unlocked {len(unlocked)}")
    if not chain.ok or chain.chains != clients + 1:
        problems.append(f"audit chains: {chain}")
    started = time.perf_counter()
    report, _notes = check_store(store)
    print(
        f"omw check: {'通过' if report.ok else '未通过'} in {time.perf_counter() - started:.1f} s"
    )
    if not report.ok:
        problems += report.lines()
    store.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a server's owner URL (default: a throw-away cluster)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds (default 120)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="omw-hub-load-"))
    url, owner, cluster = _prepare(args.database, work)
    try:
        contract = _contract(url, work / "pm")
        until = time.time() + args.duration
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.clients) as pool:
            jobs = [
                pool.apply_async(client, (n, url, str(work / f"client{n:02d}"), contract, until))
                for n in range(args.clients)
            ]
            results = [job.get() for job in jobs]
        logs = [x for r in results for x in r["latency"]["log"]]  # type: ignore[index]
        signs = [x for r in results for x in r["latency"]["sign"]]  # type: ignore[index]
        errors = [e for r in results for e in r["errors"]]  # type: ignore[attr-defined]
        done = len(logs) + len(signs)
        print(f"hub {owner}")
        print(
            f"{args.clients} clients × {args.duration:.0f} s: {done} transactions, "
            f"{done / args.duration:.1f}/s ({len(logs)} calls logged, {len(signs)} signed)"
        )
        for label, values in (("log a call", logs), ("resolve + sign", signs)):
            print(
                f"  {label:15} median {statistics.median(values) * 1000:6.1f} ms   "
                f"p95 {_percentile(values, 0.95) * 1000:6.1f} ms"
            )
        print(f"client errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
        problems = _verify(url, work / "pm", results, args.clients)
        print("no lost or duplicated record, every chain valid" if not problems else "PROBLEMS:")
        for problem in problems:
            print(f"  {problem}")
        return 1 if problems or errors else 0
    finally:
        if cluster is not None:
            cluster.stop()  # type: ignore[attr-defined]
        shutil.rmtree(work, ignore_errors=True)  # the clients' data folders


if __name__ == "__main__":
    sys.exit(main())
