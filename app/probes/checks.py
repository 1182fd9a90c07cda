"""One check of one target, measured: what came back, how fast, and why it failed.

Each check returns a :class:`Measurement` and never raises for what the network
does (a refused connection is a measurement, 异常 with the reason); only a
programming error escapes. HTTP goes through ``httpx`` and DNS through
``dnspython`` (a given resolver); FTP/SMTP read the greeting with the standard
library and close without sending anything; ping runs the platform's ``ping``
and, where it cannot, connects over TCP and says so.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from app.contracts.profile_schema import TargetDef

if TYPE_CHECKING:  # httpx is imported when a check runs, not with the window
    import httpx

NORMAL: Final = "normal"
WARNING: Final = "warning"
ABNORMAL: Final = "abnormal"
#: A page is read up to this size for ``contains`` and tamper hashes.
BODY_LIMIT = 5 * 1024 * 1024
#: A certificate with fewer days left than this turns an HTTP check 警告.
CERT_WARN_DAYS = 14
USER_AGENT = "OMWorkbench-probe"


@dataclass(frozen=True)
class Measurement:
    outcome: str  # normal | warning | abnormal
    summary: str  # what the form shows, e.g. "HTTP 200，85 ms，证书至 2027-03-01"
    error: str = ""
    status_code: int | None = None
    elapsed_ms: float | None = None
    addresses: list[str] | None = None
    cert_expiry: datetime | None = None
    content_hash: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def cert_days(self) -> float | None:
        if self.cert_expiry is None:
            return None
        return (self.cert_expiry - datetime.now()).total_seconds() / 86400


def failed(reason: str, **kwargs: Any) -> Measurement:
    return Measurement(ABNORMAL, reason, error=reason, **kwargs)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


# --------------------------------------------------------------------------- http


def http_client(concurrency: int, verify: bool = True) -> httpx.Client:
    """One client per run: bounded connections, HTTP/1.1, no proxies or cookies from the OS."""
    import httpx

    return httpx.Client(
        verify=verify,
        trust_env=False,
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        headers={"User-Agent": USER_AGENT},
        max_redirects=5,
    )


def _peer_expiry(response: httpx.Response) -> datetime | None:
    """The server certificate's notAfter, read while the connection is still open."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(True)  # the C object takes no keywords
    if not der:
        return None
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    return cert.not_valid_after_utc.astimezone().replace(tzinfo=None)


def _network_reason(exc: Exception) -> str:
    import httpx

    text = str(exc) or type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in text:
        detail = text.split("certificate verify failed:")[-1].strip(" ()")
        return f"证书校验失败（{detail[:120]}）"
    if isinstance(exc, httpx.TimeoutException):
        return "连接或响应超时"
    if isinstance(exc, httpx.TooManyRedirects):
        return "跳转次数过多"
    if isinstance(exc, httpx.ConnectError):
        cause = _os_error_in(exc)
        return _os_reason(cause) if cause is not None else f"无法连接（{text[:120]}）"
    return f"请求失败（{text[:120]}）"


