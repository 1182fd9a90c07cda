"""A store writer and a backup maker that tests/test_crash_safety.py kills on purpose.

The writer commits numbered records (a calendar override per number, audited
like any record) and a draft field holding the same number, and reports each
commit only **after** it returned, one line per commit: ``R <n>`` for the
record, ``D <n>`` for the draft. Whatever it reported must survive a ``SIGKILL``.

**Kill points.** A kill at a random moment proves nothing when nobody knows
where it landed (on a loaded machine most "random" kills hit the interpreter
starting up). So the test names a *kill point* and a count: the child runs
until it reaches that point for the count-th time, writes ``K <point>`` and
then sleeps right there until it is killed. The test kills only after it read
that line, so every kill lands exactly where the test says. The points are
reached through wrappers and event hooks installed in the child only; no
test code is in ``app/``.

Writer points, in the order one number passes them:

``open``
    inside ``Store.open``: the lock taken, the engine connected and migrated
``statement``
    SQLite is executing the record's ``INSERT`` (stopped from its progress handler)
``commit``
    the record and its audit entry are written in the transaction; ``COMMIT`` not sent
``committed``
    ``COMMIT`` returned; ``R n`` not reported yet
``acked``
    ``R n`` reported; the draft transaction not begun
``draft``
    the draft transaction half done: one field written, no ``COMMIT``
``draft-committed``
    the draft's ``COMMIT`` returned; ``D n`` not reported yet

Backup points, in :func:`app.storage.backup.backup_store`'s order (see :func:`backup_until`):

``backup-temp``
    the temporary file next to the final name exists (empty); nothing copied
``backup-copying``
    SQLite's online backup has copied about half of the pages into it
``backup-copied``
    the copy is complete and fsync-ed, not verified yet
``backup-verified``
    verified against the store, about to be renamed to its final name
``backup-renamed``
    renamed to ``….omwbak``; its summary not written yet
``backup-summary``
    half of the summary written into the summary's temporary file
``backup-done``
    ``backup_store`` returned

Run as a script (``python tests/crash_writer.py DATA_DIR START [KEY_HEX]``,
lines on stdout, the point from ``CRASH_WRITER_KILL_AT=point[:count]``) or,
much faster, in a forked child via :func:`run` / :func:`backup_until` (lines on a pipe).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run from a checkout: make app/ and db/ importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event

from app.records import drafts
from app.storage import atomic, backup
from app.storage import store as store_module
from app.storage.store import Store
from db.models import CalendarOverride

BASE_DAY = date(2000, 1, 1)
FORM_KEY = "crash-test:form"
FIELD = "counter"
ENV_KILL_AT = "CRASH_WRITER_KILL_AT"
RECORD_INSERT = f"INSERT INTO {CalendarOverride.__tablename__.upper()} "

WRITER_POINTS = (
    "open",
    "statement",
    "commit",
    "committed",
    "acked",
    "draft",
    "draft-committed",
)
BACKUP_POINTS = (
    "backup-temp",
    "backup-copying",
    "backup-copied",
    "backup-verified",
    "backup-renamed",
    "backup-summary",
    "backup-done",
)


def day_of(n: int) -> date:
    return BASE_DAY + timedelta(days=n)


def number_of(day: date) -> int:
    return (day - BASE_DAY).days


class KillPoint:
    """Stop for good the ``count``-th time ``point`` is reached, after saying so on ``out_fd``."""

    def __init__(self, out_fd: int, point: str | None, count: int = 1) -> None:
        if point is not None and point not in WRITER_POINTS + BACKUP_POINTS:
            raise ValueError(f"unknown kill point {point!r}")
        self.out_fd = out_fd
        self.point = point
        self.count = count
        self.seen = 0

    def reached(self, point: str) -> None:
        if point != self.point:
            return
        self.seen += 1
        if self.seen < self.count:
            return
        os.write(self.out_fd, f"K {point}\n".encode())
        while True:  # here, and nowhere else, the kill lands
            time.sleep(3600)


def _hook_open(points: KillPoint) -> None:
    upgrade = store_module.upgrade

    def upgrade_then_stop(engine: Any) -> Any:
        result = upgrade(engine)
        points.reached("open")
        return result

    store_module.upgrade = upgrade_then_stop


@contextmanager
def _stop_inside_insert(session: Any, points: KillPoint) -> Iterator[None]:
    """Stop in the middle of the ``INSERT`` of the record (its audit entry may be written)."""
    dbapi = session.connection().connection.driver_connection
    current = [""]

    def trace(statement: str) -> None:
        current[0] = statement

    def progress() -> int:
        if current[0].lstrip().upper().startswith(RECORD_INSERT):
            current[0] = ""  # one passage per record, however many steps the INSERT takes
            points.reached("statement")
        return 0

    dbapi.set_trace_callback(trace)
    dbapi.set_progress_handler(progress, 1)
    try:
        yield
    finally:
        dbapi.set_progress_handler(None, 0)
        dbapi.set_trace_callback(None)


def run(
    data_dir: str,
    start: int,
    out_fd: int,
    key: bytes | None = None,
    kill_at: str | None = None,
    count: int = 1,
) -> None:
    """Write forever from number ``start``, reporting acknowledged commits on ``out_fd``.

    With ``kill_at``, stop at that point's ``count``-th passage (see the module's doc).
    """
    points = KillPoint(out_fd, kill_at, count)
    if kill_at == "open":
        _hook_open(points)
    store = Store.open(data_dir, actor="崩溃测试", key=key)
    writing_record = [False]

    @event.listens_for(store.engine, "commit")
    def before_commit(_conn: Any) -> None:
        if writing_record[0]:
            points.reached("commit")

    n = start
    while True:
        writing_record[0] = True
        with store.session() as s:
            s.add(CalendarOverride(day=day_of(n), workday=n % 2 == 0, name=f"第{n}次提交"))
            if kill_at == "statement":
                with _stop_inside_insert(s, points):
                    s.flush()
        writing_record[0] = False
        points.reached("committed")
        os.write(out_fd, f"R {n}\n".encode())
        points.reached("acked")
        with store.session() as s:
            drafts.save_field(s, FORM_KEY, "inspection", FIELD, n, title="崩溃测试表单")
            s.flush()
            points.reached("draft")
            drafts.save_field(s, FORM_KEY, "inspection", "note", f"已填写到第 {n} 项" * 3)
        points.reached("draft-committed")
        os.write(out_fd, f"D {n}\n".encode())
        n += 1


# --------------------------------------------------------------------------- backups


class _Proxy:
    """Passes everything to the wrapped object except what a subclass defines."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _PagedConnection(_Proxy):
    """A DB-API connection whose online backup copies one page a step, stopping half-way."""

    def __init__(self, real: Any, points: KillPoint) -> None:
        super().__init__(real)
        self._points = points

    def backup(self, target: Any, **_options: Any) -> None:
        def progress(_status: int, remaining: int, total: int) -> None:
            if 0 < remaining <= total // 2:
                self._points.reached("backup-copying")

        self._real.backup(target, pages=1, progress=progress)


