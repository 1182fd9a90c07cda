"""The checklist form: fill a run item by item from the keyboard, complete it, sign it.

Keyboard flow (shown in the form):

- on an item, ``1`` 正常, ``2`` 警告, ``3`` 异常, ``0`` 不适用 (``Ctrl`` + digit on
  items that take a number or text); ``Delete`` clears the result;
- numbers, links and text are typed in place: typing on such an item starts
  its field; ``Enter`` saves it (a number turns 警告/异常 by its threshold, two
  counts that disagree are flagged; after a link, a digit says whether it works);
- after a result is set the next unfilled item gets the focus; a 警告/异常
  item first asks for its note (required), an 异常 item then for its 处理措施
  (required unless a fault was opened from it: 完成并签字 names the items
  without). ``Enter`` on an item moves on,
  ``↑``/``↓`` move, ``PgUp``/``PgDn`` jump to the previous/next system or group;
- ``Ctrl+Shift+A`` 「其余全部正常」 (number items too where the profile allows
  「正常（未测值）」), ``Ctrl+G`` 「生成故障单」, ``Ctrl+V`` pastes a screenshot onto
  the item, ``Ctrl+Shift+P`` 「自动检测」 (where the profile gives items a probe:
  ``ui.probes``), ``Ctrl+Enter`` 「完成并签字」 (without the signing dialog once the
  saved signature's PIN was given in this session: ``ui.signatures.sign_with_kept``).

Results are saved into the run as soon as they are set (the run is a draft
until completed); what is being typed is saved as a draft field by field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.errors import StoreError
from app.records import checklist_view, inspections
from app.records.checklist_view import ItemView, RunView
from ui import wording
from ui.context import AppContext
from ui.drafts import DraftSaver
from ui.evidence import EvidenceStrip, has_images, images_from_mime
from ui.forms.common import DISCARD, KEEP, CloseGuard
from ui.i18n import tr
from ui.layout import fit_window, heading, muted
from ui.probes import probe_count, start_probe
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from ui.signatures import (
    OPERATOR,
    SignatureBlock,
    load_signatures,
    open_amend_dialog,
    open_sign_dialog,
    sign_with_kept,
)
from ui.widgets import Banner, scrolling, to_date, to_qdate

NORMAL, WARNING, ABNORMAL, NA = "normal", "warning", "abnormal", "na"
STATUS_ORDER = (NORMAL, WARNING, ABNORMAL, NA)
DIGITS: dict[int, str] = {
    Qt.Key.Key_1: NORMAL,
    Qt.Key.Key_2: WARNING,
    Qt.Key.Key_3: ABNORMAL,
    Qt.Key.Key_0: NA,
}
COLOURS = {NORMAL: "#2e7d32", WARNING: "#b26a00", ABNORMAL: "#c62828", NA: "#616161"}
ROW_TINTS = {WARNING: "#fff8e1", ABNORMAL: "#fdecea"}
#: Kinds whose digits set the result (on the others digits are typed values).
STATUS_KINDS = ("status", "photo", "url")
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
#: The red frame of a field that must be filled before 完成并签字.
ALERT = "QLineEdit{border:1px solid #c62828;}"


def status_label(code: str) -> str:
    return {NORMAL: tr("正常"), WARNING: tr("警告"), ABNORMAL: tr("异常"), NA: tr("不适用")}[code]


def fmt(value: float | None) -> str:
    return "" if value is None else inspections.fmt_number(value)


class FieldEdit(QtWidgets.QLineEdit):
    """A field of an item: ``Enter`` saves it, ``↑``/``↓`` save and move, ``Esc`` reverts.

    Leaving it for another field of the form saves it too; losing the focus because
    another window came up (a form restored after a crash, a dialog) does not: that
    is not the engineer confirming the text, which stays a draft until they do.
    """

    committed = Signal()
    moved = Signal(int)
    focused = Signal()

    def __init__(self, field: str, placeholder: str, width: int = 0) -> None:
        super().__init__()
        self.field = field
        self.saved = ""
        self.left_for_another_window = False
        self.setPlaceholderText(placeholder)
        self.setObjectName(field)
        if width:
            self.setFixedWidth(width)

    @property
    def dirty(self) -> bool:
        return self.text() != self.saved

    def show_saved(self, text: str) -> None:
        self.saved = text
        self.setText(text)
        self.setStyleSheet("")

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:
        self.left_for_another_window = False
        super().focusInEvent(event)
        self.focused.emit()

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:
        # set before Qt emits editingFinished from inside the base handler
        self.left_for_another_window = event.reason() in (
            Qt.FocusReason.ActiveWindowFocusReason,
            Qt.FocusReason.PopupFocusReason,
        )
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        key = event.key()
        if key in ENTER_KEYS and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.committed.emit()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.moved.emit(-1 if key == Qt.Key.Key_Up else 1)
        elif key == Qt.Key.Key_Escape and self.dirty:
            self.setText(self.saved)
        else:
            super().keyPressEvent(event)


class ItemRow(QtWidgets.QFrame):
    """One checklist item: title, method and standard, result buttons, values, note."""

    def __init__(self, form: ChecklistForm, view: ItemView, index: int) -> None:
        super().__init__()
        self.form = form
        self.view = view
        self.index = index
        self.setObjectName("itemRow")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self._add_title(grid, view, index)
        self._add_value_edits(grid, view)
        self._add_status_buttons(grid)
        self._add_note_row(grid)
        self._connect_edits()
        self.show_view(view)

    def _add_title(self, grid: QtWidgets.QGridLayout, view: ItemView, index: int) -> None:
        """Number, title, and method · standard (in full as a tooltip)."""
        seq = QtWidgets.QLabel(str(index + 1))
        seq.setFixedWidth(26)
        seq.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        grid.addWidget(seq, 0, 0, 2, 1)
        title = QtWidgets.QLabel(f"<b>{view.title}</b>" + ("" if view.required else tr("（选填）")))
        grid.addWidget(title, 0, 1)
        detail = muted(" · ".join(p for p in (view.method, view.standard) if p))
        detail.setToolTip(
            tr("检查方法：{method}\n标准/阈值：{standard}").format(
                method=view.method or "—", standard=view.standard or "—"
            )
        )
        grid.addWidget(detail, 1, 1)
        grid.setColumnStretch(1, 5)

    def _add_value_edits(self, grid: QtWidgets.QGridLayout, view: ItemView) -> None:
        """The fields the item's kind takes: a number, two counts, a link or a text."""
        values = QtWidgets.QHBoxLayout()
        self.edits: list[FieldEdit] = []
        params = view.params
        if view.kind == "number":
            unit = str(params.get("unit", ""))
            label = tr("数值（{unit}）").format(unit=unit) if unit else tr("数值")
            self.edits.append(FieldEdit("value", label, 96))
        elif view.kind == "pair":
            labels = params.get("labels") or [tr("数值一"), tr("数值二")]
            self.edits.append(FieldEdit("value", str(labels[0]), 110))
            self.edits.append(FieldEdit("value2", str(labels[1]), 110))
        elif view.kind == "url":
            self.edits.append(FieldEdit("text", "http(s)://…", 230))
        elif view.kind == "text":
            self.edits.append(FieldEdit("text", tr("填写…"), 230))
        for edit in self.edits:
            values.addWidget(edit)
        # what a probe measured for a status item (「自动检测」): shown, not edited
        self.measured = muted()
        self.measured.setObjectName("measured")
        self.measured.setWordWrap(False)
        self.measured.setMaximumWidth(330)
        self.measured.hide()
        values.addWidget(self.measured)
        values.addStretch(1)
        grid.addLayout(values, 0, 2)

    def _add_status_buttons(self, grid: QtWidgets.QGridLayout) -> None:
        """正常 · 警告 · 异常 · 不适用 (keys 1, 2, 3, 0)."""
        buttons = QtWidgets.QHBoxLayout()
        buttons.setSpacing(2)
        self.status_buttons: dict[str, QtWidgets.QToolButton] = {}
        for n, code in enumerate(STATUS_ORDER):
            button = QtWidgets.QToolButton()
            button.setText(status_label(code))
            button.setToolTip(f"{(n + 1) % 4}：{status_label(code)}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setObjectName(f"status-{code}")
            button.clicked.connect(lambda _c=False, c=code: self.form.set_status(self, c))
            buttons.addWidget(button)
            self.status_buttons[code] = button
        grid.addLayout(buttons, 0, 3)

    def _add_note_row(self, grid: QtWidgets.QGridLayout) -> None:
        """Third line: note and action (under title and value: wide enough at 150 %),
        生成故障单, the photos button."""
        self.note = FieldEdit("note", tr("异常情况（警告/异常必填）"))
        self.action = FieldEdit("action", tr("处理措施"))
        self.fault_button = QtWidgets.QPushButton(tr("生成故障单"))
        self.fault_button.setObjectName("faultButton")
        self.fault_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fault_button.clicked.connect(lambda: self.form.open_fault(self))
        self.photo_button = QtWidgets.QToolButton()
        self.photo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.photo_button.setObjectName("photoButton")
        self.photo_button.clicked.connect(lambda: self.form.show_photos(self))
        extra = QtWidgets.QHBoxLayout()
        extra.addWidget(self.note, 3)
        extra.addWidget(self.action, 2)
        grid.addLayout(extra, 2, 1, 1, 2)
        tail = QtWidgets.QHBoxLayout()
        tail.addWidget(self.fault_button)
        tail.addWidget(self.photo_button)
        tail.addStretch(1)
        grid.addLayout(tail, 2, 3)
        grid.setColumnStretch(2, 3)

    def _connect_edits(self) -> None:
        """Typing saves a draft; Enter, ↑/↓ and leaving a field save it to the run."""
        for edit in [*self.edits, self.note, self.action]:
            edit.textEdited.connect(lambda text, e=edit: self.form.typed(self, e, text))
            edit.committed.connect(lambda e=edit: self.form.commit(self, e, advance=True))
            edit.moved.connect(lambda step, e=edit: self.form.commit_and_move(self, e, step))
            edit.editingFinished.connect(lambda e=edit: self.form.leave(self, e))
            edit.focused.connect(lambda: self.form.row_focused(self))

    # ------------------------------------------------------------------ display

    @property
    def all_edits(self) -> list[FieldEdit]:
        return [*self.edits, self.note, self.action]

    def draft_key(self, edit: FieldEdit) -> str:
        return f"{edit.field}:{self.view.result_id}"

    def show_view(self, view: ItemView, keep_typing: bool = True) -> None:
        """Show the saved state; text being typed in a focused field stays unless told."""
        self.view = view
        saved = {
            "value": fmt(view.value_num),
            "value2": fmt(view.value_num2),
            "text": view.value_text,
            "note": view.note,
            "action": view.action,
        }
        for edit in self.all_edits:
            if keep_typing and edit.hasFocus() and edit.dirty:
                edit.saved = saved[edit.field]
            else:
                edit.show_saved(saved[edit.field])
        for code, button in self.status_buttons.items():
            button.setChecked(view.status == code)
            colour = COLOURS[code] if view.status == code else ""
            button.setStyleSheet(
                f"QToolButton{{background:{colour};color:white;font-weight:bold;}}"
                if colour
                else ""
            )
        measured = view.value_text if view.kind == "status" else ""
        self.measured.setText(
            self.measured.fontMetrics().elidedText(measured, Qt.TextElideMode.ElideRight, 330)
        )
        self.measured.setToolTip(measured)
        self.measured.setVisible(bool(measured))
        flagged = view.status in (WARNING, ABNORMAL)
        self.note.setVisible(flagged or bool(view.note) or bool(view.action))
        self.action.setVisible(self.note.isVisible())
        if view.needs_note:
            self.note.setStyleSheet(ALERT)
        self.action.setPlaceholderText(
            tr("处理措施（异常必填，或 Ctrl+G 生成故障单）")
            if view.status == ABNORMAL
            else tr("处理措施")
        )
        if not view.needs_action:
            self.action.setStyleSheet("")
        self.fault_button.setVisible(flagged or bool(view.fault_number))
        self.fault_button.setText(
            tr("故障单 {number}").format(number=view.fault_number)
            if view.fault_number
            else tr("生成故障单")
        )
        self.fault_button.setEnabled(not view.fault_number and not self.form.locked)
        self.photo_button.setText(tr("照片 {n}").format(n=view.attachments))
        self.photo_button.setVisible(view.kind == "photo" or view.attachments > 0)
        for edit in self.all_edits:
            edit.setReadOnly(self.form.locked)
        for button in self.status_buttons.values():
            button.setEnabled(not self.form.locked)
        self.set_current(self.form.current is self)

    def set_current(self, current: bool) -> None:
        tint = ROW_TINTS[ABNORMAL] if self.view.mismatch else ROW_TINTS.get(self.view.status or "")
        border = "#1a73e8" if current else "transparent"
        self.setStyleSheet(
            f"QFrame#itemRow{{background:{tint or 'palette(base)'};"
            f"border-left:4px solid {border};}}"
        )

    # ------------------------------------------------------------------ keyboard

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:
        super().focusInEvent(event)
        self.form.row_focused(self)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if event.matches(QtGui.QKeySequence.StandardKey.Paste):
            self.form.paste_onto(self)
        elif key in DIGITS and (ctrl or self.view.kind in STATUS_KINDS):
            self.form.set_status(self, DIGITS[Qt.Key(key)])
        elif (key in ENTER_KEYS and not ctrl) or key == Qt.Key.Key_Down:
            self.form.move_by(self, 1)
        elif key == Qt.Key.Key_Up:
            self.form.move_by(self, -1)
        elif key == Qt.Key.Key_PageDown:
            self.form.jump_group(self, 1)
        elif key == Qt.Key.Key_PageUp:
            self.form.jump_group(self, -1)
        elif key == Qt.Key.Key_Delete:
            self.form.set_status(self, None)
        elif self.edits and event.text() and event.text().isprintable() and not ctrl:
            edit = self.edits[0]
            if not self.form.locked:
                edit.setFocus()
                edit.setText(event.text())
                self.form.typed(self, edit, edit.text())
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if not self.form.locked and has_images(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        if self.form.attach(self, images_from_mime(event.mimeData())):
            event.acceptProposedAction()


class ChecklistForm(QtWidgets.QWidget):
    """A window filling one inspection run."""

    closed = Signal(str)
    #: Emitted when a fault should be shown (its id); the main window opens it.
    fault_opened = Signal(str)
    #: Emitted when an amendment replaced this run (its id).
    amended = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        run_id: str,
        restore: dict[str, Any] | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.run_id = run_id
        self.setObjectName("checklistForm")
        self.rows: list[ItemRow] = []
        self.current: ItemRow | None = None
        self._probing = False  # 自动检测 asking or running
        self._probe_items = probe_count(ctx, run_id)
        self._restored_focus: QtWidgets.QWidget | None = None
        self.run: RunView = ctx.call(lambda s: checklist_view.run_view(s, run_id))
        self.saver = DraftSaver(
            ctx, f"inspection_run:{run_id}", "inspection_run", self.run.title, self
        )
        self.setWindowTitle(tr("巡检记录单 · {title}").format(title=self.run.title))
        self.close_guard = CloseGuard(self, self.has_changes, lambda: self.run.title)
        self._build()
        self._fill_rows()
        self._show_run()
        restore = restore or self.saver.kept()  # a kept draft comes back with its record
        if not self.locked:
            self.saver.open()
        if restore:
            self.restore(restore)
            self.banner.show_message(
                tr("已恢复上次未保存的内容（草稿），请核对后保存；关闭时可选择放弃。"), "info"
            )
        QtCore.QTimer.singleShot(0, self._initial_focus)

    @property
    def locked(self) -> bool:
        return self.run.locked

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        self._build_header(outer)
        body = QtWidgets.QHBoxLayout()
        outer.addLayout(body, 1)
        self._build_item_list(body)
        # the side panel scrolls on a small screen; 完成并签字 and 关闭 stay below it
        column = QtWidgets.QWidget()
        column.setFixedWidth(370)
        column_layout = QtWidgets.QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        side = QtWidgets.QVBoxLayout()
        side_widget = QtWidgets.QWidget()
        side_widget.setLayout(side)
        self.side_scroll = scrolling(side_widget)
        self.side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column_layout.addWidget(self.side_scroll, 1)
        body.addWidget(column)
        column_layout.addLayout(self._build_side(side))
        self._add_shortcuts()
        fit_window(self, 1280, 720)

    def _build_header(self, outer: QtWidgets.QVBoxLayout) -> None:
        """Title and state, the lock banner with 更正…, the message banner, the key help."""
        top = QtWidgets.QHBoxLayout()
        self.title = heading(self.run.title, 1.25)
        top.addWidget(self.title, 1)
        self.state = QtWidgets.QLabel()
        top.addWidget(self.state)
        outer.addLayout(top)
        self.subtitle = muted()
        outer.addWidget(self.subtitle)
        lock_row = QtWidgets.QHBoxLayout()
        self.lock_banner = Banner()
        lock_row.addWidget(self.lock_banner, 1)
        self.amend_button = QtWidgets.QPushButton(tr("更正…"))
        self.amend_button.setObjectName("amendRun")
        self.amend_button.clicked.connect(self.amend)
        lock_row.addWidget(self.amend_button)
        outer.addLayout(lock_row)
        self.banner = Banner()
        outer.addWidget(self.banner)
        outer.addWidget(
            muted(
                tr(
                    "键盘：1 正常 · 2 警告 · 3 异常 · 0 不适用 · Enter 下一项 · "
                    "PgDn 下一系统 · Ctrl+Shift+A 其余全部正常 · Ctrl+Enter 完成并签字"
                )
            )
        )

    def _build_item_list(self, body: QtWidgets.QHBoxLayout) -> None:
        """The scrolling list the item rows go in (:meth:`_fill_rows`)."""
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list_widget = QtWidgets.QWidget()
        self.list_layout = QtWidgets.QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(1)
        self.scroll.setWidget(self.list_widget)
        body.addWidget(self.scroll, 1)

    def _build_side(self, side: QtWidgets.QVBoxLayout) -> QtWidgets.QHBoxLayout:
        """The side panel: summary, 其余全部正常, conclusion, photos, signatures; the actions."""
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        side.addWidget(self.summary)
        self.rest_button = QtWidgets.QPushButton(tr("其余全部正常"))
        self.rest_button.setObjectName("restNormal")
        self.rest_button.setToolTip("Ctrl+Shift+A")
        self.rest_button.clicked.connect(self.mark_rest_normal)
        side.addWidget(self.rest_button)
        self.probe_button = QtWidgets.QPushButton(tr("自动检测"))
        self.probe_button.setObjectName("probeRun")
        self.probe_button.setToolTip(
            tr("Ctrl+Shift+P：检测合同档案中的地址（可用性、DNS、篡改、死链）并填写检查项")
        )
        self.probe_button.clicked.connect(self.probe)
        side.addWidget(self.probe_button)
        side.addLayout(self._conclusion_form())
        side.addWidget(QtWidgets.QLabel(tr("现场照片/截图")))
        self.photos = EvidenceStrip(self.ctx, "inspection_run", self.run_id)
        self.photos.error.connect(self.banner.error)
        side.addWidget(self.photos)
        self.signatures = SignatureBlock()
        self.signatures.sign_requested.connect(self.sign)
        side.addWidget(self.signatures)
        side.addStretch(1)
        actions = QtWidgets.QHBoxLayout()
        self.complete_button = QtWidgets.QPushButton(tr("完成并签字"))
        self.complete_button.setObjectName("completeRun")
        self.complete_button.setToolTip("Ctrl+Enter")
        self.complete_button.clicked.connect(self.complete)
        self.close_button = QtWidgets.QPushButton(tr("关闭"))
        self.close_button.setObjectName("closeRun")
        self.close_button.clicked.connect(self.close)
        actions.addWidget(self.complete_button, 1)
        actions.addWidget(self.close_button)
        return actions

    def _conclusion_form(self) -> QtWidgets.QFormLayout:
        """巡检结论, 整改要求 and 整改期限 (typing saves a draft)."""
        form = QtWidgets.QFormLayout()
        self.conclusion = QtWidgets.QPlainTextEdit()
        self.conclusion.setObjectName("conclusion")
        self.conclusion.setTabChangesFocus(True)
        self.conclusion.setFixedHeight(64)
        self.conclusion.textChanged.connect(
            lambda: self._typed_side("conclusion", self.conclusion.toPlainText())
        )
        form.addRow(tr("巡检结论"), self.conclusion)
        self.remediation = QtWidgets.QLineEdit()
        self.remediation.setObjectName("remediation")
        self.remediation.textEdited.connect(lambda t: self._typed_side("remediation", t))
        form.addRow(tr("整改要求"), self.remediation)
        deadline_row = QtWidgets.QHBoxLayout()
        self.has_deadline = QtWidgets.QCheckBox()
        self.deadline = QtWidgets.QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setEnabled(False)
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        self.has_deadline.toggled.connect(lambda _on: self._typed_deadline())
        self.deadline.dateChanged.connect(lambda _d: self._typed_deadline())
        deadline_row.addWidget(self.has_deadline)
        deadline_row.addWidget(self.deadline, 1)
        form.addRow(tr("整改期限"), deadline_row)
        return form

    def _add_shortcuts(self) -> None:
        for keys, slot in (
            ("Ctrl+Shift+A", self.mark_rest_normal),
            ("Ctrl+Shift+P", self.probe),
            ("Ctrl+Return", self.complete),
            ("Ctrl+Enter", self.complete),
            ("Ctrl+G", lambda: self.current and self.open_fault(self.current)),
        ):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _fill_rows(self) -> None:
        previous: tuple[str, str] | None = None
        multi_group = len({i.group for i in self.run.items}) > 1
        for index, view in enumerate(self.run.items):
            key = (view.system, view.group)
            if key != previous:
                parts = [p for p in (view.system, view.group if multi_group else "") if p]
                if parts:
                    header = QtWidgets.QLabel(" / ".join(parts))
                    header.setObjectName("groupHeader")
                    header.setStyleSheet(
                        "QLabel#groupHeader{background:#eceff1;font-weight:bold;padding:4px 8px;}"
                    )
                    self.list_layout.addWidget(header)
                previous = key
            row = ItemRow(self, view, index)
            self.rows.append(row)
            self.list_layout.addWidget(row)
        self.list_layout.addStretch(1)

    def _show_run(self) -> None:
        run = self.run
        labels = inspections.RUN_STATUS_LABELS
        self.state.setText(tr(labels.get(run.status, run.status)))
        self.subtitle.setText(
            tr("{contract} · 巡检日期 {day} · 巡检人员 {who}").format(
                contract=run.contract_name, day=run.scheduled_date.isoformat(), who=run.inspector
            )
        )
        if run.superseded:
            self.lock_banner.show_message(tr("此记录已有更正版本，请打开最新版本。"), "lock")
        elif run.locked:
            self.lock_banner.show_message(
                tr("已签字锁定：内容不能再修改；如需更正，请点「更正」生成更正记录。"), "lock"
            )
        elif run.amendment_reason:
            self.lock_banner.show_message(
                tr("更正记录，更正原因：{reason}").format(reason=run.amendment_reason), "info"
            )
        else:
            self.lock_banner.clear_message()
        self.amend_button.setVisible(run.locked and not run.superseded)
        if not self.conclusion.toPlainText():
            self.conclusion.blockSignals(True)
            self.conclusion.setPlainText(run.conclusion)
            self.conclusion.blockSignals(False)
        self.conclusion.setPlaceholderText(self._suggestion())
        if not self.remediation.isModified():
            self.remediation.setText(run.remediation)
        if run.remediation_deadline is not None:
            self._set_deadline(run.remediation_deadline)
        else:
            self.deadline.blockSignals(True)
            self.deadline.setDate(to_qdate(run.scheduled_date))
            self.deadline.blockSignals(False)
        for widget in (self.conclusion, self.remediation):
            widget.setReadOnly(run.locked)
        self.has_deadline.setEnabled(not run.locked)
        self.rest_button.setEnabled(not run.locked)
        self.probe_button.setVisible(self._probe_items > 0 and not run.locked)
        self.complete_button.setVisible(run.status == "draft")
        self.photos.set_locked(run.locked)
        cells = self.ctx.call(lambda s: load_signatures(s, "inspection_run", run.id))
        self.signatures.show_signatures(
            cells, can_sign=run.status in ("completed", "signed") and not run.superseded
        )
        self._show_summary()

    def _suggestion(self) -> str:
        """The suggested conclusion (saved in Chinese, shown in the window's language)."""
        statuses = [i.status for i in self.run.items]
        return wording.conclusion(statuses.count(ABNORMAL), statuses.count(WARNING))

    def _set_deadline(self, day: date) -> None:
        for widget in (self.has_deadline, self.deadline):
            widget.blockSignals(True)
        self.has_deadline.setChecked(True)
        self.deadline.setEnabled(not self.locked)
        self.deadline.setDate(to_qdate(day))
        for widget in (self.has_deadline, self.deadline):
            widget.blockSignals(False)

    def _show_summary(self) -> None:
        items = [r.view for r in self.rows]
        count = {code: sum(1 for i in items if i.status == code) for code in STATUS_ORDER}
        pending = sum(1 for i in items if i.required and not i.touched)
        notes = sum(1 for i in items if i.needs_note)
        text = tr("已填 {filled}/{total} · 正常 {n} · 警告 {w} · 异常 {a} · 不适用 {na}").format(
            filled=sum(1 for i in items if i.touched),
            total=len(items),
            n=count[NORMAL],
            w=count[WARNING],
            a=count[ABNORMAL],
            na=count[NA],
        )
        if pending:
            text += "\n" + tr("必填未填 {n} 项").format(n=pending)
        if notes:
            text += "\n" + tr("{n} 项警告/异常待填异常情况").format(n=notes)
        self.summary.setText(text)

    # ------------------------------------------------------------------ focus & moving

    def _initial_focus(self) -> None:
        if self._restored_focus is not None:
            return
        if self.current is None and self.rows:
            target = next((r for r in self.rows if not r.view.touched), self.rows[0])
            self.focus_row(target)

    def row_focused(self, row: ItemRow) -> None:
        if row is self.current:
            return
        previous, self.current = self.current, row
        if previous is not None:
            previous.set_current(False)
        row.set_current(True)
        self.scroll.ensureWidgetVisible(row, 0, 40)
        if not self.locked:
            self.saver.set("focus", row.index)

    def focus_row(self, row: ItemRow | None) -> None:
        if row is None:
            self.conclusion.setFocus()
            return
        row.setFocus()

    def move_by(self, row: ItemRow, offset: int) -> None:
        index = min(max(row.index + offset, 0), len(self.rows) - 1)
        self.focus_row(self.rows[index])

    def jump_group(self, row: ItemRow, step: int) -> None:
        """To the first item of the next system/group, or up to the start of this or the last."""

        def key(i: int) -> tuple[str, str]:
            return (self.rows[i].view.system, self.rows[i].view.group)

        starts = [i for i in range(len(self.rows)) if i == 0 or key(i) != key(i - 1)]
        if step > 0:
            found = [i for i in starts if i > row.index]
            target = found[0] if found else None
        else:
            found = [i for i in starts if i < row.index]
            target = found[-1] if found else None
        if target is not None:
            self.focus_row(self.rows[target])

    def next_unfilled(self, row: ItemRow) -> ItemRow | None:
        after = [r for r in self.rows[row.index + 1 :] if not r.view.touched]
        before = [r for r in self.rows[: row.index] if not r.view.touched]
        return (after or before or [None])[0]

    def advance(self, row: ItemRow) -> None:
        """After a result: the note or 处理措施 if one is required, else the next unfilled item."""
        if row.view.needs_note or row.view.needs_action:
            row.note.setVisible(True)
            row.action.setVisible(True)
            (row.note if row.view.needs_note else row.action).setFocus()
            return
        if (
            row.view.kind == "pair"
            and row.view.value_num2 is None
            and row.view.value_num is not None
        ):
            row.edits[1].setFocus()
            return
        self.focus_row(self.next_unfilled(row))

    # ------------------------------------------------------------------ changes

    def _apply(self, row: ItemRow, keep_typing: bool = True, **changes: Any) -> bool:
        try:
            view = self.ctx.call(
                lambda s: (
                    inspections.set_result(s, row.view.result_id, **changes),
                    checklist_view.item_view(s, row.view.result_id),
                )[1]
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return False
        self.banner.clear_message()
        row.show_view(view, keep_typing)
        self._after_change()
        return True

    def _after_change(self) -> None:
        if self.run.status == "completed":
            self.reload()  # a change puts a completed run back to draft
        else:
            self.run = self.ctx.call(lambda s: checklist_view.run_view(s, self.run_id))
            self.conclusion.setPlaceholderText(self._suggestion())
            self._show_summary()
        self.ctx.changed()

    def set_status(self, row: ItemRow, status: str | None) -> None:
        if self.locked:
            return
        if self._apply(row, status=status) and status is not None:
            self.advance(row)
        elif status is None:
            row.setFocus()

    def typed(self, row: ItemRow, edit: FieldEdit, text: str) -> None:
        if not self.locked:
            self.saver.set(row.draft_key(edit), text)
            edit.setStyleSheet("")

    def commit(self, row: ItemRow, edit: FieldEdit, advance: bool) -> None:
        if self.locked:
            return
        if edit.dirty:
            if not self._apply(row, False, **{edit.field: edit.text()}):
                edit.setStyleSheet(ALERT)
                return
            self.saver.drop(row.draft_key(edit))
        if advance:
            if edit.field == "value" and row.view.kind == "pair":
                row.edits[1].setFocus()
            elif edit.field == "note" and row.view.needs_action:
                row.action.setFocus()  # an abnormal item: what was done about it
            elif edit.field in ("note", "action"):
                self.focus_row(self.next_unfilled(row))
            else:
                self.advance(row)

    def leave(self, row: ItemRow, edit: FieldEdit) -> None:
        """The field lost the focus: saved when the engineer moved on within the form."""
        if not edit.left_for_another_window:
            self.commit(row, edit, advance=False)

    def commit_and_move(self, row: ItemRow, edit: FieldEdit, step: int) -> None:
        self.commit(row, edit, advance=False)
        if not edit.dirty:
            self.move_by(row, step)

    def commit_all(self) -> bool:
        for row in self.rows:
            for edit in row.all_edits:
                if edit.dirty:
                    self.commit(row, edit, advance=False)
                    if edit.dirty:
                        edit.setFocus()
                        return False
        return True

    def _typed_side(self, field: str, value: str) -> None:
        if not self.locked:
            self.saver.set(field, value)

    def _typed_deadline(self) -> None:
        value = self.deadline.date().toString("yyyy-MM-dd") if self.has_deadline.isChecked() else ""
        self._typed_side("deadline", value)

    def mark_rest_normal(self) -> None:
        if self.locked:
            return
        try:
            self.ctx.call(lambda s: inspections.mark_rest_normal(s, self.run_id))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.reload()
        self.ctx.changed()
        self.focus_row(next((r for r in self.rows if r.view.required and not r.view.touched), None))

    def probe(self) -> None:
        """「自动检测」: the probes of this checklist fill their items (off the GUI thread)."""
        if self.locked or not self._probe_items or self._probing:
            return
        if not self.commit_all():
            return
        self._probing = True
        self.probe_button.setEnabled(False)
        start_probe(self.ctx, self, self.run_id, self._probed)

    def _probed(self, applied: Any, message: str) -> None:
        self._probing = False
        self.probe_button.setEnabled(True)
        if applied is None:
            self.banner.error(message)
            return
        self.reload()
        found = len(applied.abnormal)
        if found:
            text = tr(
                "自动检测完成：填写 {n} 项，{k} 项异常或警告"
                "（已记下测量结果，请填写处理措施或生成故障单）。"
            ).format(n=applied.filled, k=found)
        else:
            text = tr("自动检测完成：填写 {n} 项。").format(n=applied.filled)
        self.banner.show_message(text, "error" if found else "info")
        attention = next((r for r in self.rows if r.view.needs_note or r.view.needs_action), None)
        if attention is not None:
            self.row_focused(attention)
            self.advance(attention)  # its 异常情况 or 处理措施
        else:
            self.focus_row(
                next((r for r in self.rows if r.view.required and not r.view.touched), None)
            )

    # ------------------------------------------------------------------ faults & photos

    def open_fault(self, row: ItemRow) -> None:
        if row.view.fault_number or self.locked:
            return
        try:
            fault_id = self.ctx.call(
                lambda s: (
                    inspections.open_fault_from_result(
                        s,
                        row.view.result_id,
                        reported_at=self.ctx.now(),
                        actor=self.ctx.actor,
                        now=self.ctx.now(),
                    ).id
                )
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        row.show_view(self.ctx.call(lambda s: checklist_view.item_view(s, row.view.result_id)))
        self.ctx.changed()
        self.fault_opened.emit(fault_id)

    def attach(self, row: ItemRow, images: list[tuple[bytes, str]]) -> bool:
        strip = EvidenceStrip(self.ctx, "item_result", row.view.result_id)
        strip.error.connect(self.banner.error)
        added = strip.add_images(images)
        strip.deleteLater()
        if added:
            row.show_view(self.ctx.call(lambda s: checklist_view.item_view(s, row.view.result_id)))
        return added

    def paste_onto(self, row: ItemRow) -> None:
        mime = QtWidgets.QApplication.clipboard().mimeData()
        if mime is not None:
            self.attach(row, images_from_mime(mime))

    def show_photos(self, row: ItemRow) -> None:
        dialog = QtWidgets.QDialog(self)
        dialog.setWindowTitle(tr("照片 · {item}").format(item=row.view.title))
        layout = QtWidgets.QVBoxLayout(dialog)
        strip = EvidenceStrip(self.ctx, "item_result", row.view.result_id)
        strip.set_locked(self.locked)
        strip.error.connect(self.banner.error)
        layout.addWidget(strip)
        dialog.finished.connect(
            lambda _r: row.show_view(
                self.ctx.call(lambda s: checklist_view.item_view(s, row.view.result_id))
            )
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.resize(520, 140)
        dialog.open()

    # ------------------------------------------------------------------ complete, sign, amend

    def complete(self) -> None:
        if self.locked or self.run.status != "draft":
            return
        if not self.commit_all() or not self._handled():
            return
        conclusion = self.conclusion.toPlainText().strip() or self.run.suggested_conclusion
        deadline = to_date(self.deadline.date()) if self.has_deadline.isChecked() else None
        try:
            self.ctx.call(
                lambda s: inspections.complete_run(
                    s,
                    self.run_id,
                    conclusion=conclusion,
                    remediation=self.remediation.text(),
                    remediation_deadline=deadline,
                )
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.saver.drop("conclusion", "remediation", "deadline")
        self.banner.clear_message()
        self.conclusion.blockSignals(True)
        self.conclusion.setPlainText(conclusion)
        self.conclusion.blockSignals(False)
        self.reload()
        self.ctx.changed()
        self._sign_completed()

    def _sign_completed(self) -> None:
        """完成并签字: with the signature kept for this session, else through the dialog."""
        try:
            signer = sign_with_kept(self.ctx, "inspection_run", self.run_id)
        except StoreError as exc:
            self.banner.error(exc.message)
            signer = ""
        if not signer:
            self.sign(OPERATOR)
            return
        self.reload()
        self.banner.show_message(
            tr("已用本次保留的签名签字（{name}）。可在 设置 → 我的签名 中关闭保留。").format(
                name=signer
            ),
            "info",
        )

    def _handled(self) -> bool:
        """Every abnormal item has a 处理措施 or a fault; else say so at the first one."""
        unhandled = [r for r in self.rows if r.view.needs_action]
        for row in unhandled:
            row.note.setVisible(True)
            row.action.setVisible(True)
            row.action.setStyleSheet(ALERT)
        if not unhandled:
            return True
        self.banner.error(
            tr("{n} 项异常未填写处理措施（或生成故障单），请补充后再完成：{items}").format(
                n=len(unhandled),
                items=tr("、").join(
                    " / ".join(x for x in (r.view.system, r.view.title) if x) for r in unhandled[:5]
                ),
            )
        )
        unhandled[0].action.setFocus()
        return False

    def sign(self, role: str) -> None:
        open_sign_dialog(
            self.ctx, self, "inspection_run", self.run_id, role, self.run.title, self.reload
        )

    def amend(self) -> None:
        open_amend_dialog(self.ctx, self, "inspection_run", self.run_id, self._amended)

    def _amended(self, new_id: str) -> None:
        self.amended.emit(new_id)
        self.close()

    def reload(self) -> None:
        self.run = self.ctx.call(lambda s: checklist_view.run_view(s, self.run_id))
        for row, view in zip(self.rows, self.run.items, strict=True):
            row.show_view(view)
        self._show_run()

    # ------------------------------------------------------------------ drafts

    def restore(self, values: dict[str, Any]) -> None:
        """Put back what was being typed when the process died, the cursor where it was."""
        by_id = {row.view.result_id: row for row in self.rows}
        typing: FieldEdit | None = None
        for key, value in values.items():
            field, _, result_id = key.partition(":")
            row = by_id.get(result_id)
            edit = next((e for e in row.all_edits if e.field == field), None) if row else None
            if edit is not None:
                edit.setVisible(True)
                edit.setText(str(value))
                typing = typing or edit
        if isinstance(values.get("conclusion"), str):
            self.conclusion.setPlainText(values["conclusion"])
        if isinstance(values.get("remediation"), str):
            self.remediation.setText(values["remediation"])
            self.remediation.setModified(True)
        if values.get("deadline"):
            self._set_deadline(date.fromisoformat(str(values["deadline"])))
        focus = values.get("focus")
        target: QtWidgets.QWidget | None = typing
        if target is None and isinstance(focus, int) and 0 <= focus < len(self.rows):
            target = self.rows[focus]
        if target is not None:
            self._restored_focus = target
            QtCore.QTimer.singleShot(0, target.setFocus)

    def has_changes(self) -> bool:
        """Typing not saved into the run: a field, the conclusion, 整改要求 or 整改期限."""
        if any(edit.dirty for row in self.rows for edit in row.all_edits):
            return True
        run = self.run
        deadline = to_date(self.deadline.date()) if self.has_deadline.isChecked() else None
        return (
            self.conclusion.toPlainText() != (run.conclusion or "")
            or self.remediation.text() != (run.remediation or "")
            or deadline != run.remediation_deadline
        )

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if not self.close_guard.escape(event):
            super().keyPressEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        """Unsaved typing: 保存草稿 keeps it as drafts, 放弃 drops it (asked by the guard)."""
        answer = self.close_guard.decide(event)
        if answer is None:
            return
        self.saver.close(keep=answer == KEEP)
        if answer == DISCARD:
            for row in self.rows:  # what was typed is gone: a later close must not see it
                for edit in row.all_edits:
                    edit.setText(edit.saved)
        self.closed.emit(self.run_id)
        super().closeEvent(event)
