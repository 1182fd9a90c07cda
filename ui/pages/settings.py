"""设置: identity, signature, language, contracts and demo data; data safety, backups, integrity."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app import __version__
from app.contracts.profiles import TAKEN_UP_MIDWAY_DAYS, install_profile_file, set_records_from
from app.contracts.registry import get_contract
from app.contracts.snapshot import schedule_parts
from app.errors import StoreError
from app.probes import consent
from app.records import signature_vault
from app.schedule.holidays import sync_statutory_holidays
from app.storage.atomic import os_reason
from app.storage.store import Session
from ui.context import AppContext
from ui.demo import start_demo
from ui.i18n import LANGUAGES, tr
from ui.layout import heading, muted
from ui.pages.base import Opener, Page
from ui.pages.data_safety import BackupBox, SecurityBox
from ui.pages.hub_box import HubBox
from ui.pages.integrity import IntegritySection
from ui.qt import QtCore, QtGui, QtWidgets, Signal
from ui.reminders import reminder_time
from ui.settings import ROLES
from ui.signatures import MySignatureDialog, set_keep_signature
from ui.widgets import Banner, scrolling


class SettingsPage(Page):
    key = "settings"
    #: The daily reminder time was changed (the main window reschedules it).
    reminder_changed = Signal()

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__(ctx, opener)
        outer = QtWidgets.QVBoxLayout(self)
        outer.addWidget(heading(tr("设置")))
        self.banner = Banner()
        outer.addWidget(self.banner)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setDocumentMode(True)
        outer.addWidget(self.tabs, 1)
        general = QtWidgets.QWidget()
        columns = QtWidgets.QHBoxLayout(general)
        columns.setContentsMargins(0, 6, 0, 0)
        left = QtWidgets.QVBoxLayout()
        right = QtWidgets.QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        left.addWidget(self._identity_box())
        left.addWidget(self._signature_box())
        left.addWidget(self._reminder_box())
        left.addWidget(self._probe_box())
        left.addWidget(self._language_box())
        right.addWidget(self._data_box())
        self.hub = HubBox(ctx, self.banner)
        right.addWidget(self.hub)
        self.security = SecurityBox(ctx, opener, self.banner)
        right.addWidget(self.security)
        self.backups = BackupBox(ctx, opener, self.banner)
        right.addWidget(self.backups, 1)
        if ctx.store.is_hub:  # the server's: TLS and pg_dump, not this laptop's file
            self.security.hide()
            self.backups.hide()
            right.addWidget(
                muted(tr("团队中心的数据在服务器上，由服务器管理员加密传输（TLS）和备份。"))
            )
            right.addStretch(1)
        left.addWidget(self._contracts_box())
        left.addWidget(muted(tr("运维工作台 版本 {v}").format(v=__version__)))
        left.addStretch(1)
        # each tab scrolls: the page fits a small screen at 150 % (about 910×512)
        self.tabs.addTab(scrolling(general), tr("常规"))
        self.integrity = IntegritySection(ctx, opener, self.banner)
        self.tabs.addTab(scrolling(self.integrity), tr("数据完整性"))

    def _identity_box(self) -> QtWidgets.QGroupBox:
        """我的身份: name and role, as signatures and records show them."""
        identity = QtWidgets.QGroupBox(tr("我的身份"))
        form = QtWidgets.QFormLayout(identity)
        self.name = QtWidgets.QLineEdit(self.ctx.settings.name)
        self.name.setObjectName("identityName")
        self.role = QtWidgets.QComboBox()
        self.role.setEditable(True)
        self.role.addItems([tr(r) for r in ROLES])
        self.role.setCurrentText(self.ctx.settings.role)
        save = QtWidgets.QPushButton(tr("保存身份"))
        save.clicked.connect(self.save_identity)
        form.addRow(tr("姓名"), self.name)
        form.addRow(tr("岗位"), self.role)
        form.addRow("", save)
        return identity

    def _signature_box(self) -> QtWidgets.QGroupBox:
        """我的签名: whether one is saved; record or delete it."""
        signature = QtWidgets.QGroupBox(tr("我的签名"))
        box = QtWidgets.QVBoxLayout(signature)
        self.signature_state = muted()
        box.addWidget(self.signature_state)
        buttons = QtWidgets.QHBoxLayout()
        record = QtWidgets.QPushButton(tr("录入/更换我的签名…"))
        record.clicked.connect(self.record_signature)
        self.forget = QtWidgets.QPushButton(tr("删除我的签名"))
        self.forget.clicked.connect(self.forget_signature)
        buttons.addWidget(record)
        buttons.addWidget(self.forget)
        buttons.addStretch(1)
        box.addLayout(buttons)
        self.keep_signature = QtWidgets.QCheckBox(
            tr("本次运行期间保留已解锁的签名（完成并签字时不再询问 PIN）")
        )
        self.keep_signature.setObjectName("keepSignature")
        self.keep_signature.setChecked(self.ctx.settings.keep_signature)
        self.keep_signature.toggled.connect(lambda on: set_keep_signature(self.ctx, on))
        box.addWidget(self.keep_signature)
        return signature

    def _reminder_box(self) -> QtWidgets.QGroupBox:
        """提醒: the time of day of the daily reminder of what is due (or none)."""
        reminder = QtWidgets.QGroupBox(tr("提醒"))
        row = QtWidgets.QHBoxLayout(reminder)
        at = reminder_time(self.ctx.settings.reminder_time)
        self.remind_daily = QtWidgets.QCheckBox(tr("每天定时提醒今日待办和逾期事项"))
        self.remind_daily.setObjectName("remindDaily")
        self.remind_daily.setChecked(at is not None)
        self.remind_at = QtWidgets.QTimeEdit()
        self.remind_at.setObjectName("remindAt")
        self.remind_at.setDisplayFormat("HH:mm")
        self.remind_at.setTime(QtCore.QTime(at.hour, at.minute) if at else QtCore.QTime(8, 30))
        self.remind_at.setEnabled(at is not None)
        self.remind_daily.toggled.connect(self.remind_at.setEnabled)
        self.remind_daily.toggled.connect(lambda _on: self.save_reminder())
        self.remind_at.timeChanged.connect(lambda _t: self.save_reminder())
        row.addWidget(self.remind_daily)
        row.addWidget(self.remind_at)
        row.addStretch(1)
        return reminder

    def _probe_box(self) -> QtWidgets.QGroupBox:
        """自动检测: this laptop's switch; off, no probe contacts anything."""
        box = QtWidgets.QGroupBox(tr("自动检测"))
        column = QtWidgets.QVBoxLayout(box)
        self.probes_allowed = QtWidgets.QCheckBox(
            tr("允许「自动检测」访问合同档案中的地址（只在点击时运行，首次运行前列出地址请您确认）")
        )
        self.probes_allowed.setObjectName("probesAllowed")
        self.probes_allowed.setChecked(not consent.disabled(self.ctx.store.folder))
        self.probes_allowed.toggled.connect(self.save_probes)
        column.addWidget(self.probes_allowed)
        return box

    def save_probes(self, allowed: bool) -> None:
        try:
            consent.set_disabled(self.ctx.store.folder, not allowed)
        except OSError as exc:
            self.banner.error(tr("无法保存设置：{e}").format(e=os_reason(exc)))

    def _language_box(self) -> QtWidgets.QGroupBox:
        """界面语言 (used after a restart)."""
        language = QtWidgets.QGroupBox(tr("界面语言"))
        lang = QtWidgets.QHBoxLayout(language)
        self.language = QtWidgets.QComboBox()
        self.language.setObjectName("language")
        for code, label in LANGUAGES.items():
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(self.language.findData(self.ctx.settings.language), 0))
        self.language.currentIndexChanged.connect(self.save_language)
        lang.addWidget(self.language)
        lang.addWidget(muted(tr("重新启动后生效。")), 1)
        return language

    def _data_box(self) -> QtWidgets.QGroupBox:
        """数据: where the data folder is, and that it stays on this machine."""
        ctx = self.ctx
        data = QtWidgets.QGroupBox(tr("数据"))
        grid = QtWidgets.QVBoxLayout(data)
        folder = QtWidgets.QLabel(tr("数据目录：{path}").format(path=ctx.store.folder))
        folder.setWordWrap(True)
        folder.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(folder)
        open_folder = QtWidgets.QPushButton(tr("打开数据目录"))
        open_folder.clicked.connect(
            lambda: QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(ctx.store.folder)))
        )
        grid.addWidget(open_folder)
        if ctx.store.is_hub:
            where = tr("记录保存在团队中心的服务器上；数据目录中是本机的设置、签名和密钥。")
        else:
            where = tr("数据保存在本机，不联网。")
        grid.addWidget(
            muted(where + tr("带离甲方现场的导出文件须经甲方许可并加密（合同保密条款）。"))
        )
        return data

    def _contracts_box(self) -> QtWidgets.QGroupBox:
        """合同与演示数据: import a contract profile, generate demo data."""
        contracts = QtWidgets.QGroupBox(tr("合同与演示数据"))
        cbox = QtWidgets.QVBoxLayout(contracts)
        load = QtWidgets.QPushButton(tr("导入合同档案（YAML）…"))
        load.clicked.connect(self.import_profile)
        cbox.addWidget(load)
        begins = QtWidgets.QHBoxLayout()
        self.records_from_state = muted("")
        self.records_from_state.setObjectName("recordsFromState")
        self.records_from_state.setWordWrap(True)
        edit = QtWidgets.QPushButton(tr("启用日期…"))
        edit.setObjectName("recordsFromButton")
        edit.clicked.connect(self.edit_records_from)
        begins.addWidget(self.records_from_state, 1)
        begins.addWidget(edit)
        cbox.addLayout(begins)
        demo = QtWidgets.QHBoxLayout()
        self.months = QtWidgets.QSpinBox()
        self.months.setRange(1, 24)
        self.months.setValue(3)
        self.months.setSuffix(tr(" 个月"))
        make = QtWidgets.QPushButton(tr("为当前合同生成演示数据"))
        make.clicked.connect(self.demo)
        demo.addWidget(self.months)
        demo.addWidget(make, 1)
        cbox.addLayout(demo)
        cbox.addWidget(
            muted(tr("演示数据为虚构人员和记录，可用于熟悉功能；请勿用于正式合同的数据目录。"))
        )
        return contracts

    def show_integrity(self) -> None:
        """The 数据完整性 tab, its result list focused."""
        self.tabs.setCurrentIndex(1)  # 数据完整性
        self.integrity.focus_results()

    def refresh(self) -> None:
        self._show_records_from()
        self.security.refresh()
        self.backups.refresh()
        has = signature_vault.has_signature(self.ctx.store.folder, self.ctx.actor)
        self.signature_state.setText(
            tr("已保存（PIN 保护）") if has else tr("尚未保存。签字时也可勾选「保存为我的签名」。")
        )
        self.forget.setEnabled(has)
        self.keep_signature.blockSignals(True)
        self.keep_signature.setChecked(self.ctx.settings.keep_signature)
        self.keep_signature.blockSignals(False)

    def save_identity(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.banner.error(tr("请填写姓名。"))
            return
        self.ctx.settings.name = name
        self.ctx.settings.role = self.role.currentText().strip()
        self.ctx.settings.save()
        self.ctx.store.actor = name
        self.banner.show_message(tr("已保存。以后的记录以「{name}」署名。").format(name=name))
        self.refresh()

    def save_reminder(self) -> None:
        """The reminder time is saved and the next reminder rescheduled at once."""
        on = self.remind_daily.isChecked()
        self.ctx.settings.reminder_time = self.remind_at.time().toString("HH:mm") if on else ""
        self.ctx.settings.save()
        self.reminder_changed.emit()

    def save_language(self) -> None:
        self.ctx.settings.language = str(self.language.currentData())
        self.ctx.settings.save()
        self.banner.show_message(tr("界面语言已保存，重新启动后生效。"))
        ask = QtWidgets.QMessageBox(self)
        ask.setIcon(QtWidgets.QMessageBox.Icon.Question)
        ask.setWindowTitle(tr("界面语言"))
        ask.setText(tr("界面语言已保存，重新启动后生效。现在重新启动吗？"))
        now = ask.addButton(tr("立即重启"), QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        ask.addButton(tr("稍后"), QtWidgets.QMessageBox.ButtonRole.RejectRole)
        ask.setDefaultButton(now)
        ask.exec()
        if ask.clickedButton() is not now:
            return
        # the main window closes as if the user closed it: open forms ask about their changes
        self.ctx.restart_requested = True
        window = self.window()
        if not window.close():  # a form's 「取消」 kept the window open
            self.ctx.restart_requested = False

    def record_signature(self) -> None:
        dialog = MySignatureDialog(self.ctx, self)
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def forget_signature(self) -> None:
        signature_vault.forget_signature(self.ctx.store.folder, self.ctx.actor)
        self.refresh()

    def import_profile(self) -> None:
        dialog = QtWidgets.QFileDialog(
            self, tr("选择合同档案"), "", tr("合同档案") + " (*.yaml *.yml)"
        )
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self._install)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _install(self, path: str) -> None:
        def install(session: Session) -> tuple[str, date, date | None]:
            contract = install_profile_file(session, Path(path))
            sync_statutory_holidays(session, contract)
            begins = schedule_parts(contract.profile).records_from
            return contract.code, contract.start_date, begins

        try:
            code, start, begins = self.ctx.call(install)
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        message = tr("已导入合同 {code}。").format(code=code)
        if begins is None and (self.ctx.today() - start).days > TAKEN_UP_MIDWAY_DAYS:
            # a contract well under way: its earlier months would show as missed and overdue
            message += tr(
                "合同期自 {start} 开始。若本应用从近日才开始记录合同 {code}，可在该合同下点"
                "「启用日期…」设置，此前未记录的不计为未完成或逾期。"
            ).format(start=start, code=code)
        self.banner.show_message(message)
        self.ctx.changed()
        self.ctx.contracts_changed.emit()

    def _period(self) -> tuple[date, date, date | None]:
        """The current contract's period and its declared 启用日期 (or ``None``)."""

        def read(session: Session) -> tuple[date, date, date | None]:
            contract = get_contract(session, self.ctx.contract)
            begins = schedule_parts(contract.profile).records_from
            return contract.start_date, contract.end_date, begins

        return self.ctx.call(read)

    def _show_records_from(self) -> None:
        try:
            start, _end, begins = self._period()
        except StoreError:  # the store is being converted or restored: shown once reopened
            return
        self.records_from_state.setText(
            tr("{contract}：启用日期 {day}，此前未记录的不计为未完成或逾期。").format(
                contract=self.ctx.contract, day=begins
            )
            if begins
            else tr("{contract}：自合同期开始（{day}）统计。").format(
                contract=self.ctx.contract, day=start
            )
        )

    def edit_records_from(self) -> QtWidgets.QDialog | None:
        """启用日期…: asks for the day the current contract's records begin."""
        from ui.records_from_dialog import RecordsFromDialog

        try:
            start, end, begins = self._period()
        except StoreError as exc:
            self.banner.error(exc.message)
            return None
        dialog = RecordsFromDialog(begins, start, end, self.ctx.today(), self)
        dialog.accepted.connect(lambda: self._set_records_from(dialog.chosen()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _set_records_from(self, day: date | None) -> None:
        try:
            self.ctx.call(lambda s: set_records_from(s, get_contract(s, self.ctx.contract), day))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.banner.show_message(
            tr("启用日期已设为 {day}，下次导出交换包时发给同事。").format(day=day)
            if day
            else tr("已取消启用日期：自合同期开始统计。")
        )
        self._show_records_from()
        self.ctx.changed()
        self.ctx.contracts_changed.emit()

    def demo(self) -> None:
        start_demo(self, self.ctx, [self.ctx.contract], self.months.value(), self._demo_done)

    def _demo_done(self, message: str) -> None:
        self.banner.show_message(message)
        self.ctx.changed()
