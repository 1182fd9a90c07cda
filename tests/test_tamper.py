"""An attacker with the store file and a database tool, but not this laptop's device key.

Each attack runs on a copy of the demo store through a plain ``sqlite3``
connection with the store's triggers dropped (and put back afterwards, so the
edit is invisible to a glance at the schema), as someone who knows the schema
would. Every one must be reported by ``omw check`` for the record it concerns,
and refused by an export of the month (no forged content signed into a pack).
REPLACE with the triggers in place is refused by the store itself
(``tests/test_tamper_replace.py``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from app.errors import DomainError
from app.export import packs
from app.records.integrity_check import CheckReport, check_store
from app.storage import backup, paths
from app.storage.store import Store
from db.audit import entry_hash
from db.models import CalendarOverride
from tests.test_export_fixtures import MONTH, demo_dir, store_copy  # noqa: F401

#: Edits the store through ``con``; returns a text the check must report.
Attack = Callable[[sqlite3.Connection], str]


@contextmanager
def database_tool(folder: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection with every trigger dropped, put back when done."""
    con = sqlite3.connect(paths.db_path(folder))
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        con.execute(f"DROP TRIGGER {name}")
    try:
        yield con
        con.commit()
    finally:
        for _name, sql in triggers:
            con.execute(sql)
        con.commit()
        con.close()


@pytest.fixture
def folder(demo_dir: Path, tmp_path: Path) -> Iterator[Path]:  # noqa: F811
    """A copy of the demo store that this laptop (the test's keyring) has written to."""
    store = store_copy(demo_dir, tmp_path / "store")
    _write(store, 1)  # a first write: this laptop's device key and its head
    store.close()
    yield tmp_path / "store"


def _write(store: Store, day: int) -> None:
    """An ordinary audited change (a calendar override), as any use of the app makes."""
    with store.session() as s:
        s.add(CalendarOverride(day=date(2027, 1, day), workday=True, name=f"调休{day}"))


def _check(folder: Path, against: list[Path] | None = None) -> CheckReport:
    store = Store.open(folder, exclusive=False)
    try:
        report, _notes = check_store(store, against or [])
    finally:
        store.close()
    return report


def _export_refused(folder: Path, tmp_path: Path) -> str:
    """The month's export fails with a Chinese message and leaves nothing behind."""
    store = Store.open(folder)
    try:
        with store.session() as s:
            plan = packs.plan_month(s, "portal-om", MONTH)
        with pytest.raises(DomainError) as refused:
            packs.export_pack(store, plan, tmp_path / "out", record=False, allow_unreviewed=True)
    finally:
        store.close()
    assert not list((tmp_path / "out").glob("*")), "a refused export left files behind"
    return refused.value.message


def _save_files(folder: Path, to: Path) -> None:
    """Copy the store's files (database, WAL) aside, as a file manager would."""
    to.mkdir()
    for f in folder.glob(paths.db_path(folder).name + "*"):
        shutil.copy2(f, to / f.name)


def _put_back(saved: Path, folder: Path) -> None:
    for f in folder.glob(paths.db_path(folder).name + "*"):
        f.unlink()
    for f in saved.iterdir():
        shutil.copy2(f, folder / f.name)


def _one(con: sqlite3.Connection, sql: str, *args: object) -> tuple:
    row = con.execute(sql, args).fetchone()
    assert row is not None, sql
    return row


def _signed_run(con: sqlite3.Connection) -> str:
    """A signed daily run of portal-om in the month (part of the month's pack)."""
    return _one(
        con,
        "SELECT r.id FROM inspection_run r JOIN contract c ON c.id = r.contract_id "
        "WHERE r.locked_at IS NOT NULL AND c.code = 'portal-om' AND r.cadence = 'daily' "
        "ORDER BY r.scheduled_date LIMIT 1",
    )[0]


