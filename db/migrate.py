"""Schema migrations with Alembic, run programmatically.

Before any migration of an existing database the file is copied next to it
(``omw.sqlite3.bak-<revision>-<timestamp>``) with SQLite's backup API. A
database stamped with a revision this version does not know was written by a
newer version and is refused. An encrypted store's copy is encrypted with
the same key (both ends of the backup are keyed SQLCipher connections).

Opening a store that is already at the head costs no Alembic import: the stored
revision is read with SQLAlchemy Core and compared with the head read from the
migration scripts' text (:func:`script_head`); Alembic is imported only when
they differ (a migration to run, or a database from a newer version). The head is
read without SQLAlchemy too, so that ``omw due`` can check a store it reads with the
standard ``sqlite3`` module (:mod:`app.storage.readonly`). A new, empty SQLite store is
made from one script of the head's schema, not by running every migration (:mod:`db.schema`).
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from db.errors import NewerDatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: ``revision = "…"`` / ``down_revision: str | None = "…"`` (or ``None``) in a migration script
_REVISION_LINE = re.compile(
    r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(?:\"([^\"]*)\"|'([^']*)'|None)\s*$", re.M
)


def script_head(folder: Path | None = None) -> str | None:
    """The head revision of the migration scripts, read from their text without Alembic.

    ``None`` unless there is exactly one head and every script names its revisions
    plainly (then :func:`upgrade` asks Alembic). A test checks it against Alembic's.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in ((folder or MIGRATIONS_DIR) / "versions").glob("*.py"):
        source = script.read_text("utf-8")
        found = {m[1]: m[2] or m[3] for m in _REVISION_LINE.finditer(source)}
        if not found.get("revision") or "down_revision" not in found:
            return None
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The revision the database is stamped with (plain SQL, any dialect); ``None`` if none."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def at_head(engine: Engine) -> bool:
    """Whether the database is at the scripts' head (``False`` when that cannot be told)."""
    head = script_head()
    return head is not None and stored_revision(engine) == head


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def backup_sqlite_file(db_file: Path, label: str, key: bytes | None = None) -> Path:
    """Copy a SQLite database consistently (online backup API, not a file copy).

    With ``key`` the source is a SQLCipher store and the copy is encrypted
    with the same key.
    """
    from db.engine import raw_connect

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = db_file.with_name(f"{db_file.name}.bak-{label}-{stamp}")
    temp = target.with_name(f".{target.name}.tmp")  # renamed when complete: never half a copy
    temp.unlink(missing_ok=True)
    src = raw_connect(db_file, key)
    try:
        dst = raw_connect(temp, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    fd = os.open(temp, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, target)
    return target


def upgrade(engine: Engine) -> Path | None:
    """Bring the database to the head revision; return the backup made, if any.

    An empty SQLite database is built from the head's schema script instead
    (:mod:`db.schema`), when the script is of the head.
    """
    head = script_head()
    if head is not None and stored_revision(engine) == head:
        return None
    from db.schema import create_at_head

    if create_at_head(engine, head):
        return None
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine)
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    current = current_revision(engine)
    if current == head:
        return None
    if current is not None:
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise NewerDatabaseError(
                f"数据库由更新版本的运维工作台创建（结构版本 {current}），当前程序无法打开。"
                "请升级程序后再打开，数据未作任何修改。"
            )
    from db.engine import engine_key

    backup: Path | None = None
    db_file = engine.url.database
    if current is not None and engine.dialect.name == "sqlite" and db_file:
        backup = backup_sqlite_file(Path(db_file), current, engine_key(engine))
    command.upgrade(cfg, "head")
    return backup
