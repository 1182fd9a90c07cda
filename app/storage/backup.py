"""Backups, their thinning, restore, and restore drills.

Backups are made with SQLite's **online backup API** from an open connection
(never by copying the live file), into ``<data folder>/backups/`` as
``omw-YYYYMMDD-HHMMSS-<kind>.omwbak``, with a JSON summary next to it
(``….omwbak.json``: size, SHA-256, row counts per table, audit-chain length and
head, schema revision, key id). The summary is taken from the store in the same
read snapshot the backup copies, and the copy is checked against it before it
is renamed into place (atomically, see :mod:`app.storage.atomic`). A backup of an
encrypted store is encrypted with the same key.

- :func:`maybe_auto_backup` — at most one automatic backup a day; the window
  calls it at start and at close. Automatic backups are thinned by
  :func:`keep_set` (7 daily, 4 weekly, 12 monthly by default); manual and
  pre-restore backups are never deleted automatically.
- :func:`backup_store` — ``omw backup [--to DIR]``.
- :func:`drill` — ``omw restore --drill FILE``: restore into a scratch folder,
  integrity check, reopen with the key, compare row counts and the audit chain
  with the summary, and report.
- :func:`restore_backup` — ``omw restore FILE``: drill first, back up the
  current store, then atomically swap the verified copy in.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.errors import DomainError
from app.storage import crypto_store, instance, paths
from app.storage.atomic import (
    atomic_write_text,
    fsync_dir,
    fsync_file,
    os_reason,
    remove_stale_temps,
    replace_file,
    temp_path_for,
)
from app.storage.device import SignedHead
from app.storage.secrets import PassphraseProvider, SecretStore, key_id, open_secret_store
from db.engine import WrongKeyError, driver_errors, raw_connect
from db.errors import StoreError

__all__ = [
    "BackupError",
    "BackupInfo",
    "DrillReport",
    "RestoreReport",
    "RetentionPolicy",
    "backup_store",
    "drill",
    "keep_set",
    "list_backups",
    "maybe_auto_backup",
    "prune_backups",
    "restore_backup",
]

BACKUP_DIRNAME = "backups"
SUFFIX = ".omwbak"
SUMMARY_SUFFIX = ".json"
SUMMARY_FORMAT = "omw-backup"
KINDS = ("auto", "manual", "pre-restore")
_STAMP = "%Y%m%d-%H%M%S"
_INTEGRITY = "完整性检查"
_OPENS = "当前版本可打开（含结构升级）"


class BackupError(DomainError):
    """A backup could not be made, verified or restored."""


# --------------------------------------------------------------------------- thinning


@dataclass(frozen=True)
class RetentionPolicy:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def _period(kind: str, moment: datetime) -> tuple[int, ...]:
    if kind == "daily":
        return (moment.year, moment.month, moment.day)
    if kind == "weekly":
        iso = moment.isocalendar()
        return (iso.year, iso.week)
    return (moment.year, moment.month)


def keep_set(stamps: Iterable[datetime], policy: RetentionPolicy | None = None) -> set[datetime]:
    """Which backups to keep, by their times (a pure function).

    The newest backup is always kept. For each rule the newest backup of each
    of the last ``N`` days / ISO weeks / months *that have a backup* is kept
    (as borg and restic do), so a laptop that was off for a month does not
    lose its older backups. The rules overlap: a backup kept as "daily" also
    counts as the newest of its week and month.
    """
    policy = policy or RetentionPolicy()
    ordered = sorted(set(stamps), reverse=True)
    keep: set[datetime] = set(ordered[:1])
    for kind, count in (
        ("daily", policy.daily),
        ("weekly", policy.weekly),
        ("monthly", policy.monthly),
    ):
        seen: set[tuple[int, ...]] = set()
        for moment in ordered:
            if len(seen) >= count:
                break
            period = _period(kind, moment)
            if period not in seen:
                seen.add(period)
                keep.add(moment)
    return keep


# --------------------------------------------------------------------------- listing


@dataclass
class BackupInfo:
    path: Path
    created: datetime
    kind: str
    summary: dict[str, Any] | None  # None: no (readable) summary file

    @property
    def summary_path(self) -> Path:
        return summary_path(self.path)

    @property
    def encrypted(self) -> bool:
        return bool(self.summary and self.summary.get("encrypted"))

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": str(self.path),
            "created": self.created.isoformat(sep=" "),
            "kind": self.kind,
        }
        if self.summary:
            for key in ("size", "sha256", "encrypted", "key_id", "revision", "audit", "tables"):
                data[key] = self.summary.get(key)
        return data


def backup_dir(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / BACKUP_DIRNAME


def summary_path(backup: Path) -> Path:
    return backup.with_name(backup.name + SUMMARY_SUFFIX)


def _parse_name(path: Path) -> tuple[datetime, str, int] | None:
    """(time, kind, sequence in that second) from ``omw-YYYYMMDD-HHMMSS-<kind>[-n].omwbak``."""
    stem = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else ""
    parts = stem.split("-")
    if len(parts) < 4 or parts[0] != "omw":
        return None
    try:
        created = datetime.strptime(f"{parts[1]}-{parts[2]}", _STAMP)
    except ValueError:
        return None
    kind = "-".join(p for p in parts[3:] if not p.isdigit()) or "manual"
    return created, kind, int(parts[-1]) if parts[-1].isdigit() else 1


def read_summary(backup: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(summary_path(backup).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != SUMMARY_FORMAT:
        return None
    return data


def list_backups(where: str | os.PathLike[str]) -> list[BackupInfo]:
    """The backups in a folder (a data folder or a backup folder), newest first."""
    folder = Path(where)
    if (folder / BACKUP_DIRNAME).is_dir():
        folder = folder / BACKUP_DIRNAME
    found = []
    for path in folder.glob(f"omw-*{SUFFIX}"):
        parsed = _parse_name(path)
        if parsed is None:
            continue
        found.append(
            (parsed[0], parsed[2], BackupInfo(path, parsed[0], parsed[1], read_summary(path)))
        )
    found.sort(key=lambda f: (f[0], f[1]), reverse=True)
    return [f[2] for f in found]


# --------------------------------------------------------------------------- making backups


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _snapshot_head(con: Any) -> dict[str, Any] | None:
    """The audit head signed last in the snapshot (``None`` before schema 0005).

    By signing time: each device numbers its own chain (see ``latest_head``).
    """
    try:
        row = con.execute(
            "SELECT device_id, seq, hash, at, sig FROM audit_head "
            "ORDER BY at DESC, seq DESC LIMIT 1"
        ).fetchone()
    except Exception:  # an older schema without the table (sqlite3 or sqlcipher3 error)
        return None
    if row is None:
        return None
    head = SignedHead.from_json(
        dict(zip(("device_id", "seq", "hash", "at", "sig"), row, strict=True))
    )
    return None if head is None else head.as_json()


def _snapshot_counts(con: Any) -> tuple[dict[str, int], int, str]:
    tables = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts = {}
    for name in tables:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = int(con.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
    entries, head = 0, ""
    if "audit_log" in counts:
        row = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        if row:
            entries, head = int(row[0]), str(row[1])
    return counts, entries, head


def _unique_name(folder: Path, created: datetime, kind: str) -> Path:
    base = f"omw-{created.strftime(_STAMP)}-{kind}"
    path = folder / f"{base}{SUFFIX}"
    n = 2
    while path.exists() or summary_path(path).exists():
        path = folder / f"{base}-{n}{SUFFIX}"
        n += 1
    return path


def _write_summary(
    backup: Path,
    created: datetime,
    kind: str,
    key: bytes | None,
    store_id: str | None,
    **extra: Any,
) -> dict[str, Any]:
    summary = {
        "format": SUMMARY_FORMAT,
        "version": 1,
        "file": backup.name,
        "created": created.isoformat(sep=" "),
        "kind": kind,
        "size": backup.stat().st_size,
        "sha256": _sha256(backup),
        "encrypted": key is not None,
        "key_id": key_id(key) if key is not None else None,
        "store_id": store_id,
        "app_version": __version__,
        **extra,
    }
    atomic_write_text(
        summary_path(backup), json.dumps(summary, ensure_ascii=False, indent=1) + "\n"
    )
    return summary


def _backup_connection(
    src: Any, key: bytes | None, dest: Path, kind: str, created: datetime, store_id: str | None
) -> BackupInfo:
    """Copy an open connection's database to ``dest`` folder and verify the copy."""
    dest.mkdir(parents=True, exist_ok=True)
    final = _unique_name(dest, created, kind)
    temp = temp_path_for(final)
    try:
        src.execute("BEGIN")  # one read snapshot for the counts and the copy
        try:
            counts, entries, head = _snapshot_counts(src)
            signed_head = _snapshot_head(src)
            dst = raw_connect(temp, key)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
            finally:
                dst.close()
        finally:
            src.rollback()
        fsync_file(temp)
        copy = crypto_store.summarize(temp, key, readonly=True)
        problems = []
        if copy.integrity != "ok":
            problems.append(f"完整性检查未通过：{copy.integrity}")
        if copy.tables != counts:
            problems.append("备份副本的记录数与数据存储不一致")
        if (copy.audit_entries, copy.audit_head) != (entries, head):
            problems.append("备份副本的审计日志与数据存储不一致")
        if problems:
            raise BackupError("备份校验未通过，未保存：" + "；".join(problems))
        replace_file(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    summary = _write_summary(
        final,
        created,
        kind,
        key,
        store_id,
        revision=copy.revision,
        user_version=copy.user_version,
        tables=counts,
        audit={
            "entries": entries,
            "head": head,
            "ok": copy.audit_ok,
            "broken_at": copy.audit_broken_at,
            "signed_head": signed_head,
        },
    )
    return BackupInfo(final, created, kind, summary)


def _store_id(folder: Path) -> str | None:
    try:
        info = crypto_store.load_keyinfo(folder)
    except DomainError:
        return None
    return info.store_id if info else None


def backup_store(
    store: Any,
    dest: str | os.PathLike[str] | None = None,
    *,
    kind: str = "manual",
    now: datetime | None = None,
) -> BackupInfo:
    """Back up an open :class:`~app.storage.store.Store` (``omw backup [--to DIR]``)."""
    if kind not in KINDS:
        raise ValueError(kind)
    if getattr(store, "is_hub", False):
        raise BackupError(
            "团队中心的数据在 PostgreSQL 服务器上，由服务器管理员备份（例如每天 pg_dump），"
            "不在本机备份。"
        )
    folder = Path(dest) if dest else backup_dir(store.folder)
    created = (now or datetime.now()).replace(microsecond=0)
    raw = store.engine.raw_connection()
    try:
        src = raw.driver_connection
        try:
            return _backup_connection(
                src, store.key, folder, kind, created, _store_id(store.folder)
            )
        except OSError as exc:
            raise BackupError(f"无法写入备份到 {folder}：{os_reason(exc)}") from None
    finally:
        raw.close()


def backup_file(
    db_file: Path,
    key: bytes | None,
    dest: Path,
    *,
    kind: str,
    now: datetime | None = None,
    store_id: str | None = None,
) -> BackupInfo:
    """Back up a store file that is not open (before a restore)."""
    created = (now or datetime.now()).replace(microsecond=0)
    src = raw_connect(db_file, key)
    try:
        return _backup_connection(src, key, dest, kind, created, store_id)
    finally:
        src.close()


def prune_backups(
    where: str | os.PathLike[str],
    policy: RetentionPolicy | None = None,
    kinds: Sequence[str] = ("auto",),
) -> list[Path]:
    """Delete the backups of ``kinds`` that :func:`keep_set` does not keep."""
    backups = [b for b in list_backups(where) if b.kind in kinds]
    keep = keep_set((b.created for b in backups), policy)
    removed = []
    for b in backups:
        if b.created in keep:
            continue
        for path in (b.summary_path, b.path):  # the summary first: a half-removed backup
            with contextlib.suppress(FileNotFoundError):  # then lists as "no summary"
                path.unlink()
        removed.append(b.path)
    if removed:
        fsync_dir(removed[0].parent)
    return removed


def maybe_auto_backup(
    store: Any, now: datetime | None = None, policy: RetentionPolicy | None = None
) -> BackupInfo | None:
    """Make today's automatic backup if there is none yet, then thin old ones.

    The window calls this at start and at close; it returns ``None`` when
    today's backup already exists. Raises :class:`BackupError` (show it) when
    the backup fails.
    """
    if getattr(store, "is_hub", False):
        return None  # a hub is backed up on its server
    moment = now or datetime.now()
    folder = backup_dir(store.folder)
    today: date = moment.date()
    if any(b.kind == "auto" and b.created.date() == today for b in list_backups(folder)):
        return None
    info = backup_store(store, folder, kind="auto", now=moment)
    prune_backups(folder, policy)
    remove_stale_temps(folder, older_than=3600)  # left by a backup that was killed
    _remove_stale_drills(Path(store.folder), older_than=3600)
    return info


def _remove_stale_drills(data: Path, older_than: float) -> None:
    """Scratch folders of drills that were killed (they hold a copy of the store)."""
    limit = time.time() - older_than
    for scratch in data.glob(".drill-*"):
        with contextlib.suppress(OSError):
            if scratch.is_dir() and scratch.stat().st_mtime < limit:
                shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------- drills


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class DrillReport:
    backup: Path
    checks: list[Check] = field(default_factory=list)
    tables: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    audit_entries: int = 0
    encrypted: bool = False
    seconds: float = 0.0
    scratch: Path | None = None  # the restored copy, kept only for a restore
    key: bytes | None = field(default=None, repr=False)
    summary: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def problems(self) -> list[str]:
        return [f"{c.name}：{c.detail}" if c.detail else c.name for c in self.checks if not c.ok]

    def restorable(self, scratch: Path) -> bool:
        """The copy opened and passed the integrity check (``--force`` may restore it)."""
        passed = {c.name for c in self.checks if c.ok}
        return scratch.is_file() and {_INTEGRITY, _OPENS} <= passed

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def lines(self) -> list[str]:
        out = [f"恢复演练：{self.backup}"]
        for c in self.checks:
            out.append(f"  {'✓' if c.ok else '✗'} {c.name}" + (f"：{c.detail}" if c.detail else ""))
        if self.tables:
            total = sum(a or 0 for _, a in self.tables.values())
            out.append(
                f"  共 {len(self.tables)} 张表、{total} 条记录，审计日志 {self.audit_entries} 条"
            )
        verdict = "通过：备份完整，可以恢复" if self.ok else "未通过：备份不完整或已损坏"
        out.append(f"结论：{verdict}（用时 {self.seconds:.2f} 秒）")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "backup": str(self.backup),
            "ok": self.ok,
            "encrypted": self.encrypted,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "tables": {k: {"expected": e, "restored": a} for k, (e, a) in self.tables.items()},
            "audit_entries": self.audit_entries,
            "seconds": round(self.seconds, 3),
        }


