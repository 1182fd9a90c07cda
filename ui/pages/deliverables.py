"""交付物: every deliverable of the contract with its due date and state; hand-in and export."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from app.errors import StoreError
from app.records import review
from app.schedule import periods
from app.schedule.deadlines import Deadline, deadlines, mark_all_submitted
from app.schedule.due import DueReport, due_on, store_engineers
from app.storage.store import Session
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import heading, muted
from ui.models import Column, RowTableModel
from ui.pages.base import Opener, Page
from ui.qt import QtWidgets
from ui.widgets import Banner, RecordTable, SearchBox
from ui.wording import say

if TYPE_CHECKING:
    from ui.verify_dialog import VerifyDialog

STATES = {
    "due": "待办",
    "exported": "已导出，待提交",
    "done": "已完成",
    "overdue": "已逾期",
    "before_start": "启用前",
}
TONES = {"overdue": "bad", "exported": "info", "done": "good"}


class DeliverableRow(NamedTuple):
    id: str
    due_date: date
    name: str
    period: str
    rule: str
    copies: str
    state: str
    submitted: str
    code: str


class DeliverablesPage(Page):
    key = "deliverables"

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__(ctx, opener)
        self.items: list[Deadline] = []
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(heading(tr("交付物")), 1)
        self.submit_button = QtWidgets.QPushButton(tr("登记已提交"))
        self.submit_button.setObjectName("markSubmitted")
        self.submit_button.clicked.connect(self.mark_submitted)
        top.addWidget(self.submit_button)
        self.export_button = QtWidgets.QPushButton(tr("导出…"))
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(self.export)
        top.addWidget(self.export_button)
        self.verify_button = QtWidgets.QPushButton(tr("核验交付包…"))
        self.verify_button.setObjectName("verifyPackButton")
        self.verify_button.clicked.connect(self.verify)
        top.addWidget(self.verify_button)
        layout.addLayout(top)
        self.banner = Banner()
        layout.addWidget(self.banner)
        bar = QtWidgets.QHBoxLayout()
        self.search = SearchBox()
        self.search.search.connect(lambda _t: self.apply_filter())
        bar.addWidget(self.search, 2)
        self.state = QtWidgets.QComboBox()
        self.state.addItem(tr("未完成"), "open")
        self.state.addItem(tr("全部"), "")
        for code, label in STATES.items():
            self.state.addItem(tr(label), code)
        self.state.currentIndexChanged.connect(lambda _i: self.apply_filter())
        bar.addWidget(self.state)
        self.count = muted()
        bar.addWidget(self.count, 1)
        layout.addLayout(bar)
        self.model = RowTableModel(
            [
                Column(tr("截止日期"), "due_date", 100),
                Column(tr("交付物"), "name", 220),
                Column(tr("期间"), "period", 200),
                Column(tr("截止规则"), "rule", 200),
                Column(tr("份数"), "copies", 110),
                Column(tr("状态"), "state", 70, label=True),
                Column(tr("提交情况"), "submitted", 160),
            ],
            tone=lambda row: TONES.get(row.code),
        )
        self.table = RecordTable(self.model)
        self.table.setObjectName("deliverableTable")
        # several at once: 登记已提交 for the months handed in before the app was used
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.table, 1)
        self.team = muted()
        self.team.setObjectName("teamProgress")
        self.team.setWordWrap(True)
        layout.addWidget(self.team)
        layout.addWidget(
            muted(tr("截止日期按法定工作日（含调休）计算；带 * 的日期按周一至周五推算。"))
        )

    def refresh(self) -> None:
        today = self.ctx.today()
        self.items = self.ctx.call(lambda s: deadlines(s, self.ctx.contract, today=today))
        rows = []
        for n, d in enumerate(self.items):
            submitted = ""
            if d.submitted is not None:
                word = tr("已提交") if d.submitted.state == "submitted" else tr("已导出")
                submitted = f"{word} {d.submitted.submitted_at:%Y-%m-%d}"
                submitted += {
                    "补登": tr("（按截止日期登记）"),
                    "逾期": tr("（逾期）"),
                }.get(d.submitted.mark, "")
            rows.append(
                DeliverableRow(
                    str(n),
                    d.due_date,
                    d.name,
                    say(d.period_phrases) or d.period_label,
                    say(d.rule_phrases) or d.rule,
                    d.copies,
                    STATES[d.state],
                    submitted,
                    d.state,
                )
            )
        self.model.set_rows(rows)
        self.apply_filter()
        self._show_team(today)

    def _show_team(self, today: date) -> None:
        """The month per engineer, when the store holds several engineers' records."""
        first, last = today.replace(day=1), periods.month_end(today.year, today.month)
        code = self.ctx.contract

        def read(s: Session) -> tuple[DueReport, list[review.TeamLine]] | None:
            if len(store_engineers(s)) < 2:
                return None
            return due_on(s, code, today), review.team_month(s, code, first, last)

        found = self.ctx.call(read)
        self.team.setVisible(found is not None)
        if found is None:
            return
        report, lines = found
        parts = []
        for line in lines:
            kinds = " · ".join(
                f"{review.kind_label(kind)} {n}" for kind, n in line.signed.items() if n
            )
            due = report.by_engineer().get(line.engineer, {})
            parts.append(
                tr(
                    "{name}：已签 {kinds}，待复核 {waiting}，被退回 {returned}，今日完成 {done}"
                ).format(
                    name=line.engineer,
                    kinds=kinds or "0",
                    waiting=line.awaiting,
                    returned=line.returned,
                    done=due.get("done", 0),
                )
            )
        idle = report.by_engineer().get("", {})
        parts.append(
            tr("未开始：待办 {due} · 已逾期 {overdue}").format(
                due=idle.get("due", 0), overdue=idle.get("overdue", 0)
            )
        )
        self.team.setText(
            tr("本月团队（{month}）：").format(month=f"{first:%Y-%m}") + "；".join(parts)
        )

    def apply_filter(self) -> None:
        wanted = self.state.currentData()
        if wanted == "open":
            # due before the 启用日期 is not open work: 全部 or 启用前 lists it
            keep = lambda row: row.code not in ("done", "before_start")  # noqa: E731
        elif wanted:
            keep = lambda row: row.code == wanted  # noqa: E731
        else:
            keep = None
        self.model.set_filter(self.search.text(), keep)
        self.count.setText(
            tr("显示 {shown} / 共 {total} 项").format(
                shown=self.model.shown(), total=self.model.total()
            )
        )

    def selected(self) -> Deadline | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.items[int(self.model.row_at(index.row()).id)]

    def export(self) -> None:
        from ui.export_dialog import ExportDialog  # the export stack: on first use

        dialog = ExportDialog(self.ctx, self)
        dialog.exported.connect(self._remember_pack)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _remember_pack(self, folder: str) -> None:
        self.ctx.settings.last_pack = folder
        self.ctx.settings.save()

    def last_pack(self) -> str:
        """The last exported pack that still exists: its zip if there is one, else the folder."""
        folder = self.ctx.settings.last_pack
        if not folder:
            return ""
        archive = Path(f"{folder}.zip")
        if archive.is_file():
            return str(archive)
        return folder if Path(folder).is_dir() else ""

    def verify(self) -> VerifyDialog:
        from ui.verify_dialog import VerifyDialog

        dialog = VerifyDialog(self.ctx, self)
        proposed = self.last_pack()
        if proposed:
            dialog.path.setText(proposed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def selected_items(self) -> list[Deadline]:
        """The selected rows' deliverables, in the table's order."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.items[int(self.model.row_at(r).id)] for r in rows]

    def mark_submitted(self) -> QtWidgets.QDialog | None:
        """登记已提交 for the selected deliverables not handed in yet: asks when first."""
        from ui.submit_dialog import SubmitDialog

        chosen = self.selected_items()
        if not chosen and (current := self.selected()) is not None:
            chosen = [current]
        items = [d for d in chosen if d.state != "done"]
        if not items:
            self.banner.error(tr("请先选择尚未提交的交付物（可按住 Ctrl 或 Shift 多选）。"))
            return None
        dialog = SubmitDialog(items, self.ctx.today(), self)
        dialog.accepted.connect(lambda: self._register(items, dialog.submitted_at(self.ctx.now())))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _register(self, items: list[Deadline], at: datetime | None) -> None:
        try:
            count = self.ctx.call(lambda s: mark_all_submitted(s, self.ctx.contract, items, at))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        if count == 1 and len(items) == 1:
            item = items[0]
            self.banner.show_message(
                tr("已登记提交：{name}（{period}）").format(
                    name=item.name, period=say(item.period_phrases) or item.period_label
                )
            )
        else:
            self.banner.show_message(tr("已登记提交 {n} 项交付物。").format(n=count))
        self.ctx.changed()
