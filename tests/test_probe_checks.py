"""Each probe against servers this test starts on 127.0.0.1 (never any other address)."""

from __future__ import annotations

import errno
import socket
import threading
import time
from datetime import datetime

import httpx
import pytest

from app.contracts.profile_schema import TargetDef
from app.probes import checks, engine
from tests.probe_servers import (
    LOOPBACK,
    BannerServer,
    DnsServer,
    closed_port,
    site,
    tls_site,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts([LOOPBACK])]


def _http(url: str, **extra: object) -> checks.Measurement:
    target = TargetDef(code="t", kind="http", url=url, timeout_s=2, **extra)
    with checks.http_client(2, verify=target.verify_tls) as client:
        return checks.check_http(client, target)


def test_http_answering_redirecting_failing_and_timing_out() -> None:
    with site() as s:
        ok = _http(s.url("/ok"), contains="欢迎访问")
        assert ok.outcome == checks.NORMAL and ok.status_code == 200
        assert ok.summary.startswith("HTTP 200，") and ok.elapsed_ms is not None
        moved = _http(s.url("/redirect"))
        assert moved.outcome == checks.NORMAL and "经 1 次跳转" in moved.summary
        kept = _http(s.url("/redirect"), expect_status=302)
        assert kept.outcome == checks.NORMAL and kept.status_code == 302
        error = _http(s.url("/error"))
        assert error.outcome == checks.ABNORMAL and error.summary.startswith("HTTP 500（应为 2xx）")
        missing = _http(s.url("/ok"), contains="不存在的文字")
        assert missing.outcome == checks.ABNORMAL and "没有“不存在的文字”" in missing.summary
        s.slow_s = 0.25
        slow = _http(s.url("/slow"), max_ms=50)
        assert slow.outcome == checks.WARNING and "超过 50 ms" in slow.summary
        s.slow_s = 3
        target = TargetDef(code="t", kind="http", url=s.url("/slow"), timeout_s=0.3)
        with checks.http_client(1) as client:
            late = checks.check_http(client, target)
        assert late.outcome == checks.ABNORMAL and late.summary == "连接或响应超时"
    refused = _http(f"http://{LOOPBACK}:{closed_port()}/")
    # the system's own words ("[Errno 111] Connection refused") are said in Chinese
    assert refused.outcome == checks.ABNORMAL and refused.summary == "连接被拒绝（端口未开放）"


def test_self_signed_and_expiring_certificates(tmp_path) -> None:
    with tls_site(days=3) as s:
        strict = _http(s.url("/ok"))
        assert strict.outcome == checks.ABNORMAL and strict.summary.startswith("证书校验失败")
        lenient = _http(s.url("/ok"), verify_tls=False)
        assert lenient.outcome == checks.WARNING
        assert lenient.cert_expiry is not None
        assert 2 <= (lenient.cert_expiry - datetime.now()).days <= 3
        assert "天后到期" in lenient.summary
    with tls_site(days=200) as s:
        fine = _http(s.url("/ok"), verify_tls=False)
        assert fine.outcome == checks.NORMAL and "证书至" in fine.summary
        assert fine.cert_days is not None and 198 < fine.cert_days <= 200


def test_tamper_against_a_baseline_with_an_excluded_region() -> None:
    with site() as s:
        target = TargetDef(
            code="t", kind="tamper", url=s.url("/dynamic"), exclude=['<span id="now">.*?</span>']
        )
        with checks.http_client(1) as client:
            first = checks.check_tamper(client, target, None)
            assert first.details == {"baseline": True} and first.content_hash
            same = checks.check_tamper(client, target, first.content_hash)
            assert same.outcome == checks.NORMAL  # the clock region changed, the page did not
            s.page = s.page.replace("欢迎访问", "本站已被黑")
            changed = checks.check_tamper(client, target, first.content_hash)
        assert changed.outcome == checks.ABNORMAL and "疑似被篡改" in changed.summary
        unexcluded = TargetDef(code="t", kind="tamper", url=s.url("/dynamic"))
        with checks.http_client(1) as client:
            a = checks.check_tamper(client, unexcluded, None).content_hash
            assert checks.check_tamper(client, unexcluded, a).outcome == checks.ABNORMAL


def test_dns_expected_hijacked_and_missing() -> None:
    table = {
        "www.portal.test": ["10.0.0.10"],
        "bad.portal.test": ["6.6.6.6"],
        "refused.portal.test": None,
    }
    with DnsServer(table) as dns_server:

        def ask(name: str, expect: list[str]) -> checks.Measurement:
            target = TargetDef(
                code="d",
                kind="dns",
                domain=name,
                resolver=LOOPBACK,
                port=dns_server.port,
                expect=expect,
                timeout_s=2,
            )
            return checks.check_dns(target)

        good = ask("www.portal.test", ["10.0.0.10"])
        assert good.outcome == checks.NORMAL and good.addresses == ["10.0.0.10"]
        hijacked = ask("bad.portal.test", ["10.0.0.10"])
        assert hijacked.outcome == checks.ABNORMAL
        assert hijacked.summary.startswith("域名劫持：bad.portal.test 解析到 6.6.6.6")
        gone = ask("none.portal.test", ["10.0.0.10"])
        assert gone.outcome == checks.ABNORMAL and "NXDOMAIN" in gone.summary
        refused = ask("refused.portal.test", ["10.0.0.10"])
        assert refused.outcome == checks.ABNORMAL
        assert refused.summary == f"DNS 服务器 {LOOPBACK} 拒绝或未能解析 refused.portal.test"


