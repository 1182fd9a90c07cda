"""Backups: online copies with a summary, thinning, restore drills that catch bad backups."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.cli import main as cli
from app.errors import StoreFailure
from app.records import drafts
from app.storage import backup, conversion, crypto_store
from app.storage.backup import RetentionPolicy, keep_set
from app.storage.instance import StoreBusyError
from app.storage.secrets import SecretStore, open_secret_store
from app.storage.store import Store
from db.models import AuditEntry, CalendarOverride, Draft
from tests.crash_writer import day_of
from tests.memory_keyring import MemoryKeyring

# --------------------------------------------------------------------------- thinning (pure)


def _days(start: datetime, n: int, step: timedelta = timedelta(days=1)) -> list[datetime]:
    return [start + i * step for i in range(n)]


def test_thinning_keeps_seven_days_four_weeks_twelve_months() -> None:
    stamps = _days(datetime(2025, 1, 1, 9), 400)  # one backup a day for 400 days
    keep = keep_set(stamps)
    newest = max(stamps)
    daily = {s for s in keep if newest - s < timedelta(days=7)}
    assert len(daily) == 7  # the last seven days
    weeks = {s.isocalendar()[:2] for s in keep}
    months = {(s.year, s.month) for s in keep}
    assert len(months) == 12 and len(weeks) >= 4
    assert len(keep) <= 7 + 4 + 12
    assert min(keep) >= datetime(2025, 2, 1)  # thirteen months back are gone
    # the newest of each kept month is the one kept (Sunday nights etc.)
    for s in keep:
        if newest - s > timedelta(days=40):
            assert (s + timedelta(days=1)).month != s.month  # last day of its month


def test_thinning_keeps_the_newest_of_a_day_and_survives_long_gaps() -> None:
    morning, evening = datetime(2026, 3, 2, 8), datetime(2026, 3, 2, 18)
    assert keep_set([morning, evening], RetentionPolicy(1, 0, 0)) == {evening}
    # a laptop switched off for months keeps its older backups (periods *with* a backup count)
    stamps = [datetime(2025, 1, 5), datetime(2025, 6, 5), datetime(2026, 3, 2)]
    assert keep_set(stamps) == set(stamps)
    assert keep_set([]) == set()
    assert keep_set(stamps, RetentionPolicy(0, 0, 0)) == {datetime(2026, 3, 2)}  # always one


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1)),
        max_size=60,
    ),
    st.integers(0, 8),
    st.integers(0, 5),
    st.integers(0, 13),
)
def test_thinning_properties(stamps: list[datetime], daily: int, weekly: int, monthly: int) -> None:
    policy = RetentionPolicy(daily, weekly, monthly)
    keep = keep_set(stamps, policy)
    assert keep <= set(stamps)
    if stamps:
        assert max(stamps) in keep
    assert len(keep) <= daily + weekly + monthly + 1
    assert keep_set(keep, policy) == keep  # thinning twice changes nothing


# --------------------------------------------------------------------------- making backups


def _write(store: Store, n: int = 30, start: int = 0) -> None:
    with store.session() as s:
        for i in range(start, start + n):
            s.add(CalendarOverride(day=day_of(i), workday=True, name=f"调休{i}"))
        drafts.save_field(s, "form:1", "fault_record", "描述", "草稿内容")


def test_backup_is_an_online_copy_with_a_summary(store: Store, isolated_dirs: Path) -> None:
    _write(store)
    info = backup.backup_store(store, now=datetime(2026, 5, 4, 10, 30))
    assert info.path == isolated_dirs / "backups" / "omw-20260504-103000-manual.omwbak"
    assert info.path.read_bytes()[:16] == b"SQLite format 3\x00"  # plain store, plain backup
    summary = json.loads(info.summary_path.read_text(encoding="utf-8"))
    assert summary["tables"]["calendar_override"] == 30 and summary["tables"]["draft"] == 1
    # 30 overrides and this device's key, which the first write registers
    assert summary["audit"]["entries"] == 31 and summary["audit"]["ok"]
    head = summary["audit"]["signed_head"]  # the device-signed head, for omw check --against
    assert head["seq"] == 31 and head["hash"] == summary["audit"]["head"]
    assert summary["size"] == info.path.stat().st_size and not summary["encrypted"]
    con = sqlite3.connect(info.path)  # a self-contained file: no WAL needed beside it
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    con.close()
    # the store stayed usable, and a second backup in the same second gets its own name
    _write(store, 1, start=30)
    again = backup.backup_store(store, now=datetime(2026, 5, 4, 10, 30))
    assert again.path.name == "omw-20260504-103000-manual-2.omwbak"
    assert [b.path for b in backup.list_backups(isolated_dirs)] == [again.path, info.path]
    elsewhere = backup.backup_store(store, isolated_dirs.parent / "usb")
    assert elsewhere.path.parent == isolated_dirs.parent / "usb"


def test_auto_backup_once_a_day_and_thinned(store: Store, isolated_dirs: Path) -> None:
    _write(store, 2)
    start = datetime(2026, 1, 1, 8)
    made = []
    for day in range(40):
        for hour in (0, 9):  # the app starts and closes: at most one backup a day
            info = backup.maybe_auto_backup(store, start + timedelta(days=day, hours=hour))
            if info is not None:
                made.append(info.created)
    assert len(made) == 40
    manual = backup.backup_store(store, now=start - timedelta(days=300))
    left = backup.list_backups(isolated_dirs)
    autos = {b.created for b in left if b.kind == "auto"}
    assert autos == keep_set(made)
    assert len(autos) < 40
    assert manual.path in [b.path for b in left]  # manual backups are never thinned
    assert all(b.summary_path.exists() for b in left)
    names = {p.name for p in (isolated_dirs / "backups").iterdir()}
    assert len(names) == 2 * len(left)  # no orphan summary or file


def test_encrypted_store_gives_encrypted_backups(isolated_dirs: Path) -> None:
    vault = open_secret_store(isolated_dirs, backend=MemoryKeyring())
    crypto_store.create_key(isolated_dirs, vault)
    store = Store.open(isolated_dirs, secrets=vault)
    _write(store)
    info = backup.backup_store(store)
    store.close()
    assert crypto_store.is_encrypted(info.path)
    assert "调休".encode() not in info.path.read_bytes()
    assert info.summary is not None and info.summary["key_id"] == store.key_id
    report = backup.drill(info.path, isolated_dirs, secrets=vault)
    assert report.ok and report.encrypted, report.problems
    stranger = open_secret_store(isolated_dirs, backend=MemoryKeyring())
    report = backup.drill(info.path, isolated_dirs, secrets=stranger)
    assert not report.ok and "找不到数据存储的密钥" in " ".join(report.problems)
    report = backup.drill(info.path, isolated_dirs, key=bytes(32))
    assert not report.ok and "密钥不正确" in " ".join(report.problems)


# --------------------------------------------------------------------------- drills


@pytest.fixture
def made(store: Store) -> backup.BackupInfo:
    _write(store)
    return backup.backup_store(store)


def test_drill_proves_a_good_backup(made: backup.BackupInfo, isolated_dirs: Path) -> None:
    report = backup.drill(made.path, isolated_dirs)
    assert report.ok, report.problems
    assert report.tables["calendar_override"] == (30, 30)
    assert report.audit_entries == 31  # 30 overrides and the device's key
    assert "结论：通过" in report.lines()[-1]
    assert not [p for p in isolated_dirs.iterdir() if p.name.startswith(".drill")]


def _problems(path: Path, folder: Path) -> str:
    report = backup.drill(path, folder)
    assert not report.ok
    assert "未通过" in report.lines()[-1]
    return " ".join(report.problems)


def test_drill_catches_a_truncated_backup(made: backup.BackupInfo, isolated_dirs: Path) -> None:
    data = made.path.read_bytes()
    made.path.write_bytes(data[: len(data) // 2])
    problems = _problems(made.path, isolated_dirs)
    assert "文件大小" in problems and "被截断" in problems


def test_drill_catches_a_changed_byte(made: backup.BackupInfo, isolated_dirs: Path) -> None:
    data = bytearray(made.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    made.path.write_bytes(bytes(data))
    assert "SHA-256" in _problems(made.path, isolated_dirs)


def _reseal(path: Path) -> None:
    """Make the summary's size and hash match a tampered file (a careful tamperer)."""
    summary = json.loads(backup.summary_path(path).read_text(encoding="utf-8"))
    summary.update(size=path.stat().st_size, sha256=backup._sha256(path))
    backup.summary_path(path).write_text(json.dumps(summary), encoding="utf-8")


