"""OOXML packages (.docx / .xlsx) at the byte level: read once, write fast.

A template is read once into a :class:`Package` (its parts as bytes, in zip
order). A rendered file is written by :class:`ZipWriter`: the parts a render
changes are deflated, the others are copied as already-deflated bytes
(compressed once per template and process), so a 300 KB ``styles.xml`` costs
nothing per file. Entries get the template's timestamps (new ones a fixed
one), so equal content gives equal bytes.

Also here: relationships and content types of a package, and the facts of an
image (format, pixel size, dpi) for placing it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

FIXED_TIME = (2026, 1, 1, 0, 0, 0)
DEFLATE_LEVEL = 6

RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
RT_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
RT_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
#: Parser of package XML: no entities, no network (templates may be untrusted).
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class PackageError(ValueError):
    """The bytes are not a readable zip package."""


@dataclass
class Entry:
    name: str
    data: bytes
    date_time: tuple[int, int, int, int, int, int]
    _deflated: tuple[bytes, int] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def deflated(self) -> tuple[bytes, int]:
        """(raw deflate stream, crc32) of the data, computed once."""
        found = self._deflated
        if found is None:
            with self._lock:
                found = self._deflated
                if found is None:
                    found = (deflate(self.data), zlib.crc32(self.data))
                    self._deflated = found
        return found


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str
    external: bool = False


class Package:
    """The parts of a zip package, in order (read once)."""

    def __init__(self, data: bytes) -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                self.entries = [
                    Entry(info.filename, zf.read(info), info.date_time)
                    for info in zf.infolist()
                    if not info.is_dir()
                ]
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError) as exc:
            raise PackageError(str(exc)) from None
        self.by_name = {e.name: e for e in self.entries}

    def read(self, name: str) -> bytes | None:
        entry = self.by_name.get(name)
        return entry.data if entry is not None else None

    def rels(self, part: str) -> list[Rel]:
        """Relationships of ``part`` ("" for the package's own)."""
        data = self.read(rels_name(part))
        if data is None:
            return []
        root = etree.fromstring(data, SAFE_PARSER)
        return [
            Rel(
                el.get("Id", ""),
                el.get("Type", ""),
                el.get("Target", ""),
                el.get("TargetMode") == "External",
            )
            for el in root.iter(f"{{{RELS_NS}}}Relationship")
        ]

    def main_part(self) -> str | None:
        for rel in self.rels(""):
            if rel.type == RT_OFFICE_DOCUMENT and not rel.external:
                return resolve("", rel.target)
        return None

    def content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        """(defaults by extension, overrides by part name without the leading slash)."""
        data = self.read("[Content_Types].xml")
        defaults: dict[str, str] = {}
        overrides: dict[str, str] = {}
        if data is None:
            return defaults, overrides
        root = etree.fromstring(data, SAFE_PARSER)
        for el in root:
            if el.tag == f"{{{CT_NS}}}Default":
                defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
            elif el.tag == f"{{{CT_NS}}}Override":
                overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
        return defaults, overrides

    def content_type(self, part: str) -> str:
        defaults, overrides = self.content_types()
        if part in overrides:
            return overrides[part]
        return defaults.get(part.rsplit(".", 1)[-1].lower(), "")


def rels_name(part: str) -> str:
    """``word/document.xml`` → ``word/_rels/document.xml.rels`` ("" → ``_rels/.rels``)."""
    if not part:
        return "_rels/.rels"
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def resolve(part: str, target: str) -> str:
    """The part name a relationship target of ``part`` points to."""
    if target.startswith("/"):
        return normpath(target.lstrip("/"))
    return normpath(join(dirname(part), target))


def rels_xml(rels: list[Rel]) -> bytes:
    body = "".join(
        f"<Relationship Id={quoteattr(r.id)} Type={quoteattr(r.type)} Target={quoteattr(r.target)}"
        + (' TargetMode="External"' if r.external else "")
        + "/>"
        for r in rels
    )
    return (f'{XML_DECLARATION}<Relationships xmlns="{RELS_NS}">{body}</Relationships>').encode()


def add_defaults(content_types: bytes, extensions: dict[str, str]) -> bytes:
    """``[Content_Types].xml`` with a ``Default`` for each extension it lacks."""
    text = content_types.decode("utf-8")
    missing = [
        f'<Default Extension="{ext}" ContentType="{ctype}"/>'
        for ext, ctype in extensions.items()
        if not re.search(rf'<Default\s+Extension="{re.escape(ext)}"', text, re.IGNORECASE)
    ]
    if not missing:
        return content_types
    at = text.index(">", text.index("<Types")) + 1
    return (text[:at] + "".join(missing) + text[at:]).encode("utf-8")


def add_overrides(content_types: bytes, overrides: dict[str, str]) -> bytes:
    """``[Content_Types].xml`` with an ``Override`` per part name (``xl/charts/chart1.xml``)."""
    if not overrides:
        return content_types
    text = content_types.decode("utf-8")
    extra = "".join(
        f'<Override PartName="/{name}" ContentType="{ctype}"/>' for name, ctype in overrides.items()
    )
    at = text.rindex("</Types>")
    return (text[:at] + extra + text[at:]).encode("utf-8")


def text(value: str) -> str:
    """XML character data."""
    return escape(value)


# --------------------------------------------------------------------------- writing


#: Parts at least this large are deflated in pieces on several cores (zlib runs
#: without the GIL), as pigz does: each piece primed with the 32 KB before it and
#: ended with a sync flush, so the pieces join into one ordinary deflate stream
#: of the same size.
PARALLEL_DEFLATE = 1 << 20
_WINDOW = 32 * 1024
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _workers() -> int:
    return min(4, os.cpu_count() or 1)


def _deflate_piece(data: bytes, start: int, end: int, level: int, last: bool) -> bytes:
    if start:
        c = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=data[start - _WINDOW : start])
    else:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
    out = c.compress(memoryview(data)[start:end])
    return out + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def deflate(data: bytes, level: int = DEFLATE_LEVEL) -> bytes:
    """Raw deflate of ``data``; large parts on several cores (see :data:`PARALLEL_DEFLATE`)."""
    workers = _workers()
    if len(data) < PARALLEL_DEFLATE or workers < 2:
        return _deflate_piece(data, 0, len(data), level, True)
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers - 1, thread_name_prefix="deflate")
        pool = _pool
    n = min(workers, max(2, len(data) // (PARALLEL_DEFLATE // 2)))
    bounds = [len(data) * i // n for i in range(n + 1)]
    bounds[1:-1] = [max(b, _WINDOW) for b in bounds[1:-1]]
    futures = [
        pool.submit(_deflate_piece, data, bounds[i], bounds[i + 1], level, False)
        for i in range(n - 1)
    ]
    tail = _deflate_piece(data, bounds[-2], bounds[-1], level, True)  # this thread's share
    return b"".join(f.result() for f in futures) + tail


def _dos(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time[:6]
    y = max(1980, min(2107, y))
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


class ZipWriter:
    """A zip archive built in memory: deflated entries, or stored ones, in the order added."""

    def __init__(self) -> None:
        self._out = io.BytesIO()
        self._central: list[bytes] = []
        self._names: set[str] = set()

    def add(
        self,
        name: str,
        data: bytes,
        *,
        date_time: tuple[int, ...] = FIXED_TIME,
        compress: bool = True,
        level: int = DEFLATE_LEVEL,
    ) -> None:
        if compress:
            self._put(name, deflate(data, level), zlib.crc32(data), len(data), 8, date_time)
        else:
            self._put(name, data, zlib.crc32(data), len(data), 0, date_time)

    def add_entry(self, entry: Entry) -> None:
        """A template part unchanged (compressed once per template)."""
        raw, crc = entry.deflated()
        self._put(entry.name, raw, crc, len(entry.data), 8, entry.date_time)

    def _put(
        self, name: str, raw: bytes, crc: int, size: int, method: int, date_time: tuple[int, ...]
    ) -> None:
        if name in self._names:
            raise ValueError(f"duplicate zip entry {name}")
        self._names.add(name)
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800
        if len(raw) >= 0xFFFFFFFF or size >= 0xFFFFFFFF:
            raise ValueError("part too large")
        dtime, ddate = _dos(date_time)
        offset = self._out.tell()
        self._out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                flags,
                method,
                dtime,
                ddate,
                crc,
                len(raw),
                size,
                len(encoded),
                0,
            )
        )
        self._out.write(encoded)
        self._out.write(raw)
        self._central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                flags,
                method,
                dtime,
                ddate,
                crc,
                len(raw),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )

    def getvalue(self) -> bytes:
        start = self._out.tell()
        for record in self._central:
            self._out.write(record)
        size = self._out.tell() - start
        n = len(self._central)
        if n > 0xFFFF or start > 0xFFFFFFFF:
            raise ValueError("package too large")
        self._out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, size, start, 0))
        return self._out.getvalue()


