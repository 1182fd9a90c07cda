"""How the window is put together: one Qt import module, complete translations, English."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator
from pytestqt.qtbot import QtBot

from app.storage import paths
from tests.source_tree import nodes
from ui import i18n
from ui.context import AppContext
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
QT_MODULES = {"PySide6", "PyQt5", "PyQt6", "shiboken6"}
TS = paths.resource("translations", "omw_en.ts")


def ui_modules() -> list[Path]:
    return sorted((ROOT / "ui").rglob("*.py"))


def test_qt_is_imported_through_ui_qt_only() -> None:
    offenders = []
    for path in ui_modules():
        for node in nodes(path):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in QT_MODULES for n in names):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(offenders)) == ["ui/qt.py"]


def translatable_texts() -> set[str]:
    """Literal first arguments of ``tr(…)`` and ``QT_TR_NOOP(…)`` in ``ui/``."""
    found: set[str] = set()
    for path in ui_modules():
        for node in nodes(path):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in ("tr", "QT_TR_NOOP") and isinstance(first, ast.Constant):
                found.add(str(first.value))
    return found


def catalog() -> dict[str, str | None]:
    messages: dict[str, str | None] = {}
    for message in ET.parse(TS).iter("message"):
        translation = message.find("translation")
        assert translation is not None
        finished = translation.get("type") not in ("unfinished", "obsolete", "vanished")
        messages[message.findtext("source") or ""] = translation.text if finished else None
    return messages


def test_every_text_of_the_window_is_translated_in_the_committed_catalog() -> None:
    messages = catalog()
    texts = translatable_texts()
    assert len(texts) > 250
    assert sorted(texts - set(messages)) == [], "run scripts/translations.py"
    assert sorted(set(messages) - texts) == [], "run scripts/translations.py"
    assert sorted(t for t, english in messages.items() if not english) == []


def test_the_catalog_gives_translators_no_developer_comments() -> None:
    """lupdate takes the ``#:`` comments documenting ``ui/`` for notes to the translator."""
    notes = [n.text for n in ET.parse(TS).iter("extracomment")]
    assert notes == [], "run scripts/translations.py"


def test_the_built_catalog_matches_its_source() -> None:
    translator = QTranslator()
    assert translator.load(i18n.catalog_path("en"))
    stale = [
        source
        for source, english in catalog().items()
        if translator.translate("", source) != english
    ]
    assert stale == [], "the .qm is older than the .ts: run scripts/translations.py"


def test_the_window_speaks_english_when_asked(qtbot: QtBot, ctx: AppContext) -> None:
    app = QCoreApplication.instance()
    assert app is not None
    installed = i18n.install(app, "en")
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        labels = [window.nav.item(n).text() for n in range(window.nav.count())]
        assert labels == [
            f"Today ({window.reminders.count.total})",  # the badge: due today and overdue
            "Inspections",
            "Faults",
            "Holiday duty",
            "Service requests",
            "Meeting minutes",
            "Deliverables",
            "Review",
            "Team",
            "Knowledge base",
            "Settings",
        ]
        assert i18n.tr("已签字") == "Signed"  # labels of the core are translated too
        assert i18n.tr("张工") == "张工"  # and names are left alone
        window.close()
    finally:
        for translator in installed:
            app.removeTranslator(translator)
        i18n.install(app, "zh_CN")
