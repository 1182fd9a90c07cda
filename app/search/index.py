"""The full-text index: one document per searchable record, kept in the record's transaction.

Tables (revision ``0011_knowledge``):

- ``search_doc`` — one row per document: its kind, the record it comes from and the
  record to open (a finding opens its inspection run), contract, system codes
  (``|code|code|``), date, whether it is reviewed (a 复核人 signature) or superseded
  (an amendment replaced it). The text itself is not copied: it stays in the record.
- ``search_fts`` — a **contentless** FTS5 table (``content=''``) over the tokens of
  :mod:`app.search.tokens`: title and body, each as single CJK characters and as
  pairs plus words. Its rowid is ``search_doc.rowid``.
- ``search_meta`` — the tokeniser :data:`~app.search.tokens.VERSION` the index was
  built with; a store opened by a version with another tokeniser rebuilds the index.

What is a document (:data:`KINDS`): every fault (number, title; symptom, impact,
cause, process, prevention, result), every service request (number, category;
description, resolution, impact, caller unit), every abnormal or warning checklist
finding (item title; note, action, value) and every knowledge article.

**Kept in the same transaction.** :func:`install` listens to a store session's
flushes: before a flush the documents of the records about to change are read
from the database as they are (a contentless FTS5 table forgets its text, and
SQLite before 3.43 can only remove a row given the tokens it was made from);
after the flush they are read again and the index rows whose text changed are
replaced. Index and record commit or roll back together. Reading the rows with
SQL rather than from the ORM objects means the index holds exactly what the
database holds. :func:`reindex` rebuilds everything (``omw search --reindex``).

On a team hub (PostgreSQL, revision 0011 there) ``search_fts`` is a plain table with
the same four token columns plus two ``tsvector`` columns built from the same tokens
(:func:`tsvector`); a row is replaced by deleting it. Statements are written with
``:name`` parameters and passed to either driver by :func:`run`.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.search.tokens import VERSION, tokenize
from db.models import FaultRecord, InspectionRun, ItemResult, ServiceRequest, Signature

#: Document kinds, with the label the user sees.
KINDS: dict[str, str] = {
    "fault": "故障",
    "request": "服务请求",
    "finding": "巡检异常",
    "article": "知识条目",
}
#: Statuses of a checklist item that make it a finding.
FINDING_STATUSES = ("abnormal", "warning")
REVIEWER_ROLE = "复核人"
ARTICLE_TABLE = "knowledge_article"

_SUPERSEDED = "EXISTS (SELECT 1 FROM {table} n WHERE n.supersedes_id = {alias}.id)"
_REVIEWED = (
    "EXISTS (SELECT 1 FROM signature g WHERE g.record_id = {alias}.id AND g.role = '"
    + REVIEWER_ROLE
    + "')"
)

#: kind → SQL selecting (id, open_type, open_id, contract_id, systems, at, reviewed,
#: superseded, title parts…, body parts…), ending in a WHERE clause that more conditions
#: are added to with AND, and the number of title parts.
_SOURCES: dict[str, tuple[str, int]] = {
    "fault": (
        "SELECT f.id, 'fault_record', f.id, f.contract_id, s.code, f.reported_at, "
        + _REVIEWED.format(alias="f")
        + ", "
        + _SUPERSEDED.format(table="fault_record", alias="f")
        + ", f.number, f.title, f.category, f.symptom, f.impact, f.cause, f.process, "
        "f.prevention, f.result "
        "FROM fault_record f LEFT JOIN system s ON s.id = f.system_id WHERE 1 = 1",
        2,
    ),
    "request": (
        "SELECT r.id, 'service_request', r.id, r.contract_id, s.code, r.received_at, "
        + _REVIEWED.format(alias="r")
        + ", "
        + _SUPERSEDED.format(table="service_request", alias="r")
        + ", r.number, r.category, r.description, r.resolution, r.impact, r.caller_unit "
        "FROM service_request r LEFT JOIN system s ON s.id = r.system_id WHERE 1 = 1",
        2,
    ),
    "finding": (
        "SELECT i.id, 'inspection_run', i.run_id, u.contract_id, s.code, u.scheduled_date, "
        + _REVIEWED.format(alias="u")
        + ", "
        + _SUPERSEDED.format(table="inspection_run", alias="u")
        + ", c.title, i.note, i.action, i.value_text "
        "FROM item_result i JOIN inspection_run u ON u.id = i.run_id "
        "JOIN checklist_item c ON c.id = i.item_id "
        "LEFT JOIN system s ON s.id = coalesce(i.system_id, u.system_id) "
        "WHERE i.status IN ('abnormal', 'warning')",
        1,
    ),
    "article": (
        "SELECT a.id, 'knowledge_article', a.id, a.contract_id, a.systems, a.created_at, "
        + _REVIEWED.format(alias="a")
        + ", "
        + _SUPERSEDED.format(table=ARTICLE_TABLE, alias="a")
        + ", a.number, a.title, a.problem, a.cause, a.solution, a.steps, a.category, a.tags "
        f"FROM {ARTICLE_TABLE} a WHERE 1 = 1",
        2,
    ),
}
#: the column each kind's rows are selected by when only some are wanted
_ID_COLUMN = {"fault": "f.id", "request": "r.id", "finding": "i.id", "article": "a.id"}


@dataclass(frozen=True)
class Doc:
    """One searchable document as the database holds it now."""

    kind: str
    record_id: str
    open_type: str
    open_id: str
    contract_id: str
    systems: str
    at: str
    reviewed: bool
    superseded: bool
    title: str
    body: str

    def columns(self) -> tuple[str, str, str, str]:
        """The four FTS5 columns: title unigrams, title pairs+words, body unigrams, body pairs."""
        return tokenize(self.title).columns() + tokenize(self.body).columns()

    def meta(self) -> tuple[Any, ...]:
        return (
            self.kind,
            self.open_type,
            self.open_id,
            self.contract_id,
            self.systems,
            self.at,
            int(self.reviewed),
            int(self.superseded),
        )


def _systems(value: Any, kind: str) -> str:
    if kind == "article":
        codes = json.loads(value) if isinstance(value, str) and value else (value or [])
    else:
        codes = [value] if value else []
    return "".join(f"|{c}" for c in codes) + ("|" if codes else "")


def _doc(kind: str, row: Any, title_parts: int) -> Doc:
    rid, open_type, open_id, contract_id, systems, at, reviewed, superseded, *texts = row
    if kind == "article":
        tags = json.loads(texts[-1]) if isinstance(texts[-1], str) and texts[-1] else []
        texts[-1] = " ".join(str(t) for t in tags)
    title = " ".join(str(t) for t in texts[:title_parts] if t)
    body = "\n".join(str(t) for t in texts[title_parts:] if t)
    return Doc(
        kind,
        rid,
        open_type,
        open_id,
        contract_id,
        _systems(systems, kind),
        str(at or "")[:19],
        bool(reviewed),
        bool(superseded),
        title,
        body,
    )


#: engines whose store is known to have the index (tables are never dropped while open)
_INDEXED_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def has_index(conn: Connection) -> bool:
    """Whether the store has the index tables (revision 0011 or later)."""
    if conn.engine in _INDEXED_ENGINES:
        return True
    found = _table_exists(conn, "search_doc")
    if found:
        _INDEXED_ENGINES.add(conn.engine)
    return found


def _table_exists(conn: Connection, name: str) -> bool:
    if _on_hub(conn):
        return bool(run(conn, "SELECT to_regclass(:n) IS NOT NULL", {"n": name}).scalar())
    found = run(
        conn,
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = :n",
        {"n": name},
    ).first()
    return found is not None


def _kinds(conn: Connection) -> list[str]:
    return [k for k in _SOURCES if k != "article" or _table_exists(conn, ARTICLE_TABLE)]


def load_docs(conn: Connection, kind: str, ids: Iterable[str] | None = None) -> Iterator[Doc]:
    """The documents of ``kind`` (only those of ``ids`` if given) as the database holds them."""
    sql, title_parts = _SOURCES[kind]
    if ids is None:
        for row in run(conn, sql):
            yield _doc(kind, row, title_parts)
        return
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        query = f"{sql} AND {_ID_COLUMN[kind]} IN ({marks})"
        params = {f"p{i}": v for i, v in enumerate(chunk)}
        for row in run(conn, query, params):
            yield _doc(kind, row, title_parts)


_INSERT_DOC = (
    "INSERT INTO search_doc (kind, record_id, open_type, open_id, contract_id, systems, at, "
    "reviewed, superseded) VALUES (:kind, :rid, :ot, :oi, :c, :s, :at, :rv, :sp)"
)
_INSERT_DOC_AT = (
    "INSERT INTO search_doc (id, kind, record_id, open_type, open_id, contract_id, systems, "
    "at, reviewed, superseded) VALUES (:rowid, :kind, :rid, :ot, :oi, :c, :s, :at, :rv, :sp)"
)
_UPDATE_DOC = (
    "UPDATE search_doc SET kind = :kind, open_type = :ot, open_id = :oi, contract_id = :c, "
    "systems = :s, at = :at, reviewed = :rv, superseded = :sp WHERE id = :rowid"
)
_INSERT_FTS = (
    "INSERT INTO search_fts (rowid, t_uni, t_bi, b_uni, b_bi) VALUES (:rowid, :a, :b, :c, :d)"
)
_INSERT_FTS_HUB = (
    "INSERT INTO search_fts (rowid, t_uni, t_bi, b_uni, b_bi, uni, bi) "
    "VALUES (:rowid, :a, :b, :c, :d, CAST(:u AS tsvector), CAST(:v AS tsvector))"
)
_DELETE_FTS = (
    "INSERT INTO search_fts (search_fts, rowid, t_uni, t_bi, b_uni, b_bi) "
    "VALUES ('delete', :rowid, :a, :b, :c, :d)"
)


def _meta_params(doc: Doc) -> dict[str, Any]:
    kind, ot, oi, c, s, at, rv, sp = doc.meta()
    return {"kind": kind, "ot": ot, "oi": oi, "c": c, "s": s, "at": at, "rv": rv, "sp": sp}


def _fts_params(rowid: int, columns: tuple[str, str, str, str]) -> dict[str, Any]:
    return {"rowid": rowid, "a": columns[0], "b": columns[1], "c": columns[2], "d": columns[3]}


def _rowid(conn: Connection, record_id: str) -> int | None:
    return run(conn, "SELECT id FROM search_doc WHERE record_id = :r", {"r": record_id}).scalar()


def _on_hub(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def run(conn: Connection, statement: str, params: Any = None) -> CursorResult[Any]:
    """``statement`` with ``:name`` parameters, straight to the driver.

    SQLite's driver takes ``:name`` as it is; psycopg (a hub) wants ``%(name)s``.
    """
    if _on_hub(conn):
        statement = _NAMED.sub(r"%(\1)s", statement)
    if params is None:
        return conn.exec_driver_sql(statement)
    return conn.exec_driver_sql(statement, params)


def _insert_doc(conn: Connection, params: dict[str, Any]) -> int:
    if _on_hub(conn):
        return int(run(conn, _INSERT_DOC + " RETURNING id", params).scalar_one())
    return int(run(conn, _INSERT_DOC, params).lastrowid)


def _insert_fts(conn: Connection, docs: list[tuple[int, Doc]]) -> None:
    if not docs:
        return
    if not _on_hub(conn):
        run(conn, _INSERT_FTS, [_fts_params(r, d.columns()) for r, d in docs])
        return
    rows = []
    for rowid, doc in docs:
        title, body = tokenize(doc.title), tokenize(doc.body)
        params = _fts_params(rowid, title.columns() + body.columns())
        params["u"] = tsvector(title.unigrams, body.unigrams)
        params["v"] = tsvector(title.bigrams, body.bigrams)
        rows.append(params)
    run(conn, _INSERT_FTS_HUB, rows)


def _delete_fts(conn: Connection, rowid: int, before: Doc | None) -> None:
    if _on_hub(conn):
        run(conn, "DELETE FROM search_fts WHERE rowid = :r", {"r": rowid})
    elif before is not None:
        run(conn, _DELETE_FTS, _fts_params(rowid, before.columns()))


#: the highest position a ``tsvector`` keeps
_LAST_POSITION = 16383


def tsvector(title: tuple[str, ...], body: tuple[str, ...]) -> str:
    """A hub's ``tsvector`` literal of one kind of tokens: title weight A, body weight B.

    Positions count tokens as FTS5 does, so pairs of a word are next to each other (a
    phrase); the body starts one past the title's end so no phrase spans the two.
    """
    positions: dict[str, list[str]] = {}
    for weight, tokens, start in (("A", title, 1), ("B", body, len(title) + 2)):
        for n, token in enumerate(tokens):
            place = min(start + n, _LAST_POSITION)
            positions.setdefault(token, []).append(f"{place}{weight}")
    return " ".join(
        "'" + token.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(places)
        for token, places in positions.items()
    )


def apply(conn: Connection, old: dict[str, Doc], new: dict[str, Doc | None]) -> None:
    """Bring the index from the documents ``old`` to ``new`` (``None``: no longer a document)."""
    for record_id, doc in new.items():
        before = old.get(record_id)
        rowid = _rowid(conn, record_id)
        if doc is None:
            if rowid is not None:
                if before is not None or _on_hub(conn):
                    _delete_fts(conn, rowid, before)
                run(conn, "DELETE FROM search_doc WHERE id = :r", {"r": rowid})
            continue
        columns = doc.columns()
        if rowid is None:
            rowid = _insert_doc(conn, _meta_params(doc) | {"rid": record_id})
            _insert_fts(conn, [(rowid, doc)])
            continue
        run(conn, _UPDATE_DOC, _meta_params(doc) | {"rowid": rowid})
        previous = before.columns() if before is not None else None
        if previous != columns:
            if previous is not None or _on_hub(conn):
                _delete_fts(conn, rowid, before)
            _insert_fts(conn, [(rowid, doc)])


def reindex(conn: Connection, progress: Any = None) -> int:
    """Rebuild the whole index from the records; the number of documents indexed.

    ``progress(done, total)`` is called after each batch. Runs in the caller's transaction.
    """
    if _on_hub(conn):
        run(conn, "DELETE FROM search_fts")
    else:
        run(conn, "INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
    run(conn, "DELETE FROM search_doc")
    # numbered oldest first: a query with very many matches ranks the newest (app.search.query)
    docs = sorted(
        (doc for kind in _kinds(conn) for doc in load_docs(conn, kind)),
        key=lambda d: (d.at, d.record_id),
    )
    done = 0
    for start in range(0, len(docs), 2000):
        batch = docs[start : start + 2000]
        first = start + 1
        run(
            conn,
            _INSERT_DOC_AT,
            [
                _meta_params(d) | {"rid": d.record_id, "rowid": first + i}
                for i, d in enumerate(batch)
            ],
        )
        _insert_fts(conn, [(first + i, d) for i, d in enumerate(batch)])
        done += len(batch)
        if progress is not None:
            progress(done, len(docs))
    run(conn, "DELETE FROM search_meta WHERE key = 'tokenizer'")
    run(conn, "INSERT INTO search_meta (key, value) VALUES ('tokenizer', :v)", {"v": str(VERSION)})
    return done


#: record tables → the kind of document their rows are
_TABLE_KINDS = {"fault_record": "fault", "service_request": "request", ARTICLE_TABLE: "article"}


def refresh(conn: Connection, records: Iterable[tuple[str, str]]) -> None:
    """Index records written without the ORM session (rows merged from a team bundle).

    ``records`` are ``(table, id)`` pairs: faults, requests and articles are indexed,
    an item result if it is a finding, an inspection run brings its findings, a
    signature its record (reviewed). A
    record already in the index keeps its text (a signed record cannot change);
    only what the index knows about it (reviewed, superseded) is brought up to date.
    """
    if not has_index(conn):
        return
    touched: dict[str, str] = {}
    runs: list[str] = []
    for table, record_id in records:
        if table in _TABLE_KINDS:
            touched[record_id] = _TABLE_KINDS[table]
        elif table == "item_result":
            touched[record_id] = "finding"
        elif table in ("inspection_run", "signature"):
            runs.append(record_id)
    for start in range(0, len(runs), 500):
        chunk = runs[start : start + 500]
        marks = ", ".join(f":r{i}" for i in range(len(chunk)))
        query = f"SELECT id FROM item_result WHERE run_id IN ({marks})"
        for (result_id,) in run(conn, query, {f"r{i}": r for i, r in enumerate(chunk)}):
            touched[result_id] = "finding"
    found: dict[str, Doc] = {}
    for kind, ids in _by_kind(touched).items():
        found |= {doc.record_id: doc for doc in load_docs(conn, kind, ids)}
    rowids = _rowids(conn, list(found))
    known = [
        _meta_params(doc) | {"rowid": rowids[rid]} for rid, doc in found.items() if rid in rowids
    ]
    if known:
        run(conn, _UPDATE_DOC, known)
    _insert_docs(conn, [doc for rid, doc in found.items() if rid not in rowids])


def _rowids(conn: Connection, record_ids: list[str]) -> dict[str, int]:
    """The index rows of those of ``record_ids`` that have one (record id → rowid)."""
    found: dict[str, int] = {}
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        marks = ", ".join(f":r{i}" for i in range(len(chunk)))
        query = f"SELECT record_id, id FROM search_doc WHERE record_id IN ({marks})"
        found |= dict(run(conn, query, {f"r{i}": r for i, r in enumerate(chunk)}).all())
    return found


def _insert_docs(conn: Connection, docs: list[Doc]) -> None:
    """Index new documents: in SQLite numbered after the last one, with one statement a table."""
    if _on_hub(conn):
        for doc in docs:
            _insert_fts(
                conn, [(_insert_doc(conn, _meta_params(doc) | {"rid": doc.record_id}), doc)]
            )
        return
    if not docs:
        return
    first = int(run(conn, "SELECT coalesce(max(id), 0) FROM search_doc").scalar_one()) + 1
    rows = [(first + i, doc) for i, doc in enumerate(docs)]
    run(conn, _INSERT_DOC_AT, [_meta_params(d) | {"rid": d.record_id, "rowid": r} for r, d in rows])
    _insert_fts(conn, rows)


def stale(conn: Connection) -> bool:
    """Whether the index exists but was built by another tokeniser (or never built)."""
    if not has_index(conn):
        return False
    built = run(conn, "SELECT value FROM search_meta WHERE key = 'tokenizer'").scalar()
    return built != str(VERSION)


# --------------------------------------------------------------------------- the flush hook

_PENDING = "search_old_docs"
_INDEXED: dict[type, str] = {FaultRecord: "fault", ServiceRequest: "request", ItemResult: "finding"}
_FINDING_FIELDS = ("status", "note", "action", "value_text", "item_id", "system_id")


def install(session: Session) -> None:
    """Keep the index of every flush of ``session`` in the same transaction."""
    event.listen(session, "before_flush", _before_flush)
    event.listen(session, "after_flush", _after_flush)


def _kind_of(obj: Any) -> str | None:
    kind = _INDEXED.get(type(obj))
    if kind is None and type(obj).__tablename__ == ARTICLE_TABLE:
        kind = "article"
    return kind


def _is_finding(obj: ItemResult, *, committed: bool) -> bool:
    status = obj.status
    if committed:
        history = inspect(obj).attrs.status.history
        status = (history.deleted or history.unchanged or [status])[0]
    return status in FINDING_STATUSES


def _touched(session: Session) -> tuple[dict[str, str], set[str]]:
    """Records whose document may change in this flush (id → kind), and deleted runs."""
    touched: dict[str, str] = {}
    runs: set[str] = set()
    for obj in session.new:
        kind = _kind_of(obj)
        if kind and (kind != "finding" or _is_finding(obj, committed=False)):
            touched[obj.id] = kind
    for obj in list(session.dirty) + list(session.deleted):
        kind = _kind_of(obj)
        if isinstance(obj, InspectionRun) and obj in session.deleted:
            runs.add(obj.id)
        if kind is None or (obj in session.dirty and not session.is_modified(obj)):
            continue
        if kind == "finding" and not (
            _is_finding(obj, committed=True) or _is_finding(obj, committed=False)
        ):
            continue
        touched[obj.id] = kind
    return touched, runs


def _by_kind(touched: dict[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for record_id, kind in touched.items():
        grouped.setdefault(kind, []).append(record_id)
    return grouped


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    session.info.pop(_PENDING, None)  # left by a flush that failed
    touched, runs = _touched(session)
    if not touched and not runs:
        return
    conn = session.connection()
    if not has_index(conn):
        return
    if runs:
        run_marks = ", ".join(f":r{i}" for i in range(len(runs)))
        params = {f"r{i}": r for i, r in enumerate(runs)}
        query = f"SELECT id FROM item_result WHERE run_id IN ({run_marks})"
        for (result_id,) in run(conn, query, params):
            touched[result_id] = "finding"
    old: dict[str, Doc] = {}
    for kind, ids in _by_kind(touched).items():
        for doc in load_docs(conn, kind, ids):
            old[doc.record_id] = doc
    session.info[_PENDING] = (touched, old)


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    pending: tuple[dict[str, str], dict[str, Doc]] | None = session.info.pop(_PENDING, None)
    flags = _flag_changes(session)
    if pending is None and not flags:
        return
    conn = session.connection()
    if not has_index(conn):
        return
    if pending is not None:
        touched, old = pending
        new: dict[str, Doc | None] = dict.fromkeys(touched)
        for kind, ids in _by_kind(touched).items():
            for doc in load_docs(conn, kind, ids):
                new[doc.record_id] = doc
        apply(conn, old, new)
    for column, record_id in flags:
        run(
            conn,
            f"UPDATE search_doc SET {column} = 1 WHERE record_id = :r OR open_id = :r",
            {"r": record_id},
        )


def _flag_changes(session: Session) -> list[tuple[str, str]]:
    """(column, record id): records just reviewed, or superseded by a new amendment."""
    flags: list[tuple[str, str]] = []
    for obj in session.new:
        if isinstance(obj, Signature) and obj.role == REVIEWER_ROLE:
            flags.append(("reviewed", obj.record_id))
        elif getattr(obj, "supersedes_id", None):
            flags.append(("superseded", obj.supersedes_id))
    return flags
