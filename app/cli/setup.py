"""``omw init``, ``omw profiles`` and ``omw demo``: a store, its contracts, demo data."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any, TextIO

from app.cli.common import Adder, CliError, actor_of, date_arg, print_json, table
from app.cli.encryption import setup_encryption

#: months of demo data ``omw init --demo`` makes when not told
DEMO_MONTHS = 3


def cmd_init(args: argparse.Namespace) -> int:
    from app.contracts.profiles import install_builtin_profiles
    from app.schedule.holidays import sync_all_holidays
    from app.storage.store import Store

    if not args.demo and (args.months is not None or args.seed is not None):
        raise CliError("--months 和 --seed 是演示数据的选项，只与 --demo 一起使用。")
    if args.demo and args.records_from is not None:
        raise CliError("--records-from 与 --demo 不能同时使用：演示数据会填满启用日期之前的月份。")
    if args.recovery_out and not args.encrypt:
        raise CliError("--recovery-out 是加密存储的恢复密钥文件，只与 --encrypt 一起使用。")
    if args.encrypt:
        setup_encryption(args)
    store = Store.open(args.data_dir, actor=actor_of(args))
    with store.session() as session:
        contracts = install_builtin_profiles(session, begins=args.records_from)
        sync_all_holidays(session)
        begins = {c.code: _records_from(c) for c in contracts}
    print(f"数据目录：{store.folder}")
    if store.encrypted:
        print(f"数据存储已加密（SQLCipher，密钥 {store.key_id}）")
    named = [code + (f"（{day} 启用）" if day else "") for code, day in begins.items()]
    print(f"已载入合同：{'、'.join(named)}")
    if args.records_from is not None and args.records_from.isoformat() not in begins.values():
        print(
            f"未设启用日期：{args.records_from} 不在尚未载入的内置合同的合同期内"
            "（已载入的合同用 omw profiles --contract 代码 --records-from 日期 声明）。"
        )
    if args.demo:
        from app.demo.generator import generate

        for code in begins:
            months, seed = args.months or DEMO_MONTHS, 1 if args.seed is None else args.seed
            stats = generate(store, code, months=months, seed=seed)
            print(f"演示数据 {code}：{stats.describe()}")
    store.close()
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    from app.contracts.registry import list_contracts
    from app.contracts.versions import current_number
    from app.storage.store import Store

    if (args.records_from is None) != (args.contract is None):
        raise CliError("--records-from 和 --contract 须一起给出（设置哪个合同的启用日期）。")
    if args.records_from is not None and args.install:
        raise CliError("--records-from 与 --install 不能同时使用：启用日期也可直接写在档案文件中。")
    store = Store.open(args.data_dir, actor=actor_of(args))
    try:
        if args.install:
            _install(store, args.install, sys.stderr if args.json else sys.stdout)
        if args.records_from is not None:
            _set_records_from(store, args, sys.stderr if args.json else sys.stdout)
        with store.session() as session:
            rows = [
                {
                    "code": c.code,
                    "name": c.name,
                    "client": c.client,
                    "vendor": c.vendor,
                    "contract_no": c.contract_no,
                    "start": c.start_date.isoformat(),
                    "end": c.end_date.isoformat(),
                    "records_from": _records_from(c),
                    "service_window": c.service_window,
                    "systems": [s.name for s in c.systems if s.active],
                    "builtin": c.builtin,
                    "version": current_number(session, c),
                }
                for c in list_contracts(session)
            ]
    finally:
        store.close()
    if args.json:
        print_json({"contracts": rows})
        return 0
    if not rows:
        print("尚无合同。先运行 `omw init` 载入内置合同。")
        return 0
    print(
        table(
            ["代码", "名称", "服务期", "服务时间", "系统数", "档案版本"],
            [
                [
                    r["code"],
                    r["name"],
                    f"{r['start']} 至 {r['end']}"
                    + (f"（{r['records_from']} 启用）" if r["records_from"] else ""),
                    r["service_window"],
                    len(r["systems"]),
                    r["version"],
                ]
                for r in rows
            ],
        )
    )
    return 0


def _records_from(contract: Any) -> str | None:
    """The contract's declared 启用日期, as ISO text (``None``: counted from the start)."""
    from app.contracts.snapshot import schedule_parts

    begins = schedule_parts(contract.profile).records_from
    return begins.isoformat() if begins else None