def _os_error_in(exc: BaseException) -> OSError | None:
    """The operating system's error an HTTP client's error was raised from, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def fetch(
    client: httpx.Client, url: str, timeout: float, *, follow: bool = True, body: bool = True
) -> tuple[httpx.Response, bytes, float, datetime | None]:
    """GET ``url``: the response, up to :data:`BODY_LIMIT` bytes of it, ms, cert expiry."""
    started = time.perf_counter()
    with client.stream("GET", url, timeout=timeout, follow_redirects=follow) as response:
        expiry = _peer_expiry(response)
        chunks: list[bytes] = []
        size = 0
        if body:
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= BODY_LIMIT:
                    break
        return response, b"".join(chunks)[:BODY_LIMIT], _ms(started), expiry


def _cert_note(expiry: datetime | None) -> tuple[str, str | None]:
    """(``，证书至 …`` for the summary, a warning reason or ``None``)."""
    if expiry is None:
        return "", None
    days = (expiry - datetime.now()).total_seconds() / 86400
    if days < 0:
        return f"，证书已于 {expiry:%Y-%m-%d} 过期", f"证书已于 {expiry:%Y-%m-%d} 过期"
    note = f"，证书至 {expiry:%Y-%m-%d}"
    if days < CERT_WARN_DAYS:
        return note, f"证书 {int(days)} 天后到期（{expiry:%Y-%m-%d}）"
    return note, None


def check_http(client: httpx.Client, target: TargetDef) -> Measurement:
    import httpx

    expected = target.expect_status
    follow = expected is None or not 300 <= expected < 400
    assert target.url is not None
    try:
        response, data, elapsed, expiry = fetch(client, target.url, target.timeout_s, follow=follow)
    except httpx.HTTPError as exc:
        return failed(_network_reason(exc))
    code = response.status_code
    hops = len(response.history)
    via = f"（经 {hops} 次跳转至 {response.url}）" if hops else ""
    cert, cert_problem = _cert_note(expiry)
    summary = f"HTTP {code}{via}，{elapsed:g} ms{cert}"
    base: dict[str, Any] = {
        "status_code": code,
        "elapsed_ms": elapsed,
        "cert_expiry": expiry,
        "details": {"final_url": str(response.url), "redirects": hops},
    }
    ok_status = code == expected if expected is not None else 200 <= code < 300
    if not ok_status:
        want = f"应为 {expected}" if expected is not None else "应为 2xx"
        return failed(f"HTTP {code}（{want}），{elapsed:g} ms", **base)
    if target.contains and target.contains not in response_text(response, data):
        return failed(f"HTTP {code}，页面中没有“{target.contains}”，{elapsed:g} ms", **base)
    if cert_problem and expiry is not None and expiry < datetime.now():
        return failed(f"HTTP {code}，{cert_problem}", **base)
    if cert_problem:
        return Measurement(WARNING, f"{summary}；{cert_problem}", error=cert_problem, **base)
    if target.max_ms is not None and elapsed > target.max_ms:
        reason = f"响应 {elapsed:g} ms，超过 {target.max_ms:g} ms"
        return Measurement(WARNING, f"{summary}；{reason}", error=reason, **base)
    return Measurement(NORMAL, summary, **base)


def check_link(client: httpx.Client, url: str, timeout: float) -> Measurement:
    """A link works when it answers below 400 (after redirects); the body is not read."""
    import httpx

    try:
        response, _data, elapsed, _expiry = fetch(client, url, timeout, body=False)
    except httpx.HTTPError as exc:
        return failed(_network_reason(exc))
    code = response.status_code
    base = {"status_code": code, "elapsed_ms": elapsed}
    if code >= 400:
        return failed(f"HTTP {code}", **base)
    return Measurement(NORMAL, f"HTTP {code}，{elapsed:g} ms", **base)


def response_text(response: httpx.Response, data: bytes) -> str:
    encoding = response.charset_encoding or "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- tamper


def page_digest(text: str, exclude: list[str]) -> str:
    """SHA-256 of a page with the dynamic regions removed and white space collapsed."""
    for pattern in exclude:
        text = re.sub(pattern, "", text, flags=re.S)
    normal = " ".join(text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def check_tamper(client: httpx.Client, target: TargetDef, baseline: str | None) -> Measurement:
    """Compare the page's digest with ``baseline``; without one, the digest becomes it."""
    import httpx

    assert target.url is not None
    try:
        response, data, elapsed, _expiry = fetch(client, target.url, target.timeout_s)
    except httpx.HTTPError as exc:
        return failed(_network_reason(exc))
    if response.status_code >= 400:
        return failed(
            f"HTTP {response.status_code}，无法取得页面", status_code=response.status_code
        )
    try:
        digest = page_digest(response_text(response, data), target.exclude)
    except re.error as exc:
        return failed(f"排除规则无效（{exc}）")
    base = {"status_code": response.status_code, "elapsed_ms": elapsed, "content_hash": digest}
    if baseline is None:
        return Measurement(
            NORMAL,
            f"首次检测，已记录页面基线 {digest[:12]}",
            details={"baseline": True},
            **base,
        )
    if digest != baseline:
        return failed(
            f"页面内容与基线不符（{digest[:12]} ≠ 基线 {baseline[:12]}），疑似被篡改",
            details={"baseline_hash": baseline},
            **base,
        )
    return Measurement(
        NORMAL, f"页面与基线一致（{digest[:12]}）", details={"baseline_hash": baseline}, **base
    )


