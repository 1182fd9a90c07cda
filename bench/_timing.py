"""Timing for the benchmarks: medians against a floor measured in the same run.

A wall-clock figure alone says as much about the machine as about the code, so
every benchmark also times a *floor*: the least work the operation cannot avoid
(one read of the same rows, one pass over the same days, the same keystrokes
into a bare text box…), on the same machine, in the same run. The ratio of the
two medians is what is compared between runs and machines.

Nothing passes or fails on time unless the script is asked to: ``--check``
compares each ratio with its target (``--target NAME=RATIO`` changes one) and
exits 1 if one is above it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MIN_RUNS = 5


@dataclass
class Result:
    name: str
    times: list[float]
    floor_name: str
    floor: list[float]
    target: float | None = None

    @property
    def ratio(self) -> float:
        return statistics.median(self.times) / max(statistics.median(self.floor), 1e-9)

    def line(self) -> str:
        def ms(values: list[float]) -> str:
            return (
                f"median {statistics.median(values) * 1000:8.2f} ms "
                f"(min {min(values) * 1000:.2f}, max {max(values) * 1000:.2f}, n={len(values)})"
            )

        target = f"; target ≤ {self.target:g}×" if self.target is not None else ""
        return (
            f"{self.name}: {ms(self.times)}\n"
            f"    floor, {self.floor_name}: {ms(self.floor)}\n"
            f"    ratio {self.ratio:.2f}×{target}"
        )


def time_runs(fn: Callable[[], Any], runs: int, *, warmup: int = 1) -> list[float]:
    """Seconds of ``runs`` calls of ``fn`` after ``warmup`` untimed ones (collected first)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


@dataclass
class Bench:
    """Collects results; ``finish`` prints them and applies ``--check``."""

    args: argparse.Namespace
    targets: dict[str, float]
    results: list[Result] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return int(self.args.runs)

    def add(
        self,
        name: str,
        fn: Callable[[], Any],
        floor_name: str,
        floor: Callable[[], Any],
        *,
        warmup: int = 1,
        self_timed: bool = False,
    ) -> Result:
        """Time ``fn`` and its ``floor`` interleaved run by run (so both see the same load).

        ``self_timed``: ``fn`` returns the seconds to count itself (it has set-up to leave out).
        """
        times: list[float] = []
        floors: list[float] = []
        for _ in range(warmup):
            fn()
            floor()
        for _ in range(self.runs):
            floors += time_runs(floor, 1, warmup=0)
            times += [float(fn())] if self_timed else time_runs(fn, 1, warmup=0)
        result = Result(name, times, floor_name, floors, self.targets.get(name))
        self.results.append(result)
        print(result.line(), flush=True)
        return result

    def finish(self) -> int:
        if not self.args.check:
            return 0
        over = [r for r in self.results if r.target is not None and r.ratio > r.target]
        for r in over:
            print(f"ABOVE TARGET: {r.name}: {r.ratio:.2f}× > {r.target:g}×")
        passed = f"all {len(self.results)} ratios within their targets"
        print("check:", "failed" if over else passed)
        return 1 if over else 0


def parser(description: str, targets: dict[str, float]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--runs", type=int, default=7, help=f"timed runs (at least {MIN_RUNS})")
    p.add_argument("--check", action="store_true", help="exit 1 if a ratio is above its target")
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="NAME=RATIO",
        help="change a target ratio; names: " + ", ".join(targets),
    )
    return p


def bench_from(args: argparse.Namespace, targets: dict[str, float]) -> Bench:
    if args.runs < MIN_RUNS:
        raise SystemExit(f"--runs must be at least {MIN_RUNS} (a median of fewer says little)")
    chosen = dict(targets)
    for item in args.target:
        name, _, ratio = item.partition("=")
        if name not in chosen:
            raise SystemExit(f"unknown benchmark {name!r}; one of {', '.join(chosen)}")
        chosen[name] = float(ratio)
    return Bench(args, chosen)
