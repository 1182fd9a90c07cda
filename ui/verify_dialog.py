"""「核验交付包…」: verify a pack (folder or zip) or a signed file, and show what is wrong.

Thin over :func:`app.integrity.verify.verify_pack` with the keys of the store's trust
store (:func:`app.integrity.signing_keys.known_keys`); the hashing runs off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from app.errors import StoreError
from app.integrity.signing_keys import TrustedKey, known_keys
from app.integrity.verify import VerifyReport, verify_pack
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import fit_window, heading, muted
from ui.operations import Operation, ProgressView
from ui.qt import Qt, QtWidgets
from ui.widgets import Banner


class VerifyDialog(QtWidgets.QDialog):
    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: VerifyReport | None = None
        self.setObjectName("verifyDialog")
        self.setWindowTitle(tr("核验交付包"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "核验交付包（文件夹或 .zip）或带 .minisig 签名的单个文件：签名是否来自"
                    "受信任的公钥，清单列出的每个文件是否齐全、大小和 SHA-256 是否相符，"
                    "有无多余或路径不安全的文件。"
                )
            )
        )
        row = QtWidgets.QHBoxLayout()
        self.path = QtWidgets.QLineEdit()
        self.path.setObjectName("verifyPath")
        self.path.setPlaceholderText(tr("交付包文件夹或 .zip 文件"))
        self.path.returnPressed.connect(self.verify)
        folder = QtWidgets.QPushButton(tr("文件夹…"))
        folder.clicked.connect(self.choose_folder)
        file = QtWidgets.QPushButton(tr("文件…"))
        file.clicked.connect(self.choose_file)
        self.verify_button = QtWidgets.QPushButton(tr("核验"))
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setDefault(True)
        self.verify_button.clicked.connect(self.verify)
        for widget in (folder, file, self.verify_button):
            row.addWidget(widget)
        row.insertWidget(0, self.path, 1)
        layout.addLayout(row)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.verdict = heading("", 1.15)
        self.verdict.setObjectName("verifyVerdict")
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        self.signer = QtWidgets.QLabel()
        self.signer.setObjectName("verifySigner")
        self.signer.setWordWrap(True)
        self.signer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.signer)
        self.problems = QtWidgets.QListWidget()
        self.problems.setObjectName("verifyProblems")
        self.problems.setWordWrap(True)
        layout.addWidget(self.problems, 1)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_window(self, 760, 460, place=False)

    def choose_folder(self) -> None:
        dialog = QtWidgets.QFileDialog(self, tr("选择交付包文件夹"))
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.Directory)
        dialog.setOption(QtWidgets.QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self._chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def choose_file(self) -> None:
        dialog = QtWidgets.QFileDialog(
            self, tr("选择交付包或已签名的文件"), "", tr("交付包") + " (*.zip);;*"
        )
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self._chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _chosen(self, path: str) -> None:
        self.path.setText(path)
        self.verify()

    def verify(self) -> Operation | None:
        text = self.path.text().strip()
        if not text:
            self.banner.error(tr("请选择要核验的交付包文件夹或文件。"))
            return None
        try:
            keys: list[TrustedKey] = self.ctx.call(known_keys)
        except StoreError as exc:
            self.banner.error(exc.message)
            return None
        self.banner.clear_message()
        self.verdict.clear()
        self.signer.clear()
        self.problems.clear()
        operation = Operation(tr("正在核验"), lambda _p: verify_pack(Path(text), keys), self)
        operation.succeeded.connect(lambda report: self.show_report(report, keys))
        operation.failed.connect(self.banner.error)
        operation.done.connect(lambda: self.verify_button.setEnabled(True))
        self.verify_button.setEnabled(False)
        ProgressView(self, operation).start()
        return operation

    def show_report(self, report: VerifyReport, keys: list[TrustedKey]) -> None:
        self.report = report
        if report.ok:
            self.verdict.setText(tr("核验通过"))
            self.verdict.setStyleSheet("color:#2e7d32;")
        else:
            self.verdict.setText(tr("核验失败"))
            self.verdict.setStyleSheet("color:#c62828;")
        if report.key_id:
            self.signer.setText(
                tr("签名人：{who}（密钥 ID {id}，{state}）").format(
                    who=report.signer or report.claimed_signer or tr("未知"),
                    id=report.key_id,
                    state=tr("受信任") if report.signature_ok else tr("不受信任或签名无效"),
                )
                + (
                    "\n" + tr("签名时间：{at}").format(at=f"{report.signed_at:%Y-%m-%d %H:%M:%S}")
                    if report.signed_at
                    else ""
                )
            )
        else:
            self.signer.setText(tr("没有有效的签名。"))
        for line in report.lines()[1:]:
            item = QtWidgets.QListWidgetItem(line.strip())
            if line.startswith("  - "):
                item.setForeground(Qt.GlobalColor.darkRed)
            self.problems.addItem(item)
        if not report.ok and not any(k.trusted for k in keys):
            self.banner.show_message(
                tr("本机没有任何受信任的公钥：请先导入签名人的公钥并设为信任（omw keys import）。"),
                "lock",
            )
