"""Test isolation: offscreen Qt, a temp data dir per test, no network, a test keyring, no prompts.

Whatever the developer's shell holds, a test sees none of it:

- every ``OMW_*`` variable is removed (the data folder, the secret store, the
  passphrases, the user name…); a test sets the ones it wants with
  ``monkeypatch.setenv``;
- the keyring is the in-memory :class:`tests.memory_keyring.MemoryKeyring`, a
  fresh one for each test; ``KEYRING_*`` variables are removed and ``HOME``
  and the XDG folders (where ``keyringrc.cfg`` would be read) point into the
  test's temp folder;
- property tests (hypothesis) draw the same examples every run and have no deadline;
- nothing can wait for a person: ``sys.stdin`` is an empty, non-terminal
  stream and ``getpass.getpass`` fails (a test that answers a prompt patches
  it); modal dialogs are watched in ``tests/ui/conftest.py``; pytest-timeout
  stops any test that still hangs.

Tests that need an outside program (minisign, LibreOffice, 7-Zip…) call
:func:`tests.tools.require_tool` or carry ``@pytest.mark.needs_tool("name")``: on a
developer's machine without the program they are skipped with the reason; with
``CI=true`` (where ``.ci/run`` installs every one of them) that is a failure,
and so is any other skip.
"""

from __future__ import annotations

import getpass
import io
import ipaddress
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from app.storage import secrets
from app.storage import store as store_module
from app.storage.store import Store
from tests.hub_tools import hub_database, hub_template, hub_url  # noqa: F401  (fixtures)
from tests.tools import in_ci, require_tool

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.memory_keyring.MemoryKeyring"

#: Variables that configure the app or the keyring; none of the caller's may reach a test.
_FOREIGN_PREFIXES = ("OMW_", "KEYRING_")

# Property tests: the same examples on every run, and no verdict by the clock (a loaded
# machine is slow, not wrong). tests/test_import_fuzz.py has its own knobs on top.
settings.register_profile(
    "omw", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("omw")

_getaddrinfo = socket.getaddrinfo
_sendto = socket.socket.sendto


def _loopback(host: Any) -> bool:
    name = host.decode() if isinstance(host, bytes) else host
    if name in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(name).split("%")[0]).is_loopback
    except ValueError:
        return False


def _loopback_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    """Name lookups of loopback names only.

    pytest-socket stops connections to other hosts, but not a lookup, which asks the
    system's resolver over the network, nor a datagram sent without connecting (a
    DNS query): a test whose data named a real host would reach the network.
    """
    if not _loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"a test may look up loopback only: {host}")
    return _getaddrinfo(host, *args, **kwargs)


def _loopback_sendto(self: socket.socket, data: Any, *args: Any) -> int:
    """Datagrams to loopback addresses only (see :func:`_loopback_getaddrinfo`)."""
    address = args[-1]
    if isinstance(address, tuple) and not _loopback(address[0]):
        raise OSError(f"a test may send to loopback only: {address[0]}")
    return _sendto(self, data, *args)