def _backup_key(
    backup: Path,
    summary: dict[str, Any] | None,
    folder: Path,
    key: bytes | None,
    recovery_key: str | None,
    secrets: SecretStore | None,
    passphrase: str | PassphraseProvider | None,
) -> bytes:
    if key is not None:
        return crypto_store.find_key(backup, [key])
    wanted = summary.get("key_id") if summary else None
    keys = crypto_store.candidate_keys(
        folder,
        secrets=secrets,
        recovery_key=recovery_key,
        passphrase=passphrase,
        wanted=wanted if isinstance(wanted, str) else None,
    )
    return crypto_store.find_key(backup, keys)


def _check_summary(report: DrillReport, path: Path) -> dict[str, Any] | None:
    """Read the backup's summary; check the file's size and SHA-256 against it."""
    summary = read_summary(path)
    report.summary = summary
    report.add(
        "备份摘要",
        summary is not None,
        "" if summary else f"缺少或无法读取摘要文件 {summary_path(path).name}，无法证明完整",
    )
    if summary is not None:
        size, expected = path.stat().st_size, summary.get("size")
        report.add(
            "文件大小",
            size == expected,
            "" if size == expected else f"应为 {expected} 字节，实为 {size} 字节（被截断？）",
        )
        digest = _sha256(path)
        report.add(
            "SHA-256 校验值",
            digest == summary.get("sha256"),
            "" if digest == summary.get("sha256") else "与摘要不符，备份文件已被改动",
        )
    return summary


