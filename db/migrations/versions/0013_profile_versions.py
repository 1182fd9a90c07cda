"""profile versions: each change of a contract's profile is a signed, append-only version

``contract_profile_version`` (合同档案版本): the contract, the version number, the
validated profile snapshot and its SHA-256, who published it and when (for
display), and the publishing device's Ed25519 signature of those. Rows are
exchanged in team bundles; the newest version a store trusts is applied to its
contract (``app.contracts.versions``). Append-only: UPDATE and DELETE are
refused by triggers, and an ``INSERT OR REPLACE`` over an existing row too.

New table: nothing signed before this revision changes.

Revision ID: 0013_profile_versions
Revises: 0012_probes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_profile_versions"
down_revision: str | None = "0012_probes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "contract_profile_version"
_APPEND_ONLY = "profile versions are append-only"
_TRIGGERS = (
    (f"{TABLE}_no_update", "UPDATE", ""),
    (f"{TABLE}_no_delete", "DELETE", ""),
    (f"{TABLE}_no_replace", "INSERT", f"EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id)"),
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("profile_sha256", sa.String(length=64), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("sig", sa.String(length=100), nullable=False),
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
    op.create_index(f"ix_{TABLE}_contract_id", TABLE, ["contract_id"])
    op.create_index(f"ix_{TABLE}_device", TABLE, ["device_id", "device_seq"])
    for name, event, condition in _TRIGGERS:
        when = f" WHEN {condition}" if condition else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {TABLE} FOR EACH ROW{when} "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        )


def downgrade() -> None:
    for name, *_rest in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table(TABLE)
