"""device keys, sealed signatures and signed audit heads

- ``device``: each device's Ed25519 public key (the private half stays on the
  laptop, see ``app.integrity.device``); rows are never changed or removed.
- ``signature`` gains ``device_id``, ``record_version`` and ``device_sig``: the
  Ed25519 seal over the signature's statement. A signature made before this
  revision may be sealed once (its other columns unchanged); nothing else about
  a signature may ever change.
- ``audit_head``: the latest audit-chain head each device signed; never
  removed, never handed to another device.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Columns of a signature that sealing must leave as they were.
_SIGNATURE_FIXED = (
    "id",
    "record_type",
    "record_id",
    "role",
    "signer_name",
    "signed_at",
    "image_sha256",
    "content_sha256",
    "created_at",
    "created_by",
)
_SEALING_ONLY = " AND ".join(
    ["OLD.device_sig IS NULL", "NEW.device_sig IS NOT NULL"]
    + [f"NEW.{c} IS OLD.{c}" for c in _SIGNATURE_FIXED]
)

#: (trigger, table, event, message, condition)
_GUARDS: list[tuple[str, str, str, str, str]] = [
    (
        "signature_no_update",
        "signature",
        "UPDATE",
        "signatures are immutable",
        f"NOT ({_SEALING_ONLY})",
    ),
    ("device_no_update", "device", "UPDATE", "device keys are immutable", ""),
    ("device_no_delete", "device", "DELETE", "device keys are immutable", ""),
    (
        "device_no_replace",
        "device",
        "INSERT",
        "device keys are immutable",
        "EXISTS (SELECT 1 FROM device WHERE id = NEW.id)",
    ),
    ("audit_head_no_delete", "audit_head", "DELETE", "audit heads are never removed", ""),
    # a head may move back: after a chain was cut outside the app, the app writes on and
    # records what it found (app.storage.guards._tail_problems) rather than refuse all work
    (
        "audit_head_device",
        "audit_head",
        "UPDATE",
        "audit heads belong to their device",
        "NEW.device_id IS NOT OLD.device_id",
    ),
    (
        "audit_head_no_replace",
        "audit_head",
        "INSERT",
        "audit heads are never removed",
        "EXISTS (SELECT 1 FROM audit_head WHERE device_id = NEW.device_id)",
    ),
]


def _create(name: str, table: str, event: str, message: str, condition: str) -> None:
    when = f" WHEN {condition}" if condition else ""
    op.execute(
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.String(length=44), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_head",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("sig", sa.String(length=88), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
    )
    # plain ALTER TABLE ADD COLUMN: a batch copy of the table would drop its triggers
    op.add_column("signature", sa.Column("device_id", sa.String(length=36), nullable=True))
    op.add_column("signature", sa.Column("record_version", sa.Integer(), nullable=True))
    op.add_column("signature", sa.Column("device_sig", sa.String(length=88), nullable=True))
    op.execute("DROP TRIGGER IF EXISTS signature_no_update")
    for guard in _GUARDS:
        _create(*guard)


def downgrade() -> None:
    for name, *_rest in _GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    _create("signature_no_update", "signature", "UPDATE", "signatures are immutable", "")
    for column in ("device_sig", "record_version", "device_id"):
        op.drop_column("signature", column)  # ALTER TABLE DROP COLUMN keeps the triggers
    op.drop_table("audit_head")
    op.drop_table("device")
