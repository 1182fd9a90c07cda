"""Atomic file writes: a kill never leaves a truncated file at the final path.

Every file the app writes for the user (backups, summaries, recovery-key
exports, the secret file, and exported forms and packs) goes through here:

1. the bytes are written to a temporary file **in the same folder** (so the
   rename below cannot cross file systems),
2. the temporary file is flushed and ``fsync``-ed,
3. it is renamed over the final name with :func:`os.replace` (atomic on POSIX
   and on Windows/NTFS),
4. the folder is ``fsync``-ed so the rename itself survives a power cut
   (a no-op on Windows, where directories cannot be opened).

Either the old file or the complete new one is at the final path; a crash in
between leaves at most a ``.<name>.<random>.tmp`` file, which
:func:`remove_stale_temps` cleans up.

    atomic_write_bytes(path, data)
    with atomic_writer(path) as f:      # f is a binary file object
        f.write(...)
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".tmp"
#: a temporary SQLite file (a backup being written) may have its journal files beside it
_TEMP_ENDINGS = tuple(TEMP_SUFFIX + end for end in ("", "-journal", "-wal", "-shm"))


#: why a file could not be read or written, by the system's error number
_REASONS = {
    errno.ENOENT: "路径不存在",
    errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "这个位置是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EEXIST: "已有同名的文件或文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.ENAMETOOLONG: "路径或文件名太长",
    errno.EIO: "读写出错（磁盘或 U 盘可能有故障或已拔出）",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "超出磁盘配额"


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese (the system's own words for a rarer error)."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename or a new file in ``folder`` durable (POSIX only)."""
    if os.name == "nt":  # directories cannot be opened or fsync-ed on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path_for(path: str | os.PathLike[str]) -> Path:
    """A fresh, unused temporary name next to ``path`` (the file is created empty)."""
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    return Path(name)


def replace_file(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Durably rename a finished (already fsync-ed) file over ``target``."""
    os.replace(source, target)
    fsync_dir(Path(target).parent)


def fsync_file(path: str | os.PathLike[str]) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], mode: int | None = None, *, sync: bool = True
) -> Iterator[BinaryIO]:
    """Write a file atomically; on any exception the final path is left untouched.

    ``mode`` (e.g. ``0o600`` for secrets) is applied to the temporary file
    before any byte is written, so a secret is never readable by others even
    for a moment. ``sync=False`` skips the two fsyncs for files written into a
    staging folder that is made durable as a whole afterwards (export packs).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        exc.filename = str(target)  # the file asked for, not its temporary twin
        raise
    temp = Path(name)
    try:
        if mode is not None:
            os.chmod(temp, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        if sync:
            replace_file(temp, target)
        else:
            os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError) and exc.filename == name:
            exc.filename = str(target)
        raise


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, mode: int | None = None, *, sync: bool = True
) -> Path:
    """Write ``data`` to ``path`` atomically (and durably unless ``sync=False``); return it."""
    with atomic_writer(path, mode, sync=sync) as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(
    path: str | os.PathLike[str], text: str, mode: int | None = None, encoding: str = "utf-8"
) -> Path:
    return atomic_write_bytes(path, text.encode(encoding), mode)


def remove_stale_temps(folder: str | os.PathLike[str], older_than: float = 0) -> list[Path]:
    """Delete temporary files (and their SQLite journals) left in ``folder`` by a killed writer.

    ``older_than`` (seconds) spares the temporary files of a writer that may
    still be running in another process.
    """
    removed = []
    limit = time.time() - older_than
    for temp in Path(folder).glob(f".*{TEMP_SUFFIX}*"):
        if not temp.name.endswith(_TEMP_ENDINGS):
            continue
        with contextlib.suppress(OSError):
            if older_than and temp.stat().st_mtime > limit:
                continue
            temp.unlink()
            removed.append(temp)
    return removed
