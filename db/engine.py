"""The one place that opens database connections.

``make_engine`` returns an engine for a SQLite file with the pragmas the app
relies on (WAL, ``synchronous=FULL``, foreign keys), or for a team hub on
PostgreSQL given its URL (``postgresql://user@host/db``, driven by psycopg 3; the
password is handed in separately, never part of a stored URL; TLS settings such
as ``sslmode=verify-full&sslrootcert=ca.pem`` go in the URL's query and reach
libpq as they are). :func:`write_lock` is how a hub serialises its writers.

An **encrypted store** is a SQLCipher file: pass its 32-byte ``key`` and the
connections are made by ``sqlcipher3`` with ``PRAGMA key`` as the very first
statement, then checked with a read of the schema so that a wrong key raises
:class:`WrongKeyError` (a message for the user) instead of a "file is not a
database" traceback later. The key is a random raw key (``x'…'``), so no slow
passphrase derivation runs on every connection.

:func:`raw_connect` opens a single DB-API connection the same way, for the
SQLite online backup API and ``sqlcipher_export`` (migrations, backups,
conversion between plain and encrypted).
"""

from __future__ import annotations

import sys
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.util import LRUCache

from db.errors import MissingDriverError, StoreError

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"


class WrongKeyError(StoreError):
    """An encrypted store could not be opened with the key given."""


WRONG_KEY_MESSAGE = (
    "无法打开加密的数据存储 {name}：密钥不正确，或文件已损坏。"
    "请确认使用的是该数据存储的密钥或恢复密钥（omw key unlock --recovery-file 文件）。"
)

_engine_keys: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


def key_literal(key: bytes | None) -> str:
    """The SQL literal for ``PRAGMA key`` / ``ATTACH … KEY``: a raw key, or '' for plain."""
    if key is None:
        return "''"
    if len(key) != KEY_BYTES:
        raise ValueError("store keys are 32 bytes")
    return f"\"x'{key.hex()}'\""


def _sqlcipher() -> Any:
    try:
        import sqlcipher3
    except ModuleNotFoundError:
        raise MissingDriverError(
            "未安装加密数据库组件 sqlcipher3，无法打开加密的数据存储。请重新安装运维工作台。"
        ) from None
    return sqlcipher3


def driver_errors() -> tuple[type[Exception], ...]:
    """The SQLite drivers' own errors, as a raw connection raises them (a damaged file)."""
    import sqlite3

    cipher = sys.modules.get("sqlcipher3")  # loaded only for an encrypted store
    return (sqlite3.Error,) + ((cipher.dbapi2.Error,) if cipher is not None else ())


