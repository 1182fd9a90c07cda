"""At start: offer to restore each form a crash left open, or whose draft was kept.

A form closed with 「保存草稿」 carries the ``_kept`` marker, one open when the process
died the ``_open`` marker (``ui.drafts``); both are listed, saying which. 「稍后再说」
leaves them for the next start (or for the record's form, which puts them back).
"""

from __future__ import annotations

from typing import Any

from app.records import drafts
from app.records.drafts import DraftInfo
from ui.context import AppContext
from ui.drafts import KEPT, OPEN
from ui.i18n import tr
from ui.layout import fit_window, muted
from ui.qt import Qt, QtWidgets, Signal


def form_kind(form_type: str) -> str:
    return {
        "inspection_run": tr("巡检记录单"),
        "fault_record": tr("故障单"),
        "service_request": tr("服务请求"),
        "meeting_minutes": tr("会议纪要"),
    }.get(form_type, form_type)


class RestoreDialog(QtWidgets.QDialog):
    """Lists the unfinished forms; 「恢复」 reopens the ticked ones with what was typed."""

    restore = Signal(str, dict)

    def __init__(
        self,
        ctx: AppContext,
        forms: list[tuple[DraftInfo, dict[str, Any]]],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.forms = forms
        self.setObjectName("restoreDialog")
        self.setWindowTitle(tr("恢复未完成的表单"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "以下表单有尚未保存的内容：程序异常退出时仍在填写，"
                    "或关闭时选择了「保存草稿」。勾选要恢复的表单："
                )
            )
        )
        self.list = QtWidgets.QListWidget()
        self.list.setObjectName("draftList")
        for info, values in forms:
            why = tr("异常退出") if values.get(OPEN) or not values.get(KEPT) else tr("草稿")
            item = QtWidgets.QListWidgetItem(
                f"{form_kind(info.form_type)} · {info.title or info.form_key} · "
                + tr("最后编辑 {at}").format(at=f"{info.updated_at:%Y-%m-%d %H:%M}")
                + f"（{why}）"
            )
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        layout.addWidget(self.list)
        buttons = QtWidgets.QDialogButtonBox()
        self.restore_button = buttons.addButton(
            tr("恢复所选"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setObjectName("restoreButton")
        discard = buttons.addButton(
            tr("丢弃所选"), QtWidgets.QDialogButtonBox.ButtonRole.DestructiveRole
        )
        discard.clicked.connect(self.discard)
        buttons.addButton(tr("稍后再说"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_window(self, 640, 300, place=False)

    def _ticked(self) -> list[tuple[DraftInfo, dict[str, Any]]]:
        return [
            form
            for n, form in enumerate(self.forms)
            if self.list.item(n).checkState() == Qt.CheckState.Checked
        ]

    def accept(self) -> None:
        chosen = self._ticked()
        super().accept()
        for info, values in chosen:
            self.restore.emit(info.form_key, values)

    def discard(self) -> None:
        chosen = self._ticked()
        self.ctx.call(lambda s: [drafts.discard(s, info.form_key) for info, _v in chosen])
        super().reject()
