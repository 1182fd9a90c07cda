"""复核: the reviewer's queue, a read-only preview, countersigning, sending back.

Selecting a record shows its content beside the queue and counts it as viewed;
「批量复核」 countersigns the selected day's routine all-normal checks once each
of them has been viewed (:func:`app.records.review.countersign_batch` checks it
again). 「退回记录」 lists what was sent back and whether the engineer answered.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import NamedTuple

from app.errors import StoreError
from app.records import review
from app.records.listings import VOIDED
from app.storage.store import Session
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import heading, muted
from ui.models import Column, RowTableModel
from ui.operations import Operation
from ui.pages.base import Opener, Page
from ui.qt import Qt, QtWidgets
from ui.signatures import REVIEWER, SignDialog
from ui.widgets import Banner, ReasonDialog, RecordTable

ALL = ""
TONES = {review.RETURNED: "warn", review.ANSWERED: "info"}


def state_label(state: str) -> str:
    return {
        review.PENDING: tr("待复核"),
        review.RETURNED: tr("已退回"),
        review.ANSWERED: tr("已更正待复核"),
    }[state]


def kind_label(kind: str) -> str:
    return {
        "inspection_run": tr("巡检记录"),
        "fault_record": tr("故障单"),
        "service_request": tr("服务请求"),
        "meeting_minutes": tr("会议纪要"),
    }.get(kind) or review.kind_label(kind)


#: what :meth:`ReviewPage.refresh` reads: the queue, the engineers, the returns
Loaded = tuple[list[review.QueueItem], list[str], list[tuple[review.ReturnNote, bool]]]


class QueueRow(NamedTuple):
    id: str
    day: str
    kind: str
    title: str
    engineer: str
    state: str
    note: str
    item: review.QueueItem


class ReturnRow(NamedTuple):
    id: str
    returned_at: str
    kind: str
    engineer: str
    reason: str
    returned_by: str
    state: str
    record_id: str


class ReturnDialog(ReasonDialog):
    """「退回」: asks for the reason the engineer will read."""

    def __init__(
        self, title: str, submit: Callable[[str], None], parent: QtWidgets.QWidget
    ) -> None:
        super().__init__(
            submit,
            parent,
            title=tr("退回给运维人员"),
            prompts=[title, tr("退回原因（运维人员下次交换后可见，以「更正」答复）：")],
            action=tr("退回"),
            names=("returnReason", "returnButton"),
            height=260,
        )
        self.setObjectName("returnDialog")


class ReviewPage(Page):
    key = "review"

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__(ctx, opener)
        #: records whose content the reviewer has looked at in this page
        self.viewed: set[str] = set()
        self._generation = 0
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(heading(tr("复核")))
        layout.addWidget(
            muted(
                tr(
                    "运维人员已签字、尚未复核的记录。选中一条即在右侧查看其内容；"
                    "复核签字后记录进入交付包，退回则由运维人员以「更正」答复。"
                )
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("reviewTabs")
        self.tabs.addTab(self._queue_tab(), tr("待复核"))
        self.tabs.addTab(self._returns_tab(), tr("退回记录"))
        layout.addWidget(self.tabs, 1)

    # ------------------------------------------------------------------ building

    def _queue_tab(self) -> QtWidgets.QWidget:
        tab = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(tab)
        bar = QtWidgets.QHBoxLayout()
        self.engineer = QtWidgets.QComboBox()
        self.engineer.setObjectName("engineerFilter")
        self.contract_filter = QtWidgets.QComboBox()
        self.contract_filter.setObjectName("contractFilter")
        self.contract_filter.addItem(tr("当前合同"), "current")
        self.contract_filter.addItem(tr("全部合同"), ALL)
        self.kind = QtWidgets.QComboBox()
        self.kind.setObjectName("kindFilter")
        self.kind.addItem(tr("全部类别"), ALL)
        for code in review.kinds():
            self.kind.addItem(kind_label(code), code)
        self.month = QtWidgets.QComboBox()
        self.month.setObjectName("monthFilter")
        for label, combo in (
            (tr("运维人员"), self.engineer),
            (tr("合同"), self.contract_filter),
            (tr("类别"), self.kind),
            (tr("月份"), self.month),
        ):
            caption = QtWidgets.QLabel(label)
            caption.setBuddy(combo)
            bar.addWidget(caption)
            bar.addWidget(combo)
            combo.activated.connect(lambda _i: self.refresh())
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        bar.addStretch(1)
        self.count = muted()
        bar.addWidget(self.count)
        layout.addLayout(bar)

        split = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        self.model = RowTableModel(
            [
                Column(tr("日期"), "day", 90),
                Column(tr("类别"), "kind", 80),
                Column(tr("记录"), "title", 220),
                Column(tr("运维人员"), "engineer", 80),
                Column(tr("状态"), "state", 100),
                Column(tr("备注"), "note", 90),
            ],
            tone=lambda row: (
                TONES.get(row.item.state)
                or ("bad" if row.item.exceptions else "warn" if row.item.twin else None)
            ),
        )
        self.table = RecordTable(self.model)
        self.table.setObjectName("reviewTable")
        self.table.opened.connect(self.open_record)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self.show_current())
        split.addWidget(self.table)
        self.preview = QtWidgets.QTextBrowser()
        self.preview.setObjectName("reviewPreview")
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

        actions = QtWidgets.QHBoxLayout()
        self.open_button = QtWidgets.QPushButton(tr("打开表单"))
        self.open_button.clicked.connect(lambda: self.open_record(self.current_id()))
        self.sign_button = QtWidgets.QPushButton(tr("复核签字…"))
        self.sign_button.setObjectName("countersign")
        self.sign_button.clicked.connect(self.countersign)
        self.return_button = QtWidgets.QPushButton(tr("退回…"))
        self.return_button.setObjectName("sendBack")
        self.return_button.clicked.connect(self.send_back)
        self.batch_button = QtWidgets.QPushButton(tr("批量复核当日例行巡检…"))
        self.batch_button.setObjectName("batchCountersign")
        self.batch_button.clicked.connect(self.countersign_day)
        for button in (self.open_button, self.sign_button, self.return_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.batch_button)
        layout.addLayout(actions)
        return tab

    def _returns_tab(self) -> QtWidgets.QWidget:
        tab = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(tab)
        self.mine = QtWidgets.QCheckBox(tr("只看退回给我的"))
        self.mine.setObjectName("onlyMine")
        self.mine.toggled.connect(lambda _on: self.refresh())
        layout.addWidget(self.mine)
        self.returns_model = RowTableModel(
            [
                Column(tr("退回时间"), "returned_at", 130),
                Column(tr("类别"), "kind", 80),
                Column(tr("运维人员"), "engineer", 80),
                Column(tr("退回原因"), "reason", 320),
                Column(tr("退回人"), "returned_by", 80),
                Column(tr("状态"), "state", 80),
            ],
            tone=lambda row: {tr("待更正"): "warn", tr(VOIDED): "muted"}.get(row.state, "good"),
        )
        self.returns_table = RecordTable(self.returns_model)
        self.returns_table.setObjectName("returnsTable")
        self.returns_table.opened.connect(
            lambda row_id: self.open_record(self._return_record(row_id))
        )
        layout.addWidget(self.returns_table, 1)
        layout.addWidget(
            muted(tr("双击打开被退回的记录；在其表单中点「更正」修改后重新签字即答复。"))
        )
        return tab

    # ------------------------------------------------------------------ loading

    def _filters(self) -> dict[str, str | None]:
        contract = self.contract_filter.currentData()
        return {
            "engineer": self.engineer.currentData() or None,
            "contract": self.ctx.contract if contract == "current" else None,
            "kind": self.kind.currentData() or None,
            "month": self.month.currentData() or None,
        }

    def refresh(self) -> None:
        """Read the queue on the thread pool (a year of a team's records takes a moment)."""
        filters = self._filters()
        month = filters.pop("month")
        mine = self.ctx.actor if self.mine.isChecked() else None
        self._generation += 1
        generation = self._generation
        self.count.setText(tr("正在加载…"))

        def load(s: Session) -> Loaded:
            return review.queue(s, **filters), review.engineers(s), review.returns_for(s, mine)

        operation = Operation(tr("加载复核队列"), lambda _progress: self.ctx.call(load), self)
        operation.succeeded.connect(lambda data: self._loaded(generation, month, data))
        operation.failed.connect(self.banner.error)
        operation.start()

    def _loaded(self, generation: int, month: str | None, data: Loaded) -> None:
        if generation != self._generation:
            return  # a newer load is on its way
        found, names, returns = data
        months = sorted({i.month for i in found}, reverse=True)
        items = [i for i in found if not month or i.month == month]
        self._fill(self.engineer, tr("全部运维人员"), names)
        self._fill(self.month, tr("全部月份"), months)
        current = self.current_id()
        self.model.set_rows(
            [
                QueueRow(
                    i.record_id,
                    i.day.isoformat(),
                    kind_label(i.record_type),
                    i.title,
                    i.engineer,
                    state_label(i.state),
                    tr("{n} 项异常").format(n=i.exceptions)
                    if i.exceptions
                    else tr("重复巡检")
                    if i.twin
                    else (tr("例行") if i.routine else ""),
                    i,
                )
                for i in items
            ]
        )
        self.count.setText(tr("待复核 {n} 条").format(n=len(items)))
        row = self.model.find(current) if current else -1
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))
        else:
            self.table.select_first()
        self.show_current()
        self.returns_model.set_rows(
            [
                ReturnRow(
                    note.id,
                    f"{note.returned_at:%Y-%m-%d %H:%M}",
                    kind_label(note.record_type),
                    note.engineer,
                    note.reason,
                    note.returned_by,
                    tr(VOIDED) if note.voided else tr("已更正") if answered else tr("待更正"),
                    note.record_id,
                )
                for note, answered in returns
            ]
        )

    def _refresh_now(self) -> None:
        self._stale = False
        self.refresh()  # the queue spans contracts: no current contract is needed

    @staticmethod
    def _fill(combo: QtWidgets.QComboBox, everything: str, values: list[str]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, ALL)
        for value in values:
            combo.addItem(value, value)
        combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen else 0)
        combo.blockSignals(False)

    # ------------------------------------------------------------------ the current record

    def current_id(self) -> str:
        index = self.table.currentIndex()
        return str(index.data(RowTableModel.ID_ROLE) or "") if index.isValid() else ""

    def current_item(self) -> review.QueueItem | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()).item if index.isValid() else None

    def show_current(self) -> None:
        item = self.current_item()
        for button in (self.open_button, self.sign_button, self.return_button):
            button.setEnabled(item is not None)
        self._update_batch()
        if item is None:
            self.preview.setPlainText(tr("没有待复核的记录。"))
            return
        try:
            shown = self.ctx.call(lambda s: review.preview(s, item.record_id))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.viewed.add(item.record_id)
        self.preview.setHtml(self._html(item, shown))
        self._update_batch()

    def _html(self, item: review.QueueItem, shown: review.Preview) -> str:
        e = html.escape
        parts = [f"<h3>{e(shown.title)}</h3>"]
        for note in item.returns:
            parts.append(
                "<p style='color:#b26a00'>"
                + e(
                    tr("{who} 于 {at} 退回：{reason}").format(
                        who=note.returned_by,
                        at=f"{note.returned_at:%Y-%m-%d %H:%M}",
                        reason=note.reason,
                    )
                )
                + "</p>"
            )
        parts.append("<table cellspacing='4'>")
        for label, value in shown.fields:
            parts.append(f"<tr><td><b>{e(label)}</b></td><td>{e(value)}</td></tr>")
        parts.append("</table>")
        if shown.results:
            parts.append("<table border='1' cellspacing='0' cellpadding='3'>")
            for name, status, value, note in shown.results:
                bad = status in ("警告", "异常", "未填")  # app.records.inspections.STATUS_LABELS
                style = " style='color:#c62828'" if bad else ""
                parts.append(
                    f"<tr{style}><td>{e(name)}</td><td>{e(status)}</td>"
                    f"<td>{e(value)}</td><td>{e(note)}</td></tr>"
                )
            parts.append("</table>")
        for role, signer, at in shown.signatures:
            parts.append(f"<p>{e(role)}：{e(signer)}　{at:%Y-%m-%d %H:%M}</p>")
        return "".join(parts)

    def _day_batch(self) -> tuple[list[str], int]:
        """The routine checks of the current row's day in the queue shown, and how many viewed."""
        item = self.current_item()
        if item is None:
            return [], 0
        ids = [
            row.item.record_id
            for row in (self.model.row_at(n) for n in range(self.model.shown()))
            if row.item.day == item.day and row.item.routine
        ]
        return ids, sum(1 for i in ids if i in self.viewed)

    def _update_batch(self) -> None:
        ids, seen = self._day_batch()
        item = self.current_item()
        self.batch_button.setEnabled(bool(ids))
        if item is not None and ids:
            self.batch_button.setText(
                tr("批量复核 {day} 的例行巡检（已查看 {seen}/{n}）…").format(
                    day=item.day.isoformat(), seen=seen, n=len(ids)
                )
            )
        else:
            self.batch_button.setText(tr("批量复核当日例行巡检…"))

    # ------------------------------------------------------------------ actions

    def open_record(self, record_id: str) -> None:
        if not record_id:
            return
        try:
            kind = self.ctx.call(lambda s: review.find(s, record_id)[0])
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        if kind == "inspection_run":
            self.opener.open_run(record_id)
        elif kind == "fault_record":
            self.opener.open_fault(record_id)
        elif kind == "service_request":
            self.opener.open_request(record_id)
        elif kind == "meeting_minutes":
            self.opener.open_meeting(record_id)
        else:
            self.banner.show_message(tr("该类记录请在其所在页面打开；内容已显示在右侧。"))

    def _return_record(self, row_id: str) -> str:
        for row in self.returns_model.all_rows():
            if row.id == row_id:
                return str(row.record_id)
        return ""

    def _sign_dialog(self, title: str, submit: Callable[[str, bytes], None]) -> SignDialog:
        dialog = SignDialog(self.ctx, REVIEWER, title, submit, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(self.ctx.changed)
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def countersign(self) -> SignDialog | None:
        item = self.current_item()
        if item is None:
            return None
        if item.record_id not in self.viewed:
            self.show_current()
        now = self.ctx.now()

        def submit(name: str, png: bytes) -> None:
            self.ctx.call(
                lambda s: review.countersign(s, item.record_id, signer_name=name, png=png, now=now)
            )

        return self._sign_dialog(f"{kind_label(item.record_type)} {item.title}", submit)

    def countersign_day(self) -> SignDialog | None:
        ids, seen = self._day_batch()
        item = self.current_item()
        if not ids or item is None:
            return None
        if seen < len(ids):
            self.banner.error(
                tr(
                    "批量复核前请逐条查看：{day} 还有 {n} 条例行巡检未查看（在列表中选中即查看）。"
                ).format(day=item.day.isoformat(), n=len(ids) - seen)
            )
            return None
        viewed = set(self.viewed)
        now = self.ctx.now()

        def submit(name: str, png: bytes) -> None:
            self.ctx.call(
                lambda s: review.countersign_batch(
                    s, ids, viewed=viewed, signer_name=name, png=png, now=now
                )
            )

        title = tr("批量复核 {day} 的 {n} 条例行巡检（全部正常）").format(
            day=item.day.isoformat(), n=len(ids)
        )
        return self._sign_dialog(title, submit)

    def send_back(self) -> ReturnDialog | None:
        item = self.current_item()
        if item is None:
            return None
        actor, now = self.ctx.actor, self.ctx.now()

        def submit(reason: str) -> None:
            self.ctx.call(
                lambda s: review.send_back(s, item.record_id, reason=reason, actor=actor, now=now)
            )

        dialog = ReturnDialog(f"{kind_label(item.record_type)} {item.title}", submit, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(self.ctx.changed)
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog
