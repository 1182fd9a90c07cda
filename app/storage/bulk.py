"""Rows written with Core in bulk, stamped and audited exactly as a flush of the guards would.

Writing tens of thousands of new records through the ORM costs a flush's
bookkeeping per object (attribute events, the :mod:`app.storage.guards` hook);
a bulk writer (the demo generator, :mod:`app.demo.writer`) builds plain column
values instead and inserts them with one ``executemany`` per table. This
module gives those values what the guards would: the acting person, this
device and its next change number, and the audit entries, in the order a flush
meets the rows (:meth:`BulkAudit.create`, :meth:`children`, :meth:`update`,
:meth:`sign`, :meth:`lock`). :meth:`BulkAudit.finish` inserts the entries and signs the
chain's new head, as the flush would at its end; call it after inserting the
rows and before the session flushes anything else, so the next flush continues
the chain from there.

Only SQL every dialect has is used (``INSERT … VALUES`` with many rows or many
parameter sets, ``UPDATE … WHERE id =``).
"""

from __future__ import annotations

import functools
import operator
from datetime import date, datetime
from itertools import chain
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from app.storage import guards
from db.audit import AuditWriter
from db.engine import write_lock
from db.models import AuditEntry, now

#: rows per statement (keeps parameter lists of every dialect within limits)
CHUNK = 500
#: SQLite's bound-parameter limit before 3.32 (32,766 since, unless built otherwise)
SQLITE_VARIABLES = 999
_VARIABLE_LIMIT = 9  # sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows of one table, all with the same columns, a chunk of them a statement.

    The statement is compiled once by the dialect and each value converted by its
    column type's bind processor (what Core does for every row of an executemany,
    without its per-row bookkeeping). On SQLite a chunk is one ``INSERT … VALUES
    (…), (…), …``. An ``executemany`` runs its statement once a row, and in WAL mode
    every run of a statement that a protection trigger may abort keeps a statement
    journal of each page it changes: ``omw demo --contract portal-om --months 12``
    wrote 242,832 pages to temporary files. One statement a chunk journals a page
    once a chunk: 49,049 pages (``strace -f -y -e trace=pwrite64``), and that demo's
    system time went from 1.1–1.3 s to 0.6–0.7 s (``/usr/bin/time``, four
    alternating runs each). Other dialects take an ``executemany``.
    """
    if not rows:
        return
    conn = session.connection()
    sql, positional, names, plan = _statement(table, tuple(rows[0]), conn.dialect)
    pick = operator.itemgetter(*names)
    together = _rows_a_statement(conn, len(names)) if positional else 1
    per = together if together > 1 else CHUNK
    for start in range(0, len(rows), per):
        converted = []
        for row in rows[start : start + per]:
            values = list(pick(row)) if len(names) > 1 else [pick(row)]
            for i, convert in plan:  # only the columns whose type converts (times, flags …)
                values[i] = convert(values[i])
            converted.append(values)
        if not positional:
            conn.exec_driver_sql(
                sql, [dict(zip(names, values, strict=True)) for values in converted]
            )
        elif together > 1:
            conn.exec_driver_sql(_many_values(sql, len(converted)), tuple(chain(*converted)))
        else:
            conn.exec_driver_sql(sql, [tuple(values) for values in converted])


def _rows_a_statement(conn: Any, columns: int) -> int:
    """Rows one multi-row INSERT of ``columns`` values a row may carry (1: an executemany
    of :data:`CHUNK` rows instead)."""
    if conn.dialect.name != "sqlite":
        return 1
    return max(1, min(CHUNK, _variable_limit(conn.connection.dbapi_connection) // columns))


_limits: dict[type, int] = {}


def _variable_limit(driver: Any) -> int:
    """How many parameters a statement of this SQLite driver may bind (asked once a driver).

    The standard ``sqlite3`` says (``getlimit``); ``sqlcipher3`` has no ``getlimit``,
    but its library lists ``MAX_VARIABLE_NUMBER`` among its compile options when
    built with a limit of its own, and otherwise has SQLite's default for its version.
    """
    kind = type(driver)
    if kind not in _limits:
        if hasattr(driver, "getlimit"):
            limit = driver.getlimit(_VARIABLE_LIMIT)
        else:
            options = [row[0] for row in driver.execute("PRAGMA compile_options")]
            given = [o.partition("=")[2] for o in options if o.startswith("MAX_VARIABLE_NUMBER=")]
            version = tuple(
                int(n) for n in driver.execute("SELECT sqlite_version()").fetchone()[0].split(".")
            )
            limit = int(given[0]) if given else 32766 if version >= (3, 32) else SQLITE_VARIABLES
        _limits[kind] = limit
    return _limits[kind]


@functools.lru_cache(maxsize=64)
def _many_values(sql: str, count: int) -> str:
    """A positional single-row ``INSERT … VALUES (?, …)`` made to insert ``count`` rows."""
    head, values, group = sql.rpartition(" VALUES ")
    if not values or not group.startswith("(") or not group.endswith(")"):
        raise ValueError(f"not a single-row INSERT: {sql}")
    return head + values + ", ".join([group] * count)


@functools.lru_cache(maxsize=128)
def _statement(
    table: Table, keys: tuple[str, ...], dialect: Any
) -> tuple[str, bool, list[str], list[tuple[int, Any]]]:
    """The INSERT of ``keys`` as the dialect says it (compiled once: a demo writes hundreds),
    whether it is positional, the keys in the order it takes them, and their converters."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    names = list(compiled.positiontup or []) if compiled.positional else list(keys)
    plan = [(i, f) for i, name in enumerate(names) if (f := _converter(table.c[name], dialect))]
    return str(compiled), bool(compiled.positional), names, plan


