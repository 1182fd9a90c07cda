"""The fault record form (故障单 / 系统故障处置报告).

Times 报告/响应/到场/恢复/关闭 are typed or set with 「现在」; each shows its SLA
target and 达标/超时 (or the time left) live. 服务中断 says whether the fault made
the service unavailable — which systems, from when to when — which is what 可用率
counts (``faults.set_outage``): choosing 「是」 fills 中断开始 with the report time
and the fault's system; setting 恢复时间 fills an empty 中断结束. A new fault is a
draft until 「保存」; on a saved fault every field is stored when it is left.
Everything typed is also kept as a draft, field by field.

Times are checked as they are typed (``faults.timeline_problems``): a mistyped
or future time, or one out of order (报告 ≤ 响应 ≤ 到场 ≤ 恢复 ≤ 关闭, the outage
between report and close), is said in the error line under the field — a line
that is always there, so nothing moves — and gets no SLA verdict. A 关闭时间
needs the report sections the profile requires (marked ＊); saving or closing
with a problem left is refused with the list. Messages of a refused save go to
the message line at the bottom, which also keeps its place.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import Any

from app.contracts.registry import get_contract, profile_of
from app.errors import StoreError
from app.records import faults, record_views, sla_preview
from app.storage.store import Session
from ui.context import AppContext
from ui.drafts import DraftSaver
from ui.evidence import EvidenceStrip
from ui.forms.common import (
    KEEP,
    CloseGuard,
    ErrorLine,
    TextArea,
    TimeField,
    combo,
    paint_verdict,
    select_code,
)
from ui.i18n import tr
from ui.layout import fit_window, heading, muted
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from ui.signatures import SignatureBlock, load_signatures, open_amend_dialog, open_sign_dialog
from ui.suggestions import Suggestions
from ui.widgets import Banner, scrolling

#: Timeline step of the form → SLA step of :mod:`app.schedule.sla` it finishes.
SLA_STEP = {"responded": "response", "onsite": "onsite", "recovered": "recovery", "closed": "close"}
LINES = ("title", "category", "impact", "handler", "coordinator")
TEXTS = ("symptom", "impact_analysis", "cause", "process", "prevention", "result")
CHOICES = ("system_code", "level", "emergency_type", "discovery")
REFRESH_MS = 15_000
# 是否中断服务: combo code → the value of ``faults.set_outage``.
OUTAGE = {"": None, "no": False, "yes": True}
INVALID_STYLE = "QLineEdit{border:1px solid #c62828;}"


def step_label(step: str) -> str:
    return {
        "reported": tr("报告时间"),
        "responded": tr("响应时间"),
        "onsite": tr("到场时间"),
        "recovered": tr("恢复时间"),
        "closed": tr("关闭时间"),
    }[step]


def field_label(name: str) -> str:
    return {
        "title": tr("故障标题"),
        "category": tr("类型"),
        "impact": tr("影响范围"),
        "handler": tr("处理人"),
        "coordinator": tr("协调人"),
        "symptom": tr("一、故障现象"),
        "impact_analysis": tr("二、影响分析"),
        "cause": tr("三、原因分析"),
        "process": tr("四、处理过程（临时措施 → 根本解决 → 验证）"),
        "prevention": tr("五、整改及预防措施"),
        "result": tr("处理结果"),
        "system_code": tr("系统"),
        "level": tr("等级"),
        "emergency_type": tr("应急事件"),
        "discovery": tr("发现方式"),
    }[name]


def section_name(name: str) -> str:
    """The short name of a report section, for lists."""
    return {
        "symptom": tr("故障现象"),
        "impact_analysis": tr("影响分析"),
        "cause": tr("原因分析"),
        "process": tr("处理过程"),
        "prevention": tr("整改及预防措施"),
        "result": tr("处理结果"),
    }[name]


def outage_label(name: str) -> str:
    return {"outage_start": tr("中断开始时间"), "outage_end": tr("中断结束时间")}[name]


def time_label(name: str) -> str:
    return outage_label(name) if name.startswith("outage_") else step_label(name)


def problem_text(name: str, problem: faults.Problem) -> str:
    """The message of a :class:`faults.Problem` of field ``name``, translated."""
    kind, other = problem.kind, problem.other
    if kind == "future":
        return tr("不能填写将来的时间（晚于当前时间）。")
    if kind == "missing":
        return (
            tr("报告时间必须填写。")
            if name == "reported"
            else tr("中断服务时必须填写中断开始时间。")
        )
    if kind == "unrecovered":
        return tr("故障恢复后才能关闭，请先填写恢复时间。")
    if kind == "open_outage":
        return tr("故障已关闭，请填写中断结束时间（服务恢复的时间）。")
    template = {
        "before": tr("{field}不能早于{other}。"),
        "after": tr("{field}不能晚于{other}。"),
        "not_after": tr("{field}必须晚于{other}。"),
    }[kind]
    return template.format(field=time_label(name), other=time_label(str(other)))


class MessageLine(Banner):
    """The form's message banner, laid over the hint at the bottom: the hint shows when empty."""

    def __init__(self, hint: QtWidgets.QWidget) -> None:
        super().__init__()
        self.setObjectName("faultMessage")
        self.hint = hint
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Ignored
        )

    def show_message(self, text: str, kind: str = "info") -> None:
        super().show_message(text, kind)
        self.setToolTip(text)
        self.hint.setVisible(not text)

    def clear_message(self) -> None:
        super().clear_message()
        self.setToolTip("")
        self.hint.show()


