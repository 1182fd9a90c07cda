"""Encrypted pack archives for carrying a pack off site (AES-256 zip, readable by 7-Zip).

:func:`write_encrypted_zip` puts a pack folder into a WinZip-AES zip (AES-256
in CTR mode with an HMAC-SHA1 per entry, keys derived from the passphrase with
PBKDF2) through ``pyzipper``. 7-Zip, WinZip, macOS Archive Utility (recent
versions) and ``omw pack decrypt`` open it. The passphrase is checked for
strength first (:func:`check_passphrase`). The archive is written to a
temporary file, read back completely with the passphrase, then renamed into
place: a kill or a failure never leaves a half archive at the final path.

Note: like every zip, the file **names** and sizes inside are not encrypted,
only the contents.

:func:`read_encrypted_zip` is hardened like :mod:`app.integrity.verify`: size and entry
limits, zip bombs, ``..``/absolute/backslash/device names (zip-slip),
duplicate names (also by case), symbolic links, nested archives, unencrypted
or non-AES entries are refused; a wrong passphrase is a clear Chinese error.
Everything is decrypted into a hidden staging folder inside ``dest`` and
moved into place only when every entry decrypted and authenticated; on any
failure the staging folder is removed and nothing is left.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets as _random
import shutil
import stat
import zipfile
from pathlib import Path
from typing import IO

import pyzipper

from app.errors import DomainError
from app.integrity.verify import (
    DEFAULT_LIMITS,
    ZIP_ERRORS,
    Limits,
    PackProblem,
    is_nested_archive,
    name_key,
    unsafe_name,
    zip_structure,
)
from app.storage.atomic import fsync_dir, fsync_file, os_reason, replace_file, temp_path_for

ENV_PASSPHRASE = "OMW_PACK_PASSPHRASE"
MIN_PASSPHRASE = 12
#: below this (effective) length a passphrase must mix at least two kinds of characters
LONG_PASSPHRASE = 20
_AES_METHOD = 99
_CHUNK = 1024 * 1024
_ERRORS = (*ZIP_ERRORS, pyzipper.BadZipFile, pyzipper.LargeZipFile)
_COMMON = {
    "password",
    "passw0rd",
    "123456789012",
    "qwertyuiopasdf",
    "1qaz2wsx3edc",
    "iloveyou1234",
    "admin1234567",
    "abcdefghijkl",
    "蓝色 台灯 跑步 2026",  # the example in the message below
}


class PackArchiveError(DomainError):
    """An encrypted archive could not be written or read; nothing was left behind."""


# --------------------------------------------------------------------------- passphrase


def _effective_length(text: str) -> int:
    """Chinese characters count double (each carries far more than a letter)."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _classes(text: str) -> int:
    kinds = set()
    for ch in text:
        if ch.isascii() and ch.islower():
            kinds.add("lower")
        elif ch.isascii() and ch.isupper():
            kinds.add("upper")
        elif ch.isdigit():
            kinds.add("digit")
        elif ord(ch) > 0x2E7F:
            kinds.add("cjk")
        elif not ch.isspace():
            kinds.add("symbol")
    return len(kinds)


