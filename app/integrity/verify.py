"""Verifying a pack (folder or zip) or a single signed file: ``omw verify`` and the window.

:func:`verify_pack` takes a path and the trusted public keys and returns a
:class:`VerifyReport` (``ok``, the signer, and one Chinese line per problem).
It never extracts anything and never writes anything.

A **pack** (see :mod:`app.export.packs`) is a folder, or a zip holding one
folder, with ``manifest.json`` (format ``omw-pack/1``), its minisign signature
``manifest.json.minisig`` and ``SHA256SUMS``. It verifies when

- the signature over the exact bytes of ``manifest.json`` is valid and made
  with a **trusted** key (the key id and the name it is trusted under are
  shown; the signer named in the trusted comment is shown too when different);
- every file the manifest lists is present, a regular file, with the listed
  size and SHA-256; nothing is missing, nothing extra, nothing listed twice;
  ``SHA256SUMS`` says exactly what the manifest says;
- no name is unsafe: ``..``, absolute, drive letters, backslashes, control
  characters, Windows device names, names differing only by case or Unicode
  normalisation; no symbolic links or special files; no nested archives;
- a zip is well formed and plain: only stored/deflated, unencrypted entries,
  each local header agreeing with the central directory, entries packed one
  after the other with no bytes before, between or after them, no comments,
  no duplicate names; entry count, total size, file size and compression
  ratio are limited (zip bombs are refused before anything is decompressed).

The zip container's own metadata that nothing relies on (modification times
consistent between the two headers, "version made by", file attributes other
than the file type, extra fields) is not covered by the signature; every byte
that matters is.

A **single file** ``F`` is verified against ``F.minisig`` beside it (a signed
pack zip is verified both ways).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import lzma
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from app.errors import DomainError
from app.integrity import minisign
from app.integrity.signing_keys import TrustedKey
from app.integrity.signing_keys import untrusted_comment as app_untrusted_comment
from app.storage.atomic import os_reason

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.minisig"
SUMS = "SHA256SUMS"
RESERVED = (MANIFEST, SIGNATURE, SUMS)
FORMATS = ("omw-pack/1",)
SIG_SUFFIX = ".minisig"
_CHUNK = 1024 * 1024
MAX_PROBLEMS = 200

#: extensions of archives a pack must not contain (Office files are zips too, and allowed)
NESTED_ARCHIVE_SUFFIXES = (
    ".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".tbz", ".xz", ".txz", ".zst",
    ".lz", ".lzma", ".z", ".cab", ".iso", ".jar", ".war", ".apk", ".arj", ".lzh", ".cpio",
    ".omwbak", ".zipx",
)  # fmt: skip
OFFICE_SUFFIXES = (".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".odt", ".ods")
_ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x1f\x8b",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",
    b"MSCF",
)
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in "123456789¹²³"
}
ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    KeyError,
    IndexError,
    OverflowError,
)


class VerifyError(DomainError):
    """Verification could not start (a usage problem: no such path, no signature file)."""


@dataclass(frozen=True)
class Limits:
    """What a pack may hold; anything beyond is refused before it is read."""

    max_archive_bytes: int = 4 * 1024**3
    max_entries: int = 10_000
    max_total_bytes: int = 4 * 1024**3
    max_file_bytes: int = 1024**3
    max_ratio: int = 200  # uncompressed / compressed, for entries above 1 MiB
    max_manifest_bytes: int = 16 * 1024**2
    max_name_bytes: int = 512
    max_depth: int = 16


DEFAULT_LIMITS = Limits()


@dataclass
class VerifyReport:
    """The outcome of a verification; ``ok`` only when nothing at all is wrong."""

    path: Path
    kind: str  # folder | zip | file
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signature_ok: bool = False
    key_id: str | None = None
    signer: str | None = None  # the name the key is trusted under
    claimed_signer: str | None = None  # the signer named in the trusted comment
    trusted_comment: str | None = None
    signed_at: datetime | None = None
    files_listed: int = 0
    files_checked: int = 0
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.signature_ok and not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("……问题过多，其余不再列出。")

    def lines(self) -> list[str]:
        what = {"folder": "交付包文件夹", "zip": "交付包压缩文件", "file": "文件"}[self.kind]
        out = [f"{'核验通过' if self.ok else '核验失败'}：{what} {self.path}"]
        if self.key_id:
            who = self.signer or "未知"
            state = "受信任" if self.signature_ok else "未通过"
            out.append(f"签名人：{who}（密钥 ID {self.key_id}，{state}）")
        if self.claimed_signer and self.claimed_signer != self.signer:
            out.append(f"签名注释中的签名人：{self.claimed_signer}（签名密钥 ID {self.key_id}）")
        if self.signed_at:
            out.append(f"签名时间：{self.signed_at:%Y-%m-%d %H:%M:%S}")
        if self.kind != "file" and self.files_listed:
            out.append(f"清单列出 {self.files_listed} 个文件，已核对 {self.files_checked} 个。")
        if self.ok and self.kind != "file":
            out.append("每个文件的大小和 SHA-256 均与已签名的清单相符，无缺失、多余或重复的文件。")
        elif self.ok:
            out.append("文件内容与签名相符。")
        out += [f"  - {p}" for p in self.problems]
        out += [f"注意：{n}" for n in self.notes]
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "kind": self.kind,
            "path": str(self.path),
            "key_id": self.key_id,
            "signer": self.signer,
            "claimed_signer": self.claimed_signer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "trusted_comment": self.trusted_comment,
            "files_listed": self.files_listed,
            "files_checked": self.files_checked,
            "problems": list(self.problems),
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- names


def unsafe_name(name: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why a relative path from a pack is unsafe, or ``None`` if it is fine."""
    if not name:
        return "空文件名"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "文件名不是有效的 UTF-8"
    if len(encoded) > limits.max_name_bytes:
        return "文件名过长"
    if "\\" in name:
        return "含反斜杠（在 Windows 上会变成目录分隔符）"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "含控制字符"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "是绝对路径"
    if ":" in name:
        return "含冒号（Windows 盘符或数据流）"
    parts = name.split("/")
    if len(parts) > limits.max_depth:
        return "目录层级过深"
    for part in parts:
        if part in ("", "."):
            return "含空的或“.”路径段"
        if part == "..":
            return "含“..”（会跳出交付包目录）"
        if part[-1] in ". ":
            return "路径段以点或空格结尾（在 Windows 上会与其他名称混淆）"
        if part.split(".")[0].upper().rstrip() in _WINDOWS_DEVICES:
            return "是 Windows 设备名"
    return None


