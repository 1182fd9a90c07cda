"""``omw backup`` and ``omw restore``: online backups, restore drills and restores."""

from __future__ import annotations

import argparse

from app.cli.common import Adder, actor_of, print_json, recovery_arg, recovery_options, table


def cmd_backup(args: argparse.Namespace) -> int:
    from app.storage import backup
    from app.storage.store import Store

    if args.list:
        from app.storage import paths

        rows = backup.list_backups(args.to or paths.data_dir(args.data_dir))
        if args.json:
            print_json({"backups": [b.as_json() for b in rows]})
            return 0
        print(
            table(
                ["时间", "类型", "加密", "大小", "文件"],
                [
                    [
                        b.created.isoformat(sep=" "),
                        {"auto": "自动", "manual": "手动", "pre-restore": "恢复前"}.get(
                            b.kind, b.kind
                        ),
                        ("是" if b.encrypted else "否") if b.summary else "无摘要",
                        b.path.stat().st_size,
                        b.path.name,
                    ]
                    for b in rows
                ],
            )
            if rows
            else "没有备份。"
        )
        return 0
    # the online backup API copies a consistent snapshot next to a running window
    store = Store.open(args.data_dir, actor=actor_of(args), exclusive=False)
    try:
        info = backup.backup_store(store, args.to)
    finally:
        store.close()
    if args.json:
        print_json(info.as_json())
        return 0
    state = "已加密" if info.encrypted else "未加密"
    audit = (info.summary or {}).get("audit", {})
    print(f"已备份（{state}，已校验）：{info.path}")
    print(f"记录数见摘要 {info.summary_path.name}；审计日志 {audit.get('entries', 0)} 条")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.storage import backup

    recovery = recovery_arg(args)
    if args.drill:
        report = backup.drill(args.file, args.data_dir, recovery_key=recovery)
        if args.json:
            print_json(report.as_json())
        else:
            print("\n".join(report.lines()))
        return 0 if report.ok else 1
    result = backup.restore_backup(
        args.file, args.data_dir, recovery_key=recovery, force=args.force
    )
    if args.json:
        print_json(
            result.drill.as_json()
            | {"restored": str(result.restored), "previous_backup": str(result.previous_backup)}
        )
        return 0
    print("\n".join(result.drill.lines()))
    if result.previous_backup:
        print(f"恢复前的数据存储已备份到：{result.previous_backup}")
    for note in result.notes:
        print(f"注意：{note}")
    print(f"已恢复：{result.restored}")
    return 0


def register(add: Adder) -> None:
    p = add("backup", cmd_backup, "用 SQLite 在线备份接口备份数据存储（加密存储的备份也加密）")
    p.add_argument("--to", metavar="DIR", help="备份目录（默认：数据目录下的 backups）")
    p.add_argument("--list", action="store_true", help="列出备份")
    p.add_argument("--json", action="store_true")

    p = add("restore", cmd_restore, "从备份恢复（先演练校验、先备份当前数据），或只做恢复演练")
    p.add_argument("file", help="备份文件 .omwbak")
    p.add_argument("--drill", action="store_true", help="只做恢复演练：还原到临时位置并核对")
    p.add_argument("--force", action="store_true", help="摘要缺失或不符时仍然恢复（副本须完好）")
    recovery_options(p)
    p.add_argument("--json", action="store_true")
