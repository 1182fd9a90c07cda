"""今日: everything due today and overdue for the current contract, one Enter from its form."""

from __future__ import annotations

from typing import NamedTuple

from app.schedule.due import DueItem, DueReport, due_on
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import heading, muted
from ui.models import Column, RowTableModel
from ui.pages.base import Opener, Page
from ui.qt import Qt, QtCore, QtGui, QtWidgets
from ui.widgets import Banner, RecordTable
from ui.wording import say

STATES = {"due": "待办", "in_progress": "进行中", "done": "已完成", "overdue": "已逾期"}
KINDS = {"checklist": "巡检", "holiday_check": "节假日检查", "deliverable": "交付物"}
TONES = {"overdue": "bad", "in_progress": "info", "done": "good"}
#: Widgets being typed in: showing 今日 does not take the keyboard from them.
TYPING = (
    QtWidgets.QLineEdit,
    QtWidgets.QAbstractSpinBox,
    QtWidgets.QPlainTextEdit,
    QtWidgets.QTextEdit,
)


class TodayRow(NamedTuple):
    id: str
    state: str
    kind: str
    name: str
    system: str
    period: str
    deadline: str
    engineer: str  # who did it (shown when the store holds several engineers' records)
    code: str  # due state code, for the colour
    item: DueItem


#: Overdue deliverables from which the page says how to register earlier hand-ins
HINT_OVERDUE_DELIVERABLES = 5


def weekday(index: int) -> str:
    return {
        0: tr("星期一"),
        1: tr("星期二"),
        2: tr("星期三"),
        3: tr("星期四"),
        4: tr("星期五"),
        5: tr("星期六"),
        6: tr("星期日"),
    }[index]


