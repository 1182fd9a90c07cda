"""The ``omw`` command line; ``python -m app`` runs the same entry point.

Every command uses the same services as the window; each command group lives in
its own module and registers its arguments here. Errors meant for the user go to
stderr in Chinese with exit code 2. ``--json`` output is stable and documented in
the README.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, NoReturn

from app import __version__
from app.cli.common import (
    ENV_ACTOR,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    actor_of,
    refuse_unused_options,
    terminal_passphrase,
)
from app.cli.parser import Parser
from db.errors import StoreError


def groups() -> tuple[ModuleType, ...]:
    """The command groups in the order ``omw --help`` lists them (imported when a command is
    given: the window starts without them)."""
    from app.cli import (
        backups,
        encryption,
        exports,
        hub,
        integrity,
        knowledge,
        probes,
        review,
        schedule,
        setup,
        team,
    )

    return (
        setup,
        schedule,
        exports,
        knowledge,
        probes,
        review,
        team,
        hub,
        integrity,
        encryption,
        backups,
    )


def _global_parser(**options: Any) -> argparse.ArgumentParser:
    """The options every command shares; with no command, ``omw`` starts the window."""
    parser = Parser(
        prog="omw",
        description="运维工作台 OM Workbench — 不带子命令时启动桌面窗口。",
        **options,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="显示版本号并退出"
    )
    parser.add_argument(
        "--data-dir", help="数据目录（默认：用户数据目录，或环境变量 OMW_DATA_DIR）"
    )
    parser.add_argument("--as", dest="actor", help=f"记录为操作人（默认：环境变量 {ENV_ACTOR}）")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="使用团队中心 postgresql://用户@服务器/数据库（默认：环境变量 OMW_DATABASE_URL，"
        "或 omw hub connect 保存的地址；都没有则用数据目录中的数据存储）",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _global_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    for group in groups():
        group.register(add)
    return parser


def select_hub(url: str | None) -> None:
    """:func:`app.storage.hub.select`, which loads SQLAlchemy: imported only when there is
    something to select or to forget, so that the window paints and ``omw due`` answers
    without it (issue 13)."""
    if url is None and "app.storage.hub" not in sys.modules:
        return  # nothing was selected in this process
    from app.storage.hub import select

    select(url)


def _window_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The options of a window start (no command, no help asked), read without building
    the parsers of every command (≈ 30 ms before the first paint; issue 13); else None."""
    if any(arg in ("-h", "--help") for arg in argv):
        return None
    args, rest = _global_parser(add_help=False).parse_known_args(argv)
    return None if rest else args


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    window = _window_args(given)
    if window is not None:
        return _start_window(window)
    parser = build_parser()
    args = parser.parse_args(given)
    if args.command is None:
        return _start_window(args)
    if getattr(args, "months", 1) is not None and getattr(args, "months", 1) < 1:
        print("错误：--months 至少为 1", file=sys.stderr)
        return EXIT_USER_ERROR
    from app.storage.passphrase import set_passphrase_provider  # not the crypto stack

    set_passphrase_provider(terminal_passphrase)
    try:
        refuse_unused_options(args)
        select_hub(args.database)
        return int(args.func(args))
    except StoreError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. `omw due … | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # a file or folder given to the command, or the disk
        from app.storage.atomic import os_reason

        where = f" {exc.filename}" if exc.filename else ""
        print(f"错误：无法读写{where}：{os_reason(exc)}。", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:  # what was under way rolled back with its transaction
        print("已中断。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: said in Chinese, its traceback kept in the error log
        print(_unexpected(args, exc), file=sys.stderr)
        return EXIT_INTERNAL_ERROR
    finally:
        select_hub(None)


def _unexpected(args: argparse.Namespace, error: Exception) -> str:
    """What a command that failed unexpectedly says; its traceback goes to the error log."""
    from app.storage import error_log, paths

    kind = error.__class__.__name__
    said = f"错误：发生了意外错误（{kind}），命令没有完成。已保存的记录不受影响。"
    try:
        log = error_log.record(paths.data_dir(args.data_dir), f"omw {args.command}", error)
    except OSError:  # the data folder itself is the trouble: the error is all there is to say
        return f"{said}（{kind}: {error}）"
    return f"{said}详细信息已记录在 {log}，可发给技术支持。"


def run() -> NoReturn:
    """The ``omw`` program and ``python -m app``: :func:`main`, then the process ends.

    After a command, every object is moved out of the garbage collector's reach
    (``gc.freeze``) before the interpreter shuts down: its shutdown otherwise walks
    every object of SQLAlchemy, the models and what the command read, at each of its
    collections. ``omw export month`` ended 0.15–0.2 s sooner (of ≈ 2 s) and ``omw
    demo --months 12`` ≈ 0.25 s sooner (issue 13). Open files and stores are closed
    by the commands themselves; ``atexit`` handlers and ``weakref.finalize`` still run.
    Not after the window: Qt's objects are left to be torn down as PySide does it.
    """
    code = main()
    if "PySide6.QtWidgets" not in sys.modules:
        gc.freeze()
    raise SystemExit(code)


def _start_window(args: argparse.Namespace) -> int:
    try:
        from ui.main import run  # type: ignore[import-not-found]
    except ModuleNotFoundError as exc:
        if exc.name not in ("ui", "ui.main"):
            raise
        build_parser().print_help()
        return 0
    try:
        actor = actor_of(args)
        select_hub(args.database)
    except StoreError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        return int(run(args.data_dir, actor))
    finally:
        select_hub(None)
