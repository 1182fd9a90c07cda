"""Translations: Chinese is the source language; English comes from a Qt .qm file.

Every user-visible string of the window goes through :func:`tr` (one flat
translation context, so ``pyside6-lupdate`` finds the calls and the same text
is translated once). ``scripts/translations.py`` updates the ``.ts`` source and
builds the ``.qm`` next to it in ``resources/translations``; both are committed
so source and frozen runs find them through :func:`app.storage.paths.resource`.
"""

from __future__ import annotations

from app.storage import paths
from ui.qt import QtCore

LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
CATALOG = "omw_{language}.qm"


def tr(text: str) -> str:
    return QtCore.QCoreApplication.translate("", text)


def catalog_path(language: str) -> str:
    return str(paths.resource("translations", CATALOG.format(language=language)))


def install(app: QtCore.QCoreApplication, language: str) -> list[QtCore.QTranslator]:
    """Install Qt's own translation and the app's catalog for ``language``.

    Returns the installed translators (kept alive by the caller).
    """
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    qt_dir = QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)
    files = [str(QtCore.QDir(qt_dir).filePath(f"qtbase_{language}.qm"))]
    if language != DEFAULT_LANGUAGE:
        files.append(catalog_path(language))
    installed: list[QtCore.QTranslator] = []
    for file in files:
        translator = QtCore.QTranslator(app)
        if translator.load(file):
            app.installTranslator(translator)
            installed.append(translator)
    QtCore.QLocale.setDefault(QtCore.QLocale(language))
    return installed
