"""The store file is readable by its owner only, as its backups and secrets are.

SQLite creates a database with the process's default permissions (``0644`` under
the usual umask): on a laptop shared with other accounts, anyone could copy an
unencrypted store — the client's contacts, faults and signatures — while its
backups, exports and key file next to it are ``0600``. So a new store file is
created empty with ``0600`` before SQLite opens it (SQLite gives its ``-wal`` and
``-shm`` files the database file's permissions), and a store file of this
account that others may read is made private when opened.

POSIX only: on Windows a file's access is its profile folder's ACL.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: the files SQLite keeps beside a database in WAL mode
SIDE_FILES = ("-wal", "-shm")


def create_private(path: Path) -> None:
    """Create ``path`` empty and owner-only, unless it exists: a store file (SQLite builds
    it from empty) or the error log beside it (:mod:`app.storage.error_log`)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def keep_private(db_file: Path) -> list[Path]:
    """Take group and others' access off the store file and its side files; those changed.

    Only files of this account: another account's file is left as its owner set it. A file
    system that keeps no such permissions (a FAT-formatted USB drive refuses the change) is
    left as it is: the store opens all the same.
    """
    if os.name != "posix":
        return []
    changed = []
    for path in (db_file, *(db_file.with_name(db_file.name + s) for s in SIDE_FILES)):
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        if info.st_uid != os.getuid() or not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            continue
        try:
            os.chmod(path, stat.S_IMODE(info.st_mode) & stat.S_IRWXU)
        except OSError:
            continue
        changed.append(path)
    return changed
