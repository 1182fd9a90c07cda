"""The one module through which the window imports Qt (see tests/ui/test_structure.py).

Every other module of ``ui`` writes ``from ui.qt import QtCore, QtGui, QtWidgets``,
so a change of binding, version check or workaround happens here only.

``QtNetwork`` (the second-launch channel, :mod:`ui.single_instance`) is imported
on first use, not before the window's first paint (≈ 7 ms of a start; issue 13).
The SVG icons need no Python module: Qt's image-format plugin loads them.

``Qt``, the namespace of Qt's general enums, is handed out on first use too: the
first access to it creates all of its 93 Python enum classes (≈ 13 ms, a tenth of
an empty window's start). The modules that build the main window's frame
(:mod:`ui.main_window`, :mod:`ui.widgets`, :mod:`ui.operations`) therefore write
``QtCore.Qt.…`` inside functions, and the frame sets its few enum-typed properties
by name (:func:`set_by_name`), so the classes are created after the first paint.

PySide6 reads the source of every module imported after it, to see whether it
writes ``from __feature__ import …`` (snake_case, true_property), and
:mod:`linecache` keeps every line it read for good: ≈ 25 MiB of the window's
memory once SQLAlchemy, the models and the pages are loaded. The window selects
no such feature, so every module already imported and (by :class:`_NoFeatureScan`)
every module imported from here on is marked as ignoring them — PySide6's own
``-1``, what it gives a module whose source does not name PySide6, and for a
process that never selects a feature the same as its ``0``: nothing is read, nothing kept.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal, Slot

__all__ = ["QtCore", "QtGui", "QtWidgets", "Signal", "Slot", "set_by_name"]  # Qt, QtNetwork: on use


class _NoFeatureScan:
    """An import finder that finds nothing: it marks each module about to be imported as
    one that uses no PySide6 feature, before PySide6 would read its source to find out."""

    def __init__(self, features: dict[str, int]) -> None:
        self.features = features

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        self.features.setdefault(fullname, -1)
        return None  # the other finders import it


def _skip_feature_scan() -> None:
    feature = sys.modules.get("PySide6.support.feature")
    features = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(features, dict):
        return  # a binding without the scan
    for name in list(sys.modules):
        features.setdefault(name, -1)
    if not any(isinstance(finder, _NoFeatureScan) for finder in sys.meta_path):
        sys.meta_path.insert(0, _NoFeatureScan(features))


_skip_feature_scan()


def __getattr__(name: str) -> ModuleType | type:
    if name == "Qt":
        return QtCore.Qt
    if name == "QtNetwork":
        from PySide6 import QtNetwork

        return QtNetwork
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def set_by_name(obj: QtCore.QObject, **properties: str) -> None:
    """Set Qt properties from text, converted by Qt's property system: an enum value by
    its name, a key sequence from its text
    (``set_by_name(action, shortcut="F2", shortcutContext="ApplicationShortcut")``).

    For the main window's frame, which must not touch ``Qt`` before its first paint:
    ``QAction.setShortcut`` and the enum classes would create it. A misspelt property
    or value raises instead of being ignored.
    """
    for name, value in properties.items():
        if not obj.setProperty(name, value):
            raise ValueError(f"{type(obj).__name__}.{name} = {value!r} was not set")
