"""复核: the queue, countersigning, sending back, batch countersigning, month-pack refusal."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.contracts.profile_schema import Profile
from app.errors import DomainError
from app.export import packs
from app.records import inspections as ins
from app.records import review, signing
from app.storage import paths
from app.storage.store import Store
from db.models import ReviewReturn, Signature
from tests.factories import (
    checklist,
    daily_server_checklist,
    install,
    item,
    make_profile,
    png_bytes,
    results_by_code,
)

NOW = datetime(2026, 12, 20, 12, 0)


def _profile(required: bool) -> Profile:
    """Two daily checks (so two engineers can check the same day); review as asked."""
    return make_profile(
        checklists=[
            daily_server_checklist(),
            checklist("app-check", name="应用巡检", groups=[("应用", [item("reach", "可访问")])]),
        ],
        review_required=required,
    )


def _run(
    s: Session,
    day: date,
    inspector: str,
    *,
    template: str = "daily-server",
    exception: bool = False,
) -> str:
    """A completed daily check of ``day``, signed by ``inspector`` as 运维人员."""
    run = ins.start_run(s, "test-portal", template, scheduled_date=day, inspector=inspector)
    by = results_by_code(run)
    for system in ("portal", "exchange", "api") if template == "daily-server" else ():
        ins.set_result(s, by[(system, "disk")].id, value=40)
    if exception:
        ins.set_result(s, by[("api", "server-status")].id, status="异常", note="应用无响应")
        ins.set_result(s, by[("api", "server-status")].id, action="重启 tomcat 后恢复")
    ins.mark_rest_normal(s, run.id)
    ins.complete_run(
        s,
        run.id,
        conclusion=ins.suggest_conclusion(run),
        remediation="重启" if exception else "",
        remediation_deadline=date(2026, 11, 30) if exception else None,
        completed_at=datetime.combine(day, datetime.min.time()).replace(hour=10),
    )
    signing.sign(
        s,
        "inspection_run",
        run.id,
        role="运维人员",
        signer_name=inspector,
        png=png_bytes(seed=1),
        signed_at=datetime.combine(day, datetime.min.time()).replace(hour=11),
        now=NOW,
    )
    return run.id


@pytest.fixture
def team(store: Store) -> dict[str, str]:
    """Two engineers' runs in November (one with an exception) and one in October."""
    with store.session() as s:
        install(s, _profile(True))
        ids = {
            "zhang": _run(s, date(2026, 11, 3), "张工"),
            "zhang2": _run(s, date(2026, 11, 3), "张工", template="app-check"),
            "li": _run(s, date(2026, 11, 4), "李工", exception=True),
            "october": _run(s, date(2026, 10, 20), "李工"),
        }
    return ids


def test_queue_filters_by_engineer_kind_and_month(store: Store, team: dict[str, str]) -> None:
    with store.session() as s:
        everything = review.queue(s)
        assert {i.record_id for i in everything} == set(team.values())
        assert {i.record_id for i in review.queue(s, engineer="张工")} == {
            team["zhang"],
            team["zhang2"],
        }
        november = review.queue(s, month="2026-11", contract="test-portal")
        assert team["october"] not in {i.record_id for i in november} and len(november) == 3
        assert review.queue(s, kind="fault_record") == []
        li = next(i for i in everything if i.record_id == team["li"])
        assert li.exceptions == 1 and not li.routine and li.state == review.PENDING
        assert review.engineers(s) == ["张工", "李工"]
        with pytest.raises(DomainError, match="月份格式"):
            review.queue(s, month="2026-13")


def test_countersign_leaves_the_queue_and_is_sealed(store: Store, team: dict[str, str]) -> None:
    with store.session() as s:
        signature = review.countersign(s, team["li"], signer_name="王经理", png=png_bytes(seed=2))
        assert signature.role == "复核人" and signature.device_sig
        assert team["li"] not in {i.record_id for i in review.queue(s)}
        report = signing.verify_record(s, "inspection_run", team["li"])
        assert report.ok and [c.role for c in report.signatures] == ["运维人员", "复核人"]
        with pytest.raises(DomainError, match="每个角色只签一次"):
            review.countersign(s, team["li"], signer_name="王经理", png=png_bytes(seed=2))