def _is_sequence(text: str) -> bool:
    """``aaaa…``, ``1234…``, ``abcd…``, ``9876…`` and repeats of a short piece."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    if steps <= {0} or steps <= {1} or steps <= {-1}:
        return True
    return any(len(text) % n == 0 and text == text[:n] * (len(text) // n) for n in range(1, 5))


def check_passphrase(passphrase: str) -> None:
    """Refuse a weak passphrase with a Chinese message that says how to make a good one."""
    text = passphrase or ""
    if text != text.strip():
        raise PackArchiveError("口令首尾不能有空格（容易输错）。")
    length = _effective_length(text)
    if length < MIN_PASSPHRASE:
        raise PackArchiveError(
            f"口令太短：至少 {MIN_PASSPHRASE} 个字符（汉字算 2 个）。"
            "建议用几个不相关的词组成一句短语，例如“蓝色 台灯 跑步 2026”。"
        )
    if len(set(text)) < 5 or _is_sequence(text) or text.lower() in _COMMON:
        raise PackArchiveError("口令太简单（重复、连续或常见的口令），请换一个。")
    if length < LONG_PASSPHRASE and _classes(text) < 2:
        raise PackArchiveError(
            f"口令太简单：不足 {LONG_PASSPHRASE} 个字符时，请混用至少两类字符"
            "（字母、数字、符号、汉字），或用更长的短语。"
        )


def passphrase_from_env() -> str | None:
    return os.environ.get(ENV_PASSPHRASE) or None


# --------------------------------------------------------------------------- writing


def _pack_files(folder: Path, limits: Limits) -> list[tuple[Path, str]]:
    """Every regular file of the folder with its archive name; refuse anything odd."""
    files: list[tuple[Path, str]] = []
    total = 0
    stack: list[tuple[Path, str]] = [(folder, "")]
    while stack:
        current, prefix = stack.pop()
        try:
            items = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            raise PackArchiveError(f"无法读取文件夹 {current}：{os_reason(exc)}") from None
        for item in items:
            rel = f"{prefix}{item.name}"
            reason = unsafe_name(rel, limits)
            if reason:
                raise PackArchiveError(f"文件名不适合放入压缩包：“{rel[:120]}”{reason}。")
            if item.is_symlink() or getattr(item, "is_junction", lambda: False)():
                raise PackArchiveError(f"“{rel}”是符号链接，不能放入加密包。")
            st = item.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                stack.append((Path(item.path), rel + "/"))
            elif stat.S_ISREG(st.st_mode):
                total += st.st_size
                files.append((Path(item.path), rel))
            else:
                raise PackArchiveError(f"“{rel}”不是普通文件，不能放入加密包。")
            if len(files) > limits.max_entries or total > limits.max_total_bytes:
                raise PackArchiveError("文件夹太大（文件数或总大小超过上限）。")
    return sorted(files, key=lambda f: f[1])


def write_encrypted_zip(
    folder: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    passphrase: str,
    *,
    overwrite: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Path:
    """Write ``folder`` into an AES-256 zip at ``out_path`` (entries ``<folder name>/…``).

    The passphrase is checked first (:func:`check_passphrase`). Returns the path.
    """
    source = Path(folder)
    out = Path(out_path)
    if not source.is_dir():
        raise PackArchiveError(f"找不到要加密的交付包文件夹：{source}")
    check_passphrase(passphrase)
    if out.exists() and not overwrite:
        raise PackArchiveError(f"文件 {out} 已存在；请换一个文件名。")
    root = source.resolve()
    with contextlib.suppress(OSError):
        if out.resolve().is_relative_to(root):
            raise PackArchiveError("加密包不能写在被加密的文件夹里面。")
    files = _pack_files(source, limits)
    top = source.resolve().name
    reason = unsafe_name(top, limits)
    if reason:
        raise PackArchiveError(f"文件夹名不适合放入压缩包：“{top}”{reason}。")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temp = temp_path_for(out)
    except OSError as exc:
        raise PackArchiveError(f"无法在 {out.parent} 中写入：{os_reason(exc)}") from None
    try:
        os.chmod(temp, 0o600)
        with pyzipper.AESZipFile(
            temp,
            "w",
            compression=pyzipper.ZIP_DEFLATED,
            encryption=pyzipper.WZ_AES,
            strict_timestamps=False,  # files dated before 1980 get 1980, not an error
        ) as zf:
            zf.setpassword(passphrase.encode("utf-8"))
            zf.setencryption(pyzipper.WZ_AES, nbits=256)
            for path, rel in files:
                zf.write(path, f"{top}/{rel}")
        fsync_file(temp)
        _read_back(temp, passphrase, [f"{top}/{rel}" for _, rel in files])
        replace_file(temp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise PackArchiveError(
            f"无法写入加密包 {out}：{os_reason(exc)}（未留下不完整的文件）。"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return out


def _read_back(path: Path, passphrase: str, names: list[str]) -> None:
    """Decrypt and authenticate every entry of a freshly written archive."""
    try:
        with pyzipper.AESZipFile(path) as zf:
            zf.setpassword(passphrase.encode("utf-8"))
            if [i.filename for i in zf.infolist()] != names:
                raise PackArchiveError("加密包写入后读回不一致，已放弃。")
            for info in zf.infolist():
                with zf.open(info) as fh:
                    while fh.read(_CHUNK):
                        pass
    except _ERRORS:
        raise PackArchiveError("加密包写入后无法读回校验，已放弃。") from None


# --------------------------------------------------------------------------- reading


def _wrong_passphrase(path: Path) -> PackArchiveError:
    return PackArchiveError(f"口令错误，无法解密 {path.name}（未写入任何文件）。")


def _damaged(path: Path, detail: str = "") -> PackArchiveError:
    extra = f"：{detail}" if detail else ""
    return PackArchiveError(f"加密包 {path.name} 已损坏或被改动{extra}（未写入任何文件）。")


def _plan(path: Path, limits: Limits) -> list[tuple[str, bool, int]]:
    """Check the archive without decrypting: ``(name, is_dir, size)`` per entry."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackArchiveError(f"无法读取 {path}：{os_reason(exc)}") from None
    if size > limits.max_archive_bytes:
        raise PackArchiveError(f"加密包过大（{size} 字节），已拒绝。")
    try:
        with open(path, "rb") as fh:
            if fh.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
                raise PackArchiveError(f"{path.name} 不是 zip 加密包。")
            records = zip_structure(fh, size, limits)
    except PackProblem as problem:
        raise _damaged(path, str(problem).rstrip("。")) from None
    except _ERRORS:
        raise _damaged(path) from None
    plan: list[tuple[str, bool, int]] = []
    seen: dict[str, str] = {}
    total = 0
    for r in records:
        name = r.name
        is_dir = name.endswith("/")
        bare = name[:-1] if is_dir else name
        reason = unsafe_name(bare, limits)
        if reason:
            raise PackArchiveError(
                f"加密包中的文件名不安全：“{name[:120]}”{reason}（疑似 zip-slip），已拒绝。"
            )
        key = name_key(bare)
        if key in seen:
            raise PackArchiveError(f"加密包中有重复的名称：“{name[:120]}”与“{seen[key][:120]}”。")
        seen[key] = name
        unix_type = stat.S_IFMT(r.external >> 16) if r.create_system == 3 else 0
        if unix_type == stat.S_IFLNK:
            raise PackArchiveError(f"加密包中的“{name[:120]}”是符号链接，已拒绝。")
        if unix_type not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise PackArchiveError(f"加密包中的“{name[:120]}”不是普通文件，已拒绝。")
        if is_dir:
            if r.usize:
                raise _damaged(path, f"目录“{name[:120]}”带有数据")
            plan.append((bare, True, 0))
            continue
        if not r.flags & 0x01 or r.method != _AES_METHOD:
            raise PackArchiveError(
                f"“{name[:120]}”没有用 AES 加密；这不是运维工作台的加密包，已拒绝。"
            )
        if bare.lower().endswith((".zip", ".7z", ".rar", ".gz", ".tar", ".xz", ".bz2")):
            raise PackArchiveError(f"加密包中不应有嵌套的压缩文件：“{name[:120]}”。")
        if r.usize > limits.max_file_bytes:
            raise PackArchiveError(f"“{name[:120]}”解压后过大，疑似压缩炸弹，已拒绝。")
        if r.usize > 1024 * 1024 and r.usize > limits.max_ratio * max(r.csize, 1):
            raise PackArchiveError(f"“{name[:120]}”的压缩比异常，疑似压缩炸弹，已拒绝。")
        total += r.usize
        if total > limits.max_total_bytes:
            raise PackArchiveError("加密包解压后总大小超过上限，疑似压缩炸弹，已拒绝。")
        plan.append((bare, False, r.usize))
    if not any(not is_dir for _, is_dir, _ in plan):
        raise PackArchiveError(f"加密包 {path.name} 是空的。")
    # a file and a folder of the same name cannot both exist
    files = {name_key(n) for n, is_dir, _ in plan if not is_dir}
    for name, _, _ in plan:
        parts = name.split("/")
        for i in range(1, len(parts)):
            if name_key("/".join(parts[:i])) in files:
                raise PackArchiveError(f"加密包中“{name[:120]}”与同名文件冲突，已拒绝。")
    return plan