def test_drill_catches_deleted_rows_even_with_a_matching_hash(
    made: backup.BackupInfo, isolated_dirs: Path
) -> None:
    con = sqlite3.connect(made.path)
    con.execute("DELETE FROM calendar_override WHERE name = '调休3'")
    con.commit()
    con.close()
    _reseal(made.path)
    problems = _problems(made.path, isolated_dirs)
    assert "calendar_override 应为 30 实为 29" in problems


def test_drill_catches_a_rewritten_audit_entry(
    made: backup.BackupInfo, isolated_dirs: Path
) -> None:
    con = sqlite3.connect(made.path)
    triggers = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    for name in triggers:  # someone with the file and a SQLite tool
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute("UPDATE audit_log SET actor = '别人' WHERE seq = 5")
    con.commit()
    con.close()
    _reseal(made.path)
    problems = _problems(made.path, isolated_dirs)
    assert "审计日志哈希链：第 5 条校验失败：记录内容被改动" in problems


def test_drill_needs_the_summary(made: backup.BackupInfo, isolated_dirs: Path) -> None:
    made.summary_path.unlink()
    assert "缺少或无法读取摘要文件" in _problems(made.path, isolated_dirs)
    made.path.write_bytes(b"not a database at all, just junk bytes")
    assert "无法" in _problems(made.path, isolated_dirs)
    assert "备份文件存在" in _problems(isolated_dirs / "nope.omwbak", isolated_dirs)


