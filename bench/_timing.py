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
    """One benchmark: its figures and its floor's, in ``unit`` (seconds, or MiB of memory).

    ``limit``: an absolute bound on the median (in ``unit``) that ``--check`` applies too.
    """

    name: str
    times: list[float]
    floor_name: str
    floor: list[float]
    target: float | None = None
    unit: str = "s"
    limit: float | None = None

    @property
    def ratio(self) -> float:
        return statistics.median(self.times) / max(statistics.median(self.floor), 1e-9)

    def over(self) -> list[str]:
        """What is above its target (empty when nothing is)."""
        found = []
        if self.target is not None and self.ratio > self.target:
            found.append(f"{self.ratio:.2f}× > {self.target:g}×")
        median = statistics.median(self.times)
        if self.limit is not None and median > self.limit:
            found.append(f"{median:.1f} {self.unit} > {self.limit:g} {self.unit}")
        return found

    def line(self) -> str:
        def figures(values: list[float]) -> str:
            scale, unit = (1000, "ms") if self.unit == "s" else (1, self.unit)
            return (
                f"median {statistics.median(values) * scale:8.2f} {unit} "
                f"(min {min(values) * scale:.2f}, max {max(values) * scale:.2f}, n={len(values)})"
            )

        targets = [f"≤ {self.target:g}×"] if self.target is not None else []
        targets += [f"≤ {self.limit:g} {self.unit}"] if self.limit is not None else []
        target = f"; target {', '.join(targets)}" if targets else ""
        return (
            f"{self.name}: {figures(self.times)}\n"
            f"    floor, {self.floor_name}: {figures(self.floor)}\n"
            f"    ratio {self.ratio:.2f}×{target}"
        )

    def as_json(self) -> dict[str, Any]:
        def summary(values: list[float]) -> dict[str, Any]:
            return {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "values": values,
            }

        return {
            "name": self.name,
            "unit": self.unit,
            "figures": summary(self.times),
            "floor": {"name": self.floor_name, **summary(self.floor)},
            "ratio": self.ratio,
            "target_ratio": self.target,
            "limit": self.limit,
            "met": not self.over() if (self.target, self.limit) != (None, None) else None,
        }


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
        floor_self_timed: bool = False,
        unit: str = "s",
        limit: float | None = None,
        runs: int | None = None,
    ) -> Result:
        """Time ``fn`` and its ``floor`` interleaved run by run (so both see the same load).

        ``self_timed``/``floor_self_timed``: the function returns the figure to count itself
        (it has set-up to leave out, or it measures something else than its own duration,
        in ``unit``). ``runs`` replaces ``--runs`` for this benchmark (never below
        :data:`MIN_RUNS`).
        """
        times: list[float] = []
        floors: list[float] = []
        for _ in range(warmup):
            fn()
            floor()
        for _ in range(max(runs or self.runs, MIN_RUNS)):
            floors += [float(floor())] if floor_self_timed else time_runs(floor, 1, warmup=0)
            times += [float(fn())] if self_timed else time_runs(fn, 1, warmup=0)
        result = Result(name, times, floor_name, floors, self.targets.get(name), unit, limit)
        return self.record(result)

    def record(self, result: Result) -> Result:
        """Keep a result (measured here or by the caller) and print it."""
        self.results.append(result)
        print(result.line(), flush=True)
        return result

    def finish(self) -> int:
        if not self.args.check:
            return 0
        over = [r for r in self.results if r.over()]
        for r in over:
            print(f"ABOVE TARGET: {r.name}: {'; '.join(r.over())}")
        passed = f"all {len(self.results)} figures within their targets"
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
