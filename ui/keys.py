"""Keys of an encrypted store in the window: passphrases, unlocking, recovery keys.

- :func:`ask_passphrase` is the window's passphrase provider for
  :func:`app.storage.secrets.set_passphrase_provider` (a dialog; twice when a new one
  is chosen).
- :func:`open_store` opens the store of a data folder; while an encrypted one
  cannot be unlocked it shows the Chinese message and lets the user retry or
  use the recovery key (typed or read from its file).
- :func:`unlocked_secrets` unlocks the secret store on the GUI thread, so work
  run off it (conversions, drills, restores) never has to ask.
- :func:`load_device_key` loads this laptop's device key on the GUI thread right
  after the store is opened (asking the passphrase once, up front), so every
  later write — autosaved drafts, exports, the startup check — never has to ask;
  without it nothing can be saved or signed, so the user retries or quits.
- :class:`RecoveryKeyDialog` shows a new recovery key once and does not close
  before the user confirmed it was saved (「保存到文件…」 writes atomically).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.errors import DomainError, MissingDriverError, NewerDatabaseError, StoreError
from app.storage import crypto_store, paths
from app.storage.atomic import atomic_write_text, os_reason
from app.storage.instance import StoreBusyError
from app.storage.secrets import (
    MIN_PASSPHRASE,
    UNLOCK_HINT,
    FileSecretStore,
    NoPassphraseError,
    SecretStore,
    normalize_recovery_key,
    open_secret_store,
    read_recovery_file,
    recovery_key_document,
    secrets_file,
)
from app.storage.store import Store
from ui.i18n import tr
from ui.layout import fit_window, heading, muted
from ui.qt import Qt, QtCore, QtGui, QtWidgets
from ui.widgets import Banner

RECOVERY_FILTER = "*.txt"


def fit(dialog: QtWidgets.QDialog, width: int) -> None:
    """Size a dialog of wrapped text to ``width`` and the height its text needs there."""
    dialog.setMinimumWidth(width)
    layout = dialog.layout()
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
    fit_window(dialog, width, max(height, dialog.sizeHint().height()), place=False)


# --------------------------------------------------------------------------- passphrases


class PassphraseDialog(QtWidgets.QDialog):
    """Asks the passphrase of the secret file; a new one is typed twice."""

    def __init__(self, prompt: str, new: bool, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.new = new
        self.setObjectName("passphraseDialog")
        self.setWindowTitle(tr("设置密钥文件口令") if new else tr("输入密钥文件口令"))
        layout = QtWidgets.QVBoxLayout(self)
        label = QtWidgets.QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.banner = Banner()
        layout.addWidget(self.banner)
        form = QtWidgets.QFormLayout()
        self.first = QtWidgets.QLineEdit()
        self.first.setObjectName("passphrase")
        self.first.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        form.addRow(tr("口令"), self.first)
        self.second = QtWidgets.QLineEdit()
        self.second.setObjectName("passphraseAgain")
        self.second.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        if new:
            form.addRow(tr("再次输入"), self.second)
            layout.addLayout(form)
            layout.addWidget(
                muted(
                    tr("口令至少 {n} 个字符。忘记口令时只能用恢复密钥解锁，请牢记。").format(
                        n=MIN_PASSPHRASE
                    )
                )
            )
        else:
            self.second.hide()
            layout.addLayout(form)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.first.setFocus()
        fit(self, 460)

    def passphrase(self) -> str:
        return self.first.text()

    def accept(self) -> None:
        problem = passphrase_problem(self.first.text(), self.second.text() if self.new else None)
        if problem:
            self.banner.error(problem)
            return
        super().accept()


def passphrase_problem(first: str, second: str | None) -> str:
    """Why a passphrase cannot be used ("" if it can); ``second`` is the repetition of a new one."""
    if not first:
        return tr("请输入口令。")
    if second is not None:
        if len(first) < MIN_PASSPHRASE:
            return tr("口令至少 {n} 个字符。").format(n=MIN_PASSPHRASE)
        if first != second:
            return tr("两次输入的口令不一致。")
    return ""


def on_gui_thread() -> bool:
    app = QtWidgets.QApplication.instance()
    return app is not None and QtCore.QThread.currentThread() is app.thread()


def ask_passphrase(prompt: str, new: bool) -> str | None:
    """The window's passphrase provider (:func:`app.storage.secrets.set_passphrase_provider`).

    Only the GUI thread may show a dialog: work off it gets ``None`` (the secret
    store then says that no passphrase was given) — unlock it first with
    :func:`unlocked_secrets`.
    """
    if not on_gui_thread():
        return None
    dialog = PassphraseDialog(prompt, new)  # no parent: the active window may be a passing dialog
    try:
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        return dialog.passphrase()
    finally:
        dialog.deleteLater()


def unlock_secrets(
    secrets: SecretStore,
    folder: Path,
    parent: QtWidgets.QWidget | None = None,
    *,
    create: bool = False,
) -> str:
    """Make ``secrets`` usable off the GUI thread by asking its passphrase now; the problem or "".

    With ``create`` (a key is about to be saved) a passphrase file that does
    not exist yet gets its new passphrase now, typed twice.
    """
    if not isinstance(secrets, FileSecretStore):
        return ""
    try:
        if secrets_file(folder).exists():
            secrets.get("")  # asks the passphrase; a wrong one raises
            return ""
    except StoreError as exc:
        return exc.message
    if not create:
        return ""
    prompt = tr("不使用系统钥匙串（{reason}）。密钥将保存在{where}，请为它设置口令。").format(
        reason=secrets.fallback_reason, where=secrets.location_description
    )
    dialog = PassphraseDialog(prompt, True, parent)
    try:
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return tr("已取消。")
        secrets.set_passphrase(dialog.passphrase())
    finally:
        dialog.deleteLater()
    return ""


def unlocked_secrets(
    folder: Path, parent: QtWidgets.QWidget | None = None
) -> tuple[SecretStore | None, str]:
    """The secret store of ``folder``, unlocked on the GUI thread; or (None, why not)."""
    try:
        secrets = open_secret_store(folder)
    except StoreError as exc:
        return None, exc.message
    problem = unlock_secrets(secrets, folder, parent)
    return (None, problem) if problem else (secrets, "")


# --------------------------------------------------------------------------- the device key


def device_key_problem(store: Store) -> str:
    """Load the store's device key here, on the GUI thread; why it could not be had, or "".

    The passphrase of a secret file is asked through the window's provider (a
    dialog; a new file's passphrase is chosen and typed twice).
    """
    try:
        store.device()
    except NoPassphraseError:
        return tr("没有输入密钥文件的口令。")
    except DomainError as exc:
        # the hint names a terminal command for the store's key: not what helps here
        return exc.message.replace(UNLOCK_HINT, "").strip()
    except OSError as exc:  # device.json or the key file could not be written
        return tr("无法保存设备密钥：{why}").format(why=os_reason(exc))
    return ""


class DeviceKeyDialog(QtWidgets.QMessageBox):
    """The device key could not be loaded: why, what that means; retry or quit."""

    def __init__(self, problem: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceKeyDialog")
        self.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        self.setWindowTitle(tr("无法读取本机的设备密钥"))
        self.setText(
            tr(
                "没有本机的设备密钥，运维工作台不能保存任何记录，也不能签字"
                "（每一次保存和签字都由本机的设备密钥签名）。"
            )
        )
        self.setInformativeText(
            tr("原因：{problem}\n\n可以重试（例如重新输入口令），或退出程序。").format(
                problem=problem
            )
        )
        self.retry_button = self.addButton(tr("重试"), QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        self.retry_button.setObjectName("retryDeviceKey")
        self.quit_button = self.addButton(tr("退出"), QtWidgets.QMessageBox.ButtonRole.RejectRole)
        self.quit_button.setObjectName("quitDeviceKey")
        self.setDefaultButton(self.retry_button)
        self.setEscapeButton(self.quit_button)


def load_device_key(store: Store, parent: QtWidgets.QWidget | None = None) -> bool:
    """Load the device key on the GUI thread until it is had (True) or the user quits (False)."""
    while True:
        problem = device_key_problem(store)
        if not problem:
            return True
        dialog = DeviceKeyDialog(problem, parent)
        try:
            dialog.exec()
            if dialog.clickedButton() is not dialog.retry_button:
                return False
        finally:
            dialog.deleteLater()


# --------------------------------------------------------------------------- recovery keys


class RecoveryKeyInput(QtWidgets.QWidget):
    """A recovery key typed, or read from its export file."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit = QtWidgets.QLineEdit()
        self.edit.setObjectName("recoveryKey")
        self.edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.edit.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.edit.setMinimumWidth(380)
        browse = QtWidgets.QPushButton(tr("从文件读取…"))
        browse.setObjectName("recoveryFromFile")
        browse.clicked.connect(self.choose_file)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        self.problem = ""

    def choose_file(self) -> None:
        dialog = QtWidgets.QFileDialog(
            self, tr("选择恢复密钥文件"), "", tr("恢复密钥文件") + f" ({RECOVERY_FILTER});;*"
        )
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.read_file)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def read_file(self, path: str) -> bool:
        try:
            self.edit.setText(read_recovery_file(path))
        except StoreError as exc:
            self.problem = exc.message
            self.edit.clear()
            return False
        self.problem = ""
        return True

    def key(self) -> str | None:
        """The recovery key, normalised; ``None`` if empty; raises StoreError if malformed."""
        text = self.edit.text().strip()
        return normalize_recovery_key(text) if text else None

    def read(self, banner: Banner) -> tuple[bool, str | None]:
        """``(True, key)`` (key ``None`` if empty); else ``(False, None)`` with the problem shown.

        A file that could not be read (its problem shown once) or a malformed key
        is a problem.
        """
        if self.problem:
            banner.error(self.problem)
            self.problem = ""
            return False, None
        try:
            return True, self.key()
        except StoreError as exc:
            banner.error(exc.message)
            return False, None


