"""An error nobody expected: written to the data folder's error log, said in Chinese."""

from __future__ import annotations

import logging
import os
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.storage import error_log
from ui import errors
from ui.operations import Operation


@contextmanager
def installing(folder: Path) -> Iterator[None]:
    """:func:`errors.install` on ``folder``, then :func:`errors.uninstall`, which must leave
    the hooks and the log handlers as they were."""
    hooks = sys.excepthook, threading.excepthook
    handlers = list(logging.getLogger().handlers)
    errors.install(folder)
    try:
        yield
    finally:
        errors.uninstall()
        assert (sys.excepthook, threading.excepthook) == hooks
        assert logging.getLogger().handlers == handlers
        assert errors.log_path() is None


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Installed on ``tmp_path``; the message boxes shown, as 「title｜text」."""
    shown: list[str] = []

    def critical(_parent: Any, title: str, text: str) -> None:
        shown.append(f"{title}｜{text}")

    monkeypatch.setattr(QMessageBox, "critical", critical)
    with installing(tmp_path):
        yield shown


def _boom() -> None:
    raise KeyError("一个没有想到的键")


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_logged_and_said_in_chinese(
    qtbot: QtBot, tmp_path: Path, installed: list[str]
) -> None:
    QTimer.singleShot(0, _boom)
    QTimer.singleShot(0, _boom)  # e.g. the same error at the next repaint: one message
    qtbot.waitUntil(lambda: bool(installed))
    qtbot.wait(50)
    log = tmp_path / error_log.LOG_NAME
    assert installed == [
        f"意外错误｜发生了意外错误（KeyError），刚才的操作没有完成。已保存的记录不受影响。"
        f"详细信息已记录在 {log}，可发给技术支持。"
    ]
    text = log.read_text(encoding="utf-8")
    assert "unexpected error on the GUI thread" in text
    assert text.count("in _boom") == 2 and "KeyError: '一个没有想到的键'" in text  # tracebacks
    if os.name == "posix":  # as private as the store beside it
        assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_an_error_in_another_thread_is_logged_only(tmp_path: Path, installed: list[str]) -> None:
    thread = threading.Thread(target=_boom, name="后台")
    thread.start()
    thread.join()
    text = (tmp_path / error_log.LOG_NAME).read_text(encoding="utf-8")
    assert "unexpected error in thread 后台" in text and "in _boom" in text
    assert installed == []


def test_an_operation_that_fails_unexpectedly_says_so_in_chinese(
    qtbot: QtBot, tmp_path: Path, installed: list[str]
) -> None:
    """Not 「KeyError: '…'」: what happened to the user's action, and where the details are."""

    def work(_progress: Any) -> None:
        _boom()

    operation = Operation("测试", work)
    failed: list[str] = []
    operation.failed.connect(failed.append)
    operation.start()
    qtbot.waitUntil(lambda: not operation.running)
    assert failed == [errors.message("KeyError")]
    assert failed[0].startswith("发生了意外错误（KeyError），刚才的操作没有完成。")
    text = (tmp_path / error_log.LOG_NAME).read_text(encoding="utf-8")
    assert "operation 测试 failed" in text and "in _boom" in text


def test_a_full_log_is_kept_once_and_begun_anew(tmp_path: Path) -> None:
    log = tmp_path / error_log.LOG_NAME
    log.write_bytes(b"x" * (error_log.LOG_LIMIT + 1))
    with installing(tmp_path):
        assert not log.exists()  # made when first written
    assert (tmp_path / (error_log.LOG_NAME + ".1")).stat().st_size == error_log.LOG_LIMIT + 1
    assert not log.exists()
