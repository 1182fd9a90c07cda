"""The schedule's rows read with the standard ``sqlite3`` module (issue 13).

``omw due`` and ``omw deadlines`` read a store file through a read-only
connection (:func:`app.storage.readonly.connect`) with these queries, the same
ones :class:`app.schedule.orm_source.OrmSource` makes through the ORM, and turn
the stored values into what SQLAlchemy would give: dates and date-times from
their ISO text, booleans from 0/1, JSON from its text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from app.contracts.snapshot import unknown_contract
from app.schedule.rows import (
    CHUNK,
    OPERATOR,
    ContractLike,
    ContractRow,
    FaultRow,
    HolidayRow,
    RunRow,
    ScheduleSource,
    SubmissionRow,
    SystemRow,
    TemplateRow,
)
from app.schedule.workcal import Override, WorkCalendar
from app.storage.void_chains import SIGNABLE_TABLES, void_closure


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _maybe_moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _json(value: str | None) -> Any:
    return json.loads(value) if value is not None else None


def _marks(values: list[str]) -> str:
    return ", ".join("?" * len(values))


class SqliteSource(ScheduleSource):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, tuple(params)).fetchall()

    def contract(self, code: str) -> ContractLike:
        found = self._rows(
            "SELECT id, code, name, start_date, end_date, service_window, profile"
            " FROM contract WHERE code = ?",
            (code,),
        )
        if not found:
            raise unknown_contract(code)
        cid, ccode, name, start, end, window, profile = found[0]
        return ContractRow(cid, ccode, name, _day(start), _day(end), window, _json(profile))

    def calendar(self) -> WorkCalendar:
        rows = self._rows("SELECT day, workday, name FROM calendar_override")
        return WorkCalendar({_day(d): Override(bool(w), name or "") for d, w, name in rows})

    def active(self, contract: ContractLike) -> tuple[list[TemplateRow], list[SystemRow]]:
        templates = self._rows(
            "SELECT id, code, name, cadence, systems_mode, system_codes, seq"
            " FROM checklist_template WHERE contract_id = ? AND active = 1 ORDER BY seq",
            (contract.id,),
        )
        systems = self._rows(
            "SELECT id, code, name, seq FROM system"
            " WHERE contract_id = ? AND active = 1 ORDER BY seq",
            (contract.id,),
        )
        return (
            [TemplateRow(*t[:5], _json(t[5]), t[6]) for t in templates],
            [SystemRow(*s) for s in systems],
        )

    def holidays(
        self, contract: ContractLike, start: date | None = None, end: date | None = None
    ) -> list[HolidayRow]:
        sql = (
            "SELECT id, name, kind, start_date, end_date FROM holiday_period WHERE contract_id = ?"
        )
        params: list[Any] = [contract.id]
        if start is not None:
            sql += " AND end_date >= ?"
            params.append(start.isoformat())
        if end is not None:
            sql += " AND start_date <= ?"
            params.append(end.isoformat())
        rows = self._rows(sql + " ORDER BY start_date, name", params)
        return [HolidayRow(i, n, k, _day(s), _day(e)) for i, n, k, s, e in rows]

    def runs(self, contract: ContractLike, keys: Iterable[str]) -> list[RunRow]:
        wanted = list(set(keys))
        rows = self._rows(
            "SELECT id, template_id, system_id, period_key, status, supersedes_id, started_at,"
            " inspector FROM inspection_run"
            f" WHERE contract_id = ? AND period_key IN ({_marks(wanted)})",
            [contract.id, *wanted],
        )
        return [RunRow(*r[:6], _maybe_moment(r[6]), r[7]) for r in rows]

    def operators(self, run_ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(run_ids), CHUNK):
            chunk = run_ids[start : start + CHUNK]
            found.update(
                self._rows(
                    "SELECT record_id, signer_name FROM signature WHERE record_type = ?"
                    f" AND role = ? AND record_id IN ({_marks(chunk)})",
                    ["inspection_run", OPERATOR, *chunk],
                )
            )
        return found

    def engineers(self) -> list[str]:
        rows = self._rows("SELECT DISTINCT signer_name FROM signature WHERE role = ?", (OPERATOR,))
        return sorted(name for (name,) in rows)

    def faults(self, contract: ContractLike) -> list[FaultRow]:
        rows = self._rows(
            "SELECT id, number, title, reported_at, closed_at, supersedes_id"
            " FROM fault_record WHERE contract_id = ?",
            (contract.id,),
        )
        return [FaultRow(i, n, t, _moment(r), _maybe_moment(c), s) for i, n, t, r, c, s in rows]

    def submissions(self, contract: ContractLike) -> list[SubmissionRow]:
        rows = self._rows(
            "SELECT id, deliverable_code, period_key, state, submitted_at, file_name,"
            " file_sha256, note FROM deliverable_submission WHERE contract_id = ?",
            (contract.id,),
        )
        return [SubmissionRow(*r[:4], _moment(r[4]), *r[5:]) for r in rows]

    def _voided_ids(self) -> set[str]:
        named = {i for (i,) in self._rows("SELECT record_id FROM record_void")}
        if not named:
            return set()

        def links(ids: list[str]) -> list[tuple[str, str | None]]:
            marks = ", ".join("?" * len(ids))
            found: list[tuple[str, str | None]] = []
            for table in SIGNABLE_TABLES:
                sql = f"SELECT id, supersedes_id FROM {table} WHERE id IN ({marks})"
                found += self._rows(f"{sql} OR supersedes_id IN ({marks})", [*ids, *ids])
            return found

        return void_closure(named, links)
