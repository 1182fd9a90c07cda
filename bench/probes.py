#!/usr/bin/env python3
"""Benchmark: the 1,000-link check against a slow and flaky local server set.

    .venv/bin/python bench/probes.py [--links 1000] [--concurrency 32] [--timeout 10]
        [--servers 4] [--async]

Four HTTP servers on 127.0.0.1 (``tests/probe_servers.py``) share the links: of every
100, 70 answer at once, 20 after 0.2–1.5 s, 5 with 404, 3 never answer (they end
by the per-link timeout) and 2 point at a closed port. The link check of
``app.probes`` (the sync ``httpx`` client in a pool of ``--concurrency`` threads,
one shared connection pool) is timed, and compared with:

``floor``
    the same links all answering at once: what the concurrency limit alone costs;
``async``
    (with ``--async``) ``httpx.AsyncClient`` in one thread behind a semaphore of the
    same size, the alternative the engine's design weighed.

The issue's budget: under a minute for 1,000 links. Nothing but 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.contracts.profile_schema import TargetDef  # noqa: E402
from app.probes import engine  # noqa: E402
from tests.probe_servers import LOOPBACK, closed_port, site  # noqa: E402


def _links(sites: list, count: int, flaky: bool) -> tuple[list[str], set[int]]:
    """The URLs, and which of them should be found broken."""
    rng = random.Random(15)
    urls, broken = [], set()
    dead_port = closed_port()
    for n in range(count):
        s = sites[n % len(sites)]
        roll = n % 100 if flaky else 0
        if roll < 70:
            pass
        elif roll < 90:
            s.slow[n] = rng.uniform(0.2, 1.5)
        elif roll < 95:
            s.broken.add(n)
            broken.add(n)
        elif roll < 98:
            s.hang.add(n)
            broken.add(n)
        else:
            urls.append(f"http://{LOOPBACK}:{dead_port}/link/{n}")
            broken.add(n)
            continue
        urls.append(s.url(f"/link/{n}"))
    return urls, broken


def _sync(urls: list[str], concurrency: int, timeout: float) -> tuple[float, set[int]]:
    jobs = [
        engine.Job(
            f"link:{n}",
            f"链接 {n}",
            TargetDef(code="link", kind="http", url=u, timeout_s=timeout),
            link=True,
        )
        for n, u in enumerate(urls)
    ]
    started = time.perf_counter()
    done = engine.run_jobs(jobs, concurrency=concurrency)
    seconds = time.perf_counter() - started
    failed = {int(k[5:]) for k, d in done.items() if d.measurement.outcome == "abnormal"}
    return seconds, failed


def _async(urls: list[str], concurrency: int, timeout: float) -> tuple[float, set[int]]:
    import httpx

    async def main() -> set[int]:
        limit = asyncio.Semaphore(concurrency)
        failed: set[int] = set()
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

            async def one(n: int, url: str) -> None:
                async with limit:
                    try:
                        async with client.stream(
                            "GET", url, timeout=timeout, follow_redirects=True
                        ) as r:
                            if r.status_code >= 400:
                                failed.add(n)
                    except httpx.HTTPError:
                        failed.add(n)

            await asyncio.gather(*(one(n, u) for n, u in enumerate(urls)))
        return failed

    started = time.perf_counter()
    failed = asyncio.run(main())
    return time.perf_counter() - started, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=10.0, help="per link, seconds")
    parser.add_argument("--servers", type=int, default=4)
    parser.add_argument("--async", dest="run_async", action="store_true")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        sites = [stack.enter_context(site()) for _ in range(args.servers)]
        urls, broken = _links(sites, args.links, flaky=False)
        floor, _ = _sync(urls, args.concurrency, args.timeout)
    rows = [("floor（全部立即应答）", floor, 0, 0)]
    with ExitStack() as stack:
        sites = [stack.enter_context(site()) for _ in range(args.servers)]
        urls, broken = _links(sites, args.links, flaky=True)
        seconds, failed = _sync(urls, args.concurrency, args.timeout)
        rows.append(("sync 线程池（app.probes）", seconds, len(failed), len(broken)))
        assert failed == broken, "the check missed or invented broken links"
        if args.run_async:
            seconds, failed = _async(urls, args.concurrency, args.timeout)
            rows.append(("async + semaphore", seconds, len(failed), len(broken)))
    print(
        f"{args.links} 条链接，并发 {args.concurrency}，单条超时 {args.timeout:g} 秒，"
        f"{args.servers} 个本机服务器"
    )
    for name, secs, found, expected in rows:
        tail = f"，发现失效 {found}/{expected}" if expected else ""
        print(f"  {name:<28} {secs:7.1f} 秒{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
