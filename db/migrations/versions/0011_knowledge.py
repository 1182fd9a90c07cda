"""knowledge base: knowledge articles as signable records, and the full-text search index

``knowledge_article`` (知识条目): title, problem, cause, solution, steps, the
systems (codes) and category it belongs to, tags, author and the record it was
promoted from. Reviewing it is a 复核人 signature (the reviewer is its signer),
which locks it; it is protected like the other signable tables
(no UPDATE or DELETE of a locked row, no ``INSERT OR REPLACE`` over one) and
carries the device stamps every record has since 0009.

The search index (``app.search.index``): ``search_doc`` (one row per searchable
record, what it is and where it belongs), ``search_fts`` (a contentless FTS5 table
over the Python tokeniser's tokens; ``unicode61`` only splits them at the spaces
between them) and ``search_meta`` (the tokeniser version the index was built
with). The index starts empty and without a version, so the first open by the app
builds it from the records (``app.storage.store``).

New tables: nothing signed before this revision changes.

Revision ID: 0011_knowledge
Revises: 0010_review
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_knowledge"
down_revision: str | None = "0010_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "knowledge_article"
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
_INDEXED = ("contract_id", "number", "supersedes_id", "source_id")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("solution", sa.Text(), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("systems", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=True),
        sa.Column("source_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("device_seq", sa.Integer(), nullable=True),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("supersedes_id", sa.String(length=36), nullable=True),
        sa.Column("amendment_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in _INDEXED:
        op.create_index(f"ix_{TABLE}_{column}", TABLE, [column])
    op.create_index(f"ix_{TABLE}_device", TABLE, ["device_id", "device_seq"])
    for name, event, condition in _GUARDS:
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {TABLE} FOR EACH ROW WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END"
        )
    op.create_table(
        "search_doc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("open_type", sa.String(length=32), nullable=False),
        sa.Column("open_id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("systems", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=19), nullable=False),
        sa.Column("reviewed", sa.Integer(), nullable=False),
        sa.Column("superseded", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    op.create_index("ix_search_doc_open_id", "search_doc", ["open_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_fts()
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "t_uni, t_bi, b_uni, b_bi, content='', tokenize='unicode61 remove_diacritics 0')"
        )
    op.create_table(
        "search_meta",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def _postgres_fts() -> None:
    """The hub's index: the same token columns, and their positions as two ``tsvector``
    columns (single characters; pairs and words) that the search reads through GIN indexes.

    The vectors are written by ``app.search.index`` from the Python tokeniser's tokens,
    so the server's text parser and locale play no part.
    """
    op.create_table(
        "search_fts",
        sa.Column("rowid", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("t_uni", sa.Text(), nullable=False),
        sa.Column("t_bi", sa.Text(), nullable=False),
        sa.Column("b_uni", sa.Text(), nullable=False),
        sa.Column("b_bi", sa.Text(), nullable=False),
        sa.Column("uni", postgresql.TSVECTOR(), nullable=False),
        sa.Column("bi", postgresql.TSVECTOR(), nullable=False),
        sa.PrimaryKeyConstraint("rowid"),
    )
    for column in ("uni", "bi"):
        op.create_index(f"ix_search_fts_{column}", "search_fts", [column], postgresql_using="gin")


def downgrade() -> None:
    op.drop_table("search_meta")
    op.execute("DROP TABLE search_fts")
    op.drop_index("ix_search_doc_open_id", table_name="search_doc")
    op.drop_table("search_doc")
    for name, *_rest in _GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(f"ix_{TABLE}_device", table_name=TABLE)
    for column in reversed(_INDEXED):
        op.drop_index(f"ix_{TABLE}_{column}", table_name=TABLE)
    op.drop_table(TABLE)
