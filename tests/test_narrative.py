"""Narrative sections drafted from the data, saved per occurrence, supplied by a file.

The data set is the hand-computed June 2026 of ``tests/test_report_figures.py``
plus, written here:

- the W25 weekly check run on 06-17 (deadline Sun 06-21: on time) with its item
  at 警告 「磁盘使用率 88%」 and no action, and the 整改 「更换磁盘」 due 06-20;
- two 一般 faults of 系统A (06-05 and 06-15, answered in 5', recovered in 30':
  both within the SLA, no outage).

By hand, June's 存在问题及建议:
- 1 finding not fixed (the W25 warning: no action, no fault);
- the 整改 「更换磁盘」 of 06-17 is past its 06-20 deadline with 1 item open;
- 系统A had 2 faults (the two above; the others name no system or 系统C once);
- 4 SLA steps missed: F2's response (40' of 15') and recovery (600' of 480'), F4's
  recovery (510' of 480') and R5's response (30' of 15');
- 1 check not on time (W24, done 06-16 after its 06-14 deadline).
July's 下月工作计划: weekly W28, W29, W30 (W31 ends 08-02: August's) and the
monthly check = 4 checks; June's 运维月报 is due on July's 3rd working day, Fri 07-03.
"""

# ruff: noqa: F811 - the fixtures are imported by name
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from app.cli.main import main
from app.contracts.registry import get_contract
from app.errors import DomainError
from app.export import build as b
from app.export import narrative, packs
from app.export import stats as st
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.export.render import Renderer
from app.records import faults, inspections
from app.storage.store import Store
from tests.test_report_figures import JUNE, NOW, at, figures  # noqa: F401

Q2 = PeriodInfo(key="2026-Q2", label="2026年第2季度", start=date(2026, 4, 1), end=date(2026, 6, 30))


@pytest.fixture
def june(figures: Store) -> Store:
    with figures.session() as s:
        run = inspections.start_run(
            s,
            "figures",
            "weekly",
            scheduled_date=date(2026, 6, 17),
            inspector="巡检员",
            started_at=at("2026-06-17", "09:00"),
        )
        s.flush()
        (res,) = run.results
        inspections.set_result(s, res.id, status="warning", note="磁盘使用率 88%")
        inspections.complete_run(
            s,
            run.id,
            conclusion="磁盘空间偏紧。",
            remediation="更换磁盘",
            remediation_deadline=date(2026, 6, 20),
            completed_at=at("2026-06-17", "10:00"),
        )
        for day in ("2026-06-05", "2026-06-15"):
            f = faults.create_fault(
                s,
                "figures",
                title=f"系统A 故障 {day}",
                level="minor",
                reported_at=at(day, "10:00"),
                system_code="a",
                responded_at=at(day, "10:05"),
                now=NOW,
            )
            s.flush()
            faults.set_time(s, f.id, "recovered", at(day, "10:30"), now=NOW)
            faults.set_outage(s, f.id, False, now=NOW)
            faults.close_fault(s, f.id, at(day, "10:40"), now=NOW)
    return figures


def _draft(store: Store, kind: str = "monthly_report", period: PeriodInfo = JUNE) -> dict:
    with store.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        return narrative.draft(data, kind, period, NOW)


def test_problems_and_plan_are_drafted_from_the_month(june: Store) -> None:
    drafted = _draft(june)
    problems = drafted["problems"].split("\n")
    assert problems[0].startswith("本月巡检发现的问题中有 1 个尚未整改完毕：ok（6月17日）")
    assert problems[1] == (
        "周巡检（6月17日）提出的整改「更换磁盘」已过整改期限 2026-06-20，"
        "尚有 1 项未整改，建议尽快落实。"
    )
    assert problems[2].startswith("系统A本月发生故障 2 起（")
    assert problems[3].startswith("本月有 4 个 SLA 环节未达标：")
    missed = (
        "响应（要求 15分钟，实际 40分钟）",
        "恢复（要求 8小时，实际 10小时）",
        "恢复（要求 8小时，实际 8小时30分钟）",
        "响应（要求 15分钟，实际 30分钟）",
    )
    for step in missed:
        assert step in problems[3], step
    assert (
        problems[4] == "本月有 1 次巡检未按时完成：周巡检 1 次，建议合理安排人员，确保按计划巡检。"
    )
    assert len(problems) == 5
    plan = drafted["next_plan"].split("\n")
    assert plan[0] == "下月按计划完成巡检 4 次：周巡检（周，3 次）、月巡检（月，1 次）。"
    assert "运维月报（2026年6月，7月3日前）" in plan[1]
    assert (
        "完成周巡检（6月17日）提出的整改「更换磁盘」" not in drafted["next_plan"]
    )  # overdue already
    assert plan[-1] == "跟踪本期未整改完毕的 1 个巡检问题，复查整改结果。"


