"""Opening the local store: data folder, lock, key, engine, migrations, sessions.

``Store.open`` takes the data folder's single-writer lock (:mod:`app.storage.instance`;
re-entrant within a process, ``exclusive=False`` for read-only commands),
detects from the file header whether the store is encrypted, finds the key
(an explicit ``key``, a ``recovery_key``, else the secret store), opens the
engine and migrates it. A wrong or missing key is a :class:`db.errors.StoreError`
with a message in Chinese, never a "file is not a database" traceback.

:class:`Session` is the unit of work the services take; the window names it from
here, so it reaches the store only through ``app/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.errors import DomainError
from app.search import index as search_index
from app.storage import device, guards, hub, instance, legacy_seals, paths, privacy
from app.storage.device import DeviceKey
from db.engine import make_engine, make_session_factory
from db.migrate import at_head, upgrade

if TYPE_CHECKING:
    from app.storage.secrets import PassphraseProvider, SecretStore


__all__ = ["Session", "Store"]


@dataclass
class Store:
    """An open store. ``actor`` is the person recorded as author of changes."""

    folder: Path
    engine: Engine
    sessions: sessionmaker[Session]
    actor: str = "system"
    migration_backup: Path | None = field(default=None)
    #: the SQLCipher key (``None`` for a plain store); backups are keyed with it
    key: bytes | None = field(default=None, repr=False)
    lock: instance.InstanceLock | None = field(default=None, repr=False)
    #: where this laptop's secrets are (the device key); opened on first need
    secrets: SecretStore | None = field(default=None, repr=False)
    passphrase: str | PassphraseProvider | None = field(default=None, repr=False)
    _device: DeviceKey | None = field(default=None, repr=False)
    #: why the head could not be kept outside the store at the last commit ("" when it was)
    outside_head_problem: str = ""
    #: the team hub's URL (no password) when the store is on PostgreSQL
    hub_url: str | None = None
    #: where this laptop's device for the store is recorded (``None``: the data folder)
    device_folder: Path | None = None

    @classmethod
    def open(
        cls,
        data_dir: str | Path | None = None,
        actor: str = "system",
        *,
        key: bytes | None = None,
        recovery_key: str | None = None,
        secrets: SecretStore | None = None,
        passphrase: str | PassphraseProvider | None = None,
        exclusive: bool = True,
        database: str | None = None,
    ) -> Store:
        """Open (creating and migrating if needed) the store of a data folder.

        ``database`` (else the hub configured for the folder, :mod:`app.storage.hub`)
        opens a team hub on PostgreSQL instead (:meth:`_open_hub`).

        ``exclusive=False`` does not take the single-writer lock (read-only
        commands next to a running window); if the schema must be migrated the
        lock is taken for the migration anyway.
        ``secrets`` (a :class:`app.storage.secrets.SecretStore`) and ``passphrase`` (text
        or a provider) are used only if the store is encrypted.
        """
        from app.storage import crypto_store

        folder = paths.data_dir(data_dir)
        url = hub.check_url(database) if database else hub.configured_url(folder)
        if url is not None:
            return cls._open_hub(folder, url, actor, secrets, passphrase)
        lock = instance.acquire(folder) if exclusive else None
        engine: Engine | None = None
        try:
            db = paths.db_path(folder)
            state = crypto_store.file_state(db)
            if state == "missing":
                privacy.create_private(db)
            privacy.keep_private(db)
            if state == "plain":
                key = None
            elif state == "encrypted" and key is None:
                key = crypto_store.unlock(
                    folder,
                    db,
                    secrets=secrets,
                    recovery_key=recovery_key,
                    passphrase=passphrase,
                )
            elif state == "missing" and key is None:
                info = crypto_store.load_keyinfo(folder)
                if recovery_key or (info is not None and info.store_encrypted):
                    keys = crypto_store.candidate_keys(
                        folder,
                        secrets=secrets,
                        recovery_key=recovery_key,
                        passphrase=passphrase,
                    )
                    key = keys[0]
            engine = make_engine(db, key)
            if lock is None and not at_head(engine):
                with instance.acquire(folder):
                    backup = upgrade(engine)
            else:
                backup = upgrade(engine)
        except BaseException as exc:
            if engine is not None:
                engine.dispose()
            if lock is not None:
                lock.release()
            _reraise_in_chinese(exc)
            raise
        opened = cls(
            folder,
            engine,
            make_session_factory(engine),
            actor,
            backup,
            key,
            lock,
            secrets=secrets,
            passphrase=passphrase,
        )
        if exclusive:
            try:
                if legacy_seals.pending(opened):
                    legacy_seals.seal_legacy_signatures(opened)
                with opened.engine.begin() as conn:  # first open after 0011, or a new tokeniser
                    if search_index.stale(conn):
                        search_index.reindex(conn)
            except BaseException as exc:
                opened.close()
                _reraise_in_chinese(exc)
                raise
        return opened

    @classmethod
    def _open_hub(
        cls,
        data_folder: Path,
        url: str,
        actor: str,
        secrets: SecretStore | None,
        passphrase: str | PassphraseProvider | None,
    ) -> Store:
        """A store on a hub: no single-writer lock (the server has many), no migration
        (``omw hub init`` does that, as the database's owner). The data folder keeps the
        settings, the saved signature and the secrets (the password, the device key) as
        for the store file; only which device this laptop is on the hub is recorded in
        the hub's own folder (:func:`app.storage.hub.folder_of`)."""
        from app.storage.secrets import open_secret_store

        if secrets is None:  # the data folder's: one keyring entry set, one sealed file
            secrets = open_secret_store(data_folder, passphrase=passphrase)
        engine = hub.connect(url, secrets)
        try:
            hub.reachable(engine, url)
            hub.check_schema(engine)
        except BaseException:
            engine.dispose()
            raise
        store = cls(data_folder, engine, make_session_factory(engine), actor, secrets=secrets)
        store.passphrase = passphrase
        store.hub_url = url
        store.device_folder = hub.folder_of(data_folder, url)
        return store

    @property
    def is_hub(self) -> bool:
        """Whether this store is a team hub on PostgreSQL (not this laptop's file)."""
        return self.hub_url is not None

    @property
    def db_path(self) -> Path:
        return paths.db_path(self.folder)

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @property
    def key_id(self) -> str | None:
        from app.storage.secrets import key_id

        return key_id(self.key) if self.key is not None else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error.

        Every flush in it is checked by :mod:`app.storage.guards` (locked records stay
        unchanged, authors are stamped, the audit log is appended) and updates the
        search index (:mod:`app.search.index`) in the same transaction.
        """
        session = self.sessions()
        guards.install(session, self.actor, self.device)
        search_index.install(session)
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            _reraise_in_chinese(exc)  # the database's English refusal, said in Chinese
            raise
        finally:
            session.close()
        head = session.info.get(guards.SIGNED_HEAD)
        if head is not None and self._device is not None:
            try:
                self._device.remember_head(head)
                self.outside_head_problem = ""
            except DomainError as exc:  # committed all the same; `omw check` reports it
                self.outside_head_problem = str(exc)

    def secret_store(self) -> SecretStore:
        """This laptop's secret store for the data folder (opened once)."""
        if self.secrets is None:
            from app.storage.secrets import open_secret_store

            self.secrets = open_secret_store(self.folder, passphrase=self.passphrase)
        return self.secrets

    def device(self) -> DeviceKey:
        """This laptop's device key for the store, created at first use.

        The key's public half is written into the store by the first flush that
        appends to the audit log (:mod:`app.storage.guards`).
        """
        if self._device is None:
            folder = self.device_folder or self.folder
            self._device, _created = device.load_or_create(folder, self.secret_store())
        return self._device

    def close(self) -> None:
        """Close every connection and release the single-writer lock."""
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()


def _reraise_in_chinese(error: BaseException) -> None:
    """Raise the Chinese error for what the database refused or could not do (a damaged,
    busy or unreadable file when opening, a constraint in a unit of work), chained to
    ``error``; return if ``error`` is not the database's (the caller re-raises it)."""
    from app.storage.db_errors import translate

    translated = translate(error)
    if translated is not None:
        raise translated from error
