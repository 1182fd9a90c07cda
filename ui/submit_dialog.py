"""登记已提交 for the 交付物 page's selected deliverables: on one date, or each on its due date.

Taking up a contract mid-way leaves months of deliverables handed in before the app
was used, all 「已逾期」: they are registered together, on their own due dates (noted so
in each record), instead of one by one as late hand-ins of today.
"""

from __future__ import annotations

from datetime import date, datetime

from app.schedule.deadlines import Deadline
from ui.i18n import tr
from ui.layout import muted
from ui.qt import QtWidgets
from ui.widgets import ok_cancel, to_date, to_qdate
from ui.wording import say


class SubmitDialog(QtWidgets.QDialog):
    """Asks when ``items`` were handed in; :meth:`submitted_at` is the answer."""

    def __init__(
        self, items: list[Deadline], today: date, parent: QtWidgets.QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("登记已提交"))
        layout = QtWidgets.QVBoxLayout(self)
        names = "、".join(
            f"{d.name}（{say(d.period_phrases) or d.period_label}）" for d in items[:3]
        )
        more = tr("等 {n} 项").format(n=len(items)) if len(items) > 3 else ""
        layout.addWidget(muted(tr("将登记为已提交：") + names + more))
        self.on_date = QtWidgets.QRadioButton(tr("提交日期"))
        self.on_date.setObjectName("submitOnDate")
        self.on_date.setChecked(True)
        self.date = QtWidgets.QDateEdit(to_qdate(today))
        self.date.setObjectName("submitDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(to_qdate(today))
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.on_date)
        row.addWidget(self.date, 1)
        layout.addLayout(row)
        self.on_due = QtWidgets.QRadioButton(
            tr("各按其截止日期（在本应用之外已按时提交；记录中注明）")
        )
        self.on_due.setObjectName("submitOnDueDates")
        self.on_due.toggled.connect(lambda on: self.date.setEnabled(not on))
        layout.addWidget(self.on_due)
        buttons, ok = ok_cancel(self, tr("登记 {n} 项").format(n=len(items)))
        ok.setObjectName("submitConfirm")
        layout.addWidget(buttons)

    def submitted_at(self, now: datetime) -> datetime | None:
        """The hand-in time chosen: the date at this hour (today: now), or ``None`` for
        each item's own due date."""
        if self.on_due.isChecked():
            return None
        return datetime.combine(to_date(self.date.date()), now.time())