def test_send_back_then_amendment_answers_it(store: Store, team: dict[str, str]) -> None:
    with store.session() as s:
        with pytest.raises(DomainError, match="退回原因"):
            review.send_back(s, team["li"], reason="  ", actor="王经理")
        review.send_back(s, team["li"], reason="异常未写处理结果", actor="王经理", now=NOW)
        item = next(i for i in review.queue(s) if i.record_id == team["li"])
        assert item.state == review.RETURNED and item.returns[0].reason == "异常未写处理结果"
        [(note, answered)] = review.returns_for(s, "李工")
        assert note.engineer == "李工" and not answered
        assert review.returns_for(s, "张工") == []
    with store.session() as s:  # the engineer answers with an amendment and signs it
        amended = signing.amend(
            s, "inspection_run", team["li"], reason="补写处理结果", actor="李工"
        )
        s.flush()
        ins.complete_run(s, amended.id, conclusion="已处理", completed_at=datetime(2026, 11, 6, 9))
        signing.sign(
            s,
            "inspection_run",
            amended.id,
            role="运维人员",
            signer_name="李工",
            png=png_bytes(seed=1),
            now=NOW,
        )
        amended_id = amended.id
    with store.session() as s:
        ids = {i.record_id: i for i in review.queue(s)}
        assert team["li"] not in ids and ids[amended_id].state == review.ANSWERED
        assert ids[amended_id].returns[0].reason == "异常未写处理结果"
        [(_note, answered)] = review.returns_for(s)
        assert answered


