"""``omw encrypt``, ``decrypt``, ``rekey`` and ``key``: the encrypted store and its keys."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import (
    Adder,
    CliError,
    options_of_actions,
    print_json,
    recovery_arg,
    recovery_options,
)


def _hand_over_recovery_key(
    args: argparse.Namespace, recovery_key: str, key_id: str, location: str
) -> None:
    """Write the new recovery key to --recovery-out, or show it once."""
    from datetime import datetime
    from pathlib import Path

    from app.storage import crypto_store, paths
    from app.storage.atomic import atomic_write_text
    from app.storage.secrets import recovery_key_document

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


def setup_encryption(args: argparse.Namespace) -> None:
    from app.storage import crypto_store, paths
    from app.storage.secrets import open_secret_store

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
    from app.storage import conversion, paths
    from app.storage.secrets import open_secret_store

    _check_recovery_out(args)
    folder = paths.data_dir(args.data_dir)
    secrets = open_secret_store(folder)
    if secrets.fallback_reason:
        print(f"注意：{secrets.fallback_reason}，密钥将保存在{secrets.location_description}。")
    report = conversion.encrypt_store(folder, secrets=secrets)
    _print_conversion(report)
    assert report.recovery_key and report.key_id
    _hand_over_recovery_key(args, report.recovery_key, report.key_id, report.secret_location)
    return 0


def cmd_decrypt(args: argparse.Namespace) -> int:
    from app.storage import conversion

    if not args.yes:
        raise CliError("解密后客户数据将以明文保存在磁盘上。确认要解密，请加 --yes。")
    report = conversion.decrypt_store(args.data_dir, recovery_key=recovery_arg(args))
    _print_conversion(report)
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    from app.storage import conversion

    _check_recovery_out(args)
    report = conversion.rekey_store(args.data_dir, recovery_key=recovery_arg(args))
    _print_conversion(report)
    assert report.recovery_key and report.key_id
    _hand_over_recovery_key(args, report.recovery_key, report.key_id, report.secret_location)
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    from datetime import datetime
    from pathlib import Path

    from app.storage import conversion, crypto_store, paths
    from app.storage.atomic import atomic_write_text
    from app.storage.secrets import open_secret_store, recovery_key_document, secrets_file

    folder = paths.data_dir(args.data_dir)
    if args.action == "status":
        data = conversion.describe_store(folder)
        secrets = open_secret_store(folder)
        data["secret_store"] = secrets.location_description
        data["keyring_problem"] = secrets.fallback_reason
        if args.json:
            print_json(data)
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
    recovery = recovery_arg(args)
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


def register(add: Adder) -> None:
    p = add("encrypt", cmd_encrypt, "把未加密的数据存储转换为加密存储（SQLCipher），并校验")
    p.add_argument("--recovery-out", metavar="FILE", help="把新的恢复密钥写入此文件")

    p = add("decrypt", cmd_decrypt, "把加密的数据存储转换回未加密存储，并校验")
    p.add_argument("--yes", action="store_true", help="确认以明文保存数据")
    recovery_options(p)

    p = add("rekey", cmd_rekey, "更换加密密钥（生成新的恢复密钥），并校验")
    p.add_argument("--recovery-out", metavar="FILE", help="把新的恢复密钥写入此文件")
    recovery_options(p)

    p = add("key", cmd_key, "密钥：查看状态、导出恢复密钥、用恢复密钥解锁")
    p.add_argument(
        "action",
        choices=["status", "export-recovery", "unlock"],
        help="status：查看密钥状态；export-recovery：导出恢复密钥；unlock：用恢复密钥解锁",
    )
    p.add_argument("file", nargs="?", help="恢复密钥要写入的文件（export-recovery）")
    recovery_options(p)
    p.add_argument(
        "--reset-secret-file",
        action="store_true",
        help="密钥文件损坏或忘记口令时，把它移开并新建（unlock）",
    )
    p.add_argument("--json", action="store_true")
    options_of_actions(p, "action", {"--reset-secret-file": ("reset_secret_file", {"unlock"})})
