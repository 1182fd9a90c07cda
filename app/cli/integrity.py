"""``omw audit``, ``omw verify`` and ``omw keys``: proof that records and packs are genuine."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    Adder,
    CliError,
    actor_of,
    existing_data_dir,
    options_of_actions,
    print_json,
    table,
)
from app.storage.atomic import os_reason
from db.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.integrity import minisign
    from app.storage.secrets import SecretStore


def cmd_audit(args: argparse.Namespace) -> int:
    """``omw audit verify``: the hash chain held against every signed head known for it."""
    from app.records.integrity_check import CheckReport, check_chain, known_heads
    from app.storage.store import Store
    from db.audit import verify_chain

    store = Store.open(args.data_dir, actor=actor_of(args), exclusive=False)  # read-only
    try:
        heads, notes = known_heads(store)
        report = CheckReport()
        with store.session() as session:
            check_chain(session, report, heads)
            chains = verify_chain(session).chains  # one per device (exchange bundles)
    finally:
        store.close()
    if args.json:
        print_json(
            {"ok": report.ok, "entries": report.audit_entries, "chains": chains, "notes": notes}
            | {"problems": [p.as_json() for p in report.problems]}
        )
    elif report.ok:
        print(
            f"审计日志完整：共 {report.audit_entries} 条（{chains} 台设备的哈希链），"
            "哈希链校验通过，与各签名链头一致。"
        )
    else:
        for problem in report.problems:
            print(problem.line(), file=sys.stderr)
    for note in notes if not args.json else ():
        print(f"注意：{note}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_check(args: argparse.Namespace) -> int:
    """``omw check``: every signed record, signature, stored file and the audit chain."""
    from pathlib import Path

    from app.records.integrity_check import check_store
    from app.storage.store import Store

    store = Store.open(args.data_dir, actor=actor_of(args), exclusive=False)  # read-only
    try:
        report, notes = check_store(store, [Path(p) for p in args.against or []])
    finally:
        store.close()
    if args.json:
        print_json(report.as_json() | {"notes": notes})
    else:
        out = sys.stdout if report.ok else sys.stderr
        print("\n".join(report.lines()), file=out)
        for note in notes:
            print(f"注意：{note}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_verify(args: argparse.Namespace) -> int:
    from app.integrity.signing_keys import known_keys, load_public_key_file
    from app.integrity.verify import verify_pack
    from app.storage.store import Store

    keys = [load_public_key_file(k) for k in args.key or []]
    folder = existing_data_dir(args)
    if folder is not None:
        try:
            store = Store.open(folder, actor=actor_of(args), exclusive=False)  # read-only
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
        print_json(report.as_json())
    else:
        print("\n".join(report.lines()), file=sys.stdout if report.ok else sys.stderr)
        if not report.ok and not any(k.trusted for k in keys):
            print(
                "提示：没有任何受信任的公钥。请用 --key 公钥文件 指定签名人的公钥，"
                "或先 omw keys import 公钥文件 --name 姓名 --trust。",
                file=sys.stderr,
            )
    return 0 if report.ok else 1


def _keys_show(actor: str, public: minisign.PublicKey, secrets: SecretStore, as_json: bool) -> int:
    """``omw keys show``: the user's own key, and how to hand it to the client."""
    from app.integrity import signing_keys

    data = {
        "name": signing_keys.person_name(actor),
        "key_id": public.key_id,
        "public_key": public.line(),
        "secret_location": secrets.location_description,
    }
    if as_json:
        print_json(data)
        return 0
    print(f"签名人：{data['name']}")
    print(f"密钥 ID：{public.key_id}")
    print(f"公钥：{public.line()}")
    print(f"私钥保存在：{secrets.location_description}")
    print("把公钥交给客户：omw keys export-public 文件名.pub")
    print("客户核验：minisign -Vm 交付包/manifest.json -p 文件名.pub，或 omw verify")
    return 0


def _keys_export_public(actor: str, public: minisign.PublicKey, args: argparse.Namespace) -> int:
    """``omw keys export-public FILE``: write the user's public key (minisign .pub)."""
    from pathlib import Path

    from app.integrity import signing_keys
    from app.storage.atomic import atomic_write_text

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


def _keys_import(session: Session, args: argparse.Namespace) -> int:
    """``omw keys import FILE --name NAME [--trust]``: add someone's public key."""
    from pathlib import Path

    from app.integrity import minisign, signing_keys

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
        raise CliError(f"无法读取公钥文件 {path}：{os_reason(exc)}") from None
    row = signing_keys.import_public_key(
        session, body, args.name, trust=args.trust, source=path.name
    )
    state = "受信任" if row.trusted else "未信任"
    print(f"已导入 {row.name} 的公钥：密钥 ID {row.key_id}（{state}）")
    if not row.trusted:
        print(f"请与 {row.name} 当面或电话核对密钥 ID，然后：omw keys trust {row.key_id}")
    return 0


def _keys_trust(session: Session, args: argparse.Namespace) -> int:
    """``omw keys trust|untrust KEY_ID``."""
    from app.integrity import signing_keys

    if not args.arg:
        raise CliError(f"请指定密钥 ID：omw keys {args.action} 密钥ID")
    row = signing_keys.set_trusted(session, args.arg, args.action == "trust")
    state = "现在受信任" if row.trusted else "已不再受信任"
    print(f"{row.name} 的公钥 {row.key_id} {state}。")
    return 0


def _key_rows(session: Session) -> list[dict[str, Any]]:
    from app.integrity import signing_keys

    return [
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


def _print_keys(rows: list[dict[str, Any]], as_json: bool) -> int:
    """``omw keys list``: the keys known to this data folder."""
    if as_json:
        print_json({"keys": rows})
        return 0
    print(
        table(
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


def cmd_keys(args: argparse.Namespace) -> int:
    from app.integrity import signing_keys
    from app.storage.secrets import open_secret_store
    from app.storage.store import Store

    actor = actor_of(args)
    read_only = args.action == "list"
    store = Store.open(args.data_dir, actor=actor, exclusive=not read_only)
    try:
        if args.action in ("show", "export-public"):
            secrets = open_secret_store(store.folder)
            public = signing_keys.own_public_key(store, actor, secrets=secrets)
            if args.action == "show":
                return _keys_show(actor, public, secrets, args.json)
            return _keys_export_public(actor, public, args)
        with store.session() as session:
            if args.action == "import":
                return _keys_import(session, args)
            if args.action in ("trust", "untrust"):
                return _keys_trust(session, args)
            rows = _key_rows(session)
        return _print_keys(rows, args.json)
    finally:
        store.close()


def register(add: Adder) -> None:
    p = add("audit", cmd_audit, "校验审计日志哈希链")
    p.add_argument("action", choices=["verify"], help="verify：从头校验整条哈希链")
    p.add_argument("--json", action="store_true")

    p = add("check", cmd_check, "数据完整性检查：签字、设备签名、文件、审计日志和链头")
    p.add_argument(
        "--against",
        action="append",
        metavar="PATH",
        help="同时对照此导出包（文件夹或 .zip）或备份文件中的审计链头，可多次",
    )
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
        "action",
        choices=["show", "export-public", "import", "list", "trust", "untrust"],
        help="show：本人公钥；export-public：导出本人公钥；import：导入同事公钥；"
        "list：已知公钥；trust/untrust：信任或取消信任",
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
    options_of_actions(
        p,
        "action",
        {
            "--name": ("name", {"import"}),
            "--trust": ("trust", {"import"}),
            "--force": ("force", {"export-public"}),
        },
    )
