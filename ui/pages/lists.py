"""The record lists: inspection runs, faults, service requests and meeting minutes.

Rows come from :mod:`app.records.listings` as plain tuples; the model filters
and sorts them itself, so 100,000 rows stay responsive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.errors import StoreError
from app.records import checklist_view, listings
from app.schedule.periods import CADENCE_NAMES
from app.storage.store import Session
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import heading, muted
from ui.models import Column, Row, RowTableModel
from ui.operations import Operation
from ui.pages.base import Opener, Page
from ui.qt import QtWidgets, Signal
from ui.widgets import Banner, RecordTable, SearchBox, ok_cancel, to_date

ALL = ""


class ListPage(Page):
    """A searchable, sortable list with a state filter and actions.

    Voided records (作废) are listed greyed with the status 「已作废」
    (:data:`app.records.listings.VOIDED`, a choice of the state filter too) and
    are not counted.
    """

    state_field = "status"
    states: Sequence[str] = ()

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__(ctx, opener)
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(heading(self.heading_text()), 1)
        for text, slot in self.actions():
            button = QtWidgets.QPushButton(text)
            button.clicked.connect(slot)
            top.addWidget(button)
        layout.addLayout(top)
        self.banner = Banner()
        layout.addWidget(self.banner)
        bar = QtWidgets.QHBoxLayout()
        self.search = SearchBox()
        self.search.search.connect(lambda _t: self.apply_filter())
        bar.addWidget(self.search, 2)
        self.state = QtWidgets.QComboBox()
        self.state.setObjectName("stateFilter")
        self.state.addItem(tr("全部状态"), ALL)
        for state in (*self.states, listings.VOIDED):
            self.state.addItem(tr(state), state)
        self.state.currentIndexChanged.connect(lambda _i: self.apply_filter())
        bar.addWidget(self.state)
        self.count = muted()
        bar.addWidget(self.count, 1)
        layout.addLayout(bar)
        self._generation = 0
        self.model = RowTableModel(
            self.columns(), tone=lambda row: "muted" if row.voided else self.tone(row)
        )
        self.table = RecordTable(self.model)
        self.table.opened.connect(self.open)
        layout.addWidget(self.table, 1)

    def heading_text(self) -> str:
        raise NotImplementedError

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def rows(self, session: Session) -> list[Row]:
        raise NotImplementedError

    def open(self, row_id: str) -> None:
        raise NotImplementedError

    def actions(self) -> list[tuple[str, Callable[[], Any]]]:
        return []

    def tone(self, row: Row) -> str | None:
        del row
        return None

    def refresh(self) -> None:
        """Load the rows on the thread pool (100,000 rows take a moment to read)."""
        self._generation += 1
        generation = self._generation
        self.count.setText(tr("正在加载…"))
        operation = Operation(tr("加载列表"), lambda _progress: self.ctx.call(self.rows), self)
        operation.succeeded.connect(lambda rows: self._loaded(generation, rows))
        operation.failed.connect(self.banner.error)
        operation.start()

    def _loaded(self, generation: int, rows: list[Row]) -> None:
        if generation != self._generation:
            return  # a newer load is on its way
        self.model.set_rows(rows)
        self.apply_filter()
        self.loaded()

    def loaded(self) -> None:
        """Called after the rows arrived."""

    def apply_filter(self) -> None:
        state = self.state.currentData()
        field = self.state_field
        keep = (lambda row: getattr(row, field) == state) if state else None
        self.model.set_filter(self.search.text(), keep)
        voided = sum(1 for row in self.model.all_rows() if row.voided)
        shown = self.model.shown()
        shown -= sum(1 for i in range(shown) if self.model.row_at(i).voided)
        text = tr("显示 {shown} / 共 {total} 条").format(
            shown=shown, total=self.model.total() - voided
        )
        if voided:
            text += tr("（另有已作废 {n} 条，不计）").format(n=voided)
        self.count.setText(text)


class InspectionsPage(ListPage):
    key = "inspections"
    states = ("草稿", "已完成", "已签字")

    def heading_text(self) -> str:
        return tr("巡检记录")

    def columns(self) -> list[Column]:
        return [
            Column(tr("巡检日期"), "scheduled_date", 100),
            Column(tr("巡检"), "template", 180),
            Column(tr("系统"), "system", 140),
            Column(tr("周期"), "period", 190),
            Column(tr("类型"), "cadence", 60, label=True),
            Column(tr("状态"), "status", 70, label=True),
            Column(tr("巡检人员"), "inspector", 90),
            Column(tr("完成时间"), "completed_at", 140),
            Column(tr("更正"), "amended", 50),
        ]

    def rows(self, session: Session) -> list[Row]:
        return listings.run_rows(session, self.ctx.contract)

    def tone(self, row: Row) -> str | None:
        return {"草稿": "info", "已签字": "good"}.get(row.status)

    def actions(self) -> list[tuple[str, Callable[[], Any]]]:
        return [(tr("新建巡检…"), self.new_run)]

    def open(self, row_id: str) -> None:
        self.opener.open_run(row_id)

    def new_run(self) -> None:
        dialog = NewRunDialog(self.ctx, self)
        dialog.started.connect(self.opener.open_run)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()


class NewRunDialog(QtWidgets.QDialog):
    """Start (or continue) a checklist for a date chosen by hand."""

    started = Signal(str)

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("新建巡检"))
        self.templates = ctx.call(lambda s: listings.calendar_templates(s, ctx.contract))
        layout = QtWidgets.QFormLayout(self)
        self.banner = Banner()
        layout.addRow(self.banner)
        self.template = QtWidgets.QComboBox()
        for choice in self.templates:
            cadence = tr(CADENCE_NAMES.get(choice.cadence, choice.cadence))
            self.template.addItem(f"{choice.name}（{cadence}）", choice.code)
        layout.addRow(tr("巡检"), self.template)
        self.day = QtWidgets.QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = ctx.today()
        self.day.setDate(today)
        layout.addRow(tr("巡检日期"), self.day)
        self.system = QtWidgets.QComboBox()
        layout.addRow(tr("系统"), self.system)
        self.template.currentIndexChanged.connect(self._systems)
        self._systems()
        buttons, _ok = ok_cancel(self, tr("开始"))
        layout.addRow(buttons)

    def _systems(self) -> None:
        self.system.clear()
        choice = self.templates[self.template.currentIndex()] if self.templates else None
        for code, name in choice.systems if choice else []:
            self.system.addItem(name, code)
        self.system.setEnabled(self.system.count() > 0)

    def accept(self) -> None:
        code = self.template.currentData()
        day = to_date(self.day.date())
        system = self.system.currentData() if self.system.isEnabled() else None
        try:
            run_id = self.ctx.call(
                lambda s: (
                    checklist_view.run_for_occurrence(
                        s,
                        self.ctx.contract,
                        code,
                        window_start=day,
                        deadline=day,
                        today=day,
                        inspector=self.ctx.actor,
                        system_code=system,
                    ).id
                )
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.ctx.changed()
        super().accept()
        self.started.emit(run_id)


class FaultsPage(ListPage):
    key = "faults"
    states = ("处理中", "已恢复", "已关闭")

    def heading_text(self) -> str:
        return tr("故障记录")

    def columns(self) -> list[Column]:
        return [
            Column(tr("故障单号"), "number", 130),
            Column(tr("报告时间"), "reported_at", 130),
            Column(tr("等级"), "level", 70, label=True),
            Column(tr("系统"), "system", 140),
            Column(tr("故障标题"), "title", 260),
            Column(tr("应急事件"), "emergency", 90, label=True),
            Column(tr("状态"), "status", 70, label=True),
            Column(tr("处理人"), "handler", 80),
            Column(tr("已签字"), "locked", 60),
        ]

    def rows(self, session: Session) -> list[Row]:
        return listings.fault_rows(session, self.ctx.contract)

    def tone(self, row: Row) -> str | None:
        return {"处理中": "bad", "已恢复": "warn", "已关闭": "good"}.get(row.status)

    def actions(self) -> list[tuple[str, Callable[[], Any]]]:
        return [(tr("新建故障单"), lambda: self.opener.open_fault())]

    def open(self, row_id: str) -> None:
        self.opener.open_fault(row_id)


class RequestsPage(ListPage):
    key = "requests"
    states = ("处理中", "已解决", "已转故障", "未解决")

    def heading_text(self) -> str:
        return tr("服务请求")

    def columns(self) -> list[Column]:
        return [
            Column(tr("服务单号"), "number", 130),
            Column(tr("接报时间"), "received_at", 130),
            Column(tr("方式"), "channel", 50, label=True),
            Column(tr("来电单位"), "caller_unit", 200),
            Column(tr("系统"), "system", 140),
            Column(tr("问题类别"), "category", 100),
            Column(tr("状态"), "status", 70, label=True),
            Column(tr("受理人"), "handler", 80),
            Column(tr("电话解决"), "solved_on_phone", 70),
        ]

    def rows(self, session: Session) -> list[Row]:
        return listings.request_rows(session, self.ctx.contract)

    def tone(self, row: Row) -> str | None:
        return {"处理中": "info", "已转故障": "bad", "未解决": "warn"}.get(row.status)

    def actions(self) -> list[tuple[str, Callable[[], Any]]]:
        return [(tr("新服务请求 (F2)"), lambda: self.opener.open_request())]

    def open(self, row_id: str) -> None:
        self.opener.open_request(row_id)

    def loaded(self) -> None:
        today = self.ctx.today()
        calls = sum(
            1 for row in self.model.all_rows() if row.received_at.date() == today and not row.voided
        )
        self.count.setText(self.count.text() + " · " + tr("今日 {n} 条").format(n=calls))


class MeetingsPage(ListPage):
    """例会会议纪要: every meeting of the contract, newest first."""

    key = "meetings"
    states = ("草稿", "已定稿", "已签字")

    def heading_text(self) -> str:
        return tr("会议纪要")

    def columns(self) -> list[Column]:
        return [
            Column(tr("纪要编号"), "number", 130),
            Column(tr("会议时间"), "meeting_at", 130),
            Column(tr("会议名称"), "title", 200),
            Column(tr("地点"), "place", 160),
            Column(tr("主持人"), "host", 80),
            Column(tr("记录人"), "recorder", 80),
            Column(tr("行动项"), "actions", 60),
            Column(tr("状态"), "status", 70, label=True),
        ]

    def rows(self, session: Session) -> list[Row]:
        return listings.meeting_rows(session, self.ctx.contract)

    def tone(self, row: Row) -> str | None:
        return {"草稿": "info", "已签字": "good"}.get(row.status)

    def actions(self) -> list[tuple[str, Callable[[], Any]]]:
        return [(tr("新建会议纪要"), lambda: self.opener.open_meeting())]

    def open(self, row_id: str) -> None:
        self.opener.open_meeting(row_id)