# --------------------------------------------------------------------------- tcp, banners, ping


def tcp_connect(host: str, port: int, timeout: float) -> float:
    """Milliseconds to open (and close) a TCP connection; raises ``OSError``."""
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=timeout):
        return _ms(started)


#: why a connection failed, by the system's error number, in words an engineer reports
_CONNECT_REASONS: Final = {
    errno.ECONNREFUSED: "连接被拒绝（端口未开放）",
    errno.ETIMEDOUT: "连接超时",
    errno.EHOSTUNREACH: "无法连接（主机不可达）",
    errno.ENETUNREACH: "无法连接（网络不可达，请检查网线、无线或 VPN）",
    errno.ECONNRESET: "连接被对方重置",
    errno.ECONNABORTED: "连接被中止",
    errno.EADDRNOTAVAIL: "无法连接（地址不可用）",
}
#: why a host name did not resolve, by the resolver's error number
_RESOLVE_REASONS: Final = {
    socket.EAI_NONAME: "无法解析主机名（域名不存在，或 DNS 服务器不可用）",
    socket.EAI_AGAIN: "无法解析主机名（DNS 暂时没有应答）",
    socket.EAI_FAIL: "无法解析主机名（DNS 服务器出错）",
}


def _os_reason(exc: OSError) -> str:
    """A failed connection in Chinese; the system's own words only for an unlisted error."""
    if isinstance(exc, socket.gaierror):
        return _RESOLVE_REASONS.get(exc.errno or 0) or f"无法解析主机名（{exc.strerror or exc}）"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "连接超时"
    return _CONNECT_REASONS.get(exc.errno or 0) or f"无法连接（{exc.strerror or exc}）"


def check_tcp(target: TargetDef) -> Measurement:
    assert target.host is not None and target.port is not None
    try:
        elapsed = tcp_connect(target.host, target.port, target.timeout_s)
    except OSError as exc:
        return failed(f"{target.host}:{target.port} {_os_reason(exc)}")
    summary = f"端口 {target.port} 可连接，{elapsed:g} ms"
    if target.max_ms is not None and elapsed > target.max_ms:
        reason = f"连接 {elapsed:g} ms，超过 {target.max_ms:g} ms"
        return Measurement(WARNING, f"{summary}；{reason}", error=reason, elapsed_ms=elapsed)
    return Measurement(NORMAL, summary, elapsed_ms=elapsed)


def check_banner(target: TargetDef) -> Measurement:
    """Read the FTP/SMTP greeting and hang up (no login, no command sent)."""
    import ftplib
    import smtplib

    assert target.host is not None
    port = target.port or (21 if target.kind == "ftp" else 25)
    started = time.perf_counter()
    try:
        if target.kind == "ftp":
            ftp = ftplib.FTP(timeout=target.timeout_s)
            try:
                banner = ftp.connect(target.host, port)
            finally:
                ftp.close()
        else:
            smtp = smtplib.SMTP(timeout=target.timeout_s)
            try:
                code, message = smtp.connect(target.host, port)
                banner = f"{code} {message.decode('utf-8', errors='replace')}"
            finally:
                smtp.close()
    except (OSError, ftplib.Error, smtplib.SMTPException) as exc:
        reason = _os_reason(exc) if isinstance(exc, OSError) else f"应答异常（{exc}）"
        return failed(f"{target.kind.upper()} {target.host}:{port} {reason}")
    elapsed = _ms(started)
    banner = " ".join(banner.split())[:200]
    base = {"elapsed_ms": elapsed, "details": {"banner": banner}}
    if target.banner and target.banner not in banner:
        return failed(f"应答“{banner[:80]}”中没有“{target.banner}”", **base)
    if target.kind == "smtp" and not banner.startswith("220"):
        return failed(f"SMTP 应答 “{banner[:80]}”（应为 220）", **base)
    return Measurement(
        NORMAL, f"{target.kind.upper()} 应答 “{banner[:60]}”，{elapsed:g} ms", **base
    )


