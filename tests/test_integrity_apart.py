"""The whole-store check in a child process (the window's): the same report as in
process, on a plain and an encrypted store; cancel ends the child; failures in Chinese."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.errors import StoreError
from app.records.integrity_apart import check_store_apart
from app.records.integrity_check import check_store
from app.storage import crypto_store, paths
from app.storage.secrets import open_secret_store
from app.storage.store import Store
from tests.factories import install
from tests.hub_tools import store_on_both_engines  # noqa: F401
from tests.memory_keyring import MemoryKeyring
from tests.team_tools import sign_fault
from tests.test_export_fixtures import demo_dir, store_copy  # noqa: F401

NOW = datetime(2026, 11, 3, 18, 0)


def forge(folder: Path, sql: str) -> int:
    """Change the store as someone with a database tool does: past the guards."""
    con = sqlite3.connect(paths.db_path(folder))
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    changed = con.execute(sql).rowcount
    for _name, trigger in triggers:
        con.execute(trigger)
    con.commit()
    con.close()
    return int(changed)


def same_as_in_process(store: Store, against: list[Path] | None = None) -> dict[str, object]:
    """The child's report and notes, asserted equal to the in-process check's."""
    report, notes = check_store_apart(store, against or [])
    expected, expected_notes = check_store(store, against or [])
    assert report.as_json() == expected.as_json()
    assert notes == expected_notes
    return report.as_json()


def no_check_child_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "omw-integrity-check"]


@pytest.mark.slow
def test_the_child_finds_what_the_check_in_process_finds(
    demo_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    store = store_copy(demo_dir, tmp_path / "store")
    try:
        clean = same_as_in_process(store, [tmp_path / "交付包.zip"])
        assert clean["ok"] and clean["records"] and clean["signatures"]
        assert forge(
            store.folder, "UPDATE fault_record SET title = '伪造' WHERE locked_at IS NOT NULL"
        )
        assert forge(
            store.folder, "DELETE FROM signature WHERE id = (SELECT min(id) FROM signature)"
        )
        forged = same_as_in_process(store)
        problems = forged["problems"]
        assert isinstance(problems, list) and len(problems) >= 2
        messages = " ".join(p["message"] for p in problems)
        assert "签字后，记录内容被改动" in messages
        assert "审计日志中有这条记录，数据库中却没有了" in messages
    finally:
        store.close()
    assert no_check_child_left()


def test_a_store_file_and_a_hub_are_checked_as_in_process(store: Store) -> None:
    """On a hub the child connects with the hub's password, handed over by the window."""
    with store.session() as s:
        install(s)
    sign_fault(store, NOW - timedelta(hours=3), "张工")
    report = same_as_in_process(store)
    assert report["ok"] and (report["records"], report["signatures"]) == (1, 1)


def test_an_encrypted_store_is_checked_with_its_key(isolated_dirs: Path) -> None:
    keys = open_secret_store(isolated_dirs, backend=MemoryKeyring())
    crypto_store.create_key(isolated_dirs, keys)
    store = Store.open(isolated_dirs, actor="测试工程师", secrets=keys)
    try:
        assert store.encrypted
        with store.session() as s:
            install(s)
        sign_fault(store, NOW - timedelta(hours=3), "张工")
        report = same_as_in_process(store)
        assert report["ok"] and (report["records"], report["signatures"]) == (1, 1)
    finally:
        store.close()


def test_cancel_ends_the_child_and_raises_what_the_checkpoint_raised(
    demo_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    class Stop(Exception):
        pass

    calls: list[int] = []

    def checkpoint() -> None:
        calls.append(1)
        if len(calls) == 2:  # the child is started and working
            assert not no_check_child_left()
            raise Stop

    store = store_copy(demo_dir, tmp_path / "store")
    try:
        with pytest.raises(Stop):
            check_store_apart(store, [], checkpoint)
    finally:
        store.close()
    assert len(calls) == 2 and no_check_child_left()


def test_a_check_that_cannot_run_says_why_in_chinese(isolated_dirs: Path) -> None:
    store = Store.open(isolated_dirs, actor="测试工程师")
    try:
        paths.db_path(isolated_dirs).write_bytes(b"not a database " * 512)
        for leftover in isolated_dirs.glob("omw.sqlite3-*"):
            leftover.unlink()
        with pytest.raises(StoreError) as raised:
            check_store_apart(store)
    finally:
        store.close()
    message = raised.value.message
    assert message and not message.isascii(), message
    assert no_check_child_left()
