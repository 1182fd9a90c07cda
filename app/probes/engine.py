"""Run many checks at once: bounded concurrency, per-target timeouts, progress and stop.

The checks are blocking (httpx's sync client, sockets, dnspython), so they run
in a thread pool of at most ``concurrency`` workers sharing one HTTP client
with as many connections. Measured: for 1,000 links against a slow, flaky
local server set the sync client in threads is as fast as the async client
in one thread behind a semaphore (``bench/probes.py``), and far simpler.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.contracts.profile_schema import TargetDef
from app.probes import checks
from app.probes.checks import Measurement

if TYPE_CHECKING:
    import httpx

#: ``progress(done, total, text)``; may raise to stop the run (the window's cancel does).
ProgressFn = Callable[[int, int, str], None]
StopFn = Callable[[], bool]
#: How often the engine looks at ``stop`` while waiting for slow targets (seconds).
POLL_S = 0.2


class ProbeStopped(Exception):
    """The run was stopped before every check finished; nothing was stored."""


@dataclass(frozen=True)
class Job:
    """One check: the target, and for a tamper check the baseline to compare with."""

    key: str
    label: str  # shown in progress, e.g. 网站 / 首页
    target: TargetDef
    baseline: str | None = None
    #: a link of the link list: only whether it answers below 400
    link: bool = False


@dataclass(frozen=True)
class Done:
    job: Job
    started_at: datetime
    measurement: Measurement


def run_one(client: httpx.Client, insecure: httpx.Client, job: Job) -> Done:
    target = job.target
    started = datetime.now().replace(microsecond=0)
    http = client if target.verify_tls else insecure
    if job.link:
        assert target.url is not None
        m = checks.check_link(http, target.url, target.timeout_s)
    elif target.kind == "http":
        m = checks.check_http(http, target)
    elif target.kind == "tamper":
        m = checks.check_tamper(http, target, job.baseline)
    elif target.kind == "tcp":
        m = checks.check_tcp(target)
    elif target.kind == "dns":
        m = checks.check_dns(target)
    elif target.kind in ("ftp", "smtp"):
        m = checks.check_banner(target)
    else:
        m = checks.check_ping(target)
    return Done(job, started, m)


def run_jobs(
    jobs: list[Job],
    *,
    concurrency: int,
    progress: ProgressFn | None = None,
    stop: StopFn | None = None,
) -> dict[str, Done]:
    """Every job's measurement by key; raises :class:`ProbeStopped` when ``stop`` says so.

    Work not yet started is dropped at once; checks under way end by their own
    timeout in the background and their results are discarded.
    """
    total = len(jobs)
    results: dict[str, Done] = {}
    if not jobs:
        return results
    workers = max(1, min(concurrency, total))
    client = checks.http_client(workers)
    insecure = checks.http_client(workers, verify=False)
    pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="probe")
    finished = False
    try:
        pending = {pool.submit(run_one, client, insecure, job) for job in jobs}
        while pending:
            if stop is not None and stop():
                raise ProbeStopped
            done, pending = cf.wait(pending, timeout=POLL_S, return_when=cf.FIRST_COMPLETED)
            for future in done:
                item = future.result()
                results[item.job.key] = item
                if progress is not None:
                    progress(len(results), total, item.job.label)
        finished = True
    finally:
        pool.shutdown(wait=finished, cancel_futures=True)
        if finished:
            _close(pool, client, insecure)
        else:  # the checks under way end by their timeouts; then their connections close
            closer = threading.Thread(
                target=_close, args=(pool, client, insecure), name="probe-close", daemon=True
            )
            closer.start()
    return results


def _close(pool: cf.ThreadPoolExecutor, *clients: httpx.Client) -> None:
    pool.shutdown(wait=True)
    for client in clients:
        client.close()
