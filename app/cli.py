"""The ``omw`` command line; ``python -m app`` runs the same entry point.

Every command uses the same services as the window. Errors meant for the user
go to stderr in Chinese with exit code 2. ``--json`` output is stable and
documented in the README.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from app import __version__
from db.errors import StoreError

EXIT_USER_ERROR = 2
ENV_ACTOR = "OMW_USER"


class CliError(StoreError):
    """A wrong argument, reported like a domain error."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text!r}") from None


def _month(text: str) -> str:
    try:
        date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份格式应为 YYYY-MM：{text!r}") from None
    return text


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return str(args.actor)
    if os.environ.get(ENV_ACTOR):
        return os.environ[ENV_ACTOR]
    try:
        return getpass.getuser()
    except Exception:  # no user name on some locked-down systems
        return "omw"


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
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


# --------------------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace) -> int:
    from app.profiles import install_builtin_profiles
    from app.services.holidays import sync_all_holidays
    from app.store import Store

    if args.encrypt:
        _setup_encryption(args)
    store = Store.open(args.data_dir, actor=_actor(args))
    with store.session() as session:
        contracts = install_builtin_profiles(session)
        sync_all_holidays(session)
        codes = [c.code for c in contracts]
    print(f"数据目录：{store.folder}")
    if store.encrypted:
        print(f"数据存储已加密（SQLCipher，密钥 {store.key_id}）")
    print(f"已载入合同：{'、'.join(codes)}")
    if args.demo:
        from app.demo import generate

        for code in codes:
            stats = generate(store, code, months=args.months, seed=args.seed)
            print(f"演示数据 {code}：{stats.describe()}")
    store.close()
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    from app.services.contracts import list_contracts
    from app.store import Store

    store = Store.open(args.data_dir, actor=_actor(args))
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
                "service_window": c.service_window,
                "systems": [s.name for s in c.systems if s.active],
                "builtin": c.builtin,
            }
            for c in list_contracts(session)
        ]
    store.close()
    if args.json:
        _print_json({"contracts": rows})
        return 0
    if not rows:
        print("尚无合同。先运行 `omw init` 载入内置合同。")
        return 0
    print(
        _table(
            ["代码", "名称", "服务期", "服务时间", "系统数"],
            [
                [
                    r["code"],
                    r["name"],
                    f"{r['start']} 至 {r['end']}",
                    r["service_window"],
                    len(r["systems"]),
                ]
                for r in rows
            ],
        )
    )
    return 0


_STATE_ZH = {"due": "待办", "in_progress": "进行中", "done": "已完成", "overdue": "已逾期"}
_KIND_ZH = {"checklist": "巡检", "holiday_check": "节假日检查", "deliverable": "交付物"}


def cmd_due(args: argparse.Namespace) -> int:
    from app.due import due_on
    from app.store import Store

    store = Store.open(args.data_dir, actor=_actor(args))
    with store.session() as session:
        report = due_on(session, args.contract, args.date)
    store.close()
    data = report.as_json()
    if args.json:
        _print_json(data)
        return 0
    title = f"{data['contract']} {data['date']} 应办事项"
    if data["holiday"]:
        title += f"（节假日保障：{data['holiday']}）"
    print(title)
    if data["assumed_calendar"]:
        print("注意：该年度法定节假日安排未知，按周一至周五及用户录入的节假日推算。")
    if not data["items"]:
        print("今日无应办事项（不在合同服务期内或无到期事项）。")
        return 0
    print(
        _table(
            ["状态", "类别", "名称", "系统", "周期", "截止"],
            [
                [
                    _STATE_ZH[i["state"]],
                    _KIND_ZH[i["kind"]],
                    i["name"],
                    i["system_name"] or "",
                    i["period_label"],
                    i["deadline"] + ("*" if i["assumed"] else ""),
                ]
                for i in data["items"]
            ],
        )
    )
    return 0


def cmd_deadlines(args: argparse.Namespace) -> int:
    from app.deadlines import deadlines_json
    from app.store import Store

    store = Store.open(args.data_dir, actor=_actor(args))
    with store.session() as session:
        data = deadlines_json(session, args.contract, args.date_from, args.date_to, args.today)
    store.close()
    if args.json:
        _print_json(data)
        return 0
    print(f"{data['contract']} 交付物截止日期（{data['from']} 至 {data['to']}）")
    print(
        _table(
            ["截止日期", "交付物", "期间", "规则", "状态"],
            [
                [
                    d["due_date"] + ("*" if d["assumed"] else ""),
                    d["name"],
                    d["period_label"],
                    d["rule"],
                    _STATE_ZH[d["state"]],
                ]
                for d in data["deadlines"]
            ],
        )
    )
    if any(d["assumed"] for d in data["deadlines"]):
        print("* 该年度法定节假日安排未知，日期按周一至周五及用户录入的节假日推算，请核对。")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import generate
    from app.store import Store

    store = Store.open(args.data_dir, actor=_actor(args))
    stats = generate(store, args.contract, months=args.months, seed=args.seed)
    store.close()
    print(f"演示数据 {args.contract}：{stats.describe()}")
    return 0


