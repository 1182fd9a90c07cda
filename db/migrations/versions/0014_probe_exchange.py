"""probe exchange: probe results travel in team exchange bundles

``probe_result`` gains ``device_id`` (the device that measured) and
``device_seq`` (that device's change counter, ``team_counter``), like every
exchanged table since revision 0009, so bundles select the rows a receiver
lacks and a PM's merged store holds the engineers' 响应时间趋势/可用性/运行监测
history. The rows stay append-only (the triggers of 0012 are kept).

Existing rows are stamped as 0009 stamped records: with this store's device
(the one ``device.json`` beside the database names, else the device that wrote
the last audit entry here) and fresh numbers from that device's counter, in the
order the rows were written. Stamping needs an UPDATE the append-only triggers
refuse: on SQLite they are dropped for the stamping and recreated from their
own stored SQL, unchanged; on PostgreSQL they are disabled for it and enabled
again.

Plain ``ALTER TABLE ADD COLUMN``: a batch copy of the table would drop its triggers.

Revision ID: 0014_probe_exchange
Revises: 0013_profile_versions
"""

import json
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0014_probe_exchange"
down_revision: str | None = "0013_profile_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "probe_result"


def _owner(conn: sa.Connection) -> str | None:
    """This store's device (see the module docstring), or ``None`` (nothing to stamp with)."""
    database = conn.engine.url.database if conn.dialect.name == "sqlite" else None
    if database:
        try:
            doc = json.loads((Path(database).parent / "device.json").read_bytes())
            if doc.get("format") == "omw-device":
                return str(doc["device_id"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    last = "SELECT device_id FROM audit_log WHERE device_id IS NOT NULL ORDER BY seq DESC LIMIT 1"
    row = conn.execute(sa.text(last)).first()
    return str(row[0]) if row is not None else None


def _stamp(conn: sa.Connection, owner: str) -> None:
    order = "rowid" if conn.dialect.name == "sqlite" else "created_at, id"
    ids = [r[0] for r in conn.execute(sa.text(f"SELECT id FROM {TABLE} ORDER BY {order}"))]
    if not ids:
        return
    counter = conn.execute(
        sa.text("SELECT value FROM team_counter WHERE device_id = :d AND name = 'seq'"),
        {"d": owner},
    ).first()
    start = int(counter[0]) if counter is not None else 0
    rows = [{"id": i, "seq": start + n, "d": owner} for n, i in enumerate(ids, start=1)]
    if conn.dialect.name == "sqlite":
        query = (
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{TABLE}'"
        )
        triggers = conn.execute(sa.text(query)).all()
        for name, _sql in triggers:
            conn.execute(sa.text(f"DROP TRIGGER {name}"))
    else:
        conn.execute(sa.text(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER"))
    conn.execute(
        sa.text(f"UPDATE {TABLE} SET device_id = :d, device_seq = :seq WHERE id = :id"), rows
    )
    if conn.dialect.name == "sqlite":
        for _name, sql in triggers:
            conn.execute(sa.text(sql))
    else:
        conn.execute(sa.text(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER"))
    value = start + len(rows)
    if counter is None:
        statement = "INSERT INTO team_counter (device_id, name, value) VALUES (:d, 'seq', :v)"
    else:
        statement = "UPDATE team_counter SET value = :v WHERE device_id = :d AND name = 'seq'"
    conn.execute(sa.text(statement), {"d": owner, "v": value})


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("device_id", sa.String(length=36), nullable=True))
    op.add_column(TABLE, sa.Column("device_seq", sa.Integer(), nullable=True))
    op.create_index(f"ix_{TABLE}_device", TABLE, ["device_id", "device_seq"])
    conn = op.get_bind()
    owner = _owner(conn)
    if owner is not None:
        _stamp(conn, owner)


def downgrade() -> None:
    op.drop_index(f"ix_{TABLE}_device", TABLE)
    op.drop_column(TABLE, "device_seq")  # ALTER TABLE DROP COLUMN keeps the triggers
    op.drop_column(TABLE, "device_id")
