"""The 「团队」 page's 「作废多出的一份…」: one check of one period signed on two laptops.

The PM picks which signed run is the extra one and says why; the run is voided
(:func:`app.team.voids.void`: it leaves due lists, statistics and packs, and stays
void on every laptop after the next exchange). The one kept is not touched.
"""

from __future__ import annotations

from collections.abc import Callable

from app.errors import StoreError
from app.team.duplicates import DuplicateRuns
from ui.i18n import tr
from ui.layout import fit_window, muted
from ui.qt import QtWidgets
from ui.widgets import Banner, ok_cancel


class VoidDuplicateDialog(QtWidgets.QDialog):
    """Which of a slot's signed runs to void, and why; ``submit(run_id, reason)`` voids it.

    A refusal (``StoreError``) is shown in the dialog, which stays open as it was. Off the
    project manager's laptop (``by_manager`` false) it first says to agree with the PM.
    """

    def __init__(
        self,
        duplicate: DuplicateRuns,
        submit: Callable[[str, str], None],
        parent: QtWidgets.QWidget | None,
        *,
        by_manager: bool = True,
    ) -> None:
        super().__init__(parent)
        self.duplicate = duplicate
        self._submit = submit
        self.setObjectName("voidDuplicateDialog")
        self.setWindowTitle(tr("作废重复的巡检记录"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "{label}：同一周期有 {n} 份已签字的巡检记录。请选择多出的一份作废，"
                    "保留的记录不变。作废的记录不计入待办、统计和交付包，交换后在同事处"
                    "同样作废，不能撤销。"
                ).format(label=duplicate.label, n=len(duplicate.runs))
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        if not by_manager:  # two people voiding one each would leave the period undone
            self.banner.show_message(
                tr(
                    "重复巡检通常由项目经理处理：若同事在另一台电脑上作废了另一份，两份都作废后"
                    "该周期视同未做。请先与项目经理确认。"
                ),
                "warn",
            )
        form = QtWidgets.QFormLayout()
        self.choice = QtWidgets.QComboBox()
        self.choice.setObjectName("voidWhich")
        for run in duplicate.runs:
            self.choice.addItem(run.label(), run.id)
        form.addRow(tr("作废"), self.choice)
        self.reason = QtWidgets.QLineEdit()
        self.reason.setObjectName("voidReason")
        form.addRow(tr("原因"), self.reason)
        layout.addLayout(form)
        buttons, ok = ok_cancel(self, tr("作废所选"))
        ok.setObjectName("voidConfirm")
        layout.addWidget(buttons)
        self._suggested = ""
        self.choice.currentIndexChanged.connect(self._suggest)
        self.choice.setCurrentIndex(len(duplicate.runs) - 1)  # the later one, by default
        self._suggest()
        fit_window(self, 520, 220, place=False)
        self.choice.setFocus()

    def _suggest(self) -> None:
        """The reason names the run kept, until the user writes a reason of their own."""
        if self.reason.text() not in ("", self._suggested):
            return
        chosen = self.choice.currentData()
        kept = [run for run in self.duplicate.runs if run.id != chosen]
        self._suggested = tr("同一周期重复巡检，保留{who}的记录").format(
            who="、".join(run.person() for run in kept)
        )
        self.reason.setText(self._suggested)

    def accept(self) -> None:
        try:
            self._submit(str(self.choice.currentData()), self.reason.text())
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        super().accept()
