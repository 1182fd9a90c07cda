"""team: device stamps on every record, per-device audit chains, voids, quarantine, trust

Every record row gains ``device_id`` (the device that last wrote it) and
``device_seq`` (that device's change counter, never reset; ``team_counter``
keeps it, so deleting a draft never frees a number). A signature already had
``device_id`` (the sealing device) and gains only ``device_seq``. The audit log
gains ``device_id`` / ``device_seq``: each device's entries form their own hash
chain, numbered from 1, and the hash keeps covering ``device_seq`` where it
covered the local ``seq``.

Existing rows are stamped with the device that wrote this store last (the one
with the furthest signed audit head), else the device named by ``device.json``
beside the database, and their audit entries become that device's chain with
``device_seq = seq`` — so every existing hash and signed head stays valid.
Records signed before this revision keep their content hash: the new columns
are bookkeeping, never signed content (``app.records.signing``).

Stamping rows needs an UPDATE that the protection triggers refuse (locked
records, signatures, the audit log); the triggers of the stamped tables are
dropped for the stamping and recreated from their own stored SQL, unchanged.

New tables: ``record_void`` (作废, append-only), ``quarantine`` (bundle rows
that were not merged), ``team_device`` (identity and trusted colleagues'
devices), ``team_exchange`` (every bundle exported and imported),
``team_counter`` (per-device counters).

Plain ``ALTER TABLE ADD COLUMN``: a batch copy of a table would drop its triggers.

Revision ID: 0009_team
Revises: 0008_meeting_minutes
"""

import json
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0009_team"
down_revision: str | None = "0008_meeting_minutes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: tables of records (``db.models.Record``) present at revision 0008, parents first
RECORD_TABLES = (
    "contract",
    "system",
    "staff_member",
    "checklist_template",
    "checklist_item",
    "calendar_override",
    "holiday_period",
    "inspection_run",
    "item_result",
    "fault_record",
    "service_request",
    "meeting_minutes",
    "attachment",
    "signature",
    "deliverable_submission",
    "report_narrative",
    "export_template",
    "signing_key",
)
_APPEND_ONLY = "team records are append-only"
_TRIGGERS = [
    ("record_void_no_update", "record_void", "UPDATE", ""),
    ("record_void_no_delete", "record_void", "DELETE", ""),
    (
        "record_void_no_replace",
        "record_void",
        "INSERT",
        "EXISTS (SELECT 1 FROM record_void WHERE id = NEW.id)",
    ),
]


def _owner(conn: sa.Connection) -> str | None:
    """The device whose chain the existing audit log becomes (see the module docstring).

    A PostgreSQL hub is created empty by its own ``omw hub init``: nothing to stamp.
    """
    if conn.dialect.name != "sqlite":
        return None
    # before this revision a head's seq numbered the one shared chain: the highest wrote last
    last = "SELECT device_id FROM audit_head ORDER BY seq DESC LIMIT 1"
    row = conn.execute(sa.text(last)).first()
    if row is not None:
        return str(row[0])
    database = conn.engine.url.database
    if not database:
        return None
    try:
        doc = json.loads((Path(database).parent / "device.json").read_bytes())
        return str(doc["device_id"]) if doc.get("format") == "omw-device" else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _stamp(conn: sa.Connection, owner: str) -> None:
    tables = [*RECORD_TABLES, "audit_log"]
    marks = ",".join(f"'{t}'" for t in tables)
    query = f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})"
    triggers = conn.execute(sa.text(query)).all()
    for name, _sql in triggers:
        conn.execute(sa.text(f"DROP TRIGGER {name}"))
    conn.execute(sa.text("UPDATE audit_log SET device_id = :d, device_seq = seq"), {"d": owner})
    counter = 0
    for table in RECORD_TABLES:
        ids = [r[0] for r in conn.execute(sa.text(f"SELECT id FROM {table} ORDER BY rowid"))]
        rows = [{"id": i, "seq": counter + n} for n, i in enumerate(ids, start=1)]
        counter += len(rows)
        if not rows:
            continue
        if table == "signature":  # its device_id is the sealing device: kept
            statement = "UPDATE signature SET device_seq = :seq WHERE id = :id"
        else:
            statement = f"UPDATE {table} SET device_id = :d, device_seq = :seq WHERE id = :id"
        conn.execute(sa.text(statement), [r | {"d": owner} for r in rows])
    if counter:
        conn.execute(
            sa.text("INSERT INTO team_counter (device_id, name, value) VALUES (:d, 'seq', :v)"),
            {"d": owner, "v": counter},
        )
    for _name, sql in triggers:
        conn.execute(sa.text(sql))


def upgrade() -> None:
    for table in RECORD_TABLES:
        if table != "signature":
            op.add_column(table, sa.Column("device_id", sa.String(length=36), nullable=True))
        op.add_column(table, sa.Column("device_seq", sa.Integer(), nullable=True))
        op.create_index(f"ix_{table}_device", table, ["device_id", "device_seq"])
    op.add_column("audit_log", sa.Column("device_id", sa.String(length=36), nullable=True))
    op.add_column("audit_log", sa.Column("device_seq", sa.Integer(), nullable=True))
    op.create_index("ix_audit_log_chain", "audit_log", ["device_id", "device_seq"], unique=True)
    op.create_table(
        "team_counter",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "name"),
    )
    op.create_table(
        "record_void",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("voided_by", sa.String(length=64), nullable=False),
        sa.Column("voided_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("device_seq", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_void_record_id", "record_void", ["record_id"])
    op.create_index("ix_record_void_device", "record_void", ["device_id", "device_seq"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("bundle_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_device_id", sa.String(length=36), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("incoming", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bundle_sha256", "record_type", "record_id"),
    )
    op.create_table(
        "team_device",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.String(length=44), nullable=False),
        sa.Column("engineer", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("own", sa.Boolean(), nullable=False),
        sa.Column("trusted_by", sa.String(length=64), nullable=False),
        sa.Column("trusted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "team_exchange",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("bundle_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for name, table, event, condition in _TRIGGERS:
        when = f" WHEN {condition}" if condition else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        )
    conn = op.get_bind()
    owner = _owner(conn)
    if owner is not None:
        _stamp(conn, owner)


def downgrade() -> None:
    for name, *_rest in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("team_exchange", "team_device", "quarantine", "record_void", "team_counter"):
        op.drop_table(table)
    op.drop_index("ix_audit_log_chain", "audit_log")
    for column in ("device_seq", "device_id"):
        op.drop_column("audit_log", column)  # ALTER TABLE DROP COLUMN keeps the triggers
    for table in RECORD_TABLES:
        op.drop_index(f"ix_{table}_device", table)
        op.drop_column(table, "device_seq")
        if table != "signature":
            op.drop_column(table, "device_id")
