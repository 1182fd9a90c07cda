"""The demo's bulk writer makes the store the record services make, for the same seed.

Two stores get the same 10 days of ``portal-om`` (国庆节 inside: holiday checks,
emergencies, faults from findings, from calls and logged anew, with outages, on-site
calls, the PM's countersignatures, an amendment): one written in bulk
(:class:`app.demo.writer.BulkWriter`, the default), one through the ORM, the fault
services and :func:`app.records.signing.sign` (``bulk=False``). Record
ids are random and the wall clock moves, so rows are compared with every id
replaced by the record's natural key (a template code and period, a number …)
and without the columns the wall clock writes; everything else must be equal:
every column of every record, what each signature signed (the content its hash
covers), the audit chain entry by entry, the change numbers, the search index.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from app.demo import faults as demo_faults
from app.demo import generator as demo
from app.demo.rows import FaultRow
from app.errors import DomainError
from app.records import signing
from app.records.integrity_check import check_session
from app.storage import bulk as bulk_rows
from app.storage.store import Store
from db.audit import canonical_json
from db.models import (
    AuditEntry,
    Base,
    ChecklistItem,
    ChecklistTemplate,
    Contract,
    FaultRecord,
    HolidayPeriod,
    InspectionRun,
    Signature,
    System,
)

UNTIL = date(2026, 10, 10)
#: written by the wall clock (or the device key), not by the demo
VOLATILE = {"updated_at", "device_sig"}
#: tables whose rows the demo writes (the contract's setup is installed alike in both)
TABLES = (
    "inspection_run",
    "item_result",
    "service_request",
    "fault_record",
    "signature",
    "meeting_minutes",
    "knowledge_article",
    "deliverable_submission",
    "attachment",
    "staff_member",
)
#: tables whose ``created_at`` the wall clock writes
WALL_CREATED = {"signature", "deliverable_submission", "attachment", "staff_member"}


def _store(folder: Path, *, bulk: bool) -> Store:
    store = Store.open(folder, actor="测试工程师")
    demo.generate(store, "portal-om", months=1, seed=3, until=UNTIL, bulk=bulk)
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Any:
    bulk = _store(tmp_path_factory.mktemp("bulk"), bulk=True)
    services = _store(tmp_path_factory.mktemp("services"), bulk=False)
    yield bulk, services
    bulk.close()
    services.close()


class Keys:
    """Every id of a store → the natural key of its row (the same in both stores)."""

    def __init__(self, session: Session) -> None:
        self.map: dict[str, Any] = {}
        for row in session.scalars(select(Contract)):
            self.map[row.id] = ("contract", row.code)
        for row in session.scalars(select(System)):
            self.map[row.id] = ("system", row.code)
        for row in session.scalars(select(ChecklistTemplate)):
            self.map[row.id] = ("template", row.code)
        for row in session.scalars(select(ChecklistItem)):
            self.map[row.id] = ("item", self.map[row.template_id], row.code)
        for row in session.scalars(select(HolidayPeriod)):
            self.map[row.id] = ("holiday", row.name, row.start_date.isoformat())
        for device_id in session.scalars(select(AuditEntry.device_id).distinct()):
            self.map[device_id] = ("device",)
        self._records(session)

    def _records(self, session: Session) -> None:
        tables = Base.metadata.tables
        runs = tables["inspection_run"]
        for row in session.execute(select(runs)).mappings():
            period = self.text(row["period_key"])
            where = (self.map[row["template_id"]], period, self.map.get(row["system_id"]))
            self.map[row["id"]] = ("run", *where, row["supersedes_id"] is not None)
        for row in session.execute(select(tables["item_result"])).mappings():
            self.map[row["id"]] = ("result", self.map[row["run_id"]], row["seq"])
        for name in ("service_request", "fault_record", "meeting_minutes"):
            for row in session.execute(select(tables[name])).mappings():
                self.map[row["id"]] = (name, row["number"], row["supersedes_id"] is not None)
        for row in session.execute(select(tables["knowledge_article"])).mappings():
            self.map[row["id"]] = ("article", row["title"])
        for row in session.execute(select(tables["deliverable_submission"])).mappings():
            self.map[row["id"]] = ("submission", row["deliverable_code"], row["period_key"])
        for row in session.execute(select(tables["staff_member"])).mappings():
            self.map[row["id"]] = ("staff", row["name"])
        for row in session.execute(select(tables["signature"])).mappings():
            self.map[row["id"]] = ("signature", self.map[row["record_id"]], row["role"])
        for row in session.execute(select(tables["attachment"])).mappings():
            owner = self.map.get(row["owner_id"], row["owner_id"])
            self.map[row["id"]] = ("attachment", owner, row["blob_sha256"], row["filename"])

    def text(self, value: Any) -> Any:
        """``value`` with every id in it (also inside texts and JSON) replaced by its key."""
        if isinstance(value, str):
            if value in self.map:
                return self.map[value]
            for known, key in self.map.items():
                if known in value:
                    value = value.replace(known, "|".join(map(str, key)))
            return value
        if isinstance(value, list | tuple):
            return [self.text(v) for v in value]
        if isinstance(value, dict):
            return {k: self.text(v) for k, v in value.items()}
        return value


def _rows(session: Session, keys: Keys, name: str) -> list[str]:
    table = Base.metadata.tables[name]
    skip = VOLATILE | ({"created_at"} if name in WALL_CREATED else set())
    if name == "signature":  # over contents with random ids: test_signatures_sign_the_same_content
        skip = skip | {"content_sha256"}
    rows = []
    for row in session.execute(select(table)).mappings():
        values = {k: keys.text(v) for k, v in row.items() if k not in skip}
        rows.append(canonical_json(values))
    return sorted(rows)


def test_both_stores_are_intact(stores: tuple[Store, Store]) -> None:
    for store in stores:
        with store.session() as s:
            report = check_session(s)
            assert report.ok, report.lines()
            assert report.signatures > 100


def test_same_records_column_by_column(stores: tuple[Store, Store]) -> None:
    bulk, services = stores
    with bulk.session() as a, services.session() as b:
        keys_a, keys_b = Keys(a), Keys(b)
        for name in TABLES:
            rows_a, rows_b = _rows(a, keys_a, name), _rows(b, keys_b, name)
            assert rows_a or name in ("meeting_minutes", "attachment"), name
            assert rows_a == rows_b, name


@pytest.mark.slow
def test_signatures_sign_the_same_content(stores: tuple[Store, Store]) -> None:
    """Each signature's hash is over the record's content, which is the same in both."""
    contents = []
    for store in stores:
        with store.session() as s:
            keys = Keys(s)
            signed = {}
            for sig in s.scalars(select(Signature)):
                content = signing.record_content(s, sig.record_type, sig.record_id)
                assert signing.content_hash(s, sig.record_type, sig.record_id) == (
                    sig.content_sha256
                )
                signed[canonical_json(keys.text([sig.record_id, sig.role]))] = keys.text(content)
            contents.append(signed)
    assert contents[0] == contents[1]
    assert len(contents[0]) > 100


def _chain(session: Session) -> list[tuple[Any, ...]]:
    """The audit entries in order (numbered 1, 2, … without a gap), ids replaced."""
    keys = Keys(session)
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.device_seq)).all()
    assert [e.device_seq for e in entries] == list(range(1, len(entries) + 1))
    return [
        (e.actor, e.action, e.entity, keys.text(e.entity_id), keys.text(_dated(e.details)))
        for e in entries
    ]


def _dated(details: dict[str, Any]) -> dict[str, Any]:
    """An amendment's copies are written at the wall clock, then dated: that time aside."""
    changed = details.get("changed", {})
    if "created_at" in changed:
        changed["created_at"][0] = "(wall clock)"
    return details


