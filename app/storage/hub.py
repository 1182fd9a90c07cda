"""The team hub: the same store on a PostgreSQL server, for the office where several people work.

Which database a command or the window uses, in order: ``omw --database URL``
(:func:`select`), the ``OMW_DATABASE_URL`` environment variable, the hub saved for
the data folder (``hub.json``, written by ``omw hub connect`` or the window's
settings), else the data folder's own store file.

A hub URL names the server, the database, the user and the TLS settings
(``postgresql://omw_app@hub.example/omw?sslmode=verify-full&sslrootcert=/path/ca.pem``),
never a password: a password in a URL is refused. The password is kept like the
other secrets, in the OS keyring or the passphrase-sealed secrets file
(:mod:`app.storage.secrets`), under :func:`password_name`; libpq's own sources
(``PGPASSWORD``, ``~/.pgpass``, client certificates) work too.

The data folder keeps working as for the store file (settings, the saved signature,
the secrets: the hub's password and the device key too); only which device this
laptop is on one hub is recorded in that hub's own folder ``<data folder>/hubs/<id>``
(:func:`folder_of`). The laptop's device on the hub is another device than on its
own store file, so the two audit chains never meet as one when bundles are exchanged
between them.

:func:`init` (``omw hub init``, by the database's owner) creates the database if
needed, brings the schema to the head, builds the search index and creates the role
the app connects as (:data:`APP_ROLE`): it may read and write the records but holds
no UPDATE or DELETE where the protection triggers refuse them for every row
(:data:`db.protections.UNCONDITIONAL`), and no right to change the schema.
:func:`status` (``omw hub status``) reports versions, TLS, the role and what is stored.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from app.errors import DomainError
from app.storage.atomic import atomic_write_bytes
from app.storage.hub_choice import ENV_DATABASE_URL, HUB_FILE, saved_url
from db.engine import is_postgres_url, postgres_engine, postgres_url
from db.migrate import script_head, stored_revision, upgrade
from db.protections import APP_ROLE, UNCONDITIONAL

if TYPE_CHECKING:
    from app.storage.secrets import SecretStore

HUBS_DIR = "hubs"
#: the hub chosen by ``omw --database`` for this process
_selected: str | None = None


class HubError(DomainError):
    """The hub cannot be reached or used; the message says why, in Chinese."""


def select(url: str | None) -> None:
    """Use ``url`` for every store this process opens (``omw --database``); ``None`` forgets it."""
    global _selected
    _selected = check_url(url) if url else None


def check_url(url: str) -> str:
    """``url`` if it names a PostgreSQL hub without a password, else a :class:`HubError`."""
    text_ = str(url).strip()
    if not is_postgres_url(text_):
        raise HubError(
            f"团队中心地址应以 postgresql:// 开头（例如 postgresql://omw_app@服务器/omw），"
            f"而不是“{text_[:60]}”。"
        )
    try:
        parsed = make_url(text_.replace("postgres://", "postgresql://", 1))
    except (ArgumentError, ValueError):
        raise HubError(f"团队中心地址的格式不正确：{text_[:80]}") from None
    if parsed.password:
        raise HubError(
            "团队中心地址中不能包含口令（会以明文保存）。"
            "请去掉口令，用 omw hub connect 把口令保存在系统密钥环或加密的密钥文件中。"
        )
    if not parsed.database:
        raise HubError("团队中心地址中缺少数据库名称（例如 postgresql://omw_app@服务器/omw）。")
    return text_


def describe(url: str) -> str:
    """The URL as shown to a person: user, server and database (no query options)."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    host = parsed.host or parsed.query.get("host") or "本机"
    port = f":{parsed.port}" if parsed.port else ""
    user = f"{parsed.username}@" if parsed.username else ""
    return f"{user}{host}{port}/{parsed.database}"


def configured_url(folder: Path) -> str | None:
    """The hub the data folder ``folder`` works on (see the module docstring), or ``None``."""
    url = _selected or os.environ.get(ENV_DATABASE_URL) or saved_url(folder)
    return check_url(url) if url else None


