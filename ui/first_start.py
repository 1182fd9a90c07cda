"""First start: who is filling the forms, which built-in contracts, demo data or not."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.profiles import load_builtin_profiles
from app.services import listings
from app.services.contracts import install_profile, list_contracts
from app.services.holidays import sync_statutory_holidays
from db.errors import StoreError
from ui.context import AppContext
from ui.i18n import tr
from ui.qt import Qt, QtWidgets
from ui.settings import ROLES
from ui.widgets import Banner, heading, muted


def needs_first_start(ctx: AppContext) -> bool:
    return not ctx.settings.has_identity or not ctx.call(lambda s: bool(list_contracts(s)))


class FirstStartDialog(QtWidgets.QDialog):
    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
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
        self.demo = QtWidgets.QCheckBox(tr("生成演示数据（虚构的人员和记录，便于熟悉功能）"))
        self.demo.setObjectName("demoData")
        self.months = QtWidgets.QSpinBox()
        self.months.setRange(1, 12)
        self.months.setValue(3)
        self.months.setSuffix(tr(" 个月"))
        demo.addWidget(self.demo, 1)
        demo.addWidget(self.months)
        layout.addLayout(demo)

        buttons = QtWidgets.QDialogButtonBox()
        start = buttons.addButton(tr("开始使用"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        start.setObjectName("startButton")
        buttons.addButton(tr("退出"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 420)

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
        name = self.name.currentText().strip()
        if not name:
            self.banner.error(tr("请填写您的姓名。"))
            return
        wanted = set(self.chosen())
        chosen = [p for p in self.profiles if p.code in wanted]

        def install(session: Session) -> list[str]:
            codes = []
            for profile in chosen:
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