def cmd_holidays(args: argparse.Namespace) -> int:
    from app.services import holidays
    from app.services.contracts import get_contract
    from app.store import Store

    store = Store.open(args.data_dir, actor=_actor(args))
    with store.session() as session:
        contract = get_contract(session, args.contract)
        if args.add:
            name, start, end = args.add
            holidays.add_event(session, contract, name, _date(start), _date(end), args.note)
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "start": p.start_date.isoformat(),
                "end": p.end_date.isoformat(),
            }
            for p in holidays.list_periods(session, contract)
        ]
    store.close()
    if args.json:
        _print_json({"contract": args.contract, "holidays": rows})
        return 0
    kinds = {"statutory": "法定", "event": "约定"}
    print(
        _table(
            ["名称", "类型", "开始", "结束"],
            [[r["name"], kinds.get(r["kind"], r["kind"]), r["start"], r["end"]] for r in rows],
        )
    )
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from app.services.holidays import sync_all_holidays
    from app.store import Store
    from app.workcal import set_override

    store = Store.open(args.data_dir, actor=_actor(args))
    with store.session() as session:
        set_override(session, args.day, workday=args.kind == "workday", name=args.name)
        sync_all_holidays(session)  # holiday periods follow the changed calendar
    store.close()
    label = "工作日" if args.kind == "workday" else "休息日"
    print(f"已将 {args.day.isoformat()} 设为{label}{('：' + args.name) if args.name else ''}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from app.audit import verify_chain
    from app.store import Store

    store = Store.open(args.data_dir, actor=_actor(args), exclusive=False)  # read-only
    with store.session() as session:
        report = verify_chain(session)
    store.close()
    if args.json:
        _print_json(
            {"ok": report.ok, "entries": report.entries, "broken_at": report.broken_at}
            | {"reason": report.reason}
        )
    elif report.ok:
        print(f"审计日志完整：共 {report.entries} 条，哈希链校验通过。")
    else:
        print(f"审计日志第 {report.broken_at} 条校验失败：{report.reason}", file=sys.stderr)
    return 0 if report.ok else 1


# ------------------------------------------------------------ confidentiality and backups


def _cli_passphrase(prompt: str, new: bool) -> str | None:
    """Ask the secret file's passphrase in the terminal (never when not interactive)."""
    if not sys.stdin.isatty():
        return None
    value = getpass.getpass(f"{prompt}：")
    if new and value != getpass.getpass("请再输入一次："):
        raise CliError("两次输入的口令不一致。")
    return value


def _recovery_arg(args: argparse.Namespace) -> str | None:
    from app.secrets import normalize_recovery_key, read_recovery_file

    if getattr(args, "recovery_file", None):
        return read_recovery_file(args.recovery_file)
    if getattr(args, "recovery_key", None):
        return normalize_recovery_key(args.recovery_key)
    return None


def _hand_over_recovery_key(
    args: argparse.Namespace, recovery_key: str, key_id: str, location: str
) -> None:
    """Write the new recovery key to --recovery-out, or show it once."""
    from datetime import datetime
    from pathlib import Path

    from app import crypto_store, paths
    from app.atomic import atomic_write_text
    from app.secrets import recovery_key_document

    folder = paths.data_dir(args.data_dir)
    info = crypto_store.load_keyinfo(folder)
    print(f"密钥 {key_id} 已保存在：{location}")
    out = getattr(args, "recovery_out", None)
    if out:
        path = Path(out)
        doc = recovery_key_document(
            recovery_key,
            info.store_id if info else "",
            key_id,
            datetime.now().replace(microsecond=0).isoformat(sep=" "),
        )
        atomic_write_text(path, doc, mode=0o600)
        print(f"恢复密钥已写入：{path}（请转存到离线介质并妥善保管，然后从本机删除）")
    else:
        print("恢复密钥（请立即抄写或打印并离线保管；本机密钥丢失时只能靠它恢复数据）：")
        print(f"    {recovery_key}")
        print("也可稍后导出：omw key export-recovery 文件")


def _check_recovery_out(args: argparse.Namespace) -> None:
    from pathlib import Path

    out = getattr(args, "recovery_out", None)
    if out and Path(out).exists():
        raise CliError(f"文件 {out} 已存在；为免覆盖之前的恢复密钥，请换一个文件名。")


def _setup_encryption(args: argparse.Namespace) -> None:
    from app import crypto_store, paths
    from app.secrets import open_secret_store

    folder = paths.data_dir(args.data_dir)
    state = crypto_store.file_state(paths.db_path(folder))
    if state == "encrypted":
        return
    if state == "plain":
        raise CliError("该数据目录已有未加密的数据存储；请用 omw encrypt 把它转换为加密存储。")
    _check_recovery_out(args)
    secrets = open_secret_store(folder)
    if secrets.fallback_reason:
        print(f"注意：{secrets.fallback_reason}，密钥将保存在{secrets.location_description}。")
    new = crypto_store.create_key(folder, secrets)
    _hand_over_recovery_key(args, new.recovery_key, new.key_id, new.location)


def _print_conversion(report: Any) -> None:
    total = sum(report.tables.values())
    state = "加密" if report.encrypted else "未加密（明文）"
    print(
        f"转换完成并已校验：数据存储现为{state}；{len(report.tables)} 张表、{total} 条记录、"
        f"审计日志 {report.audit_entries} 条，与转换前一致（用时 {report.seconds:.2f} 秒）。"
    )
    for path in report.converted_files:
        print(f"  已加密旧副本：{path}")
    for note in report.notes:
        print(f"注意：{note}")


def cmd_encrypt(args: argparse.Namespace) -> int:
    from app import crypto_store, paths
    from app.secrets import open_secret_store

    _check_recovery_out(args)
    folder = paths.data_dir(args.data_dir)
    secrets = open_secret_store(folder)
    if secrets.fallback_reason:
        print(f"注意：{secrets.fallback_reason}，密钥将保存在{secrets.location_description}。")
    report = crypto_store.encrypt_store(folder, secrets=secrets)
    _print_conversion(report)
    assert report.recovery_key and report.key_id
    _hand_over_recovery_key(args, report.recovery_key, report.key_id, report.secret_location)
    return 0


def cmd_decrypt(args: argparse.Namespace) -> int:
    from app import crypto_store

    if not args.yes:
        raise CliError("解密后客户数据将以明文保存在磁盘上。确认要解密，请加 --yes。")
    report = crypto_store.decrypt_store(args.data_dir, recovery_key=_recovery_arg(args))
    _print_conversion(report)
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    from app import crypto_store

    _check_recovery_out(args)
    report = crypto_store.rekey_store(args.data_dir, recovery_key=_recovery_arg(args))
    _print_conversion(report)
    assert report.recovery_key and report.key_id
    _hand_over_recovery_key(args, report.recovery_key, report.key_id, report.secret_location)
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    from datetime import datetime
    from pathlib import Path

    from app import crypto_store, paths
    from app.atomic import atomic_write_text
    from app.secrets import open_secret_store, recovery_key_document, secrets_file

    folder = paths.data_dir(args.data_dir)
    if args.action == "status":
        data = crypto_store.describe_store(folder)
        secrets = open_secret_store(folder)
        data["secret_store"] = secrets.location_description
        data["keyring_problem"] = secrets.fallback_reason
        if args.json:
            _print_json(data)
            return 0
        states = {"missing": "尚未创建", "plain": "未加密", "encrypted": "已加密，SQLCipher"}
        print(f"数据存储：{data['store']}（{states[data['state']]}）")
        if data["key_id"]:
            print(f"密钥 ID：{data['key_id']}；设置时保存于：{data['secret_location']}")
        if data["previous_keys"]:
            print(f"旧密钥（旧备份使用）：{'、'.join(data['previous_keys'])}")
        print(f"当前密钥保存位置：{secrets.location_description}")
        if secrets.fallback_reason:
            print(f"系统钥匙串未使用：{secrets.fallback_reason}")
        for copy in data["plain_copies"]:
            print(f"警告：未加密的副本 {copy}（确认不再需要后请删除）")
        return 0
    if args.action == "export-recovery":
        if not args.file:
            raise CliError("请指定要写入的文件：omw key export-recovery 文件")
        path = Path(args.file)
        if path.exists():
            raise CliError(f"文件 {path} 已存在，请换一个文件名。")
        secrets = open_secret_store(folder)
        recovery = crypto_store.recovery_key_for(folder, secrets)
        info = crypto_store.load_keyinfo(folder)
        assert info is not None
        stamp = datetime.now().replace(microsecond=0).isoformat(sep=" ")
        doc = recovery_key_document(recovery, info.store_id, info.key_id, stamp)
        atomic_write_text(path, doc, mode=0o600)
        print(f"恢复密钥已写入：{path}（请转存到离线介质并妥善保管，然后从本机删除）")
        return 0
    # unlock: put a recovery key back into the secret store
    recovery = _recovery_arg(args)
    if recovery is None:
        raise CliError("请用 --recovery-file 文件 或 --recovery-key 密钥 提供恢复密钥。")
    if args.reset_secret_file:
        broken = secrets_file(folder)
        if broken.exists():
            aside = broken.with_name(f"{broken.name}.broken-{datetime.now():%Y%m%d-%H%M%S}")
            broken.rename(aside)
            print(f"已把无法使用的密钥文件移到 {aside}")
    secrets = open_secret_store(folder)
    info = crypto_store.remember_recovery_key(folder, recovery, secrets)
    print(f"已解锁：密钥 {info.key_id} 现保存在{secrets.location_description}。")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from app import backup
    from app.store import Store

    if args.list:
        from app import paths

        rows = backup.list_backups(args.to or paths.data_dir(args.data_dir))
        if args.json:
            _print_json({"backups": [b.as_json() for b in rows]})
            return 0
        print(
            _table(
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
    store = Store.open(args.data_dir, actor=_actor(args), exclusive=False)
    try:
        info = backup.backup_store(store, args.to)
    finally:
        store.close()
    if args.json:
        _print_json(info.as_json())
        return 0
    state = "已加密" if info.encrypted else "未加密"
    audit = (info.summary or {}).get("audit", {})
    print(f"已备份（{state}，已校验）：{info.path}")
    print(f"记录数见摘要 {info.summary_path.name}；审计日志 {audit.get('entries', 0)} 条")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app import backup

    recovery = _recovery_arg(args)
    if args.drill:
        report = backup.drill(args.file, args.data_dir, recovery_key=recovery)
        if args.json:
            _print_json(report.as_json())
        else:
            print("\n".join(report.lines()))
        return 0 if report.ok else 1
    result = backup.restore_backup(
        args.file, args.data_dir, recovery_key=recovery, force=args.force
    )
    if args.json:
        _print_json(
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


#: the AES archive written beside a pack by ``omw export month|range --encrypt``
ENCRYPTED_SUFFIX = ".encrypted.zip"


def _export_progress(done: int, total: int, message: str) -> None:
    if done < total:
        print(f"  [{done + 1}/{total}] {message}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from app.export import packs
    from app.store import Store

    store = Store.open(args.data_dir, actor=_actor(args))
    actor = _actor(args)
    try:
        if args.what == "form":
            result = packs.export_form(
                store,
                args.kind,
                args.out,
                record_id=args.record,
                contract=args.contract,
                start=args.date_from,
                end=args.date_to,
                deliverable_code=args.deliverable or "",
                exporter=actor,
            )
            data: dict[str, Any] = {
                "path": str(result.path),
                "size": result.size,
                "sha256": result.sha256,
                "verification_code": result.verification_code,
                "record_ids": result.record_ids,
            }
            data["signature"] = str(result.signature) if result.signature else None
            if args.json:
                _print_json(data)
            else:
                print(f"已导出：{result.path}（校验码 {result.verification_code}）")
                if result.signature:
                    print(f"签名：{result.signature}")
            return 0
        if not args.contract:
            raise CliError("请用 --contract 指定合同。")
        with store.session() as session:
            if args.what == "month":
                if not args.month:
                    raise CliError("请用 --month YYYY-MM 指定月份。")
                plan = packs.plan_month(session, args.contract, args.month)
            else:
                if not (args.date_from and args.date_to):
                    raise CliError("请用 --from 和 --to 指定日期范围。")
                plan = packs.plan_range(
                    session, args.contract, args.date_from, args.date_to, label=args.label or ""
                )
        passphrase = None
        if args.encrypt and not args.dry_run:
            from app.pack_archive import check_passphrase

            passphrase = _pack_passphrase(new=True)  # asked before the export, not after
            check_passphrase(passphrase)
        if args.dry_run:
            rows = [[f.path, f.title, f.period.label] for f in plan.files]
            if args.json:
                _print_json({"folder": plan.folder, "files": [r[0] for r in rows]})
            else:
                print(f"{plan.folder}（{len(rows)} 个文件）")
                print(_table(["文件", "表单", "期间"], rows))
            return 0
        result = packs.export_pack(
            store,
            plan,
            args.out,
            exporter=actor,
            progress=None if args.json else _export_progress,
            make_zip=not args.no_zip,
            overwrite=args.force,
        )
    finally:
        store.close()
    encrypted = None
    if passphrase is not None:
        from app import pack_archive

        encrypted = pack_archive.write_encrypted_zip(
            result.folder,
            result.folder.with_name(f"{result.folder.name}{ENCRYPTED_SUFFIX}"),
            passphrase,
            overwrite=args.force,
        )
    if args.json:
        _print_json(
            {
                "folder": str(result.folder),
                "zip": str(result.zip_path) if result.zip_path else None,
                "zip_signature": (f"{result.zip_path}.minisig" if result.zip_path else None),
                "encrypted": str(encrypted) if encrypted else None,
                "files": len(result.files),
                "seconds": round(result.seconds, 3),
                "manifest": result.manifest,
            }
        )
    else:
        count, seconds = len(result.files), result.seconds
        print(f"已导出 {count} 个文件到 {result.folder}（用时 {seconds:.2f} 秒）")
        if result.zip_path:
            print(f"压缩包：{result.zip_path}（签名 {result.zip_path.name}.minisig）")
        if encrypted:
            print(f"加密包（AES-256，带离现场用）：{encrypted}")
            print("注意：口令请另行告知收件人，不要与文件一起发送。")
        print(f"核验：omw verify {result.folder}")
    return 0


def cmd_template_fields(args: argparse.Namespace) -> int:
    from app.export.fields import describe
    from app.export.forms import FORMS

    if args.kind is None:
        rows = [[s.kind, s.title, "、".join(s.formats)] for s in FORMS.values()]
        print(_table(["表单类型", "名称", "格式"], rows))
        return 0
    print("\n".join(describe(args.kind)))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.export import client_templates
    from app.store import Store

    store = Store.open(args.data_dir, actor=_actor(args))
    try:
        with store.session() as session:
            if args.action == "attach":
                if not args.file:
                    raise CliError("请指定模板文件。")
                path = Path(args.file)
                try:
                    body = path.read_bytes()
                except OSError as exc:
                    raise CliError(f"无法读取模板文件 {path}：{exc.strerror}") from None
                row = client_templates.attach(
                    session, args.contract, args.deliverable, body, filename=path.name
                )
                print(f"已为交付物 {args.deliverable} 设置客户模板：{row.filename}（{row.fmt}）")
            elif args.action == "remove":
                for fmt in ("docx", "xlsx"):
                    if client_templates.remove(session, args.contract, args.deliverable, fmt):
                        print(f"已移除 {args.deliverable} 的 {fmt} 客户模板，恢复使用内置模板。")
            else:
                rows = client_templates.list_templates(session, args.contract)
                print(
                    _table(
                        ["交付物", "表单", "格式", "文件", "大小"],
                        [[r.deliverable_code, r.form, r.fmt, r.filename, r.size] for r in rows],
                    )
                    if rows
                    else "该合同没有客户模板，全部使用内置模板。"
                )
    finally:
        store.close()
    return 0


# ------------------------------------------------------------ signed packs and encrypted archives


def _existing_data_dir(args: argparse.Namespace) -> Any:
    """The data folder if it holds a store (without creating anything), else ``None``."""
    from pathlib import Path

    from app import paths

    if args.data_dir:
        folder = Path(args.data_dir)
    elif os.environ.get(paths.ENV_DATA_DIR):
        folder = Path(os.environ[paths.ENV_DATA_DIR])
    else:
        import platformdirs

        folder = Path(platformdirs.user_data_dir(paths.APP_NAME, appauthor=False))
    folder = folder.expanduser()
    return folder if paths.db_path(folder).exists() else None


def cmd_verify(args: argparse.Namespace) -> int:
    from app.signing_keys import known_keys, load_public_key_file
    from app.store import Store
    from app.verify import verify_pack

    keys = [load_public_key_file(k) for k in args.key or []]
    folder = _existing_data_dir(args)
    if folder is not None:
        try:
            store = Store.open(folder, actor=_actor(args), exclusive=False)  # read-only
        except StoreError as exc:
            if not keys:
                raise
            # the keys given with --key are enough; say why the trust store is not used
            print(f"注意：未使用本机的受信任公钥（{exc.message}）", file=sys.stderr)
        else:
            try:
                with store.session() as session:
                    keys += known_keys(session)
            finally:
                store.close()
    report = verify_pack(args.path, keys)
    if args.json:
        _print_json(report.as_json())
    else:
        print("\n".join(report.lines()), file=sys.stdout if report.ok else sys.stderr)
        if not report.ok and not any(k.trusted for k in keys):
            print(
                "提示：没有任何受信任的公钥。请用 --key 公钥文件 指定签名人的公钥，"
                "或先 omw keys import 公钥文件 --name 姓名 --trust。",
                file=sys.stderr,
            )
    return 0 if report.ok else 1


def cmd_keys(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app import minisign, signing_keys
    from app.atomic import atomic_write_text
    from app.secrets import open_secret_store
    from app.store import Store

    actor = _actor(args)
    read_only = args.action == "list"
    store = Store.open(args.data_dir, actor=actor, exclusive=not read_only)
    try:
        if args.action in ("show", "export-public"):
            secrets = open_secret_store(store.folder)
            public = signing_keys.own_public_key(store, actor, secrets=secrets)
            if args.action == "show":
                data = {
                    "name": signing_keys.person_name(actor),
                    "key_id": public.key_id,
                    "public_key": public.line(),
                    "secret_location": secrets.location_description,
                }
                if args.json:
                    _print_json(data)
                    return 0
                print(f"签名人：{data['name']}")
                print(f"密钥 ID：{public.key_id}")
                print(f"公钥：{public.line()}")
                print(f"私钥保存在：{secrets.location_description}")
                print("把公钥交给客户：omw keys export-public 文件名.pub")
                print("客户核验：minisign -Vm 交付包/manifest.json -p 文件名.pub，或 omw verify")
                return 0
            if not args.arg:
                raise CliError("请指定要写入的公钥文件：omw keys export-public 文件名.pub")
            path = Path(args.arg)
            if path.exists() and not args.force:
                raise CliError(f"文件 {path} 已存在；换一个文件名，或加 --force 覆盖。")
            name = signing_keys.person_name(actor)
            comment = f"minisign public key {public.key_id} ({name}, OM Workbench)"
            atomic_write_text(path, public.file_text(comment))
            print(f"已导出 {name} 的公钥（密钥 ID {public.key_id}）：{path}")
            return 0
        with store.session() as session:
            if args.action == "import":
                if not args.arg:
                    raise CliError("请指定公钥文件：omw keys import 文件 --name 姓名 [--trust]")
                if not args.name:
                    raise CliError("请用 --name 写明这把公钥属于谁。")
                path = Path(args.arg)
                try:
                    if path.stat().st_size > minisign.MAX_KEY_FILE_BYTES:
                        raise CliError(f"{path} 不是公钥文件（过大）。")
                    body = path.read_bytes()
                except OSError as exc:
                    raise CliError(f"无法读取公钥文件 {path}：{exc.strerror}") from None
                row = signing_keys.import_public_key(
                    session, body, args.name, trust=args.trust, source=path.name
                )
                state = "受信任" if row.trusted else "未信任"
                print(f"已导入 {row.name} 的公钥：密钥 ID {row.key_id}（{state}）")
                if not row.trusted:
                    print(
                        f"请与 {row.name} 当面或电话核对密钥 ID，然后：omw keys trust {row.key_id}"
                    )
                return 0
            if args.action in ("trust", "untrust"):
                if not args.arg:
                    raise CliError(f"请指定密钥 ID：omw keys {args.action} 密钥ID")
                row = signing_keys.set_trusted(session, args.arg, args.action == "trust")
                state = "现在受信任" if row.trusted else "已不再受信任"
                print(f"{row.name} 的公钥 {row.key_id} {state}。")
                return 0
            rows = [
                {
                    "key_id": r.key_id,
                    "name": r.name,
                    "own": r.own,
                    "trusted": r.trusted,
                    "public_key": r.public_key,
                    "source": r.source,
                    "added": r.created_at.isoformat(sep=" "),
                }
                for r in signing_keys.list_keys(session)
            ]
        if args.json:
            _print_json({"keys": rows})
            return 0
        print(
            _table(
                ["密钥 ID", "姓名", "来源", "受信任", "添加时间"],
                [
                    [
                        r["key_id"],
                        r["name"],
                        "本人" if r["own"] else f"导入 {r['source']}".strip(),
                        "是" if r["trusted"] else "否",
                        r["added"],
                    ]
                    for r in rows
                ],
            )
            if rows
            else "还没有任何签名公钥。omw keys show 会创建你自己的密钥。"
        )
        return 0
    finally:
        store.close()


def _pack_passphrase(new: bool) -> str:
    from app.pack_archive import ENV_PASSPHRASE, check_passphrase, passphrase_from_env

    value = passphrase_from_env()
    if value is None:
        if not sys.stdin.isatty():
            raise CliError(
                f"需要加密包的口令：请在终端中运行（会提示输入），或设置环境变量 {ENV_PASSPHRASE}。"
            )
        value = getpass.getpass("请输入加密包的口令：")
        if new:
            check_passphrase(value)
            if value != getpass.getpass("请再输入一次："):
                raise CliError("两次输入的口令不一致。")
    return value


def cmd_pack(args: argparse.Namespace) -> int:
    from app import pack_archive

    if args.action == "encrypt":
        passphrase = _pack_passphrase(new=True)
        out = pack_archive.write_encrypted_zip(
            args.source, args.out, passphrase, overwrite=args.force
        )
        print(f"已加密（AES-256，7-Zip 等可用口令打开）：{out}")
        print("注意：压缩包内的文件名和大小不加密；口令请另行告知收件人，不要与文件一起发送。")
        return 0
    passphrase = _pack_passphrase(new=False)
    result = pack_archive.read_encrypted_zip(args.source, passphrase, args.out)
    print(f"已解密到：{result}")
    print(f"核验：omw verify {result}")
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omw",
        description="运维工作台 OM Workbench — 不带子命令时启动桌面窗口。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir", help="数据目录（默认：用户数据目录，或环境变量 OMW_DATA_DIR）"
    )
    parser.add_argument("--as", dest="actor", help=f"记录为操作人（默认：环境变量 {ENV_ACTOR}）")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "创建数据存储并载入内置合同")
    p.add_argument("--encrypt", action="store_true", help="创建加密的数据存储（SQLCipher）")
    p.add_argument("--recovery-out", metavar="FILE", help="把恢复密钥写入此文件（--encrypt）")
    p.add_argument("--demo", action="store_true", help="同时为每个内置合同生成演示数据")
    p.add_argument("--months", type=int, default=3, help="演示数据月数（默认 3）")
    p.add_argument("--seed", type=int, default=1, help="演示数据随机种子")

    p = add("profiles", cmd_profiles, "列出合同")
    p.add_argument("--json", action="store_true")

    p = add("due", cmd_due, "某日应办事项（巡检、节假日检查、交付物）及其状态")
    p.add_argument("--contract", required=True)
    p.add_argument("--date", type=_date, default=date.today())
    p.add_argument("--json", action="store_true")

    p = add("deadlines", cmd_deadlines, "交付物的每次截止日期")
    p.add_argument("--contract", required=True)
    p.add_argument("--from", dest="date_from", type=_date)
    p.add_argument("--to", dest="date_to", type=_date)
    p.add_argument("--today", type=_date, default=date.today(), help="判断逾期所用的日期")
    p.add_argument("--json", action="store_true")

    p = add("demo", cmd_demo, "生成确定性的演示数据（虚构人员）")
    p.add_argument("--contract", required=True)
    p.add_argument("--months", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)

    p = add("holidays", cmd_holidays, "列出或添加节假日/重大活动保障期")
    p.add_argument("--contract", required=True)
    p.add_argument("--add", nargs=3, metavar=("NAME", "START", "END"), help="添加约定保障期")
    p.add_argument("--note", default="")
    p.add_argument("--json", action="store_true")

    p = add("calendar", cmd_calendar, "设定某日为工作日或休息日（用于日历库未收录的年份）")
    p.add_argument("day", type=_date)
    p.add_argument("kind", choices=["workday", "holiday"])
    p.add_argument("--name", default="")

    p = add("export", cmd_export, "导出表单、月度交付包或验收归档（Word/Excel，含清单和校验值）")
    p.add_argument("what", choices=["month", "range", "form"])
    p.add_argument("kind", nargs="?", help="表单类型（export form 时），见 omw template-fields")
    p.add_argument("--contract")
    p.add_argument("--month", type=_month, help="月份 YYYY-MM（export month）")
    p.add_argument("--from", dest="date_from", type=_date)
    p.add_argument("--to", dest="date_to", type=_date)
    p.add_argument("--record", help="记录 ID（巡检记录、服务请求、故障单；节假日检查为保障期 ID）")
    p.add_argument("--deliverable", help="交付物代码（用于选择客户模板和名称）")
    p.add_argument("--label", help="归档名称（export range），默认 中期归档/终验归档")
    p.add_argument("--out", required=True, help="输出目录（month/range）或文件（form）")
    p.add_argument("--no-zip", action="store_true", help="只导出文件夹，不生成 zip")
    p.add_argument("--force", action="store_true", help="覆盖已存在的同名交付包")
    p.add_argument("--dry-run", action="store_true", help="只列出将导出的文件")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help=f"另外生成 AES-256 加密包 <交付包>{ENCRYPTED_SUFFIX}（口令：环境变量 "
        "OMW_PACK_PASSPHRASE 或提示输入），用于带离现场",
    )
    p.add_argument("--json", action="store_true")

    p = add("template-fields", cmd_template_fields, "列出表单模板可用的字段（含重复行和签名图片）")
    p.add_argument("kind", nargs="?", help="表单类型；省略则列出全部表单类型")

    p = add("template", cmd_template, "为交付物设置/移除客户自己的 Word/Excel 模板")
    p.add_argument("action", choices=["attach", "remove", "list"])
    p.add_argument("--contract", required=True)
    p.add_argument("--deliverable", help="交付物代码（见 omw deadlines --json 的 code）")
    p.add_argument("file", nargs="?", help="模板文件 .docx/.xlsx（attach）")

    p = add("audit", cmd_audit, "校验审计日志哈希链")
    p.add_argument("action", choices=["verify"])
    p.add_argument("--json", action="store_true")

    def recovery_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--recovery-file", metavar="FILE", help="用恢复密钥文件解锁")
        p.add_argument("--recovery-key", metavar="KEY", help="用恢复密钥解锁（XXXX-XXXX-…）")

    p = add("encrypt", cmd_encrypt, "把未加密的数据存储转换为加密存储（SQLCipher），并校验")
    p.add_argument("--recovery-out", metavar="FILE", help="把新的恢复密钥写入此文件")

    p = add("decrypt", cmd_decrypt, "把加密的数据存储转换回未加密存储，并校验")
    p.add_argument("--yes", action="store_true", help="确认以明文保存数据")
    recovery_options(p)

    p = add("rekey", cmd_rekey, "更换加密密钥（生成新的恢复密钥），并校验")
    p.add_argument("--recovery-out", metavar="FILE", help="把新的恢复密钥写入此文件")
    recovery_options(p)

    p = add("key", cmd_key, "密钥：查看状态、导出恢复密钥、用恢复密钥解锁")
    p.add_argument("action", choices=["status", "export-recovery", "unlock"])
    p.add_argument("file", nargs="?", help="恢复密钥要写入的文件（export-recovery）")
    recovery_options(p)
    p.add_argument(
        "--reset-secret-file",
        action="store_true",
        help="密钥文件损坏或忘记口令时，把它移开并新建（unlock）",
    )
    p.add_argument("--json", action="store_true")

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

    p = add(
        "verify", cmd_verify, "核验交付包（文件夹或 .zip）或带 .minisig 的单个文件：签名和每个文件"
    )
    p.add_argument("path", help="交付包文件夹、交付包 .zip，或旁边有 .minisig 的文件")
    p.add_argument(
        "--key",
        action="append",
        metavar="PUBFILE",
        help="本次信任此公钥文件（minisign .pub），可多次",
    )
    p.add_argument("--json", action="store_true")

    p = add("keys", cmd_keys, "签名密钥：本人公钥的查看和导出，同事/项目经理公钥的导入和信任")
    p.add_argument(
        "action", choices=["show", "export-public", "import", "list", "trust", "untrust"]
    )
    p.add_argument(
        "arg", nargs="?", help="文件（export-public、import）或密钥 ID（trust、untrust）"
    )
    p.add_argument("--name", help="公钥所属人的姓名（import）")
    p.add_argument(
        "--trust", action="store_true", help="导入的同时信任它（import；请先核对密钥 ID）"
    )
    p.add_argument("--force", action="store_true", help="覆盖已存在的文件（export-public）")
    p.add_argument("--json", action="store_true")

    p = add(
        "pack",
        cmd_pack,
        "把交付包加密为 AES-256 zip 以便带离现场，或解密（口令见 OMW_PACK_PASSPHRASE）",
    )
    p.add_argument("action", choices=["encrypt", "decrypt"])
    p.add_argument("source", help="交付包文件夹（encrypt）或加密包文件（decrypt）")
    p.add_argument("--out", required=True, help="加密包文件（encrypt）或输出目录（decrypt）")
    p.add_argument("--force", action="store_true", help="覆盖已存在的加密包文件（encrypt）")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _start_window(parser, args)
    if getattr(args, "months", 1) is not None and getattr(args, "months", 1) < 1:
        print("错误：--months 至少为 1", file=sys.stderr)
        return EXIT_USER_ERROR
    from app.secrets import set_passphrase_provider

    set_passphrase_provider(_cli_passphrase)
    try:
        return int(args.func(args))
    except StoreError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. `omw due … | head`
        sys.stderr.close()
        return 0


def _start_window(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        from ui.main import run  # type: ignore[import-not-found]
    except ModuleNotFoundError as exc:
        if exc.name not in ("ui", "ui.main"):
            raise
        parser.print_help()
        return 0
    return int(run(args.data_dir, _actor(args)))