class _PoolConnection(_Proxy):
    def __init__(self, real: Any, points: KillPoint) -> None:
        super().__init__(real)
        self.driver_connection = _PagedConnection(real.driver_connection, points)


class _Engine(_Proxy):
    def __init__(self, real: Any, points: KillPoint) -> None:
        super().__init__(real)
        self._points = points

    def raw_connection(self) -> Any:
        return _PoolConnection(self._real.raw_connection(), self._points)


class _Store(_Proxy):
    """The store as ``backup_store`` sees it, with the copy step wrapped."""

    def __init__(self, real: Store, points: KillPoint) -> None:
        super().__init__(real)
        self.engine = _Engine(real.engine, points)


def _hook_backup(points: KillPoint) -> None:
    temp_path_for = backup.temp_path_for
    fsync_file = backup.fsync_file
    replace_file = backup.replace_file

    def temp_then_stop(path: Any) -> Path:
        temp = temp_path_for(path)
        points.reached("backup-temp")
        return temp

    def fsync_then_stop(path: Any) -> None:
        fsync_file(path)
        points.reached("backup-copied")

    def stop_around_rename(source: Any, target: Any) -> None:
        points.reached("backup-verified")
        replace_file(source, target)
        points.reached("backup-renamed")

    def write_half_then_stop(
        path: Any, text: str, mode: int | None = None, encoding: str = "utf-8"
    ) -> Path:
        data = text.encode(encoding)
        with atomic.atomic_writer(path, mode) as handle:
            handle.write(data[: len(data) // 2])
            handle.flush()
            points.reached("backup-summary")
            handle.write(data[len(data) // 2 :])
        return Path(path)

    backup.temp_path_for = temp_then_stop
    backup.fsync_file = fsync_then_stop
    backup.replace_file = stop_around_rename
    backup.atomic_write_text = write_half_then_stop


def backup_until(
    data_dir: str, dest: str, out_fd: int, kill_at: str, key: bytes | None = None
) -> None:
    """Back up the store of ``data_dir`` into ``dest`` and stop at ``kill_at`` (never returns)."""
    points = KillPoint(out_fd, kill_at)
    opened = Store.open(data_dir, key=key, exclusive=False)
    _hook_backup(points)
    backup.backup_store(_Store(opened, points), dest, kind="manual")
    points.reached("backup-done")
    raise AssertionError(f"the backup passed {kill_at!r} without stopping")


if __name__ == "__main__":
    point, _, times = os.environ.get(ENV_KILL_AT, "").partition(":")
    key_hex = sys.argv[3] if len(sys.argv) > 3 else ""
    run(
        sys.argv[1],
        int(sys.argv[2]),
        sys.stdout.fileno(),
        bytes.fromhex(key_hex) or None,
        kill_at=point or None,
        count=int(times or 1),
    )
