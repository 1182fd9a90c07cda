"""probes: results of automatic inspection probes, and the link lists they check

``probe_result`` (one row per measured target per run): what was contacted
(kind, target code, address), when, the outcome, and the measured values —
status code, response time, resolved addresses, certificate expiry, content
hash, error text, details (JSON) — plus the run (batch) it belongs to and
the checklist item it filled. A measurement is a fact: the row is append-only
(UPDATE, DELETE and ``INSERT OR REPLACE`` over a row are refused by
triggers, like the audit log). Rows are
local evidence of this laptop (not exchanged in team bundles); each run is
one audit entry rather than one per row.

``probe_link`` (事项跳转超链接): the link list of a contract as imported from
the client's Excel/CSV export (name, department, URL), one row per link; a
re-import replaces the rows of the contract, so it is not append-only.

New tables: nothing signed before this revision changes.

Revision ID: 0012_probes
Revises: 0011_knowledge
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_probes"
down_revision: str | None = "0011_knowledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESULTS = "probe_result"
LINKS = "probe_link"
_APPEND_ONLY = "probe results are append-only"
#: (trigger, event, condition): no UPDATE, no DELETE, no ``INSERT OR REPLACE`` over a row
_GUARDS = (
    (f"{RESULTS}_no_update", "UPDATE", ""),
    (f"{RESULTS}_no_delete", "DELETE", ""),
    (f"{RESULTS}_no_replace", "INSERT", f"EXISTS (SELECT 1 FROM {RESULTS} WHERE id = NEW.id)"),
)


def _own_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        RESULTS,
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("system_code", sa.String(length=64), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("elapsed_ms", sa.Float(), nullable=True),
        sa.Column("addresses", sa.JSON(), nullable=True),
        sa.Column("cert_expiry", sa.DateTime(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("item_result_id", sa.String(length=36), nullable=True),
        *_own_columns(),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{RESULTS}_contract_started", RESULTS, ["contract_id", "started_at"])
    op.create_index(f"ix_{RESULTS}_batch_id", RESULTS, ["batch_id"])
    op.create_index(f"ix_{RESULTS}_item_result_id", RESULTS, ["item_result_id"])
    for name, event, condition in _GUARDS:
        when = f" WHEN {condition}" if condition else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {RESULTS} FOR EACH ROW{when} "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        )
    op.create_table(
        LINKS,
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        *_own_columns(),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{LINKS}_contract_id", LINKS, ["contract_id"])


def downgrade() -> None:
    op.drop_index(f"ix_{LINKS}_contract_id", table_name=LINKS)
    op.drop_table(LINKS)
    for name, *_rest in _GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for suffix in ("item_result_id", "batch_id", "contract_started"):
        op.drop_index(f"ix_{RESULTS}_{suffix}", table_name=RESULTS)
    op.drop_table(RESULTS)
