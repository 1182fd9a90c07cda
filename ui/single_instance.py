"""One window per data folder: a second launch brings the first window to the front.

The window that holds a data folder's store lock (:mod:`app.storage.instance`) listens
on a :class:`QLocalServer` named :func:`app.storage.instance.channel_name` of the
folder. A second launch on the same folder finds the lock taken, connects,
sends ``show`` and exits; the first raises and activates its window (or the
dialog it is showing) and answers ``ok``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from app.storage import instance
from ui.qt import QtCore, QtNetwork, Signal

SHOW = b"show"
OK = b"ok"
#: How long a second launch tries to reach the first (which may be starting up).
CONNECT_TRIES = 5
CONNECT_MS = 300
ANSWER_MS = 2000


class InstanceServer(QtCore.QObject):
    """Listens for later launches on the same data folder; ``show_requested`` when one asks."""

    show_requested = Signal()

    def __init__(self, folder: str | Path, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.name = instance.channel_name(folder)
        self.server = QtNetwork.QLocalServer(self)
        self.server.setSocketOptions(QtNetwork.QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Start listening. Call it only while holding the folder's store lock: a socket left
        behind by a process that died is then certainly stale, and is removed."""
        if self.server.listen(self.name):
            return True
        QtNetwork.QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)

    def _read(self, socket: QtNetwork.QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data()).strip()
        if line == SHOW:
            socket.write(OK + b"\n")
            socket.flush()
            self.show_requested.emit()
        socket.disconnectFromServer()


def notify_running(folder: str | Path, sleep: Callable[[float], None] = time.sleep) -> bool:
    """Ask the window already open on ``folder`` to come to the front; whether it answered."""
    name = instance.channel_name(folder)
    socket = QtNetwork.QLocalSocket()
    try:
        for attempt in range(CONNECT_TRIES):
            socket.connectToServer(name)
            if socket.waitForConnected(CONNECT_MS):
                break
            socket.abort()
            if attempt + 1 < CONNECT_TRIES:
                sleep(0.2)
        else:
            return False
        socket.write(SHOW + b"\n")
        if not socket.waitForBytesWritten(ANSWER_MS):
            return False
        answered = False
        deadline = time.monotonic() + ANSWER_MS / 1000
        while not answered and time.monotonic() < deadline:
            if socket.canReadLine():
                answered = bytes(socket.readLine().data()).strip() == OK
                break
            if not socket.waitForReadyRead(ANSWER_MS):
                break
        return answered
    finally:
        socket.abort()
