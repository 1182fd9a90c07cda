"""设置 → 数据完整性 (a tab of the settings page): check the whole store, optionally against
an export pack or a backup.

Thin over :func:`ui.integrity.start_check` (``omw check`` in the window): the
check runs off the GUI thread with a busy indicator and 「取消」 (which discards
the result); the section shows the report of every check — also the one run at
start — as a summary line, one row per problem (where, what) and the notes.
Double-clicking a problem of a record opens that record.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.errors import StoreError
from app.records import signing
from app.records.integrity_check import CheckReport, Problem
from ui.context import AppContext, store_closed_message
from ui.i18n import tr
from ui.integrity import start_check
from ui.layout import muted
from ui.operations import Operation
from ui.pages.base import Opener
from ui.qt import Qt, QtGui, QtWidgets
from ui.widgets import Banner

#: The role of a problem row's item holding its (record_type, record_id), if any.
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
AGAINST_FILTER = "*.zip *.omwbak"


class IntegritySection(QtWidgets.QWidget):
    """开始检查, 对照导出包或备份…, and the result of the last check; it reports to ``banner``."""

    def __init__(self, ctx: AppContext, opener: Opener, banner: Banner) -> None:
        super().__init__()
        self.setObjectName("integritySection")
        self.ctx = ctx
        self.opener = opener
        self.banner = banner
        self.against: list[Path] = []
        self.operation: Operation | None = None
        self.report: CheckReport | None = None
        self.notes: list[str] = []
        layout = QtWidgets.QVBoxLayout(self)
        about = muted(
            tr(
                "核对每条已签字的记录与其签字（设备签名）、签名图片、附件和审计日志，"
                "并与本机记得的审计链头和备份对照：在本应用之外的改动、删除或回退都会被发现。"
            )
        )
        layout.addWidget(about)
        row = QtWidgets.QHBoxLayout()
        self.check_button = QtWidgets.QPushButton(tr("开始检查"))
        self.check_button.setObjectName("integrityCheck")
        self.check_button.clicked.connect(self.start)
        row.addWidget(self.check_button)
        self.against_button = QtWidgets.QPushButton(tr("对照导出包或备份…"))
        self.against_button.setObjectName("integrityAgainst")
        self.against_button.setToolTip(
            tr("选择交给甲方的导出包（.zip）或备份文件：数据库必须仍包含它们签名时的审计日志")
        )
        self.against_button.clicked.connect(self.choose_against)
        row.addWidget(self.against_button)
        self.busy = QtWidgets.QProgressBar()
        self.busy.setObjectName("integrityBusy")
        self.busy.setRange(0, 0)  # no progress to report: busy
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        row.addWidget(self.busy)
        self.cancel_button = QtWidgets.QPushButton(tr("取消"))
        self.cancel_button.setObjectName("integrityCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        against_row = QtWidgets.QHBoxLayout()
        self.against_label = muted()
        self.against_label.setObjectName("integrityAgainstFiles")
        self.against_label.setWordWrap(False)
        against_row.addWidget(self.against_label)
        self.clear_against_button = QtWidgets.QPushButton(tr("不再对照"))
        self.clear_against_button.setObjectName("integrityClearAgainst")
        self.clear_against_button.clicked.connect(lambda: self.set_against([]))
        against_row.addWidget(self.clear_against_button)
        against_row.addStretch(1)
        layout.addLayout(against_row)
        self.summary = QtWidgets.QLabel(tr("尚未检查。每次启动后会在后台自动检查一次。"))
        self.summary.setObjectName("integritySummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.checked_at = muted()
        self.checked_at.setObjectName("integrityCheckedAt")
        self.checked_at.hide()
        layout.addWidget(self.checked_at)
        self.table = QtWidgets.QTableWidget(0, 2)
        self.table.setObjectName("integrityProblems")
        self.table.setHorizontalHeaderLabels([tr("位置"), tr("问题")])
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self.table.setColumnWidth(0, 360)
        self.table.setMinimumHeight(120)
        self.table.cellDoubleClicked.connect(lambda row, _column: self.open_row(row))
        layout.addWidget(self.table, 1)
        layout.addWidget(muted(tr("双击带记录编号的问题可打开该记录。")))
        self.set_against([])
        ctx.integrity_checked.connect(self.show_result)
        if ctx.last_integrity_check is not None:  # the check at start, before this was built
            self.show_result(*ctx.last_integrity_check)

    # ------------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        return self.operation is not None

    def start(self) -> Operation | None:
        """Check the store (against the chosen files) off the GUI thread."""
        if self.running:
            return self.operation
        if self.ctx.store_closed:
            self.banner.error(store_closed_message())
            return None
        operation = start_check(self.ctx, self.against, self)
        operation.failed.connect(lambda message: self._failed(operation, message))
        operation.done.connect(lambda: self._done(operation))
        self.operation = operation
        self._busy(True)
        self._show_summary(tr("正在检查…"), "")
        self.checked_at.hide()
        return operation

    def cancel(self) -> None:
        """Stop waiting for the check; its result is discarded when it arrives."""
        operation = self.operation
        if operation is None:
            return
        operation.cancel()
        self.operation = None
        self._busy(False)
        self._show_summary(tr("已取消检查。"), "")
        self.checked_at.hide()

    def _failed(self, operation: Operation, message: str) -> None:
        if operation is self.operation:
            self._show_summary(tr("检查未能完成：{m}").format(m=message), "#c62828")

    def _done(self, operation: Operation) -> None:
        if operation is self.operation:
            self.operation = None
            self._busy(False)

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.check_button.setEnabled(not busy)
        self.against_button.setEnabled(not busy)
        self.clear_against_button.setEnabled(not busy)

    # ------------------------------------------------------------------ against

    def choose_against(self) -> QtWidgets.QFileDialog:
        dialog = QtWidgets.QFileDialog(
            self,
            tr("选择导出包或备份"),
            "",
            tr("导出包或备份") + f" ({AGAINST_FILTER});;" + tr("所有文件") + " (*)",
        )
        dialog.setObjectName("integrityAgainstDialog")
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(self._chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _chosen(self, files: list[str]) -> None:
        if files:
            self.set_against([Path(f) for f in files])
            self.start()

    def set_against(self, files: list[Path]) -> None:
        """The packs or backups the next checks hold the store against."""
        self.against = list(files)
        names = "、".join(p.name for p in self.against)
        self.against_label.setText(tr("对照：{files}").format(files=names) if names else "")
        self.against_label.setToolTip("\n".join(str(p) for p in self.against))
        self.against_label.setVisible(bool(names))
        self.clear_against_button.setVisible(bool(names))

    # ------------------------------------------------------------------ the result

    def _show_summary(self, text: str, colour: str) -> None:
        self.summary.setStyleSheet(f"color:{colour};font-weight:bold;" if colour else "")
        self.summary.setText(text)

    def show_result(
        self, report: CheckReport, notes: list[str], at: datetime | None = None
    ) -> None:
        """The summary, one row per problem (where, what), then the notes; checked ``at``
        (now if not given)."""
        self.report, self.notes = report, list(notes)
        self._show_summary(report.summary(), "#2e7d32" if report.ok else "#c62828")
        self.checked_at.setText(
            tr("检查时间：{time}").format(time=f"{at or self.ctx.now():%Y-%m-%d %H:%M}")
        )
        self.checked_at.show()
        rows: list[tuple[str, str, Problem | None]] = [
            (p.where, p.message, p) for p in report.problems
        ]
        rows += [(tr("注意"), note, None) for note in notes]
        self.table.setRowCount(len(rows))
        grey = QtGui.QBrush(QtGui.QColor("#666666"))
        for n, (where, message, problem) in enumerate(rows):
            cells = (QtWidgets.QTableWidgetItem(where), QtWidgets.QTableWidgetItem(message))
            openable = problem is not None and bool(problem.record_type and problem.record_id)
            tip = f"{where}：{message}"
            if openable:
                assert problem is not None
                cells[0].setData(RECORD_ROLE, (problem.record_type, problem.record_id))
                tip += "\n" + tr("双击打开该记录")
            for column, item in enumerate(cells):
                item.setToolTip(tip)
                if problem is None:
                    item.setForeground(grey)
                self.table.setItem(n, column, item)

    def problem_rows(self) -> list[str]:
        """The rows shown, as "where：message" (for tests and the clipboard)."""
        texts = []
        for n in range(self.table.rowCount()):
            where, message = self.table.item(n, 0), self.table.item(n, 1)
            texts.append(f"{where.text() if where else ''}：{message.text() if message else ''}")
        return texts

    def open_row(self, row: int) -> None:
        """Open the record a problem row is about (if it has one and it still exists)."""
        item = self.table.item(row, 0)
        ref = item.data(RECORD_ROLE) if item is not None else None
        if not ref:
            return
        record_type, record_id = str(ref[0]), str(ref[1])
        opener = {
            "inspection_run": self.opener.open_run,
            "fault_record": self.opener.open_fault,
            "service_request": self.opener.open_request,
            "meeting_minutes": self.opener.open_meeting,
        }.get(record_type)
        if opener is None:
            return
        try:
            self.ctx.call(lambda s: signing.get_record(s, record_type, record_id))
            opener(record_id)
        except StoreError as exc:
            self.banner.error(tr("无法打开该记录：{m}").format(m=exc.message))

    def focus_results(self) -> None:
        """Bring the result list into view (the banner's 「查看」)."""
        self.table.setFocus()
        if self.table.rowCount() and self.table.currentRow() < 0:
            self.table.selectRow(0)