# --------------------------------------------------------------------------- images


@dataclass(frozen=True)
class ImageInfo:
    ext: str
    content_type: str
    px_width: int
    px_height: int
    dpi_x: int
    dpi_y: int
    data: bytes  # as placed: Word/Excel-readable (WEBP and the like converted to PNG)

    def size_emu(self, width_mm: float, height_mm: float | None) -> tuple[int, int]:
        """(cx, cy) for a width (and height, else by the aspect ratio, as python-docx)."""
        cx = int(width_mm * 36_000)
        if height_mm:
            return cx, int(height_mm * 36_000)
        # python-docx's arithmetic: native size in whole EMU, then scaled
        native_w = int(self.px_width / (self.dpi_x or 72) * 914_400)
        native_h = int(self.px_height / (self.dpi_y or 72) * 914_400)
        return cx, round(native_h * (float(cx) / float(native_w))) if native_w else cx


_WORD_IMAGES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
}
#: Pillow's format names of the pictures Word and Excel show as they are (MPO: a
#: camera's multi-picture JPEG, an ordinary JPEG to Word).
_PILLOW_FORMATS = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg", "GIF": "gif", "BMP": "bmp"}
_INFO: dict[bytes, ImageInfo] = {}
_INFO_LOCK = threading.Lock()