def raw_connect(
    path: str | Path,
    key: bytes | None = None,
    *,
    readonly: bool = False,
    sqlcipher: bool = False,
) -> Any:
    """One DB-API connection; keyed and verified if ``key`` is given.

    ``sqlcipher=True`` uses the SQLCipher driver even for a plain file (needed
    for ``sqlcipher_export`` from a plain database).
    """
    file = Path(path).resolve()
    if key is None and not sqlcipher:
        import sqlite3

        driver: Any = sqlite3
    else:
        driver = _sqlcipher()
    if readonly:
        con = driver.connect(f"{file.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    else:
        con = driver.connect(str(file), check_same_thread=False)
    if key is not None:
        con.execute(f"PRAGMA key = {key_literal(key)}")  # must be the first statement
        con.execute("PRAGMA cipher_log_level = NONE")  # no "hmac check failed" on stderr
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except driver.DatabaseError:
            con.close()
            raise WrongKeyError(WRONG_KEY_MESSAGE.format(name=file.name)) from None
    return con


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _readonly_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SharedCompiledCache:
    """One cache of compiled SQL for every engine of the process.

    SQLAlchemy keeps compiled statements per engine, keyed by the engine's dialect
    object, so each store opened (a backup checked, a bundle's scratch store, the
    integrity check's second connection, every store of the test suite) compiled
    every statement again: ~0.7 ms each, 40–60 per export. Engines whose
    dialects are of the same class, driver module (``sqlite3``, ``sqlcipher3``,
    ``psycopg``) and server version compile every statement to the same SQL, so this cache
    keys by those instead of by the dialect object; it is handed to each engine
    as its ``compiled_cache`` execution option (public API).
    """

    def __init__(self, size: int) -> None:
        self._entries: LRUCache[Any, Any] = LRUCache(size)

    @staticmethod
    def _key(key: tuple[Any, ...]) -> tuple[Any, ...]:
        dialect = key[0]
        driver = getattr(dialect.dbapi, "__name__", None)
        return (type(dialect), driver, dialect.server_version_info, *key[1:])

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:
        return self._entries.get(self._key(key), default)

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        self._entries[self._key(key)] = value


#: big enough for every statement the app makes (a few hundred) several times over;
#: :mod:`db.models` hands it to the ORM's mappers too, for the statements of a flush
compiled_statements = SharedCompiledCache(2000)


def _share_compiled(engine: Engine) -> Engine:
    engine.update_execution_options(compiled_cache=compiled_statements)
    return engine


def make_engine(
    url_or_path: str | Path, key: bytes | None = None, *, readonly: bool = False
) -> Engine:
    """Create an engine; a filesystem path means a SQLite file.

    ``key`` opens a SQLCipher-encrypted file (and creates a new file
    encrypted). ``readonly`` opens an existing file without changing a byte of
    it (no WAL switch; used to inspect backups).
    """
    url = str(url_or_path)
    if "://" in url:
        if key is not None or readonly:
            raise ValueError("key/readonly apply to SQLite files only")
        if is_postgres_url(url):
            return postgres_engine(url)
        return create_engine(url)
    path = Path(url).resolve()
    sqlite_url = f"sqlite:///{path.as_posix()}"
    if key is None and not readonly:
        engine = create_engine(sqlite_url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return _share_compiled(engine)

    def creator() -> Any:
        return raw_connect(path, key, readonly=readonly)

    options: dict[str, Any] = {"creator": creator}
    if key is not None:
        options["module"] = _sqlcipher()
    if readonly:
        options["poolclass"] = NullPool
    engine = create_engine(sqlite_url, **options)
    event.listen(engine, "connect", _readonly_pragmas if readonly else _sqlite_pragmas)
    if key is not None:
        _engine_keys[engine] = key
    return _share_compiled(engine)


def is_postgres_url(url: str) -> bool:
    return str(url).split("://", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def postgres_url(url: str, password: str | None = None) -> URL:
    """``url`` for SQLAlchemy with the psycopg 3 driver (and ``password``, if given)."""
    parsed = make_url(str(url).replace("postgres://", "postgresql://", 1))
    parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.set(password=password) if password is not None else parsed


def postgres_engine(url: str, password: str | None = None) -> Engine:
    """An engine for a hub; connections are checked before use (a server restarts)."""
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        raise MissingDriverError(
            "未安装 PostgreSQL 数据库组件 psycopg，无法连接团队中心。请重新安装运维工作台。"
        ) from None
    engine = create_engine(
        postgres_url(url, password),
        pool_pre_ping=True,
        connect_args={"application_name": "omw", "connect_timeout": 10},
    )
    return _share_compiled(engine)


def is_hub(bind: Engine | Connection | Session) -> bool:
    """Whether ``bind`` is a team hub (PostgreSQL) rather than a store file."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return engine.dialect.name == "postgresql"


#: the key of the hub's transaction-level advisory lock taken by every writing transaction
WRITE_LOCK_KEY = 0x6F6D77  # "omw"


def write_lock(session: Session) -> None:
    """On a hub, wait for the write turn of this transaction (held until it ends).

    SQLite has one writer per file; a PostgreSQL hub has many processes at once.
    What a writer reads to decide what it writes (the audit chain's last entry and
    the store-wide ``seq``, the device counters, the highest record number, whether a
    record is already signed) must not change under it, so every writing transaction
    takes one advisory lock before its first such read and keeps it until commit or
    rollback. Readers never wait. Locks are always taken in the same order (this one
    first, rows after), so writers cannot deadlock on it. A no-op on SQLite.
    """
    if not is_hub(session):
        return
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_LOCKED_IN) is transaction:
        return
    with session.no_autoflush:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
    session.info[_LOCKED_IN] = session.get_transaction()


_LOCKED_IN = "hub_write_lock"


def engine_key(engine: Engine) -> bytes | None:
    """The SQLCipher key an engine was made with (``None`` for a plain store)."""
    return _engine_keys.get(engine)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
