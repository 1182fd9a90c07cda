#!/usr/bin/env python3
"""Form check: print every form of both built-in contracts and check it page by page.

    .venv/bin/python scripts/form_check.py [--out DIR [--reuse-store]] [--month YYYY-MM]…
                                           [--contract CODE]… [--jobs N] [--files] [--json]

Builds a demo store of both built-in contracts (seed 3) for October and November
2026 — October holds 国庆节, November is an ordinary month — or for the months given
with ``--month``, exports the monthly pack of each contract and month the way
``omw export month`` does, converts every .docx and .xlsx to PDF with LibreOffice
(one ``soffice`` run per pack folder, each with a private profile, ``--jobs`` of
them at once) and checks each file:

===================  =====================================================================
check                what fails it
===================  =====================================================================
converts             LibreOffice writes no PDF of it
pages                more pages than the form's bound (:data:`PAGE_BOUNDS`, today's counts
                     plus a little; a form without a bound fails, naming its count)
blank                a page without text in its body (empty, or header and footer only)
margins              a word box outside the page's margins (the section's or sheet's,
                     header/footer distance at top and bottom) by more than 5 mm
overlap              a word printed over another (a row too low for its wrapped cell)
a4                   a page that is not A4; Excel: a visible sheet without paperSize=9
leftovers            ``{{ }} {% %}``, ``None``, ``nan``, 「请填写」 printed or in the file's text
signatures           a line naming one signature role but not all three (运维人员 · 复核人 ·
                     甲方确认), no block at all, or (Word forms of several records but
                     :data:`ONE_BLOCK_KINDS`) fewer blocks than records
signature-alone      a signature block at the top of a page, nothing of the form above it
font-lang            Word: ``w:lang w:eastAsia="zh-CN"`` missing from the styles' defaults
font-japanese        Word: a Japanese font (ＭＳ 明朝, MS Gothic, Meiryo, Yu Gothic…) in the
                     theme, the font table or the styles
font-theme           Word: the theme's East-Asian fonts (major/minor ``a:ea``) not Chinese
font-table           Word: an East-Asian font of the styles missing from the font table or
                     not declared with the GB2312 charset (``w:charset w:val="86"``)
font-cells           Excel: a cell font (styles.xml) that is not a Chinese font declared
                     with the GB2312 charset (``<charset val="134"/>``)
charts               Excel: a chart or picture anchored outside its sheet's print area
===================  =====================================================================

It prints one row per form and pack — form, format, pages, blank pages, words out
of the margins, failed checks — and exits 1 when any check failed. ``--files``
lists every file, ``--json`` prints the reports as JSON. ``--out DIR`` keeps the
store, the packs and the PDFs there (default: a temporary folder, removed);
``--reuse-store`` takes the demo store already in it instead of building one.

``tests/test_form_check.py`` runs the same checks in the test suite (once per
session) and marks the checks today's forms still fail as expected failures,
form by form: that list is what is left to do.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CODES = ("portal-om", "internet-om")
HOLIDAY_MONTH = "2026-10"  # 国庆节
DEMO_MONTH = "2026-11"  # no holiday for either contract
MONTHS = (HOLIDAY_MONTH, DEMO_MONTH)
DEMO_SEED = 3

MM = 72 / 25.4  # points per millimetre
#: How far a word may reach past a margin before it counts as outside the printable area.
TOLERANCE_MM = 5.0
A4 = (595.28, 841.89)  # points
A4_SLACK = 3.0
SOFFICE_SECONDS = 900
ROLES = ("运维人员", "复核人", "甲方确认")
#: What must never be printed: template syntax, Python's None / NaN, a fill-in prompt.
LEFTOVER = re.compile(
    r"\{\{|\}\}|\{%|%\}|(?<![A-Za-z])(?:None|nan|NaN)(?![A-Za-z])|请填写",
)
#: Japanese fonts of Office's default themes and of python-docx's default template.
JAPANESE_FONTS = (
    "ＭＳ 明朝",
    "ＭＳ ゴシック",
    "ＭＳ Ｐ明朝",
    "ＭＳ Ｐゴシック",
    "MS Mincho",
    "MS Gothic",
    "MS PMincho",
    "MS PGothic",
    "Meiryo",
    "メイリオ",
    "Yu Gothic",
    "Yu Mincho",
    "游ゴシック",
    "游明朝",
    "Hiragino",
    "ヒラギノ",
)
#: Fonts a Chinese government form may be set in (Word and Excel names).
CHINESE_FONTS = frozenset(
    {
        "宋体",
        "新宋体",
        "黑体",
        "仿宋",
        "仿宋_GB2312",
        "楷体",
        "楷体_GB2312",
        "微软雅黑",
        "等线",
        "SimSun",
        "NSimSun",
        "SimHei",
        "FangSong",
        "FangSong_GB2312",
        "KaiTi",
        "KaiTi_GB2312",
        "Microsoft YaHei",
        "DengXian",
    }
)
GB2312_WORD = "86"  # w:charset (hex)
GB2312_EXCEL = "134"  # <charset val> (decimal, the same 0x86)

#: check id → what it proves (the order of the report)
CHECKS: dict[str, str] = {
    "converts": "LibreOffice converts the file to PDF",
    "pages": "page count within the form's bound",
    "blank": "no blank page",
    "margins": f"no text outside the printable area ({TOLERANCE_MM:g} mm tolerance)",
    "overlap": "no text printed over other text",
    "a4": "A4 pages; Excel: every visible sheet set to A4 (paperSize=9)",
    "leftovers": "no {{ }} {% %} None nan 请填写 printed or in the file",
    "signatures": "every signature block has its three roles (运维人员/复核人/甲方确认)",
    "signature-alone": "no signature block alone at the top of a page",
    "font-lang": "Word: styles declare w:lang eastAsia zh-CN",
    "font-japanese": "Word: no Japanese font in theme, font table or styles",
    "font-theme": "Word: the theme's East-Asian fonts are Chinese",
    "font-table": "Word: East-Asian fonts in the font table with the GB2312 charset",
    "font-cells": "Excel: every cell font Chinese, with the GB2312 charset",
    "charts": "Excel: every chart and picture inside the print area",
}
WORD_ONLY = ("font-lang", "font-japanese", "font-theme", "font-table")
EXCEL_ONLY = ("font-cells", "charts")
#: Form kinds that need no signature block (documents with profile facts, not records).
UNSIGNED_KINDS: frozenset[str] = frozenset()
#: Word forms of several records that list them (a line per record, each record's own
#: signature shown as its status) under one block for the period: one block is enough.
ONE_BLOCK_KINDS: frozenset[str] = frozenset({"inspection_record"})

#: The most pages a form may print (contract, form kind, format) → pages. Today's counts
#: (October and November 2026 of the demo store, LibreOffice 7.4, Noto CJK) plus a little:
#: a form that grows past them fails. Lower a bound when a form gets shorter.
PAGE_BOUNDS: dict[tuple[str, str, str], int] = {
    # the target: under 60 pages for the portal-om demo month
    ("portal-om", "inspection_record", "docx"): 30,  # 28 (445 before the day list)
    # Excel: rows high enough for their wrapped text (8, 4, 5, 5 pages before, overprinted)
    ("portal-om", "inspection_record", "xlsx"): 16,  # 14
    ("portal-om", "service_record", "docx"): 201,  # 182
    ("portal-om", "service_record", "xlsx"): 11,  # 10
    ("portal-om", "monthly_report", "docx"): 10,  # 9
    ("portal-om", "monthly_report", "xlsx"): 8,  # 7 (8 with 图表数据 printed)
    ("internet-om", "fault_report", "docx"): 3,  # 2
    ("internet-om", "holiday_check", "docx"): 4,  # 3
    ("internet-om", "holiday_check", "xlsx"): 2,  # 1
    # 17: columns sized from their content (30 before: URLs wrapped 4 characters a line)
    ("internet-om", "daily_inspection_log", "docx"): 19,
    ("internet-om", "daily_inspection_log", "xlsx"): 17,  # 15
    ("internet-om", "phone_log", "docx"): 35,  # 31
    ("internet-om", "phone_log", "xlsx"): 11,  # 10
    ("internet-om", "monthly_inspection", "docx"): 4,  # 3
    ("internet-om", "monthly_inspection", "xlsx"): 3,  # 2 (1 overprinted)
    ("internet-om", "meeting_minutes", "docx"): 3,  # 2 (a page or two per meeting; 1 blank before)
    ("internet-om", "monthly_report", "docx"): 9,  # 8
    ("internet-om", "monthly_report", "xlsx"): 8,  # 7 (8 with 图表数据 printed)
}


def checks_for(fmt: str) -> list[str]:
    """The checks that apply to a file of format ``fmt``."""
    skip = EXCEL_ONLY if fmt == "docx" else WORD_ONLY
    return [c for c in CHECKS if c not in skip]


# --------------------------------------------------------------------------- the packs


@dataclass(frozen=True)
class FormFile:
    """One exported file of a pack."""

    contract: str
    month: str
    kind: str
    fmt: str
    deliverable: str
    path: Path
    records: int  # record ids in the manifest (0: a period form)

    @property
    def form(self) -> tuple[str, str, str]:
        return (self.contract, self.kind, self.fmt)


def _month_start(month: str) -> date:
    return date.fromisoformat(f"{month}-01")


def _next_month(month: str) -> date:
    first = _month_start(month)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def exported_at(month: str) -> datetime:
    """When a month's pack is exported: the 3rd of the next month, 09:00, as a PM would."""
    return datetime.combine(_next_month(month).replace(day=3), datetime.min.time()).replace(hour=9)


