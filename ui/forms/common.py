"""Pieces shared by the fault and service request forms: times with 「现在」, SLA lines."""

from __future__ import annotations

from datetime import datetime

from app.records.sla_preview import StepClock
from app.schedule import sla as sla_mod
from ui.i18n import tr
from ui.qt import QtGui, QtWidgets, Signal

TIME_FORMAT = "%Y-%m-%d %H:%M"
VERDICT_COLOURS = {
    sla_mod.MET: "#2e7d32",
    sla_mod.BREACHED: "#c62828",
    sla_mod.PENDING: "#1565c0",
    sla_mod.OVERDUE: "#c62828",
    sla_mod.NOT_APPLICABLE: "#757575",
}


def parse_time(text: str) -> datetime | None:
    """``2026-11-20 09:30`` (seconds optional) → datetime; empty → None; else ValueError."""
    text = text.strip()
    if not text:
        return None
    for pattern in (TIME_FORMAT, "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(text)


def verdict_text(clock: StepClock) -> str:
    """``目标 15分钟 · 达标（用时 12分钟）`` / ``目标 4小时 · 剩余 3小时10分钟（截止 …）``."""
    verdict = clock.verdict
    target = (
        tr("目标 {t}").format(t=verdict.target_text) if verdict.target_minutes else tr("无时限")
    )
    if verdict.state in (sla_mod.MET, sla_mod.BREACHED):
        return tr("{target} · {state}（用时 {used}）").format(
            target=target, state=tr(verdict.label), used=verdict.actual_text
        )
    if verdict.state in (sla_mod.PENDING, sla_mod.OVERDUE):
        due = f"{verdict.due_at:%m-%d %H:%M}" if verdict.due_at else ""
        return tr("{target} · {countdown}（截止 {due}）").format(
            target=target, countdown=countdown(clock.remaining), due=due
        )
    return target if verdict.target_minutes else tr("不适用")


def countdown(remaining: float | None) -> str:
    if remaining is None:
        return ""
    if remaining >= 0:
        return tr("剩余 {t}").format(t=sla_mod.format_minutes(remaining))
    return tr("超时 {t}").format(t=sla_mod.format_minutes(-remaining))


def paint_verdict(label: QtWidgets.QLabel, clock: StepClock | None) -> None:
    if clock is None:
        label.setText("—")
        label.setStyleSheet("color:#757575;")
        return
    state = clock.verdict.state
    label.setText(verdict_text(clock))
    bold = "font-weight:bold;" if state in (sla_mod.BREACHED, sla_mod.OVERDUE) else ""
    label.setStyleSheet(f"color:{VERDICT_COLOURS[state]};{bold}")


class TimeField(QtWidgets.QWidget):
    """A time typed as ``YYYY-MM-DD HH:MM`` or set with 「现在」; ``changed`` once valid."""

    changed = Signal()
    edited = Signal(str)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QtWidgets.QLineEdit()
        self.edit.setObjectName(f"{name}-edit")
        self.edit.setPlaceholderText("YYYY-MM-DD HH:MM")
        self.edit.setFixedWidth(150)
        self.now_button = QtWidgets.QPushButton(tr("现在"))
        self.now_button.setObjectName(f"{name}-now")
        self.now_button.setFixedWidth(56)
        layout.addWidget(self.edit)
        layout.addWidget(self.now_button)
        self._saved = ""
        self.edit.textEdited.connect(self.edited.emit)
        self.edit.editingFinished.connect(self._finished)

    def value(self) -> datetime | None:
        return parse_time(self.edit.text())

    def set_value(self, value: datetime | None, *, emit: bool = False) -> None:
        text = value.strftime(TIME_FORMAT) if value is not None else ""
        self.edit.setText(text)
        self._saved = text
        self.edit.setStyleSheet("")
        if emit:
            self.edited.emit(text)
            self.changed.emit()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def mark_invalid(self) -> None:
        self.edit.setStyleSheet("QLineEdit{border:1px solid #c62828;}")

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.now_button.setEnabled(not read_only)

    def _finished(self) -> None:
        if self.edit.text() == self._saved:
            return
        try:
            self.value()
        except ValueError:
            self.mark_invalid()
            return
        self._saved = self.edit.text()
        self.edit.setStyleSheet("")
        self.changed.emit()


class TextArea(QtWidgets.QPlainTextEdit):
    """Multi-line text where Tab moves on; ``left`` when focus leaves it."""

    left = Signal()

    def __init__(self, name: str, height: int = 56) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setTabChangesFocus(True)
        self.setFixedHeight(height)

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.left.emit()

    def set_text(self, text: str) -> None:
        self.blockSignals(True)
        self.setPlainText(text)
        self.blockSignals(False)


def combo(items: list[tuple[str, str]], name: str) -> QtWidgets.QComboBox:
    """A choice of (code, label) pairs; the code is the item data, the label translated."""
    box = QtWidgets.QComboBox()
    box.setObjectName(name)
    for code, label in items:
        box.addItem(tr(label), code)
    return box


def select_code(box: QtWidgets.QComboBox, code: str | None) -> None:
    index = box.findData(code if code is not None else "")
    box.setCurrentIndex(max(index, 0))