def test_same_audit_chain(stores: tuple[Store, Store]) -> None:
    bulk, services = stores
    with bulk.session() as a, services.session() as b:
        chain_a, chain_b = _chain(a), _chain(b)
    actions = Counter(entry[1] for entry in chain_a)
    assert actions["lock"] > 50 and actions["sign"] > 100 and actions["update"] > 10
    assert chain_a == chain_b


def test_same_search_index(stores: tuple[Store, Store]) -> None:
    found = []
    for store in stores:
        with store.session() as s:
            keys = Keys(s)
            rows = s.execute(
                text(
                    "SELECT kind, record_id, open_type, open_id, contract_id, systems, at, "
                    "reviewed, superseded FROM search_doc"
                )
            ).all()
            found.append(sorted(canonical_json(keys.text(list(row))) for row in rows))
    assert found[0] and found[0] == found[1]


def test_faults_of_every_origin_are_in_the_comparison(stores: tuple[Store, Store]) -> None:
    """The period has what each way of writing a fault does, so the comparisons above cover it."""
    with stores[0].session() as s:
        faults = s.scalars(select(FaultRecord)).all()
        assert any(f.source_result_id for f in faults)  # from an item (the item links it)
        assert any(f.service_request_id for f in faults)  # escalated from a call
        assert any(not f.source_result_id and not f.service_request_id for f in faults)
        assert any(f.service_interrupted for f in faults)
        assert any(f.service_interrupted is False for f in faults)
        roles = s.scalars(select(Signature.role).where(Signature.record_type == "fault_record"))
        assert set(roles) == {"运维人员", "复核人"}
        actions = Counter(
            s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "fault_record"))
        )
    # opened, its report saved once, locked by its first signature
    assert actions == {"create": len(faults), "update": len(faults), "lock": len(faults)}


def test_a_fault_the_services_would_refuse_is_not_written() -> None:
    now = datetime(2026, 10, 10, 10)
    fault = FaultRow(
        reported_at=datetime(2026, 10, 3, 9),
        recovered_at=datetime(2026, 10, 3, 8),  # before the report
        closed_at=datetime(2026, 10, 3, 12),
    )
    with pytest.raises(DomainError, match="恢复时间不能早于报告时间"):
        demo_faults._check_story(fault, now, [])
    fault.recovered_at = datetime(2026, 10, 3, 11)
    with pytest.raises(DomainError, match="原因分析"):  # closed without a required section
        demo_faults._check_story(fault, now, ["cause"])
    demo_faults._check_story(fault, now, [])


