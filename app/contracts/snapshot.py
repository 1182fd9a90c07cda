"""What the schedule reads of a contract's stored profile, without pydantic (issue 13).

A contract keeps the validated profile it was installed from as a JSON snapshot
(``Profile.model_dump(mode="json")``, :func:`app.contracts.registry.materialize`),
so every field is there with its value or default. What is due needs two of its
sections: the holiday duty (how many working days before and after a holiday)
and the deliverables with their due rules. Reading them from the snapshot costs
nothing, while importing pydantic and building the profile schema costs about
0.12 s — a third of what ``omw due`` may take in all. A snapshot that lacks a
field (made before the field was added to the schema) is validated with the
schema after all, which fills in the defaults: the defaults live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.errors import NotFound


def unknown_contract(code: str) -> NotFound:
    """The error for a contract code the store does not have."""
    return NotFound(f"没有代码为 “{code}” 的合同。可用 `omw profiles` 查看已有合同。")


@dataclass(frozen=True)
class HolidayDuty:
    """``holidays`` of a profile as far as the schedule needs it (:class:`HolidaySettings`)."""

    pre_workdays: int
    post_workdays: int


@dataclass(frozen=True)
class DueRuleView:
    """A deliverable's due rule (:class:`app.contracts.profile_schema.DueRule`)."""

    rule: str
    n: int | None
    on: date | None
    event: str | None
    month: int | None
    period: str | None


@dataclass(frozen=True)
class DeliverableView:
    """A deliverable (:class:`app.contracts.profile_schema.DeliverableDef`)."""

    code: str
    name: str
    form: str
    due: DueRuleView
    copies: str


@dataclass(frozen=True)
class ScheduleParts:
    """The sections of a profile that decide what is due."""

    holidays: HolidayDuty
    deliverables: tuple[DeliverableView, ...]
    #: the 启用日期 (``period.records_from``), if the contract was taken up mid-way
    records_from: date | None = None


def _rule(doc: dict[str, Any]) -> DueRuleView:
    on = doc["on"]
    return DueRuleView(
        doc["rule"],
        doc["n"],
        date.fromisoformat(on) if on is not None else None,
        doc["event"],
        doc["month"],
        doc["period"],
    )


def _read(snapshot: dict[str, Any]) -> ScheduleParts:
    duty = snapshot["holidays"]
    # a snapshot from before the field was added has no ``records_from``: its default, None
    begins = snapshot["period"].get("records_from")
    return ScheduleParts(
        HolidayDuty(duty["pre_workdays"], duty["post_workdays"]),
        tuple(
            DeliverableView(d["code"], d["name"], d["form"], _rule(d["due"]), d["copies"])
            for d in snapshot["deliverables"]
        ),
        date.fromisoformat(begins) if begins is not None else None,
    )


def records_start(start: date, snapshot: dict[str, Any]) -> date:
    """The first day a contract's statistics and due lists count: its 启用日期 if declared
    (``period.records_from``), else ``start``, the start of its period."""
    return schedule_parts(snapshot).records_from or start


def schedule_parts(snapshot: dict[str, Any]) -> ScheduleParts:
    """The holiday duty and deliverables of a contract's profile snapshot."""
    try:
        return _read(snapshot)
    except (KeyError, TypeError, ValueError):  # an older snapshot: let the schema fill it in
        from app.contracts.profile_schema import Profile

        return _read(Profile.model_validate(snapshot).model_dump(mode="json"))