def _open_entry(zf: pyzipper.AESZipFile, info: zipfile.ZipInfo, path: Path) -> IO[bytes]:
    try:
        return zf.open(info)
    except RuntimeError as exc:
        if "password" in str(exc).lower():
            raise _wrong_passphrase(path) from None
        raise _damaged(path) from None


def _check_target(target: Path, tops: list[str]) -> None:
    """``target`` must be a folder (or not exist yet) holding none of the archive's top names."""
    if target.exists() and not target.is_dir():
        raise PackArchiveError(f"{target} 不是文件夹。")
    for top in tops:
        if (target / top).exists() or (target / top).is_symlink():
            raise PackArchiveError(f"{target / top} 已存在；请换一个输出目录，以免覆盖。")


def _check_password(zf: pyzipper.AESZipFile, infos: list[zipfile.ZipInfo], archive: Path) -> None:
    """Open every file entry once: a wrong passphrase fails before anything is created."""
    try:
        for info in infos:
            _open_entry(zf, info, archive).close()
    except _ERRORS:
        raise _damaged(archive) from None


def _decrypt_into(
    zf: pyzipper.AESZipFile,
    infos: dict[str, zipfile.ZipInfo],
    plan: list[tuple[str, bool, int]],
    staging: Path,
    archive: Path,
) -> None:
    """Decrypt the planned entries into ``staging`` (folders made as named)."""
    root = staging.resolve()
    for name, is_dir, size in plan:
        out = staging / name
        if not out.resolve().is_relative_to(root):  # defence in depth
            raise PackArchiveError(f"“{name[:120]}”会写到目标目录以外，已拒绝。")
        if is_dir:
            out.mkdir(parents=True, exist_ok=True)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        _extract(zf, infos[name], out, size, archive)


