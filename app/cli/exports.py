"""``omw export``, ``template-fields``, ``template`` and ``pack``: the deliverables."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    Adder,
    CliError,
    actor_of,
    date_arg,
    month_arg,
    options_of_actions,
    print_json,
    table,
)
from app.storage.atomic import os_reason

if TYPE_CHECKING:
    from pathlib import Path

    from app.export.packs import PackPlan, PackResult
    from app.storage.store import Store

ENCRYPTED_SUFFIX = ".encrypted.zip"


def _export_progress(done: int, total: int, message: str) -> None:
    if done < total:
        print(f"  [{done + 1}/{total}] {message}", file=sys.stderr)


def _export_form(store: Store, args: argparse.Namespace, actor: str) -> int:
    """``omw export form``: one form as Word or Excel (signed); ``--month`` for its month."""
    from datetime import date

    from app.export import packs
    from app.schedule import periods

    start, end = args.date_from, args.date_to
    if args.month:  # checked by month_arg
        start, end = periods.bounds("monthly", date.fromisoformat(f"{args.month}-01"))
    result = packs.export_form(
        store,
        args.kind,
        args.out,
        record_id=args.record,
        contract=args.contract,
        start=start,
        end=end,
        deliverable_code=args.deliverable or "",
        exporter=actor,
        allow_incomplete=args.allow_incomplete,
        overwrite=args.force,
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
        print_json(data)
    else:
        print(f"已导出：{result.path}（校验码 {result.verification_code}）")
        if result.signature:
            print(f"签名：{result.signature}")
    return 0


#: The options each of ``export month|range|form`` takes (argparse dests); any other is
#: refused, not silently ignored — ``export form --dry-run`` wrote the file, ``export form
#: --month`` exported the whole contract period.
_OPTIONS = {
    "表单类型": ("kind", {"form"}),
    "--record": ("record", {"form"}),
    "--deliverable": ("deliverable", {"form"}),
    "--month": ("month", {"month", "form"}),
    "--from": ("date_from", {"range", "form"}),
    "--to": ("date_to", {"range", "form"}),
    "--label": ("label", {"range"}),
    "--no-zip": ("no_zip", {"month", "range"}),
    "--dry-run": ("dry_run", {"month", "range"}),
    "--narrative": ("narrative", {"month", "range"}),
    "--allow-unreviewed": ("allow_unreviewed", {"month", "range"}),
    "--encrypt": ("encrypt", {"month", "range"}),
}


def _plan_pack(store: Store, args: argparse.Namespace) -> PackPlan:
    """The files of the monthly pack (``month``) or the archive (``range``) asked for."""
    from app.export import packs
    from app.storage.text_rules import clean_text

    if not args.contract:
        raise CliError("请用 --contract 指定合同。")
    with store.session() as session:
        if args.what == "month":
            if not args.month:
                raise CliError("请用 --month YYYY-MM 指定月份。")
            return packs.plan_month(session, args.contract, args.month)
        if not (args.date_from and args.date_to):
            raise CliError("请用 --from 和 --to 指定日期范围。")
        label = clean_text(args.label or "", "归档名称").strip()  # a broken argument is refused
        return packs.plan_range(session, args.contract, args.date_from, args.date_to, label=label)


def _apply_narrative(
    store: Store, args: argparse.Namespace, plan: PackPlan, actor: str
) -> PackPlan:
    """``--narrative FILE``: check the whole file, save its sections, plan again."""
    from datetime import datetime
    from pathlib import Path

    from app.contracts.registry import get_contract
    from app.export import narrative
    from app.export.data import ExportData

    try:
        body = Path(args.narrative).read_bytes()
    except OSError as exc:
        raise CliError(f"无法读取文字段落文件 {args.narrative}：{os_reason(exc)}") from None
    with store.session() as session:
        contract = get_contract(session, plan.contract_code)
        found = narrative.pack_sections(ExportData(session, contract), plan.files, datetime.now())
        for occurrence, key, text in narrative.parse_file(body, found):
            narrative.save(
                session, contract, occurrence.deliverable_code, occurrence.period.key, key, text,
                actor=actor,
            )  # fmt: skip
    return _plan_pack(store, args)


def _narratives(store: Store, plan: PackPlan) -> list[dict[str, Any]]:
    """The narrative sections of a planned pack, as ``--dry-run --json`` lists them."""
    from datetime import datetime

    from app.contracts.registry import get_contract
    from app.export import narrative
    from app.export.data import ExportData

    with store.session() as session:
        data = ExportData(session, get_contract(session, plan.contract_code))
        return [o.as_json() for o in narrative.pack_sections(data, plan.files, datetime.now())]


def _print_plan(plan: PackPlan, as_json: bool, narratives: list[dict[str, Any]]) -> int:
    """``--dry-run``: the files a pack would hold, what is 待补充, the narrative sections."""
    rows = [[f.path, f.title, f.period.label] for f in plan.files]
    if as_json:
        print_json(
            {
                "folder": plan.folder,
                "files": [r[0] for r in rows],
                "unreviewed": [i.as_json() for i in plan.unreviewed],
                "incomplete": [m.as_json() for m in plan.incomplete],
                "narratives": narratives,
            }
        )
    else:
        print(f"{plan.folder}（{len(rows)} 个文件）")
        print(table(["文件", "表单", "期间"], rows))
        for m in plan.incomplete:
            print(f"待补充：{m.deliverable_name}（{m.period_label or m.period_key}）：{m.reason}")
        for o in narratives:
            edited = [s["title"] for s in o["sections"] if s["edited"]]
            state = f"已编辑：{'、'.join(edited)}" if edited else "均为据数据生成的草稿"
            print(f"文字段落：{o['deliverable_name']}（{o['period_label']}）— {state}")
        if plan.unreviewed:
            print(f"尚未经复核人签字的记录 {len(plan.unreviewed)} 条（合同要求复核）：")
            print(
                table(
                    ["编号", "日期", "类别", "记录", "运维人员"],
                    [
                        [i.record_id[:8], i.day, i.kind_label, i.title, i.engineer]
                        for i in plan.unreviewed
                    ],
                )
            )
    return 0


def _print_pack(result: PackResult, encrypted: Path | None, as_json: bool) -> None:
    """What was written: folder, zip and its signature, encrypted archive, how to verify."""
    if as_json:
        print_json(
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
        return
    count, seconds = len(result.files), result.seconds
    print(f"已导出 {count} 个文件到 {result.folder}（用时 {seconds:.2f} 秒）")
    if result.zip_path:
        print(f"压缩包：{result.zip_path}（签名 {result.zip_path.name}.minisig）")
    if encrypted:
        print(f"加密包（AES-256，带离现场用）：{encrypted}")
        print("注意：口令请另行告知收件人，不要与文件一起发送。")
    print(f"核验：omw verify {result.folder}")


def cmd_export(args: argparse.Namespace) -> int:
    from app.export import packs
    from app.storage.store import Store

    if args.what == "form" and args.month and (args.date_from or args.date_to):
        raise CliError("--month 与 --from/--to 只能给出一种。")
    store = Store.open(args.data_dir, actor=actor_of(args))
    actor = actor_of(args)
    try:
        if args.what == "form":
            return _export_form(store, args, actor)
        plan = _plan_pack(store, args)
        passphrase = None
        if args.encrypt and not args.dry_run:
            from app.export.pack_archive import check_passphrase

            passphrase = _pack_passphrase(new=True)  # asked before the export, not after
            check_passphrase(passphrase)
        if args.dry_run:
            return _print_plan(plan, args.json, _narratives(store, plan))
        if args.narrative:
            plan = _apply_narrative(store, args, plan, actor)
        if plan.incomplete and not args.allow_incomplete:
            from app.export.completeness import IncompleteError

            raise IncompleteError(
                plan.incomplete,
                "请先补全（文字段落：--narrative 文件或导出对话框），"
                "或加 --allow-incomplete 确认按现有内容导出。",
            )
        if plan.unreviewed and not args.allow_unreviewed:
            raise packs.UnreviewedError(
                plan.unreviewed,
                "请先复核（omw review list / sign），或加 --allow-unreviewed 确认仍要导出。",
            )
        result = packs.export_pack(
            store,
            plan,
            args.out,
            exporter=actor,
            progress=None if args.json else _export_progress,
            make_zip=not args.no_zip,
            overwrite=args.force,
            allow_unreviewed=args.allow_unreviewed,
            allow_incomplete=args.allow_incomplete,
        )
    finally:
        store.close()
    encrypted = None
    if passphrase is not None:
        from app.export import pack_archive

        encrypted = pack_archive.write_encrypted_zip(
            result.folder,
            result.folder.with_name(f"{result.folder.name}{ENCRYPTED_SUFFIX}"),
            passphrase,
            overwrite=args.force,
        )
    _print_pack(result, encrypted, args.json)
    return 0


def cmd_template_fields(args: argparse.Namespace) -> int:
    from app.export.fields import describe
    from app.export.forms import FORMS

    if args.kind is None:
        rows = [[s.kind, s.title, "、".join(s.formats)] for s in FORMS.values()]
        print(table(["表单类型", "名称", "格式"], rows))
        return 0
    print("\n".join(describe(args.kind)))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.export import client_templates
    from app.storage.store import Store

    store = Store.open(args.data_dir, actor=actor_of(args))
    try:
        with store.session() as session:
            if args.action == "attach":
                path = Path(args.file)
                try:
                    body = path.read_bytes()
                except OSError as exc:
                    raise CliError(f"无法读取模板文件 {path}：{os_reason(exc)}") from None
                row = client_templates.attach(
                    session, args.contract, args.deliverable, body, filename=path.name
                )
                print(f"已为交付物 {args.deliverable} 设置客户模板：{row.filename}（{row.fmt}）")
            elif args.action == "remove":
                removed = [
                    fmt
                    for fmt in ([args.format] if args.format else ["docx", "xlsx"])
                    if client_templates.remove(session, args.contract, args.deliverable, fmt)
                ]
                for fmt in removed:
                    print(f"已移除 {args.deliverable} 的 {fmt} 客户模板，恢复使用内置模板。")
                if not removed:
                    print(f"交付物 {args.deliverable} 没有客户模板，本来就使用内置模板。")
            else:
                rows = client_templates.list_templates(session, args.contract)
                print(
                    table(
                        ["交付物", "表单", "格式", "文件", "大小"],
                        [[r.deliverable_code, r.form, r.fmt, r.filename, r.size] for r in rows],
                    )
                    if rows
                    else "该合同没有客户模板，全部使用内置模板。"
                )
    finally:
        store.close()
    return 0


def _pack_passphrase(new: bool) -> str:
    from app.export.pack_archive import ENV_PASSPHRASE, check_passphrase, passphrase_from_env

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
    from app.export import pack_archive

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


def register(add: Adder) -> None:
    p = add("export", cmd_export, "导出表单、月度交付包或验收归档（Word/Excel，含清单和校验值）")
    p.add_argument(
        "what",
        choices=["month", "range", "form"],
        help="month：月度交付包；range：一段时间的验收归档；form：单张表单",
    )
    p.add_argument("kind", nargs="?", help="表单类型（export form 时），见 omw template-fields")
    p.add_argument("--contract")
    p.add_argument(
        "--month", type=month_arg, help="月份 YYYY-MM（export month；export form 导出该月）"
    )
    p.add_argument("--from", dest="date_from", type=date_arg)
    p.add_argument("--to", dest="date_to", type=date_arg)
    p.add_argument(
        "--record", help="记录 ID（巡检记录、服务请求、故障单、会议纪要；节假日检查为保障期 ID）"
    )
    p.add_argument("--deliverable", help="交付物代码（用于选择客户模板和名称）")
    p.add_argument("--label", help="归档名称（export range），默认 中期归档/终验归档")
    p.add_argument("--out", required=True, help="输出目录（month/range）或文件（form）")
    p.add_argument("--no-zip", action="store_true", help="只导出文件夹，不生成 zip")
    p.add_argument("--force", action="store_true", help="覆盖已存在的同名交付包或表单文件")
    p.add_argument("--dry-run", action="store_true", help="只列出将导出的文件")
    p.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="确认导出内容待补充的交付物（如文字段落为空、本月没有例会记录）",
    )
    p.add_argument(
        "--narrative",
        metavar="FILE",
        help="报告文字段落（JSON：{交付物代码: {段落代码: 文本}}），保存后用于本次及以后的导出；"
        "见 omw export month --dry-run --json 的 narratives",
    )
    p.add_argument(
        "--allow-unreviewed",
        action="store_true",
        help="合同要求复核时，确认导出尚未经复核人签字的记录（export month）",
    )
    p.add_argument(
        "--encrypt",
        action="store_true",
        help=f"另外生成 AES-256 加密包 <交付包>{ENCRYPTED_SUFFIX}（口令：环境变量 "
        "OMW_PACK_PASSPHRASE 或提示输入），用于带离现场",
    )
    p.add_argument("--json", action="store_true")
    options_of_actions(p, "what", _OPTIONS)

    p = add("template-fields", cmd_template_fields, "列出表单模板可用的字段（含重复行和签名图片）")
    p.add_argument("kind", nargs="?", help="表单类型；省略则列出全部表单类型")

    p = add("template", cmd_template, "为交付物设置/移除客户自己的 Word/Excel 模板")
    # One parser per action: the file of ``attach`` may stand before or after the options
    # (``attach FILE --contract C --deliverable D`` as well as ``attach --contract C
    # --deliverable D FILE``); a single parser with an optional FILE took FILE only first.
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    deliverable_help = "交付物代码（见 omw deadlines --json 的 code）"
    attach = actions.add_parser(
        "attach",
        help="为交付物设置客户模板（先检查并试渲染，不合格则拒绝）",
        description="为交付物设置客户自己的 .docx/.xlsx 模板：omw template attach 文件 "
        "--contract 合同 --deliverable 交付物（文件也可写在选项之后）。",
    )
    attach.add_argument("file", metavar="FILE", help="模板文件 .docx/.xlsx")
    attach.add_argument("--contract", required=True)
    attach.add_argument("--deliverable", required=True, help=deliverable_help)
    remove = actions.add_parser("remove", help="移除客户模板，恢复使用内置模板")
    remove.add_argument("--contract", required=True)
    remove.add_argument("--deliverable", required=True, help=deliverable_help)
    remove.add_argument(
        "--format", choices=["docx", "xlsx"], help="只移除 Word 或 Excel 模板（默认两者）"
    )
    listing = actions.add_parser("list", help="列出合同的客户模板")
    listing.add_argument("--contract", required=True)

    p = add(
        "pack",
        cmd_pack,
        "把交付包加密为 AES-256 zip 以便带离现场，或解密（口令见 OMW_PACK_PASSPHRASE）",
    )
    p.add_argument("action", choices=["encrypt", "decrypt"], help="encrypt：加密；decrypt：解密")
    p.add_argument("source", help="交付包文件夹（encrypt）或加密包文件（decrypt）")
    p.add_argument("--out", required=True, help="加密包文件（encrypt）或输出目录（decrypt）")
    p.add_argument("--force", action="store_true", help="覆盖已存在的加密包文件（encrypt）")
    options_of_actions(p, "action", {"--force": ("force", {"encrypt"})})
