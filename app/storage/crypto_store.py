"""The encrypted store: keys, unlocking, and converting between plain and encrypted.

A store file is either plain SQLite (its first 16 bytes are ``SQLite format
3\\0``) or SQLCipher (random-looking from the first byte). :func:`file_state`
tells which; nothing else is trusted for that.

Keys
  The SQLCipher key (32 random-looking bytes) is derived from the store's
  **recovery key** (:func:`app.storage.secrets.store_key_from_recovery`), which is
  kept in the :class:`~app.storage.secrets.SecretStore` under
  ``<store id>/store-key/<key id>`` and shown/exported to the user at setup.
  ``<data folder>/omw-key.json`` (not secret) says which key the store uses,
  where the secret was saved and which earlier keys older backups may need.

Conversions (``omw encrypt`` / ``omw decrypt`` / ``omw rekey``)
  ``sqlcipher_export`` copies the store into a new file next to it; the new
  file is verified (``integrity_check``, row counts of every table, the schema,
  the audit chain and its head); only then it atomically replaces the store
  (``os.replace``) while the original is kept under a second name until the
  replaced store has been reopened and verified again. A kill at any moment
  leaves either the old or the new store at ``omw.sqlite3``, never neither.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.storage import paths
from app.storage.atomic import atomic_write_text, fsync_file
from app.storage.secrets import (
    PassphraseProvider,
    SecretStore,
    key_id,
    new_recovery_key,
    normalize_recovery_key,
    open_secret_store,
    store_key_from_recovery,
)
from db.engine import (
    SQLITE_HEADER,
    WRONG_KEY_MESSAGE,
    WrongKeyError,
    driver_errors,
    key_literal,
    make_engine,
    raw_connect,
)

KEYINFO_FILENAME = "omw-key.json"


class DamagedDatabaseError(DomainError):
    """A database file cannot be read (truncated, altered, not a database)."""


class ConversionError(DomainError):
    """A conversion did not verify; the store was left as it was."""


# --------------------------------------------------------------------------- file state


def file_state(db_file: str | os.PathLike[str]) -> str:
    """``"missing"`` (absent or empty), ``"plain"`` or ``"encrypted"``."""
    path = Path(db_file)
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "missing"
    if not head:
        return "missing"
    return "plain" if head == SQLITE_HEADER else "encrypted"


def is_encrypted(db_file: str | os.PathLike[str]) -> bool:
    return file_state(db_file) == "encrypted"


# --------------------------------------------------------------------------- key info


@dataclass
class KeyInfo:
    """What ``omw-key.json`` records (no secret in it)."""

    store_id: str
    key_id: str
    store_encrypted: bool = True
    secret_kind: str = ""
    secret_location: str = ""
    created: str = ""
    previous: list[str] = field(default_factory=list)  # older key ids (older backups)

    def secret_name(self, kid: str | None = None) -> str:
        return secret_name(self.store_id, kid or self.key_id)

    def make_current(self, kid: str) -> None:
        """Name ``kid`` the store's key; the one it replaces is kept for older backups."""
        if self.key_id and self.key_id != kid and self.key_id not in self.previous:
            self.previous.append(self.key_id)
        self.previous = [k for k in self.previous if k != kid]
        self.key_id = kid


def secret_name(store_id: str, kid: str) -> str:
    return f"{store_id}/store-key/{kid}"