def _signed_fault(con: sqlite3.Connection) -> tuple[str, str]:
    return _one(
        con,
        "SELECT f.id, f.number FROM fault_record f JOIN contract c ON c.id = f.contract_id "
        "WHERE f.locked_at IS NOT NULL AND c.code = 'portal-om' ORDER BY f.number LIMIT 1",
    )


# --------------------------------------------------------------------------- attacks


def edit_signed_run(con: sqlite3.Connection) -> str:
    con.execute(
        "UPDATE inspection_run SET conclusion = '伪造结论' WHERE id = ?", (_signed_run(con),)
    )
    return "签字后，记录内容被改动"


def edit_item_result(con: sqlite3.Connection) -> str:
    run = _signed_run(con)
    con.execute(
        "UPDATE item_result SET status = 'normal', note = '' WHERE id = "
        "(SELECT id FROM item_result WHERE run_id = ? ORDER BY seq LIMIT 1)",
        (run,),
    )
    con.execute("UPDATE item_result SET value_text = '正常（改）' WHERE run_id = ?", (run,))
    return "签字后，记录内容被改动"


def edit_fault_times(con: sqlite3.Connection) -> str:
    fault, number = _signed_fault(con)
    con.execute(
        "UPDATE fault_record SET recovered_at = datetime(reported_at, '+10 minutes') WHERE id = ?",
        (fault,),
    )
    return f"故障单 {number}"


def edit_and_rehash(con: sqlite3.Connection) -> str:
    """Edit a run and write the new content hash into its signatures, as a careful forger would."""
    run = _signed_run(con)
    con.execute("UPDATE inspection_run SET conclusion = '伪造结论' WHERE id = ?", (run,))
    con.execute("UPDATE signature SET content_sha256 = ? WHERE record_id = ?", ("ab" * 32, run))
    return "与其设备签名不符"


def edit_signature_row(con: sqlite3.Connection) -> str:
    con.execute(
        "UPDATE signature SET signer_name = '冒名者' WHERE record_id = ? AND role = '运维人员'",
        (_signed_run(con),),
    )
    return "与其设备签名不符"


def unlock_record(con: sqlite3.Connection) -> str:
    fault, number = _signed_fault(con)
    con.execute("UPDATE fault_record SET locked_at = NULL WHERE id = ?", (fault,))
    return f"故障单 {number}：已签字的记录被解除锁定"


def delete_signed_fault(con: sqlite3.Connection) -> str:
    fault, _number = _signed_fault(con)
    con.execute("DELETE FROM signature WHERE record_id = ?", (fault,))
    con.execute("DELETE FROM fault_record WHERE id = ?", (fault,))
    return f"编号 {fault[:8]}"


def delete_signatures(con: sqlite3.Connection) -> str:
    fault, number = _signed_fault(con)
    con.execute("DELETE FROM signature WHERE record_id = ?", (fault,))
    return f"故障单 {number}：记录已锁定，却没有任何签字"


def swap_signature_image(con: sqlite3.Connection) -> str:
    fake = b"\x89PNG\r\n\x1a\n" + b"forged image"
    digest = hashlib.sha256(fake).hexdigest()
    con.execute(
        "INSERT INTO blob (sha256, data, size, created_at) VALUES (?, ?, ?, ?)",
        (digest, fake, len(fake), "2026-10-31 12:00:00.000000"),
    )
    run = _signed_run(con)
    con.execute("UPDATE signature SET image_sha256 = ? WHERE record_id = ?", (digest, run))
    return "与其设备签名不符"


def corrupt_signature_image(con: sqlite3.Connection) -> str:
    sha = _one(con, "SELECT image_sha256 FROM signature LIMIT 1")[0]
    con.execute("UPDATE blob SET data = x'00' WHERE sha256 = ?", (sha,))
    return "签名图片被改动或缺失"