class FaultForm(QtWidgets.QWidget):
    closed = Signal(str)
    amended = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        fault_id: str | None = None,
        *,
        prefill: dict[str, Any] | None = None,
        restore: dict[str, Any] | None = None,
        form_key: str | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.setObjectName("faultForm")
        self.fault_id = fault_id
        self.holiday_period_id: str | None = None
        self.record: dict[str, Any] = {}
        if fault_id is not None:
            self.record = ctx.call(lambda s: record_views.fault_fields(s, fault_id))
        self.contract = (
            self.record.get("contract")
            or (prefill or {}).get("contract")
            or (restore or {}).get("contract")
            or ctx.contract
        )
        key = form_key or (
            f"fault_record:{fault_id}" if fault_id else f"fault_record:new:{uuid.uuid4()}"
        )
        self.saver = DraftSaver(ctx, key, "fault_record", tr("故障单"), self)
        self.close_guard = CloseGuard(self, self.has_changes, self._title_text)
        self.problems: dict[str, str] = {}
        self._sla_key: tuple[Any, ...] | None = None
        self._load_choices()
        self._build()
        self._show(self.record or self._new_values(prefill or {}))
        self._baseline = self._snapshot()
        if restore is None and fault_id is not None:
            restore = self.saver.kept()  # a kept draft comes back with its record
        if restore:
            self._restore(restore)
            self.banner.show_message(
                tr("已恢复上次未保存的内容（草稿），请核对后保存；关闭时可选择放弃。"), "info"
            )
        if not self.locked:
            self.saver.title = self._title_text()
            self.saver.open()
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.validate()
        self.refresh_sla()

    @property
    def locked(self) -> bool:
        return bool(self.record.get("locked"))

    @property
    def is_new(self) -> bool:
        return self.fault_id is None

    # ------------------------------------------------------------------ setup

    def _load_choices(self) -> None:
        def load(
            session: Session,
        ) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
            contract = get_contract(session, self.contract)
            profile = profile_of(contract)
            systems = [(s.code, s.name) for s in contract.systems if s.active]
            levels = [(lvl.code, lvl.name) for lvl in profile.sla.fault_levels]
            return systems, levels, list(profile.fault_report_required)

        self.systems, self.levels, self.required = self.ctx.call(load)

    def _new_values(self, prefill: dict[str, Any]) -> dict[str, Any]:
        default_level = next((c for c, n in self.levels if "一般" in n), self.levels[-1][0])
        values: dict[str, Any] = dict.fromkeys((*LINES, *TEXTS), "")
        values |= {
            "number": "",
            "system_code": "",
            "level": default_level,
            "emergency_type": "",
            "discovery": "user",
            "handler": self.ctx.actor,
            "time:reported": self.ctx.now(),
        }
        values |= {k: v for k, v in prefill.items() if v is not None}
        self.holiday_period_id = prefill.get("holiday_period_id")
        return values

    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        self._build_header(outer)
        body = QtWidgets.QHBoxLayout()
        outer.addLayout(body, 1)
        # both columns scroll on a small screen; 保存故障单 and 关闭窗口 stay below them
        left_widget = QtWidgets.QWidget()
        left = QtWidgets.QVBoxLayout(left_widget)
        left.setContentsMargins(0, 0, 6, 0)
        body.addWidget(scrolling(left_widget), 5)
        left.addLayout(self._facts_form())
        left.addWidget(self._timeline())
        left.addWidget(self._outage_box())
        left.addStretch(1)
        self._build_report(body)
        self._build_actions(outer)
        fit_window(self, 1240, 720)

    def _build_header(self, outer: QtWidgets.QVBoxLayout) -> None:
        """Heading with 更正… and the lock banner (messages go to the bottom line)."""
        top = QtWidgets.QHBoxLayout()
        self.heading = heading("", 1.25)
        top.addWidget(self.heading, 1)
        self.amend_button = QtWidgets.QPushButton(tr("更正…"))
        self.amend_button.setObjectName("amendFault")
        self.amend_button.clicked.connect(
            lambda: open_amend_dialog(
                self.ctx, self, "fault_record", str(self.fault_id), self._amended
            )
        )
        top.addWidget(self.amend_button)
        outer.addLayout(top)
        self.lock_banner = Banner()
        outer.addWidget(self.lock_banner)

    def _facts_form(self) -> QtWidgets.QFormLayout:
        """Title, system, level, category, emergency type, discovery, impact, people."""
        form = QtWidgets.QFormLayout()
        self.lines: dict[str, QtWidgets.QLineEdit] = {}
        self.choices: dict[str, QtWidgets.QComboBox] = {
            "system_code": combo([("", tr("（不涉及具体系统）")), *self.systems], "system_code"),
            "level": combo(self.levels, "level"),
            "emergency_type": combo(
                [("", tr("（不是应急事件）")), *faults.EMERGENCY_TYPES.items()], "emergency_type"
            ),
            "discovery": combo(list(faults.DISCOVERY.items()), "discovery"),
        }
        for name in ("title", "system_code", "level", "category", "emergency_type", "discovery"):
            form.addRow(field_label(name), self._field(name))
        for name in ("impact", "handler", "coordinator"):
            form.addRow(field_label(name), self._field(name))
        return form

    def _timeline(self) -> QtWidgets.QGroupBox:
        """A time field (with 「现在」) and the SLA verdict for each step of the fault."""
        timeline = QtWidgets.QGroupBox(tr("时间节点及 SLA"))
        grid = QtWidgets.QGridLayout(timeline)
        grid.setVerticalSpacing(0)
        self.times: dict[str, TimeField] = {}
        self.verdicts: dict[str, QtWidgets.QLabel] = {}
        self.errors: dict[str, ErrorLine] = {}
        for index, step in enumerate(faults.STEPS):
            row = 2 * index
            grid.addWidget(QtWidgets.QLabel(step_label(step)), row, 0)
            field = TimeField(step)
            field.edited.connect(lambda text, s=step: self.saver.set(f"time:{s}", text))
            field.edit.textChanged.connect(lambda _t: self.validate())
            field.changed.connect(lambda s=step: self._time_changed(s))
            field.now_button.clicked.connect(lambda _c=False, s=step: self._now(s))
            grid.addWidget(field, row, 1)
            verdict = QtWidgets.QLabel()
            verdict.setObjectName(f"verdict-{step}")
            # the verdict wraps in the width left beside the time (a narrow column at 150 %)
            verdict.setWordWrap(True)
            verdict.setSizePolicy(
                QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
            )
            grid.addWidget(verdict, row, 2)
            grid.setColumnStretch(2, 1)
            self.errors[step] = ErrorLine(step)
            grid.addWidget(self.errors[step], row + 1, 1, 1, 2)
            self.times[step], self.verdicts[step] = field, verdict
        return timeline

    def _outage_box(self) -> QtWidgets.QGroupBox:
        """服务中断: 是否中断服务, the systems that were down, 中断开始 and 中断结束."""
        box = QtWidgets.QGroupBox(tr("服务中断（计入可用率）"))
        grid = QtWidgets.QGridLayout(box)
        grid.setVerticalSpacing(2)
        self.outage = combo(
            [("", tr("（未填写）")), ("no", tr("否，未中断服务")), ("yes", tr("是，服务中断"))],
            "outage",
        )
        self.outage.currentIndexChanged.connect(lambda _i: self._outage_chosen())
        grid.addWidget(QtWidgets.QLabel(tr("是否中断服务")), 0, 0)
        grid.addWidget(self.outage, 0, 1)
        self.outage_systems = QtWidgets.QToolButton()
        self.outage_systems.setObjectName("outage-systems")
        self.outage_systems.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(self.outage_systems)
        self.system_actions: dict[str, QtGui.QAction] = {}
        for code, name in self.systems:
            action = menu.addAction(name)
            action.setCheckable(True)
            action.toggled.connect(lambda _on: self._outage_systems_changed())
            self.system_actions[code] = action
        self.outage_systems.setMenu(menu)
        grid.addWidget(QtWidgets.QLabel(tr("中断的系统")), 1, 0)
        grid.addWidget(self.outage_systems, 1, 1)
        self.outage_times: dict[str, TimeField] = {}
        for row, (key, label) in enumerate(
            (("start", tr("中断开始")), ("end", tr("中断结束"))), start=2
        ):
            row = 2 * row - 2  # each time has its error line under it
            field = TimeField(f"outage-{key}")
            field.edited.connect(lambda text, k=key: self.saver.set(f"outage:{k}", text))
            field.edit.textChanged.connect(lambda _t: self.validate())
            field.changed.connect(self._commit_outage)
            self.errors[f"outage_{key}"] = ErrorLine(f"outage_{key}")
            grid.addWidget(self.errors[f"outage_{key}"], row + 1, 1, 1, 2)
            field.now_button.clicked.connect(
                lambda _c=False, f=field: f.set_value(self.ctx.now(), emit=True)
            )
            grid.addWidget(QtWidgets.QLabel(label), row, 0)
            grid.addWidget(field, row, 1)
            self.outage_times[key] = field
        grid.setColumnStretch(2, 1)
        return box

    def _checked_systems(self) -> list[str]:
        return [code for code, action in self.system_actions.items() if action.isChecked()]

    def _show_outage_systems(self) -> None:
        names = dict(self.systems)
        chosen = [names[c] for c in self._checked_systems()]
        self.outage_systems.setText("、".join(chosen) if chosen else tr("选择系统…"))

    def _set_outage_systems(self, codes: list[str]) -> None:
        for code, action in self.system_actions.items():
            action.blockSignals(True)
            action.setChecked(code in codes)
            action.blockSignals(False)
        self._show_outage_systems()

    def _show_outage(self, values: dict[str, Any]) -> None:
        interrupted = values.get("outage:interrupted")
        code = {None: "", False: "no", True: "yes"}.get(interrupted, str(interrupted or ""))
        self.outage.blockSignals(True)
        select_code(self.outage, code)
        self.outage.blockSignals(False)
        self._set_outage_systems(list(values.get("outage:systems") or []))
        for key, field in self.outage_times.items():
            field.set_value(values.get(f"outage:{key}"))
        self._enable_outage()

    def _enable_outage(self) -> None:
        down = self.outage.currentData() == "yes" and not self.locked
        self.outage.setEnabled(not self.locked)
        self.outage_systems.setEnabled(down)
        for field in self.outage_times.values():
            field.set_read_only(not down)

    def _outage_chosen(self) -> None:
        """是/否/未填写 chosen: fill the obvious values for 「是」, store, enable the fields."""
        code = self.outage.currentData()
        self.saver.set("outage:interrupted", code)
        if code == "yes":
            if not self._checked_systems():
                own = self.choices["system_code"].currentData()
                if own:
                    self._set_outage_systems([own])
            if not self.outage_times["start"].edit.text().strip():
                # a mistyped report time: 中断开始 stays empty for the user to type
                with contextlib.suppress(ValueError):
                    self.outage_times["start"].set_value(self.times["reported"].value())
        else:
            self._set_outage_systems([])
            for field in self.outage_times.values():
                field.set_value(None)
        self._enable_outage()
        self.validate()
        self._commit_outage()

    def _outage_systems_changed(self) -> None:
        self._show_outage_systems()
        self.saver.set("outage:systems", ",".join(self._checked_systems()))
        self._commit_outage()

    def _outage_values(self) -> tuple[bool | None, datetime | None, datetime | None, list[str]]:
        """What the 服务中断 fields say (``ValueError`` for a mistyped time)."""
        interrupted = OUTAGE.get(str(self.outage.currentData() or ""))
        start = self.outage_times["start"].value()
        end = self.outage_times["end"].value()
        return interrupted, start, end, self._checked_systems() if interrupted else []

    def _commit_outage(self) -> None:
        """Store the outage of a saved fault (a new one stores it with 「保存」)."""
        if self.is_new or self.locked:
            return
        try:
            interrupted, start, end, systems = self._outage_values()
        except ValueError:
            self.banner.error(tr("时间格式应为 YYYY-MM-DD HH:MM。"))
            return
        wrong = [self.problems[n] for n in ("outage_start", "outage_end") if n in self.problems]
        if wrong:
            self.banner.error(wrong[0])
            return
        try:
            self.ctx.call(
                lambda s: faults.set_outage(
                    s,
                    str(self.fault_id),
                    interrupted,
                    start=start,
                    end=end,
                    systems=systems,
                    now=self.ctx.now(),
                )
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        for key in ("interrupted", "start", "end", "systems"):
            self.saver.drop(f"outage:{key}")
        self.banner.clear_message()
        self.ctx.changed()

    def _build_report(self, body: QtWidgets.QHBoxLayout) -> None:
        """The scrolling right side: the report's texts, attachments and signatures."""
        right_widget = QtWidgets.QWidget()
        right = QtWidgets.QVBoxLayout(right_widget)
        right.setContentsMargins(0, 0, 6, 0)
        body.addWidget(scrolling(right_widget), 6)
        self.texts: dict[str, TextArea] = {}
        for name in TEXTS:
            # the section's error is on its heading line: no space is added, nothing moves
            label = QtWidgets.QLabel(field_label(name))
            if name in self.required:
                label.setText(field_label(name) + " ＊")
                label.setToolTip(tr("合同要求：关闭故障单前必须填写。"))
            row = QtWidgets.QHBoxLayout()
            row.addWidget(label)
            self.errors[name] = ErrorLine(name)
            row.addWidget(self.errors[name], 1)
            right.addLayout(row)
            area = TextArea(name, 52)
            area.textChanged.connect(lambda n=name, a=area: self.saver.set(n, a.toPlainText()))
            area.textChanged.connect(self.validate)
            area.left.connect(lambda n=name: self._commit(n))
            right.addWidget(area)
            self.texts[name] = area
        self.suggestions = Suggestions(
            self.ctx,
            lambda: f"{self.lines['title'].text()}\n{self.texts['symptom'].toPlainText()}",
            self.texts["process"],
            contract=self.contract,
            exclude=self.fault_id,
            parent=self,
        )
        self.suggestions.attach(self.lines["title"].textEdited)
        self.suggestions.attach(self.texts["symptom"].textChanged)
        right.insertWidget(2, self.suggestions)  # under 故障现象; F4 fills 处理过程
        self.photos_label = QtWidgets.QLabel(tr("六、附件（截图/照片）"))
        right.addWidget(self.photos_label)
        self.photos: EvidenceStrip | None = None
        self.photo_slot = QtWidgets.QVBoxLayout()
        right.addLayout(self.photo_slot)
        self.signatures = SignatureBlock()
        self.signatures.sign_requested.connect(self._sign)
        right.addWidget(self.signatures)

    def _build_actions(self, outer: QtWidgets.QVBoxLayout) -> None:
        """The hint on times, 保存故障单 (also Ctrl+S) and 关闭窗口."""
        actions = QtWidgets.QHBoxLayout()
        self.hint = muted(tr("「现在」记下当前时间；时间也可直接输入，格式 2026-11-20 09:30。"))
        self.hint.setWordWrap(True)
        # the message line lies over the hint, in a space of its own fixed height: a message
        # (an error of 保存, 已保存…) never moves a field under the mouse
        self.banner = MessageLine(self.hint)
        slot = QtWidgets.QGridLayout()
        slot.setContentsMargins(0, 0, 0, 0)
        slot.addWidget(self.hint, 0, 0)
        slot.addWidget(self.banner, 0, 0)
        holder = QtWidgets.QWidget()
        holder.setLayout(slot)
        holder.setFixedHeight(2 * self.fontMetrics().lineSpacing() + 16)
        holder.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed
        )
        actions.addWidget(holder, 1)
        self.save_button = QtWidgets.QPushButton(tr("保存故障单"))
        self.save_button.setObjectName("saveFault")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.close_button = QtWidgets.QPushButton(tr("关闭窗口"))
        self.close_button.setObjectName("closeFault")
        self.close_button.clicked.connect(self.close)
        actions.addWidget(self.save_button)
        actions.addWidget(self.close_button)
        outer.addLayout(actions)
        save = QtGui.QShortcut(QtGui.QKeySequence("Ctrl+S"), self)
        save.activated.connect(self.save)

    def _field(self, name: str) -> QtWidgets.QWidget:
        if name in self.choices:
            box = self.choices[name]
            box.currentIndexChanged.connect(lambda _i, n=name: self._choice_changed(n))
            return box
        edit = QtWidgets.QLineEdit()
        edit.setObjectName(name)
        edit.textEdited.connect(lambda text, n=name: self.saver.set(n, text))
        edit.editingFinished.connect(lambda n=name: self._commit(n))
        self.lines[name] = edit
        return edit

    # ------------------------------------------------------------------ show

    def _title_text(self) -> str:
        number = self.record.get("number")
        title = self.lines["title"].text()
        return (
            tr("故障单 {number} {title}").format(number=number or tr("（新）"), title=title).strip()
        )

    def _show(self, values: dict[str, Any]) -> None:
        for name, edit in self.lines.items():
            edit.setText(str(values.get(name) or ""))
        for name, area in self.texts.items():
            area.set_text(str(values.get(name) or ""))
        for name, box in self.choices.items():
            box.blockSignals(True)
            select_code(box, values.get(name) or "")
            box.blockSignals(False)
        for step, field in self.times.items():
            field.set_value(values.get(f"time:{step}"))
        self._show_outage(values)
        self._show_state()
        self.validate()

    def _show_state(self) -> None:
        number = self.record.get("number")
        self.heading.setText(
            tr("故障单 {number}").format(number=number) if number else tr("新故障单")
        )
        self.setWindowTitle(self._title_text())
        locked = self.locked
        for edit in self.lines.values():
            edit.setReadOnly(locked)
        for area in self.texts.values():
            area.setReadOnly(locked)
        for box in self.choices.values():
            box.setEnabled(not locked)
        self.suggestions.set_enabled(not locked)
        for field in self.times.values():
            field.set_read_only(locked)
        self._enable_outage()
        self.save_button.setVisible(self.is_new)
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
        if not self.is_new and self.photos is None:
            self.photos = EvidenceStrip(self.ctx, "fault_record", str(self.fault_id))
            self.photos.error.connect(self.banner.error)
            self.photo_slot.addWidget(self.photos)
        if self.photos is not None:
            self.photos.set_locked(locked)
        self.photos_label.setVisible(self.photos is not None)
        self.signatures.setVisible(not self.is_new)
        if not self.is_new:
            cells = self.ctx.call(lambda s: load_signatures(s, "fault_record", str(self.fault_id)))
            closed = self.record.get("time:closed") is not None
            self.signatures.show_signatures(cells, can_sign=closed)

    # ------------------------------------------------------------------ checks

    def _parsed(self, field: TimeField) -> datetime | None:
        """The time in ``field``; ``None`` when empty or mistyped."""
        try:
            return field.value()
        except ValueError:
            return None

    def _time_problems(self) -> dict[str, str]:
        """Field → message for each time mistyped, in the future or out of order."""
        fields = {**self.times, **{f"outage_{k}": f for k, f in self.outage_times.items()}}
        found: dict[str, str] = {}
        for name, field in fields.items():
            try:
                field.value()
            except ValueError:
                found[name] = tr("时间格式应为 YYYY-MM-DD HH:MM。")
        times = {step: self._parsed(field) for step, field in self.times.items()}
        problems = faults.timeline_problems(
            times,
            now=self.ctx.now(),
            interrupted=OUTAGE.get(str(self.outage.currentData() or "")),
            outage_start=self._parsed(self.outage_times["start"]),
            outage_end=self._parsed(self.outage_times["end"]),
        )
        for name, problem in problems.items():
            if name not in found:  # (a mistyped time is said already)
                found[name] = problem_text(name, problem)
        return found

    def missing_sections(self) -> list[str]:
        """Required report sections left empty (they matter once a 关闭时间 is given)."""
        texts = {name: area.toPlainText() for name, area in self.texts.items()}
        return faults.missing_report_sections(self.required, texts)

    def validate(self) -> dict[str, str]:
        """Check everything on screen and show each problem under its field (nothing moves)."""
        if not hasattr(self, "texts") or self.locked:
            found: dict[str, str] = {}
        else:
            found = self._time_problems()
            closing = bool(self.times["closed"].edit.text().strip())
            missing = self.missing_sections() if closing else []
            if missing:
                names = "、".join(section_name(n) for n in missing)
                found.setdefault(
                    "closed", tr("关闭前请先填写：{sections}。").format(sections=names)
                )
                for name in missing:
                    found[name] = tr("关闭故障单前必须填写此部分。")
        self.problems = found
        for name, line in getattr(self, "errors", {}).items():
            line.show_error(found.get(name, ""))
        fields = {**self.times, **{f"outage_{k}": f for k, f in self.outage_times.items()}}
        for name, field in fields.items():
            field.edit.setStyleSheet(INVALID_STYLE if name in found else "")
            field.edit.setToolTip(found.get(name, ""))
        if self._sla_key is not None and self._verdict_key() != self._sla_key:
            self.refresh_sla()  # only when a time the verdicts use has changed
        return found

    def _verdict_key(self) -> tuple[Any, ...]:
        """What the SLA verdicts depend on: the level and each usable time."""
        return (
            self.choices["level"].currentData(),
            *(None if s in self.problems else self._parsed(f) for s, f in self.times.items()),
            *(s in self.problems for s in self.times),
        )

    def _tick(self) -> None:
        """Time passes: a time that was in the future may be fine now; the clocks run."""
        self.validate()
        self.refresh_sla()

    def refresh_sla(self) -> None:
        """The SLA verdict of each step; none for a step whose time has a problem."""
        now = self.ctx.now()
        self._sla_key = self._verdict_key()
        times = {
            step: None if step in self.problems else self._parsed(field)
            for step, field in self.times.items()
        }
        reported = times["reported"]
        if reported is None:
            for label in self.verdicts.values():
                paint_verdict(label, None)
            return
        verdicts = self.ctx.call(
            lambda s: sla_preview.fault_preview(
                s,
                self.contract,
                level=str(self.choices["level"].currentData()),
                reported_at=reported,
                responded_at=times["responded"],
                onsite_at=times["onsite"],
                recovered_at=times["recovered"],
                closed_at=times["closed"],
                now=now,
            )
        )
        by_step = {clock.verdict.step: clock for clock in verdicts}
        paint_verdict(self.verdicts["reported"], None)
        for step, sla_step in SLA_STEP.items():
            shown = None if step in self.problems else by_step.get(sla_step)
            paint_verdict(self.verdicts[step], shown)

    def _refuse(self, found: dict[str, str]) -> None:
        """Say every problem left in the message line (each is also under its field)."""
        texts = list(dict.fromkeys(found.values()))
        self.banner.error(tr("请先改正标出的问题：{problems}").format(problems=" ".join(texts)))

    # ------------------------------------------------------------------ changes

    def _choice_changed(self, name: str) -> None:
        self.saver.set(name, self.choices[name].currentData())
        self._commit(name)
        if name == "level":
            self.refresh_sla()

    def _now(self, step: str) -> None:
        self.times[step].set_value(self.ctx.now(), emit=True)

    def _fill_outage_end(self, step: str) -> None:
        """Recovered while the service is down with no 中断结束: the service is back then."""
        end = self.outage_times["end"]
        if step != "recovered" or self.outage.currentData() != "yes" or end.edit.text().strip():
            return
        try:
            recovered = self.times["recovered"].value()
        except ValueError:
            return
        if recovered is not None:
            end.set_value(recovered)
            self.saver.set("outage:end", end.edit.text())

    def _time_changed(self, step: str) -> None:
        self._fill_outage_end(step)
        found = self.validate()
        if not self.is_new and step in found:
            # refused: nothing is stored, and the field stays an unsaved change
            stored = self.record.get(f"time:{step}")
            self.times[step]._saved = stored.strftime("%Y-%m-%d %H:%M") if stored else ""
            self.banner.error(found[step])
            self.refresh_sla()
            return
        if not self.is_new:
            try:
                when = self.times[step].value()
                self.ctx.call(
                    lambda s: faults.set_time(s, str(self.fault_id), step, when, now=self.ctx.now())
                )
            except StoreError as exc:
                self.banner.error(exc.message)
                self.times[step].mark_invalid()
                return
            self.saver.drop(f"time:{step}")
            if step == "recovered":
                self._commit_outage()
            self._reload()
            self.ctx.changed()
        self.banner.clear_message()
        self.refresh_sla()

    def _value(self, name: str) -> Any:
        if name in self.lines:
            return self.lines[name].text()
        if name in self.texts:
            return self.texts[name].toPlainText()
        return self.choices[name].currentData() or None

    def _commit(self, name: str) -> None:
        if self.is_new or self.locked or self.close_guard.asking:
            return  # (the close question took the focus: that is not leaving the field)
        stored = self.record.get(name) or ("" if name in (*LINES, *TEXTS) else None)
        value = self._value(name)
        if value == stored or (not value and not stored):
            return
        try:
            self.ctx.call(lambda s: faults.update_fault(s, str(self.fault_id), **{name: value}))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.banner.clear_message()
        self.saver.drop(name)
        self.record[name] = value
        self.ctx.changed()
        closed = self.times["closed"]
        if name in TEXTS and closed.edit.text() != closed._saved and not self.validate():
            self._time_changed("closed")  # the close waited for this section

    def save(self) -> None:
        """Create the new fault from what is on screen (a saved fault saves as it goes)."""
        if not self.is_new:
            return
        found = self.validate()
        if found:
            self._refuse(found)
            return
        try:
            times = {step: field.value() for step, field in self.times.items()}
            interrupted, start, end, systems = self._outage_values()
        except ValueError:
            self.banner.error(tr("时间格式应为 YYYY-MM-DD HH:MM。"))
            return
        now = self.ctx.now()

        def create(session: Session) -> str:
            fault = faults.create_fault(
                session,
                self.contract,
                title=self.lines["title"].text(),
                level=str(self.choices["level"].currentData()),
                reported_at=times["reported"] or now,
                responded_at=times["responded"],
                system_code=self._value("system_code"),
                discovery=str(self.choices["discovery"].currentData()),
                category=self.lines["category"].text(),
                emergency_type=self._value("emergency_type"),
                holiday_period_id=self.holiday_period_id,
                impact=self.lines["impact"].text(),
                symptom=self.texts["symptom"].toPlainText(),
                handler=self.lines["handler"].text(),
                coordinator=self.lines["coordinator"].text(),
                now=now,
            )
            session.flush()
            for step in ("onsite", "recovered"):
                if times[step] is not None:
                    faults.set_time(session, fault.id, step, times[step], now=now)
            if interrupted is not None:
                faults.set_outage(
                    session, fault.id, interrupted, start=start, end=end, systems=systems, now=now
                )
            rest = {n: self.texts[n].toPlainText() for n in TEXTS if n != "symptom"}
            faults.update_fault(session, fault.id, **rest)
            if times["closed"] is not None:  # the report is written before it is closed
                faults.set_time(session, fault.id, "closed", times["closed"], now=now)
            return fault.id

        try:
            fault_id = self.ctx.call(create)
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.saver.close(keep=False)
        self.fault_id = fault_id
        self.saver = DraftSaver(self.ctx, f"fault_record:{fault_id}", "fault_record", "", self)
        self._reload()
        self.saver.title = self._title_text()
        self.saver.open()
        self.banner.show_message(
            tr("已保存为故障单 {number}。").format(number=self.record["number"]), "info"
        )
        self.ctx.changed()

    def _reload(self) -> None:
        self.record = self.ctx.call(lambda s: record_views.fault_fields(s, str(self.fault_id)))
        self._show_state()
        for step, field in self.times.items():
            field.set_value(self.record[f"time:{step}"])
        self.validate()
        self.refresh_sla()

    def _sign(self, role: str) -> None:
        open_sign_dialog(
            self.ctx,
            self,
            "fault_record",
            str(self.fault_id),
            role,
            self._title_text(),
            self._reload,
        )

    def _amended(self, new_id: str) -> None:
        self.amended.emit(new_id)
        self.close()

    def _restore(self, values: dict[str, Any]) -> None:
        if self.is_new and values.get("holiday_period_id"):
            self.holiday_period_id = str(values["holiday_period_id"])
        for name, value in values.items():
            if name in self.lines:
                self.lines[name].setText(str(value))
            elif name in self.texts:
                self.texts[name].set_text(str(value))
            elif name in self.choices:
                select_code(self.choices[name], value)
            elif name.startswith("time:") and name[5:] in self.times:
                self.times[name[5:]].set_text(str(value))
            elif name == "outage:interrupted":
                self.outage.blockSignals(True)
                select_code(self.outage, str(value or ""))
                self.outage.blockSignals(False)
            elif name == "outage:systems":
                self._set_outage_systems([c for c in str(value).split(",") if c])
            elif name.startswith("outage:") and name[7:] in self.outage_times:
                self.outage_times[name[7:]].set_text(str(value))
        self._enable_outage()
        self.validate()

    # ------------------------------------------------------------------ closing

    def _snapshot(self) -> dict[str, Any]:
        """Everything on screen, as the draft fields :meth:`_restore` reads back."""
        values: dict[str, Any] = {n: e.text() for n, e in self.lines.items()}
        values |= {n: a.toPlainText() for n, a in self.texts.items()}
        values |= {n: b.currentData() for n, b in self.choices.items()}
        values |= {f"time:{s}": f.edit.text() for s, f in self.times.items()}
        values |= {f"outage:{k}": f.edit.text() for k, f in self.outage_times.items()}
        values["outage:interrupted"] = self.outage.currentData()
        values["outage:systems"] = ",".join(self._checked_systems())
        return values

    def has_changes(self) -> bool:
        """A new fault: anything differs from how it opened; a saved one: a field not stored."""
        if self.is_new:
            return self._snapshot() != self._baseline
        for name in (*LINES, *TEXTS, *CHOICES):
            stored = self.record.get(name)
            if name in CHOICES:
                if (self._value(name) or None) != (stored or None):
                    return True
            elif (self._value(name) or "") != (stored or ""):
                return True
        fields = [*self.times.values(), *self.outage_times.values()]
        return any(field.edit.text() != field._saved for field in fields)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if not self.close_guard.escape(event):
            super().keyPressEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        """Unsaved typing: 保存草稿 keeps it as drafts, 放弃 drops it (asked by the guard)."""
        answer = self.close_guard.decide(event)
        if answer is None:
            return
        self.timer.stop()
        if answer == KEEP and self.is_new:
            # a new fault comes back only from the drafts: keep all of it, prefill included
            for name, value in self._snapshot().items():
                self.saver.set(name, value)
            self.saver.set("contract", self.contract)
            if self.holiday_period_id:
                self.saver.set("holiday_period_id", self.holiday_period_id)
        self.saver.close(keep=answer == KEEP)
        self.closed.emit(self.fault_id or "")
        super().closeEvent(event)
