"""``omw due`` and ``omw deadlines`` read a plain store with ``sqlite3`` alone (issue 13).

The read-only path (:class:`app.schedule.sqlite_source.SqliteSource` over
:func:`app.storage.readonly.connect`) must give what the ORM path gives
(``due_on(session, …)``, ``deadlines_json(session, …)``) on every kind of data,
open only what ``Store.open`` would open, never write, and leave every other case
(a hub, an encrypted, missing or older store) to ``Store.open`` with its messages.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.contracts.profile_schema import HolidaySettings
from app.contracts.profiles import install_builtin_profiles, load_builtin_profiles
from app.contracts.snapshot import HolidayDuty, schedule_parts
from app.records import inspections as ins
from app.records import signing
from app.schedule.deadlines import deadlines_json, deadlines_json_from, mark_submitted
from app.schedule.due import due_from, due_on
from app.schedule.holidays import sync_all_holidays
from app.schedule.sqlite_source import SqliteSource
from app.schedule.workcal import set_override
from app.storage import paths, readonly
from app.storage.store import Store
from app.storage.void_chains import SIGNABLE_TABLES
from app.team.voids import void
from db import migrate
from db.models import SIGNABLE_TYPES, ChecklistTemplate, Contract, InspectionRun
from tests.fresh_interpreter import run_fresh
from tests.team_tools import (
    CONTRACT,
    amend_and_sign,
    exchange,
    pm_and_two_engineers,  # noqa: F401  (fixture ``team``)
    sign_fault,
    sign_run,
)
from tests.test_export_fixtures import demo_dir, store_copy  # noqa: F401

D = date.fromisoformat
#: a spread of days: before and after each contract (internet-om 2026-01-20..12-20, portal-om
#: 2026-03-01..2027-02-28), make-up working weekends (2026-02-28, 09-20, 10-10), 国庆节 and the
#: days after it, two calendar overrides (10-12 off, 10-17 on), a voided and an amended run
#: (10-29, 10-30), a draft (11-02) and a year the calendar library may not know (2027)
DAYS = [
    D(s)
    for s in (
        "2026-01-19",
        "2026-02-28",
        "2026-09-20",
        "2026-10-01",
        "2026-10-08",
        "2026-10-10",
        "2026-10-12",
        "2026-10-17",
        "2026-10-30",
        "2026-11-02",
        "2026-12-21",
        "2027-03-01",
    )
]
CODES = ("portal-om", "internet-om")


def _light_due(folder: Path, code: str, day: date) -> dict[str, Any]:
    conn = readonly.connect(folder)
    assert conn is not None
    try:
        return due_from(SqliteSource(conn), code, day).as_json()
    finally:
        conn.close()


def _light_deadlines(folder: Path, code: str, today: date, **bounds: date) -> dict[str, Any]:
    conn = readonly.connect(folder)
    assert conn is not None
    try:
        return deadlines_json_from(
            SqliteSource(conn), code, bounds.get("start"), bounds.get("end"), today
        )
    finally:
        conn.close()


def _assert_same(store: Store, code: str, days: list[date]) -> None:
    for day in days:
        with store.session() as s:
            orm_due = due_on(s, code, day).as_json()
            orm_all = deadlines_json(s, code, today=day)
            orm_part = deadlines_json(s, code, D("2026-06-01"), D("2026-11-30"), today=day)
        assert _light_due(store.folder, code, day) == orm_due, (code, day)
        assert _light_deadlines(store.folder, code, day) == orm_all, (code, day)
        light_part = _light_deadlines(
            store.folder, code, day, start=D("2026-06-01"), end=D("2026-11-30")
        )
        assert light_part == orm_part, (code, day)


def _runs(store: Store, code_cadence: str, day: date) -> list[InspectionRun]:
    with store.session() as s:
        return list(
            s.scalars(
                select(InspectionRun)
                .join(ChecklistTemplate, ChecklistTemplate.id == InspectionRun.template_id)
                .where(
                    ChecklistTemplate.cadence == code_cadence,
                    InspectionRun.scheduled_date == day,
                    InspectionRun.status == "signed",
                )
                .order_by(InspectionRun.id)
            )
        )


@pytest.fixture(scope="module")
def demo_store(
    tmp_path_factory: pytest.TempPathFactory,
    demo_dir: Path,  # noqa: F811
) -> Iterator[Store]:
    """A month of demo records of both built-in contracts (October 2026, a copy of the
    export tests' demo store), and then a voided run, an amended one (a draft again), a
    draft, two calendar overrides and an exported deliverable."""
    store = store_copy(demo_dir, tmp_path_factory.mktemp("demo"))
    voided = _runs(store, "daily", D("2026-10-30"))[0]
    amended = _runs(store, "daily", D("2026-10-29"))[0]
    with store.session() as s:
        void(s, "inspection_run", voided.id, reason="重复填写", actor="王经理")
        signing.amend(s, "inspection_run", amended.id, reason="结论补充", actor="测试工程师")
        daily = s.scalars(
            select(ChecklistTemplate.code)
            .join(Contract, Contract.id == ChecklistTemplate.contract_id)
            .where(
                Contract.code == "portal-om",
                ChecklistTemplate.cadence == "daily",
                ChecklistTemplate.systems_mode != "separate",
            )
        ).first()
        assert daily is not None
        ins.start_run(s, "portal-om", daily, scheduled_date=D("2026-11-02"), inspector="测试工程师")
        set_override(s, D("2026-10-12"), workday=False, name="本地活动")
        set_override(s, D("2026-10-17"), workday=True, name="调休上班")
        sync_all_holidays(s)
    with store.session() as s:
        mark_submitted(
            s, "portal-om", "monthly-report", "2026-10", state="exported", file_name="月报.docx"
        )
    yield store
    store.close()


@pytest.mark.parametrize("code", CODES)
def test_the_light_path_answers_as_the_orm_on_a_demo_store(demo_store: Store, code: str) -> None:
    _assert_same(demo_store, code, DAYS)


def test_the_light_path_answers_as_the_orm_on_an_empty_store(store: Store) -> None:
    with store.session() as s:
        install_builtin_profiles(s)
        sync_all_holidays(s)
    for code in CODES:
        _assert_same(store, code, [D("2026-02-28"), D("2026-10-01"), D("2026-11-20")])


def test_the_light_path_answers_as_the_orm_in_a_team_store(
    team: tuple[Store, list[Store]], tmp_path: Path
) -> None:
    """The PM's store with two engineers' records: who did what, a voided fault, an amendment."""
    pm, (zhang, li) = team
    day = D("2026-11-02")
    first = sign_run(zhang, day, "portal", "张三")
    sign_run(li, day, "api", "李四")
    amend_and_sign(zhang, first, "张三", "补充结论")
    fault_id, _number = sign_fault(li, datetime(2026, 11, 3, 9, 0), "李四")
    exchange(zhang, pm, tmp_path / "zs.omwb")
    exchange(li, pm, tmp_path / "ls.omwb")
    with pm.session() as s:
        void(s, "fault_record", fault_id, reason="误报", actor="王经理")
        report = due_on(s, CONTRACT, day)
    assert report.engineers == sorted(["张三", "李四"])
    _assert_same(pm, CONTRACT, [day, D("2026-11-04"), D("2026-11-20")])


def test_an_older_profile_snapshot_is_read_with_the_schema_defaults() -> None:
    """A snapshot made before a field existed: the schema fills it in, as ``profile_of`` did."""
    (portal,) = [p for p in load_builtin_profiles() if p.code == "portal-om"]
    snapshot = portal.model_dump(mode="json")
    parts = schedule_parts(snapshot)
    assert parts.holidays == HolidayDuty(
        portal.holidays.pre_workdays, portal.holidays.post_workdays
    )
    assert [(d.code, d.due.rule, d.due.n, d.due.on) for d in parts.deliverables] == [
        (d.code, d.due.rule, d.due.n, d.due.on) for d in portal.deliverables
    ]
    older = json.loads(json.dumps(snapshot))
    del older["holidays"]
    for deliverable in older["deliverables"]:
        del deliverable["copies"]
    defaults = HolidaySettings()
    assert schedule_parts(older).holidays == HolidayDuty(
        defaults.pre_workdays, defaults.post_workdays
    )
    assert {d.copies for d in schedule_parts(older).deliverables} == {""}


def test_the_light_reading_of_void_chains_covers_every_signable_table() -> None:
    assert set(SIGNABLE_TABLES) == {model.__tablename__ for model in SIGNABLE_TYPES.values()}


# --------------------------------------------------------------------------- opening


def test_a_plain_store_at_the_head_is_opened_read_only(store: Store) -> None:
    conn = readonly.connect(store.folder)
    assert conn is not None
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM contract")
    finally:
        conn.close()


def test_every_other_store_is_left_to_store_open(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hub, a missing, empty or encrypted file, a store not at the head: ``None``."""
    assert readonly.connect(tmp_path / "nothing") is None  # Store.open creates the store
    empty = tmp_path / "empty"
    empty.mkdir()
    paths.db_path(empty).write_bytes(b"")
    assert readonly.connect(empty) is None
    cipher = tmp_path / "cipher"
    cipher.mkdir()
    paths.db_path(cipher).write_bytes(os.urandom(4096))  # what SQLCipher's file looks like
    assert readonly.connect(cipher) is None

    monkeypatch.setenv("OMW_DATABASE_URL", "postgresql://omw_app@127.0.0.1/omw")
    assert readonly.connect(store.folder) is None
    monkeypatch.delenv("OMW_DATABASE_URL")
    (store.folder / "hub.json").write_text('{"url": "postgresql://omw_app@127.0.0.1/omw"}')
    assert readonly.connect(store.folder) is None
    (store.folder / "hub.json").unlink()

    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0013_profile_versions'"))
    assert readonly.connect(store.folder) is None
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE alembic_version SET version_num = :v"), {"v": migrate.script_head()}
        )
    assert readonly.connect(store.folder) is not None


