"""设置 › 团队中心: work on the office's PostgreSQL hub instead of this laptop's store.

The address and the password are checked against the hub off the GUI thread
(:func:`app.storage.hub.connect_folder`); the password goes to the OS keyring or
the sealed secrets file, never into a settings file. The window uses the hub after
a restart.
"""

from __future__ import annotations

from app.storage import hub
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import muted
from ui.operations import Operation, ProgressView
from ui.qt import QtWidgets
from ui.widgets import Banner


class HubBox(QtWidgets.QGroupBox):
    def __init__(self, ctx: AppContext, banner: Banner) -> None:
        super().__init__(tr("团队中心"))
        self.setObjectName("hubBox")
        self.ctx = ctx
        self.banner = banner
        form = QtWidgets.QFormLayout(self)
        store = ctx.store
        current = hub.describe(store.hub_url) if store.hub_url else tr("本机数据存储")
        self.current = QtWidgets.QLabel(tr("当前使用：{where}").format(where=current))
        self.current.setWordWrap(True)
        form.addRow(self.current)
        self.url = QtWidgets.QLineEdit(hub.saved_url(store.folder) or "")
        self.url.setObjectName("hubUrl")
        self.url.setPlaceholderText("postgresql://omw_app@服务器/omw?sslmode=verify-full")
        form.addRow(tr("地址"), self.url)
        self.password = QtWidgets.QLineEdit()
        self.password.setObjectName("hubPassword")
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        form.addRow(tr("口令"), self.password)
        buttons = QtWidgets.QHBoxLayout()
        self.connect_button = QtWidgets.QPushButton(tr("连接并使用"))
        self.connect_button.clicked.connect(self.connect_hub)
        self.local_button = QtWidgets.QPushButton(tr("改用本机数据存储"))
        self.local_button.clicked.connect(self.use_local)
        self.local_button.setEnabled(hub.saved_url(store.folder) is not None)
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.local_button)
        form.addRow(buttons)
        form.addRow(
            muted(
                tr(
                    "公司办公室的 PostgreSQL 服务器，多人同时使用；口令保存在系统密钥环或加密的"
                    "密钥文件中。重新启动后生效。"
                )
            )
        )

    def connect_hub(self) -> Operation | None:
        url = self.url.text().strip()
        try:
            url = hub.check_url(url)
        except hub.HubError as exc:
            self.banner.error(exc.message)
            return None
        password = self.password.text() or None
        folder = self.ctx.store.folder
        secrets = self.ctx.store.secret_store()  # asked here, on the GUI thread
        operation = Operation(
            tr("正在连接团队中心"),
            lambda _p: hub.connect_folder(folder, url, password, secrets),
            self,
        )
        operation.succeeded.connect(lambda _where: self._connected(url))
        operation.failed.connect(self.banner.error)
        operation.done.connect(lambda: self.connect_button.setEnabled(True))
        self.connect_button.setEnabled(False)
        ProgressView(self, operation).start()
        return operation

    def _connected(self, url: str) -> None:
        self.password.clear()
        self.local_button.setEnabled(True)
        self.banner.show_message(
            tr("已保存团队中心 {where}，重新启动后使用。").format(where=hub.describe(url))
        )

    def use_local(self) -> None:
        hub.save_url(self.ctx.store.folder, None)
        self.local_button.setEnabled(False)
        self.banner.show_message(tr("重新启动后改用本机数据存储。"))
