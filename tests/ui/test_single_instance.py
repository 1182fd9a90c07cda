"""A second launch on the same data folder brings the first window to the front and exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from app.storage import instance
from tests.ui.test_main_window import show_main
from ui.context import AppContext
from ui.single_instance import InstanceServer

ROOT = Path(__file__).resolve().parents[2]


def test_the_server_answers_show_and_replaces_a_stale_socket(qtbot: QtBot, ctx: AppContext) -> None:
    folder = ctx.store.folder
    name = instance.channel_name(folder)
    stale = Path(QDir.tempPath()) / name  # left by a process that was killed
    stale.write_bytes(b"")
    server = InstanceServer(folder)
    try:
        assert server.listen()
        asked: list[bool] = []
        server.show_requested.connect(lambda: asked.append(True))
        client = QLocalSocket()
        client.connectToServer(name)
        client.write(b"show\n")
        qtbot.waitUntil(lambda: bool(asked))
        qtbot.waitUntil(client.canReadLine)
        assert bytes(client.readLine().data()) == b"ok\n"
        client.abort()
    finally:
        server.close()


def test_a_second_launch_brings_the_first_window_to_the_front_and_exits(
    qtbot: QtBot, ctx: AppContext
) -> None:
    window = show_main(qtbot, ctx)
    window.showMinimized()
    server = InstanceServer(ctx.store.folder)  # as ui.main.run does while it holds the store
    server.show_requested.connect(window.bring_to_front)
    assert server.listen()
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8"
    )
    try:
        with subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from ui.main import run; sys.exit(run(sys.argv[1], '李四'))",
                str(ctx.store.folder),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        ) as second:
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=60_000)
            out, errors = second.communicate()
    finally:
        server.close()
    assert second.returncode == 0, errors
    assert "运维工作台已在运行" in out and str(ctx.store.folder) in out
    assert "已在运行" in window.statusBar().currentMessage()
    assert not window.isMinimized()
    window.close()
