"""``omw review list|sign|return``: the 复核 queue at the terminal.

Countersigning needs the reviewer's handwritten signature: the one saved in the
window (设置 → 我的签名, sealed under a PIN; the PIN is typed without echo or given
in ``OMW_SIGNATURE_PIN``), or a PNG file given with ``--image``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from app.cli.common import Adder, CliError, actor_of, month_arg, print_json, table
from app.storage.atomic import os_reason

ENV_PIN = "OMW_SIGNATURE_PIN"


def cmd_list(args: argparse.Namespace) -> int:
    from app.records import review
    from app.storage.store import Store

    store = Store.open(args.data_dir, actor=actor_of(args))
    try:
        with store.session() as session:
            items = review.queue(
                session,
                engineer=args.engineer,
                contract=args.contract,
                kind=args.kind,
                month=args.month,
            )
    finally:
        store.close()
    if args.json:
        print_json({"count": len(items), "items": [i.as_json() for i in items]})
        return 0
    if not items:
        print("没有待复核的记录。")
        return 0
    rows = [
        [
            i.record_id[:8],
            i.day.isoformat(),
            i.kind_label,
            i.title,
            i.engineer,
            review.STATE_LABELS[i.state],
            f"{i.exceptions} 项异常"
            if i.exceptions
            else "重复巡检"
            if i.twin
            else ("可批量" if i.routine else ""),
        ]
        for i in items
    ]
    print(table(["编号", "日期", "类别", "记录", "运维人员", "状态", "备注"], rows))
    print(f"共 {len(items)} 条待复核。复核：omw review sign 编号… --as 姓名")
    return 0


def _signature_png(args: argparse.Namespace, name: str) -> bytes:
    """The signature image: ``--image``, else the saved signature of ``name`` under its PIN."""
    from app.records import signature_vault

    if args.image:
        try:
            return Path(args.image).read_bytes()
        except OSError as exc:
            raise CliError(f"无法读取签名图片 {args.image}：{os_reason(exc)}") from None
    folder = Path(args.store_folder)
    if not signature_vault.has_signature(folder, name):
        raise CliError(
            f"没有保存「{name}」的签名：请在窗口的 设置 → 我的签名 中保存，"
            "或用 --image 指定签名图片（PNG）。"
        )
    pin = os.environ.get(ENV_PIN)
    if pin is None:
        if not sys.stdin.isatty():
            raise CliError(f"请输入签名 PIN（环境变量 {ENV_PIN}）。")
        pin = getpass.getpass(f"「{name}」的签名 PIN：")
    return signature_vault.load_signature(folder, name, pin)


def cmd_sign(args: argparse.Namespace) -> int:
    from app.records import review
    from app.storage.store import Store

    name = actor_of(args)
    store = Store.open(args.data_dir, actor=name)
    try:
        args.store_folder = str(store.folder)
        png = _signature_png(args, name)
        with store.session() as session:
            signed = [
                review.countersign(session, record_id, signer_name=name, png=png)
                for record_id in args.ids
            ]
            count = len(signed)
    finally:
        store.close()
    print(f"已以复核人「{name}」签字 {count} 条记录。")
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    from app.records import review
    from app.storage.store import Store

    actor = actor_of(args)
    store = Store.open(args.data_dir, actor=actor)
    try:
        with store.session() as session:
            row = review.send_back(session, args.id, reason=args.reason, actor=actor)
            engineer = row.engineer
    finally:
        store.close()
    print(f"已退回给 {engineer}；对方下次交换后可见，以「更正」答复。")
    return 0


def register(add: Adder) -> None:
    p = add("review", lambda _args: 0, "复核：待复核记录、复核签字、退回")
    sub = p.add_subparsers(dest="review_action", metavar="ACTION", required=True)

    q = sub.add_parser("list", help="待复核的记录（运维人员已签字、复核人未签字）")
    q.set_defaults(func=cmd_list)
    q.add_argument("--engineer", help="只看该运维人员签字的记录")
    q.add_argument("--contract", help="合同代码")
    q.add_argument(
        "--kind", help="inspection_run | fault_record | service_request | meeting_minutes …"
    )
    q.add_argument("--month", type=month_arg, help="YYYY-MM")
    q.add_argument("--json", action="store_true")

    s = sub.add_parser("sign", help="以复核人身份签字（可一次多条）")
    s.set_defaults(func=cmd_sign)
    s.add_argument("ids", nargs="+", metavar="ID", help="记录编号（或其前 8 位）")
    s.add_argument("--as", dest="actor", default=argparse.SUPPRESS, help="复核人姓名")
    s.add_argument("--image", metavar="PNG", help="签名图片；默认使用已保存的签名（需 PIN）")

    r = sub.add_parser("return", help="退回给运维人员，附退回原因")
    r.set_defaults(func=cmd_return)
    r.add_argument("id", metavar="ID", help="记录编号（或其前 8 位）")
    r.add_argument("--reason", required=True, help="退回原因")
    r.add_argument("--as", dest="actor", default=argparse.SUPPRESS, help="退回人姓名")
