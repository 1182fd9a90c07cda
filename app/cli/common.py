"""What every ``omw`` command shares: argument types, the acting user, output helpers,
the terminal passphrase prompt and the data-folder lookup."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from db.errors import StoreError

#: ``add(name, func, help)`` of :func:`app.cli.main.build_parser`: one sub-command parser.
Adder = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


EXIT_USER_ERROR = 2
#: a failure the program did not expect (a bug): ``EX_SOFTWARE`` of BSD's sysexits
EXIT_INTERNAL_ERROR = 70
#: interrupted with Ctrl+C, as a shell reports a process ended by SIGINT
EXIT_INTERRUPTED = 130


ENV_ACTOR = "OMW_USER"


class CliError(StoreError):
    """A wrong argument, reported like a domain error."""


#: Dates the command line accepts: far beyond any service contract, and far enough from
#: ``date.min``/``date.max`` that the schedule's date arithmetic cannot overflow.
DATE_RANGE = (date(1900, 1, 1), date(2999, 12, 31))


def options_of_actions(
    parser: argparse.ArgumentParser, positional: str, options: dict[str, tuple[str, set[str]]]
) -> None:
    """Declare which of a command's options each value of its ``positional`` (the action:
    ``team set``, ``export form``…) takes: ``{"--engineer": ("engineer", {"set"})}``.
    :func:`refuse_unused_options` refuses the others instead of ignoring them."""
    parser.set_defaults(_action_options=(positional, options))


def refuse_unused_options(args: argparse.Namespace) -> None:
    """An option given to an action that does not take it (see :func:`options_of_actions`)
    is an error naming the actions that do (``omw keys list --trust`` did nothing)."""
    positional, options = getattr(args, "_action_options", ("", {}))
    action = getattr(args, positional, None)
    for option, (dest, takers) in options.items():
        if getattr(args, dest, None) not in (None, False, "") and action not in takers:
            where = "、".join(f"omw {args.command} {t}" for t in sorted(takers))
            raise CliError(f"{option} 只用于 {where}，omw {args.command} {action} 不接受。")


def date_arg(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text!r}") from None
    first, last = DATE_RANGE
    if not first <= value <= last:
        raise argparse.ArgumentTypeError(f"日期超出范围（{first} 至 {last}）：{text}")
    return value


#: The most rows a listing may be asked for (``--limit``): more than any contract has.
LIMIT_RANGE = (1, 10_000)


def limit_arg(text: str) -> int:
    """A row count for ``--limit``: a whole number in :data:`LIMIT_RANGE`.

    ``0`` would print 没有找到 over a store full of matches, a negative number means
    no limit to SQLite, and one beyond 64 bits cannot be bound at all.
    """
    first, last = LIMIT_RANGE
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not first <= value <= last:
        raise argparse.ArgumentTypeError(f"应为 {first} 至 {last} 的整数：{text!r}")
    return value


def month_arg(text: str) -> str:
    try:
        date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份格式应为 YYYY-MM：{text!r}") from None
    return text


def actor_of(args: argparse.Namespace) -> str:
    """The person recorded as author: ``--as``, else ``OMW_USER``, else the login name.

    The input rules of typed text apply (:mod:`app.storage.text_rules`): control
    characters are stripped, and a lone surrogate (a name that is not valid in the
    terminal's encoding) is refused in Chinese; an unusable login name falls back
    to ``omw``.
    """
    from app.storage.text_rules import lone_surrogate, strip_controls

    for given, source in ((args.actor, "--as"), (os.environ.get(ENV_ACTOR), ENV_ACTOR)):
        if given:
            if lone_surrogate(str(given)) is not None:
                raise CliError(
                    f"操作人姓名（{source}）中含有无效字符（与终端的文字编码不符），请重新输入。"
                )
            name = strip_controls(str(given)).strip()
            if name:
                return name
    try:
        login = strip_controls(getpass.getuser()).strip()
    except Exception:  # no user name on some locked-down systems
        return "omw"
    return login if login and lone_surrogate(login) is None else "omw"


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain text table that lines up Chinese (double-width) characters."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    cells = [[str(c) for c in headers], *[[("" if c is None else str(c)) for c in r] for r in rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def terminal_passphrase(prompt: str, new: bool) -> str | None:
    """Ask the secret file's passphrase in the terminal (never when not interactive)."""
    if not sys.stdin.isatty():
        return None
    value = getpass.getpass(f"{prompt}：")
    if new and value != getpass.getpass("请再输入一次："):
        raise CliError("两次输入的口令不一致。")
    return value


def recovery_arg(args: argparse.Namespace) -> str | None:
    from app.storage.secrets import normalize_recovery_key, read_recovery_file

    if getattr(args, "recovery_file", None):
        return read_recovery_file(args.recovery_file)
    if getattr(args, "recovery_key", None):
        return normalize_recovery_key(args.recovery_key)
    return None


def existing_data_dir(args: argparse.Namespace) -> Any:
    """The data folder if it holds a store (without creating anything), else ``None``."""
    from pathlib import Path

    from app.storage import paths

    if args.data_dir:
        folder = Path(args.data_dir)
    elif os.environ.get(paths.ENV_DATA_DIR):
        folder = Path(os.environ[paths.ENV_DATA_DIR])
    else:
        import platformdirs

        folder = Path(platformdirs.user_data_dir(paths.APP_NAME, appauthor=False))
    folder = folder.expanduser()
    return folder if paths.db_path(folder).exists() else None


def recovery_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recovery-file", metavar="FILE", help="用恢复密钥文件解锁")
    p.add_argument("--recovery-key", metavar="KEY", help="用恢复密钥解锁（XXXX-XXXX-…）")