def test_a_report_made_before_its_month_ends_misses_no_check_not_due_yet(june: Store) -> None:
    """Deliverables due 「当月最后一个工作日前」 are made before the month's last checks: July,
    with no check of it done, as of the 8th and after it ended."""
    july = PeriodInfo(
        key="2026-07", label="2026年7月", start=date(2026, 7, 1), end=date(2026, 7, 31)
    )
    early, late = datetime(2026, 7, 8, 9), datetime(2026, 8, 3, 9)
    with june.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        month = st.period_stats(data, july.start, july.end, early)
        assert [(t.template.cadence, t.planned, t.done, t.pending) for t in month.tallies] == [
            ("weekly", 3, 0, 3),
            ("monthly", 1, 0, 1),
        ]
        before = narrative.draft(data, "monthly_report", july, early)["problems"]
        # the figures beside: all 4 planned, none done, the rate says why
        assert "共应巡检 4 次，按时完成 0 次（完成率 0.0%，其中 4 次尚未到期）" in (
            narrative.analysis("2026年7月", [month], month)
        )
        job = b.Job(kind="monthly_report", period=july, deliverable_code="report", now=early)
        report = b.build(data, job)
        word = Document(io.BytesIO(Renderer(s, data.contract).render(report, "docx", "report")))
        text = "\n".join(p.text for p in word.paragraphs)
        assert "本月应巡检 4 次（其中 4 次尚未到期），按时完成 0 次；" in text
        assert "（巡检完成率 0.0%，其中 4 次尚未到期）" in report.overview
        after = narrative.draft(data, "monthly_report", july, late)["problems"]
    assert "巡检未按时完成" not in before
    assert "本月有 4 次巡检未按时完成：周巡检 3 次、月巡检 1 次" in after


def test_the_report_prints_the_draft_or_the_saved_text(june: Store) -> None:
    with june.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        job = b.Job(kind="monthly_report", period=JUNE, deliverable_code="report", now=NOW)
        ctx = b.build(data, job)
        assert "\n".join(ctx.problems) == _draft(june)["problems"]  # one item per line
        narrative.save(
            s, data.contract, "report", "2026-06", "problems", "甲。\n\n乙。", actor="张工"
        )
    with june.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        ctx = b.build(
            data, b.Job(kind="monthly_report", period=JUNE, deliverable_code="report", now=NOW)
        )
        assert ctx.problems == ["甲。", "乙。"]
        assert ctx.next_plan == _draft(june)["next_plan"].split("\n")  # not edited: drafted
        assert narrative.reset(s, data.contract, "report", "2026-06", "problems")
        assert not narrative.reset(s, data.contract, "report", "2026-06", "problems")


def test_bad_text_is_refused_and_nothing_is_saved(june: Store) -> None:
    with june.session() as s:
        contract = get_contract(s, "figures")
        with pytest.raises(DomainError, match="过长"):
            narrative.save(s, contract, "report", "2026-06", "problems", "长" * 20_001)
        with pytest.raises(DomainError, match="存在问题及建议"):
            narrative.save(s, contract, "report", "2026-06", "problems", "半个字符\ud800")
        assert narrative.saved(ExportData(s, contract)) == {}


def test_summaries_print_the_availability_definition_and_drafted_suggestions(june: Store) -> None:
    with june.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        job = b.Job(kind="quarterly_summary", period=Q2, deliverable_code="", now=NOW)
        ctx = b.build(data, job)
        definition = st.availability_definition(data)
        assert ctx.availability_note == definition
        assert "系统A本期发生故障 2 起" in ctx.suggestions
        assert ctx.analysis.startswith("2026年第2季度共应巡检 ")
        renderer = Renderer(s, data.contract)
        word = Document(io.BytesIO(renderer.render(ctx, "docx", "")))
        paragraphs = [p.text for p in word.paragraphs]
        assert f"注：{definition}" in paragraphs
        assert not any("请填写" in p for p in paragraphs)
        sheet = load_workbook(io.BytesIO(renderer.render(ctx, "xlsx", ""))).active
        assert f"注：{definition}" in [c.value for row in sheet.iter_rows() for c in row]


