"""设置 → 数据安全 and 备份: encryption of the store, recovery key, backups and restore drills.

Thin over :mod:`app.storage.crypto_store` and :mod:`app.storage.backup`: a conversion or a
restore runs off the GUI thread with the store closed and reopened
(:func:`ui.store_ops.run_with_store_closed`); a backup and a drill run off the
GUI thread with the store open. Every step that changes the store asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.errors import StoreError
from app.storage import conversion, crypto_store
from app.storage.atomic import os_reason
from app.storage.backup import (
    BackupInfo,
    DrillReport,
    RestoreReport,
    backup_dir,
    backup_store,
    drill,
    list_backups,
    restore_backup,
)
from app.storage.secrets import SecretStore, open_secret_store
from ui.context import AppContext
from ui.i18n import tr
from ui.keys import (
    RecoveryKeyDialog,
    RecoveryKeyInput,
    fit,
    save_recovery_dialog,
    unlock_secrets,
    unlocked_secrets,
    write_recovery_file,
)
from ui.layout import fit_window, heading, muted
from ui.operations import Operation, ProgressView
from ui.pages.base import Opener
from ui.qt import Qt, QtCore, QtGui, QtWidgets
from ui.store_ops import run_with_store_closed
from ui.widgets import Banner, ok_cancel


def kind_label(kind: str) -> str:
    return {
        "auto": tr("自动"),
        "manual": tr("手动"),
        "pre-restore": tr("恢复前"),
    }.get(kind, kind)


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def confirm(
    parent: QtWidgets.QWidget,
    title: str,
    text: str,
    ok_text: str,
    on_yes: Callable[[], None],
    detail: str = "",
) -> QtWidgets.QMessageBox:
    """Ask before changing the store (a window-modal question; ``on_yes`` if confirmed)."""
    box = QtWidgets.QMessageBox(parent)
    box.setObjectName("confirmDialog")
    box.setIcon(QtWidgets.QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    if detail:
        box.setInformativeText(detail)
    yes = box.addButton(ok_text, QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    yes.setObjectName("confirmYes")
    box.addButton(tr("取消"), QtWidgets.QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes)

    def answered(_result: int) -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(answered)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


class ReportDialog(QtWidgets.QDialog):
    """The lines of a drill or restore report, with its verdict on top."""

    def __init__(
        self, title: str, ok: bool, verdict: str, lines: list[str], parent: QtWidgets.QWidget
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reportDialog")
        self.setWindowTitle(title)
        layout = QtWidgets.QVBoxLayout(self)
        self.verdict = heading(verdict, 1.15)
        self.verdict.setStyleSheet(f"color:{'#2e7d32' if ok else '#c62828'};")
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        self.text = QtWidgets.QPlainTextEdit("\n".join(lines))
        self.text.setObjectName("reportText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text, 1)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_window(self, 760, 420, place=False)


class StoreBox(QtWidgets.QGroupBox):
    """A box of the page that works on the store of the data folder; it reports to ``banner``."""

    def __init__(
        self, title: str, name: str, ctx: AppContext, opener: Opener, banner: Banner
    ) -> None:
        super().__init__(title)
        self.setObjectName(name)
        self.ctx = ctx
        self.opener = opener
        self.banner = banner

    @property
    def folder(self) -> Path:
        return self.ctx.store.folder

    def _busy(self) -> bool:
        """Whether the store is busy (the reason is shown): it must not be replaced now."""
        reason = self.opener.store_busy_reason()
        if reason:
            self.banner.error(reason)
        return bool(reason)


# --------------------------------------------------------------------------- 数据安全


class SecurityBox(StoreBox):
    """Whether the store is encrypted, where its key is; encrypt, decrypt, re-key, export."""

    def __init__(self, ctx: AppContext, opener: Opener, banner: Banner) -> None:
        super().__init__(tr("数据安全"), "securityBox", ctx, opener, banner)
        layout = QtWidgets.QVBoxLayout(self)
        self.state = QtWidgets.QLabel()
        self.state.setObjectName("storeState")
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.state)
        self.details = muted()
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)
        row = QtWidgets.QHBoxLayout()
        self.encrypt_button = QtWidgets.QPushButton(tr("加密数据库…"))
        self.encrypt_button.setObjectName("encryptButton")
        self.encrypt_button.clicked.connect(self.encrypt)
        self.decrypt_button = QtWidgets.QPushButton(tr("解密…"))
        self.decrypt_button.setObjectName("decryptButton")
        self.decrypt_button.clicked.connect(self.decrypt)
        self.rekey_button = QtWidgets.QPushButton(tr("更换密钥…"))
        self.rekey_button.setObjectName("rekeyButton")
        self.rekey_button.clicked.connect(self.rekey)
        self.export_button = QtWidgets.QPushButton(tr("导出恢复密钥…"))
        self.export_button.setObjectName("exportRecoveryButton")
        self.export_button.clicked.connect(self.export_recovery)
        for button in (
            self.encrypt_button,
            self.rekey_button,
            self.export_button,
            self.decrypt_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.description: dict[str, Any] = {}
        ctx.store_reopened.connect(self.refresh)

    def refresh(self) -> None:
        try:
            info = conversion.describe_store(self.folder)
        except StoreError as exc:
            self.state.setText(exc.message)
            return
        self.description = info
        encrypted = info["state"] == "encrypted"
        if encrypted:
            self.state.setText(
                '<span style="color:#2e7d32;font-weight:bold;">'
                + tr("数据库已加密")
                + "</span> "
                + tr("（SQLCipher，AES-256；附件和签名图片在库内，备份同样加密）")
            )
            lines = [
                tr("密钥 ID：{id}").format(id=info["key_id"] or "—"),
                tr("密钥保存在：{where}").format(where=info["secret_location"] or tr("未知")),
            ]
            if info["previous_keys"]:
                lines.append(
                    tr("旧密钥 {n} 个（旧备份使用），仍保存在本机。").format(
                        n=len(info["previous_keys"])
                    )
                )
            for copy in info["plain_copies"]:
                lines.append(
                    tr("警告：未加密的副本 {path}（确认不再需要后请删除）").format(path=copy)
                )
        else:
            self.state.setText(
                '<span style="color:#b26a00;font-weight:bold;">'
                + tr("数据库未加密")
                + "</span> "
                + tr("（明文 SQLite）。在甲方现场使用时建议加密。")
            )
            lines = [tr("加密后，数据、附件、签名图片和备份都只能用本机密钥或恢复密钥打开。")]
        self.details.setText("\n".join(lines))
        self.encrypt_button.setVisible(not encrypted)
        for button in (self.decrypt_button, self.rekey_button, self.export_button):
            button.setVisible(encrypted)

    # ------------------------------------------------------------------ actions

    def _secret_store(self) -> SecretStore | None:
        """The secret store for a conversion; ``None`` (the reason shown) if the store is busy."""
        if self._busy():
            return None
        try:
            return open_secret_store(self.folder)
        except StoreError as exc:
            self.banner.error(exc.message)
            return None

    def encrypt(self) -> None:
        secrets = self._secret_store()
        if secrets is None:
            return
        where = secrets.location_description
        if secrets.fallback_reason:
            where += tr("（不使用系统钥匙串：{why}）").format(why=secrets.fallback_reason)
        confirm(
            self,
            tr("加密数据库"),
            tr("用新密钥加密整个数据库（含附件和签名图片）？已有的未加密备份也一并加密。"),
            tr("加密"),
            lambda: self._convert("encrypt", secrets),
            tr(
                "转换前后逐表核对记录数和审计日志，核对无误才替换。密钥将保存在{where}。"
                "完成后显示恢复密钥，请务必保存。"
            ).format(where=where),
        )

    def decrypt(self) -> None:
        secrets = self._secret_store()
        if secrets is None:
            return
        confirm(
            self,
            tr("解密数据库"),
            tr("解密后客户数据将以明文保存在本机磁盘上。确定要解密吗？"),
            tr("解密"),
            lambda: self._convert("decrypt", secrets),
            tr(
                "合同保密条款通常要求在甲方现场加密保存数据。已加密的备份保持加密，仍可用原密钥恢复。"
            ),
        )

    def rekey(self) -> None:
        secrets = self._secret_store()
        if secrets is None:
            return
        confirm(
            self,
            tr("更换密钥"),
            tr("用新密钥重新加密数据库？旧的恢复密钥将不能再打开数据库。"),
            tr("更换密钥"),
            lambda: self._convert("rekey", secrets),
            tr("旧备份仍用旧密钥加密，旧密钥保留在本机。完成后显示新的恢复密钥，请务必保存。"),
        )

    def _convert(self, action: str, secrets: SecretStore) -> None:
        problem = unlock_secrets(secrets, self.folder, self, create=action != "decrypt")
        if problem:
            self.banner.error(problem)
            return
        folder = self.folder
        work: dict[str, Callable[[Any], conversion.ConversionReport]] = {
            "encrypt": lambda _p: conversion.encrypt_store(folder, secrets=secrets),
            "decrypt": lambda _p: conversion.decrypt_store(folder, secrets=secrets),
            "rekey": lambda _p: conversion.rekey_store(folder, secrets=secrets),
        }
        titles = {
            "encrypt": tr("正在加密数据库"),
            "decrypt": tr("正在解密数据库"),
            "rekey": tr("正在更换密钥"),
        }
        self.banner.show_message(titles[action] + "…")
        run_with_store_closed(
            self,
            self.ctx,
            titles[action],
            work[action],
            lambda report, error: self._converted(report, error),
            secrets=secrets,
        )

    def _converted(self, report: conversion.ConversionReport | None, error: str) -> None:
        self.refresh()
        self.ctx.backups_changed.emit()
        if report is None:
            self.banner.error(tr("未完成，数据库保持原样：{m}").format(m=error))
            return
        state = tr("已加密") if report.encrypted else tr("未加密（明文）")
        message = tr(
            "转换完成并已校验：数据库现为{state}；{tables} 张表、{rows} 条记录、"
            "审计日志 {audit} 条，与转换前一致。"
        ).format(
            state=state,
            tables=len(report.tables),
            rows=sum(report.tables.values()),
            audit=report.audit_entries,
        )
        self.banner.show_message("\n".join([message, *report.notes]))
        if report.recovery_key and report.key_id:
            dialog = RecoveryKeyDialog(
                report.recovery_key, report.key_id, report.secret_location, self.folder, self
            )
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()

    def export_recovery(self) -> None:
        secrets, problem = unlocked_secrets(self.folder, self)
        if secrets is None:
            self.banner.error(problem)
            return
        try:
            recovery = crypto_store.recovery_key_for(self.folder, secrets)
            info = crypto_store.load_keyinfo(self.folder)
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        key_id = info.key_id if info else ""

        def write(path: str) -> None:
            try:
                written = write_recovery_file(path, recovery, self.folder, key_id)
            except OSError as exc:
                self.banner.error(
                    tr("无法写入 {path}：{why}").format(path=path, why=os_reason(exc))
                )
                return
            self.banner.show_message(
                tr("恢复密钥已写入 {path}。请转存到离线介质并妥善保管，然后从本机删除。").format(
                    path=written
                )
            )

        save_recovery_dialog(self, key_id, write)


# --------------------------------------------------------------------------- 备份


class RestoreBackupDialog(QtWidgets.QDialog):
    """Confirms a restore; a recovery key may be given for a backup under another key."""

    def __init__(self, backup: BackupInfo, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.backup = backup
        self.recovery_key: str | None = None
        self.setObjectName("restoreBackupDialog")
        self.setWindowTitle(tr("从备份恢复"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(heading(tr("用此备份替换当前数据？"), 1.15))
        layout.addWidget(
            QtWidgets.QLabel(
                tr("备份：{time}（{kind}，{size}）").format(
                    time=f"{backup.created:%Y-%m-%d %H:%M:%S}",
                    kind=kind_label(backup.kind),
                    size=file_size(backup.path.stat().st_size) if backup.path.exists() else "—",
                )
            )
        )
        layout.addWidget(
            muted(
                tr(
                    "先对备份做恢复演练（完整性、记录数、审计日志），通过后把当前数据另存为"
                    "「恢复前」备份，再替换。备份之后录入的记录将不在恢复后的数据中。"
                )
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        box = QtWidgets.QGroupBox(tr("恢复密钥（仅当备份来自其他电脑或使用旧密钥时需要）"))
        inner = QtWidgets.QVBoxLayout(box)
        self.input = RecoveryKeyInput()
        inner.addWidget(self.input)
        layout.addWidget(box)
        buttons, self.restore_button = ok_cancel(self, tr("恢复"))
        self.restore_button.setObjectName("confirmRestore")
        layout.addWidget(buttons)
        fit(self, 640)

    def accept(self) -> None:
        ok, key = self.input.read(self.banner)
        if not ok:
            return
        self.recovery_key = key
        super().accept()


class BackupBox(StoreBox):
    """The backups of the data folder; back up now, drill, restore."""

    def __init__(self, ctx: AppContext, opener: Opener, banner: Banner) -> None:
        super().__init__(tr("备份"), "backupBox", ctx, opener, banner)
        self.backups: list[BackupInfo] = []
        self.last_drill: DrillReport | None = None
        self.last_restore: RestoreReport | None = None
        layout = QtWidgets.QVBoxLayout(self)
        self.where = muted()
        self.where.setObjectName("backupWhere")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where)
        self.table = QtWidgets.QTableWidget(0, 4)
        self.table.setObjectName("backupList")
        self.table.setHorizontalHeaderLabels([tr("时间"), tr("类型"), tr("大小"), tr("加密")])
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(1, 80)
        self.table.setColumnWidth(2, 90)
        self.table.setMinimumHeight(130)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        row = QtWidgets.QHBoxLayout()
        self.backup_button = QtWidgets.QPushButton(tr("立即备份"))
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.backup_now)
        self.drill_button = QtWidgets.QPushButton(tr("恢复演练"))
        self.drill_button.setObjectName("drillButton")
        self.drill_button.setToolTip(tr("把所选备份恢复到临时位置并核对完整性、记录数和审计日志"))
        self.drill_button.clicked.connect(self.drill)
        self.restore_button = QtWidgets.QPushButton(tr("从备份恢复…"))
        self.restore_button.setObjectName("restoreBackupButton")
        self.restore_button.clicked.connect(self.restore)
        open_folder = QtWidgets.QPushButton(tr("打开备份目录"))
        open_folder.clicked.connect(self.open_folder)
        for button in (self.backup_button, self.drill_button, self.restore_button, open_folder):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        ctx.backups_changed.connect(self.refresh)
        ctx.store_reopened.connect(self.refresh)

    def refresh(self) -> None:
        self.where.setText(
            tr(
                "每天自动备份一次（启动和关闭时），保存在 {path}；自动备份保留 7 天、4 周、"
                "12 个月，手动备份不会自动删除。加密数据库的备份同样加密。"
            ).format(path=backup_dir(self.folder))
        )
        chosen = self.selected()
        self.backups = list_backups(self.folder)
        self.table.setRowCount(len(self.backups))
        for n, info in enumerate(self.backups):
            size = info.path.stat().st_size if info.path.exists() else 0
            cells = [
                f"{info.created:%Y-%m-%d %H:%M:%S}",
                kind_label(info.kind),
                file_size(size),
                (tr("是") if info.encrypted else tr("否")) if info.summary else tr("无摘要"),
            ]
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(n, column, item)
        paths = [b.path for b in self.backups]
        row = paths.index(chosen.path) if chosen is not None and chosen.path in paths else 0
        if self.backups:
            self.table.selectRow(row)
        self._selection_changed()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows and rows[0].row() < len(self.backups):
            return self.backups[rows[0].row()]
        return None

    def _selection_changed(self) -> None:
        has = self.selected() is not None
        self.drill_button.setEnabled(has)
        self.restore_button.setEnabled(has)

    def open_folder(self) -> None:
        folder = backup_dir(self.folder)
        folder.mkdir(parents=True, exist_ok=True)
        QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(folder)))

    # ------------------------------------------------------------------ back up and drill

    def backup_now(self) -> Operation:
        store, now = self.ctx.store, self.ctx.now()
        operation = Operation(
            tr("正在备份"), lambda _p: backup_store(store, kind="manual", now=now), self
        )
        operation.succeeded.connect(self._backed_up)
        operation.failed.connect(lambda m: self.banner.error(tr("备份失败：{m}").format(m=m)))
        operation.done.connect(lambda: self.backup_button.setEnabled(True))
        self.backup_button.setEnabled(False)
        ProgressView(self, operation).start()
        return operation

    def _backed_up(self, info: BackupInfo) -> None:
        state = tr("已加密") if info.encrypted else tr("未加密")
        self.banner.show_message(
            tr("已备份（{state}，已核对记录数和审计日志）：{path}").format(
                state=state, path=info.path
            )
        )
        self.ctx.backups_changed.emit()

    def drill(self) -> Operation | None:
        backup = self.selected()
        if backup is None:
            return None
        key: bytes | None = None
        secrets: SecretStore | None = None
        if crypto_store.file_state(backup.path) == "encrypted":
            wanted = (backup.summary or {}).get("key_id")
            if self.ctx.store.key is not None and wanted == self.ctx.store.key_id:
                key = self.ctx.store.key
            else:
                secrets, problem = unlocked_secrets(self.folder, self)
                if secrets is None:
                    self.banner.error(problem)
                    return None
        folder = self.folder
        operation = Operation(
            tr("正在做恢复演练"),
            lambda _p: drill(backup.path, folder, key=key, secrets=secrets),
            self,
        )
        operation.succeeded.connect(self._drilled)
        operation.failed.connect(lambda m: self.banner.error(tr("恢复演练出错：{m}").format(m=m)))
        operation.done.connect(lambda: self.drill_button.setEnabled(True))
        self.drill_button.setEnabled(False)
        ProgressView(self, operation).start()
        return operation

    def _drilled(self, report: DrillReport) -> None:
        self.last_drill = report
        verdict = (
            tr("恢复演练通过：备份完整，可以恢复。")
            if report.ok
            else tr("恢复演练未通过：备份不完整或已损坏。")
        )
        if report.ok:
            self.banner.show_message(verdict)
        else:
            self.banner.error(verdict + " " + "；".join(report.problems))
        dialog = ReportDialog(tr("恢复演练"), report.ok, verdict, report.lines(), self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # ------------------------------------------------------------------ restore

    def restore(self) -> None:
        backup = self.selected()
        if backup is None:
            return
        if self._busy():
            return
        dialog = RestoreBackupDialog(backup, self)
        dialog.accepted.connect(lambda: self._restore(backup, dialog.recovery_key))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _restore(self, backup: BackupInfo, recovery_key: str | None) -> None:
        secrets: SecretStore | None = None
        involved = (backup.path, self.ctx.store.db_path)
        if any(crypto_store.file_state(p) == "encrypted" for p in involved):
            secrets, problem = unlocked_secrets(self.folder, self)
            if secrets is None:
                self.banner.error(problem)
                return
        folder, now = self.folder, self.ctx.now()
        self.banner.show_message(tr("正在从备份恢复…"))
        run_with_store_closed(
            self,
            self.ctx,
            tr("正在从备份恢复"),
            lambda _p: restore_backup(
                backup.path, folder, recovery_key=recovery_key, secrets=secrets, now=now
            ),
            self._restored,
            secrets=secrets,
        )

    def _restored(self, result: RestoreReport | None, error: str) -> None:
        self.ctx.backups_changed.emit()
        if result is None:
            self.banner.error(tr("未恢复，当前数据未改动：{m}").format(m=error))
            return
        self.last_restore = result
        lines = list(result.drill.lines())
        if result.previous_backup:
            lines.append(tr("恢复前的数据已备份到：{path}").format(path=result.previous_backup))
        lines += [tr("注意：{note}").format(note=note) for note in result.notes]
        verdict = tr("已从备份恢复：{time}").format(time=f"{result.drill.backup.name}")
        self.banner.show_message(verdict)
        dialog = ReportDialog(tr("从备份恢复"), True, verdict, lines, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