def build_demo(folder: Path, months: Sequence[str] = MONTHS, codes: Sequence[str] = CODES) -> Path:
    """A store with the built-in contracts and their demo records of ``months`` (and between)."""
    from app.contracts.profiles import install_builtin_profiles
    from app.demo.generator import generate
    from app.schedule.holidays import sync_all_holidays
    from app.storage.store import Store

    first, last = _month_start(min(months)), _month_start(max(months))
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    until = _next_month(max(months)) - timedelta(days=1)
    folder.mkdir(parents=True, exist_ok=True)
    store = Store.open(folder, actor="表单检查")
    try:
        with store.session() as session:
            install_builtin_profiles(session)
            sync_all_holidays(session)
        for code in codes:
            generate(store, code, months=count, seed=DEMO_SEED, until=until)
    finally:
        store.close()
    return folder


def export_packs(
    store_dir: Path,
    out: Path,
    months: Sequence[str] = MONTHS,
    codes: Sequence[str] = CODES,
) -> list[FormFile]:
    """Export the monthly pack of each contract and month (folders only, not recorded)."""
    from app.export import packs
    from app.storage.store import Store

    files: list[FormFile] = []
    store = Store.open(store_dir, actor="表单检查")
    try:
        for month in months:
            for code in codes:
                with store.session() as session:
                    plan = packs.plan_month(session, code, month)
                now = exported_at(month)
                result = packs.export_pack(
                    store,
                    plan,
                    out / f"{code}_{month}",
                    exporter="表单检查",
                    make_zip=False,
                    record=False,
                    now=now,
                    allow_unreviewed=True,
                )
                for exported in result.files:
                    planned = exported.planned
                    files.append(
                        FormFile(
                            contract=code,
                            month=month,
                            kind=planned.kind,
                            fmt=planned.fmt,
                            deliverable=planned.deliverable_name,
                            path=result.folder / exported.path,
                            records=len(exported.record_ids or []),
                        )
                    )
    finally:
        store.close()
    return files


# --------------------------------------------------------------------------- LibreOffice


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_name(path: Path) -> str:
    """The PDF of ``x.docx`` is ``x.docx.pdf`` (a .docx and an .xlsx of one name both fit)."""
    return f"{path.name}.pdf"