def save_url(folder: Path, url: str | None) -> None:
    """Save (``None``: forget) the hub the data folder works on."""
    path = Path(folder) / HUB_FILE
    if url is None:
        path.unlink(missing_ok=True)
        return
    doc = {"format": "omw-hub", "url": check_url(url)}
    atomic_write_bytes(path, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))


def folder_of(data_folder: Path, url: str) -> Path:
    """Where this laptop records which device it is on the hub ``url``."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    identity = f"{parsed.username}@{parsed.host}:{parsed.port}/{parsed.database}"
    identity += f"?host={parsed.query.get('host', '')}"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    folder = Path(data_folder) / HUBS_DIR / digest
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def password_name(url: str) -> str:
    return f"hub-password:{describe(url)}"


def connect_folder(
    data_folder: Path, url: str, password: str | None, secrets: SecretStore | None = None
) -> str:
    """Make the data folder work on the hub ``url`` from now on (``omw hub connect``, the
    window's settings): keep ``password`` (if given) with its secrets, check that the hub
    can be used, save the URL. Returns where the password is kept."""
    from app.storage.secrets import open_secret_store

    url = check_url(url)
    if secrets is None:
        secrets = open_secret_store(data_folder)
    if password:
        secrets.set(password_name(url), password)
    engine = connect(url, secrets)
    try:
        reachable(engine, url)
        check_schema(engine)
    finally:
        engine.dispose()
    save_url(data_folder, url)
    return secrets.location_description


def connect(url: str, secrets: SecretStore | None) -> Engine:
    """An engine for the hub, with the password kept in ``secrets`` (if one is)."""
    password = secrets.get(password_name(url)) if secrets is not None else None
    return postgres_engine(url, password)


def reachable(engine: Engine, url: str) -> None:
    """Connect once; a :class:`HubError` in Chinese if the server cannot be used."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        raise HubError(_connect_problem(url, exc)) from None


def _connect_problem(url: str, exc: DBAPIError) -> str:
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
    where = describe(url)
    if "password" in detail and ("authentication failed" in detail or "no password" in detail):
        return f"无法登录团队中心 {where}：用户名或口令不正确。请用 omw hub connect 重新保存口令。"
    if "certificate" in detail or "SSL" in detail or "ssl" in detail:
        return (
            f"无法与团队中心 {where} 建立加密连接（TLS 证书校验失败或服务器不支持 TLS）。"
            "请检查地址中的 sslmode 与 sslrootcert（CA 证书文件）。"
        )
    if "does not exist" in detail and "database" in detail:
        return f"团队中心 {where} 上没有这个数据库。请先由管理员运行 omw hub init。"
    return f"无法连接团队中心 {where}，请检查网络、服务器地址和端口后重试。"


def check_schema(engine: Engine) -> None:
    """Refuse a hub whose schema is not the one this version of the app writes."""
    stored = stored_revision(engine)
    head = script_head()
    if stored == head:
        return
    if stored is None:
        raise HubError("团队中心的数据库尚未初始化。请先由管理员运行 omw hub init。")
    raise HubError(
        f"团队中心的数据库结构版本为 {stored}，本程序需要 {head}。"
        "请由管理员用本版本运行 omw hub init 升级（或升级本程序），数据未作任何修改。"
    )


# --------------------------------------------------------------------------- omw hub init


@dataclass
class InitReport:
    url: str
    created_database: bool = False
    from_revision: str | None = None
    revision: str | None = None
    role_created: bool = False
    refused: list[tuple[str, str]] = field(default_factory=list)
    indexed: int | None = None


def _create_database(url: str) -> bool:
    """Create the URL's database if it does not exist (connecting to ``postgres``)."""
    target = postgres_url(url)
    maintenance = postgres_engine(target.set(database="postgres").render_as_string(False))
    try:
        with maintenance.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}
            ).first()
            if found:
                return False
            name = conn.dialect.identifier_preparer.quote(str(target.database))
            conn.execute(text(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"))
            return True
    except DBAPIError as exc:
        raise HubError(_connect_problem(url, exc)) from None
    finally:
        maintenance.dispose()


def grant_role(conn: Any, role: str, password: str | None) -> bool:
    """Create ``role`` (if new) and give it exactly what the app needs; whether it was created."""
    quote = conn.dialect.identifier_preparer.quote
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    name = quote(role)
    if not exists:
        conn.execute(text(f"CREATE ROLE {name} LOGIN"))
    if password:
        literal = password.replace("'", "''")
        conn.execute(text(f"ALTER ROLE {name} PASSWORD '{literal}'"))
    database = quote(conn.execute(text("SELECT current_database()")).scalar())
    conn.execute(text(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {name}"))
    conn.execute(text(f"REVOKE CREATE ON SCHEMA public FROM {name}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {name}"))
    conn.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}")
    )
    conn.execute(text(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}"))
    conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {name}"))
    for table, event in refused_everywhere(conn):
        conn.execute(text(f"REVOKE {event} ON {quote(table)} FROM {name}"))
    return not exists


def refused_everywhere(conn: Any) -> list[tuple[str, str]]:
    """(table, UPDATE|DELETE) that a protection trigger refuses for every row."""
    return [(str(t), str(e)) for t, e in conn.execute(text(UNCONDITIONAL))]


def init(url: str, *, role: str = APP_ROLE, role_password: str | None = None) -> InitReport:
    """Create or upgrade the hub at ``url`` (connecting as the database's owner)."""
    from app.search import index as search_index

    url = check_url(url)
    report = InitReport(url)
    report.created_database = _create_database(url)
    engine = postgres_engine(url)
    try:
        reachable(engine, url)
        report.from_revision = stored_revision(engine)
        upgrade(engine)
        report.revision = stored_revision(engine)
        with engine.begin() as conn:
            report.role_created = grant_role(conn, role, role_password)
            report.refused = refused_everywhere(conn)
            if search_index.stale(conn):
                report.indexed = search_index.reindex(conn)
    finally:
        engine.dispose()
    return report


# --------------------------------------------------------------------------- omw hub status


@dataclass
class Status:
    url: str
    server: str
    user: str
    tls: str
    revision: str | None
    head: str | None
    role: str
    role_exists: bool
    role_refused: list[tuple[str, str]]
    counts: dict[str, int]
    devices: int

    @property
    def current(self) -> bool:
        return self.revision == self.head


_COUNTED = {
    "inspection_run": "巡检记录",
    "fault_record": "故障单",
    "service_request": "服务请求",
    "meeting_minutes": "会议纪要",
    "signature": "签字",
    "audit_log": "审计日志",
}


def status(engine: Engine, url: str, role: str = APP_ROLE) -> Status:
    """What the hub at ``engine`` is: server, schema version, TLS, role and contents."""
    reachable(engine, url)
    revision = stored_revision(engine)
    with engine.connect() as conn:
        server = str(conn.execute(text("SHOW server_version")).scalar())
        user = str(conn.execute(text("SELECT current_user")).scalar())
        ssl = conn.execute(
            text("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        ).first()
        tls = f"TLS（{ssl[1]}）" if ssl and ssl[0] else "未加密"
        role_exists = bool(
            conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        )
        refused: list[tuple[str, str]] = []
        counts: dict[str, int] = {}
        devices = 0
        if revision is not None:
            check = "SELECT NOT has_table_privilege(:r, :t, :e)"
            for table, event in refused_everywhere(conn):
                if (
                    role_exists
                    and conn.execute(text(check), {"r": role, "t": table, "e": event}).scalar()
                ):
                    refused.append((table, event))
            for table in _COUNTED:
                counts[table] = int(
                    conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0
                )
            devices = int(conn.execute(text("SELECT count(*) FROM device")).scalar() or 0)
    return Status(
        url, server, user, tls, revision, script_head(), role, role_exists, refused, counts, devices
    )


def counted_label(table: str) -> str:
    return _COUNTED[table]
