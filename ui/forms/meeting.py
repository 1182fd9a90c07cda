"""The meeting minutes form (例会会议纪要): facts, agenda, decisions, action items, signatures.

A new meeting opens with the time now, the contract's site and the user as 记录人.
「保存」 (Ctrl+S) stores everything on screen (a new meeting gets its 纪要编号);
「定稿」 (Ctrl+Enter) saves and checks that the minutes are complete
(``meetings.finalize``) — then they can be signed, 运维人员 first. 「退回草稿」 undoes
定稿 before anyone signed. Signed minutes are read-only; 「更正…」 makes an amendment.

Everything is checked as it is typed (``meetings.problems``): a mistyped or future
time, an end before the start, an action item without what is to be done, or due
before the meeting — said in the line under the field (always there, so nothing
moves). What 定稿 also needs (主持人, 决议, each action item's 负责人 and 完成时间 …)
is said once 定稿 was tried, and always for final minutes.

Action items are a table: Tab moves along the cells, typing edits a cell (负责人
completes from the attendees), Space ticks 已完成; 「添加行动项」 (Ctrl+N) adds a row
and puts the cursor in it. Everything typed is kept as a draft, field by field, so
a crash loses nothing; closing with unsaved changes asks 保存草稿 / 放弃 / 取消.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from app.contracts.registry import get_contract
from app.errors import StoreError
from app.records import meetings
from app.storage.store import Session
from ui.context import AppContext
from ui.drafts import DraftSaver
from ui.forms.common import KEEP, CloseGuard, ErrorLine, TextArea, TimeField
from ui.i18n import tr
from ui.layout import fit_window, heading
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from ui.signatures import SignatureBlock, load_signatures, open_amend_dialog, open_sign_dialog
from ui.widgets import Banner, scrolling

LINES = ("title", "place", "host", "recorder", "attendees", "absentees")
TEXTS = ("agenda", "discussion", "decisions")
TIMES = ("meeting_at", "ended_at")
# columns of the action item table
CONTENT, OWNER, DUE, DONE = range(4)
INVALID_CELL = QtGui.QColor("#fde0e0")
NAME_SPLIT = re.compile(r"[、，,；;\s]+")


def field_label(name: str) -> str:
    return {
        "title": tr("会议名称"),
        "meeting_at": tr("会议时间"),
        "ended_at": tr("结束时间"),
        "place": tr("地点"),
        "host": tr("主持人"),
        "recorder": tr("记录人"),
        "attendees": tr("出席人员"),
        "absentees": tr("缺席人员"),
        "agenda": tr("议程"),
        "discussion": tr("会议内容"),
        "decisions": tr("决议"),
    }[name]


class ActionDelegate(QtWidgets.QStyledItemDelegate):
    """Cell editors: 负责人 completes from the names on the form, 完成时间 says its format."""

    def __init__(self, names: Callable[[], list[str]], parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.names = names

    def createEditor(
        self,
        parent: QtWidgets.QWidget,
        option: QtWidgets.QStyleOptionViewItem,
        index: QtCore.QModelIndex | QtCore.QPersistentModelIndex,
    ) -> QtWidgets.QWidget:
        editor = QtWidgets.QLineEdit(parent)
        if index.column() == OWNER:
            completer = QtWidgets.QCompleter(self.names(), editor)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            editor.setCompleter(completer)
        elif index.column() == DUE:
            editor.setPlaceholderText("YYYY-MM-DD")
        return editor


class MeetingForm(QtWidgets.QWidget):
    closed = Signal(str)
    amended = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        meeting_id: str | None = None,
        *,
        restore: dict[str, Any] | None = None,
        form_key: str | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.setObjectName("meetingForm")
        self.record: dict[str, Any] = {}
        if meeting_id is not None:
            self.record = ctx.call(lambda s: meetings.meeting_fields(s, meeting_id))
        self.contract = (
            self.record.get("contract") or (restore or {}).get("contract") or ctx.contract
        )
        key = form_key or (
            f"meeting_minutes:{meeting_id}" if meeting_id else f"meeting_minutes:new:{uuid.uuid4()}"
        )
        self.saver = DraftSaver(ctx, key, "meeting_minutes", tr("会议纪要"), self)
        self.close_guard = CloseGuard(self, self.has_changes, self._title_text)
        #: 定稿 was tried (or the minutes are final): also say what 定稿 needs
        self.finalizing = False
        self._loading = False
        self.problems: dict[str, str] = {}
        self._build()
        self._show(self.record or self._new_values())
        self._baseline = self._snapshot()
        if restore is None and meeting_id is not None:
            restore = self.saver.kept()  # a kept draft comes back with its record
        if restore:
            self._restore(restore)
            self.banner.show_message(
                tr("已恢复上次未保存的内容（草稿），请核对后保存；关闭时可选择放弃。"), "info"
            )
        if not self.locked:
            self.saver.title = self._title_text()
            self.saver.open()
        self.validate()
        QtCore.QTimer.singleShot(0, self._first_focus)

    @property
    def is_new(self) -> bool:
        return self.meeting_id is None

    @property
    def locked(self) -> bool:
        return bool(self.record.get("locked"))

    @property
    def final(self) -> bool:
        return self.record.get("status") == "final"

    def _new_values(self) -> dict[str, Any]:
        site = self.ctx.call(lambda s: get_contract(s, self.contract).site)
        return {
            "title": meetings.DEFAULT_TITLE,
            "place": site,
            "recorder": self.ctx.actor,
            "meeting_at": self.ctx.now().replace(second=0, microsecond=0),
            "action_items": [],
        }

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        top = QtWidgets.QHBoxLayout()
        self.heading = heading("", 1.25)
        top.addWidget(self.heading, 1)
        self.amend_button = QtWidgets.QPushButton(tr("更正…"))
        self.amend_button.setObjectName("amendMeeting")
        self.amend_button.clicked.connect(
            lambda: open_amend_dialog(
                self.ctx, self, "meeting_minutes", str(self.meeting_id), self._amended
            )
        )
        top.addWidget(self.amend_button)
        outer.addLayout(top)
        self.lock_banner = Banner()
        outer.addWidget(self.lock_banner)
        # the minutes scroll on a small screen; 保存, 定稿 and 关闭 stay below them
        content = QtWidgets.QWidget()
        body = QtWidgets.QVBoxLayout(content)
        body.setContentsMargins(0, 0, 6, 0)
        body.addLayout(self._facts())
        body.addWidget(self._action_box())
        self.signatures = SignatureBlock()
        self.signatures.sign_requested.connect(self._sign)
        body.addWidget(self.signatures)
        body.addStretch(1)
        outer.addWidget(scrolling(content), 1)
        self.banner = Banner()
        self.banner.setObjectName("meetingMessage")
        outer.addWidget(self.banner)
        self._build_buttons(outer)
        fit_window(self, 900, 760)

    def _facts(self) -> QtWidgets.QFormLayout:
        """The meeting's fields in the order of the printed minutes, each with its error line."""
        form = QtWidgets.QFormLayout()
        form.setVerticalSpacing(2)
        self.lines: dict[str, QtWidgets.QLineEdit] = {}
        self.texts: dict[str, TextArea] = {}
        self.times: dict[str, TimeField] = {}
        self.errors: dict[str, ErrorLine] = {}
        for name in ("title", *TIMES, "place", "host", "recorder", "attendees", "absentees"):
            if name in TIMES:
                field: QtWidgets.QWidget = self._time(name)
            else:
                field = self._line(name)
            form.addRow(field_label(name), self._with_error(name, field))
        for name in TEXTS:
            area = TextArea(name, 80)
            area.textChanged.connect(lambda n=name, a=area: self._changed(n, a.toPlainText()))
            self.texts[name] = area
            form.addRow(field_label(name), self._with_error(name, area))
        self.lines["attendees"].setPlaceholderText(tr("姓名之间用顿号分隔，如 张三、李四"))
        return form

    def _with_error(self, name: str, field: QtWidgets.QWidget) -> QtWidgets.QWidget:
        box = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        if isinstance(field, TimeField):  # the time and its 「现在」, not spread over the row
            layout.addWidget(field, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            layout.addWidget(field)
        self.errors[name] = ErrorLine(name)
        layout.addWidget(self.errors[name])
        return box

    def _line(self, name: str) -> QtWidgets.QLineEdit:
        edit = QtWidgets.QLineEdit()
        edit.setObjectName(name)
        edit.textEdited.connect(lambda text, n=name: self._changed(n, text))
        self.lines[name] = edit
        return edit

    def _time(self, name: str) -> TimeField:
        field = TimeField(name)
        field.edited.connect(lambda text, n=name: self._changed(n, text))
        field.now_button.clicked.connect(
            lambda _c=False, f=field: f.set_value(self.ctx.now(), emit=True)
        )
        self.times[name] = field
        return field

    def _action_box(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(tr("行动项"))
        layout = QtWidgets.QVBoxLayout(box)
        self.actions = QtWidgets.QTableWidget(0, 4)
        self.actions.setObjectName("actionItems")
        self.actions.setHorizontalHeaderLabels(
            [tr("行动项"), tr("负责人"), tr("完成时间"), tr("已完成")]
        )
        header = self.actions.horizontalHeader()
        header.setSectionResizeMode(CONTENT, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column, width in ((OWNER, 110), (DUE, 110), (DONE, 60)):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Interactive)
            self.actions.setColumnWidth(column, width)
        self.actions.verticalHeader().setVisible(False)
        self.actions.setMinimumHeight(150)
        self.actions.setEditTriggers(
            QtWidgets.QAbstractItemView.EditTrigger.AllEditTriggers
            & ~QtWidgets.QAbstractItemView.EditTrigger.CurrentChanged
        )
        self.actions.setItemDelegate(ActionDelegate(self._names, self.actions))
        self.actions.itemChanged.connect(lambda _item: self._actions_changed())
        layout.addWidget(self.actions)
        self.errors["action_items"] = ErrorLine("action_items")
        layout.addWidget(self.errors["action_items"])
        row = QtWidgets.QHBoxLayout()
        self.add_action = QtWidgets.QPushButton(tr("添加行动项 (Ctrl+N)"))
        self.add_action.setObjectName("addAction")
        self.add_action.clicked.connect(self.add_action_row)
        self.remove_action = QtWidgets.QPushButton(tr("删除所选行动项"))
        self.remove_action.setObjectName("removeAction")
        self.remove_action.clicked.connect(self.remove_action_row)
        row.addWidget(self.add_action)
        row.addWidget(self.remove_action)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _build_buttons(self, outer: QtWidgets.QVBoxLayout) -> None:
        buttons = QtWidgets.QHBoxLayout()
        self.save_button = QtWidgets.QPushButton(tr("保存 (Ctrl+S)"))
        self.save_button.setObjectName("saveMeeting")
        self.save_button.clicked.connect(self.save)
        self.final_button = QtWidgets.QPushButton(tr("定稿 (Ctrl+Enter)"))
        self.final_button.setObjectName("finalizeMeeting")
        self.final_button.clicked.connect(self.finalize)
        self.reopen_button = QtWidgets.QPushButton(tr("退回草稿"))
        self.reopen_button.setObjectName("reopenMeeting")
        self.reopen_button.clicked.connect(self.reopen)
        self.close_button = QtWidgets.QPushButton(tr("关闭"))
        self.close_button.setObjectName("closeMeeting")
        self.close_button.clicked.connect(self.close)
        for button in (self.save_button, self.final_button, self.reopen_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)
        for keys, slot in (
            ("Ctrl+S", self.save),
            ("Ctrl+Return", self.finalize),
            ("Ctrl+Enter", self.finalize),
            ("Ctrl+N", self.add_action_row),
        ):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(keys), self)
            shortcut.activated.connect(slot)

    def _first_focus(self) -> None:
        if not self.locked:
            self.lines["title"].setFocus()
            self.lines["title"].selectAll()

    # ------------------------------------------------------------------ show

    def _title_text(self) -> str:
        number = self.record.get("number") or tr("（新）")
        return (
            tr("会议纪要 {number} {title}")
            .format(number=number, title=self.lines["title"].text())
            .strip()
        )

    def _show(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for name, edit in self.lines.items():
                edit.setText(str(values.get(name) or ""))
            for name, area in self.texts.items():
                area.set_text(str(values.get(name) or ""))
            for name, field in self.times.items():
                field.set_value(values.get(name))
            self._set_rows(
                [
                    [a.content, a.owner, a.due_date.isoformat() if a.due_date else "", a.done]
                    for a in values.get("action_items") or []
                ]
            )
        finally:
            self._loading = False
        self._show_state()

    def _show_state(self) -> None:
        number = self.record.get("number")
        status = (
            tr("已签字")
            if self.locked
            else tr(meetings.STATUSES.get(self.record.get("status", ""), ""))
        )
        self.heading.setText(
            tr("会议纪要 {number} · {status}").format(number=number, status=status)
            if number
            else tr("新会议纪要")
        )
        self.setWindowTitle(self._title_text())
        locked = self.locked
        for edit in self.lines.values():
            edit.setReadOnly(locked)
        for area in self.texts.values():
            area.setReadOnly(locked)
        for field in self.times.values():
            field.set_read_only(locked)
        triggers = QtWidgets.QAbstractItemView.EditTrigger
        self.actions.setEditTriggers(
            triggers.NoEditTriggers
            if locked
            else triggers.AllEditTriggers & ~triggers.CurrentChanged
        )
        self.add_action.setEnabled(not locked)
        self.remove_action.setEnabled(not locked)
        self.save_button.setVisible(not locked)
        self.final_button.setVisible(not locked and not self.final)
        self.reopen_button.setVisible(not locked and self.final)
        self.amend_button.setVisible(locked)
        if locked:
            self.lock_banner.show_message(
                tr("已签字锁定：内容不能再修改；如需更正，请点「更正」生成更正记录。"), "lock"
            )
        elif self.record.get("amendment_reason"):
            self.lock_banner.show_message(
                tr("更正记录，更正原因：{reason}").format(reason=self.record["amendment_reason"]),
                "info",
            )
        else:
            self.lock_banner.clear_message()
        self.signatures.setVisible(not self.is_new)
        if not self.is_new:
            cells = self.ctx.call(
                lambda s: load_signatures(s, "meeting_minutes", str(self.meeting_id))
            )
            self.signatures.show_signatures(cells, can_sign=self.final or locked)

    # ------------------------------------------------------------------ action items

    def _names(self) -> list[str]:
        """Names on the form (host, recorder, attendees) for the 负责人 completer."""
        text = "、".join(self.lines[n].text() for n in ("host", "recorder", "attendees"))
        return list(dict.fromkeys(n for n in NAME_SPLIT.split(text) if n))

    def _set_rows(self, rows: list[list[Any]]) -> None:
        self.actions.blockSignals(True)
        self.actions.setRowCount(0)
        for row in rows:
            self._append_row(row)
        self.actions.blockSignals(False)

    def _append_row(self, row: list[Any]) -> int:
        index = self.actions.rowCount()
        self.actions.insertRow(index)
        for column in (CONTENT, OWNER, DUE):
            self.actions.setItem(index, column, QtWidgets.QTableWidgetItem(str(row[column] or "")))
        done = QtWidgets.QTableWidgetItem()
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        done.setFlags(flags if self.locked else flags | Qt.ItemFlag.ItemIsUserCheckable)
        done.setCheckState(Qt.CheckState.Checked if row[DONE] else Qt.CheckState.Unchecked)
        self.actions.setItem(index, DONE, done)
        return index

    def _rows(self) -> list[list[Any]]:
        """The table as plain rows: [内容, 负责人, 完成时间 as typed, 已完成]."""
        rows = []
        for index in range(self.actions.rowCount()):
            texts = [self._cell(index, c) for c in (CONTENT, OWNER, DUE)]
            done = self.actions.item(index, DONE)
            rows.append([*texts, done is not None and done.checkState() == Qt.CheckState.Checked])
        return rows

    def _cell(self, row: int, column: int) -> str:
        item = self.actions.item(row, column)
        return item.text().strip() if item is not None else ""

    def add_action_row(self) -> None:
        if self.locked:
            return
        self.actions.blockSignals(True)
        index = self._append_row(["", "", "", False])
        self.actions.blockSignals(False)
        self.actions.setFocus()
        self.actions.setCurrentCell(index, CONTENT)
        self.actions.editItem(self.actions.item(index, CONTENT))

    def remove_action_row(self) -> None:
        rows = sorted({i.row() for i in self.actions.selectedIndexes()}, reverse=True)
        if self.locked or not rows:
            return
        for row in rows:
            self.actions.removeRow(row)
        self._actions_changed()

    def _actions_changed(self) -> None:
        self._changed("action_items", self._rows())

    # ------------------------------------------------------------------ checks

    def _values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """What is on screen as the service takes it, and what cannot even be read."""
        found: dict[str, str] = {}
        values: dict[str, Any] = {n: e.text() for n, e in self.lines.items()}
        values |= {n: a.toPlainText() for n, a in self.texts.items()}
        for name, field in self.times.items():
            try:
                values[name] = field.value()
            except ValueError:
                values[name] = None
                found[name] = tr("时间格式应为 YYYY-MM-DD HH:MM。")
        items = []
        for index, (content, owner, due_text, done) in enumerate(self._rows()):
            due: date | None = None
            try:
                due = date.fromisoformat(due_text) if due_text else None
            except ValueError:
                found[f"action_items.{index}.due_date"] = tr(
                    "行动项 {n}：完成时间格式应为 YYYY-MM-DD。"
                ).format(n=index + 1)
            items.append(meetings.ActionItem(content, owner, due, bool(done)))
        values["action_items"] = items
        return values, found

    def validate(self) -> dict[str, str]:
        """Check everything on screen; each problem under its field, bad cells tinted."""
        if self.locked:
            found: dict[str, str] = {}
        else:
            values, found = self._values()
            final = self.finalizing or self.final
            for name, message in meetings.problems(values, final=final, now=self.ctx.now()).items():
                found.setdefault(name, message)
        self.problems = found
        for name, line in self.errors.items():
            if name != "action_items":
                line.show_error(found.get(name, ""))
        for name, field in self.times.items():
            field.edit.setStyleSheet(
                "QLineEdit{border:1px solid #c62828;}" if name in found else ""
            )
        action_messages = [m for k, m in found.items() if k.startswith("action_items.")]
        self.errors["action_items"].show_error(" ".join(dict.fromkeys(action_messages)))
        self.actions.blockSignals(True)
        columns = {"content": CONTENT, "owner": OWNER, "due_date": DUE}
        bad = {
            (int(index), columns[column])
            for key in found
            if key.startswith("action_items.")
            for _prefix, index, column in [key.split(".")]
        }
        for row in range(self.actions.rowCount()):
            for column in (CONTENT, OWNER, DUE):
                item = self.actions.item(row, column)
                if item is not None:
                    item.setBackground(INVALID_CELL if (row, column) in bad else QtGui.QBrush())
        self.actions.blockSignals(False)
        return found

    def _refuse(self, found: dict[str, str]) -> None:
        texts = list(dict.fromkeys(found.values()))
        self.banner.error(tr("请先改正标出的问题：{problems}").format(problems=" ".join(texts)))

    # ------------------------------------------------------------------ changes

    def _changed(self, name: str, value: Any) -> None:
        if self._loading or self.locked:
            return
        self.saver.set(name, value)
        if name == "title":
            self.saver.title = self._title_text()
        self.validate()

    def _fields(self) -> dict[str, Any]:
        values, _found = self._values()
        return values

    def save(self) -> bool:
        """Store everything on screen (a new meeting gets its number); True if saved."""
        if self.locked:
            return False
        found = self.validate()
        if found:
            self._refuse(found)
            return False
        fields = self._fields()
        now = self.ctx.now()

        def store(session: Session) -> str:
            if self.meeting_id is None:
                record = meetings.create_meeting(session, self.contract, now=now, **fields)
                session.flush()
                return record.id
            meetings.update_meeting(session, self.meeting_id, now=now, **fields)
            return self.meeting_id

        try:
            meeting_id = self.ctx.call(store)
        except StoreError as exc:
            self.banner.error(exc.message)
            return False
        self.saver.close(keep=False)
        if self.meeting_id is None:
            self.meeting_id = meeting_id
            self.saver = DraftSaver(
                self.ctx, f"meeting_minutes:{meeting_id}", "meeting_minutes", tr("会议纪要"), self
            )
        self._reload()
        self.saver.title = self._title_text()
        self.saver.open()
        self.banner.show_message(tr("已保存。"), "info")
        self.ctx.changed()
        return True

    def finalize(self) -> None:
        """定稿: save, then check the minutes are complete; they can be signed after."""
        if self.locked or self.final:
            return
        self.finalizing = True
        found = self.validate()
        if found:
            self._refuse(found)
            return
        if not self.save():
            return
        try:
            self.ctx.call(lambda s: meetings.finalize(s, str(self.meeting_id), now=self.ctx.now()))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self._reload()
        self.banner.show_message(tr("已定稿，可以签字（运维人员先签）。"), "info")
        self.ctx.changed()

    def reopen(self) -> None:
        try:
            self.ctx.call(lambda s: meetings.reopen(s, str(self.meeting_id)))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.finalizing = False
        self._reload()
        self.ctx.changed()

    def _reload(self) -> None:
        self.record = self.ctx.call(lambda s: meetings.meeting_fields(s, str(self.meeting_id)))
        self._show(self.record)
        self._baseline = self._snapshot()
        self.validate()

    def _sign(self, role: str) -> None:
        if self.has_changes():
            self.banner.error(tr("有尚未保存的修改，请先保存再签字。"))
            return
        open_sign_dialog(
            self.ctx, self, "meeting_minutes", str(self.meeting_id), role, self._title_text(),
            self._reload,
        )  # fmt: skip

    def _amended(self, new_id: str) -> None:
        self.amended.emit(new_id)
        self.close()

    def _restore(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            for name, value in values.items():
                if name in self.lines:
                    self.lines[name].setText(str(value))
                elif name in self.texts:
                    self.texts[name].set_text(str(value))
                elif name in self.times:
                    self.times[name].set_text(str(value))
                elif name == "action_items" and isinstance(value, list):
                    self._set_rows([list(r) for r in value if isinstance(r, list) and len(r) == 4])
        finally:
            self._loading = False
        self.validate()

    # ------------------------------------------------------------------ closing

    def _snapshot(self) -> dict[str, Any]:
        """Everything on screen, as the draft fields :meth:`_restore` reads back."""
        values: dict[str, Any] = {n: e.text() for n, e in self.lines.items()}
        values |= {n: a.toPlainText() for n, a in self.texts.items()}
        values |= {n: f.edit.text() for n, f in self.times.items()}
        values["action_items"] = [r for r in self._rows() if any(r)]
        return values

    def has_changes(self) -> bool:
        return not self.locked and self._snapshot() != self._baseline

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if not self.close_guard.escape(event):
            super().keyPressEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        """Unsaved typing: 保存草稿 keeps it as drafts, 放弃 drops it (asked by the guard)."""
        answer = self.close_guard.decide(event)
        if answer is None:
            return
        if answer == KEEP:
            for name, value in self._snapshot().items():  # all of it comes back from the drafts
                self.saver.set(name, value)
            self.saver.set("contract", self.contract)
        self.saver.close(keep=answer == KEEP)
        self.closed.emit(self.meeting_id or "")
        super().closeEvent(event)