def _converter(column: Any, dialect: Any) -> Any:
    """How a Python value of ``column`` is given to the database driver (``None``: as it is)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or column.type.should_evaluate_none:  # e.g. JSON: None is 'null'
        return process
    return _isoformat(process) or (lambda value: None if value is None else process(value))


#: samples a time or date processor must write as ``isoformat`` does for its fast path
_MOMENTS = (datetime(1999, 12, 31, 23, 59, 58, 123456), datetime(2026, 1, 2, 3, 4, 5))


def _isoformat(process: Any) -> Any:
    """For a processor writing times or dates as ``isoformat`` text (SQLite's): the same, faster.

    Each of the tens of thousands of stamps a demo writes goes through it; the
    processor formats with ``%`` from the parts, ``isoformat`` in one C call.
    Used only if it writes the samples exactly as the processor does.
    """

    def moment(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is None:
            return value.isoformat(" ", "microseconds")
        return None if value is None else process(value)

    def day(value: Any) -> Any:
        if type(value) is date:
            return value.isoformat()
        return None if value is None else process(value)

    for convert, samples in ((moment, _MOMENTS), (day, [m.date() for m in _MOMENTS])):
        try:
            same = all(process(m) == convert(m) for m in samples)
        except (TypeError, ValueError, AttributeError):
            same = False
        if same:
            return convert
    return None


def column_values(
    table: Table, given: dict[str, Any], *, none_is_unset: bool = False
) -> dict[str, Any]:
    """Every column of a new row: ``given`` values, else the column's Python default.

    What the ORM would insert for an object with ``given`` set (no column of the
    models has a server-side default). Keys of ``given`` that are no column are
    ignored; with ``none_is_unset`` a ``None`` gets the default too. The values
    come in the table's column order.
    """
    scalars, computed, columns = _defaults(table)
    values = scalars.copy()  # a demo asks 70,000 times: dict operations, no loop of columns
    if none_is_unset:
        values.update({k: v for k, v in given.items() if v is not None and k in columns})
    else:
        values.update({k: v for k, v in given.items() if k in columns})
    for key, default in computed:
        if given.get(key, _MISSING) is _MISSING or (none_is_unset and given[key] is None):
            values[key] = default(None)
    return values


_MISSING = object()


@functools.cache
def _defaults(
    table: Table,
) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...], frozenset[str]]:
    """A table's scalar defaults by column (``None`` where computed or none), its computed
    defaults, and its column keys (once a table)."""
    scalars: dict[str, Any] = {}
    computed = []
    for column in table.columns:
        default = column.default
        if default is not None and not default.is_scalar:  # type: ignore[attr-defined]
            computed.append((column.key, default.arg))  # type: ignore[attr-defined]
            scalars[column.key] = None
        else:
            scalars[column.key] = None if default is None else default.arg  # type: ignore[attr-defined]
    return scalars, tuple(computed), frozenset(scalars)


class BulkAudit:
    """The guards' stamps and audit entries for one batch of rows written with Core."""

    def __init__(self, session: Session) -> None:
        write_lock(session)  # a hub's writers take turns (counters, chain, seq), as in a flush
        self.session = session
        self.actor: str = session.info.get("actor", "system")
        self.device_id = guards.device_of(session).device_id
        self.entries: list[dict[str, Any]] = []
        self._writer: AuditWriter | None = None

    def _log(self, action: str, entity: str, entity_id: str, details: dict[str, Any]) -> None:
        if self._writer is None:
            self._writer = guards.open_writer(self.session, self.actor)
            if self.session.new:  # a new device's key and first entries: written first
                self.session.flush()
        # a table's name is SQLAlchemy's ``quoted_name``: as plain text the driver takes it faster
        entity = str(entity)
        self.entries.append(self._writer.row(self.actor, action, entity, entity_id, details))

    def _stamp(self, values: dict[str, Any], *, new: bool = True, own_device: bool = True) -> None:
        if new:
            values["created_by"] = values.get("created_by") or self.actor
        values["updated_by"] = self.actor
        if own_device:
            values["device_id"] = self.device_id
        values["device_seq"] = guards.next_seq(self.session, self.device_id)

    def create(self, table: str, values: dict[str, Any]) -> None:
        """A new record (``create`` entry; an amendment is not written in bulk)."""
        self._stamp(values)
        self._log("create", table, values["id"], guards.summary_of(values))

    def children(self, rows: list[dict[str, Any]]) -> None:
        """New rows covered by their new parent's entry (the item results of a new run)."""
        if not rows:
            return
        last = guards.next_seq(self.session, self.device_id, count=len(rows))
        for number, values in enumerate(rows, start=last - len(rows) + 1):
            values["created_by"] = values.get("created_by") or self.actor
            values["updated_by"] = self.actor
            values["device_id"] = self.device_id
            values["device_seq"] = number

    def sign(self, values: dict[str, Any]) -> None:
        """A new signature (its device is the one that sealed it, already in ``values``)."""
        self._stamp(values, own_device=False)
        summary = guards.summary_of(values) | {"record_type": values["record_type"]}
        self._log("sign", "signature", values["id"], summary)

    def update(self, table: str, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        """A record changed from ``before`` to ``after`` (its columns): an ``update`` entry.

        Returns the stamps to write with the change (nothing, and no entry, if no
        column changed, as in a flush).
        """
        changes = guards.changes_of(before, after)
        if not changes:
            return {}
        stamps: dict[str, Any] = {"updated_at": now()}
        self._stamp(stamps, new=False)
        self._log("update", table, after["id"], guards.summary_of(after) | {"changed": changes})
        return stamps

    def lock(self, table: str, record: dict[str, Any]) -> dict[str, Any]:
        """A record locked by its first signature: the columns the flush would also update.

        ``record`` holds the record's columns (for the entry's summary).
        """
        changed: dict[str, Any] = {"updated_at": now()}
        self._stamp(changed, new=False)
        self._log("lock", table, record["id"], guards.summary_of(record))
        return changed

    def finish(self) -> None:
        """Insert the batch's entries and sign the new head (nothing if nothing was logged)."""
        if self._writer is None:
            return
        insert_rows(self.session, AuditEntry.__table__, self.entries)  # type: ignore[arg-type]
        guards.sign_head(self.session, self._writer)
        self.entries = []
        self._writer = None
