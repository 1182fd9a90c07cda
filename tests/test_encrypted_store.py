"""The encrypted store: setup, keys, clear errors, conversions, migrations, the CLI."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.cli import main as cli
from app.errors import DomainError
from app.records import attachments, drafts
from app.records import inspections as ins
from app.storage import backup, conversion, crypto_store, secrets
from app.storage.secrets import SecretStore, open_secret_store
from app.storage.store import Store
from db import migrate
from db.audit import verify_chain
from db.engine import WrongKeyError
from db.models import Blob
from tests.factories import install, png_bytes
from tests.memory_keyring import MemoryKeyring
from tests.migration_helpers import stage_test_revision

SECRET_TEXT = "甲方机密巡检结论：核心交换机端口异常"
PNG = png_bytes(width=5, height=4, seed=9)


@pytest.fixture
def keyring_secrets(isolated_dirs: Path) -> SecretStore:
    """A fresh in-memory keyring of our own (so a test can also 'lose' it)."""
    return open_secret_store(isolated_dirs, backend=MemoryKeyring())


def _fill(store: Store) -> None:
    with store.session() as s:
        install(s)
        run = ins.start_run(
            s, "test-portal", "monthly", scheduled_date=date(2026, 11, 3), inspector="张工"
        )
        attachments.add_attachment(
            s, "inspection_run", run.id, PNG, "端口.png", caption=SECRET_TEXT
        )
        drafts.save_field(s, "fault:new", "fault_record", "描述", SECRET_TEXT, title="草稿")


def _encrypted_store(folder: Path, store_secrets: SecretStore) -> tuple[Store, str]:
    new = crypto_store.create_key(folder, store_secrets)
    store = Store.open(folder, actor="测试工程师", secrets=store_secrets)
    return store, new.recovery_key


def _raw_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.glob("omw.sqlite3*")))


def _chain(store: Store) -> tuple[int, str]:
    with store.session() as s:
        report = verify_chain(s)
        assert report.ok
        head = s.execute(text("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")).scalar()
    return report.entries, str(head)


# --------------------------------------------------------------------------- at rest


def test_plain_store_shows_its_content_on_disk(store: Store, isolated_dirs: Path) -> None:
    _fill(store)
    store.close()
    raw = _raw_bytes(isolated_dirs)
    assert raw.startswith(b"SQLite format 3\x00")
    assert PNG in raw and SECRET_TEXT.encode("utf-8") in raw  # what encryption must hide


def test_encrypted_store_hides_records_attachments_and_signatures(
    isolated_dirs: Path, keyring_secrets: SecretStore
) -> None:
    store, _ = _encrypted_store(isolated_dirs, keyring_secrets)
    assert store.encrypted and store.key_id
    _fill(store)
    with store.engine.connect() as conn:  # the same pragmas as a plain store
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with store.session() as s:
        assert s.scalars(select(Blob.data)).all() == [PNG]
        assert drafts.load(s, "fault:new")["描述"] == SECRET_TEXT
    raw_before_close = _raw_bytes(isolated_dirs)  # WAL frames too
    store.close()
    for raw in (raw_before_close, _raw_bytes(isolated_dirs)):
        assert not raw.startswith(b"SQLite format 3")
        assert b"\x89PNG" not in raw and b"IHDR" not in raw
        assert SECRET_TEXT.encode("utf-8") not in raw and "张工".encode() not in raw
    assert crypto_store.file_state(isolated_dirs / "omw.sqlite3") == "encrypted"


# --------------------------------------------------------------------------- keys and errors


def test_wrong_key_is_a_clear_error_not_a_traceback(
    isolated_dirs: Path, keyring_secrets: SecretStore
) -> None:
    store, _ = _encrypted_store(isolated_dirs, keyring_secrets)
    store.close()
    with pytest.raises(WrongKeyError, match="密钥不正确") as caught:
        Store.open(isolated_dirs, key=bytes(32))
    assert "file is not a database" not in caught.value.message
    with pytest.raises(DomainError, match="校验不符"):
        Store.open(isolated_dirs, recovery_key="AAAA-" * 9 + "AAAA")
    with pytest.raises(WrongKeyError, match="密钥不正确"):
        Store.open(isolated_dirs, recovery_key=secrets.new_recovery_key())
    Store.open(isolated_dirs, secrets=keyring_secrets).close()  # the lock was released each time


def test_missing_key_says_where_it_was_and_how_to_recover(
    isolated_dirs: Path, keyring_secrets: SecretStore
) -> None:
    store, recovery = _encrypted_store(isolated_dirs, keyring_secrets)
    _fill(store)
    store.close()
    lost = open_secret_store(isolated_dirs, backend=MemoryKeyring())  # e.g. a new laptop user
    with pytest.raises(DomainError, match="找不到数据存储的密钥") as caught:
        Store.open(isolated_dirs, secrets=lost)
    assert "omw key unlock" in caught.value.message
    assert "系统钥匙串" in caught.value.message

    # the recovery key opens the store directly, and can be put back into the keyring
    Store.open(isolated_dirs, recovery_key=recovery.lower()).close()
    crypto_store.remember_recovery_key(isolated_dirs, recovery, lost)
    reopened = Store.open(isolated_dirs, secrets=lost)
    with reopened.session() as s:
        assert drafts.load(s, "fault:new")["描述"] == SECRET_TEXT
    reopened.close()

    # a recovery key of another store is refused, nothing saved
    with pytest.raises(DomainError, match="打不开当前数据存储"):
        crypto_store.remember_recovery_key(isolated_dirs, secrets.new_recovery_key(), lost)

    (isolated_dirs / "omw-key.json").unlink()
    with pytest.raises(DomainError, match="没有密钥信息文件"):
        Store.open(isolated_dirs, secrets=lost)
    crypto_store.remember_recovery_key(isolated_dirs, recovery, lost)  # rewrites it
    Store.open(isolated_dirs, secrets=lost).close()


def test_broken_keyring_at_setup_uses_the_passphrase_file(isolated_dirs: Path) -> None:
    from keyring.backends import fail

    file_secrets = open_secret_store(
        isolated_dirs, backend=fail.Keyring(), passphrase="口令口令口令口令"
    )
    assert file_secrets.kind == "file"
    store, recovery = _encrypted_store(isolated_dirs, file_secrets)
    store.close()
    info = crypto_store.load_keyinfo(isolated_dirs)
    assert info is not None and info.secret_kind == "file"
    assert str(isolated_dirs / "omw-secrets.json") in info.secret_location
    again = open_secret_store(isolated_dirs, backend=fail.Keyring(), passphrase="口令口令口令口令")
    Store.open(isolated_dirs, secrets=again).close()

    wrong = open_secret_store(isolated_dirs, backend=fail.Keyring(), passphrase="not the one")
    with pytest.raises(DomainError, match="口令错误"):
        Store.open(isolated_dirs, secrets=wrong)
    (isolated_dirs / "omw-secrets.json").write_text("garbage")  # a corrupted key file
    damaged = open_secret_store(
        isolated_dirs, backend=fail.Keyring(), passphrase="口令口令口令口令"
    )
    with pytest.raises(DomainError, match="已损坏"):
        Store.open(isolated_dirs, secrets=damaged)
    Store.open(isolated_dirs, recovery_key=recovery).close()  # data not lost


# --------------------------------------------------------------------------- conversions


def _counts(store: Store) -> dict[str, int]:
    return crypto_store.summarize(store.db_path, store.key).tables


def test_plain_to_encrypted_to_plain_keeps_every_row_and_the_chain(
    isolated_dirs: Path, keyring_secrets: SecretStore
) -> None:
    store = Store.open(isolated_dirs, actor="测试工程师")
    _fill(store)
    plain_backup = backup.backup_store(store)
    counts, chain = _counts(store), _chain(store)
    store.close()
    migration_copy = isolated_dirs / "omw.sqlite3.bak-0001-20260101-000000"
    shutil.copyfile(plain_backup.path, migration_copy)  # as a migration would leave one

    report = conversion.encrypt_store(isolated_dirs, secrets=keyring_secrets)
    assert report.encrypted and report.recovery_key and report.tables == counts
    assert crypto_store.is_encrypted(isolated_dirs / "omw.sqlite3")
    assert set(report.converted_files) == {plain_backup.path, migration_copy}
    for old in report.converted_files:  # no plain copy of client data is left behind
        assert crypto_store.is_encrypted(old)
    assert backup.drill(plain_backup.path, isolated_dirs, secrets=keyring_secrets).ok
    leftovers = [
        p.name for p in isolated_dirs.iterdir() if p.name.startswith(".") or "pre-" in p.name
    ]
    assert leftovers == []
    assert conversion.plain_copies(isolated_dirs) == []
    killed_midway = isolated_dirs / "omw.sqlite3.pre-encrypt-20260101-000000"
    con = sqlite3.connect(killed_midway)  # what a conversion killed after the swap leaves
    con.execute("CREATE TABLE t (x)")
    con.close()
    assert conversion.plain_copies(isolated_dirs) == [killed_midway]  # omw key status warns
    killed_midway.unlink()

    enc = Store.open(isolated_dirs, secrets=keyring_secrets)
    assert _counts(enc) == counts and _chain(enc) == chain
    with enc.session() as s:
        assert s.scalars(select(Blob.data)).all() == [PNG]
    enc.close()
    assert PNG not in _raw_bytes(isolated_dirs)

    with pytest.raises(DomainError, match="已经是加密的"):
        conversion.encrypt_store(isolated_dirs, secrets=keyring_secrets)

    back = conversion.decrypt_store(isolated_dirs, secrets=keyring_secrets)
    assert not back.encrypted and back.tables == counts
    plain = Store.open(isolated_dirs)
    assert not plain.encrypted
    assert _counts(plain) == counts and _chain(plain) == chain
    plain.close()
    assert PNG in _raw_bytes(isolated_dirs)
    with pytest.raises(DomainError, match="没有加密"):
        conversion.decrypt_store(isolated_dirs, secrets=keyring_secrets)


def test_rekey_retires_the_old_recovery_key_but_keeps_old_backups_readable(
    isolated_dirs: Path, keyring_secrets: SecretStore
) -> None:
    store, old_recovery = _encrypted_store(isolated_dirs, keyring_secrets)
    _fill(store)
    old_backup = backup.backup_store(store)
    counts, chain = _counts(store), _chain(store)
    store.close()

    report = conversion.rekey_store(isolated_dirs, secrets=keyring_secrets)
    assert report.recovery_key and report.recovery_key != old_recovery
    assert report.tables == counts
    with pytest.raises(WrongKeyError):
        Store.open(isolated_dirs, key=secrets.store_key_from_recovery(old_recovery))
    fresh = Store.open(isolated_dirs, recovery_key=report.recovery_key)
    assert _chain(fresh) == chain
    fresh.close()
    drill = backup.drill(old_backup.path, isolated_dirs, secrets=keyring_secrets)
    assert drill.ok, drill.problems  # found the old key by the backup's key id


def test_a_conversion_that_does_not_verify_leaves_the_store_untouched(
    isolated_dirs: Path, keyring_secrets: SecretStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(isolated_dirs)
    _fill(store)
    store.close()
    before = (isolated_dirs / "omw.sqlite3").read_bytes()
    real_export = crypto_store.export_copy

    def lossy_export(src: Path, src_key: bytes | None, dst: Path, dst_key: bytes | None) -> None:
        real_export(src, src_key, dst, dst_key)
        con = crypto_store.raw_connect(dst, dst_key)
        con.execute("DELETE FROM draft")  # a copy that lost rows
        con.commit()
        con.close()

    monkeypatch.setattr(conversion, "export_copy", lossy_export)
    with pytest.raises(crypto_store.ConversionError, match="表 draft 记录数不符"):
        conversion.encrypt_store(isolated_dirs, secrets=keyring_secrets)
    assert (isolated_dirs / "omw.sqlite3").read_bytes() == before
    assert not [p for p in isolated_dirs.iterdir() if p.name.startswith(".omw")]
    info = crypto_store.load_keyinfo(isolated_dirs)
    assert info is not None and not info.store_encrypted
    Store.open(isolated_dirs).close()  # still opens as the plain store it is


def test_conversion_refused_while_the_store_is_open_here(
    store: Store, isolated_dirs: Path, keyring_secrets: SecretStore
) -> None:
    from app.storage.instance import StoreBusyError

    with pytest.raises(StoreBusyError, match="请先关闭"):
        conversion.encrypt_store(isolated_dirs, secrets=keyring_secrets)


# --------------------------------------------------------------------------- migrations


def test_migrating_an_encrypted_store_keeps_an_encrypted_copy(
    isolated_dirs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    keyring_secrets: SecretStore,
) -> None:
    store, _ = _encrypted_store(isolated_dirs, keyring_secrets)
    _fill(store)
    head = migrate.head_revision(store.engine)
    store.close()
    stage_test_revision(tmp_path, head, monkeypatch)
    upgraded = Store.open(isolated_dirs, secrets=keyring_secrets)
    assert migrate.current_revision(upgraded.engine) == "9999"
    copy = upgraded.migration_backup
    key = upgraded.key
    upgraded.close()
    assert copy is not None and crypto_store.is_encrypted(copy)
    assert PNG not in copy.read_bytes()
    summary = crypto_store.summarize(copy, key, readonly=True)
    assert summary.revision == head and summary.integrity == "ok" and summary.audit_ok


# --------------------------------------------------------------------------- command line


def _omw(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_encrypted_store_end_to_end(
    capsys: pytest.CaptureFixture[str], isolated_dirs: Path, tmp_path: Path
) -> None:
    d = ["--data-dir", str(isolated_dirs)]
    rk = tmp_path / "recovery.txt"
    code, out, err = _omw(capsys, *d, "init", "--encrypt", "--recovery-out", str(rk))
    assert code == 0, err
    assert "数据存储已加密" in out and "系统钥匙串" in out
    recovery = secrets.read_recovery_file(rk)
    assert crypto_store.is_encrypted(isolated_dirs / "omw.sqlite3")

    code, out, err = _omw(capsys, *d, "audit", "verify")
    assert code == 0 and "哈希链校验通过" in out, err
    code, out, _ = _omw(capsys, *d, "key", "status")
    assert "已加密" in out

    code, _, err = _omw(capsys, *d, "init", "--encrypt", "--recovery-out", str(rk))
    assert code == 0, err  # already encrypted: init just reloads the profiles

    # the keyring "loses" the secret (e.g. a new Windows profile): the recovery file restores it
    info = crypto_store.load_keyinfo(isolated_dirs)
    assert info is not None
    open_secret_store(isolated_dirs).delete(info.secret_name())
    code, _, err = _omw(capsys, *d, "audit", "verify")
    assert code == 2 and "找不到数据存储的密钥" in err and "Traceback" not in err
    code, out, err = _omw(capsys, *d, "key", "unlock", "--recovery-file", str(rk))
    assert code == 0 and "已解锁" in out, err
    assert _omw(capsys, *d, "audit", "verify")[0] == 0

    exported = tmp_path / "exported.txt"
    assert _omw(capsys, *d, "key", "export-recovery", str(exported))[0] == 0
    assert secrets.read_recovery_file(exported) == recovery
    code, _, err = _omw(capsys, *d, "key", "export-recovery", str(exported))
    assert code == 2 and "已存在" in err

    code, _, err = _omw(capsys, *d, "decrypt")
    assert code == 2 and "--yes" in err
    code, out, err = _omw(capsys, *d, "rekey", "--recovery-out", str(tmp_path / "new.txt"))
    assert code == 0 and "与转换前一致" in out, err
    code, out, err = _omw(capsys, *d, "decrypt", "--yes")
    assert code == 0 and "未加密" in out, err
    assert not crypto_store.is_encrypted(isolated_dirs / "omw.sqlite3")
    code, out, err = _omw(capsys, *d, "encrypt")
    assert code == 0 and "恢复密钥" in out, err
    assert _omw(capsys, *d, "audit", "verify")[0] == 0


def test_cli_wrong_key_file_passphrase(
    capsys: pytest.CaptureFixture[str],
    isolated_dirs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OMW_SECRET_STORE", "file")
    monkeypatch.setenv("OMW_PASSPHRASE", "the right passphrase")
    d = ["--data-dir", str(isolated_dirs)]
    rk = tmp_path / "recovery.txt"
    code, out, err = _omw(capsys, *d, "init", "--encrypt", "--recovery-out", str(rk))
    assert code == 0 and "口令保护的加密文件" in out, err
    monkeypatch.setenv("OMW_PASSPHRASE", "a wrong passphrase")
    code, _, err = _omw(capsys, *d, "audit", "verify")
    assert code == 2 and "口令错误" in err and "Traceback" not in err
    monkeypatch.delenv("OMW_PASSPHRASE")
    code, _, err = _omw(capsys, *d, "audit", "verify")
    assert code == 2 and "需要密钥文件的口令" in err
    # forgotten passphrase: move the file aside and re-save the key under a new one
    monkeypatch.setenv("OMW_PASSPHRASE", "a brand new passphrase")
    code, out, err = _omw(
        capsys, *d, "key", "unlock", "--recovery-file", str(rk), "--reset-secret-file"
    )
    assert code == 0 and "已解锁" in out, err
    assert _omw(capsys, *d, "audit", "verify")[0] == 0
