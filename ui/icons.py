"""Icons: small SVG files of ``resources/icons`` (authored for this app, no downloads)."""

from __future__ import annotations

from functools import cache

from app.storage import paths
from ui.qt import QtGui


@cache
def icon(name: str) -> QtGui.QIcon:
    return QtGui.QIcon(str(paths.resource("icons", f"{name}.svg")))
