"""meeting minutes (例会会议纪要) as a signable record

``meeting_minutes``: one meeting of a contract — 编号, 会议名称, time, place,
host, recorder, attendees, agenda, discussion, decisions and the action items
(JSON list of ``{content, owner, due_date, done}``); ``status`` is ``draft``
until 定稿 (``final``), which is when it can be signed. Signed, it is protected
like the other signable tables: no UPDATE or DELETE of a locked row
(0001's triggers), no ``INSERT OR REPLACE`` over one (0004's).

A new table: nothing signed before this revision changes.

Revision ID: 0008_meeting_minutes
Revises: 0007_narrative
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_meeting_minutes"
down_revision: str | None = "0007_narrative"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "meeting_minutes"
LOCKED = "record is signed and locked"

#: (trigger, event, condition): the guards every signable table has
_GUARDS: list[tuple[str, str, str]] = [
    (f"{TABLE}_locked_update", "UPDATE", "OLD.locked_at IS NOT NULL"),
    (f"{TABLE}_locked_delete", "DELETE", "OLD.locked_at IS NOT NULL"),
    (
        f"{TABLE}_locked_replace",
        "INSERT",
        f"EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id AND locked_at IS NOT NULL)",
    ),
]
_INDEXED = ("contract_id", "number", "meeting_at", "supersedes_id")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("meeting_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=64), nullable=False),
        sa.Column("recorder", sa.String(length=64), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("absentees", sa.Text(), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("discussion", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("action_items", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("supersedes_id", sa.String(length=36), nullable=True),
        sa.Column("amendment_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in _INDEXED:
        op.create_index(f"ix_{TABLE}_{column}", TABLE, [column])
    for name, event, condition in _GUARDS:
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {TABLE} FOR EACH ROW WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END"
        )


def downgrade() -> None:
    for name, *_rest in _GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for column in reversed(_INDEXED):
        op.drop_index(f"ix_{TABLE}_{column}", table_name=TABLE)
    op.drop_table(TABLE)