def _drill_key(
    report: DrillReport,
    path: Path,
    summary: dict[str, Any] | None,
    folder: Path,
    key: bytes | None,
    recovery_key: str | None,
    secrets: SecretStore | None,
    passphrase: str | PassphraseProvider | None,
) -> tuple[bool, bytes | None]:
    """The key of an encrypted backup (``None`` for a plain one).

    Returns ``(False, None)`` when the drill cannot go on: the key was not
    found or the file is empty (the report says which).
    """
    state = crypto_store.file_state(path)
    report.encrypted = state == "encrypted"
    use_key: bytes | None = None
    if state == "encrypted":
        try:
            use_key = _backup_key(path, summary, folder, key, recovery_key, secrets, passphrase)
        except StoreError as exc:
            report.add("用密钥打开", False, exc.message)
            return False, None
        report.add("用密钥打开", True, f"密钥 {key_id(use_key)}")
    elif state == "missing":
        report.add("备份内容", False, "文件为空")
        return False, None
    return True, use_key


def _restore_copy(report: DrillReport, path: Path, scratch: Path, key: bytes | None) -> bool:
    """Copy the backup to ``scratch`` with SQLite's backup API; whether that worked."""
    try:
        src = raw_connect(path, key, readonly=True)
        try:
            dst = raw_connect(scratch, key)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except WrongKeyError as exc:
        report.add("还原到临时位置", False, exc.message)
        return False
    except Exception as exc:
        report.add("还原到临时位置", False, f"无法读取备份：{exc}")
        return False
    report.add("还原到临时位置", True)
    return True


