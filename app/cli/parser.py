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


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


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

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{chinese_error(message)}\n")
