"""``omw probe``: addresses shown and confirmed first, the switch, a checklist filled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.contracts.profiles import read_profile_data, validate_profile
from app.contracts.registry import install_profile
from app.storage.store import Store
from tests.probe_servers import LOOPBACK, DnsServer, site

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts([LOOPBACK])]
PROFILES = Path(__file__).resolve().parent.parent / "resources" / "profiles"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _local_portal(url: str, port: int, dns_port: int) -> Any:
    """portal-om with every target on the loopback interface (the test's servers)."""
    data = read_profile_data(PROFILES / "portal-om.yaml")
    for system in data["systems"]:
        for target in system.get("targets", []):
            if "url" in target:
                target["url"] = url
            if "host" in target:
                target["host"] = LOOPBACK
                target["port"] = port
            if "resolver" in target:
                target["resolver"] = LOOPBACK
                target["port"] = dns_port
    return validate_profile(data)


def test_probe_commands(capsys: pytest.CaptureFixture[str], isolated_dirs: Path) -> None:
    folder = str(isolated_dirs)
    assert run(capsys, "--data-dir", folder, "init")[0] == 0
    code, out, _ = run(capsys, "--data-dir", folder, "probe", "targets", "--contract", "portal-om")
    assert code == 0 and "https://portal.example/" in out and "尚未确认" in out
    # not confirmed and no terminal to ask: refused, nothing contacted, nothing stored
    code, out, err = run(capsys, "--data-dir", folder, "probe", "run", "--contract", "portal-om")
    assert code == 2 and "https://portal.example/" in out and "--yes" in err
    table = {"www.portal.example": ["192.0.2.10"]}  # the profile's expected address
    with site() as web, DnsServer(table) as dns_server:
        store = Store.open(folder)
        try:
            with store.session() as s:
                install_profile(s, _local_portal(web.url("/ok"), web.port, dns_server.port))
        finally:
            store.close()
        assert run(capsys, "--data-dir", folder, "probe", "disable")[0] == 0
        args = ["--data-dir", folder, "--as", "张工", "probe", "run", "--contract", "portal-om"]
        daily = [*args, "--checklist", "program-daily", "--date", "2026-11-02", "--yes"]
        code, _out, err = run(capsys, *daily)
        assert code == 2 and "已在设置中关闭" in err
        assert run(capsys, "--data-dir", folder, "probe", "enable")[0] == 0
        code, out, err = run(capsys, *daily, "--json")
        assert code == 0, err
        report = json.loads(out[out.index("{") :])
        assert report["filled"] == 12 and report["abnormal"] == []
        assert {t["outcome"] for t in report["targets"]} == {"normal"}
        assert all(t["status_code"] == 200 for t in report["targets"])
        # confirmed once: the next run asks nothing
        code, out, err = run(capsys, *args, "--system", "portal")
        assert code == 0, err and "将访问以下地址" not in out
        assert "门户应用 / 首页" in out
    code, out, _ = run(capsys, "--data-dir", folder, "probe", "targets", "--contract", "portal-om")
    assert "已确认" in out and "尚未确认" not in out
