"""Runs that share a slot: one template's check of one period (and system) done twice.

A laptop refuses a second run of a slot (:func:`app.records.inspections.start_run`);
two laptops working offline can each make one, and a merge keeps both. Who is
shown them and how they are resolved is :mod:`app.team.duplicates`; the pack's
「待补充」 check (:mod:`app.export.completeness`) uses the same grouping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def slot_of(run: Any) -> tuple[str, str | None, str]:
    """A run's slot: its template, system (none for a grouped check) and period key."""
    return (run.template_id, run.system_id, run.period_key)


def same_period(runs: Iterable[T], key: Callable[[T], Any] = slot_of) -> list[list[T]]:
    """The runs that share a slot with another, by slot, each group in the order given.

    ``runs`` are current versions (no superseded or voided ones).
    """
    groups: dict[Any, list[T]] = {}
    for run in runs:
        groups.setdefault(key(run), []).append(run)
    return [group for group in groups.values() if len(group) > 1]