_PING_TIME = re.compile(r"(?:time|时间)[=<]\s*([\d.]+)\s*ms", re.I)


def ping_command(host: str, timeout: float) -> list[str] | None:
    """The platform's one-echo ping command, or ``None`` where there is no ``ping``."""
    program = shutil.which("ping")
    if program is None:
        return None
    if sys.platform == "win32":
        return [program, "-n", "1", "-w", str(int(timeout * 1000)), host]
    return [program, "-c", "1", "-W", str(max(1, int(timeout))), host]


def check_ping(target: TargetDef) -> Measurement:
    assert target.host is not None
    command = ping_command(target.host, target.timeout_s)
    why = "本机没有 ping 命令"
    if command is not None:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=target.timeout_s + 2, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            why = f"ping 无法运行（{exc}）"
        else:
            match = _PING_TIME.search(done.stdout)
            if done.returncode == 0 and match:
                elapsed = float(match.group(1))
                return Measurement(NORMAL, f"PING 连通，{elapsed:g} ms", elapsed_ms=elapsed)
            if done.returncode == 1 or done.returncode == 0:
                return failed(f"PING {target.host} 无应答")
            why = f"ping 无法运行（{(done.stderr or done.stdout).strip()[:80]}）"
    port = target.port or 80
    fallback = f"{why}，改用 TCP 连接 {target.host}:{port}"
    try:
        elapsed = tcp_connect(target.host, port, target.timeout_s)
    except OSError as exc:
        return failed(f"{fallback}：{_os_reason(exc)}", details={"fallback": "tcp"})
    return Measurement(
        NORMAL,
        f"{fallback}：可连接，{elapsed:g} ms",
        elapsed_ms=elapsed,
        details={"fallback": "tcp"},
    )


# --------------------------------------------------------------------------- dns


def check_dns(target: TargetDef) -> Measurement:
    """Ask the target's resolver; an address outside ``expect`` is 域名劫持."""
    import dns.exception
    import dns.resolver

    assert target.domain is not None and target.resolver is not None
    try:
        ipaddress.ip_address(target.resolver.strip("[]"))
    except ValueError:
        return failed(f"DNS 服务器 “{target.resolver}” 不是 IP 地址")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [target.resolver.strip("[]")]
    resolver.port = target.port or 53
    resolver.lifetime = target.timeout_s
    resolver.timeout = target.timeout_s
    started = time.perf_counter()
    try:
        answer = resolver.resolve(target.domain, "A", search=False)
    except dns.resolver.NXDOMAIN:
        return failed(f"{target.domain} 不存在（NXDOMAIN）")
    except dns.resolver.NoAnswer:
        return failed(f"{target.domain} 没有 A 记录")
    except dns.exception.Timeout:
        return failed(f"DNS 服务器 {target.resolver} 无应答（超时）")
    except dns.resolver.NoNameservers:  # it answered SERVFAIL, REFUSED …
        return failed(f"DNS 服务器 {target.resolver} 拒绝或未能解析 {target.domain}")
    except OSError as exc:
        return failed(f"DNS 服务器 {target.resolver}：{_os_reason(exc)}")
    except dns.exception.DNSException as exc:
        return failed(f"解析失败（{exc}）")
    elapsed = _ms(started)
    found = sorted({rr.address for rr in answer})
    base = {"elapsed_ms": elapsed, "addresses": found}
    unexpected = [a for a in found if a not in target.expect]
    if unexpected:
        return failed(
            f"域名劫持：{target.domain} 解析到 {'、'.join(unexpected)}"
            f"（应为 {'、'.join(target.expect)}）",
            **base,
        )
    summary = f"{target.domain} → {'、'.join(found)}，{elapsed:g} ms"
    if target.max_ms is not None and elapsed > target.max_ms:
        reason = f"解析 {elapsed:g} ms，超过 {target.max_ms:g} ms"
        return Measurement(WARNING, f"{summary}；{reason}", error=reason, **base)
    return Measurement(NORMAL, summary, **base)
