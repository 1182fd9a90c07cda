"""What the schedule rules read from a store, as plain data, and who reads it (issue 13).

What is due (:mod:`app.schedule.due`) and when deliverables are due
(:mod:`app.schedule.deadlines`) are computed from the plain rows below, with the
attribute names of the stored columns. A :class:`ScheduleSource` reads them:

- :class:`app.schedule.orm_source.OrmSource` from a SQLAlchemy session (the window,
  the services, a team hub), as ``due_on(session, …)`` always did;
- :class:`app.schedule.sqlite_source.SqliteSource` from a read-only ``sqlite3``
  connection, so that ``omw due`` and ``omw deadlines`` answer without importing
  SQLAlchemy or building the ORM mappers of tables they do not touch.

Each method is one query of the ORM's original code; the rules that turn the rows
into a report exist once, in the modules that use them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from app.schedule.workcal import WorkCalendar

#: the role whose signer is the engineer who did a record (``app.records.signing.ROLES``)
OPERATOR = "运维人员"
#: record ids asked in one query (SQLite's limit of bound parameters is far above)
CHUNK = 500


class ContractLike(Protocol):
    """A contract: a ``contract`` row of the ORM or a :class:`ContractRow`."""

    @property
    def id(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...
    @property
    def service_window(self) -> str: ...
    @property
    def profile(self) -> dict[str, Any]: ...


class ContractRow(NamedTuple):
    id: str
    code: str
    name: str
    start_date: date
    end_date: date
    service_window: str
    profile: dict[str, Any]  # the validated profile snapshot (JSON)


class TemplateRow(NamedTuple):
    """An active checklist template."""

    id: str
    code: str
    name: str
    cadence: str
    systems_mode: str
    system_codes: list[str] | None
    seq: int


class SystemRow(NamedTuple):
    """An active system."""

    id: str
    code: str
    name: str
    seq: int


@dataclass(frozen=True, slots=True)
class HolidayRow:
    """A holiday period (not a tuple: :func:`app.schedule.holiday_phases.phases` takes
    a ``(start, end)`` tuple too)."""

    id: str
    name: str
    kind: str
    start_date: date
    end_date: date


class RunRow(NamedTuple):
    """What the due list needs of an inspection run."""

    id: str
    template_id: str
    system_id: str | None
    period_key: str
    status: str
    supersedes_id: str | None
    started_at: datetime | None
    inspector: str


class FaultRow(NamedTuple):
    """What the deliverables that follow closed faults need of a fault record."""

    id: str
    number: str | None
    title: str | None
    reported_at: datetime
    closed_at: datetime | None
    supersedes_id: str | None


class SubmissionRow(NamedTuple):
    id: str
    deliverable_code: str
    period_key: str
    state: str
    submitted_at: datetime
    file_name: str
    file_sha256: str
    note: str


class ScheduleSource(ABC):
    """The store as the schedule rules read it: one reading per method, in plain rows.

    A source lives for one answer (one transaction); it remembers which records
    are void, which every rule that reads records asks.
    """

    _voided: set[str] | None = None

    @abstractmethod
    def contract(self, code: str) -> ContractLike:
        """The contract of ``code`` (:func:`app.contracts.snapshot.unknown_contract` if none)."""

    @abstractmethod
    def calendar(self) -> WorkCalendar:
        """The working-day calendar with the store's overrides."""

    @abstractmethod
    def active(self, contract: ContractLike) -> tuple[list[TemplateRow], list[SystemRow]]:
        """The contract's active checklist templates and systems, each by ``seq``."""

    @abstractmethod
    def holidays(
        self, contract: ContractLike, start: date | None = None, end: date | None = None
    ) -> list[HolidayRow]:
        """The holiday periods overlapping ``start``..``end``, by start date and name."""

    @abstractmethod
    def runs(self, contract: ContractLike, keys: Iterable[str]) -> list[RunRow]:
        """The contract's inspection runs of the period keys ``keys``."""

    @abstractmethod
    def operators(self, run_ids: list[str]) -> dict[str, str]:
        """Run id → its 运维人员 signer, for those of ``run_ids`` that have one."""

    @abstractmethod
    def engineers(self) -> list[str]:
        """Everyone who signed a record of the store as 运维人员, by name."""

    @abstractmethod
    def faults(self, contract: ContractLike) -> list[FaultRow]:
        """The contract's fault records, every version."""

    @abstractmethod
    def submissions(self, contract: ContractLike) -> list[SubmissionRow]:
        """The contract's deliverable submissions."""

    @abstractmethod
    def _voided_ids(self) -> set[str]: ...

    def voided_ids(self) -> set[str]:
        """Ids of every version of every record declared void (read once per source)."""
        if self._voided is None:
            self._voided = self._voided_ids()
        return self._voided
