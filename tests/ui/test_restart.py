"""「立即重启」 after a language change: the window closes as a user would, then restarts."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from ui import main as ui_main
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.pages.settings import SettingsPage


def _answer(button_text: str) -> None:
    """Click ``button_text`` in the question box as soon as it shows."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            timer.stop()
            next(b for b in box.buttons() if b.text() == button_text).click()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(poll)
    timer.start()
    _answer.timer = timer  # type: ignore[attr-defined]  # kept alive until the box is answered


def _switch_language(window: MainWindow, ctx: AppContext) -> SettingsPage:
    window.show_page("settings")
    page = window.pages["settings"]
    assert isinstance(page, SettingsPage)
    other = 1 if page.language.currentIndex() == 0 else 0
    page.language.setCurrentIndex(other)
    return page


@pytest.mark.parametrize(("answer", "restarts"), [("立即重启", True), ("稍后", False)])
def test_a_language_change_offers_to_restart_now(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, answer: str, restarts: bool
) -> None:
    before = ctx.settings.language
    _answer(answer)
    _switch_language(window, ctx)
    assert ctx.settings.language != before  # saved whatever the answer
    assert ctx.restart_requested is restarts
    assert window.isVisible() is not restarts


def test_a_form_that_keeps_the_window_open_cancels_the_restart(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MainWindow, "close", lambda self: False)  # 「取消」 in a form's question
    _answer("立即重启")
    _switch_language(window, ctx)
    assert ctx.restart_requested is False


def test_the_restart_command_repeats_how_the_app_was_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "orig_argv", ["/usr/bin/python3", "-m", "app", "--data-dir", "/d"])
    monkeypatch.setattr(sys, "executable", "/usr/bin/python3")
    assert ui_main.restart_command() == ["/usr/bin/python3", "-m", "app", "--data-dir", "/d"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/omw/omw")
    monkeypatch.setattr(sys, "argv", ["/opt/omw/omw", "--data-dir", "/d"])
    assert ui_main.restart_command() == ["/opt/omw/omw", "--data-dir", "/d"]
