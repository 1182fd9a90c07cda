"""Service requests (phone-support log): quick entry from anywhere, then escalation.

The quick entry opens with ``F2`` from any window of the app. The clock starts
when it opens (that is the 接报时间); caller unit, caller, category and system
complete from history (most used first). It ends with one action:
「电话已解决」 (Ctrl+Enter), 「转远程」, 「转现场」 (the 4-hour on-site target is
shown), 「转故障单」, or 「暂存」 to keep the request open. A saved request opens
in the same form to escalate, complete or sign it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.errors import StoreError
from app.records import listings, record_views, requests, sla_preview
from app.schedule import sla as sla_mod
from app.storage.store import Session
from ui.context import AppContext
from ui.drafts import DraftSaver
from ui.forms.common import KEEP, CloseGuard, TextArea, combo, select_code, verdict_text
from ui.i18n import tr
from ui.layout import fit_window, heading, muted
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from ui.signatures import SignatureBlock, load_signatures, open_amend_dialog, open_sign_dialog
from ui.suggestions import Suggestions
from ui.toast import confirm
from ui.widgets import Banner, scrolling

LINES = ("caller_unit", "caller_name", "caller_contact", "category")
TEXTS = ("description", "resolution")


def field_label(name: str) -> str:
    return {
        "caller_unit": tr("来电单位"),
        "caller_name": tr("来电人"),
        "caller_contact": tr("联系方式"),
        "category": tr("问题类别"),
        "system_code": tr("系统"),
        "priority": tr("优先级"),
        "description": tr("问题描述"),
        "resolution": tr("处理结果/说明"),
    }[name]


def clock_text(seconds: float) -> str:
    minutes, secs = divmod(max(0, int(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class RequestForm(QtWidgets.QWidget):
    closed = Signal(str)
    fault_opened = Signal(str)
    amended = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        req_id: str | None = None,
        *,
        restore: dict[str, Any] | None = None,
        form_key: str | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.req_id = req_id
        self.setObjectName("requestForm")
        self.record: dict[str, Any] = {}
        if req_id is not None:
            self.record = ctx.call(lambda s: record_views.request_fields(s, req_id))
        self.contract = self.record.get("contract") or ctx.contract
        self.received_at: datetime = self.record.get("received_at") or ctx.now()
        if restore and restore.get("received_at"):
            self.received_at = datetime.fromisoformat(str(restore["received_at"]))
        key = form_key or (
            f"service_request:{req_id}" if req_id else f"service_request:new:{uuid.uuid4()}"
        )
        self.saver = DraftSaver(ctx, key, "service_request", tr("服务请求"), self)
        self.close_guard = CloseGuard(self, self.has_changes, self._title_text)
        self._build()
        self._show()
        self._baseline = self._snapshot()
        if restore is None and req_id is not None:
            restore = self.saver.kept()  # a kept draft comes back with its record
        if restore:
            self._restore(restore)
            self.banner.show_message(
                tr("已恢复上次未保存的内容（草稿），请核对后保存；关闭时可选择放弃。"), "info"
            )
        if not self.locked and self.is_open:
            if self.is_new:
                self.saver.set("received_at", self.received_at.isoformat())
            self.saver.title = self._title_text()
            self.saver.open()
        self.ticker = QtCore.QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start()
        self._tick()
        QtCore.QTimer.singleShot(0, self._first_focus)

    @property
    def is_new(self) -> bool:
        return self.req_id is None

    @property
    def locked(self) -> bool:
        return bool(self.record.get("locked"))

    @property
    def is_open(self) -> bool:
        return self.is_new or self.record.get("status") == "open"

    @property
    def channel(self) -> str:
        return str(self.record.get("channel") or "phone")

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        history = self.ctx.call(self._history)
        systems = self.ctx.call(lambda s: listings.systems_by_use(s, self.contract))
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        self._build_header(outer)
        # the call scrolls on a small screen; the buttons that end it stay below
        content = QtWidgets.QWidget()
        body = QtWidgets.QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(self._call_form(history, systems))
        self.trail = muted()
        self.trail.setWordWrap(True)
        body.addWidget(self.trail)
        self.signatures = SignatureBlock()
        self.signatures.sign_requested.connect(self._sign)
        body.addWidget(self.signatures)
        body.addStretch(1)
        outer.addWidget(scrolling(content), 1)
        self._build_actions(outer)
        fit_window(self, 760, 460)

    def _history(self, session: Session) -> dict[str, list[str]]:
        """Units, callers and categories entered before (completions of their fields)."""
        return {
            "caller_unit": requests.caller_units(session, self.contract, limit=200),
            "caller_name": requests.caller_names(session, self.contract, limit=200),
            "category": requests.categories(session, self.contract, limit=200),
        }

    def _build_header(self, outer: QtWidgets.QVBoxLayout) -> None:
        """Heading with 更正…, the SLA clock and targets, the lock and message banners."""
        top = QtWidgets.QHBoxLayout()
        self.heading = heading("", 1.2)
        top.addWidget(self.heading, 1)
        self.amend_button = QtWidgets.QPushButton(tr("更正…"))
        self.amend_button.clicked.connect(
            lambda: open_amend_dialog(
                self.ctx, self, "service_request", str(self.req_id), self._amended
            )
        )
        top.addWidget(self.amend_button)
        outer.addLayout(top)
        self.clock = QtWidgets.QLabel()
        self.clock.setObjectName("clock")
        outer.addWidget(self.clock)
        self.targets = QtWidgets.QLabel()
        self.targets.setObjectName("targets")
        outer.addWidget(self.targets)
        self.lock_banner = Banner()
        outer.addWidget(self.lock_banner)
        self.banner = Banner()
        outer.addWidget(self.banner)

    def _call_form(
        self, history: dict[str, list[str]], systems: list[tuple[str, str]]
    ) -> QtWidgets.QFormLayout:
        """The fields of a call, in the order of a call (and of Tab)."""
        form = QtWidgets.QFormLayout()
        self.lines: dict[str, QtWidgets.QLineEdit] = {}
        self.texts: dict[str, TextArea] = {}
        self.system = combo([("", tr("（未指定）")), *systems], "system_code")
        self.system.setEditable(True)
        self.system.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        completer = self.system.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        self.system.currentIndexChanged.connect(lambda _i: self._choice("system_code"))
        self.priority = combo(list(requests.PRIORITIES.items()), "priority")
        select_code(self.priority, "normal")
        self.priority.currentIndexChanged.connect(lambda _i: self._choice("priority"))
        # the order of a call (and of Tab): who, which system, what, how it ended
        form.addRow(field_label("caller_unit"), self._line("caller_unit", history["caller_unit"]))
        form.addRow(field_label("system_code"), self.system)
        form.addRow(field_label("category"), self._line("category", history["category"]))
        for name in TEXTS:
            area = TextArea(name, 64)
            area.textChanged.connect(lambda n=name, a=area: self.saver.set(n, a.toPlainText()))
            area.left.connect(lambda n=name: self._commit(n))
            form.addRow(field_label(name), area)
            self.texts[name] = area
        self.suggestions = Suggestions(
            self.ctx,
            self.texts["description"].toPlainText,
            self.texts["resolution"],
            contract=self.contract,
            exclude=self.req_id,
            parent=self,
        )
        self.suggestions.attach(self.texts["description"].textChanged)
        form.insertRow(4, "", self.suggestions)  # between 问题描述 and 处理结果
        more = QtWidgets.QHBoxLayout()
        more.addWidget(self._line("caller_name", history["caller_name"]), 2)
        more.addWidget(QtWidgets.QLabel(field_label("caller_contact")))
        more.addWidget(self._line("caller_contact", None), 2)
        more.addWidget(QtWidgets.QLabel(field_label("priority")))
        more.addWidget(self.priority, 1)
        form.addRow(field_label("caller_name"), more)
        return form

    def _build_actions(self, outer: QtWidgets.QVBoxLayout) -> None:
        """How the call ends (电话已解决, also Ctrl+Enter), 暂存, 关闭."""
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        actions = QtWidgets.QHBoxLayout()
        for name, text, slot in (
            ("phone", tr("电话已解决 (Ctrl+Enter)"), self.resolve_on_phone),
            ("remote", tr("转远程"), lambda: self.escalate("remote")),
            ("onsite", tr("转现场"), lambda: self.escalate("onsite")),
            ("arrived", tr("到场（现在）"), self.arrived),
            ("complete", tr("完成"), self.complete),
            ("fault", tr("转故障单"), lambda: self.escalate("fault")),
            ("keep", tr("暂存"), self.keep_open),
        ):
            button = QtWidgets.QPushButton(text)
            button.setObjectName(f"request-{name}")
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.buttons[name] = button
        actions.addStretch(1)
        self.close_button = QtWidgets.QPushButton(tr("关闭"))
        self.close_button.setObjectName("closeRequest")
        self.close_button.clicked.connect(self.close)
        actions.addWidget(self.close_button)
        outer.addLayout(actions)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(keys), self)
            shortcut.activated.connect(self._default_action)

    def _line(self, name: str, history: list[str] | None) -> QtWidgets.QLineEdit:
        edit = QtWidgets.QLineEdit()
        edit.setObjectName(name)
        if history:
            completer = QtWidgets.QCompleter(history, edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            edit.setCompleter(completer)
        edit.textEdited.connect(lambda text, n=name: self.saver.set(n, text))
        edit.editingFinished.connect(lambda n=name: self._commit(n))
        self.lines[name] = edit
        return edit

    def _first_focus(self) -> None:
        if self.is_new:
            self.lines["caller_unit"].setFocus()

    # ------------------------------------------------------------------ show

    def _title_text(self) -> str:
        number = self.record.get("number")
        unit = self.lines["caller_unit"].text()
        return (
            tr("服务请求 {number} {unit}").format(number=number or tr("（新）"), unit=unit).strip()
        )

    def _show(self) -> None:
        values = self.record
        number = values.get("number")
        self.heading.setText(
            tr("服务请求 {number} · {channel} · {status}").format(
                number=number,
                channel=tr(requests.CHANNELS[self.channel]),
                status=tr(requests.STATUSES.get(values.get("status", ""), "")),
            )
            if number
            else tr("新服务请求（电话）")
        )
        self.setWindowTitle(self._title_text())
        if values:
            for name, edit in self.lines.items():
                edit.setText(str(values.get(name) or ""))
            for name, area in self.texts.items():
                area.set_text(str(values.get(name) or "") if name != "resolution" else "")
            for box, name in ((self.system, "system_code"), (self.priority, "priority")):
                box.blockSignals(True)
                select_code(box, values.get(name) or "")
                box.blockSignals(False)
            self.trail.setText(str(values.get("resolution") or ""))
        editable = self.is_open and not self.locked
        for edit in self.lines.values():
            edit.setReadOnly(not editable)
        for area in self.texts.values():
            area.setReadOnly(not editable)
        self.system.setEnabled(editable)
        self.priority.setEnabled(editable)
        self.suggestions.set_enabled(editable)
        open_phone = self.is_open and self.channel == "phone"
        visible = {
            "phone": open_phone,
            "remote": open_phone,
            "onsite": self.is_open and self.channel != "onsite",
            "arrived": self.is_open and self.channel == "onsite" and not values.get("onsite_at"),
            "complete": self.is_open and self.channel != "phone",
            "fault": self.is_open,
            "keep": self.is_new,
        }
        for name, button in self.buttons.items():
            button.setVisible(visible[name] and not self.locked)
        self.amend_button.setVisible(self.locked)
        if self.locked:
            self.lock_banner.show_message(
                tr("已签字锁定：内容不能再修改；如需更正，请点「更正」生成更正记录。"), "lock"
            )
        elif values.get("amendment_reason"):
            self.lock_banner.show_message(
                tr("更正记录，更正原因：{reason}").format(reason=values["amendment_reason"]), "info"
            )
        else:
            self.lock_banner.clear_message()
        self.signatures.setVisible(not self.is_open)
        if not self.is_open:
            cells = self.ctx.call(lambda s: load_signatures(s, "service_request", str(self.req_id)))
            self.signatures.show_signatures(cells, can_sign=True)

    def _tick(self) -> None:
        now = self.ctx.now()
        elapsed = (now - self.received_at).total_seconds()
        if self.is_open:
            self.clock.setText(
                tr("接报 {at} · 已用时 {elapsed}").format(
                    at=f"{self.received_at:%H:%M:%S}", elapsed=clock_text(elapsed)
                )
            )
        else:
            self.clock.setText(tr("接报 {at}").format(at=f"{self.received_at:%Y-%m-%d %H:%M}"))
        if int(elapsed) % 15 == 0 or not self.targets.text():
            self.refresh_targets()

    def refresh_targets(self) -> None:
        """The response target and, for phone calls, what escalating on site would promise."""
        now = self.ctx.now()
        record = self.record
        channel = self.channel if not self.is_new else "phone"
        asked = "onsite" if channel == "phone" else channel
        verdicts = self.ctx.call(
            lambda s: sla_preview.request_preview(
                s,
                self.contract,
                channel=asked,
                received_at=self.received_at,
                responded_at=record.get("responded_at") or self.received_at,
                remote_at=record.get("remote_at"),
                onsite_at=record.get("onsite_at"),
                finished=not self.is_open,
                now=now,
            )
        )
        parts = []
        for clock in verdicts:
            step = clock.verdict.step
            if clock.verdict.target_minutes is None:
                continue
            name = tr(sla_mod.STEP_LABELS[step])
            if step == "onsite" and channel == "phone":
                name = tr("如转现场到场")
            parts.append(f"{name}：{verdict_text(clock)}")
        self.targets.setText("　".join(parts))

    # ------------------------------------------------------------------ changes

    def _choice(self, name: str) -> None:
        box = self.system if name == "system_code" else self.priority
        self.saver.set(name, box.currentData())
        self._commit(name)

    def _value(self, name: str) -> Any:
        if name in self.lines:
            return self.lines[name].text()
        if name in self.texts:
            return self.texts[name].toPlainText()
        box = self.system if name == "system_code" else self.priority
        return box.currentData() or None

    def _commit(self, name: str) -> None:
        """Store a changed field of a saved, open request (resolution goes with an action)."""
        if self.is_new or not self.is_open or self.locked or name == "resolution":
            return
        if self.close_guard.asking:
            return  # the close question took the focus: that is not leaving the field
        value = self._value(name)
        if value == (self.record.get(name) or None) or (not value and not self.record.get(name)):
            return
        try:
            self.ctx.call(lambda s: requests.update_request(s, str(self.req_id), **{name: value}))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.saver.drop(name)
        self.record[name] = value
        self.ctx.changed()

    def _new_request(self, session: Session, now: datetime) -> str:
        req = requests.log_request(
            session,
            self.contract,
            received_at=self.received_at,
            caller_unit=self._value("caller_unit"),
            caller_name=self._value("caller_name"),
            caller_contact=self._value("caller_contact"),
            system_code=self._value("system_code"),
            category=self._value("category"),
            description=self._value("description"),
            priority=self._value("priority") or "normal",
            handler=self.ctx.actor,
            now=now,
        )
        session.flush()
        return req.id

    def _act(self, action: Callable[[Session, str, datetime], Any], finish: bool = True) -> Any:
        """Save (a new request first) and apply ``action(session, req_id, now)`` in one go."""
        now = self.ctx.now()

        def work(session: Session) -> Any:
            req_id = self.req_id or self._new_request(session, now)
            return req_id, action(session, req_id, now)

        try:
            req_id, result = self.ctx.call(work)
        except StoreError as exc:
            self.banner.error(exc.message)
            return None
        self.req_id = req_id
        self.saver.close(keep=False)
        self.ctx.changed()
        self.record = self.ctx.call(lambda s: record_views.request_fields(s, req_id))
        self._confirm()
        if finish:
            self.close_guard.saved = True  # what was on screen went into the request
            self.close()
        else:
            self._show()
            self.refresh_targets()
        return result

    def _confirm(self) -> None:
        """The 服务单号 to tell the caller, in the main window: it stays when this form closes."""
        values = self.record
        confirm(
            self.parentWidget() or self,
            tr("已记录服务请求 {number}（{channel} · {status}）").format(
                number=values.get("number"),
                channel=tr(requests.CHANNELS[self.channel]),
                status=tr(requests.STATUSES.get(values.get("status", ""), "")),
            ),
        )

    def _default_action(self) -> None:
        for name in ("phone", "complete"):
            if self.buttons[name].isVisible():
                self.buttons[name].click()
                return

    def resolve_on_phone(self) -> None:
        resolution = self._value("resolution")
        self._act(lambda s, rid, now: requests.resolve_on_phone(s, rid, resolution, now=now))

    def escalate(self, to: str) -> None:
        note = self._value("resolution")
        result = self._act(
            lambda s, rid, now: requests.escalate(s, rid, to, now, note, now=now).fault,
            finish=to == "fault",
        )
        if result is not None and to == "fault":
            self.fault_opened.emit(result.id)

    def keep_open(self) -> None:
        self._act(lambda _s, _rid, _now: None)

    def arrived(self) -> None:
        self._act(lambda s, rid, now: requests.set_time(s, rid, "onsite", now, now=now), False)

    def complete(self) -> None:
        resolution = self._value("resolution")
        self._act(
            lambda s, rid, now: requests.complete_request(s, rid, resolution=resolution, now=now)
        )

    def _sign(self, role: str) -> None:
        def done() -> None:
            self.record = self.ctx.call(lambda s: record_views.request_fields(s, str(self.req_id)))
            self._show()

        open_sign_dialog(
            self.ctx, self, "service_request", str(self.req_id), role, self._title_text(), done
        )

    def _amended(self, new_id: str) -> None:
        self.amended.emit(new_id)
        self.close()

    def _restore(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self.lines:
                self.lines[name].setText(str(value))
            elif name in self.texts:
                self.texts[name].set_text(str(value))
            elif name == "system_code":
                select_code(self.system, value)
            elif name == "priority":
                select_code(self.priority, value)

    # ------------------------------------------------------------------ closing

    def _snapshot(self) -> dict[str, Any]:
        """Everything typed on screen, as the draft fields :meth:`_restore` reads back."""
        values: dict[str, Any] = {n: e.text() for n, e in self.lines.items()}
        values |= {n: a.toPlainText() for n, a in self.texts.items()}
        values["system_code"] = self.system.currentData()
        values["priority"] = self.priority.currentData()
        return values

    def has_changes(self) -> bool:
        """A new call: anything typed; a saved one: a field not stored, or a resolution typed."""
        if self.is_new:
            return self._snapshot() != self._baseline
        if self.texts["resolution"].toPlainText().strip():
            return True  # it goes into the request with an action (转远程, 完成…)
        for name in (*LINES, "description", "system_code", "priority"):
            if (self._value(name) or None) != (self.record.get(name) or None):
                return True
        return False

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if not self.close_guard.escape(event):
            super().keyPressEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        """Unsaved typing: 保存草稿 keeps it as drafts, 放弃 drops it (asked by the guard)."""
        answer = self.close_guard.decide(event)
        if answer is None:
            return
        self.ticker.stop()
        if answer == KEEP and self.is_new:
            for name, value in self._snapshot().items():  # all of it comes back from the drafts
                self.saver.set(name, value)
        self.saver.close(keep=answer == KEEP)
        self.closed.emit(self.req_id or "")
        super().closeEvent(event)
