"""Table models of the lists: plain rows in, filtered and sorted in Python.

A :class:`RowTableModel` holds the rows a service returned (named tuples, not
ORM objects) and a list of indexes of the rows shown. Filtering is a substring
test on a lower-cased text per row, computed once; sorting sorts the index list
with a key per column. Both stay well under a frame's time at 100,000 rows,
which a ``QSortFilterProxyModel`` calling ``data()`` for every comparison would
not.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ui.i18n import tr
from ui.qt import Qt, QtCore, QtGui

Row = Any  # a NamedTuple of a listing service

#: Colours of row states (text colour), light enough for both themes.
TONES: dict[str, str] = {
    "bad": "#c62828",
    "warn": "#b26a00",
    "good": "#2e7d32",
    "muted": "#757575",
    "info": "#1565c0",
}


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "✓" if value else ""
    return str(value)


@dataclass(frozen=True)
class Column:
    title: str
    field: str
    width: int = 0  # a hint for the view, 0 = stretch to content
    label: bool = False  # a label of the core (state, kind …), shown translated


class RowTableModel(QtCore.QAbstractTableModel):
    """Rows of one listing, with a text filter, an optional row predicate and sorting."""

    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        columns: Sequence[Column],
        tone: Callable[[Row], str | None] | None = None,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._tone = tone
        self._rows: list[Row] = []
        self._view: list[int] = []
        self._search: list[str] | None = None
        self._text = ""
        self._keep: Callable[[Row], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._fields = [c.field for c in self.columns]
        self._labels = [c.label for c in self.columns]

    # ------------------------------------------------------------------ content

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._search = None
        self._view = self._filtered()
        self._apply_sort()
        self.endResetModel()

    def set_filter(self, text: str = "", keep: Callable[[Row], bool] | None = None) -> None:
        """Show rows containing ``text`` (any column, case-insensitive) and passing ``keep``."""
        self.beginResetModel()
        self._text = text.strip().lower()
        self._keep = keep
        self._view = self._filtered()
        self._apply_sort()
        self.endResetModel()

    def row_at(self, row: int) -> Row:
        return self._rows[self._view[row]]

    def all_rows(self) -> list[Row]:
        return self._rows

    def total(self) -> int:
        return len(self._rows)

    def shown(self) -> int:
        return len(self._view)

    def find(self, row_id: str) -> int:
        """The shown row number of the row with ``id`` ``row_id``, or -1."""
        for n, index in enumerate(self._view):
            if getattr(self._rows[index], "id", None) == row_id:
                return n
        return -1

    def _texts(self) -> list[str]:
        """One lower-cased text per row to search in (computed on the first search)."""
        if self._search is None:
            get = operator.attrgetter(*self._fields)
            self._search = [
                "\u0001".join(
                    [
                        v if type(v) is str else "" if v is None or type(v) is bool else str(v)
                        for v in get(r)
                    ]
                ).lower()
                for r in self._rows
            ]
        return self._search

    def _filtered(self) -> list[int]:
        indexes: range | list[int] = range(len(self._rows))
        if self._text:
            texts, needle = self._texts(), self._text
            indexes = [i for i in indexes if needle in texts[i]]
        if self._keep is not None:
            keep, rows = self._keep, self._rows
            indexes = [i for i in indexes if keep(rows[i])]
        return list(indexes)

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        field, rows = self._fields[column], self._rows

        def key(i: int) -> tuple[bool, Any]:
            value = getattr(rows[i], field)
            return (value is None, value if value is not None else 0)

        self._view.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    # ------------------------------------------------------------------ Qt model

    def rowCount(self, parent: QtCore.QModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._view)

    def columnCount(self, parent: QtCore.QModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self.columns)

    def data(self, index: QtCore.QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[self._view[index.row()]]
        if role == Qt.ItemDataRole.DisplayRole:
            text = display(getattr(row, self._fields[index.column()]))
            return tr(text) if self._labels[index.column()] and text else text
        if role == self.ID_ROLE:
            return getattr(row, "id", None)
        if role == Qt.ItemDataRole.ForegroundRole and self._tone is not None:
            tone = self._tone(row)
            return QtGui.QBrush(QtGui.QColor(TONES[tone])) if tone else None
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; a column of -1 restores the order the service gave."""
        if column >= len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        rows_before = [self._view[i.row()] for i in before]
        if column < 0:
            self._sort = None
            self._view.sort()
        else:
            self._sort = (column, order)
            self._apply_sort()
        position = {source: n for n, source in enumerate(self._view)}
        self.changePersistentIndexList(
            before,
            [
                self.index(position[src], i.column()) if src in position else QtCore.QModelIndex()
                for i, src in zip(before, rows_before, strict=True)
            ],
        )
        self.layoutChanged.emit()
