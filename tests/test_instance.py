"""One writer per store: an OS lock that another process cannot take, re-entrant here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main as cli
from app.storage import instance
from app.storage.instance import StoreBusyError
from app.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def other_process(isolated_dirs: Path) -> Iterator[subprocess.Popen[str]]:
    """A separate Python process that opens the store and keeps it open."""
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from app.storage.store import Store
        store = Store.open({str(isolated_dirs)!r})
        print("opened", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "opened", child.stderr.read() if child.stderr else ""
    yield child
    child.kill()
    child.communicate()


def test_a_second_process_is_refused_with_a_clear_message(
    other_process: subprocess.Popen[str], isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(StoreBusyError, match="正由另一个运维工作台实例使用") as caught:
        Store.open(isolated_dirs)
    assert str(other_process.pid) in caught.value.message
    assert caught.value.holder is not None and caught.value.holder.pid == other_process.pid

    holder = instance.another_instance(isolated_dirs)  # what the window asks at start
    assert holder is not None and holder.pid == other_process.pid

    # read-only use next to a running window is allowed
    reader = Store.open(isolated_dirs, exclusive=False)
    reader.close()
    assert cli.main(["--data-dir", str(isolated_dirs), "audit", "verify"]) == 0
    assert cli.main(["--data-dir", str(isolated_dirs), "backup"]) == 0  # online backup API
    assert cli.main(["--data-dir", str(isolated_dirs), "init"]) == 2
    assert "另一个运维工作台实例" in capsys.readouterr().err

    other_process.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    other_process.wait()
    assert instance.another_instance(isolated_dirs) is None  # the OS dropped the dead holder's lock
    Store.open(isolated_dirs).close()


def test_the_lock_is_reentrant_within_a_process(isolated_dirs: Path) -> None:
    first = Store.open(isolated_dirs)
    second = Store.open(isolated_dirs)  # e.g. the window and a background export
    assert instance.held_here(isolated_dirs)
    assert instance.another_instance(isolated_dirs) is None  # we are not "another" instance
    first.close()
    assert instance.held_here(isolated_dirs)
    second.close()
    second.close()  # closing twice releases once
    assert not instance.held_here(isolated_dirs)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_inherit_the_lock(isolated_dirs: Path) -> None:
    store = Store.open(isolated_dirs)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_end)
            try:
                instance.acquire(isolated_dirs)
                os.write(write_end, b"acquired")
            except StoreBusyError:
                os.write(write_end, b"busy")
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    store.close()
    assert answer == b"busy"


def test_failed_open_releases_the_lock(isolated_dirs: Path) -> None:
    Store.open(isolated_dirs).close()
    (isolated_dirs / "omw.sqlite3").write_bytes(b"\x00" * 4096)  # not a database, not ours
    with pytest.raises(Exception):  # noqa: B017 - any error; the point is the lock
        Store.open(isolated_dirs)
    assert not instance.held_here(isolated_dirs)


def test_channel_name_is_per_folder(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert instance.channel_name(a) == instance.channel_name(tmp_path / "x" / ".." / "a")
    assert instance.channel_name(a) != instance.channel_name(b)
    assert instance.channel_name(a).startswith("omw-")
