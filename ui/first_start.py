"""First start: who is filling the forms, which built-in contracts, demo data, encryption."""

from __future__ import annotations

from app.contracts.registry import install_profile, list_contracts
from app.errors import StoreError
from app.records import listings
from app.schedule.holidays import sync_statutory_holidays
from app.storage import conversion, crypto_store, paths
from app.storage.secrets import FileSecretStore, SecretStore, open_secret_store, secrets_file
from app.storage.store import Session
from ui.context import AppContext
from ui.i18n import tr
from ui.keys import RecoveryKeyDialog, passphrase_problem
from ui.layout import fit_window, heading, muted
from ui.qt import Qt, QtWidgets
from ui.settings import ROLES
from ui.store_ops import run_with_store_closed
from ui.widgets import Banner


def needs_first_start(ctx: AppContext) -> bool:
    return not ctx.settings.has_identity or not ctx.call(lambda s: bool(list_contracts(s)))


class FirstStartDialog(QtWidgets.QDialog):
    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        # the profile files (YAML): read here, a start with its identity set never needs them
        from app.contracts.profiles import load_builtin_profiles

        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("firstStart")
        self.setWindowTitle(tr("欢迎使用运维工作台"))
        self.profiles = load_builtin_profiles()
        installed = ctx.call(lambda s: {c.code for c in list_contracts(s)})
        people = ctx.call(listings.known_people)
        self.installed: list[str] = []
        self.demo_codes: list[str] = []

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(heading(tr("欢迎使用运维工作台")))
        layout.addWidget(
            muted(
                tr(
                    "数据只保存在本机：{folder}。先填写您的身份（记录和签字以此署名），"
                    "再选择要使用的合同。"
                ).format(folder=ctx.store.folder)
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        form = QtWidgets.QFormLayout()
        self.name = QtWidgets.QComboBox()
        self.name.setObjectName("firstName")
        self.name.setEditable(True)
        self.name.addItems([name for name, _role in people])
        self.name.setCurrentText(ctx.settings.name)
        self.role = QtWidgets.QComboBox()
        self.role.setObjectName("firstRole")
        self.role.setEditable(True)
        self.role.addItems([tr(r) for r in ROLES])
        if ctx.settings.role:
            self.role.setCurrentText(ctx.settings.role)
        self.known_roles = dict(people)
        self.name.currentTextChanged.connect(self._known_person)
        form.addRow(tr("姓名"), self.name)
        form.addRow(tr("岗位"), self.role)
        layout.addLayout(form)

        layout.addWidget(QtWidgets.QLabel(tr("内置合同档案（可在「设置」中导入自己的合同）：")))
        self.contracts = QtWidgets.QListWidget()
        self.contracts.setObjectName("builtinProfiles")
        for profile in self.profiles:
            window = "7×24" if profile.service_window == "7x24" else "5×8"
            item = QtWidgets.QListWidgetItem(
                f"{profile.name}（{profile.code}） {profile.period.start} 至 {profile.period.end}"
                f" · {window} · " + tr("{n} 个系统").format(n=len(profile.systems))
            )
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            if profile.code in installed:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.contracts.addItem(item)
        self.contracts.setMaximumHeight(90)
        layout.addWidget(self.contracts)

        demo = QtWidgets.QHBoxLayout()
        self.demo = QtWidgets.QCheckBox(
            tr("生成演示数据（虚构的人员和记录，便于熟悉功能；不与真实记录交换）")
        )
        self.demo.setToolTip(tr("含演示数据的数据目录不与真实记录交换；正式使用时请另建数据目录。"))
        self.demo.setObjectName("demoData")
        self.months = QtWidgets.QSpinBox()
        self.months.setRange(1, 12)
        self.months.setValue(3)
        self.months.setSuffix(tr(" 个月"))
        demo.addWidget(self.demo, 1)
        demo.addWidget(self.months)
        layout.addLayout(demo)

        layout.addWidget(self._records_from_box(installed))
        layout.addWidget(self._encryption_box())

        self.buttons = QtWidgets.QDialogButtonBox()
        start = self.buttons.addButton(
            tr("开始使用"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        start.setObjectName("startButton")
        self.buttons.addButton(tr("退出"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        fit_window(self, 720, 480, place=False)

    # ------------------------------------------------------------------ 启用日期

    def _records_from_box(self, installed: set[str]) -> QtWidgets.QWidget:
        """For contracts well under way: the app's records begin today (their 启用日期).

        Otherwise someone starting in a contract's eleventh month is greeted with
        months of checks and deliverables as 已逾期. Offered, never assumed; not with
        demo data, which fills those months.
        """
        from app.contracts.profiles import under_way

        today = self.ctx.today()
        #: the built-in contracts offered whose earlier months would show as missed
        self.midway = [
            p.code
            for p in self.profiles
            if p.code not in installed and under_way(p.period.start, p.period.end, today)
        ]
        box = QtWidgets.QWidget()
        inner = QtWidgets.QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        self.from_today = QtWidgets.QCheckBox(
            tr("本应用从今天（{day}）开始记录 {codes}").format(
                day=today.isoformat(), codes="、".join(self.midway)
            )
        )
        self.from_today.setObjectName("recordsFromToday")
        inner.addWidget(self.from_today)
        inner.addWidget(
            muted(
                tr(
                    "合同已进行了一段时间：勾选后，此前到期而未在本应用记录的巡检和交付物不计为"
                    "未完成或逾期（启用日期，以后可在「设置」中修改）。加入团队的工程师不必勾选："
                    "导入项目经理的交换包后，以项目经理的合同档案为准。"
                )
            )
        )
        self.demo.toggled.connect(lambda on: self.from_today.setEnabled(not on))
        box.setVisible(bool(self.midway))
        return box

    def records_from_today(self) -> list[str]:
        """The chosen contracts whose records begin today (the box ticked, no demo data)."""
        if not (self.midway and self.from_today.isChecked() and not self.demo.isChecked()):
            return []
        return [code for code in self.chosen() if code in self.midway]

    # ------------------------------------------------------------------ encryption

    def _encryption_box(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(tr("数据库加密"))
        inner = QtWidgets.QVBoxLayout(box)
        self.encrypt = QtWidgets.QCheckBox(tr("加密数据库（推荐在甲方现场使用）"))
        self.encrypt.setObjectName("encryptStore")
        inner.addWidget(self.encrypt)
        self.encrypt_note = muted(
            tr(
                "用 SQLCipher（AES-256）加密整个数据库，包括附件和签名图片；"
                "开始使用时显示一次恢复密钥，请务必保存。以后也可在「设置」中加密或解密。"
            )
        )
        inner.addWidget(self.encrypt_note)
        self.passphrases = QtWidgets.QWidget()
        form = QtWidgets.QFormLayout(self.passphrases)
        form.setContentsMargins(0, 0, 0, 0)
        self.passphrase = QtWidgets.QLineEdit()
        self.passphrase.setObjectName("firstPassphrase")
        self.passphrase_again = QtWidgets.QLineEdit()
        self.passphrase_again.setObjectName("firstPassphraseAgain")
        for edit in (self.passphrase, self.passphrase_again):
            edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        form.addRow(tr("密钥文件口令"), self.passphrase)
        form.addRow(tr("再次输入"), self.passphrase_again)
        self.passphrases.hide()
        inner.addWidget(self.passphrases)
        self.secrets: SecretStore | None = None
        self.new_secret_file = False
        state = crypto_store.file_state(paths.db_path(self.ctx.store.folder))
        if state == "encrypted":
            self.encrypt.setChecked(True)
            self.encrypt.setEnabled(False)
            self.encrypt_note.setText(
                tr("数据库已加密（密钥 ID {id}）。").format(id=self.ctx.store.key_id)
            )
        self.encrypt.toggled.connect(self._encryption_toggled)
        return box

    def _encryption_toggled(self, on: bool) -> None:
        if on and self.secrets is None:
            try:
                self.secrets = open_secret_store(self.ctx.store.folder)
            except StoreError as exc:
                self.banner.error(exc.message)
                self.encrypt.setChecked(False)
                return
            self.new_secret_file = not secrets_file(self.ctx.store.folder).exists()
        secrets = self.secrets
        if not on or secrets is None:
            self.passphrases.hide()
            return
        if secrets.kind == "file":
            self.encrypt_note.setText(
                tr(
                    "不使用系统钥匙串（{reason}）。数据库密钥将保存在{where}，"
                    "由您在下面设置的口令保护；开始使用时还会显示一次恢复密钥，请务必保存。"
                ).format(reason=secrets.fallback_reason, where=secrets.location_description)
                if self.new_secret_file
                else tr(
                    "数据库密钥将保存在{where}，请输入它的口令；"
                    "开始使用时会显示一次恢复密钥，请务必保存。"
                ).format(where=secrets.location_description)
            )
            self.passphrase_again.setVisible(self.new_secret_file)
            label = self.passphrases.layout().labelForField(self.passphrase_again)  # type: ignore[attr-defined]
            label.setVisible(self.new_secret_file)
            self.passphrases.show()
            self.passphrase.setFocus()
        else:
            self.encrypt_note.setText(
                tr(
                    "用 SQLCipher（AES-256）加密整个数据库，包括附件和签名图片。"
                    "密钥保存在{where}；开始使用时显示一次恢复密钥，请务必保存。"
                ).format(where=secrets.location_description)
            )

    def _secrets_ready(self) -> SecretStore | None:
        """The secret store with its passphrase set (checked against an existing file)."""
        secrets = self.secrets
        if not isinstance(secrets, FileSecretStore):
            return secrets
        again = self.passphrase_again.text() if self.new_secret_file else None
        problem = passphrase_problem(self.passphrase.text(), again)
        if problem:
            self.banner.error(problem)
            self.passphrase.setFocus()
            return None
        secrets.set_passphrase(self.passphrase.text())
        if not self.new_secret_file:
            try:
                secrets.get("")  # a wrong passphrase fails here, before anything is changed
            except StoreError as exc:
                self.banner.error(exc.message)
                return None
        return secrets

    def _encrypt(self, secrets: SecretStore) -> None:
        folder = self.ctx.store.folder
        self.buttons.setEnabled(False)
        self.banner.show_message(tr("正在加密数据库…"))
        run_with_store_closed(
            self,
            self.ctx,
            tr("正在加密数据库"),
            lambda _progress: conversion.encrypt_store(folder, secrets=secrets),
            self._encrypted,
            secrets=secrets,
        )

    def _encrypted(self, report: conversion.ConversionReport | None, error: str) -> None:
        self.buttons.setEnabled(True)
        if report is None or not report.recovery_key or not report.key_id:
            self.banner.error(tr("数据库未加密：{m}").format(m=error))
            return
        self.banner.clear_message()
        self.encrypt.setEnabled(False)  # done: starting again does not encrypt twice
        self.passphrases.hide()
        self.encrypt_note.setText(tr("数据库已加密（密钥 ID {id}）。").format(id=report.key_id))
        self.recovery = RecoveryKeyDialog(
            report.recovery_key,
            report.key_id,
            report.secret_location,
            self.ctx.store.folder,
            self,
        )
        self.recovery.accepted.connect(self._finish)
        self.recovery.finished.connect(self.recovery.deleteLater)
        self.recovery.open()

    def _known_person(self, name: str) -> None:
        """Picking a person the store knows fills in their role."""
        if name in self.known_roles:
            self.role.setCurrentText(self.known_roles[name])

    def chosen(self) -> list[str]:
        return [
            profile.code
            for n, profile in enumerate(self.profiles)
            if self.contracts.item(n).checkState() == Qt.CheckState.Checked
        ]

    def accept(self) -> None:
        if not self.name.currentText().strip():
            self.banner.error(tr("请填写您的姓名。"))
            return
        if not self.chosen() and not self.ctx.call(lambda s: bool(list_contracts(s))):
            self.banner.error(tr("请至少选择一个合同。"))
            return
        if self.encrypt.isChecked() and self.encrypt.isEnabled():
            secrets = self._secrets_ready()
            if secrets is not None:
                self._encrypt(secrets)
            return
        self._finish()

    def _finish(self) -> None:
        from app.contracts.profiles import install_beginning

        name = self.name.currentText().strip()
        wanted = set(self.chosen())
        chosen = [p for p in self.profiles if p.code in wanted]
        today, from_today = self.ctx.today(), set(self.records_from_today())

        def install(session: Session) -> list[str]:
            codes = []
            for profile in chosen:
                if profile.code in from_today:
                    contract = install_beginning(session, profile, today)
                else:
                    contract = install_profile(session, profile, builtin=True)
                sync_statutory_holidays(session, contract)
                codes.append(contract.code)
            return codes

        try:
            self.installed = self.ctx.call(install)
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        if not self.ctx.call(lambda s: bool(list_contracts(s))):
            self.banner.error(tr("请至少选择一个合同。"))
            return
        settings = self.ctx.settings
        settings.name, settings.role = name, self.role.currentText().strip()
        if self.installed and settings.contract not in self.installed:
            settings.contract = self.installed[0]
        settings.save()
        self.ctx.store.actor = name
        self.demo_codes = self.installed if self.demo.isChecked() else []
        super().accept()
