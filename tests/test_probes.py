"""Probe runs fill checklists: a portal-om daily check and an internet-om holiday daily
check, each by one action, from targets this test starts on 127.0.0.1.

The built-in profiles are used as shipped, with their (example) target addresses
replaced by the local servers', so what is tested is what a user gets.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.contracts.profiles import read_profile_data, validate_profile
from app.contracts.registry import install_profile
from app.errors import DomainError, RefusedError
from app.probes import consent, links, service
from app.records import inspections
from app.schedule import holidays
from app.storage.store import Store
from db.models import AuditEntry, ProbeLink, ProbeResult
from tests.probe_servers import LOOPBACK, BannerServer, DnsServer, closed_port, site, tls_site

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts([LOOPBACK])]
PROFILES = Path(__file__).resolve().parent.parent / "resources" / "profiles"


def _profile(name: str, replace: dict[tuple[str, str], dict[str, Any]]) -> Any:
    """The built-in profile with the targets named (system, target) replaced."""
    data = read_profile_data(PROFILES / f"{name}.yaml")
    for system in data["systems"]:
        for target in system.get("targets", []):
            new = replace.get((system["code"], target["code"]))
            if new is not None:
                kept = {"code": target["code"], "name": target.get("name", "")}
                target.clear()
                target.update(kept | new)
    return validate_profile(copy.deepcopy(data))


def _probe(session: Any, run_id: str) -> service.Applied:
    plan = service.plan_run(session, run_id)
    done = service.execute(plan)
    return service.apply(session, plan, done, actor="测试工程师")


def _rows(run: Any) -> dict[tuple[str | None, str], Any]:
    return {(r.system.code if r.system else None, r.item.code): r for r in run.results}


def test_portal_daily_check_filled_by_one_action(store: Store) -> None:
    with site() as web, tls_site(days=200) as secure, BannerServer("") as tomcat:
        http = {"kind": "http", "url": web.url("/ok"), "timeout_s": 2}
        replace = {(code, "home"): http for code in ("portal", "data-exchange", "api", "fastdfs")}
        replace[("biz-support", "home")] = http | {"max_ms": 0.001}  # always slower
        replace[("filing-review", "home")] = {"kind": "http", "url": web.url("/error")}
        replace[("tomcat", "service")] = {"kind": "tcp", "host": LOOPBACK, "port": tomcat.port}
        replace[("nginx", "service")] = {
            "kind": "http",
            "url": secure.url("/ok"),
            "verify_tls": False,
        }
        down = closed_port()
        replace[("data-sharing", "service")] = {"kind": "tcp", "host": LOOPBACK, "port": down}
        profile = _profile("portal-om", replace)
        with store.session() as s:
            install_profile(s, profile)
            day = date(2026, 11, 2)
            program = service.run_for_day(s, "portal-om", "program-daily", day, inspector="张工")
            middleware = service.run_for_day(
                s, "portal-om", "middleware-daily", day, inspector="张工"
            )
            s.flush()
            program_report = _probe(s, program.id)
            middleware_report = _probe(s, middleware.id)
            rows = _rows(program)
            page = rows[("portal", "page-access")]
            assert page.status == "normal" and page.value_text.startswith("HTTP 200，")
            assert inspections.result_display(page).startswith("正常（HTTP 200，")
            speed = rows[("portal", "response-time")]
            assert speed.status == "normal" and speed.value_num is not None
            broken = rows[("filing-review", "page-access")]
            assert broken.status == "abnormal"
            assert broken.note == "自动检测：HTTP 500（应为 2xx），" + broken.note.split("，")[-1]
            assert rows[("filing-review", "response-time")].status == "abnormal"
            slow = rows[("biz-support", "page-access")]
            assert slow.status == "warning" and "超过 0.001 ms" in slow.note
            assert rows[("portal", "cpu")].status is None  # not probed: the engineer's
            assert program_report.filled == 12
            mw = _rows(middleware)
            assert mw[("tomcat", "reachable")].status == "normal"
            assert mw[("tomcat", "reachable")].value_text.startswith(f"端口 {tomcat.port} 可连接")
            assert mw[("data-sharing", "reachable")].status == "abnormal"
            assert "连接被拒绝" in mw[("data-sharing", "reachable")].note
            cert = mw[("nginx", "cert-days")]
            assert cert.value_num in (199.0, 198.0) and cert.status == "normal"
            assert any("没有 HTTPS 证书信息" in x for x in middleware_report.skipped)
            # a failure is ready for 「生成故障单」, with the measured reason as its symptom
            fault = inspections.open_fault_from_result(s, broken.id, actor="张工")
            assert "HTTP 500" in fault.symptom
            stored = s.scalars(
                select(ProbeResult).where(ProbeResult.batch_id == program_report.batch_id)
            ).all()
            assert len(stored) == 6 and {r.item_result_id for r in stored} >= {page.id}
            probe_audits = s.scalars(select(AuditEntry).where(AuditEntry.action == "probe")).all()
            assert {a.entity_id for a in probe_audits} == {program.id, middleware.id}
        # the site is back: the next run clears the probe's own note
        replace[("filing-review", "home")] = http
        with store.session() as s:
            install_profile(s, _profile("portal-om", replace))
            _probe(s, program.id)
            again = s.get(type(broken), broken.id)
            assert again.status == "normal" and again.note == ""


def test_internet_holiday_daily_check_for_every_sub_site(store: Store) -> None:
    systems = [
        "website",
        "online-declaration",
        "petition-mailbox",
        "online-consulting",
        "disclosure-request",
        "online-interview",
        "e-filing",
        "land-price",
        "publishing-platform",
    ]
    table = {f"{code}.test": ["10.1.0.1"] for code in systems}
    table["e-filing.test"] = ["6.6.6.6"]  # hijacked
    with site() as web, DnsServer(table) as dns_server:
        replace: dict[tuple[str, str], dict[str, Any]] = {}
        for code in systems:
            replace[(code, "home")] = {"kind": "http", "url": web.url("/ok"), "timeout_s": 2}
            replace[(code, "dns")] = {
                "kind": "dns",
                "domain": f"{code}.test",
                "resolver": LOOPBACK,
                "port": dns_server.port,
                "expect": ["10.1.0.1"],
                "timeout_s": 2,
            }
            replace[(code, "tamper")] = {
                "kind": "tamper",
                "url": web.url("/dynamic"),
                "exclude": ['<span id="now">.*?</span>'],
            }
        profile = _profile("internet-om", replace)
        with store.session() as s:
            contract = install_profile(s, profile)
            holidays.sync_statutory_holidays(s, contract)
            s.flush()
            first_day = holidays.list_periods(s, contract, date(2026, 10, 1), date(2026, 10, 8))[0]
            day = first_day.start_date
            run = service.run_for_day(s, "internet-om", "holiday-daily", day, inspector="李工")
            s.flush()
            report = _probe(s, run.id)  # first run: baselines recorded
            rows = _rows(run)
            access = rows[(None, "access")]
            assert access.status == "normal" and access.value_text.count("HTTP 200") == 9
            dns_row = rows[(None, "dns")]
            assert dns_row.status == "abnormal"
            assert "域名劫持：e-filing.test 解析到 6.6.6.6" in dns_row.note
            tamper = rows[(None, "tamper")]
            assert tamper.status == "normal" and tamper.value_text.count("已记录页面基线") == 9
            assert report.filled == 3
            web.page = web.page.replace("欢迎访问", "已被篡改")
            _probe(s, run.id)
            assert tamper.status == "abnormal" and tamper.note.count("疑似被篡改") == 9
            assert rows[(None, "server")].status is None
            # the change was the client's own: 「omw probe baseline」 makes it the baseline
            plan = service.plan_contract(s, "internet-om", target_code="tamper", rebaseline=True)
            service.apply(s, plan, service.execute(plan), actor="李工")
            _probe(s, run.id)
            assert tamper.status == "normal" and tamper.note == ""
            assert tamper.value_text.count("页面与基线一致") == 9


def test_probes_run_only_when_allowed_and_approved(store: Store, tmp_path: Path) -> None:
    data = read_profile_data(PROFILES / "portal-om.yaml")
    profile = validate_profile(data)
    with store.session() as s:
        install_profile(s, profile)
        found = service.addresses_of(s, "portal-om")
    assert [a.address for a in found][:1] == ["https://portal.example/"]
    folder = store.folder
    consent.ensure_allowed(folder, profile)
    assert not consent.approved(folder, "portal-om", found)
    consent.approve(folder, "portal-om", found)
    assert consent.approved(folder, "portal-om", found)
    changed = [*found, consent.Address("门户应用", "x", "tcp", "portal.example:22")]
    assert not consent.approved(folder, "portal-om", changed)  # new address: ask again
    consent.set_disabled(folder, True)
    with pytest.raises(DomainError, match="已在设置中关闭"):
        consent.ensure_allowed(folder, profile)
    consent.set_disabled(folder, False)
    data["probes"] = {"allowed": False}
    with pytest.raises(DomainError, match="禁止自动检测"):
        consent.ensure_allowed(folder, validate_profile(data))


def test_probe_results_are_append_only(store: Store) -> None:
    with site() as web:
        replace = {("portal", "home"): {"kind": "http", "url": web.url("/ok")}}
        with store.session() as s:
            install_profile(s, _profile("portal-om", replace))
            plan = service.plan_contract(s, "portal-om", system_code="portal", target_code="home")
            service.apply(s, plan, service.execute(plan), actor="测试工程师")
    with pytest.raises(RefusedError), store.session() as s:
        s.execute(text("UPDATE probe_result SET outcome = 'normal', elapsed_ms = 1"))
    with pytest.raises(RefusedError), store.session() as s:
        s.execute(text("DELETE FROM probe_result"))


def _csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["事项名称,所属部门,跳转链接"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_link_list_import_reimport_and_check(store: Store, tmp_path: Path) -> None:
    import openpyxl

    with site() as web:
        web.broken = {3}
        first = [(f"事项{n}", "规划处", web.url(f"/link/{n}")) for n in range(5)]
        with store.session() as s:
            contract = install_profile(
                s, validate_profile(read_profile_data(PROFILES / "portal-om.yaml"))
            )
            change = links.import_links(
                s, contract, links.read_links(_csv(tmp_path / "a.csv", first)), "张工"
            )
            assert len(change.added) == 5 and change.unchanged == 0
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["导出时间 2026-11-01"])
        sheet.append(["序号", "名称", "部门", "URL"])
        second = [
            *first[1:4],
            ("事项4", "规划处", web.url("/link/40")),
            ("事项9", "地籍处", web.url("/link/9")),
        ]
        for n, row in enumerate(second, 1):
            sheet.append([n, *row])
        book.save(tmp_path / "b.xlsx")
        rows = links.read_links(tmp_path / "b.xlsx")
        with store.session() as s:
            contract = s.merge(contract)
            dry = links.import_links(s, contract, rows, "张工", apply=False)
            assert s.scalar(select(ProbeLink.url).where(ProbeLink.seq == 1)) == first[0][2]
            change = links.import_links(s, contract, rows, "张工")
        assert [r.name for r in change.removed] == ["事项0"]
        assert [r.name for r in change.added] == ["事项9"]
        assert [(a.url, b.url) for a, b in change.changed] == [(first[4][2], second[3][2])]
        assert change.unchanged == 3 and dry.text() == change.text()
        bad = tmp_path / "bad.csv"
        _csv(bad, [("事项1", "规划处", web.url("/link/1")), ("事项2", "规划处", "ftp://x/")])
        with pytest.raises(DomainError, match="第 3 行"):
            links.read_links(bad)
        with store.session() as s:
            assert len(s.scalars(select(ProbeLink)).all()) == 5  # unchanged by the bad file
            plan = service.plan_contract(s, "portal-om", only_links=True)
            report = service.apply(s, plan, service.execute(plan), actor="张工")
            assert (report.links_checked, report.links_broken) == (5, 1)
            row = s.scalar(select(ProbeResult).where(ProbeResult.kind == "links"))
            assert row.details["broken"][0]["url"] == web.url("/link/3")