def write_recovery_file(path: str | Path, recovery_key: str, folder: Path, key_id: str) -> Path:
    """Write a recovery-key export file (atomically, readable by its owner only)."""
    info = crypto_store.load_keyinfo(folder)
    stamp = datetime.now().replace(microsecond=0).isoformat(sep=" ")
    doc = recovery_key_document(recovery_key, info.store_id if info else "", key_id, stamp)
    return atomic_write_text(path, doc, mode=0o600)


def default_recovery_path(key_id: str) -> str:
    documents = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.DocumentsLocation
    )
    return str(
        Path(documents or Path.home()) / tr("运维工作台恢复密钥-{id}.txt").format(id=key_id[:8])
    )


def inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def save_recovery_dialog(
    parent: QtWidgets.QWidget, key_id: str, on_selected: Callable[[str], None]
) -> QtWidgets.QFileDialog:
    dialog = QtWidgets.QFileDialog(
        parent, tr("保存恢复密钥"), default_recovery_path(key_id), tr("文本文件") + " (*.txt)"
    )
    dialog.setObjectName("saveRecoveryKey")
    dialog.setAcceptMode(QtWidgets.QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("txt")
    dialog.fileSelected.connect(on_selected)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


class RecoveryKeyDialog(QtWidgets.QDialog):
    """A new recovery key, shown once; closes only after the user confirmed it was saved."""

    def __init__(
        self,
        recovery_key: str,
        key_id: str,
        location: str,
        folder: Path,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.recovery_key = recovery_key
        self.key_id = key_id
        self.folder = folder
        self.saved_to: Path | None = None
        self.setObjectName("recoveryKeyDialog")
        self.setWindowTitle(tr("恢复密钥"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(heading(tr("请保存恢复密钥"), 1.2))
        self.explanation = muted(
            tr(
                "数据库已加密。密钥保存在{where}。本机密钥丢失（重装系统、换电脑、忘记口令）时，"
                "只有这份恢复密钥能打开数据和备份。它只显示这一次：请保存到文件后转存到"
                "离线介质（U 盘、打印件）并锁入文件柜，不要与电脑放在一起。"
            ).format(where=location)
        )
        layout.addWidget(self.explanation)
        self.key_label = QtWidgets.QLabel(recovery_key)
        self.key_label.setObjectName("recoveryKeyText")
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setStyleSheet(
            "QLabel{background:#fff8e1;border:1px solid #ffe082;border-radius:4px;padding:12px;}"
        )
        layout.addWidget(self.key_label)
        layout.addWidget(muted(tr("密钥 ID：{id}").format(id=key_id)))
        self.banner = Banner()
        layout.addWidget(self.banner)
        row = QtWidgets.QHBoxLayout()
        self.save_button = QtWidgets.QPushButton(tr("保存到文件…"))
        self.save_button.setObjectName("saveRecoveryButton")
        self.save_button.clicked.connect(self.choose_file)
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.confirm = QtWidgets.QCheckBox(tr("我已保存恢复密钥，并会离线妥善保管"))
        self.confirm.setObjectName("recoverySaved")
        layout.addWidget(self.confirm)
        buttons = QtWidgets.QDialogButtonBox()
        self.done_button = buttons.addButton(
            tr("继续"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.done_button.setObjectName("recoveryDone")
        self.done_button.setEnabled(False)
        self.confirm.toggled.connect(self.done_button.setEnabled)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        fit(self, 640)

    def choose_file(self) -> QtWidgets.QFileDialog:
        return save_recovery_dialog(self, self.key_id, self.save_to)

    def save_to(self, path: str) -> None:
        try:
            written = write_recovery_file(path, self.recovery_key, self.folder, self.key_id)
        except OSError as exc:
            self.banner.error(tr("无法写入 {path}：{why}").format(path=path, why=os_reason(exc)))
            return
        self.saved_to = written
        if inside(written, self.folder):
            self.banner.show_message(
                tr("已保存到 {path}。它在数据目录中：请转存到离线介质后从本机删除。").format(
                    path=written
                ),
                "lock",
            )
        else:
            self.banner.show_message(tr("已保存到 {path}。").format(path=written))

    def accept(self) -> None:
        if not self.confirm.isChecked():
            return
        super().accept()

    def reject(self) -> None:  # Esc: the key must not get lost by a stray key press
        self.banner.error(tr("请先保存恢复密钥，并勾选确认。"))


# --------------------------------------------------------------------------- unlocking


def is_locked_store(folder: Path) -> bool:
    """Whether the store of ``folder`` is (or is to be) encrypted, so a key problem can be fixed."""
    state = crypto_store.file_state(paths.db_path(folder))
    if state == "encrypted":
        return True
    try:
        info = crypto_store.load_keyinfo(folder)
    except StoreError:
        return True
    return state == "missing" and info is not None and info.store_encrypted


class UnlockDialog(QtWidgets.QDialog):
    """The store cannot be unlocked: say why, then retry or use the recovery key."""

    RETRY, RECOVERY = "retry", "recovery"

    def __init__(self, message: str, folder: Path, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.choice = ""
        self.recovery_key: str | None = None
        self.setObjectName("unlockDialog")
        self.setWindowTitle(tr("解锁加密数据"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(heading(tr("无法打开加密的数据库"), 1.2))
        self.banner = Banner()
        self.banner.error(message)
        layout.addWidget(self.banner)
        layout.addWidget(
            muted(
                tr(
                    "数据目录：{folder}。可以重新输入密钥文件的口令再试；如本机的密钥已丢失或忘记口令，"
                    "请使用设置加密时保存的恢复密钥。"
                ).format(folder=folder)
            )
        )
        box = QtWidgets.QGroupBox(tr("使用恢复密钥"))
        inner = QtWidgets.QVBoxLayout(box)
        self.input = RecoveryKeyInput()
        inner.addWidget(self.input)
        self.remember = QtWidgets.QCheckBox(
            tr("解锁后把密钥重新保存到本机（系统钥匙串或密钥文件）")
        )
        self.remember.setObjectName("rememberKey")
        inner.addWidget(self.remember)
        layout.addWidget(box)
        buttons = QtWidgets.QDialogButtonBox()
        self.retry_button = buttons.addButton(
            tr("重试"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole
        )
        self.retry_button.setObjectName("retryUnlock")
        self.retry_button.clicked.connect(self.retry)
        self.recovery_button = buttons.addButton(
            tr("用恢复密钥解锁"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.recovery_button.setObjectName("recoveryUnlock")
        buttons.addButton(tr("退出"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit(self, 640)

    def retry(self) -> None:
        self.choice = self.RETRY
        super().accept()

    def accept(self) -> None:
        ok, key = self.input.read(self.banner)
        if not ok:
            return
        if key is None:
            self.banner.error(tr("请输入恢复密钥，或从恢复密钥文件读取。"))
            self.input.edit.setFocus()
            return
        self.choice, self.recovery_key = self.RECOVERY, key
        super().accept()


def open_store(
    folder: Path,
    actor: str,
    *,
    secrets: SecretStore | None = None,
    parent: QtWidgets.QWidget | None = None,
) -> Store | None:
    """Open the store of ``folder``; ``None`` if the user gave up unlocking it.

    The passphrase of the secret file is asked by the provider the window
    installed; when the key cannot be found or is wrong, :class:`UnlockDialog`
    shows why and the user retries or gives the recovery key. Other errors
    (another instance, a newer version, a damaged plain store) are raised.
    """
    recovery: str | None = None
    remember = False
    while True:
        try:
            store = Store.open(folder, actor=actor, recovery_key=recovery, secrets=secrets)
        except (StoreBusyError, NewerDatabaseError, MissingDriverError):
            raise
        except StoreError as exc:
            if not is_locked_store(folder):
                raise
            dialog = UnlockDialog(exc.message, folder, parent)
            try:
                if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
                    return None
                recovery = dialog.recovery_key if dialog.choice == UnlockDialog.RECOVERY else None
                remember = dialog.remember.isChecked()
            finally:
                dialog.deleteLater()
            secrets = None  # a retry asks the secret store afresh
            continue
        if recovery and remember:
            try:
                crypto_store.remember_recovery_key(
                    folder, recovery, secrets or open_secret_store(folder)
                )
            except StoreError as exc:
                QtWidgets.QMessageBox.warning(
                    parent,
                    tr("密钥未保存到本机"),
                    tr("已用恢复密钥解锁，但密钥没有保存到本机：{m}").format(m=exc.message),
                )
        return store
