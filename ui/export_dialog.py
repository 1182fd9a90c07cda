"""Exporting deliverables: a monthly pack or an acceptance archive, in the background.

The files a pack will hold are listed before anything is written (the plan of
:mod:`app.export.packs`); the export itself runs as an :class:`Operation` with
progress and 「取消」, and leaves nothing partial behind when cancelled.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.contracts.registry import get_contract
from app.errors import StoreError
from app.export.errors import ExportCancelled
from app.export.packs import PackPlan, PackResult, export_pack, plan_month, plan_range
from app.schedule import periods
from ui.context import AppContext
from ui.i18n import tr
from ui.operations import Cancelled, Operation, Progress, ProgressView
from ui.qt import QtCore, QtGui, QtWidgets, Signal
from ui.widgets import Banner, fit_window, muted, to_date, to_qdate

EXPORT_FOLDER = "exports"


def contract_months(start: date, end: date) -> list[str]:
    months, (y, m) = [], (start.year, start.month)
    while date(y, m, 1) <= end:
        months.append(f"{y}-{m:02d}")
        y, m = periods.add_months(y, m, 1)
    return months


class ExportDialog(QtWidgets.QDialog):
    exported = Signal(str)  # the folder written

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan: PackPlan | None = None
        self.operation: Operation | None = None
        self.setObjectName("exportDialog")
        self.setWindowTitle(tr("导出交付物"))
        start, end = ctx.call(
            lambda s: (lambda c: (c.start_date, c.end_date))(get_contract(s, ctx.contract))
        )
        layout = QtWidgets.QVBoxLayout(self)
        self.banner = Banner()
        layout.addWidget(self.banner)
        form = QtWidgets.QFormLayout()
        self.kind = QtWidgets.QComboBox()
        self.kind.setObjectName("packKind")
        self.kind.addItem(tr("月度交付包"), "month")
        self.kind.addItem(tr("验收归档（日期范围）"), "range")
        form.addRow(tr("导出内容"), self.kind)
        self.month = QtWidgets.QComboBox()
        self.month.setObjectName("packMonth")
        months = contract_months(start, end)
        self.month.addItems(months)
        today = ctx.today()
        year, month = periods.add_months(today.year, today.month, -1)
        self.month.setCurrentIndex(max(self.month.findText(f"{year}-{month:02d}"), 0))
        form.addRow(tr("月份"), self.month)
        span = QtWidgets.QHBoxLayout()
        self.start = QtWidgets.QDateEdit(to_qdate(start))
        self.end = QtWidgets.QDateEdit(to_qdate(min(end, today)))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(lambda _d: self.preview())
        span.addWidget(self.start)
        span.addWidget(QtWidgets.QLabel(tr("至")))
        span.addWidget(self.end)
        form.addRow(tr("日期范围"), span)
        target = QtWidgets.QHBoxLayout()
        self.folder = QtWidgets.QLineEdit(str(ctx.store.folder / EXPORT_FOLDER))
        self.folder.setObjectName("exportFolder")
        browse = QtWidgets.QPushButton(tr("浏览…"))
        browse.clicked.connect(self.choose_folder)
        target.addWidget(self.folder, 1)
        target.addWidget(browse)
        form.addRow(tr("输出目录"), target)
        layout.addLayout(form)
        self.summary = muted()
        layout.addWidget(self.summary)
        self.files = QtWidgets.QListWidget()
        self.files.setObjectName("plannedFiles")
        layout.addWidget(self.files, 1)
        layout.addWidget(
            muted(tr("导出文件含保密信息；带离甲方现场须经甲方许可并加密保存（合同保密条款）。"))
        )
        buttons = QtWidgets.QDialogButtonBox()
        self.open_button = buttons.addButton(
            tr("打开输出目录"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.clicked.connect(
            lambda: QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(self.folder.text()))
        )
        self.export_button = buttons.addButton(
            tr("导出"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setObjectName("startExport")
        buttons.addButton(tr("关闭"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.start_export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self.preview())
        self.month.currentIndexChanged.connect(lambda _i: self.preview())
        fit_window(self, 720, 520, place=False)
        self.preview()

    def preview(self) -> None:
        """List the files the pack will hold, before anything is written."""
        monthly = self.kind.currentData() == "month"
        self.month.setEnabled(monthly)
        self.start.setEnabled(not monthly)
        self.end.setEnabled(not monthly)
        today = self.ctx.today()
        try:
            if monthly:
                self.plan = self.ctx.call(
                    lambda s: plan_month(
                        s, self.ctx.contract, self.month.currentText(), today=today
                    )
                )
            else:
                first, last = to_date(self.start.date()), to_date(self.end.date())
                self.plan = self.ctx.call(
                    lambda s: plan_range(s, self.ctx.contract, first, last, today=today)
                )
        except StoreError as exc:
            self.plan = None
            self.banner.error(exc.message)
            self.files.clear()
            self.export_button.setEnabled(False)
            return
        self.banner.clear_message()
        self.files.clear()
        for planned in self.plan.files:
            mark = tr("（已导出过）") if planned.exported else ""
            self.files.addItem(f"{planned.path}　{planned.deliverable_name}{mark}")
        self.summary.setText(
            tr("{label}：{n} 个文件，另含 manifest.json 与 SHA256SUMS，并打包为 zip。").format(
                label=self.plan.label, n=len(self.plan.files)
            )
        )
        self.export_button.setEnabled(bool(self.plan.files))

    def choose_folder(self) -> None:
        dialog = QtWidgets.QFileDialog(self, tr("选择输出目录"), self.folder.text())
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(self.folder.setText)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def start_export(self) -> None:
        plan = self.plan
        if plan is None:
            return
        out = Path(self.folder.text()).expanduser()
        ctx = self.ctx

        def work(progress: Progress) -> PackResult:
            try:
                return export_pack(
                    ctx.store,
                    plan,
                    out,
                    exporter=ctx.actor,
                    progress=progress.report,
                    cancel=lambda: progress.cancelled,
                    now=ctx.now(),
                )
            except ExportCancelled:
                raise Cancelled from None

        self.export_button.setEnabled(False)
        self.operation = Operation(tr("正在导出 {label}").format(label=plan.label), work, self)
        self.operation.succeeded.connect(self._done)
        self.operation.failed.connect(self._failed)
        self.operation.was_cancelled.connect(
            lambda: self._failed(tr("导出已取消，未留下任何文件。"))
        )
        ProgressView(self, self.operation).start()

    def _done(self, result: object) -> None:
        assert isinstance(result, PackResult)
        self.export_button.setEnabled(True)
        self.banner.show_message(
            tr("已导出 {n} 个文件到 {folder}").format(n=len(result.files), folder=result.folder)
        )
        self.ctx.changed()
        self.exported.emit(str(result.folder))

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.banner.error(message)
