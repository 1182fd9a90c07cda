"""「类似问题」: solved problems offered while a description is typed, and F4 to take a solution.

:class:`Suggestions` watches the text fields that describe a problem (the service
request's 问题描述, the fault's title and 故障现象). A moment after typing pauses
(:data:`DEBOUNCE_MS`) it asks :func:`app.records.knowledge.suggest` on the thread
pool — the window never waits for the search — and lists the best few solved
problems with their solution; an answer to text since changed is dropped. ``F4``
(or a double click) inserts the selected solution into the solution field, below
what is already there, as if typed: the form's draft and checks see it.
"""

from __future__ import annotations

from collections.abc import Callable

from app.records import knowledge
from app.search.index import KINDS
from ui.context import AppContext
from ui.i18n import tr
from ui.operations import Operation
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal

DEBOUNCE_MS = 350
SHOWN = 3
#: characters of a suggestion's problem text shown before its solution
SNIPPET_CHARS = 24
INSERT_KEY = "F4"


def kind_label(kind: str) -> str:
    return {
        "fault": tr("故障"),
        "request": tr("服务请求"),
        "finding": tr("巡检异常"),
        "article": tr("知识条目"),
    }.get(kind, KINDS.get(kind, kind))


class Suggestions(QtWidgets.QFrame):
    """The suggestion list under a form's description; ``inserted`` after F4 took one."""

    inserted = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        text: Callable[[], str],
        target: QtWidgets.QPlainTextEdit,
        *,
        contract: str,
        exclude: str | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("suggestions")
        self.ctx = ctx
        self.text = text
        self.target = target
        self.contract = contract
        self.exclude = exclude
        self.enabled = True
        self._latest: Operation | None = None
        self._asked = ""
        self.found: list[knowledge.Suggestion] = []
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(2)
        self.caption = QtWidgets.QLabel(
            tr("类似问题的解决方法（{key} 插入选中的一条）").format(key=INSERT_KEY)
        )
        self.caption.setStyleSheet("color:#5f6368;")
        layout.addWidget(self.caption)
        self.list = QtWidgets.QListWidget()
        self.list.setObjectName("suggestionList")
        self.list.setWordWrap(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab order of the form stays as it was
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemDoubleClicked.connect(lambda _item: self.insert())
        layout.addWidget(self.list)
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._ask)
        # on the form itself: the key works wherever the focus is in it, list shown or not
        shortcut = QtGui.QShortcut(QtGui.QKeySequence(INSERT_KEY), parent or self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self.insert)
        self.shortcut = shortcut
        self.hide()

    def attach(self, signal: object) -> None:
        """Ask again a moment after ``signal`` (a text field's change signal) fires."""
        signal.connect(lambda *_args: self.typed())  # type: ignore[attr-defined]

    def set_enabled(self, enabled: bool) -> None:
        """Offer suggestions only while the record can still be edited."""
        self.enabled = enabled
        if not enabled:
            self.timer.stop()
            self._latest = None
            self._show([])

    def typed(self) -> None:
        if self.enabled:
            self.timer.start()

    def _ask(self) -> None:
        text = self.text().strip()
        if text == self._asked:
            return
        self._asked = text
        self._latest = None
        if len(knowledge.problem_key(text)) < 2:
            self._show([])
            return
        contract, exclude = self.contract, self.exclude

        def work(_progress: object) -> list[knowledge.Suggestion]:
            return self.ctx.call(
                lambda s: knowledge.suggest(
                    s, text, contract=contract, exclude=exclude, limit=SHOWN
                )
            )

        # no parent: the operation outlives a form closed while it runs, so its end is
        # always delivered (a bound slot of a deleted widget is simply not called)
        operation = Operation(tr("查找类似问题"), work)
        self._latest = operation
        operation.succeeded.connect(self._answered)
        operation.start()

    def _answered(self, found: list[knowledge.Suggestion]) -> None:
        if self.sender() is self._latest and self.enabled:
            self._show(found)

    def _show(self, found: list[knowledge.Suggestion]) -> None:
        self.found = found
        self.list.clear()
        for suggestion in found:
            hit = suggestion.hit
            first = suggestion.solution.splitlines()[0] if suggestion.solution else ""
            mark = tr("（已审核）") if hit.reviewed else ""
            problem = hit.snippet.text[:SNIPPET_CHARS]
            item = QtWidgets.QListWidgetItem(
                f"[{kind_label(hit.kind)}] {hit.title.text}{mark}：{problem}\n    → {first}"
            )
            item.setToolTip(suggestion.solution)
            self.list.addItem(item)
        if found:
            self.list.setCurrentRow(0)
            rows = sum(self.list.sizeHintForRow(i) for i in range(self.list.count()))
            self.list.setFixedHeight(rows + 2 * self.list.frameWidth() + 2)
        self.setVisible(bool(found))

    def insert(self) -> None:
        """Put the selected solution into the target field, below its text, as if typed."""
        row = self.list.currentRow()
        if not self.enabled or not (0 <= row < len(self.found)) or self.target.isReadOnly():
            return
        solution = self.found[row].solution
        cursor = self.target.textCursor()
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
        if self.target.toPlainText().strip():
            solution = "\n" + solution
        cursor.insertText(solution)
        self.target.setTextCursor(cursor)
        self.target.setFocus()
        self.inserted.emit(self.found[row].hit.record_id)