def _check_restored(
    report: DrillReport, scratch: Path, key: bytes | None
) -> crypto_store.DbSummary | None:
    """Integrity check and audit chain of the restored copy (``None``: it did not open)."""
    try:
        restored = crypto_store.summarize(scratch, key)
    except StoreError as exc:
        report.add("重新打开并检查", False, exc.message)
        return None
    report.add(
        _INTEGRITY,
        restored.integrity == "ok",
        "" if restored.integrity == "ok" else restored.integrity,
    )
    report.audit_entries = restored.audit_entries
    report.add(
        "审计日志哈希链",
        restored.audit_ok,
        ""
        if restored.audit_ok
        else f"第 {restored.audit_broken_at} 条校验失败：{restored.audit_reason}",
    )
    return restored


def _compare_with_summary(
    report: DrillReport, summary: dict[str, Any] | None, restored: crypto_store.DbSummary
) -> None:
    """Row counts per table and the audit chain's end, restored copy against summary."""
    if summary is None:
        report.tables = {n: (None, c) for n, c in restored.tables.items()}
        return
    expected_tables = summary.get("tables") or {}
    names = sorted(set(expected_tables) | set(restored.tables))
    report.tables = {n: (expected_tables.get(n), restored.tables.get(n)) for n in names}
    wrong = [f"{n} 应为 {e} 实为 {a}" for n, (e, a) in report.tables.items() if e != a]
    report.add("各表记录数与摘要一致", not wrong, "；".join(wrong[:5]))
    audit = summary.get("audit") or {}
    same_chain = (audit.get("entries"), audit.get("head")) == (
        restored.audit_entries,
        restored.audit_head,
    )
    report.add(
        "审计日志末端与摘要一致",
        same_chain,
        "" if same_chain else f"摘要 {audit.get('entries')} 条，还原后 {restored.audit_entries} 条",
    )


