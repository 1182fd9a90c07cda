"""``omw team``, ``omw bundle`` and ``omw void``: the team's identity, exchange bundles, 作废."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.common import Adder, CliError, actor_of, options_of_actions, print_json, table

_PASSPHRASE_PROMPT = "交换包口令"


def _open(args: argparse.Namespace, *, exclusive: bool = True) -> Any:
    from app.storage.store import Store

    return Store.open(args.data_dir, actor=actor_of(args), exclusive=exclusive)


def bundle_passphrase(new: bool) -> str:
    """``OMW_BUNDLE_PASSPHRASE``, else asked at the terminal (twice for a new bundle)."""
    from app.team.bundles import ENV_PASSPHRASE

    given = os.environ.get(ENV_PASSPHRASE)
    if given:
        return given
    if not sys.stdin.isatty():
        raise CliError(f"需要交换包口令：请在终端中运行，或设置环境变量 {ENV_PASSPHRASE}。")
    value = getpass.getpass(f"{_PASSPHRASE_PROMPT}：")
    if new and value != getpass.getpass("请再输入一次："):
        raise CliError("两次输入的口令不一致。")
    return value


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "—"


# --------------------------------------------------------------------------- omw team


def cmd_team(args: argparse.Namespace) -> int:
    from app.team import identity

    store = _open(args)
    try:
        if args.action == "set":
            if not args.engineer or not args.code:
                raise CliError(
                    "用法：omw team set --engineer 姓名 --code 简码（2–4 个字母，如 ZS）"
                )
            me = identity.set_identity(store, args.engineer, args.code)
            print(
                f"本机：{me.code} {me.engineer}（设备 {me.device_id[:8]}，指纹 {me.fingerprint}）"
            )
            return 0
        if args.action == "whoami":
            me = identity.whoami(store)
            if args.json:
                print_json(me.as_json())
            else:
                unset = "（未设置：omw team set --engineer 姓名 --code 简码）"
                print(f"工程师：{me.engineer or unset}")
                print(f"简码：{me.code or '—'}")
                print(f"设备：{me.device_id}")
                print(f"指纹：{me.fingerprint}（同事信任本机时核对）")
            return 0
        if args.action == "trust":
            if not args.fingerprint:
                raise CliError("用法：omw team trust 指纹")
            member = identity.trust(store, args.fingerprint, actor=store.actor)
            print(f"已信任 {member.code} {member.engineer}（设备 {member.device_id[:8]}）。")
            return 0
        if args.action == "conflicts":
            return _conflicts(store, args.json)
        if args.action == "quarantine":
            return _quarantine(store, args.json)
        members = identity.members(store)
        if args.json:
            print_json([m.as_json() for m in members])
            return 0
        rows = [
            [
                "本机" if m.own else ("已信任" if m.trusted else "未信任"),
                m.code or "—",
                m.engineer or "—",
                m.device_id[:8],
                m.fingerprint,
                _when(m.last_import),
                _when(m.last_export),
            ]
            for m in members
        ]
        print(table(["", "简码", "工程师", "设备", "指纹", "最近导入", "最近导出"], rows))
        return 0
    finally:
        store.close()


def _conflicts(store: Any, as_json: bool) -> int:
    from app.team.duplicates import duplicate_runs
    from app.team.voids import conflicts

    with store.session() as session:
        found = conflicts(session)
        twice = duplicate_runs(session)
    if as_json:
        print_json([c.as_json() for c in found] + [d.as_json() for d in twice])
    elif not found and not twice:
        print("没有更正冲突，也没有同一周期重复的巡检。")
    else:
        for conflict in found:
            print(conflict.line())
        for duplicate in twice:
            print(duplicate.line())
            for run in duplicate.runs:
                print(f"  {run.id}  {run.label()}")
        if twice:
            print("作废多出的一份：omw void inspection_run 编号 --reason 原因")
    return 0


def _quarantine(store: Any, as_json: bool) -> int:
    from sqlalchemy import select

    from app.team.tables import LABELS
    from db.models import Quarantine

    with store.session() as session:
        rows = session.scalars(select(Quarantine).order_by(Quarantine.at)).all()
        items = [
            {
                "at": r.at.isoformat(),
                "bundle": r.bundle_sha256,
                "table": r.record_type,
                "id": r.record_id,
                "reason": r.reason,
            }
            for r in rows
        ]
    if as_json:
        print_json(items)
    elif not items:
        print("没有被隔离的内容。")
    else:
        print(
            table(
                ["时间", "类型", "编号", "原因", "交换包"],
                [
                    [
                        i["at"][:16],
                        LABELS.get(i["table"], i["table"]),
                        i["id"][:8],
                        i["reason"],
                        i["bundle"][:12],
                    ]
                    for i in items
                ],
            )
        )
    return 0


# --------------------------------------------------------------------------- omw bundle


def cmd_bundle(args: argparse.Namespace) -> int:
    from app.team import bundles

    if args.action == "export":
        if not args.to:
            raise CliError(
                "用法：omw bundle export --to 文件 [--since 上次的交换包|简码] [--contract 合同]"
            )
        target = Path(args.to)
        if target.exists() and not args.force:
            raise CliError(f"{target} 已存在；换个文件名，或加 --force 覆盖。")
        passphrase = bundle_passphrase(new=True)
        store = _open(args)
        try:
            summary = bundles.export_bundle(
                store, target, passphrase, since=args.since, contract=args.contract
            )
        finally:
            store.close()
        if args.json:
            print_json(summary.as_json())
        else:
            print("\n".join(summary.lines()))
        return 0
    if not args.file:
        raise CliError(f"用法：omw bundle {args.action} 文件")
    passphrase = bundle_passphrase(new=False)
    store = _open(args, exclusive=args.action == "import")
    try:
        if args.action == "preview":
            report = bundles.preview_bundle(store, Path(args.file), passphrase)
        else:
            report = bundles.import_bundle(
                store, Path(args.file), passphrase, trust_new_signer=args.trust
            )
    finally:
        store.close()
    if args.json:
        print_json(report.as_json())
    else:
        print("\n".join(report.lines()))
    return 0


# --------------------------------------------------------------------------- omw void


def cmd_void(args: argparse.Namespace) -> int:
    from app.team.voids import void

    store = _open(args)
    try:
        with store.session() as session:
            void(session, args.record_type, args.record_id, reason=args.reason, actor=store.actor)
    finally:
        store.close()
    print("已作废：该记录（含其全部更正版本）不再计入待办、统计和交付包；交换后在同事处同样作废。")
    return 0


def register(add: Adder) -> None:
    p = add("team", cmd_team, "团队：本机身份和简码、同事设备的信任、冲突和隔离内容")
    p.add_argument(
        "action",
        choices=["whoami", "set", "devices", "trust", "conflicts", "quarantine"],
        help="whoami：本机身份；set：设定姓名和简码；devices：同事设备；trust：信任设备；"
        "conflicts：更正冲突与同一周期重复的巡检；quarantine：隔离的内容",
    )
    p.add_argument("fingerprint", nargs="?", help="trust：同事设备的指纹")
    p.add_argument("--engineer", help="set：本机工程师姓名")
    p.add_argument("--code", help="set：简码，2–4 个字母，如 ZS（编号中使用）")
    p.add_argument("--json", action="store_true")
    options_of_actions(
        p, "action", {"--engineer": ("engineer", {"set"}), "--code": ("code", {"set"})}
    )

    p = add("bundle", cmd_bundle, "交换包：导出给同事/项目经理，预览和导入对方的交换包")
    p.add_argument(
        "action",
        choices=["export", "preview", "import"],
        help="export：导出；preview：预览（不写入）；import：导入",
    )
    p.add_argument("file", nargs="?", help="preview/import：交换包文件")
    p.add_argument("--to", help="export：写入的交换包文件")
    p.add_argument(
        "--since",
        metavar="LAST",
        help="export：只导出对方还没有的——给出上次与对方交换的交换包文件，或对方的简码",
    )
    p.add_argument("--contract", help="export：只导出这个合同（合同编码）")
    p.add_argument("--force", action="store_true", help="export：覆盖已存在的文件")
    p.add_argument("--trust", action="store_true", help="import：核对指纹后信任签名设备")
    p.add_argument("--json", action="store_true")
    options_of_actions(
        p,
        "action",
        {
            "--to": ("to", {"export"}),
            "--since": ("since", {"export"}),
            "--contract": ("contract", {"export"}),
            "--force": ("force", {"export"}),
            "--trust": ("trust", {"import"}),
        },
    )

    p = add("void", cmd_void, "作废一条已签字的记录（连同其更正版本），交换后各处同样作废")
    p.add_argument(
        "record_type",
        choices=["inspection_run", "fault_record", "service_request", "meeting_minutes"],
        help="记录类型：巡检记录、故障单、服务请求、会议纪要",
    )
    p.add_argument("record_id", help="记录编号")
    p.add_argument("--reason", required=True, help="作废原因")