def name_key(name: str) -> str:
    """Names equal under this key collide on Windows/macOS (case, Unicode normalisation)."""
    return unicodedata.normalize("NFC", name).casefold()


def is_nested_archive(name: str, head: bytes) -> bool:
    lower = name.lower()
    if lower.endswith(OFFICE_SUFFIXES):
        return False
    if lower.endswith(NESTED_ARCHIVE_SUFFIXES):
        return True
    if head.startswith(_ARCHIVE_MAGIC):
        return True
    return head.startswith(b"BZh") and head[4:10] == b"\x31\x41\x59\x26\x53\x59"


# --------------------------------------------------------------------------- sources


@dataclass
class _Entry:
    path: str
    size: int
    opener: Callable[[], IO[bytes]]
    is_dir: bool = False


def _no_data() -> IO[bytes]:
    raise PackProblem("这是文件夹，不是文件。")


def _read_limited(entry: _Entry, limit: int, what: str) -> bytes:
    if entry.size > limit:
        raise PackProblem(f"{what}过大（{entry.size} 字节），已拒绝。")
    try:
        with entry.opener() as fh:
            data = fh.read(limit + 1)
    except ZIP_ERRORS:
        raise PackProblem(f"无法读取 {what}（已损坏）。") from None
    if len(data) > limit:
        raise PackProblem(f"{what}过大，已拒绝。")
    return data


class PackProblem(Exception):
    """A problem of an archive that stops one check (its text is the Chinese message)."""


def _walk_folder(root: Path, report: VerifyReport, limits: Limits) -> dict[str, _Entry]:
    entries: dict[str, _Entry] = {}
    stack: list[tuple[Path, str]] = [(root, "")]
    count = 0
    total = 0
    while stack:
        folder, prefix = stack.pop()
        try:
            items = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            report.problem(f"无法读取目录 {prefix or '.'}：{os_reason(exc)}")
            continue
        for item in items:
            rel = f"{prefix}{item.name}"
            count += 1
            if count > limits.max_entries:
                report.problem(f"文件数超过上限 {limits.max_entries}，已停止核验。")
                return entries
            reason = unsafe_name(rel, limits)
            if reason:
                report.problem(f"文件名不安全：“{rel[:120]}”{reason}。")
                continue
            is_junction = getattr(item, "is_junction", lambda: False)()
            if item.is_symlink() or is_junction:
                report.problem(f"“{rel}”是符号链接（可能指向交付包以外），已拒绝。")
                continue
            try:
                st = item.stat(follow_symlinks=False)
            except OSError as exc:
                report.problem(f"无法读取 “{rel}”：{os_reason(exc)}")
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append((Path(item.path), rel + "/"))
                entries[rel] = _Entry(rel, 0, _no_data, is_dir=True)
            elif stat.S_ISREG(st.st_mode):
                total += st.st_size
                if total > limits.max_total_bytes:
                    report.problem("交付包总大小超过上限，已停止核验。")
                    return entries
                entries[rel] = _Entry(rel, st.st_size, _file_opener(Path(item.path)))
            else:
                report.problem(f"“{rel}”不是普通文件（设备、管道等），已拒绝。")
    return entries


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
        return os.fdopen(os.open(path, flags), "rb")

    return opener