def _undo(staging: Path | None, moved: list[Path], created: list[Path]) -> None:
    """After a failure: remove the staging folder, what was moved out of it, new folders."""
    if staging is not None:
        for done in moved:
            shutil.rmtree(done, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
    for folder in created:  # innermost first
        with contextlib.suppress(OSError):
            folder.rmdir()


def read_encrypted_zip(
    path: str | os.PathLike[str],
    passphrase: str,
    dest: str | os.PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Path:
    """Decrypt an archive of :func:`write_encrypted_zip` into the folder ``dest``.

    ``dest`` is created if needed; what the archive holds (normally one pack
    folder) is placed inside it, never replacing anything that exists.
    Returns the pack folder (``dest/<name>``) when the archive holds one
    folder, else ``dest``. Nothing is written on any failure.
    """
    archive = Path(path)
    target = Path(dest)
    if not archive.is_file():
        raise PackArchiveError(f"找不到加密包：{archive}")
    if not passphrase:
        raise PackArchiveError("请提供加密包的口令。")
    plan = _plan(archive, limits)
    tops = sorted({name.split("/", 1)[0] for name, _, _ in plan})
    _check_target(target, tops)
    try:
        zf = pyzipper.AESZipFile(archive)
    except _ERRORS:
        raise _damaged(archive) from None
    # the folders this call creates (dest and missing parents), removed again on failure
    created = [d for d in (target, *target.parents) if not d.exists()]
    staging: Path | None = None
    moved: list[Path] = []
    try:
        with zf:
            zf.setpassword(passphrase.encode("utf-8"))
            infos = {i.orig_filename: i for i in zf.infolist()}
            _check_password(zf, [infos[n] for n, is_dir, _ in plan if not is_dir], archive)
            target.mkdir(parents=True, exist_ok=True)
            staging = target / f".omw-decrypt-{_random.token_hex(6)}"
            staging.mkdir()
            _decrypt_into(zf, infos, plan, staging, archive)
            _sync(staging)
            for top in tops:
                os.replace(staging / top, target / top)
                moved.append(target / top)
            staging.rmdir()
            staging = None
            fsync_dir(target)
    except BaseException as exc:
        _undo(staging, moved, created)
        if isinstance(exc, OSError):
            raise PackArchiveError(
                f"无法解密到 {target}：{os_reason(exc)}（未留下任何文件）。"
            ) from None
        raise
    if len(tops) == 1 and any(n.startswith(tops[0] + "/") for n, _, _ in plan):
        return target / tops[0]
    return target


def _extract(
    zf: pyzipper.AESZipFile, info: zipfile.ZipInfo, out: Path, size: int, archive: Path
) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    written = 0
    head = b""
    src = _open_entry(zf, info, archive)
    try:
        dst = os.fdopen(os.open(out, flags, 0o600), "wb")
    except OSError as exc:
        src.close()
        raise PackArchiveError(f"无法写入 {out.name}：{os_reason(exc)}") from None
    with src, dst:
        while True:
            try:
                chunk = src.read(_CHUNK)
            except _ERRORS:
                raise _damaged(archive) from None
            if not chunk:
                break
            if not head:
                head = chunk[:16]
            written += len(chunk)
            if written > size:
                raise _damaged(archive, "解压后的大小与记录不符")
            try:
                dst.write(chunk)
            except OSError as exc:
                raise PackArchiveError(
                    f"无法写入 {out.name}：{os_reason(exc)}（未留下任何文件）"
                ) from None
        try:
            dst.flush()
            os.fsync(dst.fileno())
        except OSError as exc:
            raise PackArchiveError(f"无法写入 {out.name}：{os_reason(exc)}") from None
    if written != size:
        raise _damaged(archive, "解压后的大小与记录不符")
    if is_nested_archive(info.orig_filename, head):
        raise PackArchiveError(f"加密包中不应有嵌套的压缩文件：“{info.orig_filename[:120]}”。")


def _sync(folder: Path) -> None:
    for sub, _dirs, _files in os.walk(folder):
        fsync_dir(sub)
