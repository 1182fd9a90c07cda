"""Converting a store between plain and encrypted, and changing its key.

``omw encrypt`` / ``omw decrypt`` / ``omw rekey``: ``sqlcipher_export`` copies the
store into a new file next to it; the new file is verified (``integrity_check``,
row counts of every table, the schema, the audit chain and its head); only then
it atomically replaces the store (``os.replace``) while the original is kept
under a second name until the replaced store has been reopened and verified
again. A kill at any moment leaves either the old or the new store at
``omw.sqlite3``, never neither. Backups made before encryption are converted too.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.errors import DomainError
from app.storage import backup, instance, paths
from app.storage.atomic import fsync_dir, fsync_file, temp_path_for
from app.storage.crypto_store import (
    ConversionError,
    DbSummary,
    checkpoint,
    create_key,
    export_copy,
    file_state,
    load_keyinfo,
    remember_recovery_key,
    remove_wal_files,
    save_keyinfo,
    summarize,
    unlock,
)
from app.storage.secrets import (
    PassphraseProvider,
    SecretStore,
    key_id,
    open_secret_store,
)


def _keep_original(db_file: Path, label: str) -> Path:
    """Keep the current store under a second name (a hard link, or a copy) until verified."""
    keep = db_file.with_name(f"{db_file.name}.{label}-{datetime.now():%Y%m%d-%H%M%S}")
    keep.unlink(missing_ok=True)
    try:
        os.link(db_file, keep)
    except OSError:  # file systems without hard links
        import shutil

        temp = temp_path_for(keep)
        shutil.copyfile(db_file, temp)
        fsync_file(temp)
        os.replace(temp, keep)
    fsync_dir(db_file.parent)
    return keep


@dataclass
class ConversionReport:
    action: str  # encrypt | decrypt | rekey
    encrypted: bool
    tables: dict[str, int]
    audit_entries: int
    seconds: float
    key_id: str | None = None
    recovery_key: str | None = field(default=None, repr=False)
    secret_location: str = ""
    converted_files: list[Path] = field(default_factory=list)  # old backups re-encrypted
    notes: list[str] = field(default_factory=list)


def _convert(
    folder: Path, src_key: bytes | None, dst_key: bytes | None, label: str
) -> tuple[DbSummary, float]:
    """Replace the store of ``folder`` by a verified copy under ``dst_key``."""
    started = time.monotonic()
    db = paths.db_path(folder)
    checkpoint(db, src_key)
    before = summarize(db, src_key)
    if before.integrity != "ok":
        raise ConversionError(f"当前数据存储未通过完整性检查（{before.integrity}），未做转换。")
    new = temp_path_for(db)
    try:
        export_copy(db, src_key, new, dst_key)
        copy = summarize(new, dst_key, readonly=True)
        problems = before.differences(copy)
        if problems:
            raise ConversionError("转换后的副本校验未通过，数据存储未改动：" + "；".join(problems))
        remove_wal_files(db)
        keep = _keep_original(db, f"pre-{label}")
        os.replace(new, db)
        fsync_dir(folder)
    except BaseException:
        new.unlink(missing_ok=True)
        raise
    try:
        after = summarize(db, dst_key)
        problems = before.differences(after)
        if problems:
            raise ConversionError(
                "替换后的数据存储校验未通过，已恢复原文件：" + "；".join(problems)
            )
    except BaseException:
        remove_wal_files(db)
        os.replace(keep, db)
        fsync_dir(folder)
        raise
    keep.unlink()
    fsync_dir(folder)
    return after, time.monotonic() - started


def _plain_leftovers(folder: Path) -> list[Path]:
    """Plain copies of the store next to it (migration copies)."""
    db = paths.db_path(folder)
    return [p for p in sorted(folder.glob(f"{db.name}.bak-*")) if file_state(p) == "plain"]


def plain_copies(folder: Path) -> list[Path]:
    """Unencrypted copies of client data left beside an encrypted store.

    Migration copies and backups made before encryption are converted by
    :func:`encrypt_store`; a conversion killed after the swap may leave the
    original (``omw.sqlite3.pre-encrypt-*``). ``omw key status`` lists them.
    """

    db = paths.db_path(folder)
    if file_state(db) != "encrypted":
        return []
    found = [
        p for p in sorted(folder.glob(f"{db.name}.*")) if p.is_file() and file_state(p) == "plain"
    ]
    found += [b.path for b in backup.list_backups(folder) if file_state(b.path) == "plain"]
    return found


def encrypt_store(
    folder: str | os.PathLike[str] | None = None,
    *,
    secrets: SecretStore | None = None,
    passphrase: str | PassphraseProvider | None = None,
) -> ConversionReport:
    """Convert the plain store of ``folder`` to an encrypted one (``omw encrypt``).

    A new key is made and its recovery key saved in the secret store (and
    returned, to show and export). Existing plain backups in ``backups/`` and
    migration copies are encrypted too, so no plain copy of client data stays.
    The caller must not have the store open.
    """
    folder = paths.data_dir(folder)
    db = paths.db_path(folder)
    with instance.acquire(folder):
        instance.require_sole_holder(folder)
        state = file_state(db)
        if state == "encrypted":
            raise DomainError("数据存储已经是加密的。如需更换密钥，请使用 omw rekey。")
        if state == "missing":
            raise DomainError("数据目录中还没有数据存储；请用 omw init --encrypt 创建加密存储。")
        secrets = secrets or open_secret_store(folder, passphrase=passphrase)
        new = create_key(folder, secrets)
        try:
            after, seconds = _convert(folder, None, new.key, "encrypt")
        except BaseException:
            info = load_keyinfo(folder)
            if info is not None:  # the file is still plain: say so, keep the saved key
                info.store_encrypted = False
                save_keyinfo(folder, info)
            raise
        report = ConversionReport(
            "encrypt",
            True,
            after.tables,
            after.audit_entries,
            seconds,
            new.key_id,
            new.recovery_key,
            new.location,
        )

        report.converted_files = backup.encrypt_plain_backups(folder, new.key, new.key_id)
        for old in _plain_leftovers(folder):
            temp = temp_path_for(old)
            try:
                export_copy(old, None, temp, new.key)
                os.replace(temp, old)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
            report.converted_files.append(old)
        fsync_dir(folder)
        return report


def decrypt_store(
    folder: str | os.PathLike[str] | None = None,
    *,
    secrets: SecretStore | None = None,
    recovery_key: str | None = None,
    passphrase: str | PassphraseProvider | None = None,
) -> ConversionReport:
    """Convert the encrypted store back to plain SQLite (``omw decrypt``).

    Backups made while encrypted stay encrypted (and restorable with the key).
    """
    folder = paths.data_dir(folder)
    db = paths.db_path(folder)
    with instance.acquire(folder):
        instance.require_sole_holder(folder)
        if file_state(db) != "encrypted":
            raise DomainError("数据存储没有加密，无需解密。")
        key = unlock(folder, db, secrets=secrets, recovery_key=recovery_key, passphrase=passphrase)
        after, seconds = _convert(folder, key, None, "decrypt")
        info = load_keyinfo(folder)
        if info is not None:
            info.store_encrypted = False
            save_keyinfo(folder, info)
        report = ConversionReport("decrypt", False, after.tables, after.audit_entries, seconds)
        report.notes.append("数据存储现为明文，已加密的旧备份保持加密，仍可用原密钥恢复。")
        return report


def rekey_store(
    folder: str | os.PathLike[str] | None = None,
    *,
    secrets: SecretStore | None = None,
    recovery_key: str | None = None,
    passphrase: str | PassphraseProvider | None = None,
) -> ConversionReport:
    """Re-encrypt the store under a new key and recovery key (``omw rekey``).

    The old key stays in the secret store (older backups need it); the old
    recovery key no longer opens the store.
    """
    folder = paths.data_dir(folder)
    db = paths.db_path(folder)
    with instance.acquire(folder):
        instance.require_sole_holder(folder)
        if file_state(db) != "encrypted":
            raise DomainError("数据存储没有加密；请使用 omw encrypt 加密。")
        secrets = secrets or open_secret_store(folder, passphrase=passphrase)
        old = unlock(folder, db, secrets=secrets, recovery_key=recovery_key)
        if recovery_key:  # make sure older backups stay openable from here
            remember_recovery_key(folder, recovery_key, secrets)
        new = create_key(folder, secrets)
        after, seconds = _convert(folder, old, new.key, "rekey")
        report = ConversionReport(
            "rekey",
            True,
            after.tables,
            after.audit_entries,
            seconds,
            new.key_id,
            new.recovery_key,
            new.location,
        )
        report.notes.append(
            f"旧备份仍使用旧密钥 {key_id(old)}，该密钥保留在{new.location}中；"
            "旧恢复密钥已不能打开当前数据存储。"
        )
        return report


def describe_store(folder: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Encryption status of a data folder, for ``omw key status`` and the window."""
    folder = paths.data_dir(folder)
    db = paths.db_path(folder)
    info = load_keyinfo(folder)
    return {
        "folder": str(folder),
        "store": str(db),
        "state": file_state(db),
        "key_id": info.key_id if info else None,
        "store_id": info.store_id if info else None,
        "secret_location": info.secret_location if info else "",
        "previous_keys": list(info.previous) if info else [],
        "plain_copies": [str(p) for p in plain_copies(folder)],
    }
