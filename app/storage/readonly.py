"""A store file opened read-only with the standard ``sqlite3`` module (issue 13).

``omw due`` and ``omw deadlines`` only read, and must answer within a few times
the start of the interpreter: :func:`connect` gives them the data folder's store
without importing SQLAlchemy, as :meth:`app.storage.store.Store.open` with
``exclusive=False`` would find it (the same data folder lookup) and never
writing: the connection is opened with ``mode=ro`` and the single-writer lock is
not taken.

It answers ``None`` whenever opening the store means more than reading a plain
file at the schema head, and the caller then opens it with ``Store.open`` as
before, so that those cases keep one implementation and their Chinese messages:

- a team hub is chosen (``omw --database``, ``OMW_DATABASE_URL``, ``hub.json``):
  ``Store.open`` checks the address and connects to PostgreSQL;
- the file is missing or empty (``Store.open`` creates the store) or encrypted
  (SQLCipher: its key comes from the secret store, perhaps after a passphrase prompt);
- its schema is not at the head (``Store.open`` migrates it under the lock, or
  refuses a store made by a newer version), or it cannot be read as a database.

These are rare for a command run next to the window, which has opened and
migrated the store already.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from app.storage import hub_choice, paths
from db.errors import StoreError
from db.migrate import script_head

#: the first bytes of a plain SQLite file (an encrypted one starts with random bytes)
SQLITE_HEADER = b"SQLite format 3\x00"
#: how long a read waits for a writer that holds the file (as the engine's ``busy_timeout``)
BUSY_SECONDS = 5.0


def _hub_chosen(folder: Path) -> bool:
    """Whether ``Store.open`` would open a hub (or check a hub address) for ``folder``."""
    hub = sys.modules.get("app.storage.hub")
    if hub is not None:  # loaded (``omw --database`` may have selected one): it knows
        try:
            return hub.configured_url(folder) is not None
        except StoreError:  # a wrong address: ``Store.open`` says so
            return True
    return bool(os.environ.get(hub_choice.ENV_DATABASE_URL) or hub_choice.saved_url(folder))


def _plain(db_file: Path) -> bool:
    try:
        with open(db_file, "rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def connect(data_dir: str | os.PathLike[str] | None = None) -> sqlite3.Connection | None:
    """A read-only connection to the data folder's store, or ``None`` (see the module)."""
    folder = paths.data_dir(data_dir)
    if _hub_chosen(folder):
        return None
    db_file = paths.db_path(folder)
    if not _plain(db_file):
        return None
    try:
        conn = sqlite3.connect(f"{db_file.as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    except sqlite3.Error:
        return None
    try:
        stamped = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        stamped = []
    head = script_head()
    if head is None or stamped != [(head,)]:
        conn.close()
        return None
    return conn
