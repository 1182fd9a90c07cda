"""The one module through which the window imports Qt (see tests/ui/test_structure.py).

Every other module of ``ui`` writes ``from ui.qt import QtCore, QtGui, QtWidgets``,
so a change of binding, version check or workaround happens here only.

``QtNetwork`` (the second-launch channel, :mod:`ui.single_instance`) is imported
on first use, not before the window's first paint (≈ 7 ms of a start; issue 13).
The SVG icons need no Python module: Qt's image-format plugin loads them.
"""

from __future__ import annotations

from types import ModuleType

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

__all__ = ["Qt", "QtCore", "QtGui", "QtWidgets", "Signal", "Slot"]  # and QtNetwork, on use


def __getattr__(name: str) -> ModuleType:
    if name == "QtNetwork":
        from PySide6 import QtNetwork

        return QtNetwork
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
