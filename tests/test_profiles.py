"""Built-in contract profiles, the profile loader and its Chinese error messages."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from app.contracts import profiles as profiles_module
from app.contracts import versions
from app.contracts.profile_schema import Profile
from app.contracts.profiles import (
    MAX_PROFILE_BYTES,
    ProfileError,
    builtin_profile_paths,
    install_builtin_profiles,
    install_profile_file,
    load_builtin_profiles,
    load_profile,
    read_profile_data,
)
from app.contracts.registry import profile_of
from app.errors import DomainError
from app.storage.store import Store
from db.models import ChecklistItem, ChecklistTemplate, Contract, System

FORM_KINDS = {
    "inspection_record",
    "daily_inspection_log",
    "monthly_inspection",
    "quarterly_summary",
    "annual_summary",
    "holiday_check",
    "service_record",
    "fault_report",
    "phone_log",
    "monthly_report",
    "satisfaction_survey",
    "meeting_minutes",
    "deployment_list",
    "summary_report",
    "emergency_plan",
    "holiday_plan",
    "work_manual",
    "knowledge_base",
}

NINE_SYSTEMS = [
    "网站",
    "网上申报系统",
    "信访信箱系统",
    "网上咨询系统",
    "依申请公开系统",
    "在线访谈系统",
    "网上电子报盘系统",
    "北京市地价监测信息采集与管理信息系统",
    "综合发布平台",
]

HOLIDAY_DAILY_TITLES = [
    "访问可用",
    "域名解析/劫持",
    "网页篡改检测",
    "服务器状态",
    "备份",
    "事件及处置",
]


@pytest.fixture(scope="module")
def builtins() -> dict[str, Profile]:
    return {p.code: p for p in load_builtin_profiles()}


def _titles(profile: Profile, checklist_code: str) -> list[str]:
    checklist = next(c for c in profile.checklists if c.code == checklist_code)
    return [i.title for g in checklist.groups for i in g.items]


def _items(profile: Profile) -> list[Any]:
    return [i for c in profile.checklists for g in c.groups for i in g.items]


# --------------------------------------------------------------------------- built-ins


def test_both_builtins_load(builtins: dict[str, Profile]) -> None:
    assert [p.name for p in builtin_profile_paths()] == ["internet-om.yaml", "portal-om.yaml"]
    assert set(builtins) == {"portal-om", "internet-om"}


def test_portal_om_facts(builtins: dict[str, Profile]) -> None:
    portal = builtins["portal-om"]
    assert portal.service_window == "7x24"
    assert portal.sla.response_minutes == 15
    assert (portal.period.start, portal.period.end) == (date(2026, 3, 1), date(2027, 2, 28))
    roles = {r.name: r.count for r in portal.roles}
    assert roles == {"项目经理": 1, "技术经理": 1, "开发工程师": 3, "运维工程师": 2}
    names = [s.name for s in portal.systems]
    for app_name in ["门户应用", "数据交换应用", "API接口应用", "备案预审应用", "fastDFS文件服务"]:
        assert app_name in names
    assert {"tomcat", "nginx", "数据共享平台", "数据库", "业务支撑应用"} <= set(names)
    assert portal.holidays.statutory == ["劳动节", "国庆节", "春节"]
    for event in portal.holidays.events:
        assert portal.period.start <= event.start <= event.end <= portal.period.end


def test_internet_om_facts(builtins: dict[str, Profile]) -> None:
    internet = builtins["internet-om"]
    assert internet.service_window == "5x8"
    assert (internet.service_hours.start, internet.service_hours.end) == ("09:00", "17:00")
    assert internet.sla.onsite_minutes == 240
    assert internet.sla.remote_minutes is not None
    assert (internet.period.start, internet.period.end) == (date(2026, 1, 20), date(2026, 12, 20))
    assert [s.name for s in internet.systems] == NINE_SYSTEMS
    assert sum(r.count for r in internet.roles) >= 5
    assert len(internet.holidays.statutory) == 7
    for event in internet.holidays.events:
        assert internet.period.start <= event.start <= event.end <= internet.period.end


def test_fault_levels_share_codes(builtins: dict[str, Profile]) -> None:
    for profile in builtins.values():
        levels = [(f.code, f.name) for f in profile.sla.fault_levels]
        assert levels == [
            ("normal", "一般"),
            ("major", "严重"),
            ("severe", "重大"),
            ("critical", "特别重大"),
        ]
        minutes = [f.recovery_minutes or 0 for f in profile.sla.fault_levels]
        assert minutes == sorted(minutes, reverse=True)


def test_portal_om_covers_every_inspection_kind(builtins: dict[str, Profile]) -> None:
    categories = {c.category for c in builtins["portal-om"].checklists}
    assert {
        "程序巡检",
        "数据巡检",
        "接口巡检",
        "中间件巡检",
        "数据库巡检",
        "数据交换任务巡检",
        "第三方调用巡检",
        "环保局事项实时推送巡检",
        "事项跳转超链接巡检",
        "数据备份",
        "数据恢复演练",
        "节假日保障",
    } <= categories
    portal = builtins["portal-om"]
    third_party = " ".join(_titles(portal, "third-party-daily"))
    for name in ("单点登录", "事项精准对接", "材料复用", "EDOC"):
        assert name in third_party
    middleware = next(c for c in portal.checklists if c.category == "中间件巡检")
    assert middleware.systems == ["tomcat", "nginx", "data-sharing"]


def test_portal_om_daily_program_check_is_grouped_over_applications(
    builtins: dict[str, Profile],
) -> None:
    portal = builtins["portal-om"]
    program = next(c for c in portal.checklists if c.category == "程序巡检")
    assert program.cadence == "daily"
    assert program.systems_mode == "grouped"
    apps = [s.code for s in portal.systems if s.category == "应用"]
    assert program.systems == apps and len(apps) == 6


def test_portal_om_push_check_is_a_pair(builtins: dict[str, Profile]) -> None:
    push = next(
        c for c in builtins["portal-om"].checklists if c.category == "环保局事项实时推送巡检"
    )
    pairs = [i for g in push.groups for i in g.items if i.kind == "pair"]
    assert len(pairs) == 1
    assert pairs[0].pair is not None
    assert pairs[0].pair.labels == ["申报量", "已发送的申报量"]
    assert pairs[0].pair.tolerance == 0


def test_internet_om_covers_every_inspection_kind(builtins: dict[str, Profile]) -> None:
    internet = builtins["internet-om"]
    by_cadence: dict[str, set[str]] = {}
    for checklist in internet.checklists:
        by_cadence.setdefault(checklist.cadence, set()).add(checklist.category)
    assert {"日常巡检", "监测"} <= by_cadence["daily"]
    assert {"月巡检", "备份策略核查"} <= by_cadence["monthly"]
    assert "安全检查" in {c.category for c in internet.checklists}
    assert by_cadence["quarterly"] == {"季度巡检"}
    assert by_cadence["half_year"] == {"全面巡检"}
    assert by_cadence["annual"] == {"全面巡检"}


def test_internet_om_nine_system_daily_check(builtins: dict[str, Profile]) -> None:
    internet = builtins["internet-om"]
    daily = next(c for c in internet.checklists if c.category == "日常巡检")
    assert daily.cadence == "daily"
    assert daily.systems_mode == "grouped"
    assert daily.systems is None  # every system of the contract: all nine
    assert _titles(internet, daily.code) == [
        "服务器状态",
        "服务器应用程序日志",
        "服务器磁盘空间",
        "服务器定时任务",
        "数据附件",
        "数据备份",
    ]


def test_internet_om_monthly_record_items(builtins: dict[str, Profile]) -> None:
    internet = builtins["internet-om"]
    monthly = next(c for c in internet.checklists if c.category == "月巡检")
    titles = _titles(internet, monthly.code)
    assert titles[:7] == [
        "服务器状态检查",
        "服务器账号检查",
        "服务器端口检查",
        "数据库备份还原",
        "服务器主机漏洞修复",
        "网站应用和数据完整异地备份",
        "网站站点日志完整异地备份",
    ]


def test_internet_om_backup_monitoring_and_security_items(builtins: dict[str, Profile]) -> None:
    internet = builtins["internet-om"]
    backup = " ".join(_titles(internet, "backup-policy-monthly"))
    for word in ("每日全量", "保留期", "程序", "站点文件", "配置文件", "异地容灾盘"):
        assert word in backup
    monitoring = " ".join(_titles(internet, "monitoring-daily"))
    for word in ("HTTP(s)", "PING", "DNS", "FTP", "SMTP", "死链", "响应时间"):
        assert word in monitoring
    security = " ".join(_titles(internet, "security-weekly"))
    for word in ("病毒库", "漏洞扫描", "开放端口"):
        assert word in security


@pytest.mark.parametrize("code", ["portal-om", "internet-om"])
def test_holiday_checklists(builtins: dict[str, Profile], code: str) -> None:
    profile = builtins[code]
    cadences = {c.cadence: c for c in profile.checklists}
    assert {"holiday_pre", "holiday_daily", "holiday_post"} <= set(cadences)
    daily_titles = _titles(profile, cadences["holiday_daily"].code)
    assert daily_titles[:6] == HOLIDAY_DAILY_TITLES
    pre = " ".join(_titles(profile, cadences["holiday_pre"].code))
    assert "健康检查" in pre and "容量评估" in pre and "应急预案" in pre
    post = " ".join(_titles(profile, cadences["holiday_post"].code))
    assert "评估" in post and "修订" in post


def test_item_kinds_and_thresholds(builtins: dict[str, Profile]) -> None:
    portal_kinds = {i.kind for i in _items(builtins["portal-om"])}
    assert portal_kinds == {"status", "number", "pair", "url", "text", "photo"}
    internet_kinds = {i.kind for i in _items(builtins["internet-om"])}
    assert {"status", "number", "url", "text", "photo"} <= internet_kinds
    disks = [
        i
        for p in builtins.values()
        for i in _items(p)
        if i.title in ("磁盘使用率", "服务器磁盘空间")
    ]
    assert disks
    for disk in disks:
        assert disk.threshold is not None
        assert (disk.threshold.unit, disk.threshold.warn, disk.threshold.alarm) == ("%", 85, 95)


def test_all_cadences_are_used(builtins: dict[str, Profile]) -> None:
    used = {c.cadence for p in builtins.values() for c in p.checklists}
    assert used == {
        "daily",
        "weekly",
        "monthly",
        "quarterly",
        "half_year",
        "annual",
        "holiday_pre",
        "holiday_daily",
        "holiday_post",
    }


def test_deliverables(builtins: dict[str, Profile]) -> None:
    for profile in builtins.values():
        assert {d.form for d in profile.deliverables} <= FORM_KINDS
        for deliverable in profile.deliverables:
            if deliverable.due.on is not None:
                assert profile.period.start <= deliverable.due.on <= profile.period.end

    portal = {d.name: d for d in builtins["portal-om"].deliverables}
    assert {"运维总结报告", "运维月报", "运维工单", "巡检记录单", "部署清单"} <= set(portal)
    monthly = portal["运维月报"]
    assert (monthly.due.rule, monthly.due.n) == ("nth_workday_next_month", 3)
    assert monthly.copies == "纸质1份、电子1份"
    midterm = portal["中期验收报告"].due
    assert (midterm.rule, midterm.event, midterm.month, midterm.n) == (
        "workdays_after",
        "month_end",
        6,
        5,
    )
    assert portal["项目总结报告"].due.event == "contract_end"

    internet = {d.name: d for d in builtins["internet-om"].deliverables}
    for name in (
        "系统日常工作手册",
        "系统应急预案",
        "系统故障处置报告",
        "节假日安全保障方案",
        "项目总结报告",
        "客户满意度调查表",
        "月度分析报告",
        "例会会议纪要",
    ):
        assert name in internet
    assert internet["系统故障处置报告"].due.event == "fault_closed"
    assert internet["中期检查材料"].due.on == date(2026, 7, 6)
    assert internet["终验材料"].due.on == date(2026, 12, 7)


# --------------------------------------------------------------------------- install


def _counts(store: Store) -> tuple[int, int, int, int]:
    with store.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Contract)) or 0,
            s.scalar(select(func.count()).select_from(System)) or 0,
            s.scalar(select(func.count()).select_from(ChecklistTemplate)) or 0,
            s.scalar(select(func.count()).select_from(ChecklistItem)) or 0,
        )


def test_install_builtins_is_idempotent(store: Store) -> None:
    with store.session() as s:
        first = {
            c.code: (c.id, c.profile_sha256, c.updated_at) for c in install_builtin_profiles(s)
        }
    counts = _counts(store)
    with store.session() as s:
        again = install_builtin_profiles(s)
        assert {c.code: (c.id, c.profile_sha256, c.updated_at) for c in again} == first
        assert all(c.builtin for c in again)
    assert _counts(store) == counts
    assert counts[0] == 2
    with store.session() as s:
        internet = s.scalar(select(Contract).where(Contract.code == "internet-om"))
        assert internet is not None
        assert [x.name for x in internet.systems] == NINE_SYSTEMS


def test_changed_builtin_updates_and_deactivates(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.session() as s:
        install_builtin_profiles(s)
    folder = tmp_path / "profiles"
    shutil.copytree(profiles_module.paths.resource("profiles"), folder)
    data = read_profile_data(folder / "internet-om.yaml")
    data["name"] = "互联网系统运维服务项目（续签）"
    data["systems"] = [s for s in data["systems"] if s["code"] != "online-interview"]
    data["checklists"] = [c for c in data["checklists"] if c["code"] != "security-weekly"]
    data["checklists"][0]["groups"][0]["items"][0]["title"] = "服务器运行状态"
    (folder / "internet-om.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    monkeypatch.setattr(profiles_module.paths, "resource", lambda *parts: folder)

    with store.session() as s:
        contracts = {c.code: c for c in install_builtin_profiles(s)}
        internet = contracts["internet-om"]
        assert internet.name == "互联网系统运维服务项目（续签）"
        systems = {x.code: x.active for x in internet.systems}
        assert systems["online-interview"] is False
        assert sum(systems.values()) == 8
        templates = {t.code: t for t in internet.templates}
        assert templates["security-weekly"].active is False
        assert templates["server-daily"].items[0].title == "服务器运行状态"


def test_an_installed_profile_a_newer_rule_refuses_is_named_and_mended_by_installing(
    store: Store,
) -> None:
    """A snapshot an earlier release accepted (a 23-digit response time): every use of the
    contract says which field and how to mend it; installing the corrected file does."""
    with store.session() as s:
        install_builtin_profiles(s)
        portal = s.scalar(select(Contract).where(Contract.code == "portal-om"))
        assert portal is not None
        broken = dict(portal.profile)
        broken["sla"] = {**broken["sla"], "response_minutes": 10**22}
        portal.profile, portal.profile_sha256 = broken, versions.digest(broken)
    with store.session() as s:
        portal = s.scalar(select(Contract).where(Contract.code == "portal-om"))
        assert portal is not None
        with pytest.raises(ProfileError) as caught:
            profile_of(portal)
        assert caught.value.message.splitlines() == [
            f"合同 portal-om 的档案：字段 sla.response_minutes：应不大于 129600，实际为 “{10**22}”",
            "合同 portal-om 的档案：请改正后在「设置」→「合同与演示数据」→「导入合同档案…」"
            "或用 omw profiles --install 重新导入",
        ]
        install_profile_file(s, profiles_module.paths.resource("profiles") / "portal-om.yaml")
        assert profile_of(portal).sla.response_minutes == 15


def test_user_profile_file_takes_over_a_builtin_code(store: Store, tmp_path: Path) -> None:
    with store.session() as s:
        install_builtin_profiles(s)
    source = profiles_module.paths.resource("profiles", "portal-om.yaml").read_text(
        encoding="utf-8"
    )
    own = tmp_path / "my-portal.yaml"
    own.write_text(source.replace("MH-YW-2026-0301", "REAL-0001"), encoding="utf-8")
    with store.session() as s:
        contract = install_profile_file(s, own)
        assert (contract.contract_no, contract.builtin) == ("REAL-0001", False)
    with store.session() as s:
        portal = {c.code: c for c in install_builtin_profiles(s)}["portal-om"]
        assert (portal.contract_no, portal.builtin) == ("REAL-0001", False)


@pytest.mark.parametrize("missing", [False, True], ids=["empty-folder", "no-folder"])
def test_no_builtin_profile_is_an_error_not_an_empty_install(
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    missing: bool,
) -> None:
    """An installation without its resources must not report success with no contracts."""
    from app.cli.main import main

    folder = tmp_path / "profiles"
    if not missing:
        folder.mkdir()
        (folder / "README.txt").write_text("not a profile", encoding="utf-8")
    monkeypatch.setattr(profiles_module.paths, "resource", lambda *parts: folder)
    with pytest.raises(DomainError, match="找不到内置合同档案"), store.session() as s:
        install_builtin_profiles(s)
    assert _counts(store) == (0, 0, 0, 0)
    data_dir = str(store.folder)
    store.close()
    assert main(["--data-dir", data_dir, "init"]) != 0
    out, err = capsys.readouterr()
    assert "已载入合同" not in out
    assert "找不到内置合同档案" in err and "安装不完整" in err


def test_invalid_user_profile_writes_nothing(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, {**_minimal(), "bogus": 1})
    with pytest.raises(DomainError), store.session() as s:
        install_profile_file(s, path)
    assert _counts(store) == (0, 0, 0, 0)


# --------------------------------------------------------------------------- validation errors


def _minimal() -> dict[str, Any]:
    return {
        "code": "test-om",
        "name": "测试合同",
        "client": "某测试单位",
        "vendor": "某测试公司",
        "period": {"start": date(2026, 3, 1), "end": date(2026, 12, 31)},
        "service_window": "5x8",
        "service_hours": {"start": "09:00", "end": "17:00"},
        "sla": {"response_minutes": 30, "fault_levels": [{"code": "normal", "name": "一般"}]},
        "roles": [{"code": "ops", "name": "运维工程师", "count": 2}],
        "systems": [{"code": "web", "name": "网站"}, {"code": "db", "name": "数据库"}],
        "checklists": [
            {
                "code": "daily",
                "name": "日常巡检",
                "cadence": "daily",
                "systems_mode": "grouped",
                "systems": ["web"],
                "groups": [
                    {
                        "name": "检查",
                        "items": [
                            {"code": "status", "title": "服务器状态"},
                            {
                                "code": "disk",
                                "title": "磁盘使用率",
                                "kind": "number",
                                "threshold": {"unit": "%", "warn": 85, "alarm": 95},
                            },
                        ],
                    }
                ],
            }
        ],
        "deliverables": [
            {
                "code": "monthly",
                "name": "月报",
                "form": "monthly_report",
                "due": {"rule": "nth_workday_next_month", "n": 3},
            }
        ],
    }


def _write(tmp_path: Path, data: Any, name: str = "test-om.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    error = caught.value
    assert isinstance(error, DomainError)
    assert error.problems
    assert error.message == "\n".join(f"{error.file}：{p}" for p in error.problems)
    return error.message.splitlines()


def _item(data: dict[str, Any], index: int) -> dict[str, Any]:
    return data["checklists"][0]["groups"][0]["items"][index]


def test_minimal_profile_is_valid(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, _minimal()))
    assert profile.code == "test-om"


def test_unknown_keys_are_named_with_a_suggestion(tmp_path: Path) -> None:
    data = _minimal()
    data["bogus"] = 1
    _item(data, 0)["titel"] = _item(data, 0).pop("title")
    lines = _problems(_write(tmp_path, data))
    assert any(line.startswith("test-om.yaml：字段 bogus：不认识的字段") for line in lines)
    assert "test-om.yaml：字段 checklists[0].groups[0].items[0].title：缺少必填字段" in lines
    assert any(
        line.startswith("test-om.yaml：字段 checklists[0].groups[0].items[0].titel：不认识的字段")
        and "“title”" in line
        for line in lines
    )
    assert len(lines) == 3  # one line per problem, all of them


def test_missing_field(tmp_path: Path) -> None:
    data = _minimal()
    del data["client"]
    assert _problems(_write(tmp_path, data)) == ["test-om.yaml：字段 client：缺少必填字段"]


def test_bad_date(tmp_path: Path) -> None:
    text = yaml.safe_dump(_minimal(), allow_unicode=True, sort_keys=False)
    assert "start: 2026-03-01" in text  # an unquoted YAML date
    path = tmp_path / "test-om.yaml"
    path.write_text(text.replace("2026-03-01", "2026-02-30"), encoding="utf-8")
    (line,) = _problems(path)
    assert line.startswith("test-om.yaml：字段 period.start：应为日期，格式 YYYY-MM-DD")
    assert "2026-02-30" in line


def test_date_with_time_and_text_date(tmp_path: Path) -> None:
    data = _minimal()
    data["period"] = {"start": "2026/03/01", "end": "2026-12-31 10:00:00"}
    lines = _problems(_write(tmp_path, data))
    assert lines[0].startswith("test-om.yaml：字段 period.start：应为日期")
    assert lines[1].startswith("test-om.yaml：字段 period.end：应为日期（不含时间）")


def test_end_before_start(tmp_path: Path) -> None:
    data = _minimal()
    data["period"] = {"start": date(2026, 12, 31), "end": date(2026, 3, 1)}
    (line,) = _problems(_write(tmp_path, data))
    assert line.startswith("test-om.yaml：字段 period.end：结束日期早于开始日期")


def test_bad_enum_lists_allowed_values(tmp_path: Path) -> None:
    data = _minimal()
    data["checklists"][0]["cadence"] = "dayly"
    data["service_window"] = "7*24"
    data["holidays"] = {"statutory": ["五一"]}
    lines = _problems(_write(tmp_path, data))
    assert "test-om.yaml：字段 service_window：应为以下之一：7x24、5x8，实际为 “7*24”" in lines
    assert any(
        line.startswith("test-om.yaml：字段 checklists[0].cadence：应为以下之一：daily、weekly")
        and "holiday_post" in line
        for line in lines
    )
    assert any(
        line.startswith("test-om.yaml：字段 holidays.statutory[0]：应为以下之一：元旦、春节")
        for line in lines
    )


def test_threshold_not_a_number(tmp_path: Path) -> None:
    data = _minimal()
    _item(data, 1)["threshold"]["warn"] = "abc"
    (line,) = _problems(_write(tmp_path, data))
    field = "checklists[0].groups[0].items[1].threshold.warn"
    assert line == f"test-om.yaml：字段 {field}：应为数字，实际为 “abc”"


def test_threshold_order(tmp_path: Path) -> None:
    data = _minimal()
    _item(data, 1)["threshold"] = {"warn": 95, "alarm": 85}
    (line,) = _problems(_write(tmp_path, data))
    assert line.startswith(
        "test-om.yaml：字段 checklists[0].groups[0].items[1].threshold：阈值顺序颠倒"
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"kind": "number"}, "items[0].threshold", "必须设置 threshold"),
        ({"kind": "pair"}, "items[0].pair", "必须设置 pair.labels"),
        ({"threshold": {"warn": 1}}, "items[0].threshold", "只有 kind 为 number"),
        ({"pair": {"labels": ["甲", "乙"]}}, "items[0].pair", "只有 kind 为 pair"),
    ],
)
def test_item_kind_parameters(
    tmp_path: Path, change: dict[str, Any], field: str, words: str
) -> None:
    data = _minimal()
    _item(data, 0).update(change)
    (line,) = _problems(_write(tmp_path, data))
    assert line.startswith(f"test-om.yaml：字段 checklists[0].groups[0].{field}：")
    assert words in line


def test_pair_needs_two_labels(tmp_path: Path) -> None:
    data = _minimal()
    _item(data, 0).update({"kind": "pair", "pair": {"labels": ["申报量"]}})
    (line,) = _problems(_write(tmp_path, data))
    assert line.startswith(
        "test-om.yaml：字段 checklists[0].groups[0].items[0].pair.labels：至少需要 2 项"
    )


def test_due_rule_missing_parameter(tmp_path: Path) -> None:
    data = _minimal()
    data["deliverables"][0]["due"] = {"rule": "workdays_after", "n": 5}
    (line,) = _problems(_write(tmp_path, data))
    assert line == (
        "test-om.yaml：字段 deliverables[0].due：交付规则 rule 为 workdays_after 时必须设置：event"
    )


def test_numbers_out_of_range_and_wrong_types(tmp_path: Path) -> None:
    data = _minimal()
    data["sla"]["response_minutes"] = 0
    data["roles"][0]["count"] = "两"
    data["systems"] = []
    data["code"] = "Test OM"
    lines = _problems(_write(tmp_path, data))
    assert "test-om.yaml：字段 sla.response_minutes：应大于 0，实际为 “0”" in lines
    assert "test-om.yaml：字段 roles[0].count：应为整数，实际为 “两”" in lines
    assert "test-om.yaml：字段 systems：至少需要 1 项，实际 0 项" in lines
    assert any(line.startswith("test-om.yaml：字段 code：代码只能由小写字母") for line in lines)


def test_sla_minutes_beyond_90_days_and_a_team_beyond_100_are_refused(tmp_path: Path) -> None:
    """A 23-digit response time used to install, then every SLA clock raised OverflowError."""
    data = _minimal()
    data["sla"]["response_minutes"] = 10**22
    data["sla"]["close_minutes"] = 90 * 24 * 60 + 1
    data["sla"]["fault_levels"][0]["recovery_minutes"] = 90 * 24 * 60  # the most there may be
    data["roles"][0]["count"] = 101
    lines = _problems(_write(tmp_path, data))
    assert lines == [
        f"test-om.yaml：字段 sla.response_minutes：应不大于 129600，实际为 “{10**22}”",
        "test-om.yaml：字段 sla.close_minutes：应不大于 129600，实际为 “129601”",
        "test-om.yaml：字段 roles[0].count：应不大于 100，实际为 “101”",
    ]


def test_dates_outside_this_century_and_numbers_that_are_not_finite_are_refused(
    tmp_path: Path,
) -> None:
    """A period ending 9999-12-31 raised OverflowError on install; a NaN threshold
    installed, and then every reading compared with it failed."""
    data = _minimal()
    data["period"] = {"start": date(1, 1, 1), "end": date(9999, 12, 31)}
    data["holidays"] = {"events": [{"name": "会", "start": "2026-05-01", "end": "2100-01-01"}]}
    _item(data, 1)["threshold"] = {"unit": "%", "warn": float("nan"), "alarm": float("inf")}
    lines = _problems(_write(tmp_path, data))
    threshold = "checklists[0].groups[0].items[1].threshold"
    assert lines == [
        "test-om.yaml：字段 period.start：应不小于 2000-01-01，实际为 “0001-01-01”",
        "test-om.yaml：字段 period.end：应不大于 2099-12-31，实际为 “9999-12-31”",
        "test-om.yaml：字段 holidays.events[0].end：应不大于 2099-12-31，实际为 “2100-01-01”",
        f"test-om.yaml：字段 {threshold}.warn：应为有限的数字，实际为 “nan”",
        f"test-om.yaml：字段 {threshold}.alarm：应为有限的数字，实际为 “inf”",
    ]


def test_duplicate_codes(tmp_path: Path) -> None:
    data = _minimal()
    data["systems"].append({"code": "web", "name": "网站二"})
    (line,) = _problems(_write(tmp_path, data))
    assert line.startswith("test-om.yaml：字段 systems：系统代码重复：web")

    data = _minimal()
    _item(data, 1)["code"] = "status"
    (line,) = _problems(_write(tmp_path, data))
    assert line.startswith(
        "test-om.yaml：字段 checklists[0]：检查表 “daily” 中检查项代码重复：status"
    )


def test_unknown_system_reference(tmp_path: Path) -> None:
    data = _minimal()
    data["checklists"][0]["systems"] = ["web", "mail"]
    (line,) = _problems(_write(tmp_path, data))
    assert line.startswith(
        "test-om.yaml：字段 checklists[0].systems：检查表 “daily” 引用了未定义的系统代码：mail"
    )
    assert "web、db" in line


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("code: x\nname: [未闭合\nclient: y\n", encoding="utf-8")
    (line,) = _problems(path)
    assert line.startswith("broken.yaml：YAML 语法错误，第 3 行")
    assert "方括号 [ ] 未闭合" in line
    path.write_text("code: x\n\tname: y\n", encoding="utf-8")
    (line,) = _problems(path)
    assert line.startswith("broken.yaml：YAML 语法错误，第 2 行第 1 列：不能用 Tab 缩进")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("code: a\nname: 甲\ncode: b\n", encoding="utf-8")
    (line,) = _problems(path)
    assert line.startswith("dup.yaml：YAML 语法错误，第 3 行第 1 列：重复的键 “code”")


@pytest.mark.parametrize(
    ("text", "what"), [("- a\n- b\n", "列表"), ("just text\n", "文本"), ("", "空内容")]
)
def test_not_a_mapping(tmp_path: Path, text: str, what: str) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    (line,) = _problems(path)
    assert line.startswith("list.yaml：文件内容应为键值映射")
    assert line.endswith(f"实际是{what}")


def test_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * MAX_PROFILE_BYTES + b"\n")
    (line,) = _problems(path)
    assert line.startswith("huge.yaml：文件过大")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("code: test-om\nname: 测试合同\n".encode("gbk"))
    (line,) = _problems(path)
    assert line.startswith("gbk.yaml：不是 UTF-8 编码的文本")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, _minimal())
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_profile(path).code == "test-om"


def test_missing_file(tmp_path: Path) -> None:
    (line,) = _problems(tmp_path / "nope.yaml")
    assert line.startswith("nope.yaml：找不到文件")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 7):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (line,) = _problems(path)
    assert line.startswith("bomb.yaml：展开锚点/别名后内容过多")


def test_yaml_11_surprises_are_avoided(tmp_path: Path) -> None:
    """``on:`` stays a key, ``17:00`` stays a time, ``no`` stays text."""
    text = yaml.safe_dump(_minimal(), allow_unicode=True, sort_keys=False)
    text = text.replace("end: '17:00'", "end: 17:00")
    text = text.replace(
        "due:\n    rule: nth_workday_next_month\n    n: 3",
        "due:\n    rule: fixed_date\n    on: 2026-07-06",
    )
    text = text.replace("name: 月报", "name: no")
    path = tmp_path / "test-om.yaml"
    path.write_text(text, encoding="utf-8")
    assert "end: 17:00" in text and "on: 2026-07-06" in text
    profile = load_profile(path)
    assert profile.service_hours.end == "17:00"
    assert profile.deliverables[0].due.on == date(2026, 7, 6)
    assert profile.deliverables[0].name == "no"


def test_builtin_profiles_parse_the_same_with_libyaml() -> None:
    """The built-in profiles are read with libyaml's parser: the same data as PyYAML's."""
    paths = builtin_profile_paths()
    assert paths
    for path in paths:
        assert read_profile_data(path, builtin=True) == read_profile_data(path)


def test_the_libyaml_loader_keeps_the_profile_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "end: 17:00\non: 2026-07-06\nname: no\nflag: yes\nday: 2026-02-30\nok: true\n",
        encoding="utf-8",
    )
    data = read_profile_data(path, builtin=True)
    assert data == read_profile_data(path)
    assert data == {
        "end": "17:00",
        "on": date(2026, 7, 6),
        "name": "no",
        "flag": "yes",
        "day": "2026-02-30",
        "ok": True,
    }
    path.write_text("code: a\nname: 甲\ncode: b\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="第 3 行第 1 列：重复的键 “code”"):
        read_profile_data(path, builtin=True)