# ------------------------------------------------------------------ zip, read strictly

_EOCD = struct.Struct("<4s4H2LH")  # 22 bytes
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # 46 bytes
_LOCAL = struct.Struct("<4s5H3L2H")  # 30 bytes
_UNIX_TYPES_OK = (0, stat.S_IFREG, stat.S_IFDIR)


@dataclass
class ZipRecord:
    name: str
    raw_name: bytes
    flags: int
    method: int
    time: int
    date: int
    crc: int
    csize: int
    usize: int
    version_needed: int
    create_system: int
    external: int
    offset: int
    extra: bytes
    data_offset: int = 0  # where the (compressed) data starts, after the local header


def _end_record(fh: IO[bytes], size: int, limits: Limits) -> tuple[int, int, int]:
    """Check the end-of-directory record: ``(entries, directory size, directory offset)``.

    It must end the file, and the directory must end right before it.
    """
    if size < _EOCD.size:
        raise PackProblem("不是 zip 文件（过短）。")
    fh.seek(size - _EOCD.size)
    sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len = _EOCD.unpack(
        fh.read(_EOCD.size)
    )
    if sig != b"PK\x05\x06":
        raise PackProblem("压缩文件末尾不是 zip 目录结尾（有多余数据、带注释或已截断）。")
    if comment_len:
        raise PackProblem("压缩文件带有注释，交付包不应有。")
    if disk or cd_disk or n_disk != n_total:
        raise PackProblem("不支持分卷压缩文件。")
    if n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        raise PackProblem("不支持 ZIP64 格式的压缩文件（交付包不会这么大）。")
    if n_total > limits.max_entries:
        raise PackProblem(
            f"压缩文件条目过多（{n_total} 个，上限 {limits.max_entries}），疑似压缩炸弹。"
        )
    if cd_offset + cd_size != size - _EOCD.size:
        raise PackProblem("压缩文件的目录位置不对（目录前后有多余数据）。")
    return n_total, cd_size, cd_offset


def _directory(cd: bytes, n_total: int) -> list[ZipRecord]:
    """The entries of the central directory ``cd``, which must hold exactly ``n_total``."""
    cd_size = len(cd)
    entries: list[ZipRecord] = []
    pos = 0
    while pos < cd_size:
        if pos + _CENTRAL.size > cd_size:
            raise PackProblem("压缩文件的目录被截断。")
        f = _CENTRAL.unpack_from(cd, pos)
        if f[0] != b"PK\x01\x02":
            raise PackProblem("压缩文件的目录已损坏。")
        made_by, needed, flags, method, time, date, crc, csize, usize = f[1:10]
        nlen, elen, clen, disk_start, _internal, external, offset = f[10:17]
        pos += _CENTRAL.size
        raw_name = cd[pos : pos + nlen]
        extra = cd[pos + nlen : pos + nlen + elen]
        pos += nlen + elen + clen
        if pos > cd_size or len(raw_name) != nlen:
            raise PackProblem("压缩文件的目录被截断。")
        if clen:
            raise PackProblem("压缩文件的条目带有注释，交付包不应有。")
        if disk_start:
            raise PackProblem("不支持分卷压缩文件。")
        try:
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            raise PackProblem("压缩文件中的文件名编码无效。") from None
        entries.append(
            ZipRecord(
                name,
                raw_name,
                flags,
                method,
                time,
                date,
                crc,
                csize,
                usize,
                needed,
                made_by >> 8,
                external,
                offset,
                extra,
            )
        )
    if pos != cd_size or len(entries) != n_total:
        raise PackProblem("压缩文件目录中的条目数与记录不符。")
    return entries


def _check_local(fh: IO[bytes], entry: ZipRecord) -> int:
    """Check an entry's local header (and data descriptor) against the directory.

    Sets ``entry.data_offset``; returns where the entry ends.
    """
    fh.seek(entry.offset)
    head = fh.read(_LOCAL.size)
    if len(head) != _LOCAL.size:
        raise PackProblem("压缩文件已截断。")
    sig, needed, flags, method, time, date, crc, csize, usize, nlen, elen = _LOCAL.unpack(head)
    if sig != b"PK\x03\x04":
        raise PackProblem(f"条目“{entry.name[:120]}”的本地文件头已损坏。")
    local_name = fh.read(nlen)
    fh.seek(elen, os.SEEK_CUR)
    if (needed, flags, method, time, date, local_name) != (
        entry.version_needed,
        entry.flags,
        entry.method,
        entry.time,
        entry.date,
        entry.raw_name,
    ):
        raise PackProblem(f"条目“{entry.name[:120]}”的本地文件头与目录不一致（压缩文件被改动）。")
    if not flags & 0x08 and (crc, csize, usize) != (entry.crc, entry.csize, entry.usize):
        raise PackProblem(f"条目“{entry.name[:120]}”的大小或校验值与目录不一致（压缩文件被改动）。")
    entry.data_offset = entry.offset + _LOCAL.size + nlen + elen
    end = entry.data_offset + entry.csize
    if flags & 0x08:
        fh.seek(end)
        desc = fh.read(16)
        if desc[:4] == b"PK\x07\x08":
            values, length = desc[4:16], 16
        else:
            values, length = desc[:12], 12
        if len(values) != 12 or struct.unpack("<3L", values) != (
            entry.crc,
            entry.csize,
            entry.usize,
        ):
            raise PackProblem(f"条目“{entry.name[:120]}”的数据描述符与目录不一致。")
        end += length
    return end


