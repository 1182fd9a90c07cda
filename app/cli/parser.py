"""``argparse`` in Chinese: its own words — usage, section titles, errors — as the help is.

argparse passes its strings through :func:`gettext.gettext`, the process's default
catalog domain: translating them there would need a compiled catalog on disk, found
through the user's locale variables, and would reach every other user of that domain.
So the parser says its dozen phrases here, where they surface: the usage prefix and
section titles when help is formatted, the error line when a command line is refused.
A message not listed (another Python's wording) is printed as argparse wrote it.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from typing import Any, NoReturn

#: argparse's error messages (Python 3.11–3.13), the inner ones after "argument X: "
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), replacement)
    for pattern, replacement in (
        (r"invalid choice: (.+?) \(choose from (.+)\)", r"无效的选择 \1（可选：\2）"),
        (r"unrecognized arguments: (.+)", r"无法识别的参数：\1"),
        (r"the following arguments are required: (.+)", r"缺少必需的参数：\1"),
        (r"expected one argument", "需要一个值"),
        (r"expected at least one argument", "至少需要一个值"),
        (r"expected at most one argument", "最多一个值"),
        (r"expected (\d+) arguments?", r"需要 \1 个值"),
        (r"invalid (\S+) value: (.+)", r"无效的 \1 值：\2"),
        (r"ambiguous option: (\S+) could match (.+)", r"有歧义的选项 \1，可以是：\2"),
        (r"not allowed with argument (.+)", r"不能与参数 \1 同时使用"),
        (r"one of the arguments (.+) is required", r"必须给出以下参数之一：\1"),
        (r"ignored explicit argument (.+)", r"忽略了多余的值 \1"),
    )
)
_ARGUMENT = re.compile(r"argument (.+?): (.*)", re.DOTALL)


def chinese_error(message: str) -> str:
    """argparse's error ``message`` in Chinese (as it was, if its wording is not known)."""
    found = _ARGUMENT.fullmatch(message)
    if found is not None:
        return f"参数 {found[1]}：{chinese_error(found[2])}"
    for pattern, replacement in _ERRORS:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


#: what the options many commands share mean, for those that do not say it themselves
COMMON_HELP = {
    "--contract": "合同代码（omw profiles 列出）",
    "--json": "以 JSON 输出，供脚本读取",
    "--from": "起始日期 YYYY-MM-DD",
    "--to": "结束日期 YYYY-MM-DD（含当天）",
    "--date": "日期 YYYY-MM-DD（默认今天）",
    "--since": "起始日期 YYYY-MM-DD",
    "--until": "结束日期 YYYY-MM-DD（含当天）",
    "--limit": "最多显示条数",
}


#: no line starts with these (they close or separate what comes before them) …
_NO_START = set("，。、；：？！）》」』”’,.;:?!)]}")
#: … and none ends with these
_NO_END = set("（《「『“‘([{")


def columns(text: str) -> int:
    """The columns ``text`` takes in a terminal: a Chinese character (wide) takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns.

    :mod:`textwrap`, which argparse uses, counts characters and breaks only at
    spaces: a Chinese help line came out twice as wide as the terminal and was
    cut inside words such as ``conflicts``. Here a line breaks at a space or
    beside a Chinese character (not before a closing mark or after an opening
    one), inside a Latin word only when the word alone is wider than a line.
    """
    words = " ".join(text.split())
    lines: list[str] = []
    while columns(words) > width:
        cut = _cut(words, max(width, 2))
        lines.append(words[:cut].rstrip())
        words = words[cut:].lstrip()
    return [*lines, words] if words else lines


def _cut(text: str, width: int) -> int:
    """Where the first line of ``text`` ends: the last break allowed within ``width``."""
    used = 0
    best = 0
    for i, ch in enumerate(text):
        used += columns(ch)
        if used > width:
            return best or i
        after = i + 1
        nxt = text[after] if after < len(text) else ""
        wide = columns(ch) == 2 or (nxt and columns(nxt) == 2)
        if (ch == " " or nxt == " " or wide) and nxt not in _NO_START and ch not in _NO_END:
            best = after
    return len(text)


_USAGE = "用法："
_USAGE_MARK = "\ue000" * columns(_USAGE)


class _Formatter(argparse.HelpFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headings: set[str] = set()

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        # argparse wraps the usage by counting characters: a prefix of as many characters
        # as "用法：" takes columns, swapped for it in format_help, keeps the lines aligned
        super().add_usage(usage, actions, groups, _USAGE_MARK if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        """A section's title ends with a Chinese colon (argparse writes ``title:``)."""
        super().start_section(heading)
        if heading:
            self._headings.add(heading)

    def format_help(self) -> str:
        text = super().format_help().replace(_USAGE_MARK, _USAGE, 1)
        for heading in self._headings:
            text = text.replace(f"{heading}:\n", f"{heading}：\n")
        return text

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))


class Parser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose help and errors are in Chinese.

    Sub-commands made by :meth:`add_subparsers` are parsers of this class too.
    """

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="显示帮助并退出")

    def add_argument(self, *names: Any, **kwargs: Any) -> argparse.Action:
        """An argument; a shared option (:data:`COMMON_HELP`) says what it means if not told."""
        if kwargs.get("help") is None:
            kwargs["help"] = next((COMMON_HELP[n] for n in names if n in COMMON_HELP), None)
        return super().add_argument(*names, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{chinese_error(message)}\n")
