"""Encryption and backups in the window: first start, unlocking, 设置 → 数据安全 and 备份."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.contracts.registry import list_contracts
from app.integrity import signing_keys
from app.records import drafts
from app.storage import conversion, crypto_store, paths, secrets
from app.storage.backup import list_backups
from app.storage.store import Store
from db.errors import StoreError
from tests.ui.conftest import top_level, wait_window
from tests.ui.test_main_window import fresh_ctx, show_main
from ui.context import AppContext
from ui.first_start import FirstStartDialog
from ui.keys import PassphraseDialog, RecoveryKeyDialog, UnlockDialog, ask_passphrase, open_store
from ui.pages.data_safety import ReportDialog, RestoreBackupDialog
from ui.pages.deliverables import DeliverablesPage
from ui.pages.settings import SettingsPage
from ui.store_ops import start_auto_backup
from ui.verify_dialog import VerifyDialog

RECOVERY_KEY = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){9}$")
PLAIN_HEADER = b"SQLite format 3\x00"


def click(qtbot: QtBot, widget: QWidget | None) -> None:
    assert widget is not None
    if isinstance(widget, QCheckBox):  # on its box, not on the empty space right of the text
        pos = QPoint(8, widget.height() // 2)
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
        return
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def save_as(qtbot: QtBot, path: Path) -> None:
    """Answer the save dialog that is open with ``path``."""
    qtbot.waitUntil(lambda: top_level(QFileDialog) is not None)
    dialog = top_level(QFileDialog)
    assert isinstance(dialog, QFileDialog)
    dialog.selectFile(str(path))
    dialog.accept()


def header(folder: Path) -> bytes:
    return paths.db_path(folder).read_bytes()[:16]


@pytest.fixture
def provider() -> Iterator[None]:
    """The window's passphrase dialog as the secret store's provider (as ``ui.main.run`` does)."""
    secrets.set_passphrase_provider(ask_passphrase)
    yield
    secrets.set_passphrase_provider(None)


class Answers:
    """Answers modal dialogs shown by code that blocks in ``exec()`` (the passphrase provider)."""

    def __init__(self, qtbot: QtBot, steps: list[Callable[[QWidget], None]]) -> None:
        self.qtbot = qtbot
        self.steps = steps
        self.seen: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible() or not self.steps:
            return
        if self.seen and self.seen[-1] == f"{id(dialog)}":
            return
        self.seen.append(f"{id(dialog)}")
        self.steps.pop(0)(dialog)

    def stop(self) -> None:
        self.timer.stop()


# --------------------------------------------------------------------------- first start


def test_first_start_encrypts_the_store_and_shows_the_recovery_key_once(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    ctx = fresh_ctx(store)
    folder = store.folder
    dialog = FirstStartDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setCurrentText("王五")
    dialog.contracts.item(1).setCheckState(Qt.CheckState.Unchecked)
    click(qtbot, dialog.encrypt)
    assert dialog.encrypt.isChecked()
    assert "系统钥匙串" in dialog.encrypt_note.text()  # where the key will be
    assert not dialog.passphrases.isVisible()  # a working keyring needs no passphrase
    click(qtbot, dialog.findChild(QWidget, "startButton"))

    recovery = wait_window(qtbot, RecoveryKeyDialog)
    key = recovery.key_label.text()
    assert RECOVERY_KEY.match(key)
    assert not recovery.done_button.isEnabled()
    qtbot.keyClick(recovery, Qt.Key.Key_Escape)  # a stray Esc does not lose the key
    assert recovery.isVisible() and "请先保存" in recovery.banner.text()
    click(qtbot, recovery.save_button)
    out = tmp_path / "offline" / "恢复密钥.txt"
    out.parent.mkdir()
    save_as(qtbot, out)
    assert secrets.read_recovery_file(out) == key
    assert "已保存到" in recovery.banner.text()
    click(qtbot, recovery.confirm)
    click(qtbot, recovery.done_button)
    qtbot.waitUntil(lambda: dialog.result() == FirstStartDialog.DialogCode.Accepted)

    assert header(folder) != PLAIN_HEADER
    assert ctx.store is not store and ctx.store.encrypted
    assert ctx.call(lambda s: [c.code for c in list_contracts(s)]) == ["internet-om"]
    assert conversion.describe_store(folder)["plain_copies"] == []
    ctx.store.close()
    again = Store.open(folder, recovery_key=key)  # the recovery key alone opens it
    assert again.encrypted
    again.close()


def test_first_start_without_a_keyring_asks_a_passphrase_twice_and_says_where(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(secrets.ENV_SECRET_STORE, "file")
    ctx = fresh_ctx(store)
    dialog = FirstStartDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setCurrentText("王五")
    click(qtbot, dialog.encrypt)
    assert dialog.passphrases.isVisible() and dialog.passphrase_again.isVisible()
    assert str(secrets.secrets_file(store.folder)) in dialog.encrypt_note.text()
    qtbot.keyClicks(dialog.passphrase, "geheim-123")
    qtbot.keyClicks(dialog.passphrase_again, "geheim-124")
    click(qtbot, dialog.findChild(QWidget, "startButton"))
    assert "两次输入的口令不一致" in dialog.banner.text()
    dialog.passphrase_again.clear()
    qtbot.keyClicks(dialog.passphrase_again, "geheim-123")
    click(qtbot, dialog.findChild(QWidget, "startButton"))
    recovery = wait_window(qtbot, RecoveryKeyDialog)
    assert "口令保护的加密文件" in recovery.explanation.text()  # where the key is
    click(qtbot, recovery.confirm)
    click(qtbot, recovery.done_button)
    qtbot.waitUntil(lambda: dialog.result() == FirstStartDialog.DialogCode.Accepted)
    assert secrets.secrets_file(store.folder).exists()
    assert ctx.store.encrypted
    ctx.store.close()
    reopened = Store.open(store.folder, passphrase="geheim-123")
    assert reopened.encrypted
    reopened.close()


# --------------------------------------------------------------------------- later starts


def encrypted_folder(folder: Path, passphrase: str) -> str:
    """An encrypted store whose key is in the passphrase file; returns its recovery key."""
    store_secrets = secrets.open_secret_store(folder, prefer="file", passphrase=passphrase)
    new = crypto_store.create_key(folder, store_secrets)
    Store.open(folder, secrets=store_secrets).close()
    assert header(folder) != PLAIN_HEADER
    return new.recovery_key


def type_passphrase(text: str) -> Callable[[QWidget], None]:
    def answer(dialog: QWidget) -> None:
        assert isinstance(dialog, PassphraseDialog)
        dialog.first.setText(text)
        dialog.accept()

    return answer


def test_a_wrong_passphrase_shows_why_and_the_right_one_unlocks(
    qtbot: QtBot, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, provider: None
) -> None:
    monkeypatch.setenv(secrets.ENV_SECRET_STORE, "file")
    encrypted_folder(isolated_dirs, "richtig-123")
    messages: list[str] = []

    def retry(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        messages.append(dialog.banner.text())
        click(qtbot, dialog.retry_button)

    answers = Answers(qtbot, [type_passphrase("falsch-456"), retry, type_passphrase("richtig-123")])
    try:
        store = open_store(isolated_dirs, "张工")
    finally:
        answers.stop()
    assert store is not None and store.encrypted
    assert not answers.steps
    assert "口令错误" in messages[0] and "Traceback" not in messages[0]
    store.close()


def test_a_lost_key_is_replaced_by_the_recovery_key_typed_or_from_its_file(
    qtbot: QtBot, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, provider: None
) -> None:
    monkeypatch.setenv(secrets.ENV_SECRET_STORE, "file")
    key = encrypted_folder(isolated_dirs, "richtig-123")
    secrets.secrets_file(isolated_dirs).unlink()  # the passphrase file is lost
    messages: list[str] = []

    def recover(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        messages.append(dialog.banner.text())
        dialog.input.edit.setText(key.lower().replace("-", " "))  # as a person types it
        click(qtbot, dialog.recovery_button)

    answers = Answers(qtbot, [recover])
    try:
        store = open_store(isolated_dirs, "张工")
    finally:
        answers.stop()
    assert store is not None and store.encrypted
    assert "找不到数据存储的密钥" in messages[0]
    store.close()

    def malformed_then_file(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        dialog.input.edit.setText("ABCD-EFGH")
        click(qtbot, dialog.recovery_button)
        assert "恢复密钥格式不对" in dialog.banner.text() and dialog.isVisible()
        document = isolated_dirs.parent / "恢复密钥.txt"
        document.write_text(secrets.recovery_key_document(key, "x", "y", "z"), encoding="utf-8")
        assert dialog.input.read_file(str(document))
        click(qtbot, dialog.recovery_button)

    answers = Answers(qtbot, [malformed_then_file])
    try:
        store = open_store(isolated_dirs, "张工")
    finally:
        answers.stop()
    assert store is not None and store.encrypted
    store.close()


# --------------------------------------------------------------------------- 设置


def settings_page(qtbot: QtBot, ctx: AppContext) -> tuple[QWidget, SettingsPage]:
    window = show_main(qtbot, ctx)
    window.show_page("settings")
    page = window.pages["settings"]
    assert isinstance(page, SettingsPage)
    return window, page


def test_backup_now_and_a_restore_drill_from_the_settings_page(
    qtbot: QtBot, ctx: AppContext
) -> None:
    window, page = settings_page(qtbot, ctx)
    box = page.backups
    assert box.table.rowCount() == 0
    assert str(ctx.store.folder / "backups") in box.where.text()
    assert "未加密" in page.security.state.text()
    click(qtbot, box.backup_button)
    qtbot.waitUntil(lambda: box.table.rowCount() == 1, timeout=20_000)
    assert "已备份" in page.banner.text()
    assert box.table.item(0, 1).text() == "手动" and box.table.item(0, 3).text() == "否"

    click(qtbot, box.drill_button)
    report = wait_window(qtbot, ReportDialog)
    assert box.last_drill is not None and box.last_drill.ok
    assert "通过" in report.verdict.text()
    text = report.text.toPlainText()
    assert "✓ 完整性检查" in text and "结论：通过" in text
    report.close()

    backup = list_backups(ctx.store.folder)[0].path
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte changed
    backup.write_bytes(bytes(data))
    click(qtbot, box.drill_button)
    qtbot.waitUntil(lambda: top_level(ReportDialog) is not None)
    assert box.last_drill is not None and not box.last_drill.ok
    assert "未通过" in page.banner.text() and "SHA-256" in page.banner.text()
    window.close()


def confirm_yes(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: top_level(QMessageBox, "confirmDialog") is not None)
    box = top_level(QMessageBox, "confirmDialog")
    assert box is not None
    click(qtbot, box.findChild(QWidget, "confirmYes"))


def test_encrypt_from_settings_then_restore_a_backup_closing_and_reopening_the_store(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    window, page = settings_page(qtbot, ctx)
    folder = ctx.store.folder
    click(qtbot, page.backups.backup_button)
    qtbot.waitUntil(lambda: page.backups.table.rowCount() == 1, timeout=20_000)

    click(qtbot, page.security.encrypt_button)
    confirm_yes(qtbot)
    recovery = wait_window(qtbot, RecoveryKeyDialog)
    assert header(folder) != PLAIN_HEADER and ctx.store.encrypted
    assert window.centralWidget().isEnabled()  # usable again once reopened
    assert "转换完成并已校验" in page.banner.text()
    first_key = recovery.recovery_key
    click(qtbot, recovery.confirm)
    click(qtbot, recovery.done_button)
    assert "已加密" in page.security.state.text()
    assert page.backups.table.item(0, 3).text() == "是"  # the old backup was encrypted too
    click(qtbot, page.security.export_button)
    save_as(qtbot, tmp_path / "exported.txt")
    assert secrets.read_recovery_file(tmp_path / "exported.txt") == first_key

    ctx.call(lambda s: drafts.save_field(s, "fault_record:new:x", "fault_record", "title", "后来"))
    page.backups.table.selectRow(0)
    click(qtbot, page.backups.restore_button)
    dialog = wait_window(qtbot, RestoreBackupDialog)
    old_store = ctx.store
    click(qtbot, dialog.restore_button)
    report = wait_window(qtbot, ReportDialog)
    assert ctx.store is not old_store and not ctx.store_closed
    assert "已从备份恢复" in report.verdict.text()
    assert ctx.call(lambda s: drafts.load(s, "fault_record:new:x")) == {}  # made after the backup
    kinds = [b.kind for b in list_backups(folder)]
    assert kinds.count("pre-restore") == 1 and ctx.store.encrypted
    report.close()

    click(qtbot, page.security.rekey_button)
    confirm_yes(qtbot)
    recovery = wait_window(qtbot, RecoveryKeyDialog)
    assert recovery.recovery_key != first_key and ctx.store.encrypted
    with pytest.raises(StoreError):
        crypto_store.find_key(paths.db_path(folder), [secrets.store_key_from_recovery(first_key)])
    click(qtbot, recovery.confirm)
    click(qtbot, recovery.done_button)

    click(qtbot, page.security.decrypt_button)
    confirm_yes(qtbot)
    qtbot.waitUntil(lambda: "未加密（明文）" in page.banner.text(), timeout=20_000)
    assert header(folder) == PLAIN_HEADER and not ctx.store.encrypted
    window.close()


def test_a_busy_window_refuses_to_close_the_store(qtbot: QtBot, ctx: AppContext) -> None:
    window, page = settings_page(qtbot, ctx)
    window.open_request()
    click(qtbot, page.security.encrypt_button)
    assert "请先关闭打开的表单" in page.banner.text()
    assert top_level(QMessageBox, "confirmDialog") is None
    window.close()


def test_the_automatic_backup_runs_once_a_day_and_reports_failures(
    qtbot: QtBot, ctx: AppContext
) -> None:
    messages: list[str] = []
    start_auto_backup(ctx, messages.append)
    qtbot.waitUntil(lambda: bool(messages), timeout=20_000)
    assert messages[0].startswith("已自动备份") and len(list_backups(ctx.store.folder)) == 1
    operation = start_auto_backup(ctx, messages.append)
    qtbot.waitUntil(lambda: not operation.running)
    assert len(messages) == 1  # today's backup exists

    for backup in list_backups(ctx.store.folder):
        backup.path.unlink()
        backup.summary_path.unlink()
    (ctx.store.folder / "backups").rmdir()
    (ctx.store.folder / "backups").write_text("not a folder")
    start_auto_backup(ctx, messages.append)
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=20_000)
    assert messages[1].startswith("自动备份失败")


# --------------------------------------------------------------------------- 交付物 → 核验交付包


def signed_pack(ctx: AppContext, root: Path) -> Path:
    """A small pack folder signed with the engineer's own key (created at first use)."""
    pack = root / "月度交付包"
    pack.mkdir()
    files = {"日志/运维日志.txt": "2026-11-20 巡检正常\n", "说明.txt": "交付说明\n"}
    listed = []
    for name, text in files.items():
        path = pack / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        data = path.read_bytes()
        listed.append({"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"format": "omw-pack/1", "files": listed}
    (pack / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    sums = "".join(f"{f['sha256']}  {f['path']}\n" for f in listed)
    (pack / "SHA256SUMS").write_text(sums, encoding="utf-8")
    signing_keys.sign_file(ctx.store, ctx.actor, pack / "manifest.json")
    return pack


def test_a_pack_is_verified_from_the_deliverables_page_with_signer_and_problems(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    pack = signed_pack(ctx, tmp_path)
    window = show_main(qtbot, ctx)
    window.show_page("deliverables")
    page = window.pages["deliverables"]
    assert isinstance(page, DeliverablesPage)
    click(qtbot, page.verify_button)
    dialog = wait_window(qtbot, VerifyDialog)
    dialog.path.setText(str(pack))
    click(qtbot, dialog.verify_button)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    assert dialog.report is not None and dialog.report.ok
    assert dialog.verdict.text() == "核验通过"
    key_id = dialog.report.key_id
    assert key_id and f"签名人：张工（密钥 ID {key_id}，受信任）" in dialog.signer.text()

    (pack / "说明.txt").write_text("交付说明（改）\n", encoding="utf-8")
    (pack / "多出来的.txt").write_text("x", encoding="utf-8")
    dialog.report = None
    click(qtbot, dialog.verify_button)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    assert dialog.verdict.text() == "核验失败"
    items = [dialog.problems.item(n).text() for n in range(dialog.problems.count())]
    assert any("说明.txt" in line and "不符" in line for line in items)
    assert any("多出的文件" in line for line in items)
    dialog.close()
    window.close()