def copy_signature(con: sqlite3.Connection) -> str:
    """A genuine signature (with its seal) copied onto an unsigned record."""
    columns = [r[1] for r in con.execute("PRAGMA table_info(signature)")]
    source = dict(
        zip(columns, _one(con, "SELECT * FROM signature WHERE role = '复核人'"), strict=True)
    )
    target = _one(
        con,
        "SELECT r.id FROM inspection_run r JOIN contract c ON c.id = r.contract_id "
        "WHERE r.locked_at IS NOT NULL AND c.code = 'portal-om' AND NOT EXISTS "
        "(SELECT 1 FROM signature s WHERE s.record_id = r.id AND s.role = '复核人') LIMIT 1",
    )[0]
    source |= {
        "id": "00000000-0000-4000-8000-000000000001",
        "record_type": "inspection_run",
        "record_id": target,
    }
    marks = ", ".join("?" for _ in columns)
    con.execute(f"INSERT INTO signature VALUES ({marks})", list(source.values()))
    return "与其设备签名不符"


def truncate_audit(con: sqlite3.Connection) -> str:
    con.execute("DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 50 FROM audit_log)")
    return "数据库被回退，或审计日志被截断"


def rewrite_audit_chain(con: sqlite3.Connection) -> str:
    """Change an early entry and recompute every hash after it (a valid SHA-256 chain)."""
    rows = con.execute(
        "SELECT seq, at, actor, action, entity, entity_id, details FROM audit_log ORDER BY seq"
    ).fetchall()
    prev = "0" * 64
    from datetime import datetime

    for seq, at, actor, action, entity, entity_id, details in rows:
        if seq == 10:
            actor = "伪造者"
        digest = entry_hash(
            seq,
            datetime.fromisoformat(at),
            actor,
            action,
            entity,
            entity_id,
            json.loads(details),
            prev,
        )
        con.execute(
            "UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (actor, prev, digest, seq),
        )
        prev = digest
    return "审计日志被改写"


def forge_head(con: sqlite3.Connection) -> str:
    con.execute("UPDATE audit_head SET seq = seq + 1")
    return "链头签名无效"


def replace_device_key(con: sqlite3.Connection) -> str:
    """Swap a device's public key for the attacker's own (to re-seal forged signatures)."""
    fake = base64.b64encode(os.urandom(32)).decode()
    con.execute("UPDATE device SET public_key = ?", (fake,))
    return "与其设备签名不符"


def delete_heads(con: sqlite3.Connection) -> str:
    con.execute("DELETE FROM audit_head")
    return "没有任何设备签名的链头"


def append_audit_entry(con: sqlite3.Connection) -> str:
    last_seq, last_hash, device, device_seq = _one(
        con, "SELECT seq, hash, device_id, device_seq FROM audit_log ORDER BY seq DESC LIMIT 1"
    )
    from datetime import datetime

    at = datetime(2026, 10, 31, 12)
    digest = entry_hash(device_seq + 1, at, "伪造者", "create", "x", "y", {}, last_hash)
    con.execute(
        "INSERT INTO audit_log VALUES (?, ?, '伪造者', 'create', 'x', 'y', '{}', ?, ?, ?, ?)",
        (last_seq + 1, at.isoformat(sep=" "), last_hash, digest, device, device_seq + 1),
    )
    return "在最后一个签名链头之后"


def insert_unaudited_fault(con: sqlite3.Connection) -> str:
    """A whole signed-looking fault inserted by hand: no audit entry, no valid seal."""
    columns = [r[1] for r in con.execute("PRAGMA table_info(fault_record)")]
    fault, _number = _signed_fault(con)
    row = dict(
        zip(columns, _one(con, "SELECT * FROM fault_record WHERE id = ?", fault), strict=True)
    )
    row |= {"id": "00000000-0000-4000-8000-000000000002", "number": "GZ-FORGED-0001"}
    marks = ", ".join("?" for _ in columns)
    con.execute(f"INSERT INTO fault_record VALUES ({marks})", list(row.values()))
    return "故障单 GZ-FORGED-0001"


