"""report narrative: the edited narrative sections of a deliverable

``report_narrative`` holds the text a user edited for a narrative section
(存在问题及建议, 下月工作计划, …) of one deliverable occurrence of a contract,
keyed by (contract, deliverable code, period key, section). Exports use the
saved text instead of the draft computed from the data; a section without a
row is drafted. It lives in the store, so an encrypted store keeps it
encrypted.

Revision ID: 0007_narrative
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_narrative"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_narrative",
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("deliverable_code", sa.String(length=64), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "deliverable_code", "period_key", "section"),
    )
    op.create_index("ix_report_narrative_contract_id", "report_narrative", ["contract_id"])


def downgrade() -> None:
    op.drop_index("ix_report_narrative_contract_id", table_name="report_narrative")
    op.drop_table("report_narrative")
