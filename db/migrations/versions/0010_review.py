"""复核退回: records sent back by the reviewer, append-only

``review_return``: the reviewer (复核人) sends a signed record back to its
engineer with a reason (``app.records.review``); the engineer answers with an
amendment. Rows travel in exchange bundles and are never changed or removed:
triggers refuse UPDATE, DELETE and an ``INSERT OR REPLACE`` over an existing row,
like the other append-only tables (0001, 0004, 0005). Like every record
(0009) a row carries the device that wrote it and that device's counter.

A new table: nothing signed before this revision changes.

Revision ID: 0010_review
Revises: 0009_team
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_review"
down_revision: str | None = "0009_team"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "review_return"
MESSAGE = "review returns are append-only"

#: (trigger, event, condition)
_GUARDS: list[tuple[str, str, str]] = [
    (f"{TABLE}_no_update", "UPDATE", ""),
    (f"{TABLE}_no_delete", "DELETE", ""),
    (f"{TABLE}_no_replace", "INSERT", f"EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id)"),
]
_INDEXED = ("contract_id", "record_id")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("record_type", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("returned_by", sa.String(length=64), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=False),
        sa.Column("engineer", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("device_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in _INDEXED:
        op.create_index(f"ix_{TABLE}_{column}", TABLE, [column])
    op.create_index(f"ix_{TABLE}_device", TABLE, ["device_id", "device_seq"])
    for name, event, condition in _GUARDS:
        when = f" WHEN {condition}" if condition else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {TABLE} FOR EACH ROW{when} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    for name, *_rest in _GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(f"ix_{TABLE}_device", table_name=TABLE)
    for column in reversed(_INDEXED):
        op.drop_index(f"ix_{TABLE}_{column}", table_name=TABLE)
    op.drop_table(TABLE)
