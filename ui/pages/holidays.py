"""节假日保障: a holiday period's three phases, its check sheets and emergency events."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from app.errors import StoreError
from app.records import faults
from app.records.holiday_board import PHASES, HolidayBoard, Sheet, holiday_board, list_holidays
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import heading, muted
from ui.models import Column, RowTableModel
from ui.pages.base import Opener, Page
from ui.qt import Qt, QtWidgets
from ui.widgets import Banner, RecordTable

#: A holiday stays preselected this long after it ended (its post-holiday phase).
POST_MARGIN = timedelta(days=5)
SHEET_TONES = {
    "overdue": "bad",
    "in_progress": "info",
    "done": "good",
    "upcoming": "muted",
    "voided": "muted",
    "before_start": "muted",
}


class SheetRow(NamedTuple):
    id: str
    phase: str
    day: str
    name: str
    system: str
    state: str
    deadline: date
    code: str


def _span(days: tuple[date, ...]) -> str:
    if not days:
        return ""
    if days[0] == days[-1]:
        return days[0].strftime("%m-%d")
    return f"{days[0]:%m-%d} ~ {days[-1]:%m-%d}"


class HolidaysPage(Page):
    key = "holidays"

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__(ctx, opener)
        self.board: HolidayBoard | None = None
        layout = QtWidgets.QHBoxLayout(self)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(heading(tr("节假日保障")))
        self.periods = QtWidgets.QListWidget()
        self.periods.setObjectName("holidayList")
        self.periods.setFixedWidth(250)
        self.periods.currentRowChanged.connect(lambda _r: self._show_board())
        left.addWidget(self.periods, 1)
        layout.addLayout(left)

        right = QtWidgets.QVBoxLayout()
        layout.addLayout(right, 1)
        self.title = heading("", 1.15)
        right.addWidget(self.title)
        self.banner = Banner()
        right.addWidget(self.banner)
        phases = QtWidgets.QHBoxLayout()
        self.phase_labels: dict[str, QtWidgets.QLabel] = {}
        for cadence in PHASES:
            label = QtWidgets.QLabel()
            label.setObjectName(f"phase-{cadence}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumHeight(54)
            phases.addWidget(label, 1)
            self.phase_labels[cadence] = label
        right.addLayout(phases)
        right.addWidget(
            muted(tr("每日检查表逐日一张；双击或按 Enter 打开（未开始的当日检查会自动新建）。"))
        )
        self.sheets = RowTableModel(
            [
                Column(tr("阶段"), "phase", 80, label=True),
                Column(tr("日期"), "day", 110),
                Column(tr("检查表"), "name", 200),
                Column(tr("系统"), "system", 120),
                Column(tr("状态"), "state", 70, label=True),
                Column(tr("截止"), "deadline", 100),
            ],
            tone=lambda row: SHEET_TONES.get(row.code),
        )
        self.sheet_table = RecordTable(self.sheets)
        self.sheet_table.setObjectName("sheetTable")
        self.sheet_table.opened.connect(self._open_sheet)
        right.addWidget(self.sheet_table, 3)

        events_bar = QtWidgets.QHBoxLayout()
        events_bar.addWidget(QtWidgets.QLabel(tr("应急事件（记录为故障单）")), 1)
        record = QtWidgets.QToolButton()
        record.setObjectName("recordEmergency")
        record.setText(tr("记录应急事件"))
        record.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(record)
        for code, label in faults.EMERGENCY_TYPES.items():
            action = menu.addAction(tr(label))
            action.setObjectName(f"emergency-{code}")
            action.triggered.connect(lambda _c=False, c=code: self.record_emergency(c))
        record.setMenu(menu)
        events_bar.addWidget(record)
        right.addLayout(events_bar)
        self.events = RowTableModel(
            [
                Column(tr("故障单号"), "number", 130),
                Column(tr("报告时间"), "reported_at", 130),
                Column(tr("应急事件"), "emergency", 100, label=True),
                Column(tr("故障标题"), "title", 240),
                Column(tr("状态"), "status", 70, label=True),
            ],
            tone=lambda row: "muted" if row.voided else None,
        )
        self.event_table = RecordTable(self.events)
        self.event_table.opened.connect(lambda fault_id: self.opener.open_fault(fault_id))
        right.addWidget(self.event_table, 1)

    def refresh(self) -> None:
        current = self.board.period_id if self.board else None
        holidays = self.ctx.call(lambda s: list_holidays(s, self.ctx.contract))
        today = self.ctx.today()
        self.periods.blockSignals(True)
        self.periods.clear()
        pick = -1
        for n, period in enumerate(holidays):
            kind = tr("法定") if period.kind == "statutory" else tr("约定")
            item = QtWidgets.QListWidgetItem(
                f"{period.name}\n{period.start_date:%Y-%m-%d} ~ {period.end_date:%m-%d} · {kind}"
            )
            item.setData(Qt.ItemDataRole.UserRole, period.id)
            self.periods.addItem(item)
            if period.id == current or (
                current is None and pick < 0 and period.end_date >= today - POST_MARGIN
            ):
                pick = n
        self.periods.blockSignals(False)
        if self.periods.count():
            self.periods.setCurrentRow(pick if pick >= 0 else self.periods.count() - 1)
        self._show_board()

    def _show_board(self) -> None:
        item = self.periods.currentItem()
        if item is None:
            self.board = None
            self.title.setText(tr("该合同没有节假日保障期。"))
            self.sheets.set_rows([])
            self.events.set_rows([])
            return
        period_id = str(item.data(Qt.ItemDataRole.UserRole))
        board = self.ctx.call(
            lambda s: holiday_board(s, self.ctx.contract, period_id, self.ctx.today())
        )
        self.board = board
        dates = board.phases
        self.title.setText(
            tr("{name}（{start} 至 {end}）").format(
                name=board.name, start=dates.start.isoformat(), end=dates.end.isoformat()
            )
            + (" *" if dates.assumed else "")
        )
        spans = {
            "holiday_pre": dates.pre_days,
            "holiday_daily": dates.daily_days,
            "holiday_post": dates.post_days,
        }
        for cadence, label in self.phase_labels.items():
            sheets = board.phase(cadence)
            done = sum(1 for s in sheets if s.state == "done")
            late = any(s.state == "overdue" for s in sheets)
            label.setText(
                f"<b>{tr(PHASES[cadence])}</b><br>{_span(spans[cadence])}<br>"
                + tr("完成 {done}/{total}").format(done=done, total=len(sheets))
            )
            colour = (
                "#fdecea" if late else ("#e8f5e9" if sheets and done == len(sheets) else "#eceff1")
            )
            label.setStyleSheet(f"background:{colour};border-radius:6px;")
        self.sheets.set_rows(
            [
                SheetRow(
                    str(n),
                    PHASES[s.cadence],
                    s.day.isoformat() if s.day else _span((s.window_start, s.deadline)),
                    s.template_name,
                    s.system_name,
                    s.state_label,
                    s.deadline,
                    s.state,
                )
                for n, s in enumerate(board.sheets)
            ]
        )
        self.events.set_rows(board.events)

    def _open_sheet(self, row_id: str) -> None:
        if self.board is None:
            return
        sheet: Sheet = self.board.sheets[int(row_id)]
        if sheet.run_id is not None and sheet.state != "voided":  # a voided run is redone
            self.opener.open_run(sheet.run_id)
            return
        try:
            self.opener.open_occurrence(
                sheet.template_code,
                window_start=sheet.window_start,
                deadline=sheet.deadline,
                system_code=sheet.system_code,
                holiday_period_id=self.board.period_id,
            )
        except StoreError as exc:
            self.banner.error(exc.message)

    def record_emergency(self, code: str) -> None:
        if self.board is None:
            return
        self.opener.open_fault(
            prefill={
                "title": f"{self.board.name} {faults.EMERGENCY_TYPES[code]}",
                "emergency_type": code,
                "holiday_period_id": self.board.period_id,
                "discovery": "alarm",
            }
        )
