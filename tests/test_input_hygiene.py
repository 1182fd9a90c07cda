"""Typed text and the database's refusals reach the user in Chinese, nothing half-written.

1. The database's own refusals (constraints, the protection triggers, a busy or
   broken file) come out of ``Store.session()`` as Chinese errors of
   ``app.errors`` with the transaction rolled back — in the services, the
   command line and the window alike.
2. Typed text: a lone surrogate is refused in Chinese before anything is written;
   control characters other than tab, line feed and carriage return are stripped;
   drafts keep what was typed and never fail on it.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select

from app.cli.main import main
from app.contracts.profiles import ProfileError, validate_profile
from app.errors import (
    DomainError,
    LockedError,
    RefusedError,
    StoreDamaged,
    StoreError,
    StoreFailure,
)
from app.export.naming import safe
from app.records import _util, attachments, drafts, requests, signature_vault, signing
from app.records import inspections as ins
from app.schedule import holidays, workcal
from app.storage import db_errors, paths, text_rules
from app.storage.store import Store
from db.models import (
    Attachment,
    AuditEntry,
    Blob,
    CalendarOverride,
    Draft,
    HolidayPeriod,
    InspectionRun,
    ServiceRequest,
    Signature,
    System,
)
from tests.factories import count, install, png_bytes, portal_profile

NOW = datetime(2026, 12, 20, 12, 0)
#: a whole English word: what a Chinese message must not contain (ids and "omw" aside)
ENGLISH = re.compile(r"\b(?!omw\b|check\b|restore\b)[A-Za-z]{3,}\b")


def chinese(message: str) -> str:
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert not ENGLISH.search(message), message
    return message


def rows(store: Store, model: type) -> int:
    with store.session() as s:
        return count(s, model)


def audit_entries(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# --------------------------------------------------------------------------- 1. refusals


def test_a_unique_constraint_is_refused_in_chinese_and_nothing_is_written(store: Store) -> None:
    before = audit_entries(store)
    with pytest.raises(RefusedError) as caught, store.session() as s:
        s.add(CalendarOverride(day=date(2027, 1, 4), workday=True, name="甲"))
        s.add(CalendarOverride(day=date(2027, 1, 4), workday=False, name="乙"))
        s.flush()
    message = chinese(caught.value.message)
    assert "工作日历调整中已有日期相同的记录" in message and "未保存" in message
    assert isinstance(caught.value.__cause__, sa_exc.IntegrityError)  # kept for a developer
    assert rows(store, CalendarOverride) == 0
    assert audit_entries(store) == before


def test_a_unique_constraint_at_commit_is_refused_too(store: Store) -> None:
    with store.session() as s:
        s.add(CalendarOverride(day=date(2027, 1, 4), workday=True, name="甲"))
    with pytest.raises(RefusedError, match="已有日期相同的记录"), store.session() as s:
        s.add(CalendarOverride(day=date(2027, 1, 5), workday=True, name="丙"))
        s.add(CalendarOverride(day=date(2027, 1, 4), workday=False, name="乙"))  # at commit
    with store.session() as s:
        assert [r.name for r in s.scalars(select(CalendarOverride))] == ["甲"]


def test_not_null_and_foreign_key_constraints_are_refused_in_chinese(store: Store) -> None:
    with pytest.raises(RefusedError) as caught, store.session() as s:
        s.add(CalendarOverride(day=None, workday=True, name="无日期"))
        s.flush()
    assert "工作日历调整缺少必填的内容（日期）" in chinese(caught.value.message)
    with pytest.raises(RefusedError) as caught, store.session() as s:
        s.add(System(contract_id="no-such-contract", code="x", name="孤儿系统"))
        s.flush()
    assert "引用的记录不存在" in chinese(caught.value.message)
    assert rows(store, CalendarOverride) == 0 and rows(store, System) == 0


def _signed_run(store: Store) -> str:
    with store.session() as s:
        install(s)
        run = ins.start_run(
            s, "test-portal", "monthly", scheduled_date=date(2026, 11, 3), inspector="张工"
        )
        for result in run.results:
            ins.set_result(s, result.id, status="normal")
        ins.complete_run(s, run.id, conclusion="正常")
        signing.sign(
            s,
            "inspection_run",
            run.id,
            role="运维人员",
            signer_name="张工",
            png=png_bytes(),
            signed_at=datetime(2026, 11, 3, 17),
            now=NOW,
        )
        return run.id


@pytest.mark.parametrize(
    ("sql", "error", "expected"),
    [
        ("UPDATE inspection_run SET conclusion = 'x'", LockedError, "签字锁定"),
        ("DELETE FROM item_result", LockedError, "签字锁定"),
        ("UPDATE signature SET signer_name = 'x'", RefusedError, "已保存的签字不能修改"),
        ("DELETE FROM signature", RefusedError, "已保存的签字不能修改"),
        ("UPDATE audit_log SET actor = 'x'", RefusedError, "审计日志只能追加"),
        ("DELETE FROM audit_log", RefusedError, "审计日志只能追加"),
        ("UPDATE blob SET size = 1", RefusedError, "附件和签字图片不能修改"),
    ],
)
def test_the_store_triggers_refuse_in_chinese(
    store: Store, sql: str, error: type[StoreError], expected: str
) -> None:
    _signed_run(store)
    with store.session() as s:
        before = (count(s, Signature), count(s, AuditEntry), count(s, Blob))
    with pytest.raises(error) as caught, store.session() as s:
        s.connection().exec_driver_sql(sql)
    assert type(caught.value) is error
    assert expected in chinese(caught.value.message)
    with store.session() as s:
        assert (count(s, Signature), count(s, AuditEntry), count(s, Blob)) == before
        assert "x" not in s.scalars(select(Signature.signer_name)).all()


def test_a_busy_database_is_a_chinese_failure(store: Store) -> None:
    other = sqlite3.connect(paths.db_path(store.folder))
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreFailure) as caught, store.session() as s:
            s.connection().exec_driver_sql("PRAGMA busy_timeout = 50")
            s.add(CalendarOverride(day=date(2027, 1, 4), workday=True, name="甲"))
            s.flush()
        assert "另一个程序占用" in chinese(caught.value.message)
    finally:
        other.rollback()
        other.close()
    assert rows(store, CalendarOverride) == 0


@pytest.mark.parametrize(
    ("error", "kind", "expected"),
    [
        (sa_exc.OperationalError, StoreFailure, "database is locked"),
        (sa_exc.OperationalError, StoreFailure, "database or disk is full"),
        (sa_exc.OperationalError, StoreFailure, "attempt to write a readonly database"),
        (sa_exc.OperationalError, StoreFailure, "disk I/O error"),
        (sa_exc.DatabaseError, StoreDamaged, "database disk image is malformed"),
        (sqlite3.DatabaseError, StoreDamaged, "file is not a database"),  # a raw connection's
        (sqlite3.OperationalError, StoreFailure, "database is locked"),
        (sa_exc.OperationalError, StoreFailure, "unable to open database file"),
        (sa_exc.OperationalError, StoreFailure, "something new and strange"),
        (sa_exc.IntegrityError, RefusedError, "CHECK constraint failed: positive"),
        (sa_exc.IntegrityError, RefusedError, "device keys are immutable"),
        (sa_exc.IntegrityError, RefusedError, "a trigger nobody translated"),
        (
            sa_exc.IntegrityError,
            RefusedError,
            'duplicate key value violates unique constraint "contract_code_key"',
        ),
        (
            sa_exc.IntegrityError,
            RefusedError,
            'null value in column "name" of relation "system" violates not-null constraint',
        ),
        (sa_exc.DataError, RefusedError, "value too long for type character varying(64)"),
    ],
)
def test_every_database_wording_is_translated(
    error: type[Exception], kind: type[StoreError], expected: str
) -> None:
    made = (
        error("INSERT …", {}, Exception(expected))
        if issubclass(error, sa_exc.DBAPIError)
        else error(expected)
    )
    translated = db_errors.translate(made)
    assert type(translated) is kind
    assert translated is not None and chinese(translated.message).endswith(db_errors.NOTHING_SAVED)


def test_programming_errors_and_chinese_errors_are_not_translated() -> None:
    assert (
        db_errors.translate(sa_exc.ProgrammingError("x", {}, Exception("no such column"))) is None
    )
    assert db_errors.translate(KeyError("x")) is None
    assert db_errors.translate(DomainError("已是中文")) is None


def test_the_command_line_shows_a_refusal_in_chinese(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def duplicate(session, day, *, workday, name=""):  # a service with a bug
        session.add(CalendarOverride(day=day, workday=workday, name=name))
        session.add(CalendarOverride(day=day, workday=workday, name=name))
        session.flush()

    monkeypatch.setattr(workcal, "set_override", duplicate)
    assert main(["--data-dir", str(isolated_dirs), "calendar", "2027-01-04", "workday"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("错误：保存失败") and "Traceback" not in err and out == ""
    chinese(err)
    store = Store.open(isolated_dirs)
    try:
        assert rows(store, CalendarOverride) == 0
    finally:
        store.close()


# --------------------------------------------------------------------------- 2. typed text


def test_text_refuses_lone_surrogates_and_strips_control_characters() -> None:
    with pytest.raises(DomainError, match="「问题描述」中第 3 个字符无效") as caught:
        _util.text("断网\ud800了", "问题描述")
    chinese(caught.value.message)
    with pytest.raises(DomainError, match="无效"):
        _util.text("\udcff", "来电人")  # a mis-decoded command-line byte
    assert _util.text("  a\x00b\x1b[31mc\x7f\x85d\te\r\nf  ", "x") == "ab[31mcd\te\r\nf"
    assert _util.text("笑\ud83d\ude00", "x") == "笑😀"  # a pair that is really one character
    assert _util.text("\x00\x01 ", "x") == ""
    with pytest.raises(DomainError, match="请填写"):
        _util.text("\x00", "故障标题", required=True)
    with pytest.raises(DomainError, match="「磁盘使用率」中第 3 个字符无效"):
        _util.number("85\ud800", "磁盘使用率")  # the message would have quoted it
    assert _util.number("85\x00.5", "磁盘使用率") == 85.5


def test_text_rules_directly() -> None:
    assert text_rules.lone_surrogate("ab\udc80") == 2
    assert text_rules.lone_surrogate("\ud83d\ude00") is None
    assert text_rules.strip_controls("\x00\x08\t\n\x0b\x0c\r\x1f\x7f\x80\x9f\xa0") == "\t\n\r\xa0"
    assert text_rules.scrub({"k\ud800": ["a\udfff", 1, None]}) == {"k\ufffd": ["a\ufffd", 1, None]}


def test_a_service_refuses_a_surrogate_before_writing_and_stores_text_without_controls(
    store: Store,
) -> None:
    with store.session() as s:
        install(s)
    before = audit_entries(store)
    call = dict(
        received_at=datetime(2026, 11, 3, 9),
        caller_name="王",
        category="账号",
        description="无法登录",
        handler="张工",
        now=NOW,
    )
    with pytest.raises(DomainError, match="「来电单位」中第 4 个字符无效"), store.session() as s:
        requests.log_request(s, "test-portal", caller_unit="某单位\ud800", **call)
    assert rows(store, ServiceRequest) == 0 and audit_entries(store) == before
    with store.session() as s:
        req = requests.log_request(s, "test-portal", caller_unit="某\x00单位\x1b", **call)
        req_id = req.id
    with store.session() as s:
        assert s.get(ServiceRequest, req_id).caller_unit == "某单位"
        with pytest.raises(DomainError, match="「处理结果」"):
            requests.resolve_on_phone(s, req_id, resolution="已解决\udc00")


def test_inspection_notes_and_attachments_follow_the_same_rules(store: Store) -> None:
    with store.session() as s:
        install(s)
        run = ins.start_run(
            s, "test-portal", "monthly", scheduled_date=date(2026, 11, 3), inspector="张工"
        )
        run_id, result_id = run.id, run.results[0].id
    with store.session() as s, pytest.raises(DomainError, match="「异常情况」"):
        ins.set_result(s, result_id, status="abnormal", note="磁盘\ud800满")
    with store.session() as s, pytest.raises(DomainError, match="「说明」"):
        attachments.add_attachment(
            s, "inspection_run", run_id, png_bytes(), "a.png", caption="\ud800"
        )
    with store.session() as s, pytest.raises(DomainError, match="「文件名」"):
        attachments.add_attachment(s, "inspection_run", run_id, png_bytes(), "截图\udc81.png")
    assert rows(store, Attachment) == 0 and rows(store, Blob) == 0
    with store.session() as s:
        added = attachments.add_attachment(
            s, "inspection_run", run_id, png_bytes(), "截\x00图\x9b.png", caption="说\x07明"
        )
        s.flush()
        assert (added.filename, added.caption) == ("截图.png", "说明")
    with store.session() as s:
        for result in s.get(InspectionRun, run_id).results:
            ins.set_result(s, result.id, status="normal")
        ins.complete_run(s, run_id, conclusion="正常")
    with store.session() as s, pytest.raises(DomainError, match="「签字人姓名」"):
        signing.sign(s, "inspection_run", run_id, role="运维人员", signer_name="张\ud800",
                     png=png_bytes(), signed_at=datetime(2026, 11, 3, 17), now=NOW)  # fmt: skip
    assert rows(store, Signature) == 0


def test_drafts_keep_what_was_typed_and_never_fail_on_a_surrogate(store: Store) -> None:
    key = "service_request:new:1"
    with store.session() as s:
        drafts.save_field(
            s, key, "service_request", "description", "断网\ud800了\x00", title="来电\udc00"
        )
        drafts.save_field(s, key, "service_request", "flags", {"选\ud800": ["a\udfff", 1]})
    with store.session() as s:
        assert drafts.load(s, key) == {
            "description": "断网\ufffd了\x00",  # as typed; the service strips the NUL on saving
            "flags": {"选\ufffd": ["a\ufffd", 1]},
        }
        (info,) = drafts.open_drafts(s)
        assert info.title == "来电\ufffd"
    with pytest.raises(DomainError, match="「字段」") as caught, store.session() as s:
        drafts.save_field(s, key, "service_request", "bad\ud800field", "x")
    chinese(caught.value.message)
    assert rows(store, Draft) == 2


def test_holiday_events_calendar_and_saved_signatures(store: Store, tmp_path: Path) -> None:
    with store.session() as s:
        contract = install(s)
        before = count(s, HolidayPeriod)
        with pytest.raises(DomainError, match="「保障期名称」"):
            holidays.add_event(s, contract, "进博会\ud800", date(2026, 11, 5), date(2026, 11, 10))
        with pytest.raises(DomainError, match="「说明」"):
            holidays.add_event(
                s, contract, "进博会", date(2026, 11, 5), date(2026, 11, 10), note="\udc00"
            )
        event = holidays.add_event(
            s, contract, "进\x00博会", date(2026, 11, 5), date(2026, 11, 10), note="保\x1b障"
        )
        assert (event.name, event.note) == ("进博会", "保障")
        assert count(s, HolidayPeriod) == before + 1
        with pytest.raises(DomainError, match="「日历说明」"):
            workcal.set_override(s, date(2027, 1, 4), workday=True, name="调休\ud800")
        assert (
            workcal.set_override(s, date(2027, 1, 4), workday=True, name="调\x00休").name == "调休"
        )
    with pytest.raises(DomainError, match="「签字人姓名」"):
        signature_vault.save_signature(tmp_path, "张\ud800", png_bytes(), "123456")
    with pytest.raises(DomainError, match="PIN/口令中含有无效字符"):
        signature_vault.save_signature(tmp_path, "张工", png_bytes(), "1234\ud800")
    assert signature_vault.has_signature(tmp_path, "张\ud800") is False
    signature_vault.save_signature(tmp_path, "张工", png_bytes(), "123456")
    with pytest.raises(DomainError, match="PIN/口令中含有无效字符"):
        signature_vault.load_signature(tmp_path, "张工", "\ud800\ud800\ud800\ud800")
    assert not (tmp_path / "signatures").joinpath("x").exists()


def test_the_safety_net_translates_a_surrogate_that_reached_the_database(store: Store) -> None:
    with pytest.raises(DomainError, match="无效字符") as caught, store.session() as s:
        s.add(CalendarOverride(day=date(2027, 1, 4), workday=True, name="绕过服务\ud800"))
        s.flush()
    assert isinstance(caught.value.__cause__, UnicodeEncodeError)
    chinese(caught.value.message)
    assert rows(store, CalendarOverride) == 0


def test_a_profile_with_a_surrogate_is_refused_naming_the_field_and_controls_are_stripped() -> None:
    data = portal_profile().model_dump(mode="json")
    data["name"] = "门户\x00运维\x1b项目"
    data["systems"][0]["name"] = "网站\ud800"
    with pytest.raises(ProfileError) as caught:
        validate_profile(data, "bad.yaml")
    assert "字段 systems[0].name：第 3 个字符无效" in caught.value.message
    data["systems"][0]["name"] = "网站"
    assert validate_profile(data, "ok.yaml").name == "门户运维项目"


def test_the_command_line_refuses_broken_arguments_in_chinese(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(isolated_dirs)]
    assert main([*data, "calendar", "2027-01-04", "workday", "--name", "调休\udcff"]) == 2
    _, err = capsys.readouterr()
    assert "「日历说明」" in err and "Traceback" not in err
    assert main([*data, "--as", "张\udcff", "calendar", "2027-01-04", "workday"]) == 2
    _, err = capsys.readouterr()
    assert "操作人姓名（--as）中含有无效字符" in err
    assert (
        main([*data, "--as", "张\x1b工", "calendar", "2027-01-04", "workday", "--name", "调\x00休"])
        == 0
    )
    out, _ = capsys.readouterr()
    assert out.strip() == "已将 2027-01-04 设为工作日：调休"
    store = Store.open(isolated_dirs)
    try:
        with store.session() as s:
            (row,) = s.scalars(select(CalendarOverride)).all()
            assert (row.name, row.created_by) == ("调休", "张工")
    finally:
        store.close()


def test_export_names_drop_surrogates_and_control_characters() -> None:
    assert safe("中期\ud800归档\x85\x7f") == "中期_归档__"
    assert safe("\udcff") == "_"
