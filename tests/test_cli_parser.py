"""``omw``'s own words from argparse — usage, section titles, refused command lines — in Chinese."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from app.cli.main import build_parser, main
from app.cli.parser import chinese_error, columns, wrap

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
        assert "\n选项：\n" in out and "显示帮助并退出" in out and "选项:" not in out
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


def _parsers(
    parser: argparse.ArgumentParser, path: str = "omw"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_argument_of_every_command_says_what_it_is_for() -> None:
    missing = [
        f"{path} {'/'.join(action.option_strings) or action.dest}"
        for path, parser in _parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not action.help
    ]
    assert not missing


@pytest.mark.parametrize("width", [60, 80, 120])
def test_help_lines_fit_the_terminal_counting_chinese_characters_double(
    width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    for path, parser in _parsers(build_parser()):
        text = parser.format_help()
        too_wide = [line for line in text.splitlines() if columns(line) > width]
        # argparse breaks neither a usage's option names nor a lone {a,b,…} of choices;
        # a help text always fits
        assert all(
            line.lstrip().startswith(("[", "-", "用法：")) or " " not in line.strip()
            for line in too_wide
        ), (path, too_wide)


def test_wrap_breaks_beside_chinese_characters_and_at_spaces_only() -> None:
    assert wrap("保存后用于本次及以后的导出", 10) == ["保存后用于", "本次及以后", "的导出"]
    # not before a closing mark: the comma stays with the character before it
    assert wrap("甲乙丙丁，戊己", 8) == ["甲乙丙", "丁，戊己"]
    # a Latin word is kept whole beside Chinese text
    assert wrap("信任设备；conflicts：更正冲突", 14) == ["信任设备；", "conflicts：更", "正冲突"]
    assert wrap("one two three", 7) == ["one two", "three"]
    assert wrap("", 10) == []
    assert all(columns(line) <= 9 for line in wrap("甲" * 20 + "abcdefghijklmnop", 9))