def convert_folder(
    sources: Sequence[Path], out: Path, profile: Path, soffice: str
) -> dict[Path, Path | None]:
    """Convert ``sources`` to PDF in one LibreOffice run; each source → its PDF (None: failed)."""
    stage = out / ".stage"
    stage.mkdir(parents=True, exist_ok=True)
    staged: list[Path] = []
    for source in sources:
        # x.docx is staged as x.docx.docx: LibreOffice names the PDF after the stem
        target = stage / f"{source.name}{source.suffix}"
        shutil.copyfile(source, target)
        staged.append(target)
    if staged:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                *map(str, staged),
            ],
            check=False,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=SOFFICE_SECONDS,
        )
    shutil.rmtree(stage, ignore_errors=True)
    result: dict[Path, Path | None] = {}
    for source in sources:
        pdf = out / pdf_name(source)
        result[source] = pdf if _is_pdf(pdf) else None
    return result


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(5) == b"%PDF-"
    except OSError:
        return False


def convert_all(
    files: Iterable[Path], out: Path, *, soffice: str, jobs: int | None = None
) -> dict[Path, Path | None]:
    """Convert every file, one LibreOffice run per folder, ``jobs`` runs at once."""
    folders: dict[Path, list[Path]] = {}
    for path in files:
        folders.setdefault(path.parent, []).append(path)
    jobs = max(1, jobs or min(len(folders), os.cpu_count() or 1))
    profiles = out / ".profiles"
    result: dict[Path, Path | None] = {}

    def one(n: int, folder: Path, sources: list[Path]) -> dict[Path, Path | None]:
        return convert_folder(
            sources, out / f"{n:02d}_{folder.name}", profiles / f"lo-{n}", soffice
        )

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(one, n, folder, sources)
            for n, (folder, sources) in enumerate(sorted(folders.items()))
        ]
        for future in futures:
            result.update(future.result())
    shutil.rmtree(profiles, ignore_errors=True)
    return result


# --------------------------------------------------------------------------- reading a PDF


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Page:
    number: int  # from 1
    width: float
    height: float
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>'
)


def parse_bbox(xhtml: str) -> list[Page]:
    """The pages and word boxes of ``pdftotext -bbox`` output."""
    pages: list[Page] = []
    for chunk in re.split(r"(?=<page )", xhtml):
        head = _PAGE.match(chunk)
        if head is None:
            continue
        page = Page(len(pages) + 1, float(head.group(1)), float(head.group(2)))
        for m in _WORD.finditer(chunk):
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            page.words.append(Word(x0, y0, x1, y1, html.unescape(m.group(5))))
        pages.append(page)
    return pages