def _check_opens(report: DrillReport, scratch_dir: Path, key: bytes | None) -> None:
    """The app opens the restored copy (migrating it if its schema is older)."""
    from app.storage.store import Store

    try:
        opened = Store.open(scratch_dir, key=key)
        opened.close()
        report.add(_OPENS, True)
    except Exception as exc:  # a backup the app cannot open is not a backup
        message = getattr(exc, "message", None) or str(exc)
        report.add(_OPENS, False, message)


def drill(
    backup: str | os.PathLike[str],
    folder: str | os.PathLike[str] | None = None,
    *,
    key: bytes | None = None,
    recovery_key: str | None = None,
    secrets: SecretStore | None = None,
    passphrase: str | PassphraseProvider | None = None,
    keep_scratch: bool = False,
) -> DrillReport:
    """Restore ``backup`` into a scratch folder and prove it complete (``omw restore --drill``).

    Never raises for a bad backup: every finding is a failed check in the report.
    The scratch folder is inside the data folder (same disk, same protection)
    and removed afterwards unless ``keep_scratch``.
    """
    started = time.monotonic()
    path = Path(backup).resolve()
    data = paths.data_dir(folder)
    report = DrillReport(path)
    scratch_dir = Path(tempfile.mkdtemp(prefix=".drill-", dir=data))
    scratch = scratch_dir / paths.DB_FILENAME
    try:
        if not report.add("备份文件存在", path.is_file(), "" if path.is_file() else str(path)):
            return report
        summary = _check_summary(report, path)
        go_on, use_key = _drill_key(
            report, path, summary, data, key, recovery_key, secrets, passphrase
        )
        if not go_on:
            return report
        report.key = use_key
        if not _restore_copy(report, path, scratch, use_key):
            return report
        restored = _check_restored(report, scratch, use_key)
        if restored is None:
            return report
        _compare_with_summary(report, summary, restored)
        _check_opens(report, scratch_dir, use_key)
        return report
    finally:
        report.seconds = time.monotonic() - started
        if keep_scratch and (report.ok or report.restorable(scratch)):
            report.scratch = scratch
        else:
            shutil.rmtree(scratch_dir, ignore_errors=True)


