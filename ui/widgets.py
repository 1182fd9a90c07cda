"""Small widgets shared by the pages and forms."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from ui.i18n import tr
from ui.models import RowTableModel
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal


class Banner(QtWidgets.QLabel):
    """A message line above a form: errors in red, notes in blue; hidden when empty."""

    STYLES: ClassVar[dict[str, str]] = {
        "error": "background:#fdecea;color:#b71c1c;border:1px solid #f5c6cb;",
        "info": "background:#e8f0fe;color:#0d47a1;border:1px solid #c6dafc;",
        "lock": "background:#fff8e1;color:#6d4c00;border:1px solid #ffe082;",
    }

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        self.setStyleSheet(f"QLabel{{{self.STYLES[kind]}padding:6px;border-radius:4px;}}")
        self.setText(text)
        self.setVisible(bool(text))

    def error(self, text: str) -> None:
        self.show_message(text, "error")

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()


class SearchBox(QtWidgets.QLineEdit):
    """A filter field that reports what was typed once typing pauses."""

    search = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(tr("筛选…"))
        self.setClearButtonEnabled(True)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(lambda: self.search.emit(self.text()))
        self.textChanged.connect(lambda _text: self._timer.start())


class RecordTable(QtWidgets.QTableView):
    """A list of records: sortable, whole rows, opened by double-click or Enter."""

    opened = Signal(str)  # the row's id

    def __init__(self, model: RowTableModel, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(26)
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setStretchLastSection(True)
        for n, column in enumerate(model.columns):
            if column.width:
                self.setColumnWidth(n, column.width)
        self.doubleClicked.connect(self._open)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QtCore.QModelIndex) -> None:
        row_id = index.data(RowTableModel.ID_ROLE)
        if row_id:
            self.opened.emit(str(row_id))

    def select_first(self) -> None:
        if self.model().rowCount() and not self.currentIndex().isValid():
            self.setCurrentIndex(self.model().index(0, 0))


def heading(text: str, size: float = 1.35) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * size)
    font.setBold(True)
    label.setFont(font)
    return label


def ok_cancel(
    dialog: QtWidgets.QDialog, ok_text: str
) -> tuple[QtWidgets.QDialogButtonBox, QtWidgets.QPushButton]:
    """「ok_text」 (accepts ``dialog``) and 「取消」 (rejects it); the box and its ok button."""
    buttons = QtWidgets.QDialogButtonBox()
    ok = buttons.addButton(ok_text, QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(tr("取消"), QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok


def muted(text: str = "") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setStyleSheet("color:#666;")
    label.setWordWrap(True)
    return label


def to_date(value: QtCore.QDate) -> date:
    return date(value.year(), value.month(), value.day())


def to_qdate(value: date) -> QtCore.QDate:
    return QtCore.QDate(value.year, value.month, value.day)
