"""The one module through which the window imports Qt (see tests/ui/test_structure.py).

Every other module of ``ui`` writes ``from ui.qt import QtCore, QtGui, QtWidgets``,
so a change of binding, version check or workaround happens here only.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtNetwork, QtSvg, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

__all__ = ["Qt", "QtCore", "QtGui", "QtNetwork", "QtSvg", "QtWidgets", "Signal", "Slot"]