# --------------------------------------------------------------------------- restore


def _calendar_count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(CalendarOverride)) or 0)


def test_restore_backs_up_the_current_store_then_swaps_atomically(
    store: Store, isolated_dirs: Path
) -> None:
    _write(store, 10)
    good = backup.backup_store(store)
    _write(store, 15, start=10)  # later work that the restore will roll back
    with pytest.raises(StoreBusyError, match="请先关闭"):
        backup.restore_backup(good.path, isolated_dirs)
    store.close()

    result = backup.restore_backup(good.path, isolated_dirs)
    assert result.drill.ok
    assert result.previous_backup is not None
    reopened = Store.open(isolated_dirs)
    assert _calendar_count(reopened) == 10
    reopened.close()
    previous = backup.drill(result.previous_backup, isolated_dirs)
    assert previous.ok and previous.tables["calendar_override"] == (25, 25)  # nothing lost
    assert not [p for p in isolated_dirs.rglob(".*") if p.name != ".drill"]


def test_restore_refuses_a_bad_backup_and_changes_nothing(
    store: Store, isolated_dirs: Path
) -> None:
    _write(store, 10)
    bad = backup.backup_store(store)
    store.close()
    data = bad.path.read_bytes()
    bad.path.write_bytes(data[:4096])
    before = (isolated_dirs / "omw.sqlite3").read_bytes()
    with pytest.raises(backup.BackupError, match="未通过恢复演练"):
        backup.restore_backup(bad.path, isolated_dirs)
    assert (isolated_dirs / "omw.sqlite3").read_bytes() == before
    assert [b.kind for b in backup.list_backups(isolated_dirs)] == ["manual"]


def test_restore_force_without_summary(store: Store, isolated_dirs: Path) -> None:
    _write(store, 10)
    made = backup.backup_store(store)
    with store.session() as s:
        s.add(CalendarOverride(day=day_of(500), workday=False, name="之后"))
    store.close()
    made.summary_path.unlink()
    with pytest.raises(backup.BackupError, match="--force"):
        backup.restore_backup(made.path, isolated_dirs)
    backup.restore_backup(made.path, isolated_dirs, force=True)
    reopened = Store.open(isolated_dirs)
    assert _calendar_count(reopened) == 10
    with reopened.session() as s:
        assert s.scalar(select(func.count()).select_from(Draft)) == 1
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 11  # and the device
    reopened.close()