def zip_structure(fh: IO[bytes], size: int, limits: Limits) -> list[ZipRecord]:
    """Parse and cross-check a zip's records; raise :class:`PackProblem` on anything odd.

    Nothing is decompressed. The end record must end the file (no comment, no
    trailing bytes), the central directory must follow the last entry, each
    local header must agree with its directory entry, and the entries must
    follow each other from offset 0 without gaps or overlaps.
    """
    n_total, cd_size, cd_offset = _end_record(fh, size, limits)
    fh.seek(cd_offset)
    cd = fh.read(cd_size)
    if len(cd) != cd_size:
        raise PackProblem("压缩文件的目录被截断。")
    entries = _directory(cd, n_total)
    # local headers: each agrees with the directory; entries follow each other without gaps
    expected = 0
    for entry in sorted(entries, key=lambda e: e.offset):
        if entry.offset != expected:
            raise PackProblem(
                "压缩文件开头有多余数据。"
                if expected == 0
                else "压缩文件的条目之间有多余数据或重叠。"
            )
        expected = _check_local(fh, entry)
    if expected != cd_offset:
        raise PackProblem("压缩文件的最后一个条目与目录之间有多余数据或重叠。")
    return entries


class ZipEntryReader:
    """Reads one entry of a zip checked by :func:`zip_structure`, strictly.

    Stored or deflated only. Output is bounded by the recorded size (a bomb
    cannot inflate past it), the deflate stream must end exactly at the end of
    the entry's data (no trailing bytes, no missing end), and the size and
    CRC-32 must match at the end. Problems raise :class:`PackProblem`.
    """

    def __init__(self, path: Path, record: ZipRecord) -> None:
        self._record = record
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()/__exit__
        self._fh.seek(record.data_offset)
        self._left = record.csize
        self._inflate = zlib.decompressobj(-15) if record.method == zipfile.ZIP_DEFLATED else None
        self._out = 0
        self._crc = 0
        self._pending = b""
        self._done = False

    def __enter__(self) -> ZipEntryReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._fh.close()

    def _bad(self, detail: str) -> PackProblem:
        return PackProblem(f"条目“{self._record.name[:120]}”{detail}（压缩文件被改动或已损坏）。")

    def _raw(self) -> bytes:
        chunk = self._fh.read(min(_CHUNK, self._left))
        if self._left and not chunk:
            raise self._bad("的数据被截断")
        self._left -= len(chunk)
        return chunk

    def _emit(self, data: bytes) -> None:
        self._out += len(data)
        if self._out > self._record.usize:
            raise self._bad("解压后比记录的大小更大")
        self._crc = zlib.crc32(data, self._crc)
        self._pending += data

    def _finish(self) -> None:
        self._done = True
        if self._out != self._record.usize:
            raise self._bad("解压后的大小与记录不符")
        if self._crc != self._record.crc:
            raise self._bad("的 CRC 校验值不符")

    def _fill(self) -> None:
        if self._inflate is None:
            self._emit(self._raw())
            if not self._left:
                self._finish()
            return
        room = self._record.usize - self._out + 1
        tail = self._inflate.unconsumed_tail
        data = self._inflate.decompress(tail if tail else self._raw(), min(_CHUNK, room))
        self._emit(data)
        if self._inflate.eof:
            if self._left or self._inflate.unused_data or self._inflate.unconsumed_tail:
                raise self._bad("的压缩数据后面有多余字节")
            self._finish()
        elif not self._left and not self._inflate.unconsumed_tail and not data:
            raise self._bad("的压缩数据不完整")

    def read(self, size: int = -1) -> bytes:
        want = size if size >= 0 else self._record.usize + 1
        while len(self._pending) < want and not self._done:
            self._fill()
        data, self._pending = self._pending[:want], self._pending[want:]
        return data