socket.getaddrinfo = _loopback_getaddrinfo
socket.socket.sendto = _loopback_sendto  # type: ignore[method-assign]


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("needs_tool"):
        for name in marker.args:
            require_tool(name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with a ``slow`` test first, each group by its number of tests, most first.

    The workers (``--dist loadfile``) take one file at a time in this order
    (``--no-loadscope-reorder``). xdist's own order, by number of tests alone, left
    the files of one or two long tests (the team convergence, the wheel, the 2022
    printed forms: 11 to 14 s each) to the end, where one worker ran them while
    the other had nothing left to do.
    """
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.partition("::")[0], []).append(item)

    def weight(tests: list[pytest.Item]) -> tuple[bool, int]:
        return not any(test.get_closest_marker("slow") for test in tests), -len(tests)

    items[:] = [item for tests in sorted(files.values(), key=weight) for item in tests]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under ``CI=true`` a skip is a failure: CI has every tool, so a skip hides a test."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test may not be skipped ({reason})"


# --------------------------------------------------------------------------- isolation


def _clear_foreign_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(_FOREIGN_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session", autouse=True)
def clean_session_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same isolation for session-wide fixtures (built before any test's own)."""
    home = tmp_path_factory.mktemp("session-home")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _clear_foreign_environment(monkeypatch)
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.memory_keyring.MemoryKeyring")
        monkeypatch.setenv("OMW_DATA_DIR", str(home / "data"))
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        yield


@pytest.fixture(autouse=True)
def no_prompts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing may wait for someone to type: no terminal on stdin, no getpass."""

    def refuse(prompt: str = "", stream: object = None) -> str:
        raise AssertionError(f"a test asked for a password in the terminal: {prompt!r}")

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(getpass, "getpass", refuse)
    secrets.set_passphrase_provider(None)  # the omw command or a window may have set one
    yield
    secrets.set_passphrase_provider(None)


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at N=2**10 for what a test writes (the key file, bundles, saved signatures).

    Each of those formats records its own cost and a reader follows the file, so
    only the time changes: the app's N=2**15 costs ~0.1 s a derivation, and the
    suite derives several hundred keys. The limits a reader puts on a file's cost
    are tested with files that ask for more (``test_secrets``, ``test_bundle_container``).
    """
    from app.records import signature_vault
    from app.team import container

    for module in (secrets, container, signature_vault):
        monkeypatch.setattr(module, "SCRYPT_N", 2**10)


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A fresh, empty in-memory keyring for each test."""
    import keyring

    from tests.memory_keyring import MemoryKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.memory_keyring.MemoryKeyring")
    fresh = MemoryKeyring()
    keyring.set_keyring(fresh)
    yield fresh
    keyring.set_keyring(MemoryKeyring())


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every user folder the app could touch at a temp dir (and drop ``OMW_*``)."""
    _clear_foreign_environment(monkeypatch)
    data = tmp_path / "data"
    home = tmp_path / "home"
    monkeypatch.setenv("OMW_DATA_DIR", str(data))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("APPDATA", str(home / "AppData"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData" / "Local"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return data


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain SQLite file migrated to the head once per worker, by the real migrations.

    Not from the head's schema script a new store is made from (:mod:`db.schema`):
    the tests run on what the migrations build, and ``test_schema_script`` holds the
    script to it.
    """
    from db.schema import migrated_file

    path = tmp_path_factory.mktemp("migrated") / "template.sqlite3"
    migrated_file(path)
    return path


@pytest.fixture(autouse=True)
def fresh_stores_from_the_template(
    monkeypatch: pytest.MonkeyPatch, migrated_template: Path
) -> None:
    """A new plain store gets its schema by copying the migrated template.

    The suite makes well over a thousand stores; the head's schema script costs
    ~45 ms each, the copy (SQLite's online backup into the new, still empty
    database) ~4 ms and gives the same schema, triggers and rows, made by the
    migrations themselves once per worker; a store
    that holds anything, an encrypted store or a hub goes through the real
    :func:`db.migrate.upgrade`, and the migration tests call it directly.
    """
    import sqlite3

    from sqlalchemy import inspect

    from db.engine import engine_key

    real = store_module.upgrade

    def upgrade(engine: Any) -> Path | None:
        if engine.dialect.name != "sqlite" or engine_key(engine) is not None:
            return real(engine)
        raw = engine.raw_connection()
        try:
            if inspect(engine).get_table_names():
                return real(engine)
            source = sqlite3.connect(migrated_template)
            try:
                source.backup(raw.driver_connection)
            finally:
                source.close()
        finally:
            raw.close()
        return None

    monkeypatch.setattr(store_module, "upgrade", upgrade)


@pytest.fixture
def store(isolated_dirs: Path) -> Iterator[Store]:
    opened = Store.open(isolated_dirs, actor="测试工程师")
    yield opened
    opened.close()
