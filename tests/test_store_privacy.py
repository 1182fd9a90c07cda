"""The data folder and the store file are their owner's alone (app/storage/privacy.py)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.storage import crypto_store, privacy
from app.storage.secrets import open_secret_store
from app.storage.store import Store
from tests.factories import install
from tests.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask of most desktops: new files readable by everyone unless made otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _store_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("omw.sqlite3*"))


def _write(store: Store) -> None:
    with store.session() as s:
        install(s)
        s.commit()


def test_a_new_data_folder_and_store_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "OMWorkbench"
    store = Store.open(folder, actor="测试工程师")
    try:
        _write(store)
        files = _store_files(folder)
        assert [f.name for f in files] == ["omw.sqlite3", "omw.sqlite3-shm", "omw.sqlite3-wal"]
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        store.close()
    assert _mode(folder) == 0o700
    reopened = Store.open(folder, actor="测试工程师")  # the empty file it began as became a store
    reopened.close()


def test_a_store_others_could_read_is_made_private_when_opened(isolated_dirs: Path) -> None:
    store = Store.open(isolated_dirs, actor="测试工程师")
    _write(store)
    store.close()
    for path in _store_files(isolated_dirs):
        os.chmod(path, 0o644)
    store = Store.open(isolated_dirs, actor="测试工程师")
    try:
        _write(store)
        assert {_mode(f) for f in _store_files(isolated_dirs)} == {0o600}
    finally:
        store.close()


def test_an_encrypted_store_begun_from_the_empty_file_is_private_and_opens(
    isolated_dirs: Path,
) -> None:
    secrets = open_secret_store(isolated_dirs, backend=MemoryKeyring())
    crypto_store.create_key(isolated_dirs, secrets)
    store = Store.open(isolated_dirs, actor="测试工程师", secrets=secrets)
    try:
        assert store.encrypted
        _write(store)
    finally:
        store.close()
    assert crypto_store.file_state(isolated_dirs / "omw.sqlite3") == "encrypted"
    assert {_mode(f) for f in _store_files(isolated_dirs)} == {0o600}
    again = Store.open(isolated_dirs, actor="测试工程师", secrets=secrets)
    again.close()


def test_another_accounts_store_file_is_left_as_its_owner_set_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "omw.sqlite3"
    shared.write_bytes(b"")
    os.chmod(shared, 0o640)
    monkeypatch.setattr(os, "getuid", lambda: shared.stat().st_uid + 1)
    assert privacy.keep_private(shared) == []
    assert _mode(shared) == 0o640
    monkeypatch.undo()
    assert privacy.keep_private(shared) == [shared]
    assert _mode(shared) == 0o600


def test_a_file_system_that_refuses_the_change_still_opens_the_store(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store on a FAT-formatted USB drive: chmod fails there (EPERM), the store opens."""
    store = Store.open(isolated_dirs, actor="测试工程师")
    store.close()
    db = isolated_dirs / "omw.sqlite3"
    os.chmod(db, 0o755)

    def refused(path: object, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(os, "chmod", refused)
    assert privacy.keep_private(db) == []
    store = Store.open(isolated_dirs, actor="测试工程师")
    try:
        _write(store)
    finally:
        store.close()
    assert _mode(db) == 0o755
