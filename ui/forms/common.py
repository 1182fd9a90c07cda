"""Pieces shared by the forms: times with 「现在」, SLA lines, closing with unsaved typing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.records.sla_preview import StepClock
from app.schedule import sla as sla_mod
from ui.i18n import tr
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from ui.wording import duration

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
        tr("目标 {t}").format(t=duration(verdict.target_minutes))
        if verdict.target_minutes
        else tr("无时限")
    )
    if verdict.state in (sla_mod.MET, sla_mod.BREACHED):
        return tr("{target} · {state}（用时 {used}）").format(
            target=target, state=tr(verdict.label), used=duration(verdict.actual_minutes)
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
        return tr("剩余 {t}").format(t=duration(remaining))
    return tr("超时 {t}").format(t=duration(-remaining))


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


class ErrorLine(QtWidgets.QLabel):
    """The error of the field above it: one line of red text whose space is always kept.

    Its height is fixed and its width never grows the layout, so showing or
    clearing an error moves nothing; the full text is also its tooltip.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(f"error-{name}")
        self.setStyleSheet("color:#c62828;")
        self.setFixedHeight(self.fontMetrics().height() + 2)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)

    def show_error(self, text: str) -> None:
        if text != self.text():
            self.setText(text)
            self.setToolTip(text)


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


# ---------------------------------------------------------------------- closing a form

#: What closing a form with unsaved typing does (the answer to :func:`ask_unsaved`).
KEEP, DISCARD, CANCEL = "keep", "discard", "cancel"


def ask_unsaved(
    parent: QtWidgets.QWidget, title: str, answered: Callable[[str], None]
) -> QtWidgets.QMessageBox:
    """「保存草稿」/「放弃」/「取消」 for a form closed with unsaved typing (window-modal).

    ``answered`` gets :data:`KEEP`, :data:`DISCARD` or :data:`CANCEL` (also for Esc or the
    box's own close button).
    """
    box = QtWidgets.QMessageBox(parent)
    box.setObjectName("unsavedDialog")
    box.setIcon(QtWidgets.QMessageBox.Icon.Question)
    box.setWindowTitle(tr("未保存的内容"))
    box.setText(tr("「{title}」有尚未保存的内容。").format(title=title))
    box.setInformativeText(
        tr(
            "保存草稿：内容留作草稿，再次打开此记录或下次启动时可恢复；"
            "放弃：丢弃尚未保存的内容；取消：继续填写。"
        )
    )
    keep = box.addButton(tr("保存草稿"), QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    keep.setObjectName("unsavedKeep")
    discard = box.addButton(tr("放弃"), QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
    discard.setObjectName("unsavedDiscard")
    cancel = box.addButton(tr("取消"), QtWidgets.QMessageBox.ButtonRole.RejectRole)
    cancel.setObjectName("unsavedCancel")
    box.setDefaultButton(keep)
    box.setEscapeButton(cancel)

    def done(_result: int) -> None:
        clicked = box.clickedButton()
        answered(KEEP if clicked is keep else DISCARD if clicked is discard else CANCEL)

    box.finished.connect(done)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


class CloseGuard(QtCore.QObject):
    """Decides what a form's ``closeEvent`` does with typing that is not saved yet.

    A form without changes closes at once (:data:`DISCARD`: its drafts are dropped). With
    changes the close is refused and :func:`ask_unsaved` asks; 「保存草稿」 or 「放弃」 closes
    the form again with that answer, 「取消」 leaves it open and emits ``cancelled`` (the main
    window then stops quitting). ``Esc`` on the form closes it the same way
    (:meth:`escape`).
    """

    cancelled = Signal()

    def __init__(
        self, form: QtWidgets.QWidget, has_changes: Callable[[], bool], title: Callable[[], str]
    ) -> None:
        super().__init__(form)
        self.form = form
        self.has_changes = has_changes
        self.title = title
        self.answer: str | None = None
        self.question: QtWidgets.QMessageBox | None = None
        #: Set when everything on screen was just saved (the form closes after an action).
        self.saved = False
        #: The question is up (or answered and the form closing): a field losing the focus
        #: now is not the user confirming it, so the form does not store it.
        self.asking = False

    def decide(self, event: QtGui.QCloseEvent) -> str | None:
        """:data:`KEEP` / :data:`DISCARD` if the form closes now; None: refused, asking."""
        if self.answer is not None:
            answer, self.answer = self.answer, None
            return answer
        if self.saved or not self.has_changes():
            return DISCARD
        event.ignore()
        if self.question is None:
            self.asking = True
            self.question = ask_unsaved(self.form, self.title(), self._answered)
        else:
            self.question.raise_()
            self.question.activateWindow()
        return None

    def _answered(self, answer: str) -> None:
        self.question = None
        if answer == CANCEL:
            self.asking = False
            self.cancelled.emit()
            return
        # still "asking" while the form closes: the focus its fields lose is not confirming them
        self.answer = answer
        self.form.close()

    def escape(self, event: QtGui.QKeyEvent) -> bool:
        """``Esc`` that reached the form (no field used it) closes it; True if it did."""
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.form.close()
            return True
        return False