def test_tcp_banners_and_ping_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    with BannerServer("220 mail.portal.test ESMTP ready\r\n") as smtp:
        opened = checks.check_tcp(TargetDef(code="p", kind="tcp", host=LOOPBACK, port=smtp.port))
        assert opened.outcome == checks.NORMAL and opened.summary.startswith(
            f"端口 {smtp.port} 可连接"
        )
        target = TargetDef(code="m", kind="smtp", host=LOOPBACK, port=smtp.port, banner="ESMTP")
        greeted = checks.check_banner(target)
        assert greeted.outcome == checks.NORMAL and "ESMTP ready" in greeted.summary
        monkeypatch.setattr(checks.shutil, "which", lambda _name: None)
        pinged = checks.check_ping(TargetDef(code="i", kind="ping", host=LOOPBACK, port=smtp.port))
        assert pinged.outcome == checks.NORMAL
        assert pinged.summary.startswith(
            f"本机没有 ping 命令，改用 TCP 连接 {LOOPBACK}:{smtp.port}"
        )
    with BannerServer("220 FTP server ready\r\n") as ftp:
        target = TargetDef(code="f", kind="ftp", host=LOOPBACK, port=ftp.port, banner="vsFTPd")
        wrong = checks.check_banner(target)
        assert wrong.outcome == checks.ABNORMAL and "没有“vsFTPd”" in wrong.summary
    port = closed_port()
    closed = checks.check_tcp(TargetDef(code="p", kind="tcp", host=LOOPBACK, port=port))
    assert closed.outcome == checks.ABNORMAL and "连接被拒绝" in closed.summary


@pytest.mark.slow
def test_a_thousand_links_with_known_broken_ones() -> None:
    with site() as s:
        s.broken = set(range(7, 1000, 37))  # 27 links answer 404
        s.hang = {500, 900}  # two never answer: timed out
        jobs = [
            engine.Job(
                f"link:{n}",
                f"事项 {n}",
                TargetDef(code="link", kind="http", url=s.url(f"/link/{n}"), timeout_s=1),
                link=True,
            )
            for n in range(1000)
        ]
        seen: list[int] = []
        done = engine.run_jobs(jobs, concurrency=32, progress=lambda d, _t, _x: seen.append(d))
    broken = {int(k.split(":")[1]) for k, d in done.items() if d.measurement.outcome != "normal"}
    assert broken == s.broken | s.hang
    assert done["link:7"].measurement.summary == "HTTP 404"
    assert done["link:500"].measurement.summary == "连接或响应超时"
    assert len(done) == 1000 and seen[-1] == 1000


def test_stop_drops_what_has_not_run() -> None:
    with site() as s:
        s.slow_s = 0.3
        jobs = [
            engine.Job(f"k{n}", "慢", TargetDef(code="t", kind="http", url=s.url("/slow")))
            for n in range(50)
        ]
        calls: list[int] = []

        def stop() -> bool:
            calls.append(1)
            return len(calls) > 2

        with pytest.raises(engine.ProbeStopped):
            engine.run_jobs(jobs, concurrency=2, stop=stop)
        started = time.monotonic()
        # the two checks under way finish, then their connections are closed
        while any(t.name.startswith("probe") for t in threading.enumerate()):
            assert time.monotonic() - started < 5
            time.sleep(0.05)
        assert s.hits <= 4  # of 50 checks only those under way when stopped reached the server


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
            "连接被拒绝（端口未开放）",
        ),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "无法连接（主机不可达）"),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "网络不可达"),
        (TimeoutError("timed out"), "连接超时"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "域名不存在"),
        (socket.gaierror(socket.EAI_AGAIN, "Temporary failure"), "DNS 暂时没有应答"),
        # an error not listed keeps the system's words, inside a Chinese sentence
        (OSError(errno.EPROTO, "Protocol error"), "无法连接（Protocol error）"),
    ],
)
def test_connection_errors_are_said_in_chinese(error: OSError, said: str) -> None:
    assert said in checks._os_reason(error)
    # as an HTTP client raises it: wrapped, the system's error as its cause
    wrapped = httpx.ConnectError(str(error))
    wrapped.__cause__ = error
    assert said in checks._network_reason(wrapped)
    assert "Errno" not in checks._network_reason(wrapped)
