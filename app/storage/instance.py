"""One writer per store: an OS-level lock file in the data folder.

:meth:`app.storage.store.Store.open` takes the lock ``<data folder>/omw.lock`` (unless
opened with ``exclusive=False``) and :meth:`~app.storage.store.Store.close` releases
it. The lock is an advisory OS lock (``fcntl.flock`` on POSIX, ``msvcrt.locking``
on Windows), so the operating system drops it when the holding process dies,
even by ``SIGKILL`` or a power cut: there is never a stale lock to clean up.

Within one process the lock is **re-entrant**: the window, a background
export and tests may open the same data folder several times; the OS lock is
taken by the first and released with the last. Another process gets
:class:`StoreBusyError` with the holder's process id.

For the window (a second launch brings the first to front):

    holder = another_instance(folder)   # LockHolder | None, never raises
    if holder:                          # send a message to the first window…
        name = channel_name(folder)     # …e.g. a QLocalServer name, per data folder
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.storage.atomic import os_reason
from db.errors import StoreError

LOCK_FILENAME = "omw.lock"
#: Windows locks a byte range; lock one byte far beyond the info text so the
#: text stays readable by the second instance.
_WIN_LOCK_OFFSET = 1 << 30


class StoreBusyError(StoreError):
    """Another process is writing this store."""

    def __init__(self, message: str, holder: LockHolder | None = None) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    host: str
    since: str
    this_process: bool = False

    def describe(self) -> str:
        who = f"进程 {self.pid}" if self.pid else "另一个进程"
        host = f"（{self.host}）" if self.host else ""
        since = f"，自 {self.since} 起" if self.since else ""
        return f"{who}{host}{since}"


def lock_path(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / LOCK_FILENAME


def channel_name(folder: str | os.PathLike[str]) -> str:
    """A stable name per data folder for the window's single-instance channel."""
    import hashlib  # here, like ``socket`` below: the window's frame paints without them

    digest = hashlib.sha256(str(Path(folder).resolve()).encode("utf-8")).hexdigest()[:16]
    return f"omw-{digest}"


# --------------------------------------------------------------------------- OS primitives


def _try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def _unlock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _open(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path, flags, 0o644)


def _read_holder(path: Path) -> LockHolder:
    try:
        with open(path, "rb") as f:
            info = json.loads(f.read(4096).split(b"\0", 1)[0] or b"{}")
    except (OSError, ValueError):
        info = {}
    pid = info.get("pid")
    return LockHolder(
        pid if isinstance(pid, int) else None, str(info.get("host", "")), str(info.get("since", ""))
    )


def _write_holder(fd: int) -> None:
    import socket

    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now().replace(microsecond=0).isoformat(sep=" "),
        "argv0": Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "",
    }
    data = json.dumps(info, ensure_ascii=False).encode("utf-8")
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, data)


# --------------------------------------------------------------------------- per-process registry


@dataclass
class _Held:
    fd: int
    count: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def _forget_after_fork() -> None:
    # A forked child does not own its parent's locks (it would share them
    # through the inherited descriptors); it must take its own.
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


class InstanceLock:
    """A held store lock; release it exactly once (``Store.close`` does)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._released = False

    def release(self) -> None:
        with _guard:
            if self._released:
                return
            self._released = True
            held = _held.get(self.path)
            if held is None:
                return
            held.count -= 1
            if held.count > 0:
                return
            del _held[self.path]
            with contextlib.suppress(OSError):
                os.lseek(held.fd, 0, os.SEEK_SET)
                os.ftruncate(held.fd, 0)
            with contextlib.suppress(OSError):
                _unlock(held.fd)
            os.close(held.fd)

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def acquire(folder: str | os.PathLike[str]) -> InstanceLock:
    """Take the store lock of ``folder`` or raise :class:`StoreBusyError`."""
    path = lock_path(Path(folder).resolve())
    with _guard:
        held = _held.get(path)
        if held is not None:
            held.count += 1
            return InstanceLock(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = _open(path)
        except OSError as exc:
            raise StoreBusyError(
                f"无法在数据目录 {path.parent} 创建锁文件：{os_reason(exc)}。请检查该目录是否可写。"
            ) from None
        try:
            locked = _try_lock(fd)
        except OSError as exc:  # e.g. a network share without locks
            os.close(fd)
            raise StoreBusyError(
                f"无法锁定数据目录 {path.parent}（{os_reason(exc)}）；请把数据目录放在本机磁盘上。"
            ) from None
        if not locked:
            os.close(fd)
            holder = _read_holder(path)
            raise StoreBusyError(
                f"数据目录 {path.parent} 正由另一个运维工作台实例使用（{holder.describe()}）。"
                "同一时间只能有一个程序写入数据；请切换到已打开的窗口，或先关闭它再重试。",
                holder,
            )
        with contextlib.suppress(OSError):
            _write_holder(fd)
        _held[path] = _Held(fd, 1)
        return InstanceLock(path)


def held_here(folder: str | os.PathLike[str]) -> bool:
    """Whether this process holds the lock of ``folder``."""
    with _guard:
        return lock_path(Path(folder).resolve()) in _held


def require_sole_holder(folder: str | os.PathLike[str]) -> None:
    """Refuse to replace the store file while this process still has it open elsewhere.

    Conversions and restores swap ``omw.sqlite3``; a :class:`~app.storage.store.Store`
    still open in this process would keep writing to the replaced file.
    """
    with _guard:
        held = _held.get(lock_path(Path(folder).resolve()))
        count = held.count if held else 0
    if count > 1:
        raise StoreBusyError(
            "数据存储仍在本程序中打开（窗口或其他操作）。请先关闭它，再进行恢复或加密转换。"
        )


def another_instance(folder: str | os.PathLike[str]) -> LockHolder | None:
    """The other process holding the lock of ``folder``, or ``None`` if free or ours."""
    path = lock_path(Path(folder).resolve())
    with _guard:
        if path in _held:
            return None
        if not path.exists():
            return None
        try:
            fd = _open(path)
        except OSError:
            return None
        try:
            if _try_lock(fd):
                _unlock(fd)
                return None
        finally:
            os.close(fd)
    return _read_holder(path)
