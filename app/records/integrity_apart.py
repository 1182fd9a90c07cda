"""The whole-store check (:func:`~app.records.integrity_check.check_store`) in a child process.

The window checks the store in the background at every start. Run on a worker
thread of the window, a check of the 36-month demo store left ≈ 30 MiB in the
window's process for good and shared its interpreter for seconds; in a child it
leaves nothing behind, and 「取消」 (or closing the window) ends it at once instead
of waiting for it.

:func:`check_store_apart` gives exactly what ``check_store`` gives: the heads the
store is held against (this laptop's, its backups', the files chosen) are read
here, where the secret store is already unlocked; the child opens the same store
read-only (a SQLite file, SQLCipher-encrypted with the store's key, or the team
hub with its password) and runs :func:`~app.records.integrity_check.check_session`.
Only plain data crosses the pipe: the store's address and the heads go in, the
report (or a Chinese message) comes back.

The child is started with multiprocessing's ``spawn`` method — a fresh interpreter,
never a fork of a process running Qt or holding the store's connections — which
works from source, from an installed wheel and in the frozen build
(``multiprocessing.freeze_support()`` in ``app/__main__.py``), as
:mod:`app.export.isolation` does.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import StoreError

if TYPE_CHECKING:
    from app.records.integrity_check import CheckReport
    from app.storage.device import SignedHead

#: How often the wait for the child looks at ``checkpoint`` (seconds).
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class StoreAddress:
    """How a child process opens the store read-only: a file (and its key) or a hub."""

    path: str | None = None
    key: bytes | None = None  # the SQLCipher key of an encrypted file
    hub_url: str | None = None  # without the password
    hub_password: str | None = None

    @classmethod
    def of(cls, store: Any) -> StoreAddress:
        if store.is_hub:
            url = store.engine.url
            return cls(
                hub_url=url.set(password=None).render_as_string(hide_password=False),
                hub_password=url.password,
            )
        return cls(path=str(store.db_path), key=store.key)


def check_store_apart(
    store: Any, against: Iterable[Path] = (), checkpoint: Callable[[], None] = lambda: None
) -> tuple[CheckReport, list[str]]:
    """``check_store(store, against)``, the check itself run in a child process.

    ``checkpoint`` is called about every :data:`POLL_SECONDS` while the child works;
    whatever it raises (the window's cancel) ends the child and is raised here.
    Raises :class:`StoreError` with a Chinese message if the check could not run.
    """
    from app.records.integrity_check import known_heads

    heads, notes = known_heads(store, against)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_check_in_child,
        args=(send, StoreAddress.of(store), heads),
        name="omw-integrity-check",
        daemon=True,
    )
    try:
        try:
            process.start()
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"无法启动数据完整性检查的子进程（{exc}）。") from None
        finally:
            send.close()  # the child's end: only the child may hold it
        while not receive.poll(POLL_SECONDS):
            checkpoint()
        try:
            status, payload = receive.recv()
        except (EOFError, OSError):
            process.join(5)
            raise StoreError(
                f"数据完整性检查的子进程意外退出（退出码 {process.exitcode}），检查未能完成。"
            ) from None
    finally:
        receive.close()
        if process.is_alive():  # cancelled (or stuck after answering): not waited for
            process.kill()
        with contextlib.suppress(ValueError, AssertionError):  # never started
            process.join(5)
    if status != "ok":
        raise StoreError(payload)
    return payload, notes


def _check_in_child(
    conn: Connection, address: StoreAddress, heads: list[tuple[str, SignedHead]]
) -> None:
    """The child: open the store read-only, check it, send ``("ok", report)`` or
    ``("error", message)``."""
    _end_with_parent()
    try:
        outcome = ("ok", _check(address, heads))
    except Exception as exc:
        outcome = ("error", _message(exc))
    with contextlib.suppress(OSError):  # the window stopped waiting: nobody to tell
        conn.send(outcome)
    conn.close()


def _end_with_parent() -> None:
    """End this child as soon as the window's process is gone (it crashed, was killed, or
    left without clean-up), instead of checking on for nobody."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="omw-parent-watch", daemon=True).start()


def _check(address: StoreAddress, heads: list[tuple[str, SignedHead]]) -> CheckReport:
    from sqlalchemy.orm import Session

    from app.records.integrity_check import check_session
    from db.engine import make_engine, postgres_engine

    if address.hub_url is not None:
        engine = postgres_engine(address.hub_url, address.hub_password)
    else:
        assert address.path is not None
        engine = make_engine(address.path, address.key, readonly=True)
    try:
        with Session(engine) as session:
            return check_session(session, heads)
    finally:
        engine.dispose()


def _message(exc: Exception) -> str:
    """What the window shows for a check that failed in the child (as for one in-process)."""
    from app.storage.db_errors import translate

    if isinstance(exc, StoreError):
        return exc.message
    refusal = translate(exc)  # the database's English refusal, said in Chinese
    if refusal is not None:
        return refusal.message
    traceback.print_exc()  # a programming error: its traceback on the child's stderr
    return f"{exc.__class__.__name__}: {exc}"
