"""Small widgets shared by the pages and forms.

The main window's frame uses some of them before its first paint, so this module
leaves ``Qt`` and :mod:`ui.models` (which needs ``Qt`` at import) to first use
(see :mod:`ui.qt`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from app.errors import StoreError
from ui.i18n import tr
from ui.layout import fit_window, muted
from ui.qt import QtCore, QtGui, QtWidgets, Signal

if TYPE_CHECKING:
    from ui.models import RowTableModel


#: a lock and a warning are shown alike: amber
_AMBER = "background:#fff8e1;color:#6d4c00;border:1px solid #ffe082;"


class Banner(QtWidgets.QLabel):
    """A message line above a form: errors in red, notes in blue; hidden when empty."""

    STYLES: ClassVar[dict[str, str]] = {
        "error": "background:#fdecea;color:#b71c1c;border:1px solid #f5c6cb;",
        "info": "background:#e8f0fe;color:#0d47a1;border:1px solid #c6dafc;",
        "lock": _AMBER,
        "warn": _AMBER,
    }

    #: kinds shown with an icon at the left (an SVG of resources/icons: no font has to carry it)
    ICONS: ClassVar[dict[str, str]] = {"lock": "lock"}
    ICON_SIZE = 16

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.icon_label = QtWidgets.QLabel(self)
        self.icon_label.setObjectName("bannerIcon")
        self.icon_label.setFixedSize(self.ICON_SIZE, self.ICON_SIZE)
        self.icon_label.move(8, 8)
        self.icon_label.hide()
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        from ui.icons import icon

        self.kind = kind
        name = self.ICONS.get(kind)
        left = f"padding-left:{self.ICON_SIZE + 14}px;" if name else ""
        self.setStyleSheet(
            f"QLabel{{{self.STYLES[kind]}padding:6px;{left}border-radius:4px;}}"
            "QLabel#bannerIcon{background:transparent;border:none;padding:0;}"
        )
        if name:
            self.icon_label.setPixmap(icon(name).pixmap(self.ICON_SIZE, self.ICON_SIZE))
        self.icon_label.setVisible(bool(name))
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
        self.horizontalHeader().setSortIndicator(-1, QtCore.Qt.SortOrder.AscendingOrder)
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
        if (
            event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter)
            and self.currentIndex().isValid()
        ):
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QtCore.QModelIndex) -> None:
        from ui.models import RowTableModel

        row_id = index.data(RowTableModel.ID_ROLE)
        if row_id:
            self.opened.emit(str(row_id))

    def select_first(self) -> None:
        if self.model().rowCount() and not self.currentIndex().isValid():
            self.setCurrentIndex(self.model().index(0, 0))


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


class ReasonDialog(QtWidgets.QDialog):
    """Asks for a reason; ``submit(reason)`` acts on it. A refusal (``StoreError``) is shown in
    the dialog's banner and the dialog stays open with what was typed."""

    def __init__(
        self,
        submit: Callable[[str], None],
        parent: QtWidgets.QWidget | None,
        *,
        title: str,
        prompts: list[str],
        action: str,
        names: tuple[str, str],
        height: int,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(title)
        layout = QtWidgets.QVBoxLayout(self)
        for prompt in prompts:
            layout.addWidget(muted(prompt))
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.reason = QtWidgets.QPlainTextEdit()
        self.reason.setObjectName(names[0])
        self.reason.setTabChangesFocus(True)
        layout.addWidget(self.reason, 1)
        buttons, ok = ok_cancel(self, action)
        ok.setObjectName(names[1])
        layout.addWidget(buttons)
        fit_window(self, 480, height, place=False)
        self.reason.setFocus()

    def accept(self) -> None:
        try:
            self._submit(self.reason.toPlainText())
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        super().accept()


def to_date(value: QtCore.QDate) -> date:
    return date(value.year(), value.month(), value.day())


def to_qdate(value: date) -> QtCore.QDate:
    return QtCore.QDate(value.year, value.month, value.day)


def scrolling(content: QtWidgets.QWidget, *, frame: bool = False) -> QtWidgets.QScrollArea:
    """``content`` in a vertical scroll area (for forms longer than a small screen)."""
    area = QtWidgets.QScrollArea()
    area.setWidgetResizable(True)
    if not frame:
        area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(content)
    return area
