"""refuse REPLACE of protected rows: locked records, their item results, signatures, blobs, audit

``INSERT OR REPLACE`` deletes the row it conflicts with without firing DELETE
triggers (unless ``recursive_triggers`` is on in the connection doing it, which a
database tool's is not), so the UPDATE/DELETE triggers of 0001 did not stop a
signed row being swapped. These BEFORE INSERT triggers refuse an insert that
would replace such a row, whatever connection runs it; blobs (content-addressed
signature images and attachments) are also never updated.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCKED = "record is signed and locked"

#: (trigger, table, event, message, condition)
_GUARDS: list[tuple[str, str, str, str, str]] = [
    *[
        (
            f"{table}_locked_replace",
            table,
            "INSERT",
            LOCKED,
            f"EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id AND locked_at IS NOT NULL)",
        )
        for table in ("inspection_run", "fault_record", "service_request")
    ],
    (
        "item_result_locked_replace",
        "item_result",
        "INSERT",
        LOCKED,
        "EXISTS (SELECT 1 FROM item_result r JOIN inspection_run u ON u.id = r.run_id "
        "WHERE r.id = NEW.id AND u.locked_at IS NOT NULL)",
    ),
    (
        "signature_no_replace",
        "signature",
        "INSERT",
        "signatures are immutable",
        "EXISTS (SELECT 1 FROM signature WHERE id = NEW.id OR (record_type = NEW.record_type "
        "AND record_id = NEW.record_id AND role = NEW.role))",
    ),
    (
        "audit_log_no_replace",
        "audit_log",
        "INSERT",
        "audit log is append-only",
        "EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)",
    ),
    (
        "blob_no_replace",
        "blob",
        "INSERT",
        "blobs are immutable",
        "EXISTS (SELECT 1 FROM blob WHERE sha256 = NEW.sha256)",
    ),
    ("blob_no_update", "blob", "UPDATE", "blobs are immutable", ""),
]


def upgrade() -> None:
    for name, table, event, message, condition in _GUARDS:
        when = f" WHEN {condition}" if condition else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def downgrade() -> None:
    for name, *_rest in _GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
