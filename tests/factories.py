"""Builders of small contract profiles and test data, shared by the test modules.

Profiles are built in code (never read from ``resources/``) so a test states
exactly what it relies on. Everything is invented; no real personal data.

    with store.session() as s:
        contract = install(s, portal_profile())
        contract = install(s, make_profile(code="x", sla=sla(response=30)))
"""

from __future__ import annotations

import copy
import struct
import zlib
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import Profile
from app.contracts.registry import install_profile
from db.models import Contract

PERIOD = (date(2026, 1, 1), date(2026, 12, 31))


# --------------------------------------------------------------------------- pieces


def item(code: str, title: str | None = None, kind: str = "status", **extra: Any) -> dict[str, Any]:
    """A checklist item definition; ``extra`` may hold threshold/pair/required/method/standard."""
    return {"code": code, "title": title or code, "kind": kind, **extra}


def number_item(
    code: str,
    title: str,
    *,
    unit: str = "%",
    warn: float | None = 80,
    alarm: float | None = 90,
    direction: str = "above",
    required: bool = True,
) -> dict[str, Any]:
    threshold = {"unit": unit, "warn": warn, "alarm": alarm, "direction": direction}
    return item(code, title, "number", threshold=threshold, required=required)


def pair_item(
    code: str, title: str, labels: tuple[str, str], tolerance: float = 0, required: bool = True
) -> dict[str, Any]:
    return item(
        code,
        title,
        "pair",
        pair={"labels": list(labels), "tolerance": tolerance},
        required=required,
    )


def checklist(
    code: str,
    *,
    name: str | None = None,
    cadence: str = "daily",
    systems_mode: str = "none",
    systems: list[str] | None = None,
    groups: list[tuple[str, list[dict[str, Any]]]] | None = None,
    category: str = "",
) -> dict[str, Any]:
    groups = groups or [("检查", [item("status-ok", "运行状态")])]
    return {
        "code": code,
        "name": name or code,
        "category": category,
        "cadence": cadence,
        "systems_mode": systems_mode,
        "systems": systems,
        "groups": [{"name": g, "items": items} for g, items in groups],
    }


def sla(
    *,
    response: int = 15,
    remote: int | None = None,
    onsite: int | None = None,
    close: int | None = None,
    levels: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "response_minutes": response,
        "remote_minutes": remote,
        "onsite_minutes": onsite,
        "close_minutes": close,
        "fault_levels": levels
        or [
            {"code": "major", "name": "重大", "recovery_minutes": 120},
            {"code": "minor", "name": "一般", "recovery_minutes": 480},
        ],
    }


def system_defs(*codes_names: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"code": c, "name": n} for c, n in codes_names]


# --------------------------------------------------------------------------- profiles


def daily_server_checklist(systems: list[str] | None = None) -> dict[str, Any]:
    """A grouped daily checklist with one item of every kind."""
    return checklist(
        "daily-server",
        name="日常服务器巡检",
        cadence="daily",
        systems_mode="grouped",
        systems=systems,
        groups=[
            (
                "服务器",
                [
                    item("server-status", "服务器状态"),
                    number_item("disk", "磁盘空间使用率", warn=85, alarm=95),
                    item("app-log", "应用程序日志", "text", required=False),
                    item("screenshot", "监控截图", "photo", required=False),
                ],
            ),
        ],
    )


def make_profile(
    code: str = "test-portal",
    *,
    name: str = "测试门户运维服务",
    window: str = "7x24",
    hours: tuple[str, str] | None = None,
    period: tuple[date, date] = PERIOD,
    systems: list[dict[str, Any]] | None = None,
    checklists: list[dict[str, Any]] | None = None,
    sla_def: dict[str, Any] | None = None,
    **overrides: Any,
) -> Profile:
    data: dict[str, Any] = {
        "code": code,
        "name": name,
        "client": "某市某委员会（测试）",
        "vendor": "某信息技术有限公司（测试）",
        "contract_no": "TEST-2026-001",
        "site": "测试现场",
        "period": {"start": period[0].isoformat(), "end": period[1].isoformat()},
        "service_window": window,
        "sla": sla_def or sla(),
        "roles": [{"code": "engineer", "name": "运维工程师", "count": 2}],
        "systems": systems
        or system_defs(
            ("portal", "门户应用"), ("exchange", "数据交换应用"), ("api", "API接口应用")
        ),
        "checklists": checklists or [daily_server_checklist()],
    }
    if hours is not None:
        data["service_hours"] = {"start": hours[0], "end": hours[1]}
    data.update(copy.deepcopy(overrides))
    return Profile.model_validate(data)


