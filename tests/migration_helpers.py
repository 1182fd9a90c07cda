"""A throwaway migration on top of the real ones, for tests of what migrating does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from db import migrate

TEST_REVISION = "9999"


def stage_test_revision(tmp_path: Path, head: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copy the migrations under tmp_path, add revision 9999 after head, and use the copy."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts)
    (scripts / "versions" / "9999_add_column.py").write_text(
        f'''"""test revision"""
import sqlalchemy as sa
from alembic import op

revision = "{TEST_REVISION}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("system") as batch:
        batch.add_column(sa.Column("test_only", sa.String(8), nullable=True))


def downgrade() -> None:
    pass
''',
        encoding="utf-8",
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
