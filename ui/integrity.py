"""数据完整性 in the window: the whole-store check off the GUI thread, and the startup banner.

:func:`start_check` runs :func:`app.records.integrity_check.check_store` in a
child process (:func:`app.records.integrity_apart.check_store_apart`: the window
keeps none of the check's memory) from an :class:`~ui.operations.Operation` (it
has no progress to report: callers show a busy indicator) and hands the report
and its notes to every listener through :attr:`AppContext.integrity_checked` —
the banner of the main window and the section 设置 → 数据完整性
(:mod:`ui.pages.integrity`). A cancelled check (the user's 「取消」, or the window
closing) ends the child: nothing is emitted.

:class:`IntegrityBanner` is the warning line at the top of the main window when
a check found problems: the count, the first problem, 「查看」 and a close button.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.records.integrity_apart import check_store_apart
from app.records.integrity_check import CheckReport
from ui.context import AppContext
from ui.i18n import tr
from ui.operations import Operation
from ui.qt import Qt, QtCore, QtWidgets, Signal


def start_check(
    ctx: AppContext, against: Iterable[Path] = (), parent: QtCore.QObject | None = None
) -> Operation:
    """Check the whole store on the thread pool; the result reaches ``ctx.integrity_checked``.

    ``against``: export packs or backups whose signed audit head the store must
    still reach. Connect to the operation's ``failed`` for a check that could
    not run; ``cancel()`` ends the check, nothing is emitted.
    """
    store = ctx.store
    files = [Path(p) for p in against]
    operation = Operation(
        tr("数据完整性检查"),
        lambda progress: check_store_apart(store, files, progress.check),
        parent,
    )

    def checked(result: Any) -> None:
        if operation.progress.cancelled:
            return  # discarded: the user cancelled, or the window is closing
        report, notes = result
        ctx.last_integrity_check = (report, list(notes), ctx.now())
        ctx.integrity_checked.emit(report, list(notes))

    operation.succeeded.connect(checked)
    operation.start()
    return operation


def banner_text(report: CheckReport) -> str:
    return tr("数据完整性检查发现 {n} 个问题：{first}").format(
        n=len(report.problems), first=report.problems[0].line()
    )


class IntegrityBanner(QtWidgets.QFrame):
    """The warning at the top of the main window while a check has found problems."""

    #: 「查看」 was pressed: show 设置 → 数据完整性.
    view_requested = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("integrityBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "QFrame#integrityBanner{background:#fdecea;border-bottom:1px solid #f5c6cb;}"
            "QFrame#integrityBanner QLabel{color:#b71c1c;}"
        )
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(12, 6, 6, 6)
        sign = QtWidgets.QLabel()
        warning = self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning)
        sign.setPixmap(warning.pixmap(20, 20))
        row.addWidget(sign, 0, Qt.AlignmentFlag.AlignTop)
        self.text = QtWidgets.QLabel()
        self.text.setObjectName("integrityBannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.text, 1)
        self.view_button = QtWidgets.QPushButton(tr("查看"))
        self.view_button.setObjectName("integrityView")
        self.view_button.clicked.connect(self.view_requested)
        row.addWidget(self.view_button, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button = QtWidgets.QToolButton()
        self.close_button.setObjectName("integrityBannerClose")
        self.close_button.setText("✕")
        self.close_button.setToolTip(tr("关闭提示"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_report(self, report: CheckReport) -> None:
        """Show the first problem of ``report``; hide when it found none."""
        if report.ok:
            self.text.clear()
            self.hide()
            return
        self.text.setText(banner_text(report))
        self.text.setToolTip("\n".join(report.lines()[:21]))
        self.show()
