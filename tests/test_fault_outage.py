"""是否中断服务: recording a fault's outage, the rule for faults that do not say, and the
signed content of faults signed before the outage columns existed (revision 0006)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, select

from app.cli.main import main
from app.errors import DomainError
from app.records import faults, signing
from app.storage.store import Store
from db.audit import canonical_json
from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision
from db.models import AuditEntry, FaultRecord
from tests.factories import count, install, png_bytes

T0 = datetime(2026, 11, 3, 10, 0)
NOW = datetime(2026, 12, 20, 12, 0)
OUTAGE_COLUMNS = ("service_interrupted", "outage_start", "outage_end", "outage_systems")


def _fault(s, **kw: object) -> FaultRecord:
    args: dict[str, object] = {"title": "门户无法访问", "level": "major", "reported_at": T0}
    args.update(kw)
    return faults.create_fault(s, "test-portal", now=NOW, **args)  # type: ignore[arg-type]


def _closed(s, system: str | None = "portal") -> FaultRecord:
    fault = _fault(s, system_code=system)
    s.flush()
    faults.set_time(s, fault.id, "recovered", T0 + timedelta(hours=1), now=NOW)
    faults.close_fault(s, fault.id, T0 + timedelta(hours=2), now=NOW)
    return fault


def test_an_outage_is_recorded_for_the_faults_systems_within_its_timeline(store: Store) -> None:
    with store.session() as s:
        install(s)
        fault = _fault(s, system_code="portal")
        s.flush()
        # 「是」 without systems: the fault's own system
        faults.set_outage(s, fault.id, True, start=T0 + timedelta(minutes=5), now=NOW)
        assert fault.service_interrupted is True and fault.outage_systems == ["portal"]
        assert fault.outage_end is None  # still down
        faults.set_outage(
            s,
            fault.id,
            True,
            start=T0,
            end=T0 + timedelta(minutes=40),
            systems=["api", "portal", "api"],
            now=NOW,
        )
        assert fault.outage_systems == ["api", "portal"]
        faults.set_outage(s, fault.id, False, now=NOW)
        assert (fault.service_interrupted, fault.outage_start, fault.outage_systems) == (
            False,
            None,
            None,
        )
        faults.set_outage(s, fault.id, None, now=NOW)
        assert fault.service_interrupted is None


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"interrupted": True}, "中断服务时必须填写中断开始时间"),
        (
            {"interrupted": True, "start": T0 - timedelta(minutes=1)},
            "中断开始时间不能早于报告时间",
        ),
        (
            {"interrupted": True, "start": T0, "end": T0},
            "中断结束时间必须晚于中断开始时间",
        ),
        (
            {"interrupted": True, "start": T0, "end": NOW + timedelta(minutes=6)},
            "不能填写将来的时间",
        ),
        ({"interrupted": True, "start": T0, "systems": ["nope"]}, "没有代码为 “nope” 的系统"),
        ({"interrupted": False, "start": T0}, "未中断服务时不能填写中断开始/结束时间"),
        ({"interrupted": False, "systems": ["portal"]}, "未中断服务时不能选择中断的系统"),
        ({"interrupted": None, "start": T0}, "未说明是否中断服务时不能填写"),
        ({"interrupted": "是"}, "「是否中断服务」应为 是 或 否"),
    ],
)
def test_an_outage_is_refused_in_chinese_and_nothing_changes(
    store: Store, kw: dict[str, object], message: str
) -> None:
    with store.session() as s:
        install(s)
        fault_id = _fault(s, system_code="portal").id
    with store.session() as s:
        entries = count(s, AuditEntry)
        interrupted = kw.pop("interrupted")
        with pytest.raises(DomainError, match=message):
            faults.set_outage(s, fault_id, interrupted, now=NOW, **kw)  # type: ignore[arg-type]
    with store.session() as s:
        assert faults.get_fault(s, fault_id).service_interrupted is None
        assert count(s, AuditEntry) == entries


def test_an_outage_needs_a_system_and_lies_within_the_closed_timeline(store: Store) -> None:
    with store.session() as s:
        install(s)
        nowhere = _fault(s)  # no system of its own
        closed = _closed(s)
        s.flush()
        with pytest.raises(DomainError, match="中断服务时请选择不可用的系统"):
            faults.set_outage(s, nowhere.id, True, start=T0, now=NOW)
        with pytest.raises(DomainError, match="故障已关闭，请填写中断结束时间"):
            faults.set_outage(s, closed.id, True, start=T0, now=NOW)
        with pytest.raises(DomainError, match="中断结束时间不能晚于关闭时间"):
            faults.set_outage(s, closed.id, True, start=T0, end=T0 + timedelta(hours=3), now=NOW)
        with pytest.raises(DomainError, match="中断开始时间不能晚于关闭时间"):
            faults.set_outage(
                s,
                closed.id,
                True,
                start=T0 + timedelta(hours=2, minutes=1),
                end=T0 + timedelta(hours=2, minutes=2),
                now=NOW,
            )
        faults.set_outage(s, closed.id, True, start=T0, end=T0 + timedelta(hours=1), now=NOW)


def test_the_timeline_cannot_move_away_from_its_outage(store: Store) -> None:
    with store.session() as s:
        install(s)
        fault = _fault(s, system_code="portal")
        s.flush()
        faults.set_outage(s, fault.id, True, start=T0 + timedelta(minutes=10), now=NOW)
        with pytest.raises(DomainError, match="中断开始时间不能早于报告时间"):
            faults.set_time(s, fault.id, "reported", T0 + timedelta(minutes=20), now=NOW)
        faults.set_time(s, fault.id, "recovered", T0 + timedelta(hours=1), now=NOW)
        with pytest.raises(DomainError, match="故障已关闭，请填写中断结束时间"):
            faults.close_fault(s, fault.id, T0 + timedelta(hours=2), now=NOW)
        faults.set_outage(
            s, fault.id, True, start=fault.outage_start, end=T0 + timedelta(hours=1), now=NOW
        )
        faults.close_fault(s, fault.id, T0 + timedelta(hours=2), now=NOW)
        assert fault.closed_at == T0 + timedelta(hours=2)


def test_a_fault_that_does_not_say_counts_from_its_report_to_its_recovery(store: Store) -> None:
    with store.session() as s:
        install(s)
        fault = _closed(s)
        s.flush()
        assert faults.outage_of(fault, "portal") == faults.Outage(
            ("portal",), T0, T0 + timedelta(hours=1), recorded=False
        )
        assert faults.outage_of(fault, None) == faults.Outage(
            None, T0, T0 + timedelta(hours=1), recorded=False
        )  # no system of its own: every system
        faults.set_outage(s, fault.id, False, now=NOW)
        assert faults.outage_of(fault, "portal") is None
        faults.set_outage(
            s, fault.id, True, start=T0, end=T0 + timedelta(minutes=30), systems=["api"], now=NOW
        )
        assert faults.outage_of(fault, "portal") == faults.Outage(
            ("api",), T0, T0 + timedelta(minutes=30)
        )


def test_an_outage_is_signed_content_and_amended_like_any_field(store: Store) -> None:
    with store.session() as s:
        install(s)
        unsaid, said = _closed(s), _closed(s)
        s.flush()
        before = signing.content_hash(s, "fault_record", said.id)
        content = signing.record_content(s, "fault_record", unsaid.id)["record"]
        assert not set(OUTAGE_COLUMNS) & set(content)  # NULL: left out, as before revision 0006
        faults.set_outage(s, said.id, False, now=NOW)
        assert signing.content_hash(s, "fault_record", said.id) != before
        assert (
            signing.record_content(s, "fault_record", said.id)["record"]["service_interrupted"]
            is False
        )
        signing.sign(
            s, "fault_record", said.id, role="运维人员", signer_name="工程师甲",
            png=png_bytes(), signed_at=NOW, now=NOW,
        )  # fmt: skip
        amended = signing.amend(s, "fault_record", said.id, reason="实际中断了服务", actor="甲")
        s.flush()
        faults.set_outage(
            s, amended.id, True, start=T0, end=T0 + timedelta(minutes=45), systems=["portal"]
        )
        s.flush()
        changes = {c.field: (c.old, c.new) for c in signing.diff(s, said.id, amended.id)}
        assert changes["service_interrupted"] == (False, True)
        assert changes["outage_systems"] == (None, ["portal"])


def _old_hash(folder: Path, fault_id: str) -> str:
    """The fault's content hash as the code before revision 0006 made it, from the 0005 table."""
    engine = make_engine(folder / "omw.sqlite3")
    try:
        command.downgrade(alembic_config(engine), "0005")
        assert current_revision(engine) == "0005"
        table = Table("fault_record", MetaData(), autoload_with=engine)
        assert not set(OUTAGE_COLUMNS) & set(table.c.keys())
        with engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.id == fault_id)).mappings().one()
        columns = {c.key: row[c.key] for c in table.columns if c.key not in signing._BOOKKEEPING}
        content = {"record_type": "fault_record", "record": columns, "attachments": []}
        return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
    finally:
        engine.dispose()


def test_a_fault_signed_before_revision_0006_still_verifies_after_it(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.session() as s:
        install(s)
        fault = _closed(s)
        s.flush()
        signature = signing.sign(
            s, "fault_record", fault.id, role="运维人员", signer_name="工程师甲",
            png=png_bytes(), signed_at=NOW, now=NOW,
        )  # fmt: skip
        fault_id, signed_hash = fault.id, signature.content_sha256
    folder = store.folder
    store.close()
    # the store as revision 0005 kept it, and the hash the code of that time computed
    assert _old_hash(folder, fault_id) == signed_hash
    # opening it migrates through 0006 (nothing of the signed row changes) and the check passes
    reopened = Store.open(folder, actor="测试")
    try:
        assert current_revision(reopened.engine) == head_revision(reopened.engine)
        with reopened.session() as s:
            fault = faults.get_fault(s, fault_id)
            assert fault.service_interrupted is None and fault.locked_at is not None
            assert signing.content_hash(s, "fault_record", fault_id) == signed_hash
            assert signing.verify_record(s, "fault_record", fault_id).ok
    finally:
        reopened.close()
    assert main(["--data-dir", str(folder), "check"]) == 0
    out = capsys.readouterr().out
    assert "未发现问题" in out