ATTACKS: dict[str, Attack] = {
    "edit-signed-run": edit_signed_run,
    "edit-item-result": edit_item_result,
    "edit-fault-times": edit_fault_times,
    "edit-and-rehash": edit_and_rehash,
    "edit-signature-row": edit_signature_row,
    "unlock-record": unlock_record,
    "delete-signed-fault": delete_signed_fault,
    "delete-signatures": delete_signatures,
    "swap-signature-image": swap_signature_image,
    "corrupt-signature-image": corrupt_signature_image,
    "copy-signature": copy_signature,
    "truncate-audit": truncate_audit,
    "rewrite-audit-chain": rewrite_audit_chain,
    "forge-head": forge_head,
    "replace-device-key": replace_device_key,
    "delete-heads": delete_heads,
    "append-audit-entry": append_audit_entry,
    "insert-unaudited-fault": insert_unaudited_fault,
}
#: Attacks on the records a month pack is made of: the export must refuse them.
REFUSED_BY_EXPORT = {
    "edit-signed-run",
    "edit-item-result",
    "edit-fault-times",
    "edit-and-rehash",
    "edit-signature-row",
    "unlock-record",
    "delete-signatures",
    "swap-signature-image",
    "corrupt-signature-image",
    "truncate-audit",
    "forge-head",
    "replace-device-key",
    "delete-heads",
    "append-audit-entry",
}


def test_the_untouched_demo_store_passes(folder: Path) -> None:
    report = _check(folder)
    assert report.ok, report.lines()
    assert report.records > 100 and report.signatures > 100 and report.audit_entries > 1000


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_reported_by_check(folder: Path, tmp_path: Path, name: str) -> None:
    with database_tool(folder) as con:
        expected = ATTACKS[name](con)
    report = _check(folder)
    assert not report.ok, f"{name} went unnoticed"
    assert any(expected in p.line() for p in report.problems), report.lines()
    if name in REFUSED_BY_EXPORT:
        message = _export_refused(folder, tmp_path)
        if name == "replace-device-key":  # the app will not even sign its own work on top
            assert "本机设备的公钥与本机密钥不符" in message, message
        elif name in ("delete-heads", "append-audit-entry", "truncate-audit"):
            # the export's own first write found it and recorded it in the chain
            assert "已停止导出" in message and "写入第" in message, message
        else:
            assert "已停止导出" in message and expected in message, message


def test_rollback_with_its_heads_is_caught_by_the_head_kept_outside(
    folder: Path, tmp_path: Path
) -> None:
    """Copy the store aside, work on, put the old copy back: every head in it is valid."""
    saved = tmp_path / "older"
    _save_files(folder, saved)
    store = Store.open(folder)
    _write(store, 2)
    store.close()
    _put_back(saved, folder)
    report = _check(folder)
    assert any(p.line().startswith("审计日志：本机记得的") for p in report.problems), report.lines()
    # the evidence survives the next write: the remembered head is not overwritten
    store = Store.open(folder)
    _write(store, 3)
    store.close()
    assert not _check(folder).ok


def test_rollback_is_caught_against_a_later_backup_and_pack(folder: Path, tmp_path: Path) -> None:
    saved = tmp_path / "older"
    _save_files(folder, saved)
    store = Store.open(folder)
    _write(store, 2)
    made = backup.backup_store(store, tmp_path / "usb")
    with store.session() as s:
        plan = packs.plan_month(s, "portal-om", MONTH)
    pack = packs.export_pack(store, plan, tmp_path / "out", record=False, allow_unreviewed=True)
    store.close()
    _put_back(saved, folder)
    assert pack.zip_path is not None
    report = _check(folder, [made.path, pack.zip_path, pack.folder])
    lines = [p.line() for p in report.problems]
    for source in (
        f"备份 {made.path.name}",
        f"导出包 {pack.zip_path.name}",
        f"导出包 {pack.folder.name}",
    ):
        assert any(source in line and "数据库被回退" in line for line in lines), lines


def test_check_command_reports_in_chinese_and_exits_1(folder: Path) -> None:
    with database_tool(folder) as con:
        edit_fault_times(con)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMW_")}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(folder), "check", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert not report["ok"] and any("故障单" in p["where"] for p in report["problems"])