def _read_zip(path: Path, report: VerifyReport, limits: Limits) -> dict[str, _Entry] | None:
    """The file entries of a pack zip, checked; nothing is decompressed here."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise VerifyError(f"无法读取 {path}：{os_reason(exc)}") from None
    if size > limits.max_archive_bytes:
        report.problem(f"压缩文件过大（{size} 字节），已拒绝。")
        return None
    try:
        with open(path, "rb") as fh:
            if fh.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
                report.problem("不是 zip 压缩文件。")
                return None
            records = zip_structure(fh, size, limits)
    except PackProblem as problem:
        report.problem(str(problem))
        return None
    except ZIP_ERRORS:
        report.problem("压缩文件已损坏，无法读取。")
        return None
    total = 0
    for c in records:
        if c.flags & 0x01:
            report.problem(
                f"条目“{c.name[:120]}”已加密，交付包不应加密（加密包请先 omw pack decrypt）。"
            )
            return None
        if c.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            report.problem(f"条目“{c.name[:120]}”使用了不支持的压缩方式（{c.method}）。")
            return None
        if c.method == zipfile.ZIP_STORED and c.csize != c.usize:
            report.problem(f"条目“{c.name[:120]}”的大小记录自相矛盾。")
            return None
        if c.usize > limits.max_file_bytes:
            report.problem(f"条目“{c.name[:120]}”解压后过大，疑似压缩炸弹，已拒绝。")
            return None
        if c.usize > 1024 * 1024 and c.usize > limits.max_ratio * max(c.csize, 1):
            report.problem(f"条目“{c.name[:120]}”的压缩比异常，疑似压缩炸弹，已拒绝。")
            return None
        total += c.usize
        if total > limits.max_total_bytes:
            report.problem("压缩文件解压后总大小超过上限，疑似压缩炸弹，已拒绝。")
            return None
    entries: dict[str, _Entry] = {}
    seen: dict[str, str] = {}
    for c in records:
        name = c.name
        is_dir = name.endswith("/")
        bare = name[:-1] if is_dir else name
        reason = unsafe_name(bare, limits)
        if reason:
            report.problem(
                f"压缩文件中的文件名不安全：“{name[:120]}”{reason}（疑似 zip-slip），已拒绝。"
            )
            continue
        key = name_key(bare)
        if key in seen:
            report.problem(f"压缩文件中有重复的名称：“{name[:120]}”与“{seen[key][:120]}”。")
            continue
        seen[key] = name
        unix_type = stat.S_IFMT(c.external >> 16) if c.create_system == 3 else 0
        if unix_type == stat.S_IFLNK:
            report.problem(f"压缩文件中的“{name[:120]}”是符号链接，已拒绝。")
            continue
        if unix_type not in _UNIX_TYPES_OK:
            report.problem(f"压缩文件中的“{name[:120]}”不是普通文件，已拒绝。")
            continue
        if is_dir != (unix_type == stat.S_IFDIR) and unix_type:
            report.problem(f"压缩文件中的“{name[:120]}”的类型与名称不符。")
            continue
        if is_dir:
            if c.usize:
                report.problem(f"压缩文件中的目录“{name[:120]}”带有数据。")
            else:
                entries[bare] = _Entry(bare, 0, _no_data, is_dir=True)
            continue
        entries[name] = _Entry(name, c.usize, _zip_opener(path, c))
    return entries


def _zip_opener(path: Path, record: ZipRecord) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        return ZipEntryReader(path, record)  # type: ignore[return-value]

    return opener


def _pack_root(entries: dict[str, _Entry], report: VerifyReport) -> dict[str, _Entry] | None:
    """The entries relative to the zip's single top folder (or its root)."""
    if MANIFEST in entries:
        return entries
    tops = {p.split("/", 1)[0] for p in entries if "/" in p}
    manifests = [
        p
        for p, e in entries.items()
        if p.count("/") == 1 and p.endswith("/" + MANIFEST) and not e.is_dir
    ]
    if len(manifests) != 1:
        report.problem("压缩文件中找不到交付包的 manifest.json（或有多个）。")
        return None
    top = manifests[0].split("/", 1)[0]
    rooted: dict[str, _Entry] = {}
    for path, entry in entries.items():
        if path.startswith(top + "/"):
            rooted[path[len(top) + 1 :]] = entry
        elif path == top and entry.is_dir:
            continue  # the pack folder's own entry
        else:
            report.problem(f"交付包文件夹以外的文件：“{path[:120]}”。")
    if len(tops) > 1:
        report.notes.append(f"压缩文件中交付包文件夹为 {top}。")
    return rooted


# --------------------------------------------------------------------------- checks


def _key_map(keys: Iterable[TrustedKey | minisign.PublicKey]) -> dict[str, TrustedKey]:
    found: dict[str, TrustedKey] = {}
    for key in keys:
        if isinstance(key, minisign.PublicKey):
            key = TrustedKey(key, "（未命名）")
        previous = found.get(key.key_id)
        if previous is None or (key.trusted and not previous.trusted):
            found[key.key_id] = key
    return found