# --------------------------------------------------------------------------- the command


def _omw(folder: Path, *args: str) -> tuple[int, str, str, set[str]]:
    """``omw --data-dir folder …`` in a fresh interpreter: exit code, output, errors, modules."""
    argv = ["--data-dir", str(folder), *args]
    run = run_fresh(f"from app.cli.main import main\nraise SystemExit(main({argv!r}))")
    return run.returncode, run.out, run.errors, run.modules


#: what the two commands must answer without (issue 13)
NOT_LOADED = ("sqlalchemy", "db.models", "pydantic", "app.contracts.profile_schema", "alembic")


@pytest.fixture
def portal(store: Store) -> Path:
    with store.session() as s:
        install_builtin_profiles(s)
        sync_all_holidays(s)
    store.close()
    return store.folder


@pytest.mark.parametrize(
    "command",
    [
        ["due", "--contract", "portal-om", "--date", "2026-10-08"],
        ["due", "--contract", "portal-om", "--date", "2026-10-08", "--json"],
        ["deadlines", "--contract", "portal-om", "--today", "2026-10-08"],
        ["deadlines", "--contract", "portal-om", "--today", "2026-10-08", "--json"],
    ],
    ids=" ".join,
)
def test_due_and_deadlines_answer_without_sqlalchemy_or_the_models(
    portal: Path, command: list[str]
) -> None:
    code, out, errors, modules = _omw(portal, *command)
    assert (code, errors) == (0, "")
    assert "portal-om" in out
    loaded = [m for m in modules if m in NOT_LOADED or m.split(".")[0] in NOT_LOADED]
    assert loaded == []
    assert "app.schedule.sqlite_source" in modules  # it did read the store itself


