"""The ``omw`` command line: what it prints, its JSON, its errors."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def initialised(capsys: pytest.CaptureFixture[str], isolated_dirs: Path) -> Path:
    code, out, _ = run(capsys, "--data-dir", str(isolated_dirs), "init")
    assert code == 0
    assert "portal-om" in out and "internet-om" in out
    return isolated_dirs


def test_profiles_json_lists_both_builtin_contracts(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    data = run_json(capsys, "profiles")
    by_code = {c["code"]: c for c in data["contracts"]}
    assert set(by_code) == {"portal-om", "internet-om"}
    assert by_code["portal-om"]["service_window"] == "7x24"
    assert by_code["internet-om"]["service_window"] == "5x8"
    assert len(by_code["internet-om"]["systems"]) == 9
    assert by_code["internet-om"]["builtin"] is True


def test_init_twice_changes_nothing(capsys: pytest.CaptureFixture[str], initialised: Path) -> None:
    before = run_json(capsys, "profiles")
    assert run(capsys, "init")[0] == 0
    assert run_json(capsys, "profiles") == before


def _codes(report: dict[str, Any], kind: str) -> set[str]:
    return {i["code"] for i in report["items"] if i["kind"] == kind}


def test_due_on_a_make_up_saturday_for_5x8(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    # 2026-10-10 is a Saturday, but a statutory make-up working day after 国庆节.
    report = run_json(capsys, "due", "--contract", "internet-om", "--date", "2026-10-10")
    daily = [i for i in report["items"] if i["code"] == "server-daily"]
    assert [(i["period_key"], i["state"]) for i in daily if i["period_key"] == "2026-10-10"] == [
        ("2026-10-10", "due")
    ]
    assert report["holiday"] is None
    assert report["assumed_calendar"] is False


def test_due_on_an_ordinary_saturday_has_no_5x8_daily_check(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    report = run_json(capsys, "due", "--contract", "internet-om", "--date", "2026-11-14")
    assert not [
        i
        for i in report["items"]
        if i["code"] == "server-daily" and i["period_key"] == "2026-11-14"
    ]


def test_due_during_national_day_shows_holiday_checks(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    report = run_json(capsys, "due", "--contract", "portal-om", "--date", "2026-10-03")
    assert "国庆节" in report["holiday"]
    current = {i["code"] for i in report["items"] if i["state"] == "due"}
    assert "holiday-daily" in current
    # 7×24: the daily inspections go on through the holiday.
    assert "program-daily" in current
    # 5×8: no ordinary daily server check on a statutory day off, but holiday duty.
    report_b = run_json(capsys, "due", "--contract", "internet-om", "--date", "2026-10-03")
    due_b = {(i["code"], i["period_key"]) for i in report_b["items"] if i["state"] == "due"}
    assert ("server-daily", "2026-10-03") not in due_b
    assert "holiday-daily" in {code for code, _ in due_b}


def test_no_checklists_are_due_outside_the_contract_period(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    report = run_json(capsys, "due", "--contract", "internet-om", "--date", "2027-01-15")
    assert report["in_period"] is False
    # Nothing new falls due after the end (2026-12-20); what was missed in the
    # period, and deliverables not handed in, stay overdue.
    assert {i["state"] for i in report["items"]} == {"overdue"}
    checklists = [i for i in report["items"] if i["kind"] == "checklist"]
    assert checklists
    assert max(i["deadline"] for i in checklists) <= "2026-12-20"


def test_deadlines_monthly_report_on_the_third_working_day(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    data = run_json(capsys, "deadlines", "--contract", "portal-om", "--today", "2026-11-21")
    monthly = {d["period_key"]: d for d in data["deadlines"] if d["code"] == "monthly-report"}
    # Oct 2026: 1-7 National Day, 8 (Thu), 9 (Fri), 10 (make-up Sat) → 3rd working day.
    assert monthly["2026-09"]["due_date"] == "2026-10-10"
    # Feb 2026 → March: 2 (Mon), 3, 4.
    assert monthly["2026-03"]["due_date"] == "2026-04-03"
    assert monthly["2026-10"]["state"] == "overdue"
    assert monthly["2026-11"]["state"] == "due"
    # Contract month 12 is Feb 2027, a year the statutory calendar does not know.
    assert monthly["2027-02"]["assumed"] is True
    assert monthly["2026-10"]["assumed"] is False


def test_submit_registers_one_hand_in_or_every_overdue_one_on_its_due_date(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    today = ("--contract", "portal-om", "--today", "2026-11-21")
    one = ("--deliverable", "monthly-report", "--period", "2026-10")
    code, out, _ = run(capsys, "submit", *today, *one)
    assert code == 0 and "已登记提交 1 项交付物（提交日期：2026-11-21）" in out
    code, _, err = run(capsys, "submit", *today, *one)
    assert code == 2 and "已登记提交" in err  # once only
    before = run_json(capsys, "deadlines", *today)["deadlines"]
    overdue = [d for d in before if d["state"] == "overdue"]
    assert len(overdue) >= 5
    done = run_json(capsys, "submit", *today, "--overdue", "--on-due-date")
    assert done["on"] == "各按其截止日期"
    assert [d["period_key"] for d in done["submitted"]] == [d["period_key"] for d in overdue]
    after = {
        (d["code"], d["period_key"]): d for d in run_json(capsys, "deadlines", *today)["deadlines"]
    }
    assert not [d for d in after.values() if d["state"] == "overdue"]
    for d in overdue:
        handed = after[(d["code"], d["period_key"])]["submitted"]
        assert handed["submitted_at"].startswith(d["due_date"]) and handed["on_time"] is True
        assert handed["note"] == "在本应用之外提交，按截止日期登记"
    october = after[("monthly-report", "2026-10")]["submitted"]
    assert october["submitted_at"].startswith("2026-11-21") and october["note"] == ""
    # the table says how each was handed in, as the acceptance report does
    code, out, _ = run(capsys, "deadlines", *today)
    rows = [line for line in out.splitlines() if "运维月报" in line]
    assert any("已完成（补登）" in line for line in rows)
    assert any("2026年10月" in line and "已完成（逾期）" in line for line in rows)  # due 11-04


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "或 --overdue"),
        (("--overdue", "--deliverable", "monthly-report"), "或 --overdue"),
        (("--deliverable", "monthly-report"), "须一起给出"),
        (("--overdue", "--date", "2026-11-22"), "晚于今天"),
        (
            ("--deliverable", "monthly-report", "--period", "2030-01"),
            "没有交付物 monthly-report 的期间",
        ),
        (
            ("--deliverable", "monthly-report", "--period", "2026-11", "--date", "2026-11-21"),
            "最早 2026-11-30 才能提交",
        ),
    ],
)
def test_submit_refuses_what_it_cannot_register(
    capsys: pytest.CaptureFixture[str], initialised: Path, args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, "submit", "--contract", "portal-om", "--today", "2026-11-21", *args)
    assert code == 2 and message in err, err
    data = run_json(capsys, "deadlines", "--contract", "portal-om")["deadlines"]
    assert all(d["submitted"] is None for d in data)  # nothing registered


def test_deadlines_follow_user_calendar_for_unknown_years(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    before = run_json(capsys, "deadlines", "--contract", "portal-om")
    jan = next(
        d
        for d in before["deadlines"]
        if d["period_key"] == "2027-01" and d["code"] == "monthly-report"
    )
    # Fallback: Mon 1 Feb, Tue 2, Wed 3 → the 3rd working day is 2027-02-03.
    assert jan["due_date"] == "2027-02-03"
    # Declare 2027-02-02 a day off (an invented local arrangement).
    assert run(capsys, "calendar", "2027-02-02", "holiday", "--name", "调整")[0] == 0
    after = run_json(capsys, "deadlines", "--contract", "portal-om")
    jan = next(
        d
        for d in after["deadlines"]
        if d["period_key"] == "2027-01" and d["code"] == "monthly-report"
    )
    assert jan["due_date"] == "2027-02-04"


def test_unknown_contract_is_a_chinese_error_with_exit_2(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    code, out, err = run(capsys, "due", "--contract", "nope", "--date", "2026-10-10")
    assert code == 2
    assert out == ""
    assert "没有代码为" in err


def test_bad_date_is_rejected_by_the_parser(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["due", "--contract", "portal-om", "--date", "2026-02-30"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("command", ["due", "deadlines"])
def test_a_date_far_outside_any_contract_is_refused_in_chinese(
    capsys: pytest.CaptureFixture[str], initialised: Path, command: str, day: str
) -> None:
    option = "--date" if command == "due" else "--from"
    with pytest.raises(SystemExit) as exc:
        main([command, "--contract", "portal-om", option, day])
    assert exc.value.code == 2
    assert "日期超出范围" in capsys.readouterr().err


def test_deadlines_of_a_reversed_range_are_refused_not_an_empty_list(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    code, out, err = run(
        capsys, "deadlines", "--contract", "portal-om", "--from", "2027-01-01", "--to", "2026-01-01"
    )
    assert (code, out) == (2, "")
    assert "结束日期 2026-01-01 早于开始日期 2027-01-01" in err


def test_audit_verify_reports_the_chain(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    data = run_json(capsys, "audit", "verify")
    assert data["ok"] is True
    assert data["entries"] > 0


def test_text_output_lines_up(capsys: pytest.CaptureFixture[str], initialised: Path) -> None:
    code, out, _ = run(capsys, "due", "--contract", "internet-om", "--date", "2026-10-10")
    assert code == 0
    assert out.splitlines()[0] == "internet-om 2026-10-10 应办事项"
    assert "服务器日常巡检" in out


def test_a_bad_date_of_a_new_holiday_period_is_refused_in_chinese_and_adds_nothing(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    before = run_json(capsys, "holidays", "--contract", "portal-om")["holidays"]
    for start, end in (("2026-11-05", "2026-13-01"), ("2026-02-30", "2026-03-01")):
        code, out, err = run(
            capsys, "holidays", "--contract", "portal-om", "--add", "进博会", start, end
        )
        assert code == 2 and out == "", err
        assert err.startswith("错误：--add：日期格式应为 YYYY-MM-DD"), err
    assert run_json(capsys, "holidays", "--contract", "portal-om")["holidays"] == before


@pytest.mark.parametrize("limit", ["0", "-1", "99999999999999999999", "二十"])
@pytest.mark.parametrize("command", [["search", "服务器"], ["kb", "common"]])
def test_a_limit_outside_its_range_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], initialised: Path, command: list[str], limit: str
) -> None:
    """0 printed 没有找到 over matches, -1 meant no limit, a huge one a traceback."""
    with pytest.raises(SystemExit) as exc:
        main([*command, "--limit", limit])
    assert exc.value.code == 2
    assert f"参数 --limit：应为 1 至 10000 的整数：'{limit}'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["keys", "list", "--trust"], "--trust 只用于 omw keys import，omw keys list 不接受"),
        (["keys", "import", "--force"], "--force 只用于 omw keys export-public"),
        (["team", "whoami", "--engineer", "王工"], "--engineer 只用于 omw team set"),
        (["bundle", "preview", "x.omwbundle", "--to", "y"], "--to 只用于 omw bundle export"),
        (["bundle", "export", "--to", "y", "--trust"], "--trust 只用于 omw bundle import"),
        (["pack", "decrypt", "x.zip", "--out", "y", "--force"], "--force 只用于 omw pack encrypt"),
        (["key", "status", "--reset-secret-file"], "--reset-secret-file 只用于 omw key unlock"),
        (["holidays", "--contract", "portal-om", "--note", "x"], "只与 --add 一起使用"),
        (["init", "--months", "5"], "只与 --demo 一起使用"),
        (["init", "--recovery-out", "rk.txt"], "只与 --encrypt 一起使用"),
        (["probe", "run", "--contract", "internet-om", "--date", "2026-12-01"], "只与 --checklist"),
    ],
)
def test_an_option_the_action_does_not_take_is_refused_not_ignored(
    capsys: pytest.CaptureFixture[str], initialised: Path, args: list[str], said: str
) -> None:
    """``omw keys list --trust`` listed the keys and trusted nothing, without a word."""
    code, out, err = run(capsys, *args)
    assert code == 2 and said in err, err
    assert out == ""


def test_search_reindexes_then_searches_when_given_text(
    capsys: pytest.CaptureFixture[str], initialised: Path
) -> None:
    """``omw search 登录 --reindex`` rebuilt the index and dropped the search."""
    code, out, err = run(capsys, "search", "登录", "--reindex", "--json")
    assert code == 0 and "已重建搜索索引" in err
    assert json.loads(out)["query"] == "登录"


@pytest.mark.parametrize("command", ["due", "deadlines"])
def test_a_contract_code_the_terminal_could_not_decode_is_a_chinese_error(
    capsys: pytest.CaptureFixture[str], initialised: Path, command: str
) -> None:
    """A byte that is not UTF-8 reaches ``sys.argv`` as a lone surrogate (``\\udcff``):
    the read-only ``sqlite3`` path cannot bind it, the usual path says why."""
    code, out, err = run(capsys, command, "--contract", "portal\udcff")
    assert code == 2 and out == ""
    assert err.startswith("错误：") and "不成对的代理字符" in err, err


def _fails_with(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """``omw due`` raises ``error``, as a bug in it would."""
    import app.cli.schedule

    def broken(_args: Any) -> int:
        raise error

    monkeypatch.setattr(app.cli.schedule, "cmd_due", broken)


def test_an_unexpected_error_is_said_in_chinese_and_its_traceback_logged(
    capsys: pytest.CaptureFixture[str], initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fails_with(monkeypatch, KeyError("没想到"))
    code, out, err = run(capsys, "due", "--contract", "portal-om")
    log = initialised / "omw-errors.log"
    assert (code, out) == (70, "")
    assert err == (
        "错误：发生了意外错误（KeyError），命令没有完成。已保存的记录不受影响。"
        f"详细信息已记录在 {log}，可发给技术支持。\n"
    )
    text = log.read_text(encoding="utf-8")
    assert "ERROR omw: omw due\nTraceback" in text and "in broken" in text
    assert text.rstrip().endswith("KeyError: '没想到'")
    if os.name == "posix":
        assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_ctrl_c_ends_a_command_with_a_word_not_a_traceback(
    capsys: pytest.CaptureFixture[str], initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fails_with(monkeypatch, KeyboardInterrupt())
    assert run(capsys, "due", "--contract", "portal-om") == (130, "", "已中断。\n")
    assert not (initialised / "omw-errors.log").exists()
