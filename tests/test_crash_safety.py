"""Kill a writing process at named points, many times, and prove nothing is lost.

Every kill lands at a *kill point* (see ``tests/crash_writer.py``): the child
says ``K <point>`` and sleeps there, and only then is it sent ``SIGKILL``; so
each kill is proven to have hit the step it is meant to, however slow the
machine. What the kill left is checked before anything cleans up.

After every kill of the writer the store must pass ``PRAGMA integrity_check``,
hold every commit the writer acknowledged (numbers 0..n without a gap) and
exactly the commits the kill point implies, keep a valid audit chain, and give
back the last acknowledged draft value — and the writer's lock must be free
again (the OS drops it with the process).

The writer is forked from this process (modules already imported), so one kill
costs a few tens of milliseconds; two kills also run the writer as a real
``python tests/crash_writer.py`` child. The kills go round every writer point
with a count of 1, 2 or 3 (the point's first, second or third passage);
``OMW_KILL_ITERATIONS`` sets how many (default 42, each combination twice).
"""

from __future__ import annotations

import errno
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlalchemy import select as sql_select

from app.records import drafts
from app.storage import atomic, backup, crypto_store, instance
from app.storage.store import Store
from db.audit import verify_chain
from db.models import CalendarOverride, Device
from tests import crash_writer
from tests.crash_writer import BACKUP_POINTS, WRITER_POINTS

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL") or not hasattr(os, "fork"),
    reason="needs SIGKILL and fork (POSIX)",
)

ITERATIONS = int(os.environ.get("OMW_KILL_ITERATIONS", "42"))
ENCRYPTED_ITERATIONS = max(len(WRITER_POINTS) * 3, ITERATIONS // 2)
KEY = bytes(range(32))
#: how long a child may take to reach its kill point (it takes milliseconds)
REACH_S = 60.0


def _parse(lines: bytes) -> tuple[int, int]:
    """The last acknowledged record and draft numbers (-1: none)."""
    last_r = last_d = -1
    for line in lines.decode().splitlines():
        kind, _, number = line.partition(" ")
        if not number.isdigit():
            continue  # a line cut by the kill is not an acknowledgement
        if kind == "R":
            last_r = max(last_r, int(number))
        elif kind == "D":
            last_d = max(last_d, int(number))
    return last_r, last_d


def _read_until_stopped(fd: int, point: str, pid: int) -> bytes:
    """Everything the child wrote until it said it stopped at ``point``."""
    seen = b""
    deadline = time.monotonic() + REACH_S
    while f"K {point}\n".encode() not in seen:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(0.0, left))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:  # ended, or never got there: kill it and say what it wrote
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            pytest.fail(f"the child never reached {point!r} (status {status}): {seen!r}")
        seen += chunk
    return seen