class TodayPage(Page):
    key = "today"

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__(ctx, opener)
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.title = heading(tr("今日"))
        top.addWidget(self.title, 1)
        new_request = QtWidgets.QPushButton(tr("新服务请求 (F2)"))
        new_request.clicked.connect(lambda: self.opener.open_request())
        new_fault = QtWidgets.QPushButton(tr("新故障单"))
        new_fault.clicked.connect(lambda: self.opener.open_fault())
        top.addWidget(new_request)
        top.addWidget(new_fault)
        layout.addLayout(top)
        self.holiday = Banner()
        self.holiday.setObjectName("holidayBanner")
        layout.addWidget(self.holiday)
        self.counts = muted()
        layout.addWidget(self.counts)
        self.team = muted()
        self.team.setObjectName("teamCounts")
        self.team.setWordWrap(True)
        layout.addWidget(self.team)
        self.handed_in_hint = muted()
        self.handed_in_hint.setObjectName("handedInHint")
        self.handed_in_hint.setWordWrap(True)
        self.handed_in_hint.hide()
        layout.addWidget(self.handed_in_hint)
        self.model = RowTableModel(
            [
                Column(tr("状态"), "state", 70, label=True),
                Column(tr("类别"), "kind", 90, label=True),
                Column(tr("名称"), "name", 300),
                Column(tr("系统"), "system", 150),
                Column(tr("周期"), "period", 300),
                Column(tr("截止"), "deadline", 100),
                Column(tr("人员"), "engineer", 80),
            ],
            tone=lambda row: TONES.get(row.code),
        )
        self.table = RecordTable(self.model)
        self.table.setObjectName("todayTable")
        self.table.opened.connect(self._open)
        layout.addWidget(self.table, 1)
        layout.addWidget(muted(tr("双击或按 Enter 打开表单。逾期事项排在最前。")))
        self.report: DueReport | None = None
        #: why today is not a service day ("" when it is); the list then shows the next one
        self.day_off = ""

    def refresh(self) -> None:
        today = self.ctx.today()
        report = self.ctx.call(lambda s: due_on(s, self.ctx.contract, today))
        self.day_off = ""
        if report.in_period and not report.holiday and not report.service_day:
            # a day the contract does not serve: say why, and show the next service day's work
            self.day_off = report.day_off
            following = report.next_service_day
            if following is not None:
                report = self.ctx.call(lambda s: due_on(s, self.ctx.contract, following))
        self.report = report
        self.title.setText(
            tr("今日 · {date} {weekday} · {contract}").format(
                date=today.isoformat(),
                weekday=weekday(today.weekday()),
                contract=report.contract_name,
            )
        )
        if report.holiday:
            self.holiday.show_message(
                tr(
                    "节假日保障模式：{holiday}。今日须完成节日期间每日检查，应急事件按故障单记录。"
                ).format(holiday=report.holiday),
                "lock",
            )
        elif not report.in_period:
            self.holiday.show_message(tr("今日不在合同服务期内。"), "info")
        elif report.begins is not None:
            self.holiday.show_message(
                tr("本合同在本应用中自 {date} 启用（启用日期），此前到期的事项不列出。").format(
                    date=report.begins.isoformat()
                ),
                "info",
            )
        elif self.day_off:
            message = tr("今天不是服务日（{reason}）。").format(reason=tr(self.day_off))
            if report.date != today:
                message += tr("下面是下一个服务日 {date} {weekday} 的工作。").format(
                    date=report.date.isoformat(), weekday=weekday(report.date.weekday())
                )
            self.holiday.show_message(message, "info")
        else:
            self.holiday.clear_message()
        counts = report.counts()
        text = tr("待办 {due} · 进行中 {progress} · 已完成 {done} · 已逾期 {overdue}").format(
            due=counts["due"],
            progress=counts["in_progress"],
            done=counts["done"],
            overdue=counts["overdue"],
        )
        if report.assumed_calendar:
            text += " · " + tr("该年度法定节假日安排未知，按周一至周五推算")
        self.counts.setText(text)
        rows = [
            TodayRow(
                str(n),
                STATES[item.state],
                KINDS[item.kind],
                item.name,
                item.system_name or "",
                say(item.period_phrases) or item.period_label,
                item.deadline.isoformat() + ("*" if item.assumed else ""),
                item.engineer,
                item.state,
                item,
            )
            for n, item in enumerate(report.items)
        ]
        self.model.set_rows(rows)
        self._show_team(report)
        self._hint_handed_in(report)
        self._select_first_open()

    def _hint_handed_in(self, report: DueReport) -> None:
        """Many overdue deliverables: most likely a contract taken up mid-way, its earlier
        ones handed in before the app. Say how to register them (a team at work seldom
        has more than one or two overdue)."""
        late = sum(1 for i in report.items if i.kind == "deliverable" and i.state == "overdue")
        self.handed_in_hint.setVisible(late >= HINT_OVERDUE_DELIVERABLES)
        self.handed_in_hint.setText(
            tr(
                "有 {n} 项交付物已逾期。已在本应用之外提交的，可在「交付物」中多选，"
                "点「登记已提交」并选「各按其截止日期」，一次登记；合同中途才开始用本应用的，"
                "也可在「设置」中该合同下点「启用日期…」声明，此前到期而未记录的不再计为逾期。"
            ).format(n=late)
        )

    def _select_first_open(self) -> None:
        """Today's first check not done yet is current, so ``Enter`` opens its form.

        Today's checks come before overdue ones, checks before deliverables (those
        open the 交付物 page, not a form); without one, the first item not done.
        """
        if self.table.currentIndex().isValid():
            return
        rows = [self.model.row_at(n) for n in range(self.model.rowCount())]
        open_rows = [n for n, row in enumerate(rows) if row.code != "done"]
        checks = [n for n in open_rows if rows[n].item.kind != "deliverable"]
        todays = [n for n in checks if rows[n].code != "overdue"]
        target = (todays or checks or open_rows or [0])[0]
        if rows:
            self.table.setCurrentIndex(self.model.index(target, 0))

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        """The list takes the keyboard, unless the user is in the navigation or typing."""
        super().showEvent(event)
        QtCore.QTimer.singleShot(0, self._take_focus)

    def _take_focus(self) -> None:
        focused = QtWidgets.QApplication.focusWidget()
        busy = focused is not None and (
            focused.objectName() == "navigation"
            or isinstance(focused, TYPING)
            or (isinstance(focused, QtWidgets.QComboBox) and focused.isEditable())
        )
        if self.isVisible() and not busy:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_team(self, report: DueReport) -> None:
        """Per engineer, when the store holds several engineers' records (after an exchange)."""
        self.table.setColumnHidden(len(self.model.columns) - 1, not report.team)
        self.team.setVisible(report.team)
        if not report.team:
            return
        parts = []
        for engineer, counts in report.by_engineer().items():
            shown = [
                f"{tr(STATES[state])} {n}"
                for state in ("due", "in_progress", "done", "overdue")
                if (n := counts[state])
            ]
            parts.append(f"{engineer or tr('未开始')}：{' · '.join(shown)}")
        self.team.setText(tr("按人员：") + "；".join(parts))

    def _open(self, row_id: str) -> None:
        if self.report is None:
            return
        item = self.report.items[int(row_id)]
        if self.day_off and item.kind == "checklist" and item.run_id is None:
            answer = QtWidgets.QMessageBox.question(
                self,
                tr("不是服务日"),
                tr("今天（{reason}）不是服务日。仍要现在开始这次巡检吗？").format(
                    reason=tr(self.day_off)
                ),
            )
            if answer != QtWidgets.QMessageBox.StandardButton.Yes:
                return
        self.opener.open_due(item)