def _dpi(value: object, default: int) -> int:
    """Whole dots per inch as Word's readers take them (rounded; none or 0: ``default``)."""
    try:
        dpi = round(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default
    return dpi if dpi > 0 else default


def _probe(data: bytes) -> tuple[str | None, int, int, int, int]:
    """(Word's extension or None, width px, height px, dpi x, dpi y), from the header only."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(data)) as im:
        ext = _PILLOW_FORMATS.get(im.format or "")
        width, height = im.size
        dpi = im.info.get("dpi")
    # no resolution in the file: 72 dpi, but 96 for BMP (as python-docx and Word take it)
    default = 96 if ext == "bmp" else 72
    dpi_x, dpi_y = dpi if isinstance(dpi, tuple) and len(dpi) == 2 else (None, None)
    return ext, width, height, _dpi(dpi_x, default), _dpi(dpi_y, default)


def image_info(data: bytes) -> ImageInfo:
    """Format, size and dpi of an image; formats Word cannot show are converted to PNG."""
    key = hashlib.sha1(data).digest()
    found = _INFO.get(key)
    if found is not None:
        return found
    placed = data
    try:
        ext, px_width, px_height, dpi_x, dpi_y = _probe(data)
    except Exception:  # unreadable: Pillow decides below (and refuses it)
        ext = None
    if ext is None:  # unknown to Word (WEBP, TIFF…) or unreadable
        placed = _to_png(data)
        try:
            ext, px_width, px_height, dpi_x, dpi_y = _probe(placed)
        except Exception as exc:
            raise ValueError(f"不是可识别的图片（{type(exc).__name__}）") from None
        ext = "png"
    if not px_width or not px_height:
        raise ValueError("图片没有尺寸")
    info = ImageInfo(
        ext=ext,
        content_type=_WORD_IMAGES[ext],
        px_width=px_width,
        px_height=px_height,
        dpi_x=dpi_x,
        dpi_y=dpi_y,
        data=placed,
    )
    with _INFO_LOCK:
        if len(_INFO) > 512:
            _INFO.clear()
        _INFO[key] = info
    return info


def _to_png(data: bytes) -> bytes:
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as im:
            out = io.BytesIO()
            im.save(out, format="PNG")
            return out.getvalue()
    except Exception as exc:  # any decoder failure: not an image
        raise ValueError(f"不是可识别的图片（{type(exc).__name__}）") from None
