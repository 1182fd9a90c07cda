"""Schema migrations with Alembic, run programmatically.

Before any migration of an existing database the file is copied next to it
(``omw.sqlite3.bak-<revision>-<timestamp>``) with SQLite's backup API. A
database stamped with a revision this version does not know was written by a
newer version and is refused. An encrypted store's copy is encrypted with
the same key (both ends of the backup are keyed SQLCipher connections).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from db.engine import engine_key, raw_connect
from db.errors import NewerDatabaseError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def backup_sqlite_file(db_file: Path, label: str, key: bytes | None = None) -> Path:
    """Copy a SQLite database consistently (online backup API, not a file copy).

    With ``key`` the source is a SQLCipher store and the copy is encrypted
    with the same key.
    """
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
    """Bring the database to the head revision; return the backup made, if any."""
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
    backup: Path | None = None
    db_file = engine.url.database
    if current is not None and engine.dialect.name == "sqlite" and db_file:
        backup = backup_sqlite_file(Path(db_file), current, engine_key(engine))
    command.upgrade(cfg, "head")
    return backup