def test_restore_of_an_encrypted_backup_with_the_recovery_key(
    isolated_dirs: Path, tmp_path: Path
) -> None:
    """A new laptop: only the backup file and the recovery key are left."""
    vault = open_secret_store(isolated_dirs, backend=MemoryKeyring())
    new = crypto_store.create_key(isolated_dirs, vault)
    store = Store.open(isolated_dirs, secrets=vault)
    _write(store, 12)
    made = backup.backup_store(store, tmp_path / "usb")
    store.close()

    laptop = tmp_path / "new-laptop"
    empty: SecretStore = open_secret_store(laptop, backend=MemoryKeyring())
    report = backup.drill(made.path, laptop, secrets=empty)
    assert not report.ok
    report = backup.drill(made.path, laptop, recovery_key=new.recovery_key)
    assert report.ok, report.problems
    backup.restore_backup(made.path, laptop, recovery_key=new.recovery_key, secrets=empty)
    restored = Store.open(laptop, secrets=empty)  # the key was saved for next time
    assert restored.encrypted and _calendar_count(restored) == 12
    restored.close()


def test_restore_over_a_store_whose_key_is_lost(isolated_dirs: Path, tmp_path: Path) -> None:
    """The current store cannot be opened: its bytes are kept aside, not overwritten."""
    store = Store.open(isolated_dirs)
    _write(store, 7)
    plain = backup.backup_store(store, tmp_path / "usb")
    store.close()
    vault = open_secret_store(isolated_dirs, backend=MemoryKeyring())
    conversion.encrypt_store(isolated_dirs, secrets=vault)
    encrypted_bytes = (isolated_dirs / "omw.sqlite3").read_bytes()

    lost = open_secret_store(isolated_dirs, backend=MemoryKeyring())
    result = backup.restore_backup(plain.path, isolated_dirs, secrets=lost)
    assert result.previous_backup is not None
    assert result.previous_backup.name.endswith("-pre-restore-unreadable.omwbak")
    assert result.previous_backup.read_bytes() == encrypted_bytes
    assert "无法打开" in result.notes[0]
    reopened = Store.open(isolated_dirs, secrets=lost)
    assert not reopened.encrypted and _calendar_count(reopened) == 7
    reopened.close()


def test_a_damaged_store_is_explained_and_a_restore_replaces_it(
    isolated_dirs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged file says so in Chinese (no driver traceback), and `omw restore`, which
    the message points to, works over it: the damaged bytes are kept aside as they were."""
    store = Store.open(isolated_dirs)
    _write(store, 7)
    good = backup.backup_store(store, tmp_path / "usb")
    store.close()
    db = isolated_dirs / "omw.sqlite3"
    os.truncate(db, 8192)  # the schema's first page is left, the tables' pages are gone
    damaged = db.read_bytes()
    with pytest.raises(StoreFailure, match="数据库文件已损坏"):
        Store.open(isolated_dirs)
    assert cli.main(["--data-dir", str(isolated_dirs), "check"]) == 2
    assert "数据库文件已损坏" in capsys.readouterr().err

    result = backup.restore_backup(good.path, isolated_dirs)
    assert result.previous_backup is not None
    assert result.previous_backup.name.endswith("-pre-restore-unreadable.omwbak")
    assert result.previous_backup.read_bytes() == damaged
    assert "已损坏" in result.notes[0]
    reopened = Store.open(isolated_dirs)
    assert _calendar_count(reopened) == 7
    reopened.close()


# --------------------------------------------------------------------------- command line


def test_cli_backup_drill_restore(
    capsys: pytest.CaptureFixture[str], isolated_dirs: Path, tmp_path: Path
) -> None:
    d = ["--data-dir", str(isolated_dirs)]
    assert cli.main([*d, "init"]) == 0
    capsys.readouterr()
    assert cli.main([*d, "backup"]) == 0
    out = capsys.readouterr().out
    assert "已备份（未加密，已校验）" in out
    assert cli.main([*d, "backup", "--to", str(tmp_path / "usb"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    path = Path(data["path"])
    assert path.parent == tmp_path / "usb" and data["tables"]["contract"] == 2
    assert cli.main([*d, "backup", "--list"]) == 0
    assert "手动" in capsys.readouterr().out

    assert cli.main([*d, "restore", "--drill", str(path)]) == 0
    assert "结论：通过" in capsys.readouterr().out
    assert cli.main([*d, "restore", str(path)]) == 0
    out = capsys.readouterr().out
    assert "恢复前的数据存储已备份到" in out and "已恢复" in out

    path.write_bytes(path.read_bytes()[:-100])
    assert cli.main([*d, "restore", "--drill", str(path)]) == 1
    assert "未通过" in capsys.readouterr().out
    assert cli.main([*d, "restore", str(path)]) == 2
    assert "未通过恢复演练" in capsys.readouterr().err
