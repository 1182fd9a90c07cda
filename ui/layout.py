"""Window sizes and a page's plain text blocks (a heading, a muted note).

Light on purpose: the main window's frame uses them before its first paint, so
this module imports no widget subclass and nothing that touches ``Qt`` (see
:mod:`ui.qt`); the widgets of :mod:`ui.widgets` subclass Qt classes, whose set-up
costs a few milliseconds at import.
"""

from __future__ import annotations

from ui.qt import QtCore, QtGui, QtWidgets


def heading(text: str, size: float = 1.35) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * size)
    font.setBold(True)
    label.setFont(font)
    return label


def muted(text: str = "") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setStyleSheet("color:#666;")
    label.setWordWrap(True)
    return label


#: Room kept for the window manager's title bar and borders (logical pixels) while a window's
#: own frame is not known yet (before it is first shown).
FRAME_ALLOWANCE = QtCore.QSize(16, 40)


def available_size(widget: QtWidgets.QWidget) -> QtCore.QRect:
    """The available geometry (without task bars) of the screen the widget is on, in logical px."""
    screen = widget.screen() or QtGui.QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_window(widget: QtWidgets.QWidget, width: int, height: int, *, place: bool = True) -> None:
    """Give a top-level window its preferred size, but never more than the screen has room for.

    At 150 % on a 1366×768 screen the available area is about 910×512 logical pixels (less a
    task bar): the window gets at most that, less :data:`FRAME_ALLOWANCE` for its frame. Long
    content scrolls inside the window (its layouts use scroll areas), so the window's minimum
    size stays below that too. ``place`` also moves the window fully onto the screen (dialogs
    leave that to Qt, which centres them over their parent and keeps them on the screen).
    """
    area = available_size(widget)
    room_w = area.width() - FRAME_ALLOWANCE.width()
    room_h = area.height() - FRAME_ALLOWANCE.height()
    widget.resize(min(width, room_w), min(height, room_h))
    if place:
        x = area.x() + max(0, (area.width() - widget.width() - FRAME_ALLOWANCE.width()) // 2)
        y = area.y() + max(0, (area.height() - widget.height() - FRAME_ALLOWANCE.height()) // 2)
        widget.move(x, y)
