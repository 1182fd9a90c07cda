"""The records the demo makes in numbers (runs, item results, calls, faults) as plain objects.

An ORM object costs attribute events on every assignment; 30,000 item results
a year made that a good part of the generation. These carry the same attribute
names as the models (columns, and the relationships the generator follows:
``run.template``, ``run.results``, ``result.item``, ``result.run`` …) without
any of that, and become column values (:meth:`DemoRow.values`) or ORM objects
(:meth:`DemoRow.orm`) only when written (:mod:`app.demo.writer`).

Like a new ORM object, a column not set reads ``None``, and a column set to
``None`` is written with its default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Table

from app.storage.bulk import column_values
from db.models import FaultRecord, InspectionRun, ItemResult, ServiceRequest, new_id


class DemoRow:
    """A new record of :attr:`model`, its columns and relationships as plain attributes."""

    model: ClassVar[Any]
    #: relationship attribute → the foreign key column it sets
    links: ClassVar[dict[str, str]] = {}

    def __init__(self, **values: Any) -> None:
        self.id = new_id()
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        """An unset column reads ``None``, as on a new ORM object."""
        if name in self.table().columns or name in self.links:
            return None
        raise AttributeError(name)

    @classmethod
    def table(cls) -> Table:
        return cls.model.__table__  # type: ignore[no-any-return]

    def values(self) -> dict[str, Any]:
        """Every column as the ORM would insert it (stamps aside: see :mod:`app.storage.bulk`)."""
        values = column_values(self.table(), self.__dict__, none_is_unset=True)
        for attr, column in self.links.items():
            target = self.__dict__.get(attr)
            if target is not None:
                values[column] = target.id
        return values

    def orm(self) -> Any:
        """The ORM object of the same values (what the record services would add)."""
        return self.model(**{k: v for k, v in self.values().items() if v is not None})


class ResultRow(DemoRow):
    model = ItemResult
    links: ClassVar[dict[str, str]] = {"run": "run_id", "item": "item_id", "system": "system_id"}


class RunRow(DemoRow):
    model = InspectionRun
    links: ClassVar[dict[str, str]] = {"template": "template_id", "system": "system_id"}

    def __init__(self, **values: Any) -> None:
        self.results: list[ResultRow] = []
        super().__init__(**values)

    def orm(self) -> Any:
        run = super().orm()
        run.results = [result.orm() for result in self.results]
        return run


class RequestRow(DemoRow):
    model = ServiceRequest
    links: ClassVar[dict[str, str]] = {"system": "system_id"}


class FaultRow(DemoRow):
    model = FaultRecord
    links: ClassVar[dict[str, str]] = {"system": "system_id"}


@dataclass
class FaultPlan:
    """One demo fault, its whole story decided before it is written (:mod:`app.demo.writer`).

    ``fault`` holds the record as it ends up, ``opened`` its columns when opened.
    The rest is what happened in between, as service calls: opened from an item
    result or escalated from a call (``source``, which then changes by
    ``source_changes``), or logged anew; its report and times filled in
    (``report``: :func:`app.records.faults.update_fault`, ``steps``: ``set_time``),
    whether the service was interrupted (``outage``: ``set_outage``, ``None``: not
    recorded) and, once recovered, closed (``close``: the time and the 处理结果).
    """

    fault: FaultRow
    opened: dict[str, Any]
    source: ResultRow | RequestRow | None = None
    source_changes: dict[str, Any] = field(default_factory=dict)
    escalated: tuple[datetime, str] | None = None  # a call's escalation: when, and its note
    report: dict[str, Any] = field(default_factory=dict)
    steps: list[tuple[str, datetime]] = field(default_factory=list)
    outage: dict[str, Any] | None = None
    close: tuple[datetime, str] | None = None
