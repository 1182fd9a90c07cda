"""A throw-away PostgreSQL cluster for the tests and the hub load test (standard library only).

``python3 dev.py test`` starts one when PostgreSQL is installed (Debian's ``postgresql``;
``.ci/run`` installs it) and hands its URL to pytest in :data:`ENV_URL`; the tests that
run on both engines make their own database in it (``tests/conftest.py``).

The cluster lives in a temporary folder and listens on a free loopback port and on a
socket in that folder (the tests connect through the socket: pytest-socket lets a
test open Unix sockets only). PostgreSQL refuses to run as root, so when root starts
it the server runs as the ``postgres`` user (``runuser``). Authentication is ``trust``
for the local socket and loopback only; nothing leaves the machine. :meth:`stop`
stops the server and removes the folder.

    python3 scripts/pg_cluster.py      # start one, print its URL, stop it on Enter
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

#: the variable carrying the cluster's URL to the tests (not ``OMW_*``: tests clear those)
ENV_URL = "PGTEST_URL"
SUPERUSER = "postgres"


def binaries() -> Path | None:
    """The folder of ``initdb``/``pg_ctl`` (the newest installed major version), if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One throw-away cluster: :meth:`start`, :attr:`url`, :meth:`stop`."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="omw-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if getattr(os, "geteuid", lambda: -1)() == 0:  # PostgreSQL will not run as root
            import pwd

            self.as_user = ["runuser", "-u", SUPERUSER, "--"]
            account = pwd.getpwnam(SUPERUSER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.root.chmod(0o755)  # the test process (root) reaches the socket in it

    @property
    def url(self) -> str:
        """The superuser's URL through the cluster's socket."""
        return f"postgresql://{SUPERUSER}@/postgres?host={self.root}&port={self.port}"

    @property
    def tcp_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_user, *command], check=True, stdout=subprocess.DEVNULL, cwd=self.root
        )

    def start(self, durable: bool = False) -> Cluster:
        """Start the server; ``durable`` keeps PostgreSQL's own flushing to disk on (a load
        test measures a server as deployed), else it is off (the tests are faster)."""
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c max_connections=200"
        )
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def start(durable: bool = False) -> Cluster | None:
    """A started cluster, or ``None`` when PostgreSQL is not installed."""
    bin_dir = binaries()
    if bin_dir is None:
        return None
    return Cluster(bin_dir).start(durable)


if __name__ == "__main__":
    cluster = start()
    if cluster is None:
        raise SystemExit("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    try:
        print(cluster.url)
        print(cluster.tcp_url)
        input("Enter stops the cluster …")
    finally:
        cluster.stop()