# --------------------------------------------------------------------------- restore


@dataclass
class RestoreReport:
    drill: DrillReport
    restored: Path
    previous_backup: Path | None
    encrypted: bool
    notes: list[str] = field(default_factory=list)


def restore_backup(
    backup: str | os.PathLike[str],
    folder: str | os.PathLike[str] | None = None,
    *,
    key: bytes | None = None,
    recovery_key: str | None = None,
    secrets: SecretStore | None = None,
    passphrase: str | PassphraseProvider | None = None,
    force: bool = False,
    now: datetime | None = None,
) -> RestoreReport:
    """Replace the store of ``folder`` by ``backup`` (``omw restore FILE``).

    The backup is drilled first (refused unless it passes, or ``force`` and the
    copy is at least intact); the current store is backed up into
    ``backups/`` (``pre-restore``); then the verified copy replaces the store
    atomically. The caller must have closed its :class:`~app.storage.store.Store`.
    """
    data = paths.data_dir(folder)
    db = paths.db_path(data)
    with instance.acquire(data):
        instance.require_sole_holder(data)
        report = drill(
            backup,
            data,
            key=key,
            recovery_key=recovery_key,
            secrets=secrets,
            passphrase=passphrase,
            keep_scratch=True,
        )
        scratch = report.scratch
        try:
            if scratch is None or not (report.ok or force):
                raise BackupError(
                    "备份未通过恢复演练，未恢复，当前数据未改动："
                    + "；".join(report.problems)
                    + ("" if scratch is None else "。如确认仍要恢复，请加 --force。")
                )
            notes: list[str] = []
            previous = _set_aside_current(data, db, secrets, passphrase, now, notes)
            crypto_store.checkpoint(scratch, report.key)
            crypto_store.remove_wal_files(scratch)
            crypto_store.remove_wal_files(db)
            replace_file(scratch, db)
        finally:
            if scratch is not None:
                shutil.rmtree(scratch.parent, ignore_errors=True)
        _note_restored_key(data, report, recovery_key, secrets, passphrase)
        _forget_outside_head(data, secrets, passphrase, notes)
        return RestoreReport(report, db, previous, report.key is not None, notes)


