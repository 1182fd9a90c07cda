"""Meeting minutes: draft, validation, 定稿, signing, lock, amendment, tamper check, migration."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from alembic import command
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from app.cli.main import main
from app.errors import DomainError, LockedError
from app.export import packs
from app.export.completeness import IncompleteError
from app.records import listings, meetings, signing
from app.records.integrity_check import check_store
from app.storage import paths
from app.storage.store import Store
from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision
from db.models import AuditEntry, MeetingMinutes
from tests.factories import count, install, internet_profile, png_bytes
from tests.test_export_fixtures import demo_dir, demo_store  # noqa: F401

T0 = datetime(2026, 11, 6, 9, 30)
NOW = datetime(2026, 11, 20, 12, 0)
CONTRACT = "test-internet"


def _complete(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "11月第1周运维例会",
        "place": "甲方信息中心 3 楼会议室",
        "host": "项目经理甲",
        "recorder": "工程师乙",
        "attendees": "项目经理甲、工程师乙、甲方联系人丙",
        "agenda": "1. 上周巡检情况\n2. 网上申报系统告警",
        "decisions": "申报系统磁盘于本周五前扩容。",
        "action_items": [
            {"content": "申报系统数据盘扩容至 500G", "owner": "工程师乙", "due_date": "2026-11-13"},
            {"content": "整理告警阈值清单", "owner": "工程师丁", "due_date": date(2026, 11, 10)},
        ],
    }
    return values | extra


def _new(s: Session, **fields: Any) -> MeetingMinutes:
    values = {"meeting_at": T0, "ended_at": T0 + timedelta(hours=1)} | fields
    meeting = meetings.create_meeting(s, CONTRACT, now=NOW, **values)
    s.flush()
    return meeting


def _sign(s: Session, meeting_id: str, role: str = "运维人员") -> None:
    signing.sign(
        s, "meeting_minutes", meeting_id, role=role, signer_name="工程师乙",
        png=png_bytes(), signed_at=NOW, now=NOW,
    )  # fmt: skip


def test_a_draft_is_numbered_per_month_and_may_be_incomplete(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        first = _new(s)
        assert first.number == "HY-202611-0001" and first.status == "draft"
        assert first.title == meetings.DEFAULT_TITLE and first.action_items == []
        assert _new(s, meeting_at=T0 + timedelta(days=7), ended_at=None).number == "HY-202611-0002"
        assert _new(s, meeting_at=datetime(2026, 10, 30, 16), ended_at=None).number == (
            "HY-202610-0001"
        )
        rows = listings.meeting_rows(s, CONTRACT)
        assert [r.number for r in rows] == ["HY-202611-0002", "HY-202611-0001", "HY-202610-0001"]
        assert rows[0].status == "草稿" and rows[0].actions == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ended_at": T0}, "结束时间应晚于会议开始时间"),
        ({"ended_at": T0 + timedelta(hours=30)}, "超过 24 小时"),
        ({"meeting_at": NOW + timedelta(hours=2), "ended_at": None}, "不能填写将来的时间"),
        ({"action_items": [{"owner": "工程师乙"}]}, "行动项 1：请填写要做的事"),
        (
            {"action_items": [{"content": "扩容", "due_date": "2026-11-01"}]},
            "完成时间 2026-11-01 早于会议日期 2026-11-06",
        ),
        ({"action_items": [{"content": "扩容", "due_date": "11/13"}]}, "不是有效日期"),
        ({"action_items": [{"content": "扩容", "done": "yes"}]}, "「已完成」必须是是或否"),
        ({"host": "甲" * 65}, "「主持人」过长"),
        ({"venue": "会议室"}, "没有这些字段：venue"),
    ],
)
def test_invalid_minutes_are_refused_and_write_nothing(
    store: Store, fields: dict[str, Any], message: str
) -> None:
    with store.session() as s:
        install(s, internet_profile())
        s.flush()
        entries = count(s, AuditEntry)
        with pytest.raises(DomainError, match=message):
            _new(s, **fields)
        assert count(s, MeetingMinutes) == 0 and count(s, AuditEntry) == entries


def test_problems_are_said_per_field_at_once() -> None:
    values = {
        "meeting_at": T0,
        "ended_at": T0 - timedelta(minutes=5),
        "title": "例会",
        "action_items": [meetings.ActionItem("扩容", "", None), meetings.ActionItem(owner="乙")],
    }
    draft = meetings.problems(values, final=False, now=NOW)
    assert set(draft) == {"ended_at", "action_items.1.content"}
    final = meetings.problems(values, final=True, now=NOW)
    assert set(final) == {
        "ended_at",
        "place",
        "host",
        "recorder",
        "attendees",
        "agenda",
        "decisions",
        "action_items.0.owner",
        "action_items.0.due_date",
        "action_items.1.content",
    }
    assert final["host"] == "定稿前请填写「主持人」。"


def test_finalize_sign_lock_and_amend(store: Store) -> None:
    with store.session() as s:
        install(s, internet_profile())
        meeting = _new(s)
        with pytest.raises(DomainError, match="尚未定稿"):
            _sign(s, meeting.id)
        with pytest.raises(DomainError, match="还不能定稿：定稿前请填写「地点」"):
            meetings.finalize(s, meeting.id, now=NOW)
        assert meeting.status == "draft"
        meetings.update_meeting(s, meeting.id, now=NOW, **_complete())
        meetings.finalize(s, meeting.id, now=NOW)
        assert meeting.status == "final"
        assert meeting.action_items[0] == {
            "content": "申报系统数据盘扩容至 500G",
            "owner": "工程师乙",
            "due_date": "2026-11-13",
            "done": False,
        }
        with pytest.raises(DomainError, match="已定稿的会议纪要必须完整：定稿前请填写「决议」"):
            meetings.update_meeting(s, meeting.id, decisions="  ")
        _sign(s, meeting.id)
        s.flush()
        assert meeting.locked_at == NOW
        with pytest.raises(LockedError):
            meetings.update_meeting(s, meeting.id, place="另一会议室")
        _sign(s, meeting.id, "复核人")
        assert signing.verify_record(s, "meeting_minutes", meeting.id).ok
        digest = signing.content_hash(s, "meeting_minutes", meeting.id)
        assert signing.content_hashes(s, "meeting_minutes", [meeting.id]) == {meeting.id: digest}
        amended = signing.amend(
            s, "meeting_minutes", meeting.id, reason="行动项负责人记错", actor="工程师乙"
        )
        s.flush()
        assert amended.number == meeting.number and amended.status == "final"
        items = meetings.stored_actions(amended)
        items[1] = meetings.ActionItem(items[1].content, "工程师乙", items[1].due_date, True)
        meetings.update_meeting(s, amended.id, action_items=items)
        s.flush()
        changes = {c.field: c.label for c in signing.diff(s, meeting.id, amended.id)}
        assert changes == {"action_items": "行动项"}
        rows = listings.meeting_rows(s, CONTRACT)
        assert [(r.id, r.status, r.actions) for r in rows] == [(amended.id, "已定稿", 2)]
        actions = [
            e.action for e in s.query(AuditEntry).filter(AuditEntry.entity == "meeting_minutes")
        ]
        assert actions[0] == "create" and "lock" in actions and actions[-1] in ("update", "amend")


def test_a_signed_meeting_changed_with_a_database_tool_is_reported(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.session() as s:
        install(s, internet_profile())
        meeting = _new(s, **_complete())
        meetings.finalize(s, meeting.id, now=NOW)
        _sign(s, meeting.id)
        meeting_id, number = meeting.id, meeting.number
    folder = store.folder
    store.close()
    con = sqlite3.connect(paths.db_path(folder))
    try:
        with pytest.raises(sqlite3.IntegrityError, match="record is signed and locked"):
            con.execute("UPDATE meeting_minutes SET decisions = '无' WHERE id = ?", (meeting_id,))
        with pytest.raises(sqlite3.IntegrityError, match="record is signed and locked"):
            con.execute(
                "INSERT OR REPLACE INTO meeting_minutes SELECT * FROM meeting_minutes WHERE id = ?",
                (meeting_id,),
            )
        con.execute("DROP TRIGGER meeting_minutes_locked_update")
        con.execute("UPDATE meeting_minutes SET decisions = '不扩容' WHERE id = ?", (meeting_id,))
        con.commit()
    finally:
        con.close()
    reopened = Store.open(folder, exclusive=False)
    try:
        report, _notes = check_store(reopened, [])
    finally:
        reopened.close()
    problem = f"会议纪要 {number}（2026-11-06）：「运维人员」工程师乙 签字后，记录内容被改动。"
    assert [p.line() for p in report.problems] == [problem]
    assert main(["--data-dir", str(folder), "check"]) == 1  # omw check says the same
    assert problem in capsys.readouterr().err


def test_a_store_of_revision_0006_gains_the_protected_table(store: Store) -> None:
    folder = store.folder
    store.close()
    engine = make_engine(paths.db_path(folder))
    try:
        command.downgrade(alembic_config(engine), "0006")
        assert "meeting_minutes" not in sa_inspect(engine).get_table_names()
    finally:
        engine.dispose()
    reopened = Store.open(folder, actor="测试")
    try:
        assert current_revision(reopened.engine) == head_revision(reopened.engine)
        with reopened.session() as s:
            install(s, internet_profile())
            assert _new(s).number == "HY-202611-0001"
    finally:
        reopened.close()
    con = sqlite3.connect(paths.db_path(folder))
    try:
        triggers = {
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                ("meeting_minutes",),
            )
        }
    finally:
        con.close()
    assert triggers == {f"meeting_minutes_locked_{e}" for e in ("update", "delete", "replace")}


# --------------------------------------------------------------------------- export


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_minutes_form_prints_each_meeting_with_its_decisions_and_action_items(
    demo_store: Store,  # noqa: F811
    tmp_path: Path,
) -> None:
    with demo_store.session() as s:
        held = listings.meeting_rows(s, "internet-om")
        assert [r.meeting_at.date() for r in held] == [date(2026, 10, 27)]
        fields = meetings.meeting_fields(s, held[0].id)
        names = [sig.signer_name for sig in signing.signatures_of(s, "meeting_minutes", held[0].id)]
    result = packs.export_form(
        demo_store,
        "meeting_minutes",
        tmp_path / "m.docx",
        contract="internet-om",
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
    )
    assert result.record_ids == [held[0].id]
    text = _docx_text(result.path)
    for line in fields["decisions"].splitlines():
        assert line.split(". ", 1)[1] in text
    for item in fields["action_items"]:
        assert item.content in text and item.owner in text and item.due_date.isoformat() in text
    assert fields["number"] in text and "10月运维例会" in text
    for role in signing.ROLES:
        assert role in text
    assert names and all(f"签字人：{name}" in text for name in names)
    assert "{{" not in text and "None" not in text


def test_a_month_without_a_meeting_is_reported_as_missing_content_and_not_packed(
    demo_store: Store,  # noqa: F811
    tmp_path: Path,
) -> None:
    with demo_store.session() as s:
        october = packs.plan_month(s, "internet-om", "2026-10")
        november = packs.plan_month(s, "internet-om", "2026-11")
    assert all(m.form != "meeting_minutes" for m in october.incomplete)
    assert not any(f.missing for f in october.files if f.kind == "meeting_minutes")
    missing = [m for m in november.incomplete if m.form == "meeting_minutes"]
    assert len(missing) == 1 and missing[0].deliverable_name == "例会会议纪要"
    assert "2026年11月没有例会记录" in missing[0].reason
    assert missing[0].paths == tuple(f.path for f in november.files if f.kind == "meeting_minutes")
    with pytest.raises(IncompleteError, match="例会会议纪要（2026年11月）：2026年11月没有例会记录"):
        packs.export_pack(demo_store, november, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
