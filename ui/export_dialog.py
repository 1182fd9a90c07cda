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
from app.export.packs import (
    PackPlan,
    PackResult,
    delivered,
    export_pack,
    mark_pack_submitted,
    narrative_sections,
    plan_month,
    plan_range,
    without_missing,
)
from app.schedule import periods
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import fit_window, muted
from ui.narrative_editor import NarrativeEditor
from ui.operations import Cancelled, Operation, Progress, ProgressView
from ui.qt import QtCore, QtGui, QtWidgets, Signal
from ui.widgets import Banner, scrolling, to_date, to_qdate

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
        outer = QtWidgets.QVBoxLayout(self)
        self.banner = Banner()
        outer.addWidget(self.banner)
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        # everything above the buttons scrolls, so the dialog fits a 150 % screen
        outer.addWidget(scrolling(body), 1)
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
        self.unreviewed = Banner()
        self.unreviewed.setObjectName("unreviewedNote")
        layout.addWidget(self.unreviewed)
        self.files = QtWidgets.QListWidget()
        self.files.setObjectName("plannedFiles")
        self.files.setMinimumHeight(150)  # beside the narrative editor below
        layout.addWidget(self.files, 2)
        self.incomplete_note = Banner()
        self.incomplete_note.setObjectName("incompleteNote")
        layout.addWidget(self.incomplete_note)
        self.include_incomplete = QtWidgets.QCheckBox(
            tr("仍导出标为「待补充」的交付物（按现有内容）；不勾选则导出包中不含它们")
        )
        self.include_incomplete.setObjectName("includeIncomplete")
        layout.addWidget(self.include_incomplete)
        self.narratives = NarrativeEditor(ctx)
        self.narratives.saved.connect(self.preview)
        layout.addWidget(self.narratives, 1)
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
        # offered once a pack is written: the engineer usually hands it over right away
        self.submit_button = buttons.addButton(
            tr("登记已提交…"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole
        )
        self.submit_button.setObjectName("markPackSubmitted")
        self.submit_button.hide()
        self.submit_button.clicked.connect(self.mark_submitted)
        self.result: PackResult | None = None
        buttons.addButton(tr("关闭"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.start_export)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self.preview())
        self.month.currentIndexChanged.connect(lambda _i: self.preview())
        fit_window(self, 760, 680, place=False)
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
            item = QtWidgets.QListWidgetItem(f"{planned.path}　{planned.deliverable_name}{mark}")
            if planned.missing:
                item.setText(item.text() + tr("　「待补充」") + planned.missing)
                item.setForeground(QtGui.QColor("#b71c1c"))
            self.files.addItem(item)
        self.include_incomplete.setVisible(bool(self.plan.incomplete))
        if self.plan.incomplete:
            lines = [
                f"{m.deliverable_name}（{m.period_label or m.period_key}）：{m.reason}"
                for m in self.plan.incomplete
            ]
            self.incomplete_note.error(
                tr("「待补充」{n} 项：").format(n=len(lines)) + "\n" + "\n".join(lines)
            )
        else:
            self.incomplete_note.clear_message()
        plan, now = self.plan, self.ctx.now()
        self.narratives.set_occurrences(self.ctx.call(lambda s: narrative_sections(s, plan, now)))
        self.summary.setText(
            tr("{label}：{n} 个文件，另含 manifest.json 与 SHA256SUMS，并打包为 zip。").format(
                label=self.plan.label, n=len(self.plan.files)
            )
        )
        self.export_button.setEnabled(bool(self.plan.files))
        self._show_unreviewed(self.plan)

    def _show_unreviewed(self, plan: PackPlan) -> None:
        """The month's records still without the 复核人 when the contract requires review."""
        if not plan.unreviewed:
            self.unreviewed.clear_message()
            return
        every = [f"{i.day} {i.kind_label} {i.title}（{i.engineer}）" for i in plan.unreviewed]
        lines = every[:3]  # the dialog stays within a small screen; the rest in the tooltip
        if len(every) > 3:
            lines.append(tr("……另有 {n} 条（指向此处查看全部）").format(n=len(every) - 3))
        self.unreviewed.setToolTip("\n".join(every[:200]))
        self.unreviewed.show_message(
            tr("合同要求复核：{n} 条记录尚未经复核人签字（导出前会再次确认）：").format(
                n=len(plan.unreviewed)
            )
            + "\n"
            + "\n".join(lines),
            "info",
        )

    def _confirm_unreviewed(self, plan: PackPlan) -> bool:
        """Whether to export although records lack the 复核人 (asked only when some do)."""
        if not plan.unreviewed:
            return False
        answer = QtWidgets.QMessageBox.question(
            self,
            tr("有未复核的记录"),
            tr(
                "本月有 {n} 条记录尚未经复核人签字，合同要求复核。\n"
                "建议先在「复核」页复核。仍要导出吗？"
            ).format(n=len(plan.unreviewed)),
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

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
        try:  # edited narrative first: what is 待补充 may change
            self.narratives.save()
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        plan = self.plan
        if plan is None:
            return
        allow_incomplete = self.include_incomplete.isChecked()
        if plan.incomplete and not allow_incomplete:
            plan = without_missing(plan)
            if not plan.files:
                self.banner.error(tr("所有交付物均待补充，没有可导出的文件。"))
                return
        out = Path(self.folder.text()).expanduser()
        ctx = self.ctx
        allow_unreviewed = self._confirm_unreviewed(plan)
        if plan.unreviewed and not allow_unreviewed:
            return

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
                    allow_unreviewed=allow_unreviewed,
                    allow_incomplete=allow_incomplete,
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
        self.result = result
        self.submit_button.setVisible(bool(delivered(result.files)))
        self.exported.emit(str(result.folder))

    def mark_submitted(self) -> None:
        """登记已提交 for every deliverable of the pack just exported, after asking."""
        result = self.result
        if result is None:
            return
        count = len(delivered(result.files))
        answer = QtWidgets.QMessageBox.question(
            self,
            tr("登记已提交"),
            tr("已将本次导出的 {n} 项交付物交给甲方了吗？登记后显示为「已提交」。").format(n=count),
        )
        if answer != QtWidgets.QMessageBox.StandardButton.Yes:
            return
        contract = self.ctx.contract
        try:
            done = self.ctx.call(lambda s: mark_pack_submitted(s, contract, result, self.ctx.now()))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.submit_button.hide()
        self.banner.show_message(tr("已登记提交 {n} 项交付物。").format(n=done))
        self.ctx.changed()

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.banner.error(message)