def test_an_unknown_contract_is_said_as_before(portal: Path) -> None:
    for command in ("due", "deadlines"):
        code, out, errors, modules = _omw(portal, command, "--contract", "nope")
        assert (code, out) == (2, "")
        assert errors == "错误：没有代码为 “nope” 的合同。可用 `omw profiles` 查看已有合同。\n"
        assert "sqlalchemy" not in modules


def test_a_missing_store_is_created_by_store_open_as_before(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    code, _out, errors, modules = _omw(folder, "due", "--contract", "portal-om")
    assert code == 2 and "没有代码为 “portal-om” 的合同" in errors
    assert "app.storage.store" in modules  # the usual path: the store was created and migrated
    assert migrate.script_head() == _stamped(folder)


def test_a_store_of_a_newer_version_is_refused_as_before(portal: Path) -> None:
    with sqlite3.connect(paths.db_path(portal)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    for command in ("due", "deadlines"):
        code, out, errors, _modules = _omw(portal, command, "--contract", "portal-om")
        assert (code, out) == (2, "")
        assert errors == (
            "错误：数据库由更新版本的运维工作台创建（结构版本 9999_future），当前程序无法打开。"
            "请升级程序后再打开，数据未作任何修改。\n"
        )
    assert _stamped(portal) == "9999_future"


def _stamped(folder: Path) -> str:
    conn = sqlite3.connect(paths.db_path(folder))
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()


def test_a_failed_light_reading_is_answered_by_the_usual_path(
    portal: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Busy past the timeout, damaged…: ``Store.open`` and the ORM answer, or say why."""
    from app.cli.main import main

    asked: list[str] = []

    def busy(_self: SqliteSource, code: str) -> Any:
        asked.append(code)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(SqliteSource, "contract", busy)
    argv = ["--data-dir", str(portal), "due", "--contract", "portal-om", "--date", "2026-10-08"]
    assert main([*argv, "--json"]) == 0
    assert asked == ["portal-om"]
    store = Store.open(portal)
    try:
        with store.session() as s:
            expected = due_on(s, "portal-om", D("2026-10-08")).as_json()
    finally:
        store.close()
    data = json.loads(capsys.readouterr().out)
    assert data == json.loads(json.dumps(expected, default=str)) and data["items"]