def test_returns_are_append_only(store: Store, team: dict[str, str]) -> None:
    with store.session() as s:
        review.send_back(s, team["zhang"], reason="日期有误", actor="王经理")
    con = sqlite3.connect(paths.db_path(store.folder))
    for statement in ("UPDATE review_return SET reason = 'x'", "DELETE FROM review_return"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(statement)
    row = con.execute("SELECT * FROM review_return").fetchone()
    marks = ",".join("?" * len(row))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(f"INSERT OR REPLACE INTO review_return VALUES ({marks})", row)
    con.close()
    with store.session() as s:
        assert s.scalar(select(ReviewReturn.reason)) == "日期有误"


def test_batch_countersign_needs_viewing_and_refuses_exceptions(
    store: Store, team: dict[str, str]
) -> None:
    day = [team["zhang"], team["li"]]
    with store.session() as s:
        with pytest.raises(DomainError) as refused:
            review.countersign_batch(
                s, day, viewed=day, signer_name="王经理", png=png_bytes(seed=2)
            )
        assert "1 项异常" in refused.value.message
        with pytest.raises(DomainError, match="尚未查看"):
            review.countersign_batch(
                s,
                [team["zhang"], team["zhang2"]],
                viewed=[team["zhang"]],
                signer_name="王经理",
                png=png_bytes(seed=2),
            )
        assert s.scalar(select(Signature.id).where(Signature.role == "复核人")) is None
        signed = review.countersign_batch(
            s,
            [team["zhang"], team["zhang2"]],
            viewed=[team["zhang"], team["zhang2"]],
            signer_name="王经理",
            png=png_bytes(seed=2),
        )
        assert len(signed) == 2
        assert {i.record_id for i in review.queue(s)} == {team["li"], team["october"]}


def test_month_pack_refuses_unreviewed_records_unless_allowed(
    store: Store, team: dict[str, str], tmp_path: Path
) -> None:
    with store.session() as s:
        plan = packs.plan_month(s, "test-portal", "2026-11", today=date(2026, 12, 20))
        assert {i.record_id for i in plan.unreviewed} == {team["zhang"], team["zhang2"], team["li"]}
    out = tmp_path / "out"
    with pytest.raises(packs.UnreviewedError) as refused:
        packs.export_pack(store, plan, out, record=False, now=NOW)
    assert "3 条记录尚未经复核人签字" in refused.value.message and "李工" in refused.value.message
    assert not out.exists()  # refused before anything is written
    confirmed = packs.export_pack(store, plan, out, record=False, now=NOW, allow_unreviewed=True)
    assert confirmed.folder.is_dir()
    with store.session() as s:
        for key in ("zhang", "zhang2", "li"):
            review.countersign(s, team[key], signer_name="王经理", png=png_bytes(seed=2))
    with store.session() as s:
        assert packs.plan_month(s, "test-portal", "2026-11").unreviewed == []


def test_not_required_by_the_profile_lists_nothing(store: Store) -> None:
    with store.session() as s:
        install(s, _profile(False))
        _run(s, date(2026, 11, 3), "张工")
        assert packs.plan_month(s, "test-portal", "2026-11").unreviewed == []
        assert len(review.queue(s)) == 1


def test_cli_list_sign_and_return(
    store: Store, team: dict[str, str], tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(store.folder)
    store.close()
    image = tmp_path / "sig.png"  # type: ignore[operator]
    image.write_bytes(png_bytes(seed=3))
    assert main(["--data-dir", folder, "review", "list", "--engineer", "张工", "--json"]) == 0
    listed = capsys.readouterr().out
    assert team["zhang"] in listed and team["li"] not in listed
    code = main(
        [
            "--data-dir",
            folder,
            "review",
            "sign",
            team["zhang"][:8],
            "--as",
            "王经理",
            "--image",
            str(image),
        ]
    )
    assert code == 0 and "王经理" in capsys.readouterr().out
    assert main(["--data-dir", folder, "review", "sign", team["zhang2"], "--as", "王经理"]) == 2
    assert "没有保存「王经理」的签名" in capsys.readouterr().err
    code = main(
        [
            "--data-dir",
            folder,
            "review",
            "return",
            team["li"],
            "--reason",
            "请补充",
            "--as",
            "王经理",
        ]
    )
    assert code == 0 and "李工" in capsys.readouterr().out
    assert main(["--data-dir", folder, "review", "list", "--month", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "已退回" in out and team["zhang"][:8] not in out


def test_a_voided_record_leaves_the_queue(store: Store, team: dict[str, str]) -> None:
    from app.team.voids import void

    with store.session() as s:
        void(s, "inspection_run", team["li"], reason="重复录入", actor="王经理")
    with store.session() as s:
        assert team["li"] not in {i.record_id for i in review.queue(s)}
        assert team["li"] not in {
            i.record_id for i in packs.plan_month(s, "test-portal", "2026-11").unreviewed
        }


def test_a_return_travels_in_a_bundle_and_the_amendment_answers_it(
    store: Store, team: dict[str, str], tmp_path: Path
) -> None:
    from app.team import bundles

    with store.session() as s:
        review.send_back(s, team["li"], reason="请补充处理结果", actor="王经理", now=NOW)
    bundle = bundles.export_bundle(store, tmp_path / "pm.omwbundle", "bundle-pass-2026").path
    laptop = Store.open(tmp_path / "li", actor="李工")
    try:
        report = bundles.import_bundle(laptop, bundle, "bundle-pass-2026", trust_new_signer=True)
        assert report.new.get("review_return") == 1
        with laptop.session() as s:
            [(note, answered)] = review.returns_for(s, "李工")
            assert note.record_id == team["li"] and note.reason == "请补充处理结果"
            assert not answered
            amended = signing.amend(s, "inspection_run", team["li"], reason="补充", actor="李工")
            amended_id = amended.id
        with laptop.session() as s:
            [(_note, answered)] = review.returns_for(s, "李工")
            assert answered and amended_id
    finally:
        laptop.close()