@pytest.mark.parametrize(
    "column", [FaultRecord.__table__.c.reported_at, InspectionRun.__table__.c.scheduled_date]
)
def test_bulk_rows_write_times_as_the_dialect_does(column: Any) -> None:
    dialect = sqlite.dialect()
    fast = bulk_rows._converter(column, dialect)
    slow = column.type.dialect_impl(dialect).bind_processor(dialect)
    for value in (
        datetime(2026, 1, 1),
        datetime(2026, 1, 1, 10, 0, 5, 7),
        datetime(2026, 1, 1, 10, tzinfo=UTC),
        date(2026, 3, 4),
    ):
        assert fast(value) == slow(value)
    assert fast(None) is None


def _insert_sample(tmp_path: Path, rows: int, module: Any = None) -> tuple[bool, list, str]:
    """``rows`` rows through ``insert_rows`` into a small table of a file store.

    Returns whether every row came back as given, the INSERTs the driver ran
    (their SQL, and whether as an executemany) and the driver's module.
    """
    from sqlalchemy import Boolean, Column, DateTime, MetaData, String, Table, create_engine, event

    table = Table(
        "sample",
        MetaData(),
        Column("id", String, primary_key=True),
        Column("at", DateTime),
        Column("done", Boolean),
    )
    path = tmp_path / "sample.sqlite3"
    options = {"creator": lambda: module.connect(str(path))} if module else {}
    engine = create_engine(f"sqlite:///{path}", **options)
    table.metadata.create_all(engine)
    ran: list[tuple[str, bool]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _ran(conn, cursor, sql, params, context, many) -> None:
        if sql.startswith("INSERT"):
            ran.append((sql, many))

    given = [
        {"id": f"r{n:05}", "at": datetime(2026, 1, 1, 8, n % 60, 0, n), "done": n % 2 == 0}
        for n in range(rows)
    ]
    with Session(engine) as s:
        bulk_rows.insert_rows(s, table, given)
        s.commit()
        got = [tuple(r) for r in s.execute(select(table).order_by(table.c.id))]
        driver = type(s.connection().connection.dbapi_connection).__module__
    engine.dispose()
    return got == [(r["id"], r["at"], r["done"]) for r in given], ran, driver


def test_bulk_rows_go_in_as_multi_row_statements(tmp_path: Path) -> None:
    """Many rows a statement (no statement journal a row), every row and value kept."""
    same, ran, _ = _insert_sample(tmp_path, 1234)
    assert same
    assert [many for _, many in ran] == [False, False, False]  # 500 + 500 + 234 rows
    assert [sql.count("(?, ?, ?)") for sql, _ in ran] == [500, 500, 234]


def test_bulk_rows_keep_within_the_drivers_parameter_limit(tmp_path: Path, monkeypatch) -> None:
    import sqlite3

    monkeypatch.setattr(bulk_rows, "_limits", {sqlite3.Connection: 10})  # 3 rows of 3 columns
    same, ran, _ = _insert_sample(tmp_path, 7)
    assert same
    assert [sql.count("(?, ?, ?)") for sql, _ in ran] == [3, 3, 1]


def test_the_encrypted_stores_driver_tells_its_parameter_limit(tmp_path: Path) -> None:
    """``sqlcipher3`` has no ``getlimit``: its build options (or SQLite's default) say."""
    sqlcipher3 = pytest.importorskip("sqlcipher3")
    connection = sqlcipher3.connect(":memory:")
    limit = bulk_rows._variable_limit(connection)

    def bind(count: int) -> int:
        rows = ", ".join(["(?)"] * count)
        return connection.execute(f"SELECT count(*) FROM (VALUES {rows})", [1] * count).fetchone()[
            0
        ]

    assert bind(min(limit, 40_000)) == min(limit, 40_000)
    if limit <= 40_000:
        with pytest.raises(sqlcipher3.OperationalError, match="too many SQL variables"):
            bind(limit + 1)
    same, ran, driver = _insert_sample(tmp_path, 600, sqlcipher3)
    assert same and driver.startswith("sqlcipher3") and len(ran) == 2


def test_bulk_rows_too_wide_for_one_statement_go_in_by_executemany(
    tmp_path: Path, monkeypatch
) -> None:
    """A row wider than the parameter limit: executemany, still CHUNK rows a call."""
    import sqlite3

    monkeypatch.setattr(bulk_rows, "_limits", {sqlite3.Connection: 2})  # under one row's 3
    same, ran, _ = _insert_sample(tmp_path, 1002)
    assert same
    assert [many for _, many in ran] == [True, True, True]  # 500 + 500 + 2 rows
    assert all(sql.count("(?, ?, ?)") == 1 for sql, _ in ran)
