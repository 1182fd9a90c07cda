"""启用日期 for the current contract: the day the app's records of it begin.

A contract taken up mid-way would otherwise count its earlier months as checks
missed and list their deliverables as overdue. The answer is saved with
:func:`app.contracts.profiles.set_records_from` (the profile's next version once the
store has exchanged a bundle).
"""

from __future__ import annotations

from datetime import date

from ui.i18n import tr
from ui.layout import muted
from ui.qt import QtWidgets
from ui.widgets import ok_cancel, to_date, to_qdate


class RecordsFromDialog(QtWidgets.QDialog):
    """Asks for the 启用日期 within ``start``..``end``; :meth:`chosen` is the answer."""

    def __init__(
        self,
        current: date | None,
        start: date,
        end: date,
        today: date,
        parent: QtWidgets.QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("启用日期"))
        self.setMinimumWidth(480)  # the explanation in a few lines, not a narrow column
        layout = QtWidgets.QVBoxLayout(self)
        text = tr(
            "合同中途才开始用本应用记录时，写明从哪天起记录：此前的巡检不计为未完成，"
            "此前到期的交付物显示为「启用前」而非已逾期，汇总表和报告中注明。"
            "设置后随交换包发给同事（团队中由项目经理设置）。"
        )
        note = muted(text)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.declared = QtWidgets.QCheckBox(tr("本应用自此日起记录本合同："))
        self.declared.setObjectName("recordsFromDeclared")
        self.declared.setChecked(current is not None)
        self.date = QtWidgets.QDateEdit(to_qdate(current or min(max(today, start), end)))
        self.date.setObjectName("recordsFromDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDateRange(to_qdate(start), to_qdate(end))  # within the contract period
        self.date.setEnabled(current is not None)
        self.declared.toggled.connect(self.date.setEnabled)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.declared)
        row.addWidget(self.date, 1)
        layout.addLayout(row)
        period = tr("合同期 {start} 至 {end}；不勾选则自合同期开始统计。")
        layout.addWidget(muted(period.format(start=start, end=end)))
        buttons, ok = ok_cancel(self, tr("保存"))
        ok.setObjectName("recordsFromSave")
        layout.addWidget(buttons)

    def chosen(self) -> date | None:
        """The 启用日期 chosen, or ``None``: counted from the start of the contract."""
        return to_date(self.date.date()) if self.declared.isChecked() else None