def read_pdf(pdf: Path, pdftotext: str = "pdftotext") -> list[Page]:
    done = subprocess.run(
        [pdftotext, "-bbox", str(pdf), "-"],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    return parse_bbox(done.stdout.decode("utf-8", "replace"))


def pages_with_images(pdf: Path) -> set[int]:
    """Pages that show a picture (``pdfimages -list``), or none known without the program."""
    program = shutil.which("pdfimages")
    if program is None:
        return set()
    done = subprocess.run(
        [program, "-list", str(pdf)],
        check=False,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    pages = set()
    for line in done.stdout.decode("ascii", "replace").splitlines()[2:]:
        parts = line.split()
        if parts and parts[0].isdigit():
            pages.add(int(parts[0]))
    return pages


# --------------------------------------------------------------------------- page frames


@dataclass(frozen=True)
class Frame:
    """A page layout of a file, in points: size and margins (header/footer distances too)."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    header: float
    footer: float

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def _attr(tag: str, name: str) -> str | None:
    """An attribute's value in a start tag (either quote)."""
    m = re.search(rf"(?<![\w:]){re.escape(name)}=([\"'])(.*?)\1", tag)
    return m.group(2) if m else None


def _num(value: str | None, default: float) -> float:
    try:
        return abs(float(value)) if value is not None else default
    except ValueError:
        return default


def docx_frames(data: dict[str, bytes]) -> list[Frame]:
    """Every section's page size and margins (twips → points) of a Word package."""
    document = data.get("word/document.xml", b"").decode("utf-8", "replace")
    frames = []
    for sect in re.findall(r"<w:sectPr\b.*?</w:sectPr>", document, re.DOTALL):
        size = re.search(r"<w:pgSz\b[^>]*>", sect)
        margins = re.search(r"<w:pgMar\b[^>]*>", sect)
        size_tag = size.group(0) if size else ""
        mar = margins.group(0) if margins else ""

        def tw(tag: str, name: str, default: float) -> float:
            return _num(_attr(tag, f"w:{name}"), default) / 20

        frames.append(
            Frame(
                width=tw(size_tag, "w", 11906),
                height=tw(size_tag, "h", 16838),
                left=tw(mar, "left", 1440),
                right=tw(mar, "right", 1440),
                top=tw(mar, "top", 1440),
                bottom=tw(mar, "bottom", 1440),
                header=tw(mar, "header", 720),
                footer=tw(mar, "footer", 720),
            )
        )
    return frames


@dataclass(frozen=True)
class Sheet:
    name: str
    part: str
    visible: bool
    print_area: tuple[int, int, int, int] | None  # first row, first col, last row, last col


def _rels(data: dict[str, bytes], part: str) -> dict[str, str]:
    """Relationship id → target part of ``part``."""
    folder, name = part.rsplit("/", 1) if "/" in part else ("", part)
    rels = data.get(f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels", b"")
    found = {}
    for tag in re.findall(r"<Relationship\b[^>]*>", rels.decode("utf-8", "replace")):
        rid, target = _attr(tag, "Id"), _attr(tag, "Target")
        if rid and target:
            if target.startswith("/"):
                path = target[1:]
            else:
                parts = [p for p in folder.split("/") if p]
                for piece in target.split("/"):
                    if piece == "..":
                        parts.pop()
                    elif piece != ".":
                        parts.append(piece)
                path = "/".join(parts)
            found[rid] = path
    return found


def _cell_ref(ref: str) -> tuple[int, int]:
    """``$B$7`` → (row 7, column 2)."""
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref.strip())
    if m is None:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _area(text: str) -> tuple[int, int, int, int] | None:
    ref = text.rsplit("!", 1)[-1].split(",")[0]
    if ":" not in ref:
        return None
    try:
        (r0, c0), (r1, c1) = (_cell_ref(p) for p in ref.split(":"))
    except ValueError:
        return None
    return r0, c0, r1, c1


def xlsx_sheets(data: dict[str, bytes]) -> list[Sheet]:
    workbook = data.get("xl/workbook.xml", b"").decode("utf-8", "replace")
    rels = _rels(data, "xl/workbook.xml")
    areas: dict[int, tuple[int, int, int, int] | None] = {}
    for m in re.finditer(r"<definedName\b([^>]*)>(.*?)</definedName>", workbook, re.DOTALL):
        if _attr(m.group(1), "name") == "_xlnm.Print_Area":
            local = _attr(m.group(1), "localSheetId")
            if local is not None:
                areas[int(local)] = _area(html.unescape(m.group(2)))
    sheets = []
    for n, tag in enumerate(re.findall(r"<sheet\b[^>]*>", workbook)):
        state = _attr(tag, "state") or "visible"
        rid = _attr(tag, "r:id") or ""
        sheets.append(
            Sheet(
                name=html.unescape(_attr(tag, "name") or ""),
                part=rels.get(rid, ""),
                visible=state == "visible",
                print_area=areas.get(n),
            )
        )
    return sheets


def xlsx_frames(data: dict[str, bytes]) -> list[Frame]:
    """The page size and margins (inches → points) of every visible sheet."""
    frames = []
    for sheet in xlsx_sheets(data):
        if not sheet.visible:
            continue
        xml = data.get(sheet.part, b"").decode("utf-8", "replace")
        m = re.search(r"<pageMargins\b[^>]*>", xml)
        setup = re.search(r"<pageSetup\b[^>]*>", xml)
        mar = m.group(0) if m else ""
        landscape = bool(setup and _attr(setup.group(0), "orientation") == "landscape")
        width, height = (A4[1], A4[0]) if landscape else A4

        def inch(name: str, default: float, mar: str = mar) -> float:
            return _num(_attr(mar, name), default) * 72

        frames.append(
            Frame(
                width=width,
                height=height,
                left=inch("left", 0.7),
                right=inch("right", 0.7),
                top=inch("top", 0.75),
                bottom=inch("bottom", 0.75),
                header=inch("header", 0.3),
                footer=inch("footer", 0.3),
            )
        )
    return frames


def frame_for(page: Page, frames: Sequence[Frame]) -> Frame:
    """The most permissive frame of the file's sections or sheets that match the page."""
    landscape = page.width > page.height
    same = [f for f in frames if f.landscape == landscape] or list(frames)
    if not same:
        return Frame(page.width, page.height, 0, 0, 0, 0, 0, 0)
    return Frame(
        width=page.width,
        height=page.height,
        left=min(f.left for f in same),
        right=min(f.right for f in same),
        top=min(f.top for f in same),
        bottom=min(f.bottom for f in same),
        header=min(f.header for f in same),
        footer=min(f.footer for f in same),
    )


def outside_words(pages: Sequence[Page], frames: Sequence[Frame]) -> list[tuple[int, Word]]:
    """Words reaching past the printable area (margins; header/footer distance vertically)."""
    tol = TOLERANCE_MM * MM
    found = []
    for page in pages:
        f = frame_for(page, frames)
        top = min(f.header, f.top) - tol
        bottom = page.height - min(f.footer, f.bottom) + tol
        left, right = f.left - tol, page.width - f.right + tol
        for w in page.words:
            if w.x0 < left or w.x1 > right or w.y0 < top or w.y1 > bottom:
                found.append((page.number, w))
    return found


def body_words(page: Page, frame: Frame) -> list[Word]:
    """The words between the top and bottom margins: not the header, not the footer."""
    top, bottom = frame.top - 2, page.height - frame.bottom + 2
    return [w for w in page.words if top < w.cy < bottom]


def blank_pages(
    pages: Sequence[Page], frames: Sequence[Frame], pictured: Callable[[], set[int]] = set
) -> list[int]:
    """Pages with nothing in their body: no text (or header and footer only), no picture."""
    candidates = [p.number for p in pages if not body_words(p, frame_for(p, frames))]
    if not candidates:
        return []
    with_pictures = pictured()
    return [n for n in candidates if n not in with_pictures]


#: Two words overlap when their boxes share this much of the smaller one's area.
OVERLAP_SHARE = 0.25


def overlapping_words(pages: Sequence[Page]) -> list[tuple[int, Word, Word]]:
    """Words printed over other words (a row too low for its wrapped text, a shifted box)."""
    found = []
    for page in pages:
        words = sorted(page.words, key=lambda w: w.y0)
        for i, a in enumerate(words):
            area_a = (a.x1 - a.x0) * (a.y1 - a.y0)
            for b in words[i + 1 :]:
                if b.y0 >= a.y1:
                    break
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                if dx <= 0 or dy <= 0:
                    continue
                smaller = min(area_a, (b.x1 - b.x0) * (b.y1 - b.y0))
                if smaller > 0 and dx * dy > OVERLAP_SHARE * smaller:
                    found.append((page.number, a, b))
    return found


def not_a4(pages: Sequence[Page]) -> list[int]:
    bad = []
    for page in pages:
        size = sorted((page.width, page.height))
        if abs(size[0] - A4[0]) > A4_SLACK or abs(size[1] - A4[1]) > A4_SLACK:
            bad.append(page.number)
    return bad


# --------------------------------------------------------------------------- signatures


@dataclass(frozen=True)
class RoleLine:
    """The role names of one signature block as printed: one line, or a few close together."""

    page: int
    y: float  # the top of its highest role word
    roles: frozenset[str]


#: Role words this close (points) vertically belong to one block: a wrapped or shifted
#: role cell stays with its row, the next record's block is always further away.
BLOCK_ROW_GAP = 12.0


def role_lines(pages: Sequence[Page]) -> list[RoleLine]:
    """The signature role rows of every page (see :data:`BLOCK_ROW_GAP`)."""
    lines = []
    for page in pages:
        rows: list[tuple[float, float, set[str]]] = []  # top, last y, roles
        for w in sorted(page.words, key=lambda w: w.y0):
            named = {r for r in ROLES if r in w.text}
            if not named:
                continue
            if rows and w.y0 - rows[-1][1] <= BLOCK_ROW_GAP:
                top, _last, roles = rows[-1]
                rows[-1] = (top, w.y0, roles | named)
            else:
                rows.append((w.y0, w.y0, set(named)))
        lines += [RoleLine(page.number, top, frozenset(roles)) for top, _l, roles in rows]
    return lines


def signature_problems(pages: Sequence[Page], records: int = 0) -> list[str]:
    """A role line without all three roles, no block, fewer blocks than ``records``."""
    lines = role_lines(pages)
    problems = [
        f"第 {line.page} 页：签字栏只有 {'、'.join(r for r in ROLES if r in line.roles)}，"
        f"缺 {'、'.join(r for r in ROLES if r not in line.roles)}"
        for line in lines
        if len(line.roles) < len(ROLES)
    ]
    blocks = sum(1 for line in lines if len(line.roles) == len(ROLES))
    if blocks == 0:
        problems.append("没有签字栏（运维人员 · 复核人 · 甲方确认）")
    elif records > 1 and blocks < records:
        problems.append(f"{records} 条记录只有 {blocks} 个签字栏")
    return problems


def lonely_signatures(pages: Sequence[Page], frames: Sequence[Frame]) -> list[int]:
    """Pages whose signature block stands at the top, nothing of the form above it."""
    lonely = []
    by_number = {p.number: p for p in pages}
    for line in role_lines(pages):
        if line.page == 1 or len(line.roles) < len(ROLES):
            continue
        page = by_number[line.page]
        above = [w for w in body_words(page, frame_for(page, frames)) if w.y1 < line.y - 1]
        if not above and line.page not in lonely:
            lonely.append(line.page)
    return lonely


# --------------------------------------------------------------------------- the file itself


def read_package(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist() if name.endswith((".xml", ".rels"))}


def package_text(data: dict[str, bytes], fmt: str) -> str:
    """The text a reader sees (paragraphs / cells joined), of every part that holds text."""
    if fmt == "docx":
        parts = [
            n
            for n in data
            if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml", n)
        ]
        pattern = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|</w:p>")
    else:
        parts = [n for n in data if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/")]
        pattern = re.compile(r"<t(?:\s[^>]*)?>([^<]*)</t>|</si>|</c>")
    out: list[str] = []
    for name in sorted(parts):
        for m in pattern.finditer(data[name].decode("utf-8", "replace")):
            out.append(html.unescape(m.group(1)) if m.group(1) is not None else "\n")
    return "".join(out)


def leftovers(text: str) -> list[str]:
    """Each leftover with a little of its surroundings."""
    found = []
    for m in LEFTOVER.finditer(text):
        start, end = max(0, m.start() - 12), min(len(text), m.end() + 12)
        found.append(text[start:end].replace("\n", " ").strip())
    return found


def _fonts_named(xml: str) -> list[str]:
    return [f for f in JAPANESE_FONTS if f in xml]


def docx_font_problems(data: dict[str, bytes]) -> dict[str, list[str]]:
    """Problems of the Word font checks (font-lang, font-japanese, font-theme, font-table)."""
    styles = data.get("word/styles.xml", b"").decode("utf-8", "replace")
    table = data.get("word/fontTable.xml", b"").decode("utf-8", "replace")
    theme_part = next((n for n in sorted(data) if re.fullmatch(r"word/theme/theme\d*\.xml", n)), "")
    theme = data.get(theme_part, b"").decode("utf-8", "replace")
    found: dict[str, list[str]] = {c: [] for c in WORD_ONLY}

    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.DOTALL)
    langs = re.findall(r"<w:lang\b[^>]*>", defaults.group(0) if defaults else "")
    if not any(_attr(tag, "w:eastAsia") == "zh-CN" for tag in langs):
        found["font-lang"].append('styles.xml：文档默认格式没有 w:lang w:eastAsia="zh-CN"')
    for tag in re.findall(r"<w:lang\b[^>]*>", styles):
        east = _attr(tag, "w:eastAsia")
        if east is not None and east != "zh-CN":
            found["font-lang"].append(f"styles.xml：{tag}")

    for name, xml in (
        ("theme1.xml", theme),
        ("fontTable.xml", table),
        ("styles.xml", styles),
    ):
        for font in _fonts_named(xml):
            found["font-japanese"].append(f"{name}：{font}")

    if not theme:
        found["font-theme"].append("没有主题（theme1.xml）")
    for scheme in ("majorFont", "minorFont"):
        block = re.search(rf"<a:{scheme}>.*?</a:{scheme}>", theme, re.DOTALL)
        ea = re.search(r"<a:ea\b[^>]*>", block.group(0)) if block else None
        face = _attr(ea.group(0), "typeface") if ea else None
        if face not in CHINESE_FONTS:
            found["font-theme"].append(f"theme1.xml：{scheme} 的东亚字体为 “{face or ''}”")

    east = re.search(r"<w:rFonts\b[^>]*>", defaults.group(0) if defaults else "")
    face = _attr(east.group(0), "w:eastAsia") if east else None
    if face not in CHINESE_FONTS:
        found["font-table"].append(f"styles.xml：文档默认的东亚字体为 “{face or ''}”，不是中文字体")
    declared: dict[str, str | None] = {}
    for m in re.finditer(r'<w:font w:name="([^"]*)"[^>]*>(.*?)</w:font>', table, re.DOTALL):
        charset = re.search(r'<w:charset w:val="([^"]*)"', m.group(2))
        declared[html.unescape(m.group(1))] = charset.group(1) if charset else None
    used = sorted({html.unescape(f) for f in re.findall(r'w:eastAsia="([^"]*)"', styles)})
    for font in used:
        if font in ("zh-CN",) or re.fullmatch(r"[a-z]{2}-[A-Z]{2}", font):
            continue  # a w:lang value
        if font not in declared:
            found["font-table"].append(f"fontTable.xml 没有 {font}")
        elif (declared[font] or "").upper() != GB2312_WORD:
            found["font-table"].append(f"fontTable.xml：{font} 的字符集为 {declared[font]}")
    return found


def xlsx_font_problems(data: dict[str, bytes]) -> list[str]:
    styles = data.get("xl/styles.xml", b"").decode("utf-8", "replace")
    block = re.search(r"<fonts\b[^>]*>(.*?)</fonts>", styles, re.DOTALL)
    problems = []
    fonts = re.findall(r"<font>(.*?)</font>|<font/>", block.group(1) if block else "", re.DOTALL)
    if not fonts:
        problems.append("styles.xml 没有字体")
    for n, body in enumerate(fonts):
        name_tag = re.search(r"<name\b[^>]*>", body)
        name = html.unescape(_attr(name_tag.group(0), "val") or "") if name_tag else ""
        charset_tag = re.search(r"<charset\b[^>]*>", body)
        charset = _attr(charset_tag.group(0), "val") if charset_tag else None
        if name not in CHINESE_FONTS:
            problems.append(f"字体 {n}：{name or '（无名称）'} 不是中文字体")
        elif charset != GB2312_EXCEL:
            problems.append(f"字体 {n}：{name} 没有声明 GB2312 字符集（charset 134）")
    return problems


def xlsx_a4_problems(data: dict[str, bytes]) -> list[str]:
    problems = []
    for sheet in xlsx_sheets(data):
        if not sheet.visible:
            continue
        xml = data.get(sheet.part, b"").decode("utf-8", "replace")
        setup = re.search(r"<pageSetup\b[^>]*>", xml)
        paper = _attr(setup.group(0), "paperSize") if setup else None
        if paper != "9":
            problems.append(f"工作表「{sheet.name}」纸张不是 A4（paperSize={paper or '未设置'}）")
    return problems


def _sheet_sizes(xml: str) -> tuple[dict[int, float], float, dict[int, float], float]:
    """Column widths (characters) and row heights (points) of a sheet, with the defaults."""
    fmt = re.search(r"<sheetFormatPr\b[^>]*>", xml)
    default_width = _num(_attr(fmt.group(0), "defaultColWidth") if fmt else None, 8.43)
    default_height = _num(_attr(fmt.group(0), "defaultRowHeight") if fmt else None, 15.0)
    widths: dict[int, float] = {}
    for tag in re.findall(r"<col\b[^>]*>", xml):
        lo, hi = int(_attr(tag, "min") or 1), int(_attr(tag, "max") or 1)
        width = _num(_attr(tag, "width"), default_width)
        hidden = _attr(tag, "hidden") in ("1", "true")
        for col in range(lo, min(hi, lo + 16384) + 1):
            widths[col] = 0.0 if hidden else width
    heights: dict[int, float] = {}
    for tag in re.findall(r"<row\b[^>]*>", xml):
        r, ht = _attr(tag, "r"), _attr(tag, "ht")
        if r and ht:
            heights[int(r)] = _num(ht, default_height)
    return widths, default_width, heights, default_height


EMU_PER_PX = 9525
EMU_PER_PT = 12700


def _span(start: int, offset: int, extent: int, size: Callable[[int], int]) -> int:
    """The last 1-based index a length of ``extent`` EMU from (``start``, ``offset``) reaches."""
    index, remaining = start, extent + offset
    while remaining > size(index) and index < start + 100_000:
        remaining -= size(index)
        index += 1
    return index


def xlsx_anchor_problems(data: dict[str, bytes]) -> list[str]:
    """Charts and pictures of a sheet with a print area that reach outside it."""
    problems = []
    for sheet in xlsx_sheets(data):
        if not sheet.visible or sheet.print_area is None:
            continue
        xml = data.get(sheet.part, b"").decode("utf-8", "replace")
        drawing = re.search(r"<drawing\b[^>]*>", xml)
        if drawing is None:
            continue
        target = _rels(data, sheet.part).get(_attr(drawing.group(0), "r:id") or "")
        body = data.get(target or "", b"").decode("utf-8", "replace")
        widths, dw, heights, dh = _sheet_sizes(xml)

        def col_emu(col: int, widths: dict[int, float] = widths, dw: float = dw) -> int:
            return int((widths.get(col, dw) * 7 + 5) * EMU_PER_PX)

        def row_emu(row: int, heights: dict[int, float] = heights, dh: float = dh) -> int:
            return int(heights.get(row, dh) * EMU_PER_PT)

        r0, c0, r1, c1 = sheet.print_area
        for m in re.finditer(
            r"<(?:xdr:)?(twoCellAnchor|oneCellAnchor|absoluteAnchor)\b.*?</(?:xdr:)?\1>",
            body,
            re.DOTALL,
        ):
            anchor = m.group(0)
            what = "图表" if "drawingml/2006/chart" in anchor else "图片"

            def pos(tag: str, anchor: str = anchor) -> tuple[int, int, int, int] | None:
                block = re.search(rf"<(?:xdr:)?{tag}>(.*?)</(?:xdr:)?{tag}>", anchor, re.DOTALL)
                if block is None:
                    return None
                values = [
                    int(re.search(rf"<(?:xdr:)?{k}>(-?\d+)<", block.group(1)).group(1))  # type: ignore[union-attr]
                    for k in ("col", "colOff", "row", "rowOff")
                ]
                return values[0] + 1, values[1], values[2] + 1, values[3]

            start = pos("from")
            if start is None:
                continue  # an absolute anchor: no cells to hold against the print area
            end = pos("to")
            if end is not None:
                last_col, last_row = end[0], end[2]
                if end[1] == 0 and last_col > start[0]:
                    last_col -= 1
                if end[3] == 0 and last_row > start[2]:
                    last_row -= 1
            else:
                ext = re.search(r'<(?:xdr:)?ext cx="(\d+)" cy="(\d+)"', anchor)
                cx, cy = (int(ext.group(1)), int(ext.group(2))) if ext else (0, 0)
                last_col = _span(start[0], start[1], cx, col_emu)
                last_row = _span(start[2], start[3], cy, row_emu)
            if start[0] < c0 or start[2] < r0 or last_col > c1 or last_row > r1:
                problems.append(
                    f"工作表「{sheet.name}」：{what}在 {_ref(start[2], start[0])}:"
                    f"{_ref(last_row, last_col)}，超出打印区域 {_ref(r0, c0)}:{_ref(r1, c1)}"
                )
    return problems


def _ref(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


# --------------------------------------------------------------------------- one file


@dataclass
class FileReport:
    """The verdict on one exported file: figures and the problems of each check."""

    contract: str
    month: str
    kind: str
    fmt: str
    deliverable: str
    path: str
    pdf: str | None
    pages: int = 0
    blank: list[int] = field(default_factory=list)
    outside: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def form(self) -> tuple[str, str, str]:
        return (self.contract, self.kind, self.fmt)

    def failed(self) -> list[str]:
        return [c for c in CHECKS if self.problems.get(c)]


def check_file(
    file: FormFile,
    pdf: Path | None,
    *,
    bound: int | None,
    pdftotext: str = "pdftotext",
) -> FileReport:
    """Every check of one file (see the module docstring)."""
    report = FileReport(
        file.contract,
        file.month,
        file.kind,
        file.fmt,
        file.deliverable,
        str(file.path),
        str(pdf) if pdf else None,
    )
    problems: dict[str, list[str]] = {c: [] for c in checks_for(file.fmt)}
    report.problems = problems
    data = read_package(file.path)
    text = package_text(data, file.fmt)
    problems["leftovers"] += [f"文件中：{t}" for t in leftovers(text)]
    if file.fmt == "docx":
        frames = docx_frames(data)
        problems.update(docx_font_problems(data))
    else:
        frames = xlsx_frames(data)
        problems["font-cells"] = xlsx_font_problems(data)
        problems["a4"] += xlsx_a4_problems(data)
        problems["charts"] = xlsx_anchor_problems(data)
    if pdf is None:
        problems["converts"].append("LibreOffice 没有生成 PDF")
        return report
    pages = read_pdf(pdf, pdftotext)
    report.pages = len(pages)
    if bound is None:
        problems["pages"].append(f"{len(pages)} 页：PAGE_BOUNDS 中没有这种表单的页数上限")
    elif len(pages) > bound:
        problems["pages"].append(f"{len(pages)} 页，超过上限 {bound} 页")
    report.blank = blank_pages(pages, frames, lambda: pages_with_images(pdf))
    problems["blank"] += [f"第 {n} 页是空白页" for n in report.blank]
    outside = outside_words(pages, frames)
    report.outside = len(outside)
    problems["margins"] += [
        f"第 {n} 页：“{w.text[:20]}” 在 ({w.x0 / MM:.0f}, {w.y0 / MM:.0f}) mm"
        for n, w in outside[:20]
    ]
    if len(outside) > 20:
        problems["margins"].append(f"……共 {len(outside)} 个词超出页边距")
    overlaps = overlapping_words(pages)
    problems["overlap"] += [
        f"第 {n} 页：“{a.text[:16]}” 与 “{b.text[:16]}” 重叠" for n, a, b in overlaps[:20]
    ]
    if len(overlaps) > 20:
        problems["overlap"].append(f"……共 {len(overlaps)} 处文字重叠")
    problems["a4"] += [f"第 {n} 页不是 A4" for n in not_a4(pages)]
    for page in pages:
        problems["leftovers"] += [f"第 {page.number} 页：{t}" for t in leftovers(page.text)]
    if file.kind not in UNSIGNED_KINDS:
        # Word forms of several records (服务记录表) have a block per record; the
        # 巡检记录单 lists its runs under one block for the period (ONE_BLOCK_KINDS)
        per_record = _scope(file.kind) == "records" and file.kind not in ONE_BLOCK_KINDS
        records = file.records if file.fmt == "docx" and per_record else 0
        problems["signatures"] += signature_problems(pages, records)
        problems["signature-alone"] += [
            f"第 {n} 页：签字栏单独在页首，与表单正文分开" for n in lonely_signatures(pages, frames)
        ]
    return report


def _scope(kind: str) -> str:
    from app.export.forms import FORMS

    found = FORMS.get(kind)
    return found.scope if found else ""


def run(
    out: Path,
    *,
    months: Sequence[str] = MONTHS,
    codes: Sequence[str] = CODES,
    jobs: int | None = None,
    soffice: str | None = None,
    pdftotext: str | None = None,
    reuse_store: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> tuple[list[FileReport], dict[str, float]]:
    """Build, export, convert and check; the reports and the seconds of each step."""
    soffice = soffice or find_soffice()
    pdftotext = pdftotext or shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        raise SystemExit("需要 LibreOffice（soffice）和 poppler-utils（pdftotext）。")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    store_dir = out / "store"
    if not (reuse_store and (store_dir / "omw.sqlite3").exists()):
        shutil.rmtree(store_dir, ignore_errors=True)
        log("演示数据……")
        build_demo(store_dir, months, codes)
    seconds["demo"] = time.perf_counter() - started
    started = time.perf_counter()
    log("导出月度交付包……")
    files = export_packs(store_dir, out / "packs", months, codes)
    seconds["export"] = time.perf_counter() - started
    started = time.perf_counter()
    log(f"LibreOffice 转换 {len(files)} 个文件……")
    pdfs = convert_all([f.path for f in files], out / "pdf", soffice=soffice, jobs=jobs)
    seconds["convert"] = time.perf_counter() - started
    started = time.perf_counter()
    log("检查……")
    reports = check_files(files, pdfs, pdftotext=pdftotext, jobs=jobs)
    seconds["check"] = time.perf_counter() - started
    return reports, seconds


def check_files(
    files: Sequence[FormFile],
    pdfs: dict[Path, Path | None],
    *,
    pdftotext: str = "pdftotext",
    jobs: int | None = None,
) -> list[FileReport]:
    workers = max(1, jobs or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(
            pool.map(
                lambda f: check_file(
                    f, pdfs.get(f.path), bound=PAGE_BOUNDS.get(f.form), pdftotext=pdftotext
                ),
                files,
            )
        )


# --------------------------------------------------------------------------- the table


def _title(kind: str) -> str:
    from app.export.forms import FORMS

    found = FORMS.get(kind)
    return found.title if found else kind


def _pages_text(pages: list[int]) -> str:
    if len(pages) == 1:
        return str(pages[0])
    low, high = min(pages), max(pages)
    return f"{len(pages)}×{low}" if low == high else f"{len(pages)}×{low}–{high}"


def rows(reports: Sequence[FileReport], per_file: bool = False) -> list[list[str]]:
    """Table rows: one per form of a pack (or per file), with the failed checks."""
    groups: dict[tuple[str, ...], list[FileReport]] = {}
    for r in reports:
        key = (r.contract, r.month, r.kind, r.fmt) + ((r.path,) if per_file else ())
        groups.setdefault(key, []).append(r)
    table = []
    for key, group in groups.items():
        contract, month, kind, fmt = key[:4]
        failed: dict[str, int] = {}
        for r in group:
            for check in r.failed():
                failed[check] = failed.get(check, 0) + 1
        problems = ", ".join(
            check if len(group) == 1 else f"{check}({n}/{len(group)})"
            for check, n in failed.items()
        )
        bound = PAGE_BOUNDS.get((contract, kind, fmt))
        name = Path(key[4]).name if per_file else f"{_title(kind)} ({kind})"
        table.append(
            [
                contract,
                month,
                name,
                fmt,
                _pages_text([r.pages for r in group]),
                str(bound) if bound else "—",
                str(sum(len(r.blank) for r in group)),
                str(sum(r.outside for r in group)),
                problems or "ok",
            ]
        )
    return table


HEADERS = [
    "contract",
    "month",
    "form",
    "format",
    "pages",
    "bound",
    "blank",
    "off-margin",
    "problems",
]


def format_table(table: list[list[str]], headers: Sequence[str] = HEADERS) -> str:
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)

    cols = [max(width(str(row[i])) for row in [list(headers), *table]) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(str(v) + " " * (cols[i] - width(str(v))) for i, v in enumerate(row))

    return "\n".join([line(headers), line(["-" * c for c in cols]), *map(line, table)]).rstrip()


def page_counts(reports: Sequence[FileReport]) -> dict[tuple[str, str, str], int]:
    """The most pages each form printed (what :data:`PAGE_BOUNDS` is set from)."""
    counts: dict[tuple[str, str, str], int] = {}
    for r in reports:
        counts[r.form] = max(counts.get(r.form, 0), r.pages)
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="keep the store, packs and PDFs in this folder")
    parser.add_argument("--month", action="append", help=f"YYYY-MM (default: {' '.join(MONTHS)})")
    parser.add_argument("--contract", action="append", choices=CODES)
    parser.add_argument("--jobs", type=int, help="LibreOffice runs at once (default: CPUs)")
    parser.add_argument(
        "--reuse-store", action="store_true", help="use the demo store already in --out"
    )
    parser.add_argument("--files", action="store_true", help="one row per file")
    parser.add_argument("--json", action="store_true", help="the reports as JSON")
    args = parser.parse_args(argv)
    # Exports are signed with the exporter's key: never in the developer's real keyring.
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    os.environ.setdefault("OMW_PASSPHRASE", "omw-form-check-only-passphrase")
    temp = None
    if args.out is None:
        temp = tempfile.mkdtemp(prefix="omw-form-check-")
        out = Path(temp)
    else:
        out = args.out.resolve()
        shutil.rmtree(out / "packs", ignore_errors=True)
        shutil.rmtree(out / "pdf", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    try:
        reports, seconds = run(
            out,
            months=args.month or MONTHS,
            codes=args.contract or CODES,
            jobs=args.jobs,
            reuse_store=args.reuse_store,
            log=lambda message: print(message, file=sys.stderr),
        )
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    if args.json:
        print(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=1))
    else:
        print(format_table(rows(reports, args.files)))
        print()
        print("page counts today (max per form; PAGE_BOUNDS holds the bounds):")
        for (contract, kind, fmt), pages in sorted(page_counts(reports).items()):
            bound = PAGE_BOUNDS.get((contract, kind, fmt))
            print(f"    ({contract!r}, {kind!r}, {fmt!r}): {pages},  # bound {bound}")
        failed: dict[str, set[tuple[str, str, str]]] = {}
        for r in reports:
            for check in r.failed():
                failed.setdefault(check, set()).add(r.form)
        print()
        for check, description in CHECKS.items():
            forms = sorted(failed.get(check, ()))
            verdict = "ok" if not forms else f"FAILS for {len(forms)} form(s)"
            print(f"{check:16} {verdict:20} {description}")
            for contract, kind, fmt in forms:
                example = next(
                    r.problems[check][0]
                    for r in reports
                    if r.form == (contract, kind, fmt) and r.problems.get(check)
                )
                print(f"{'':16}   {contract} {kind} {fmt}: {example}")
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
        print(f"\n{len(reports)} files; {steps}")
    return 1 if any(r.failed() for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
