"""A confirmation that does not stop the user: the status bar and a label in the corner.

Used after a call is logged (the 服务单号 must be at hand when the caller asks for
it) while the engineer already types the next thing: nothing takes the focus,
nothing has to be clicked away, and it hides by itself.
"""

from __future__ import annotations

from ui.qt import Qt, QtCore, QtWidgets

#: How long a confirmation stays.
SHOWN_MS = 10_000
MARGIN = 12


class Toast(QtWidgets.QLabel):
    """The corner label of a window (one per window, reused)."""

    def __init__(self, window: QtWidgets.QWidget) -> None:
        super().__init__(window)
        self.setObjectName("toast")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setStyleSheet(
            "QLabel#toast{background:#1b5e20;color:white;padding:10px 14px;"
            "border-radius:6px;font-weight:bold;}"
        )
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.hide)
        self.hide()

    def show_text(self, text: str, ms: int = SHOWN_MS) -> None:
        window = self.parentWidget()
        assert window is not None
        self.setText(text)
        self.setMaximumWidth(max(200, window.width() // 2))
        self.adjustSize()
        bottom = window.height() - MARGIN
        if isinstance(window, QtWidgets.QMainWindow):
            bottom -= window.statusBar().height()
        self.move(window.width() - self.width() - MARGIN, bottom - self.height())
        self.show()
        self.raise_()
        self.timer.start(ms)


def confirm(window: QtWidgets.QWidget | None, text: str, ms: int = SHOWN_MS) -> Toast | None:
    """Show ``text`` in ``window``'s status bar (a main window) and corner; the toast."""
    if window is None:
        return None
    if isinstance(window, QtWidgets.QMainWindow):
        window.statusBar().showMessage(text, ms)
    toast = window.findChild(Toast, "toast", Qt.FindChildOption.FindDirectChildrenOnly)
    if not isinstance(toast, Toast):
        toast = Toast(window)
    toast.show_text(text, ms)
    return toast