def _check_signature(
    report: VerifyReport,
    signature_bytes: bytes,
    keys: dict[str, TrustedKey],
    what: str,
    *,
    data: bytes | None = None,
    path: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    try:
        signature = minisign.parse_signature(signature_bytes)
    except minisign.MinisignError as exc:
        report.problem(f"{what}的签名文件无法使用：{exc.message}")
        return
    report.key_id = signature.key_id
    report.trusted_comment = signature.trusted_comment
    fields = minisign.trusted_fields(signature.trusted_comment)
    report.claimed_signer = fields.get("signer") or None
    with contextlib.suppress(ValueError, OverflowError, OSError):
        if fields.get("timestamp", "").isdigit():
            report.signed_at = datetime.fromtimestamp(int(fields["timestamp"]))
    key = keys.get(signature.key_id)
    if key is None:
        report.problem(
            f"签名密钥 {signature.key_id} 不在受信任的公钥中（签名人未知）。请通过可靠渠道向签名人"
            "索取公钥，核对密钥 ID 后导入：omw keys import 公钥文件 --name 姓名 --trust"
        )
        return
    report.signer = key.name
    if not key.trusted:
        report.problem(
            f"签名密钥 {signature.key_id}（{key.name}）已导入但未被信任；"
            f"核实后运行 omw keys trust {signature.key_id}。"
        )
        return
    try:
        if path is not None:
            minisign.verify_file(key.public, signature, path, limits.max_file_bytes)
        else:
            minisign.verify(key.public, signature, data=data or b"")
    except minisign.MinisignError as exc:
        report.problem(f"{what}：{exc.message}")
        return
    except OSError as exc:
        report.problem(f"无法读取 {what}：{os_reason(exc)}")
        return
    if report.claimed_signer and signature.untrusted_comment != app_untrusted_comment(
        signature.key_id
    ):
        # minisign leaves this line unsigned; the app always writes the same one, so a
        # signature of the app (``signer:`` in its trusted comment) must carry exactly it
        report.problem(f"{what}的签名文件第 1 行（未签名的注释）被改动。")
        return
    if report.claimed_signer and signature.file_text().encode("utf-8") != signature_bytes:
        report.problem(f"{what}的签名文件格式被改动（多余或缺少的空白、换行）。")
        return
    report.signature_ok = True
    if report.claimed_signer and report.claimed_signer != key.name:
        report.notes.append(
            f"签名注释中的签名人为“{report.claimed_signer}”，该公钥（密钥 ID {key.key_id}）"
            f"登记的姓名为“{key.name}”。"
        )


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _listed_files(
    manifest: Any, report: VerifyReport, limits: Limits
) -> list[tuple[str, int, str]]:
    if not isinstance(manifest, dict):
        report.problem("manifest.json 不是交付包清单（应为 JSON 对象）。")
        return []
    if manifest.get("format") not in FORMATS:
        report.problem(
            f"manifest.json 的格式 {str(manifest.get('format'))[:40]!r} 不是 omw-pack/1。"
        )
        return []
    files = manifest.get("files")
    if not isinstance(files, list):
        report.problem("manifest.json 缺少文件列表（files）。")
        return []
    if len(files) > limits.max_entries:
        report.problem(f"清单列出的文件过多（{len(files)} 个），已拒绝。")
        return []
    listed: list[tuple[str, int, str]] = []
    seen: dict[str, str] = {}
    for n, item in enumerate(files, 1):
        if not isinstance(item, dict):
            report.problem(f"清单第 {n} 项不是对象。")
            continue
        path, size, sha = item.get("path"), item.get("size"), item.get("sha256")
        if not isinstance(path, str):
            report.problem(f"清单第 {n} 项缺少文件路径。")
            continue
        reason = unsafe_name(path, limits)
        if reason:
            report.problem(f"清单中的路径不安全：“{path[:120]}”{reason}。")
            continue
        if path in RESERVED:
            report.problem(f"清单不应列出 {path}。")
            continue
        if type(size) is not int or size < 0:
            report.problem(f"清单中“{path[:120]}”的大小无效。")
            continue
        if not isinstance(sha, str) or not _HEX64.fullmatch(sha):
            report.problem(f"清单中“{path[:120]}”的 SHA-256 无效。")
            continue
        key = name_key(path)
        if key in seen:
            report.problem(f"清单中重复列出了文件：“{path[:120]}”（与“{seen[key][:120]}”相同）。")
            continue
        seen[key] = path
        listed.append((path, size, sha))
    return listed


def _hash_entry(entry: _Entry, expected_size: int) -> tuple[int, str, bytes]:
    h = hashlib.sha256()
    read = 0
    head = b""
    with entry.opener() as fh:
        while chunk := fh.read(min(_CHUNK, expected_size + 1 - read)):
            if not head:
                head = chunk[:16]
            read += len(chunk)
            h.update(chunk)
            if read > expected_size:
                break
    return read, h.hexdigest(), head


def _check_files(
    entries: dict[str, _Entry],
    listed: list[tuple[str, int, str]],
    report: VerifyReport,
) -> None:
    report.files_listed = len(listed)
    listed_keys = {name_key(p) for p, _, _ in listed}
    for path, size, sha in listed:
        entry = entries.get(path)
        if entry is not None and entry.is_dir:
            report.problem(f"“{path[:120]}”是文件夹，清单中却是文件。")
            continue
        if entry is None:
            other = next((e for e in entries if name_key(e) == name_key(path)), None)
            hint = f"（只有大小写或写法不同的“{other[:120]}”）" if other else ""
            report.problem(f"缺少文件：“{path[:120]}”{hint}。")
            continue
        if entry.size != size:
            report.problem(
                f"文件大小不符：“{path[:120]}”应为 {size} 字节，实际 {entry.size} 字节。"
            )
            continue
        try:
            read, digest, head = _hash_entry(entry, size)
        except PackProblem as problem:
            report.problem(str(problem))
            continue
        except ZIP_ERRORS:
            report.problem(f"无法读取“{path[:120]}”（已损坏）。")
            continue
        if read != size:
            report.problem(f"文件大小不符：“{path[:120]}”应为 {size} 字节。")
            continue
        if digest != sha:
            report.problem(f"文件内容被改动：“{path[:120]}”的 SHA-256 与清单不符。")
            continue
        if is_nested_archive(path, head):
            report.problem(f"交付包中不应有嵌套的压缩文件：“{path[:120]}”。")
            continue
        report.files_checked += 1
    parents = {name_key(p.rsplit("/", 1)[0]) for p, _, _ in listed if "/" in p}
    parents |= {name_key("/".join(k.split("/")[:i])) for k in list(parents) for i in range(1, 16)}
    for path in sorted(entries):
        if entries[path].is_dir:
            if name_key(path) not in parents and name_key(path) not in listed_keys:
                report.problem(f"多出的文件夹：“{path[:120]}”，清单中没有其中的任何文件。")
            continue
        if path in RESERVED or name_key(path) in listed_keys:
            continue
        if path.lower().endswith(NESTED_ARCHIVE_SUFFIXES):
            report.problem(f"多出的文件（嵌套的压缩文件）：“{path[:120]}”，清单中没有。")
        else:
            report.problem(f"多出的文件：“{path[:120]}”，清单中没有。")


def _check_sums(
    entries: dict[str, _Entry],
    listed: list[tuple[str, int, str]],
    report: VerifyReport,
    limits: Limits,
) -> None:
    entry = entries.get(SUMS)
    if entry is None:
        report.problem(f"缺少 {SUMS}。")
        return
    try:
        body = _read_limited(entry, limits.max_manifest_bytes, SUMS)
    except PackProblem as problem:
        report.problem(str(problem))
        return
    expected = "".join(f"{sha}  {path}\n" for path, _, sha in listed).encode("utf-8")
    if body == expected:
        return
    try:
        lines = body.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        report.problem(f"{SUMS} 不是 UTF-8 文本（文件被改动）。")
        return
    wanted = {path: sha for path, _, sha in listed}
    for line in lines:
        sha, sep, path = line.partition("  ")
        if not sep or wanted.get(path) != sha:
            report.problem(f"{SUMS} 与已签名的清单不一致：“{line[:140]}”。")
            return
    report.problem(f"{SUMS} 与已签名的清单不一致（行数、顺序或格式被改动）。")


def _check_pack(
    entries: dict[str, _Entry],
    keys: dict[str, TrustedKey],
    report: VerifyReport,
    limits: Limits,
    signed_outside: bool = False,
) -> None:
    manifest_entry = entries.get(MANIFEST)
    if manifest_entry is None or manifest_entry.is_dir:
        report.problem(f"缺少 {MANIFEST}，不是交付包。")
        return
    try:
        manifest_bytes = _read_limited(manifest_entry, limits.max_manifest_bytes, MANIFEST)
    except PackProblem as problem:
        report.problem(str(problem))
        return
    except ZIP_ERRORS:
        report.problem(f"无法读取 {MANIFEST}（已损坏）。")
        return
    signature_entry = entries.get(SIGNATURE)
    if signature_entry is None and signed_outside:
        report.signature_ok = True
        report.notes.append(f"包内没有 {SIGNATURE}；压缩文件整体的签名有效。")
    elif signature_entry is None:
        report.problem(f"缺少签名文件 {SIGNATURE}（交付包未签名，无法确认来源）。")
    else:
        try:
            sig_bytes = _read_limited(signature_entry, minisign.MAX_SIGNATURE_FILE_BYTES, SIGNATURE)
        except PackProblem as problem:
            report.problem(str(problem))
        except ZIP_ERRORS:
            report.problem(f"无法读取 {SIGNATURE}（已损坏）。")
        else:
            _check_signature(report, sig_bytes, keys, MANIFEST, data=manifest_bytes)
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        report.problem(f"{MANIFEST} 不是有效的 JSON（文件被改动或已损坏）。")
        return
    report.manifest = manifest if isinstance(manifest, dict) else None
    listed = _listed_files(manifest, report, limits)
    _check_files(entries, listed, report)
    _check_sums(entries, listed, report, limits)


# --------------------------------------------------------------------------- entry points


def signature_path(path: Path) -> Path:
    return path.with_name(path.name + SIG_SUFFIX)


def verify_file(
    path: str | os.PathLike[str],
    trusted_keys: Iterable[TrustedKey | minisign.PublicKey],
    *,
    signature: str | os.PathLike[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifyReport:
    """Verify one file against its ``.minisig`` (default: beside it)."""
    target = Path(path)
    sig_path = Path(signature) if signature else signature_path(target)
    report = VerifyReport(target, "file")
    if not target.is_file():
        raise VerifyError(f"找不到文件：{target}")
    if not sig_path.is_file():
        raise VerifyError(f"找不到签名文件：{sig_path}")
    try:
        if sig_path.stat().st_size > minisign.MAX_SIGNATURE_FILE_BYTES:
            report.problem(f"签名文件 {sig_path.name} 过大，不是 minisign 签名。")
            return report
        sig_bytes = sig_path.read_bytes()
        if target.stat().st_size > limits.max_file_bytes:
            report.problem("文件过大，已拒绝核验。")
            return report
    except OSError as exc:
        raise VerifyError(f"无法读取 {sig_path}：{os_reason(exc)}") from None
    _check_signature(report, sig_bytes, _key_map(trusted_keys), target.name, path=target)
    if report.signature_ok:
        fields = minisign.trusted_fields(report.trusted_comment or "")
        signed_name = fields.get("file")
        if signed_name and signed_name != target.name:
            report.notes.append(f"签名时的文件名为“{signed_name}”（文件已改名，内容未变）。")
    return report


def verify_pack(
    path: str | os.PathLike[str],
    trusted_keys: Iterable[TrustedKey | minisign.PublicKey],
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifyReport:
    """Verify a pack folder, a pack zip, or a single file with its ``.minisig``.

    ``trusted_keys``: the keys to accept (a :class:`TrustedKey` with
    ``trusted=False`` is only used to name an untrusted signer; a bare
    :class:`app.integrity.minisign.PublicKey` is trusted). Usage problems (no such path,
    a single file without signature) raise :class:`VerifyError`; everything
    wrong with the pack itself is in the report (``ok`` false). Nothing is
    ever written or extracted.
    """
    target = Path(path)
    key_list = list(trusted_keys)
    keys = _key_map(key_list)
    if target.is_dir():
        report = VerifyReport(target, "folder")
        entries = _walk_folder(target, report, limits)
        _check_pack(entries, keys, report, limits)
        return report
    if not target.exists():
        raise VerifyError(f"找不到 {target}。")
    if not target.is_file():
        raise VerifyError(f"{target} 不是文件或文件夹。")
    if target.name.endswith(SIG_SUFFIX) and len(target.name) > len(SIG_SUFFIX):
        return verify_pack(
            target.with_name(target.name[: -len(SIG_SUFFIX)]), key_list, limits=limits
        )
    outer: VerifyReport | None = None
    if signature_path(target).is_file():
        outer = verify_file(target, key_list, limits=limits)
    if not _looks_like_zip(target) or target.suffix.lower() in OFFICE_SUFFIXES:
        if outer is None:
            raise VerifyError(
                f"{target.name} 旁边没有签名文件 {target.name}{SIG_SUFFIX}，无法核验。"
                "（交付包请指定文件夹或 .zip 文件。）"
            )
        return outer
    report = VerifyReport(target, "zip")
    zip_entries = _read_zip(target, report, limits)
    if zip_entries is not None:
        rooted = _pack_root(zip_entries, report)
        if rooted is not None:
            signed_outside = outer is not None and outer.signature_ok
            _check_pack(rooted, keys, report, limits, signed_outside)
    if outer is not None:
        report.problems = outer.problems + report.problems
        report.notes = outer.notes + report.notes
        report.signature_ok = report.signature_ok and outer.signature_ok
        for name in ("key_id", "signer", "claimed_signer", "trusted_comment", "signed_at"):
            if getattr(report, name) is None:
                setattr(report, name, getattr(outer, name))
    return report


def _looks_like_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False
