"""``omw hub init|status|connect|disconnect``: the team hub on PostgreSQL (:mod:`app.storage.hub`).

``omw --database URL …`` runs any command on the hub at URL instead of the data
folder's store file.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from app.cli.common import Adder, CliError, print_json, table
from db.protections import APP_ROLE


def _url(args: argparse.Namespace) -> str:
    from app.storage import hub
    from app.storage.paths import data_dir

    url = args.database or hub.configured_url(data_dir(args.data_dir))
    if not url:
        raise CliError("未指定团队中心：请用 --database postgresql://用户@服务器/数据库。")
    return hub.check_url(url)


def _ask(prompt: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    value = getpass.getpass(f"{prompt}：")
    if value and value != getpass.getpass("请再输入一次："):
        raise CliError("两次输入的口令不一致。")
    return value or None


def cmd_init(args: argparse.Namespace) -> int:
    from app.storage import hub

    url = _url(args)
    password = (
        _ask(f"为账户 {args.role} 设置登录口令（直接回车：不设置）") if args.set_password else None
    )
    report = hub.init(url, role=args.role, role_password=password)
    print(f"团队中心：{hub.describe(url)}")
    if report.created_database:
        print("已创建数据库。")
    before = report.from_revision or "（新建）"
    print(f"结构版本：{before} → {report.revision}")
    made = "已创建" if report.role_created else "已更新"
    print(f"应用账户 {args.role}：{made}权限（受保护的表不可修改或删除：{len(report.refused)} 项）")
    if report.indexed is not None:
        print(f"搜索索引：已建立（{report.indexed} 条）")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from app.storage import hub
    from app.storage.paths import data_dir
    from app.storage.secrets import open_secret_store

    url = _url(args)
    engine = hub.connect(url, open_secret_store(data_dir(args.data_dir)))
    try:
        state = hub.status(engine, url, args.role)
    finally:
        engine.dispose()
    if args.json:
        print_json(
            {
                "hub": hub.describe(url),
                "server_version": state.server,
                "user": state.user,
                "tls": state.tls,
                "revision": state.revision,
                "head": state.head,
                "current": state.current,
                "role": state.role,
                "role_exists": state.role_exists,
                "role_refused": [list(x) for x in state.role_refused],
                "counts": state.counts,
                "devices": state.devices,
            }
        )
        return 0
    where = f"PostgreSQL {state.server}，以 {state.user} 连接，{state.tls}"
    print(f"团队中心：{hub.describe(url)}（{where}）")
    if state.revision is None:
        print("数据库尚未初始化：请由管理员运行 omw hub init。")
        return 1
    current = "已是最新" if state.current else f"需要升级到 {state.head}（omw hub init）"
    print(f"结构版本：{state.revision}，{current}")
    if state.role_exists:
        refused = "、".join(f"{t} {e}" for t, e in state.role_refused) or "无"
        print(f"应用账户 {state.role}：不可执行 {refused}")
    else:
        print(f"应用账户 {state.role}：不存在（omw hub init 创建）")
    print(f"设备：{state.devices} 台")
    print(table(["内容", "条数"], [[hub.counted_label(k), v] for k, v in state.counts.items()]))
    return 0 if state.current else 1


def cmd_connect(args: argparse.Namespace) -> int:
    from app.storage import hub
    from app.storage.paths import data_dir

    url = hub.check_url(args.url)
    password = None
    if not args.no_password:
        password = _ask(f"团队中心 {hub.describe(url)} 的登录口令")
        if password is None:
            raise CliError("需要在终端中输入口令（或用 --no-password：以证书或本机信任登录）。")
    where = hub.connect_folder(data_dir(args.data_dir), url, password)
    print(f"已连接团队中心 {hub.describe(url)}；此数据目录的命令和窗口今后都使用它。")
    if password:
        print(f"口令保存在：{where}")
    return 0


def cmd_disconnect(args: argparse.Namespace) -> int:
    from app.storage import hub
    from app.storage.paths import data_dir

    hub.save_url(data_dir(args.data_dir), None)
    print("已断开团队中心；此数据目录今后使用本机的数据存储。")
    return 0


def register(add: Adder) -> None:
    p = add("hub", lambda _args: 2, "团队中心（PostgreSQL）：初始化、状态、连接")
    sub = p.add_subparsers(dest="hub_command", metavar="HUB_COMMAND", required=True)

    def hub_add(name: str, func: object, help_: str) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=help_, description=help_)
        q.set_defaults(func=func)
        return q

    q = hub_add(
        "init", cmd_init, "创建或升级团队中心的数据库、搜索索引和应用账户（以数据库所有者连接）"
    )
    q.add_argument("--role", default=APP_ROLE, help=f"应用连接用的账户（默认 {APP_ROLE}）")
    q.add_argument("--set-password", action="store_true", help="在终端中为应用账户设置口令")
    q = hub_add("status", cmd_status, "团队中心的版本、加密连接、账户权限和数据量")
    q.add_argument("--role", default=APP_ROLE, help=f"检查权限的账户（默认 {APP_ROLE}）")
    q.add_argument("--json", action="store_true")
    q = hub_add(
        "connect", cmd_connect, "此数据目录改用团队中心（口令保存在密钥环或加密的密钥文件）"
    )
    q.add_argument(
        "url", help="postgresql://用户@服务器/数据库?sslmode=verify-full&sslrootcert=CA文件"
    )
    q.add_argument("--no-password", action="store_true", help="不保存口令（证书或本机信任登录）")
    hub_add("disconnect", cmd_disconnect, "此数据目录改回使用本机的数据存储")
