"""Servers on 127.0.0.1 that probes are tested against (and ``bench/probes.py`` times).

Nothing here listens on any other address. ``Site`` answers HTTP: a normal page,
a redirect, 500, a slow page, a page whose content the test changes (tamper), a
page with a dynamic region, and ``/link/<n>`` pages of which a chosen set is
broken (404), slow or never answered. ``tls_site`` serves the same over HTTPS with
a self-signed certificate that expires in a chosen number of days. ``DnsServer``
answers A queries from a table (so a test can hijack a name), and ``BannerServer``
greets like FTP/SMTP.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

LOOPBACK = "127.0.0.1"


class Site:
    """A threaded HTTP server with routes a test can change while it runs."""

    def __init__(self) -> None:
        self.page = "<html><body><h1>欢迎访问门户网站</h1></body></html>"
        self.broken: set[int] = set()
        self.slow: dict[int, float] = {}
        self.hang: set[int] = set()
        self.slow_s = 1.0
        self.hits = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def _send(self, code: int, body: str, headers: dict[str, str] | None = None) -> None:
                data = body.encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                site.hits += 1
                path = self.path
                if path == "/ok":
                    self._send(200, site.page)
                elif path == "/redirect":
                    self._send(302, "", {"Location": "/ok"})
                elif path == "/error":
                    self._send(500, "服务器内部错误")
                elif path == "/slow":
                    time.sleep(site.slow_s)
                    self._send(200, site.page)
                elif path == "/dynamic":
                    now = dt.datetime.now().strftime("%H:%M:%S.%f")
                    self._send(200, f'{site.page}<span id="now">{now}</span>')
                elif path.startswith("/link/"):
                    number = int(path.rsplit("/", 1)[1])
                    if number in site.hang:
                        time.sleep(30)
                        return
                    time.sleep(site.slow.get(number, 0))
                    self._send(404 if number in site.broken else 200, "link")
                else:
                    self._send(404, "not found")

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # as many waiting connections as a link check opens

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client hanging up early (a link check not reading the body) is normal

        self.server = Server((LOOPBACK, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.scheme = "http"

    def url(self, path: str) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}{path}"

    def start(self) -> Site:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def site() -> Iterator[Site]:
    server = Site().start()
    try:
        yield server
    finally:
        server.stop()


def self_signed(folder: Path, days: float) -> tuple[Path, Path]:
    """A key and a self-signed certificate for 127.0.0.1 valid for ``days`` more days."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@contextmanager
def tls_site(days: float) -> Iterator[Site]:
    """:class:`Site` over HTTPS with a self-signed certificate expiring in ``days``."""
    server = Site()
    with tempfile.TemporaryDirectory() as folder:
        key, cert = self_signed(Path(folder), days)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    server.scheme = "https"
    server.start()
    try:
        yield server
    finally:
        server.stop()


class _LoopbackServer:
    """A socket on a free loopback port served by a thread between ``with`` and its end."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.bind((LOOPBACK, 0))
        self.sock.settimeout(0.2)  # how soon the thread sees the stop
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


class DnsServer(_LoopbackServer):
    """Answers A queries over UDP from :attr:`table` (name → addresses; ``None``: the
    query is refused); else NXDOMAIN."""

    def __init__(self, table: dict[str, list[str] | None]) -> None:
        self.table = table
        super().__init__(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))

    def _serve(self) -> None:
        import dns.message
        import dns.rcode
        import dns.rdatatype
        import dns.rrset

        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".")
            if name in self.table and self.table[name] is None:
                response.set_rcode(dns.rcode.REFUSED)
            elif name in self.table and question.rdtype == dns.rdatatype.A:
                response.answer.append(
                    dns.rrset.from_text_list(question.name, 60, "IN", "A", self.table[name])
                )
            elif name not in self.table:
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(response.to_wire(), peer)


class BannerServer(_LoopbackServer):
    """Greets every connection with ``banner`` (an FTP or SMTP greeting) and waits."""

    def __init__(self, banner: str) -> None:
        self.banner = banner.encode()
        super().__init__(socket.socket())
        self.sock.listen(8)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.sendall(self.banner)
                conn.settimeout(1)
                with contextlib.suppress(OSError):
                    conn.recv(1024)  # until the client hangs up


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])
