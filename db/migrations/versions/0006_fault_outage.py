"""fault outage: whether, where and how long a fault interrupted the service

``fault_record`` gains four nullable columns:

- ``service_interrupted`` — 是否中断服务: NULL = not recorded, 0 = the service
  stayed available, 1 = it was unavailable;
- ``outage_start`` / ``outage_end`` — 中断开始 / 中断结束 (end NULL while still down);
- ``outage_systems`` — the codes of the systems that were unavailable (JSON list).

Existing rows keep NULL everywhere ("not recorded"): locked rows cannot be
updated (the ``fault_record_locked_update`` trigger), and a value here would be
content their signatures never covered. How an unrecorded outage counts
towards 可用率 is said in ``app.export.stats``; the signed content leaves the
columns out while they are NULL, so old signatures still verify
(``app.records.signing``).

Plain ``ALTER TABLE ADD COLUMN``: a batch copy of the table would drop its
triggers.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("service_interrupted", "outage_start", "outage_end", "outage_systems")


def upgrade() -> None:
    op.add_column("fault_record", sa.Column("service_interrupted", sa.Boolean(), nullable=True))
    op.add_column("fault_record", sa.Column("outage_start", sa.DateTime(), nullable=True))
    op.add_column("fault_record", sa.Column("outage_end", sa.DateTime(), nullable=True))
    op.add_column("fault_record", sa.Column("outage_systems", sa.JSON(), nullable=True))


def downgrade() -> None:
    for column in reversed(_COLUMNS):
        op.drop_column("fault_record", column)  # ALTER TABLE DROP COLUMN keeps the triggers