def _fork_and_kill(child: Callable[[int], object], point: str) -> bytes:
    """Run ``child(write_fd)`` in a forked process, kill it at ``point``; return its output."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run until killed, never return into pytest
        try:
            os.close(read_end)
            child(write_end)
        except BaseException:
            os.write(2, traceback.format_exc().encode())
        finally:
            os._exit(1)
    os.close(write_end)
    try:
        seen = _read_until_stopped(read_end, point, pid)
        os.kill(pid, signal.SIGKILL)  # it sleeps at the point: this is where the kill lands
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
        with os.fdopen(read_end, "rb", closefd=False) as pipe:
            seen += pipe.read()  # nothing can follow the kill point's line
    finally:
        os.close(read_end)
    return seen


def _state(folder: Path, key: bytes | None) -> tuple[int, int]:
    """(records, saved draft value) in the store, checking every promise on the way."""
    assert instance.another_instance(folder) is None  # the killed writer's lock is gone
    store = Store.open(folder, key=key)  # the next start: recovers the WAL like the app does
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        with store.session() as s:
            days = s.scalars(sql_select(CalendarOverride.day)).all()
            numbers = sorted(crash_writer.number_of(d) for d in days)
            assert numbers == list(range(len(numbers))), "a gap: a commit was lost"
            report = verify_chain(s)
            assert report.ok, report.reason
            # one audit entry per record, in the same commit; and one per device key registered
            devices = s.scalar(sql_select(func.count()).select_from(Device))
            assert report.entries == len(numbers) + devices
            saved = drafts.load(s, crash_writer.FORM_KEY).get(crash_writer.FIELD, -1)
        return len(numbers), saved
    finally:
        store.close()


def _expected(point: str, start: int, acked_r: int, acked_d: int, saved: int) -> tuple[int, int]:
    """(records, saved draft) that a kill at ``point`` must leave.

    ``start`` is the first number the child wrote, ``saved`` the draft value before it ran.
    """
    last_r = max(acked_r, start - 1)
    last_d = acked_d if acked_d >= start else saved
    if point == "committed":  # committed, not acknowledged: it stays
        return last_r + 2, last_d
    if point == "draft-committed":
        return last_r + 1, last_r
    return last_r + 1, last_d  # whatever was not committed is gone, nothing more


def _kill_loop(folder: Path, iterations: int, key: bytes | None) -> tuple[int, int, set[str]]:
    """Returns (commits in the store, acknowledged commits, points where kills landed)."""
    Store.open(folder, key=key).close()  # created and migrated before the first kill
    start = acknowledged = 0
    saved = -1
    landed: set[str] = set()
    for n in range(iterations):
        point = WRITER_POINTS[n % len(WRITER_POINTS)]
        count = 1 if point == "open" else 1 + (n // len(WRITER_POINTS)) % 3

        def write(fd: int, start: int = start, point: str = point, count: int = count) -> None:
            crash_writer.run(str(folder), start, fd, key, kill_at=point, count=count)

        acked_r, acked_d = _parse(_fork_and_kill(write, point))
        landed.add(point)
        acked_now = max(acked_r, start - 1) - start + 1
        whole_numbers = 0 if point == "open" else count - 1  # passed the point before stopping
        assert acked_now == whole_numbers + (point in ("acked", "draft", "draft-committed")), (
            f"{point} ×{count}: acknowledged up to {acked_r} from {start}"
        )
        records, now_saved = _state(folder, key)
        assert (records, now_saved) == _expected(point, start, acked_r, acked_d, saved), (
            f"killed at {point} ×{count} (from {start}, acknowledged R {acked_r} D {acked_d})"
        )
        acknowledged += acked_now
        start, saved = records, now_saved
    return start, acknowledged, landed


@pytest.mark.slow
def test_killed_writer_never_loses_an_acknowledged_commit(tmp_path: Path) -> None:
    commits, acknowledged, landed = _kill_loop(tmp_path / "plain", ITERATIONS, None)
    assert landed == set(WRITER_POINTS[: min(ITERATIONS, len(WRITER_POINTS))])
    print(f"{ITERATIONS} kills at {sorted(landed)}: {commits} commits ({acknowledged} acked)")


@pytest.mark.slow
def test_killed_writer_on_an_encrypted_store(tmp_path: Path) -> None:
    folder = tmp_path / "encrypted"
    commits, acknowledged, landed = _kill_loop(folder, ENCRYPTED_ITERATIONS, KEY)
    assert commits > 0 and landed == set(WRITER_POINTS)
    print(f"encrypted: {ENCRYPTED_ITERATIONS} kills, {commits} commits ({acknowledged} acked)")
    assert (folder / "omw.sqlite3").read_bytes()[:16] != b"SQLite format 3\x00"


@pytest.mark.parametrize(("point", "count"), [("commit", 2), ("committed", 3)])
def test_killed_script_writer(tmp_path: Path, point: str, count: int) -> None:
    """The same promises with the writer as a separate ``python`` process (stdout acks)."""
    folder = tmp_path / "script"
    Store.open(folder).close()
    env = dict(os.environ, **{crash_writer.ENV_KILL_AT: f"{point}:{count}"})
    with subprocess.Popen(
        [sys.executable, crash_writer.__file__, str(folder), "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        seen = _read_until_stopped(child.stdout.fileno(), point, child.pid)
        child.send_signal(signal.SIGKILL)
        out, errors = child.communicate(timeout=REACH_S)
    assert child.returncode == -signal.SIGKILL, errors
    acked_r, acked_d = _parse(seen + out)
    assert (acked_r, acked_d) == (count - 2, count - 2)
    assert _state(folder, None) == _expected(point, 0, acked_r, acked_d, -1)


# --------------------------------------------------------------------------- backups


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "encrypted"])
def test_killed_backup_leaves_no_partial_file(tmp_path: Path, key: bytes | None) -> None:
    """A backup killed at any step leaves a temporary file or a whole backup, never a short one."""
    folder = tmp_path / "store"
    store = Store.open(folder, key=key)
    with store.session() as s:
        for n in range(200):
            s.add(CalendarOverride(day=crash_writer.day_of(n), workday=True, name="备份" * 40))
    store.close()
    counts = crypto_store.summarize(folder / "omw.sqlite3", key).tables
    for point in BACKUP_POINTS:
        dest = tmp_path / "backups" / point
        dest.mkdir(parents=True)

        def make(fd: int, point: str = point, dest: Path = dest) -> None:
            crash_writer.backup_until(str(folder), str(dest), fd, point, key)

        _fork_and_kill(make, point)

        # what the kill left, before anything cleans up
        hidden, visible = _hidden(dest), _visible(dest)
        temps = [n for n in hidden if n.startswith(".omw-") and ".omwbak." in n]
        assert hidden == temps, f"{point}: {hidden}"  # nothing but temporary files is hidden
        found = backup.list_backups(dest)
        if point in ("backup-temp", "backup-copying", "backup-copied", "backup-verified"):
            assert visible == [] and found == [], f"{point}: {visible}"  # never a final name
            (copy,) = [n for n in temps if n.endswith(atomic.TEMP_SUFFIX)]
            assert not copy.endswith(".json" + atomic.TEMP_SUFFIX)
            if point == "backup-temp":
                assert (dest / copy).stat().st_size == 0
            if point in ("backup-copied", "backup-verified"):
                whole = crypto_store.summarize(dest / copy, key, readonly=True)
                assert whole.integrity == "ok" and whole.tables == counts
        else:
            (info,) = found
            assert visible[0] == info.path.name
            whole = crypto_store.summarize(info.path, key, readonly=True)
            assert whole.integrity == "ok" and whole.tables == counts  # the full copy, renamed
            if point == "backup-done":
                assert visible == [info.path.name, info.summary_path.name] and temps == []
                assert info.summary is not None
                assert info.path.stat().st_size == info.summary["size"]
                assert backup.drill(info.path, folder, key=key).ok
            else:  # renamed, summary missing or half-written: listed as unproven
                assert visible == [info.path.name] and info.summary is None
                summary_temps = [n for n in temps if ".omwbak.json." in n]
                assert len(summary_temps) == (point == "backup-summary") == len(temps)
                report = backup.drill(info.path, folder, key=key)
                assert not report.ok and any("摘要" in p for p in report.problems)
                assert any(c.name == "完整性检查" and c.ok for c in report.checks)

        # the clean-up of a later automatic backup removes exactly the temporary files
        removed = atomic.remove_stale_temps(dest)
        assert sorted(p.name for p in removed) == temps
        assert _hidden(dest) == []
    # and the store backs up as before
    again = Store.open(folder, key=key)
    try:
        info = backup.backup_store(again, tmp_path / "backups" / "after", kind="manual")
        assert backup.drill(info.path, folder, key=key).ok
    finally:
        again.close()


def test_atomic_write_replaces_whole_files_only(tmp_path: Path) -> None:
    target = tmp_path / "导出" / "月报.docx"
    atomic.atomic_write_bytes(target, b"first version")
    assert target.read_bytes() == b"first version"
    with pytest.raises(RuntimeError), atomic.atomic_writer(target) as f:
        f.write(b"half of the second ver")
        raise RuntimeError("killed half-way")
    assert target.read_bytes() == b"first version"  # never a truncated file
    assert [p.name for p in target.parent.iterdir()] == ["月报.docx"]  # no temp left
    atomic.atomic_write_text(target, "第二版", mode=0o600)
    assert target.read_text(encoding="utf-8") == "第二版"
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o600


def test_a_failed_atomic_write_names_the_file_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user chose 月报.docx: an error names it, not its hidden temporary twin."""
    target = tmp_path / "月报.docx"

    def full(*_args: object, dir: str = "", **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", os.path.join(dir, ".月报.x.tmp"))

    with monkeypatch.context() as patched:
        patched.setattr(atomic.tempfile, "mkstemp", full)
        with pytest.raises(OSError) as failed:
            atomic.atomic_write_bytes(target, b"PK")
    assert failed.value.filename == str(target)
    assert atomic.os_reason(failed.value) == "磁盘空间不足"

    def refused(path: object, _mode: int) -> None:
        raise OSError(errno.EPERM, "Operation not permitted", str(path))

    with monkeypatch.context() as patched:
        patched.setattr(atomic.os, "chmod", refused)
        with pytest.raises(OSError) as failed:
            atomic.atomic_write_bytes(target, b"PK", mode=0o600)
    assert failed.value.filename == str(target)
    assert atomic.os_reason(failed.value) == "没有权限"
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone
