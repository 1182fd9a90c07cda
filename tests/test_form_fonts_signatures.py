"""Issue 10 «Fonts» and «Signature blocks»: the built-in templates are zh-CN documents, and
every per-period and per-event form ends with the three-role block, known names printed."""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from app.export import packs
from app.export.forms import FORMS
from db.models import FaultRecord, HolidayPeriod, InspectionRun, ServiceRequest
from tests.test_export_fixtures import INTERNET_OM_DELIVERABLE, demo_dir, demo_store  # noqa: F401

TEMPLATES = Path(__file__).resolve().parent.parent / "resources" / "templates"
JAPANESE = ("ＭＳ", "MS Mincho", "MS Gothic", "Meiryo", "メイリオ", "Yu ", "游", "ヒラギノ", "Jpan")
CHINESE = {"宋体": "SimSun", "黑体": "SimHei", "仿宋": "FangSong"}
ROLES = ("运维人员", "复核人", "甲方确认")
#: forms of a period or an event (not the documents with profile facts)
SIGNED_FORMS = (
    "inspection_record",
    "daily_inspection_log",
    "monthly_inspection",
    "quarterly_summary",
    "annual_summary",
    "holiday_check",
    "service_record",
    "fault_report",
    "phone_log",
    "monthly_report",
)
#: forms whose 编制人 is the exporter
REPORTS = ("quarterly_summary", "annual_summary", "phone_log", "monthly_report")
NOW = datetime(2026, 11, 2, 9, 0)


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml")}


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.docx")), ids=lambda p: p.name)
def test_word_templates_are_zh_cn_documents(path: Path) -> None:
    parts = _parts(path)
    styles, table = parts["word/styles.xml"], parts["word/fontTable.xml"]
    theme = parts["word/theme/theme1.xml"]
    for name, xml in (("styles", styles), ("fontTable", table), ("theme", theme)):
        assert not [j for j in JAPANESE if j in xml], f"{name} names a Japanese font"
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.DOTALL).group(0)
    assert 'w:eastAsia="zh-CN"' in defaults and 'w:eastAsia="宋体"' in defaults
    langs = re.findall(r"<w:lang\b[^>]*>", styles)
    assert langs and all('w:eastAsia="zh-CN"' in tag for tag in langs)
    assert "eastAsiaTheme" not in styles and "asciiTheme" not in styles  # no theme fonts
    for scheme, face in (("majorFont", "黑体"), ("minorFont", "宋体")):
        block = re.search(rf"<a:{scheme}>.*?</a:{scheme}>", theme, re.DOTALL).group(0)
        assert f'<a:ea typeface="{face}"/>' in block
    for face, english in CHINESE.items():
        entry = re.search(rf'<w:font w:name="{face}">(.*?)</w:font>', table, re.DOTALL)
        assert entry, f"{face} not in the font table"
        assert f'<w:altName w:val="{english}"/>' in entry.group(1)
        assert '<w:charset w:val="86"/>' in entry.group(1)
    used = set(re.findall(r'w:eastAsia="([^"]*)"', styles)) - {"zh-CN"}
    assert used <= set(CHINESE)
    assert re.search(r'<w:themeFontLang [^>]*w:eastAsia="zh-CN"', parts["word/settings.xml"])
    core = parts["docProps/core.xml"]
    assert "<dc:title>{{ title }}</dc:title>" in core and "<dc:language>zh-CN<" in core


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.xlsx")), ids=lambda p: p.name)
def test_excel_templates_declare_songti_gb2312(path: Path) -> None:
    parts = _parts(path)
    fonts = re.search(r"<fonts\b[^>]*>(.*?)</fonts>", parts["xl/styles.xml"], re.DOTALL)
    bodies = re.findall(r"<font>(.*?)</font>", fonts.group(1), re.DOTALL)
    assert bodies  # font 0 is the workbook's default font
    for body in bodies:
        assert '<name val="宋体"/>' in body and '<charset val="134"/>' in body, body
        assert "<scheme" not in body  # not the theme's (Latin) minor font
    assert not [j for j in JAPANESE if j in parts["xl/theme/theme1.xml"]]
    title = FORMS[path.stem].title
    assert f">{title}</dc:title>" in parts["docProps/core.xml"]


# --------------------------------------------------------------------------- rendered forms


def _ids(store) -> dict[str, str]:
    with store.session() as s:
        fault = s.scalar(select(FaultRecord).where(FaultRecord.closed_at.is_not(None)).limit(1))
        req = s.scalar(select(ServiceRequest).limit(1))
        run = s.scalar(select(InspectionRun).where(InspectionRun.status == "signed").limit(1))
        holiday = s.scalar(select(HolidayPeriod).where(HolidayPeriod.name == "国庆节").limit(1))
        return {
            "fault_report": fault.id,
            "service_record": req.id,
            "inspection_record": run.id,
            "holiday_check": holiday.id,
        }


def _export(store, kind: str, fmt: str, tmp: Path, ids: dict[str, str]) -> Path:
    out = tmp / f"{kind}.{fmt}"
    packs.export_form(
        store,
        kind,
        out,
        record_id=ids.get(kind),
        contract=None if kind in ids else "internet-om",
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        deliverable_code=INTERNET_OM_DELIVERABLE.get(kind, ""),
        exporter="编制人甲",
        now=NOW,
    )
    return out


def _word_blocks(path: Path) -> list[list[str]]:
    """The signature blocks of a Word form: each a list of its rows' texts."""
    blocks = []
    for table in Document(path).tables:
        first = " ".join(c.text for c in table.rows[0].cells) if table.rows else ""
        if all(r in first for r in ROLES):
            blocks.append([" | ".join(c.text for c in row.cells) for row in table.rows])
    return blocks


def _names(row: str) -> list[str]:
    """The printed names of a 签字人 row, per cell."""
    return [cell.split("签字人：", 1)[1].split("日期：")[0].strip() for cell in row.split(" | ")]


@pytest.mark.parametrize("kind", SIGNED_FORMS)
def test_every_period_and_event_form_has_the_block_with_known_names(
    demo_store, tmp_path: Path, kind: str
) -> None:
    ids = _ids(demo_store)
    word = _export(demo_store, kind, "docx", tmp_path, ids)
    blocks = _word_blocks(word)
    assert blocks, f"{kind}: no 运维人员 · 复核人 · 甲方确认 block"
    for rows in blocks:
        operator = _names(next(r for r in rows if "签字人：" in r))[0]
        assert operator, f"{kind}: the 运维人员's name is known but not printed"
        if kind in REPORTS:
            assert operator == "编制人甲"
    # the document's title is the form's name (the deliverable's, as in its heading)
    doc = Document(word)
    heading = next(p.text for p in doc.paragraphs if p.style.name == "Title")
    assert doc.core_properties.title == heading and "{{" not in heading
    if "xlsx" not in FORMS[kind].formats:
        return
    book = _export(demo_store, kind, "xlsx", tmp_path, ids)
    texts = [
        str(c.value)
        for ws in load_workbook(book).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    for role in ROLES:
        assert any(t.startswith(role) for t in texts), f"{kind}.xlsx: no {role}"
    signer = [t for t in texts if t.startswith("签字人：")]
    assert signer and signer[0].split("签字人：")[1].split("日期")[0].strip()
    if kind in REPORTS:
        assert "签字人：编制人甲" in signer[0]


def test_the_block_keeps_with_what_precedes_it() -> None:
    """Word: the rows of the block and the paragraphs before it keep with the next."""
    for path in sorted(TEMPLATES.glob("*.docx")):
        body = _parts(path)["word/document.xml"]
        blocks = [m.start() for m in re.finditer(r"<w:tbl>", body)]
        last = next(
            (b for b in reversed(blocks) if "signatures" in body[b : b + 6000]),
            None,
        )
        if last is None:
            continue
        before = body[:last].rsplit("<w:p>", 1)[-1] if "<w:p>" in body[:last] else ""
        previous = body[:last][-1500:]
        assert "<w:keepNext/>" in previous or "<w:keepNext/>" in before, path.name
        block = body[last : body.index("</w:tbl>", last)]
        assert block.count("<w:cantSplit/>") >= 4, path.name