def _forget_outside_head(
    data: Path,
    secrets: SecretStore | None,
    passphrase: str | PassphraseProvider | None,
    notes: list[str],
) -> None:
    """A restore the user asked for rolls the store back on purpose: the audit head this
    laptop remembered is no longer the reference (the next commit records the new one)."""
    from app.storage import device

    try:
        key = device.peek(data, secrets or open_secret_store(data, passphrase=passphrase))
        if key is not None:
            key.reset_outside_head(None)
    except DomainError as exc:
        notes.append(f"本机记得的审计链头未能更新（{exc}），omw check 会把这次恢复报告为回退。")


def _set_aside_current(
    data: Path,
    db: Path,
    secrets: SecretStore | None,
    passphrase: str | PassphraseProvider | None,
    now: datetime | None,
    notes: list[str],
) -> Path | None:
    """Back up the current store before it is replaced; an unreadable one is moved aside."""
    state = crypto_store.file_state(db)
    if state == "missing":
        return None
    dest = backup_dir(data)
    key: bytes | None = None
    try:
        if state == "encrypted":
            key = crypto_store.unlock(data, db, secrets=secrets, passphrase=passphrase)
        crypto_store.checkpoint(db, key)
        info = backup_file(db, key, dest, kind="pre-restore", now=now, store_id=_store_id(data))
        return info.path
    except (StoreError, *driver_errors()) as exc:
        # The current store cannot be opened or copied (lost key, damage): keep its bytes as
        # they are — a damaged store is what a restore is for.
        why = exc.message if isinstance(exc, StoreError) else f"数据库文件已损坏：{exc}"
        dest.mkdir(parents=True, exist_ok=True)
        created = (now or datetime.now()).replace(microsecond=0)
        target = _unique_name(dest, created, "pre-restore")
        target = target.with_name(target.name.replace(SUFFIX, "-unreadable" + SUFFIX))
        for suffix in ("-wal", "-shm"):
            side = db.with_name(db.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
        os.replace(db, target)
        fsync_dir(dest)
        notes.append(f"当前数据存储无法打开（{why}），已原样移到 {target}")
        return target


def _note_restored_key(
    data: Path,
    report: DrillReport,
    recovery_key: str | None,
    secrets: SecretStore | None,
    passphrase: str | PassphraseProvider | None,
) -> None:
    """Make the key info name the key of the restored store."""
    info = crypto_store.load_keyinfo(data)
    if report.key is None:
        if info is not None and info.store_encrypted:
            info.store_encrypted = False
            crypto_store.save_keyinfo(data, info)
        return
    from app.storage.secrets import open_secret_store

    if recovery_key:
        store = secrets or open_secret_store(data, passphrase=passphrase)
        crypto_store.remember_recovery_key(data, recovery_key, store)
        return
    info = crypto_store.load_keyinfo(data)
    if info is None:
        return
    info.make_current(key_id(report.key))
    info.store_encrypted = True
    crypto_store.save_keyinfo(data, info)


# --------------------------------------------------------------------------- after ``omw encrypt``


def encrypt_plain_backups(folder: Path, key: bytes, kid: str) -> list[Path]:
    """Encrypt the plain backups in ``backups/`` in place (called by ``omw encrypt``)."""
    converted = []
    for b in list_backups(folder):
        if crypto_store.file_state(b.path) != "plain":
            continue
        temp = temp_path_for(b.path)
        try:
            crypto_store.export_copy(b.path, None, temp, key)
            if b.summary is not None:
                copy = crypto_store.summarize(temp, key, readonly=True)
                if copy.tables != b.summary.get("tables"):
                    raise BackupError(f"加密备份 {b.path.name} 时记录数不一致，已停止。")
            replace_file(temp, b.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        if b.summary is not None:
            summary = dict(b.summary)
            summary.update(
                size=b.path.stat().st_size, sha256=_sha256(b.path), encrypted=True, key_id=kid
            )
            atomic_write_text(
                b.summary_path, json.dumps(summary, ensure_ascii=False, indent=1) + "\n"
            )
        converted.append(b.path)
    return converted