def keyinfo_path(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / KEYINFO_FILENAME


def load_keyinfo(folder: str | os.PathLike[str]) -> KeyInfo | None:
    path = keyinfo_path(folder)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return KeyInfo(
            store_id=str(data["store_id"]),
            key_id=str(data["key_id"]),
            store_encrypted=bool(data.get("store_encrypted", True)),
            secret_kind=str(data.get("secret_kind", "")),
            secret_location=str(data.get("secret_location", "")),
            created=str(data.get("created", "")),
            previous=[str(k) for k in data.get("previous", [])],
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise DomainError(
            f"密钥信息文件 {path} 已损坏。请用恢复密钥重新解锁："
            "omw key unlock --recovery-file 恢复密钥文件"
        ) from None


def save_keyinfo(folder: str | os.PathLike[str], info: KeyInfo) -> None:
    body = json.dumps({"format": "omw-key", "version": 1, **asdict(info)}, ensure_ascii=False)
    atomic_write_text(keyinfo_path(folder), body + "\n")


def _now_text() -> str:
    return datetime.now().replace(microsecond=0).isoformat(sep=" ")


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class NewKey:
    recovery_key: str
    key: bytes = field(repr=False)
    key_id: str
    info: KeyInfo
    location: str  # where the secret was saved, in Chinese


def create_key(folder: Path, secrets: SecretStore) -> NewKey:
    """Make a new store key, save its recovery key in ``secrets`` and note it in key info.

    The key info then names the new key as current; earlier ones stay listed
    (``previous``) so older backups can still be opened.
    """
    recovery = new_recovery_key()
    key = store_key_from_recovery(recovery)
    kid = key_id(key)
    info = load_keyinfo(folder) if keyinfo_path(folder).exists() else None
    if info is None:
        info = KeyInfo(store_id=str(uuid.uuid4()), key_id=kid, created=_now_text())
    else:
        info.make_current(kid)
    secrets.set(info.secret_name(kid), recovery)  # read back and compared: never dropped
    info.secret_kind = secrets.kind
    info.secret_location = secrets.location_description
    info.store_encrypted = True
    save_keyinfo(folder, info)
    return NewKey(recovery, key, kid, info, secrets.location_description)


def remember_recovery_key(folder: Path, recovery_key: str, secrets: SecretStore) -> KeyInfo:
    """Save a recovery key typed or read by the user into ``secrets`` (``omw key unlock``).

    If the store is encrypted, the key must open it.
    """
    recovery = normalize_recovery_key(recovery_key)
    key = store_key_from_recovery(recovery)
    kid = key_id(key)
    db = paths.db_path(folder)
    if is_encrypted(db):
        try:
            raw_connect(db, key).close()
        except WrongKeyError:
            raise DomainError(
                "该恢复密钥打不开当前数据存储（可能是重新设置密钥之前的旧恢复密钥，"
                "或属于另一个数据存储）。"
            ) from None
    try:
        info = load_keyinfo(folder)
    except DomainError:
        info = None  # a damaged key info file is rewritten from the recovery key
    if info is None:
        info = KeyInfo(store_id=str(uuid.uuid4()), key_id=kid, created=_now_text())
    if is_encrypted(db):
        info.make_current(kid)
    elif kid != info.key_id and kid not in info.previous:
        info.previous.append(kid)  # e.g. the key of an old backup
    secrets.set(info.secret_name(kid), recovery)
    if kid == info.key_id:
        info.secret_kind = secrets.kind
        info.secret_location = secrets.location_description
        info.store_encrypted = info.store_encrypted or is_encrypted(db)
    save_keyinfo(folder, info)
    return info


def recovery_key_for(folder: Path, secrets: SecretStore, kid: str | None = None) -> str:
    """The recovery key of the current (or the given) store key, from the secret store."""
    info = load_keyinfo(folder)
    if info is None:
        raise DomainError("该数据目录没有设置加密密钥。")
    value = secrets.get(info.secret_name(kid))
    if not value:
        raise DomainError(
            f"在{secrets.location_description}中找不到密钥 {kid or info.key_id}"
            f"（设置时保存于：{info.secret_location or '未知'}）。"
        )
    return value


def candidate_keys(
    folder: Path,
    *,
    secrets: SecretStore | None = None,
    recovery_key: str | None = None,
    passphrase: str | PassphraseProvider | None = None,
    wanted: str | None = None,
) -> list[bytes]:
    """Keys to try on an encrypted file: the recovery key given, else the saved ones.

    ``wanted`` (a key id, e.g. from a backup summary) is tried first.
    Raises a clear :class:`DomainError` when no key can be found at all.
    """
    if recovery_key:
        return [store_key_from_recovery(recovery_key)]
    info = load_keyinfo(folder)
    if info is None:
        raise DomainError(
            f"数据存储不是普通 SQLite 文件（已加密，或已损坏），但数据目录 {folder} 中"
            f"没有密钥信息文件 {KEYINFO_FILENAME}。如是加密存储，请用恢复密钥解锁："
            "omw key unlock --recovery-file 恢复密钥文件"
        )
    store = secrets or open_secret_store(folder, passphrase=passphrase)
    order = [k for k in (wanted, info.key_id, *reversed(info.previous)) if k]
    keys: list[bytes] = []
    seen: set[str] = set()
    for kid in order:
        if kid in seen:
            continue
        seen.add(kid)
        value = store.get(info.secret_name(kid))
        if value:
            keys.append(store_key_from_recovery(value))
    if not keys:
        where = store.location_description
        saved = info.secret_location or "未知"
        reason = f"（{store.fallback_reason}）" if store.fallback_reason else ""
        raise DomainError(
            f"找不到数据存储的密钥（密钥 ID {order[0]}）：在「{where}」中没有找到{reason}。"
            f"设置加密时密钥保存于「{saved}」。"
            "请用恢复密钥解锁：omw key unlock --recovery-file 恢复密钥文件"
        )
    return keys


def find_key(db_file: Path, keys: list[bytes]) -> bytes:
    """The first of ``keys`` that opens ``db_file``."""
    for key in keys:
        try:
            raw_connect(db_file, key, readonly=True).close()
        except WrongKeyError:
            continue
        return key
    if len(keys) == 1:
        raise WrongKeyError(WRONG_KEY_MESSAGE.format(name=db_file.name))
    raise WrongKeyError(
        f"无法打开加密的数据存储 {db_file.name}：已保存的 {len(keys)} 个密钥都不正确，"
        "或文件已损坏。请用恢复密钥解锁：omw key unlock --recovery-file 恢复密钥文件"
    )


def unlock(
    folder: Path,
    db_file: Path,
    *,
    secrets: SecretStore | None = None,
    recovery_key: str | None = None,
    passphrase: str | PassphraseProvider | None = None,
    wanted: str | None = None,
) -> bytes:
    """The key that opens the encrypted ``db_file`` of ``folder``."""
    keys = candidate_keys(
        folder, secrets=secrets, recovery_key=recovery_key, passphrase=passphrase, wanted=wanted
    )
    return find_key(db_file, keys)


# --------------------------------------------------------------------------- summaries


@dataclass
class DbSummary:
    """What a database holds, to compare two copies of it."""

    integrity: str
    tables: dict[str, int]
    schema: list[list[str]]
    revision: str | None
    user_version: int
    audit_entries: int
    audit_ok: bool
    audit_broken_at: int | None
    audit_reason: str
    audit_head: str

    def differences(self, other: DbSummary) -> list[str]:
        """How ``other`` (a copy) differs from this one, in Chinese."""
        problems = []
        if other.integrity != "ok":
            problems.append(f"完整性检查未通过：{other.integrity}")
        for name in sorted(set(self.tables) | set(other.tables)):
            a, b = self.tables.get(name), other.tables.get(name)
            if a != b:
                problems.append(f"表 {name} 记录数不符：应为 {a}，实为 {b}")
        if self.schema != other.schema:
            problems.append("表结构（表、索引、触发器）不一致")
        if self.revision != other.revision:
            problems.append(f"结构版本不符：{self.revision} / {other.revision}")
        if not other.audit_ok:
            problems.append(f"审计日志第 {other.audit_broken_at} 条校验失败：{other.audit_reason}")
        if (self.audit_entries, self.audit_head) != (other.audit_entries, other.audit_head):
            problems.append("审计日志哈希链末端不一致")
        return problems


def summarize(db_file: Path, key: bytes | None, *, readonly: bool = False) -> DbSummary:
    """Integrity, row counts, schema and audit chain of a database file."""
    from db.audit import verify_chain

    engine = make_engine(db_file, key, readonly=readonly)
    try:
        with engine.connect() as conn:
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
            problems = [r for r in rows if r != "ok"]
            if key is not None:
                problems += [str(r[0]) for r in conn.execute(text("PRAGMA cipher_integrity_check"))]
            integrity = "ok" if not problems else "；".join(problems[:5])
            schema = [
                [str(c) for c in r]
                for r in conn.execute(
                    text(
                        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
                        "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
                    )
                )
            ]
            tables = {}
            for kind, name, *_ in schema:
                if kind == "table":
                    quoted = '"' + name.replace('"', '""') + '"'
                    count = conn.execute(text(f"SELECT count(*) FROM {quoted}")).scalar()
                    tables[name] = int(count or 0)
            revision = None
            if "alembic_version" in tables:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            user_version = int(conn.execute(text("PRAGMA user_version")).scalar() or 0)
            head = ""
            if "audit_log" in tables:
                head = (
                    conn.execute(
                        text("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    ).scalar()
                    or ""
                )
        entries, ok, broken_at, reason = 0, True, None, ""
        if "audit_log" in tables:
            with Session(engine) as session:
                report = verify_chain(session)
            entries, ok, broken_at, reason = (
                tables["audit_log"],
                report.ok,
                report.broken_at,
                report.reason,
            )
    except WrongKeyError:
        raise
    except (DBAPIError, ValueError) as exc:
        detail = getattr(exc, "orig", exc)
        raise DamagedDatabaseError(f"数据库文件 {db_file.name} 无法读取：{detail}") from None
    finally:
        engine.dispose()
    return DbSummary(
        integrity, tables, schema, revision, user_version, entries, ok, broken_at, reason, head
    )


# --------------------------------------------------------------------------- copies


def export_copy(src: Path, src_key: bytes | None, dst: Path, dst_key: bytes | None) -> None:
    """Copy a database into a new file, re-encrypting it (``sqlcipher_export``).

    ``dst`` must not exist or be empty; it is fsync-ed when done.
    """
    con = raw_connect(src, src_key, sqlcipher=True)
    try:
        user_version = int(con.execute("PRAGMA user_version").fetchone()[0])
        con.execute(f"ATTACH DATABASE ? AS omw_target KEY {key_literal(dst_key)}", (str(dst),))
        try:
            con.execute("SELECT sqlcipher_export('omw_target')").fetchall()
            con.execute(f"PRAGMA omw_target.user_version = {user_version}")
            con.commit()
        finally:
            con.execute("DETACH DATABASE omw_target")
    finally:
        con.close()
    fsync_file(dst)


def checkpoint(db_file: Path, key: bytes | None) -> None:
    """Move everything from the WAL into the main file and empty the WAL.

    Raises :class:`DamagedDatabaseError` if the file is damaged.
    """
    con = raw_connect(db_file, key)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except driver_errors() as exc:
        raise DamagedDatabaseError(f"数据库文件 {db_file.name} 已损坏：{exc}") from None
    finally:
        con.close()


def remove_wal_files(db_file: Path) -> None:
    """Remove the (checkpointed, empty) ``-wal``/``-shm`` files before the main file is swapped.

    A WAL left next to a replaced main file would be replayed into it.
    """
    for suffix in ("-wal", "-shm", "-journal"):
        side = db_file.with_name(db_file.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            if suffix == "-wal" and side.stat().st_size > 0:
                raise ConversionError(
                    f"{side.name} 中还有未写入主文件的数据（有其他程序正在使用数据存储？），"
                    "请关闭所有运维工作台窗口和命令后重试。"
                )
            side.unlink()
