"""Template files: the built-in ones, and checks of untrusted (client) ones.

A .docx or .xlsx file is a zip of XML parts. Before a client's template is
opened at all it is checked: size and entry-count limits, no absolute or
``..`` paths, no duplicate names, a bounded total and per-entry expansion (zip
bombs), and no DTD or entity declarations in any XML part (entity expansion).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from app.export.errors import TemplateError
from app.storage import paths

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200
FORMATS = ("docx", "xlsx")
_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_LABELS = {"docx": "Word（.docx）", "xlsx": "Excel（.xlsx）"}


def builtin_path(kind: str, fmt: str) -> Path:
    return paths.resource("templates", f"{kind}.{fmt}")


def builtin_bytes(kind: str, fmt: str) -> bytes | None:
    path = builtin_path(kind, fmt)
    return path.read_bytes() if path.is_file() else None


def sniff_format(data: bytes) -> str | None:
    """``docx`` or ``xlsx`` from the zip's parts (not from a file name), else ``None``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    for fmt, marker in _MARKERS.items():
        if marker in names:
            return fmt
    return None


def check_package(data: bytes, fmt: str, label: str = "模板文件") -> None:
    """Refuse a file that is not a sane, safe .docx/.xlsx (see the module docstring)."""
    if not isinstance(data, bytes | bytearray):
        raise TemplateError(f"{label}必须是文件内容（字节）。")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            f"{label}过大（{len(data) / 1024 / 1024:.1f} MB），"
            f"最多 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB。"
        )
    if not data.startswith(b"PK"):
        raise TemplateError(f"{label}不是 {_LABELS[fmt]} 文件（文件已损坏或格式不对）。")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TemplateError(f"{label}已损坏，无法作为 {_LABELS[fmt]} 打开。") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise TemplateError(
                f"{label}包含的部件过多（{len(infos)} 个），最多 {MAX_ENTRIES} 个。"
            )
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            pure = PurePosixPath(name.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or ":" in name:
                raise TemplateError(f"{label}包含非法路径“{name[:80]}”，已拒绝。")
            if name.lower() in seen:
                raise TemplateError(f"{label}包含重复的部件“{name[:80]}”，已拒绝。")
            seen.add(name.lower())
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                raise TemplateError(f"{label}解压后过大，已拒绝。")
            ratio = info.file_size / info.compress_size if info.compress_size else 0
            if ratio > MAX_RATIO and info.file_size > 1024 * 1024:
                raise TemplateError(f"{label}的压缩比异常（疑似压缩炸弹），已拒绝。")
        if _MARKERS[fmt] not in seen:
            other = next((f for f, m in _MARKERS.items() if m in seen), None)
            if other:
                raise TemplateError(
                    f"{label}是 {_LABELS[other]} 文件，这里需要 {_LABELS[fmt]} 文件。"
                )
            raise TemplateError(f"{label}不是有效的 {_LABELS[fmt]} 文件（缺少主文档）。")
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            try:
                body = zf.read(info)
            # A corrupt deflate stream raises zlib.error, a truncated entry EOFError.
            except (
                zipfile.BadZipFile,
                OSError,
                RuntimeError,
                ValueError,
                zlib.error,
                EOFError,
                NotImplementedError,
            ):
                raise TemplateError(f"{label}的部件“{info.filename}”已损坏。") from None
            if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
                raise TemplateError(
                    f"{label}的部件“{info.filename}”含有 DTD/实体声明（可能是恶意文件），已拒绝。"
                )
