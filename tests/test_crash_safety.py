"""Kill a writing process at random moments, many times, and prove nothing is lost.

After every ``SIGKILL`` the store must pass ``PRAGMA integrity_check``, hold
every commit the writer acknowledged (numbers 0..n without a gap), keep a
valid audit chain, and give back the last acknowledged draft value — and the
writer's lock must be free again (the OS drops it with the process).

The writer is forked from this process (modules already imported), so one kill
costs a few tens of milliseconds; a few kills also run the writer as a real
``python tests/crash_writer.py`` child. ``OMW_KILL_ITERATIONS`` sets the count
(default 100; the README gives the command for a full run of 300).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app import atomic, backup
from app.audit import verify_chain
from app.services import drafts
from app.store import Store
from db.models import CalendarOverride
from tests import crash_writer

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL") or not hasattr(os, "fork"),
    reason="needs SIGKILL and fork (POSIX)",
)

ITERATIONS = int(os.environ.get("OMW_KILL_ITERATIONS", "100"))
ENCRYPTED_ITERATIONS = max(20, ITERATIONS // 5)
KEY = bytes(range(32))


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


def _check(folder: Path, key: bytes | None, acked_r: int, acked_d: int) -> int:
    """Every promise after a kill; returns the next number to write."""
    store = Store.open(folder, key=key)  # the killed writer's lock is gone
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        with store.session() as s:
            days = s.scalars(select(CalendarOverride.day)).all()
            numbers = sorted(crash_writer.number_of(d) for d in days)
            assert numbers == list(range(len(numbers))), "a gap: a commit was lost"
            assert len(numbers) - 1 >= acked_r, f"acknowledged commit {acked_r} lost"
            report = verify_chain(s)
            assert report.ok, report.reason
            assert report.entries == len(numbers)  # one audit entry per record, in the same commit
            saved = drafts.load(s, crash_writer.FORM_KEY).get(crash_writer.FIELD, -1)
            assert saved >= acked_d, f"acknowledged draft {acked_d} lost (found {saved})"
            assert saved <= len(numbers) - 1  # a draft never runs ahead of its record
        return len(numbers)
    finally:
        store.close()


def _kill_loop(folder: Path, iterations: int, key: bytes | None, seed: int) -> tuple[int, int, int]:
    """Returns (commits in the store, acknowledged commits, kills that hit a writing child)."""
    rng = random.Random(seed)
    Store.open(folder, key=key).close()  # created and migrated before the first kill
    start = 0
    acknowledged = 0
    while_writing = 0
    for _ in range(iterations):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: write until killed, never return into pytest
            code = 1
            try:
                os.close(read_end)
                crash_writer.run(str(folder), start, write_end, key)
            finally:
                os._exit(code)
        os.close(write_end)
        seen = b""
        if rng.random() < 0.2:  # one kill in five while the child opens the store
            time.sleep(rng.uniform(0.0, 0.03))
        else:  # the others at a random moment among the commits
            seen = os.read(read_end, 4096)  # blocks until the first acknowledgement
            time.sleep(rng.uniform(0.0, 0.04))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
        with os.fdopen(read_end, "rb") as pipe:
            acked_r, acked_d = _parse(seen + pipe.read())
        acknowledged += max(0, acked_r - start + 1)
        while_writing += acked_r >= start
        start = _check(folder, key, acked_r, acked_d)
    return start, acknowledged, while_writing


def test_killed_writer_never_loses_an_acknowledged_commit(tmp_path: Path) -> None:
    started = time.monotonic()
    commits, acknowledged, while_writing = _kill_loop(tmp_path / "plain", ITERATIONS, None, 5)
    elapsed = time.monotonic() - started
    assert while_writing >= ITERATIONS // 2  # most kills landed among commits, not at start-up
    print(
        f"{ITERATIONS} kills ({while_writing} while writing), {commits} commits "
        f"({acknowledged} acknowledged), {elapsed:.1f} s"
    )


def test_killed_writer_on_an_encrypted_store(tmp_path: Path) -> None:
    folder = tmp_path / "encrypted"
    started = time.monotonic()
    commits, acknowledged, while_writing = _kill_loop(folder, ENCRYPTED_ITERATIONS, KEY, 7)
    assert commits > 0 and while_writing > 0
    elapsed = time.monotonic() - started
    print(
        f"encrypted: {ENCRYPTED_ITERATIONS} kills ({while_writing} while writing), "
        f"{commits} commits ({acknowledged} acknowledged), {elapsed:.1f} s"
    )
    assert (folder / "omw.sqlite3").read_bytes()[:16] != b"SQLite format 3\x00"


def test_killed_script_writer(tmp_path: Path) -> None:
    """The same promises with the writer as a separate ``python`` process (stdout acks)."""
    folder = tmp_path / "script"
    Store.open(folder).close()
    script = Path(crash_writer.__file__)
    start = 0
    for delay in (0.0, 0.03):
        child = subprocess.Popen(
            [sys.executable, str(script), str(folder), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None
        first = child.stdout.readline()  # writing has begun (the interpreter takes ~0.7 s)
        assert first, child.stderr.read() if child.stderr else b""
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        acked_r, acked_d = _parse(first + out)
        assert acked_r >= start
        start = _check(folder, None, acked_r, acked_d)
    assert start > 0


def test_killed_backup_leaves_no_partial_file(tmp_path: Path) -> None:
    """A backup killed half-way leaves only a temporary file, never a short .omwbak."""
    folder = tmp_path / "backup"
    store = Store.open(folder)
    with store.session() as s:
        for n in range(200):
            s.add(CalendarOverride(day=crash_writer.day_of(n), workday=True, name="备份" * 40))
    store.close()
    rng = random.Random(3)
    for _ in range(15):
        pid = os.fork()
        if pid == 0:
            try:
                opened = Store.open(folder, exclusive=False)
                while True:
                    backup.backup_store(opened, folder / "backups", kind="manual")
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    found = backup.list_backups(folder)
    for b in found:
        if b.summary is not None:  # complete: the summary is written last
            assert b.path.stat().st_size == b.summary["size"]
            assert backup.drill(b.path, folder).ok
    # Everything else is a temp file or a backup whose summary was not written yet.
    leftovers = [p for p in (folder / "backups").iterdir() if p.name.startswith(".")]
    atomic.remove_stale_temps(folder / "backups")
    assert [p.name for p in leftovers if p.exists()] == []


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