def test_a_cleared_section_or_an_unwritten_plan_chapter_is_missing(june: Store) -> None:
    with june.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        assert narrative.empty_sections(data, "monthly_report", "report", JUNE) == []
        chapters = narrative.empty_sections(data, "emergency_plan", "plan", JUNE)
        assert chapters == [
            "总则（目的、适用范围、工作原则）",
            "报告流程",
            "恢复与验证",
            "应急演练",
        ]
        narrative.save(s, data.contract, "report", "2026-06", "next_plan", " ")
    with june.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        assert narrative.empty_sections(data, "monthly_report", "report", JUNE) == ["下月工作计划"]


def _occurrences(store: Store) -> list[narrative.Occurrence]:
    with store.session() as s:
        plan = packs.plan_month(s, "figures", "2026-06", today=NOW.date())
        data = ExportData(s, get_contract(s, "figures"))
        return narrative.pack_sections(data, plan.files, NOW)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"{", "不是有效的 UTF-8 JSON：第 1 行第 2 列有格式错误"),
        (b'{"report": \xff}', "不是有效的 UTF-8 JSON：第 12 个字节无法按 UTF-8 解码"),
        (b"[]", "应为 JSON 对象"),
        (b'{"nope": {}}', "没有带文字段落的交付物「nope」（可用：report）"),
        (b'{"report": {"x": "t"}}', "没有段落「x」（可用：problems（存在问题及建议）"),
        (b'{"report": {"problems": 3}}', "应为文本或文本列表"),
        (b'{"report": "t"}', "的值应为"),
    ],
)
def test_a_bad_narrative_file_is_refused(june: Store, doc: bytes, message: str) -> None:
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        narrative.parse_file(doc, _occurrences(june))


def test_cli_uses_the_narrative_file_and_refuses_an_incomplete_pack(
    june: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = june.folder
    june.close()
    base = ["--data-dir", str(folder), "--as", "张工", "export", "month", "--contract", "figures"]
    base += ["--month", "2026-06", "--out", str(tmp_path / "out"), "--no-zip"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"report": {"problems": "甲", "x": "乙"}}', encoding="utf-8")
    assert main([*base, "--narrative", str(bad)]) == 2
    assert "没有段落「x」" in capsys.readouterr().err
    store = Store.open(folder, actor="测试")
    with store.session() as s:
        assert narrative.saved(ExportData(s, get_contract(s, "figures"))) == {}  # nothing saved
    store.close()

    cleared = tmp_path / "cleared.json"
    cleared.write_text('{"report": {"下月工作计划": ""}}', encoding="utf-8")
    assert main([*base, "--narrative", str(cleared)]) == 2
    err = capsys.readouterr().err
    assert "运维月报（2026年6月）：「下月工作计划」为空" in err and "--allow-incomplete" in err

    good = tmp_path / "good.json"
    lines = {"report": {"problems": ["第一条。", "第二条。"], "next_plan": "七月完成扩容。"}}
    good.write_text(json.dumps(lines, ensure_ascii=False), encoding="utf-8")
    assert main([*base, "--narrative", str(good)]) == 0
    capsys.readouterr()
    (report,) = (tmp_path / "out").glob("*/*运维月报*.docx")
    with zipfile.ZipFile(report) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    assert "第一条。" in xml and "第二条。" in xml and "七月完成扩容。" in xml

    # the saved text is used by later exports, and listed by --dry-run --json
    assert main([*base, "--dry-run", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    (occurrence,) = listed["narratives"]
    texts = {x["section"]: (x["text"], x["edited"]) for x in occurrence["sections"]}
    assert texts == {
        "problems": ("第一条。\n第二条。", True),
        "next_plan": ("七月完成扩容。", True),
    }
    assert listed["incomplete"] == []


def test_a_plan_done_after_the_contract_says_so(june: Store) -> None:
    """The year-end forms are due before the last day (合同期内): the end in its own tense."""
    with june.session() as s:
        data = ExportData(s, get_contract(s, "figures"))
        end = data.contract.end_date
        before = narrative.next_plan(data, end, datetime.combine(end, datetime.min.time()), [])
        after = narrative.next_plan(
            data, end, datetime.combine(end + timedelta(days=1), time()), []
        )
    assert before == [f"合同服务期将于 {end} 结束，做好项目总结、资料归档与移交工作。"]
    assert after == [f"合同服务期已于 {end} 结束，做好项目总结、资料归档与移交工作。"]