def _records_from_arg(text: str) -> date | str:
    """``--records-from``: a date, or 「none」 to withdraw the declaration."""
    return "none" if text.strip().lower() == "none" else date_arg(text)


def _set_records_from(store: Any, args: argparse.Namespace, out: TextIO) -> None:
    """Declare the contract's 启用日期 (sent in bundles: :func:`set_records_from`)."""
    from app.contracts.profiles import set_records_from
    from app.contracts.registry import get_contract
    from app.contracts.versions import current_number

    day = None if args.records_from == "none" else args.records_from
    with store.session() as session:
        contract = set_records_from(session, get_contract(session, args.contract), day)
        number = current_number(session, contract)
    what = f"启用日期为 {day}" if day else "不再声明启用日期（自合同期开始统计）"
    print(f"合同 {args.contract} {what}（档案版本 {number}，下次导出交换包时发给同事）", file=out)


def _install(store: Any, path: str, out: TextIO) -> None:
    """Install a profile file; a changed contract becomes its next version (sent in bundles)."""
    from app.contracts.profiles import install_profile_file
    from app.contracts.versions import current_number
    from app.schedule.holidays import sync_statutory_holidays

    with store.session() as session:
        contract = install_profile_file(session, path)
        sync_statutory_holidays(session, contract)
        number = current_number(session, contract)
    note = "，下次导出交换包时发给同事" if number > 1 else ""
    print(f"已载入合同档案 {contract.code}（版本 {number}）{note}", file=out)


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo.generator import generate
    from app.storage.store import Store

    store = Store.open(args.data_dir, actor=actor_of(args))
    stats = generate(store, args.contract, months=args.months, seed=args.seed)
    store.close()
    print(f"演示数据 {args.contract}：{stats.describe()}")
    return 0


def register(add: Adder) -> None:
    p = add("init", cmd_init, "创建数据存储并载入内置合同")
    p.add_argument("--encrypt", action="store_true", help="创建加密的数据存储（SQLCipher）")
    p.add_argument("--recovery-out", metavar="FILE", help="把恢复密钥写入此文件（--encrypt）")
    p.add_argument("--demo", action="store_true", help="同时为每个内置合同生成演示数据")
    p.add_argument("--months", type=int, help=f"演示数据月数（--demo；默认 {DEMO_MONTHS}）")
    p.add_argument("--seed", type=int, help="演示数据随机种子（--demo；默认 1）")
    p.add_argument(
        "--records-from",
        type=date_arg,
        metavar="DATE",
        help="合同已进行一段时间才开始用本应用时：本次载入的内置合同自此日期启用"
        "（此前未记录的不计为未完成或逾期）",
    )

    p = add("profiles", cmd_profiles, "列出合同；--install 载入或更新合同档案")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--install",
        metavar="FILE",
        help="载入合同档案文件（.yaml）；已有的合同更新为新版本，随交换包发给团队",
    )
    p.add_argument("--contract", help="设置启用日期的合同（与 --records-from 一起）")
    p.add_argument(
        "--records-from",
        type=_records_from_arg,
        metavar="DATE",
        help="合同中途才开始用本应用记录时，声明启用日期 YYYY-MM-DD"
        "（此前未记录的不计为未完成或逾期）；none 取消；随交换包发给团队",
    )

    p = add("demo", cmd_demo, "生成确定性的演示数据（虚构人员）")
    p.add_argument("--contract", required=True)
    p.add_argument("--months", type=int, required=True, help="生成到今天为止的月数（1–120）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成同样的数据）")