def portal_profile(code: str = "test-portal") -> Profile:
    """Like contract A: 7×24, 15-minute response, grouped daily server check and
    an interface check with a pair and a url item, a holiday daily check."""
    return make_profile(
        code,
        checklists=[
            daily_server_checklist(),
            checklist(
                "push-check",
                name="环保局事项实时推送巡检",
                cadence="daily",
                groups=[
                    (
                        "推送",
                        [
                            pair_item("push-count", "推送数量核对", ("申报量", "已发送的申报量")),
                            item("jump-link", "事项跳转超链接", "url"),
                            item("remark", "说明", "text"),
                        ],
                    )
                ],
            ),
            checklist(
                "monthly",
                name="月巡检",
                cadence="monthly",
                groups=[("账号", [item("accounts", "服务器账号检查")])],
            ),
            checklist(
                "per-system",
                name="分系统巡检",
                cadence="weekly",
                systems_mode="separate",
                systems=["portal", "api"],
                groups=[("检查", [item("reach", "可访问")])],
            ),
            checklist(
                "holiday-daily",
                name="节日期间每日检查",
                cadence="holiday_daily",
                groups=[("每日", [item("available", "访问可用")])],
            ),
        ],
    )


def internet_profile(code: str = "test-internet") -> Profile:
    """Like contract B: 5×8 (09:00-17:00), phone → remote → on-site within 4 hours."""
    return make_profile(
        code,
        name="测试互联网系统运维服务",
        window="5x8",
        hours=("09:00", "17:00"),
        sla_def=sla(response=30, remote=60, onsite=240, close=2880),
        systems=system_defs(("website", "网站"), ("declare", "网上申报系统")),
        checklists=[daily_server_checklist()],
    )


def install(session: Session, profile: Profile | None = None) -> Contract:
    return install_profile(session, profile or portal_profile())


# --------------------------------------------------------------------------- images


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(width: int = 3, height: int = 2, seed: int = 0) -> bytes:
    """A valid RGBA PNG; different seeds give different bytes."""
    row = bytes([(seed + x) % 256 for x in range(width * 4)])
    raw = b"".join(b"\x00" + row for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


def jpeg_bytes(seed: int = 0) -> bytes:
    """Bytes that sniff as JPEG (SOI + APP0 JFIF header + EOI), enough for type checks."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + bytes([seed % 256])
        + b"\xff\xd9"
    )


# --------------------------------------------------------------------------- helpers


def results_by_code(run: Any) -> dict[tuple[str | None, str], Any]:
    """A run's item results keyed by ``(system code or None, item code)``."""
    return {(r.system.code if r.system else None, r.item.code): r for r in run.results}


def count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


#: System names of the synthetic fault rows.
FAULT_ROW_SYSTEMS = ("网站", "网上申报系统", "信访信箱系统", "综合发布平台")


def fault_rows(count: int, start: datetime = datetime(2020, 1, 1, 8, 0)) -> list[Any]:
    """``count`` synthetic fault list rows (what the window's fault table shows)."""
    from app.records import listings

    systems = FAULT_ROW_SYSTEMS
    return [
        listings.FaultRow(
            f"id-{n}",
            f"GZ-{n:06d}",
            start + timedelta(minutes=37 * n),
            ("一般", "严重", "重大")[n % 3],
            systems[n % 4],
            f"故障 {n} {systems[(n * 7) % 4]}异常",
            "",
            ("处理中", "已恢复", "已关闭")[n % 3],
            ("张工", "李工")[n % 2],
            n % 5 == 0,
        )
        for n in range(count)
    ]


def insert_daily_runs(session: Session, first: date, last: date, copies: int) -> int:
    """Signed runs of the checklists ``daily`` and ``daily-sys`` (one per system) of the
    store's one contract on every day ``first``..``last``, ``copies`` times over (the
    extra copies under other period keys); returns how many were inserted."""
    from app.schedule import periods
    from db.models import ChecklistTemplate, InspectionRun, System

    contract = session.scalars(select(Contract)).one()
    templates = {
        t.code: t
        for t in session.scalars(
            select(ChecklistTemplate).where(ChecklistTemplate.contract_id == contract.id)
        )
    }
    systems = list(session.scalars(select(System).where(System.contract_id == contract.id)))
    rows: list[dict[str, Any]] = []
    day = first
    while day <= last:
        for n in range(copies):
            for code in ("daily", "daily-sys"):
                for system in systems if code == "daily-sys" else [None]:
                    rows.append(
                        {
                            "id": f"{code}-{day}-{n}-{system.code if system else ''}",
                            "contract_id": contract.id,
                            "template_id": templates[code].id,
                            "system_id": system.id if system else None,
                            "cadence": "daily",
                            "period_key": periods.key("daily", day)
                            if n == 0
                            else f"{day.isoformat()}-old{n}",
                            "scheduled_date": day,
                            "started_at": datetime(day.year, day.month, day.day, 9),
                            "status": "signed",
                        }
                    )
        day = date.fromordinal(day.toordinal() + 1)
    session.execute(insert(InspectionRun), rows)
    return len(rows)
