"""``omw``'s own words from argparse — usage, section titles, refused command lines — in Chinese."""

from __future__ import annotations

import re

import pytest

from app.cli.main import main
from app.cli.parser import chinese_error

#: what argparse writes in English around the app's Chinese texts
ENGLISH = re.compile(r"usage:|error:|invalid choice|unrecognized|required:|options:|positional")


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert not out
    assert not ENGLISH.search(err), err
    assert err.startswith("用法："), err
    return err.splitlines()[-1]


def test_a_refused_command_line_is_explained_in_chinese(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert refused(capsys, "kb", "export") == (
        "omw kb：错误：参数 GROUP：无效的选择 'export'（可选：'common', 'article'）"
    )
    assert refused(capsys, "due", "--contract", "x", "--bogus", "1") == (
        "omw：错误：无法识别的参数：--bogus 1"
    )
    assert refused(capsys, "due") == "omw due：错误：缺少必需的参数：--contract"
    assert refused(capsys, "due", "--contract") == "omw due：错误：参数 --contract：需要一个值"
    # the app's own message for a bad value keeps its words, with argparse's around it in Chinese
    assert refused(capsys, "due", "--contract", "x", "--date", "2026-02-30") == (
        "omw due：错误：参数 --date：日期格式应为 YYYY-MM-DD：'2026-02-30'"
    )


def test_help_says_usage_and_sections_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["export", "--help"], ["kb", "article", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("用法：omw"), out
        assert "选项:" in out and "显示帮助并退出" in out
        assert not ENGLISH.search(out) and "show this help" not in out, out


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        ("expected at least one argument", "至少需要一个值"),
        ("argument --x: expected 2 arguments", "参数 --x：需要 2 个值"),
        ("argument --n: invalid int value: 'a'", "参数 --n：无效的 int 值：'a'"),
        ("argument -b: not allowed with argument -a", "参数 -b：不能与参数 -a 同时使用"),
        ("one of the arguments -a -b is required", "必须给出以下参数之一：-a -b"),
        (
            "ambiguous option: --da could match --data, --date",
            "有歧义的选项 --da，可以是：--data, --date",
        ),
        # a wording this table does not know is printed as argparse wrote it
        ("argument --x: something new", "参数 --x：something new"),
    ],
)
def test_argparse_messages_in_chinese(message: str, chinese: str) -> None:
    assert chinese_error(message) == chinese
