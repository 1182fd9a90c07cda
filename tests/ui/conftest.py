"""Fixtures of the window tests: a store with a contract, an identity, a fixed clock.

Every test gets a fresh temporary data folder (see ``tests/conftest.py``); the
window runs on the offscreen platform with the session-wide QApplication of
pytest-qt. Keys are sent to whatever widget has the focus, as a user's are.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.contracts.profile_schema import Profile
from app.contracts.profiles import install_builtin_profiles
from app.schedule.holidays import sync_all_holidays
from app.storage.store import Store
from tests.factories import install, portal_profile
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.settings import Settings

#: The window's clock in tests: a Friday in both built-in contracts' periods.
NOW = datetime(2026, 11, 20, 10, 0)
ENGINEER = "张工"


def make_ctx(store: Store, contract: str, profile: Profile | None = None) -> AppContext:
    with store.session() as s:
        if profile is not None:
            install(s, profile)
        else:
            install_builtin_profiles(s)
        sync_all_holidays(s)
    settings = Settings.load(store.folder)
    settings.name, settings.role, settings.contract = ENGINEER, "运维工程师", contract
    settings.save()
    store.actor = ENGINEER
    return AppContext(store, settings, clock=lambda: NOW)


#: How long ``qtbot.wait*`` waits when a test gives no timeout. Waits end as soon as their
#: condition holds, so this only matters for a test that fails; pytest-qt's 5 s made a
#: window that takes a little longer on a loaded 2-core machine a failure.
WAIT_MS = 30_000


@pytest.fixture(scope="session", autouse=True)
def patient_waits() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ("waitUntil", "waitExposed", "waitActive", "waitSignal", "waitSignals"):
            original = getattr(QtBot, name)

            def patient(
                self: QtBot, *args: object, _original: Any = original, **kwargs: Any
            ) -> Any:
                kwargs.setdefault("timeout", WAIT_MS)
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(QtBot, name, patient)
        yield


@pytest.fixture
def ctx(store: Store) -> AppContext:
    """The test portal contract (7×24) of ``tests/factories.py``."""
    return make_ctx(store, "test-portal", portal_profile())


@pytest.fixture
def builtin_ctx(store: Store) -> AppContext:
    """The built-in internet-om contract (5×8, nine systems)."""
    return make_ctx(store, "internet-om")


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()


class Keyboard:
    """Presses keys on the focused widget, as a user does, and counts them."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.count = 0

    @staticmethod
    def focused() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        QTest.keyClick(self.focused(), key, modifiers)
        self.count += 1

    def type(self, text: str) -> None:
        """One key per character (Chinese text counts as typed characters, IME aside)."""
        for char in text:
            widget = self.focused()
            if char.isascii():
                QTest.keyClick(widget, char)
            else:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(
                        widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char)
                    )
            self.count += 1

    def enter(self) -> None:
        self.press(Qt.Key.Key_Return)


@pytest.fixture
def keyboard(qtbot: QtBot) -> Keyboard:
    return Keyboard(qtbot)


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Give a window the focus again (the offscreen platform does not after a dialog)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


W = TypeVar("W", bound=QWidget)


def wait_window(qtbot: QtBot, kind: type[W]) -> W:
    """Wait until a window of ``kind`` is shown and active, and return it."""
    qtbot.waitUntil(lambda: top_level(kind) is not None)
    found = top_level(kind)
    assert isinstance(found, kind)
    activate(qtbot, found)
    return found


def top_level(kind: type[QWidget], name: str | None = None) -> QWidget | None:
    """The visible top-level window (or dialog) of a type, if any."""
    for widget in QApplication.topLevelWidgets():
        visible = isinstance(widget, kind) and widget.isVisible()
        if visible and (name is None or widget.objectName() == name):
            return widget
    return None


def answer_unsaved(qtbot: QtBot, button: str) -> None:
    """Answer the 保存草稿/放弃/取消 question of a form closed with unsaved typing.

    ``button`` is ``"unsavedKeep"``, ``"unsavedDiscard"`` or ``"unsavedCancel"``.
    """
    from PySide6.QtWidgets import QMessageBox

    qtbot.waitUntil(lambda: top_level(QMessageBox, "unsavedDialog") is not None)
    box = top_level(QMessageBox, "unsavedDialog")
    assert box is not None
    target = box.findChild(QWidget, button)
    assert target is not None
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: top_level(QMessageBox, "unsavedDialog") is None)


@pytest.fixture(autouse=True)
def no_window_left_visible() -> Iterator[None]:
    """Hide what a test left on screen (a window whose form still asks about unsaved typing).

    The main window's Ctrl+F, F2 and Ctrl+Q are the whole application's shortcuts: with a
    second visible main window they would be ambiguous and do nothing in the next test.
    """
    yield
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.hide()
            widget.deleteLater()
