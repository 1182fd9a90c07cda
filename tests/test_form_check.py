"""The form-check harness in the suite: every form of both contracts printed and checked.

``scripts/form_check.py`` (the script a developer runs) does the work: a demo store
of October 2026 (国庆节), both contracts' monthly packs exported,
every .docx/.xlsx converted with LibreOffice once per session (one ``soffice`` run
per pack folder, private profiles, two at a time) and read back with
``pdftotext -bbox``. Each form (contract, form kind, format — both months and all
files of the kind together) is one test per check: ``test_form[margins-portal-om-
monthly_report-xlsx]``.

:data:`TODO` is what today's forms still fail, check by check and form by form
(issue 10): those tests are expected failures, strict — a form that gets fixed
passes, which fails the run until it is taken off the list. The checker itself is
proved to fail on deliberately broken files (a docx and an xlsx made here and
converted in the same LibreOffice batch) and, without any outside program, on
hand-made page boxes and package parts.

The suite checks the holiday month only: its packs hold every form of the ordinary
month and the holiday sheets besides (``test_the_harness_knows_every_form_of_the_packs``
fails if that stops being true), and one month halves the LibreOffice time of the
suite. The script checks both months (``python scripts/form_check.py``).
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment

from tests.test_export_fixtures import CODES, MONTH, SEED, demo_dir, store_copy  # noqa: F401
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parent.parent


def _load_script() -> ModuleType:
    name = "form_check"
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "form_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


fc = _load_script()

Form = tuple[str, str, str]  # contract, form kind, format
FORMS: list[Form] = sorted(fc.PAGE_BOUNDS)
#: The month the suite prints: 国庆节 gives the holiday sheets on top of every other form.
SUITE_MONTHS = (fc.HOLIDAY_MONTH,)

#: What today's forms fail (issue 10): check → (why, the forms that fail it). Expected
#: failures, strict: take a form off its list when it is fixed.
TODO: dict[str, tuple[str, frozenset[Form]]] = {}

NEEDS_TOOLS = [
    pytest.mark.slow,
    pytest.mark.needs_tool("soffice", "pdftotext"),
    # the session's conversion runs in the first test that asks for it: ~40-60 s alone,
    # a few minutes next to the rest of the suite on 2 cores
    pytest.mark.timeout(900),
]


def _cases() -> list[object]:
    cases = []
    for form in FORMS:
        contract, kind, fmt = form
        for check in fc.checks_for(fmt):
            marks = list(NEEDS_TOOLS)
            why, forms = TODO.get(check, ("", frozenset()))
            if form in forms:
                marks.append(pytest.mark.xfail(strict=True, reason=f"issue 10 {why}"))
            cases.append(
                pytest.param(form, check, id=f"{check}-{contract}-{kind}-{fmt}", marks=marks)
            )
    return cases


# --------------------------------------------------------------------------- the session's run


@dataclass
class Run:
    reports: list[Any]  # the packs' fc.FileReport
    broken: dict[str, Any]  # file name → fc.FileReport of a deliberately broken file
    seconds: dict[str, float]  # demo, export, convert, check


def broken_docx(path: Path) -> None:
    """A Word file with everything the checks look for done wrong."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    section.header.paragraphs[0].text = "页眉：故意做坏的表单"
    doc.add_paragraph("故意做坏的表单 {{ contract.name }} None nan （请填写）")
    wide = doc.add_paragraph("超出页边距的文字" * 12)
    wide.paragraph_format.left_indent = Cm(-2.4)
    wide.paragraph_format.right_indent = Cm(-2.4)
    half = doc.add_table(rows=1, cols=2)  # a block without 甲方确认
    half.rows[0].cells[0].text = "运维人员（巡检人）"
    half.rows[0].cells[1].text = "复核人（项目经理）"
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # a page with the header only
    block = doc.add_table(rows=1, cols=3)  # then a block alone at the top of a page
    for cell, role in zip(block.rows[0].cells, ("运维人员", "复核人", "甲方确认"), strict=True):
        cell.text = role
    doc.save(path)


def broken_xlsx(path: Path) -> None:
    """A workbook with everything the checks look for done wrong."""
    wb = Workbook()
    ws = wb.active
    ws.title = "记录"
    ws["A1"] = "故意做坏的工作表"
    ws["A2"] = "None"
    ws.column_dimensions["A"].width = 12
    ws["A3"] = "很长的一段文字会折行很多次" * 6  # wrapped in a row far too low
    ws["A3"].alignment = Alignment(wrap_text=True)
    ws.row_dimensions[3].height = 14
    ws["A4"] = "下一行的文字"
    for row, value in enumerate([3, 5, 2], start=6):
        ws.cell(row=row, column=1, value=f"类{row}")
        ws.cell(row=row, column=2, value=value)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=6, max_row=8))
    ws.add_chart(chart, "D12")  # outside the print area
    ws.print_area = "A1:C10"
    wb.save(path)


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Run:  # noqa: F811
    """The holiday month's packs of both contracts and the broken files, converted and checked.

    The store is the export tests' demo store (:func:`tests.test_export_fixtures.make_demo`
    makes what ``fc.build_demo`` makes for the holiday month: same seed, month and
    contracts), copied rather than generated again.
    """
    import time

    soffice, pdftotext = require_tool("soffice"), require_tool("pdftotext")
    base = tmp_path_factory.mktemp("form-check")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    store_copy(demo_dir, base / "store").close()
    seconds["demo"] = time.perf_counter() - started
    started = time.perf_counter()
    files = fc.export_packs(base / "store", base / "packs", SUITE_MONTHS)
    seconds["export"] = time.perf_counter() - started
    (base / "broken").mkdir()
    broken = []
    for name, make in (("broken.docx", broken_docx), ("broken.xlsx", broken_xlsx)):
        path = base / "broken" / name
        make(path)
        broken.append(fc.FormFile("test", "—", "fault_report", path.suffix[1:], "坏表单", path, 2))
    started = time.perf_counter()
    pdfs = fc.convert_all([f.path for f in files + broken], base / "pdf", soffice=soffice, jobs=2)
    seconds["convert"] = time.perf_counter() - started
    started = time.perf_counter()
    reports = fc.check_files(files, pdfs, pdftotext=pdftotext, jobs=2)
    seconds["check"] = time.perf_counter() - started
    checked = {
        f.path.name: fc.check_file(f, pdfs[f.path], bound=1, pdftotext=pdftotext) for f in broken
    }
    return Run(reports, checked, seconds)


# --------------------------------------------------------------------------- the forms


@pytest.mark.slow
@pytest.mark.needs_tool("soffice", "pdftotext")
@pytest.mark.timeout(900)
def test_the_harness_knows_every_form_of_the_packs(harness: Run) -> None:
    """A form the packs gained needs its page bound (and its tests) before it is checked."""
    counts = fc.page_counts(harness.reports)
    unknown = {form: pages for form, pages in counts.items() if form not in fc.PAGE_BOUNDS}
    missing = [form for form in FORMS if form not in counts]
    assert not unknown, f"add to PAGE_BOUNDS in scripts/form_check.py (pages today): {unknown}"
    assert not missing, f"no longer in the packs, take out of PAGE_BOUNDS: {missing}"
    assert {r.month for r in harness.reports} == set(SUITE_MONTHS)


def test_the_suite_s_demo_store_is_the_one_the_script_builds() -> None:
    """The harness borrows the export tests' store instead of ``fc.build_demo``'s own."""
    assert (SEED, CODES, (MONTH,)) == (fc.DEMO_SEED, fc.CODES, SUITE_MONTHS)


@pytest.mark.parametrize(("form", "check"), _cases())
def test_form(harness: Run, form: Form, check: str) -> None:
    reports = [r for r in harness.reports if r.form == form]
    assert reports, f"{form} is not in the packs"
    problems = [
        f"{r.month} {Path(r.path).name}: {problem}"
        for r in reports
        for problem in r.problems.get(check, [])
    ]
    shown = "\n  ".join(problems[:15])
    more = f"\n  … {len(problems)} in all" if len(problems) > 15 else ""
    assert not problems, f"{check} ({fc.CHECKS[check]}):\n  {shown}{more}"


@pytest.mark.slow
@pytest.mark.needs_tool("soffice", "pdftotext")
@pytest.mark.timeout(900)
def test_the_checks_fail_a_deliberately_broken_docx(harness: Run) -> None:
    report = harness.broken["broken.docx"]
    p = report.problems
    assert report.pages == 3
    assert p["pages"] == ["3 页，超过上限 1 页"]
    assert p["blank"] == ["第 2 页是空白页"]  # the header is printed, nothing else
    assert p["margins"] and all(m.startswith("第 1 页：“") and "页边" in m for m in p["margins"])
    printed = " ".join(m for m in p["leftovers"] if m.startswith("第 1 页"))
    assert all(s in printed for s in ("{{", "}}", "None", "nan", "请填写")), printed
    assert "第 1 页：签字栏只有 运维人员、复核人，缺 甲方确认" in p["signatures"]
    assert p["signature-alone"] == ["第 3 页：签字栏单独在页首，与表单正文分开"]
    for check in ("font-lang", "font-japanese", "font-theme", "font-table"):
        assert p[check], check  # python-docx's default template fails every font check
    assert not p["converts"] and not p["a4"]


@pytest.mark.slow
@pytest.mark.needs_tool("soffice", "pdftotext")
@pytest.mark.timeout(900)
def test_the_checks_fail_a_deliberately_broken_xlsx(harness: Run) -> None:
    p = harness.broken["broken.xlsx"].problems
    assert p["a4"] == ["工作表「记录」纸张不是 A4（paperSize=未设置）"]
    assert p["charts"] == ["工作表「记录」：图表在 D12:L26，超出打印区域 A1:C10"]
    assert p["font-cells"] == ["字体 0：Calibri 不是中文字体"]
    assert any("None" in m and m.startswith("第 1 页") for m in p["leftovers"])
    assert p["overlap"], "the wrapped text of the low row prints over its neighbours"
    assert p["margins"], "…and above the top margin"
    assert p["signatures"] == ["没有签字栏（运维人员 · 复核人 · 甲方确认）"]


@pytest.mark.slow
@pytest.mark.needs_tool("soffice", "pdftotext")
@pytest.mark.timeout(900)
def test_the_script_prints_the_table(
    harness: Run,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """``scripts/form_check.py``: one row per form and pack, the counts, exit 1 on failures."""
    monkeypatch.setattr(fc, "run", lambda out, **kw: (harness.reports, harness.seconds))
    failing = {r.form for r in harness.reports if r.failed()}
    assert fc.main(["--out", str(tmp_path / "out")]) == (1 if failing else 0)
    out = capsys.readouterr().out
    head = out.splitlines()[0].split()
    assert head == [
        "contract", "month", "form", "format", "pages", "bound", "blank", "off-margin", "problems"
    ]  # fmt: skip
    row = next(line for line in out.splitlines() if "(inspection_record)" in line)
    assert "portal-om" in row and "2026-10" in row
    assert "('portal-om', 'inspection_record', 'docx'):" in out  # today's count, for the bounds
    verdicts = dict(re.findall(r"^([a-z4-]+)\s+(ok|FAILS)\b", out, re.MULTILINE))
    assert verdicts.keys() == fc.CHECKS.keys()
    assert ("FAILS" in verdicts.values()) == bool(failing)


# --------------------------------------------------------------------------- the checker itself


def _page(number: int = 1, *words: tuple[float, float, float, float, str]) -> Any:
    return fc.Page(number, 595.28, 841.89, [fc.Word(*w) for w in words])


#: An A4 page with 2.5 cm margins, header and footer 1.5 cm from the edge.
FRAME = fc.Frame(595.28, 841.89, 70.9, 70.9, 70.9, 70.9, 42.5, 42.5)
HEADER = (100, 45, 300, 57, "页眉")
FOOTER = (250, 790, 350, 800, "第 1 页 共 2 页")


def test_bbox_output_is_read_into_pages_and_words() -> None:
    xhtml = (
        '<doc>\n  <page width="595.303937" height="841.889764">\n'
        '    <word xMin="110.3" yMin="38.75" xMax="209.3" yMax="50.45">运维&amp;工作台</word>\n'
        "  </page>\n"
        '  <page width="841.889764" height="595.303937">\n  </page>\n</doc>'
    )
    pages = fc.parse_bbox(xhtml)
    assert [(p.number, round(p.width), len(p.words)) for p in pages] == [(1, 595, 1), (2, 842, 0)]
    assert pages[0].words[0] == fc.Word(110.3, 38.75, 209.3, 50.45, "运维&工作台")


def test_words_past_a_margin_by_more_than_5_mm_are_outside() -> None:
    mm = fc.MM
    inside = (70.9 - 4 * mm, 100, 300, 112, "差 4 mm")
    left = (70.9 - 6 * mm, 120, 300, 132, "差 6 mm")
    right = (300, 140, 595.28 - 70.9 + 6 * mm, 152, "右边")
    low = (100, 841.89 - 42.5 + 6 * mm - 12, 200, 841.89 - 42.5 + 6 * mm, "页脚下")
    found = fc.outside_words([_page(1, HEADER, FOOTER, inside, left, right, low)], [FRAME])
    assert [w.text for _n, w in found] == ["差 6 mm", "右边", "页脚下"]


def test_a_page_with_only_header_and_footer_is_blank() -> None:
    body = (100, 100, 300, 112, "正文")
    pages = [_page(1, HEADER, body, FOOTER), _page(2, HEADER, FOOTER), _page(3)]
    assert fc.blank_pages(pages, [FRAME]) == [2, 3]
    assert fc.blank_pages(pages, [FRAME], lambda: {2}) == [3]  # a page holding a picture


def test_text_printed_over_text_is_found() -> None:
    a = (100, 100, 200, 112, "第一行")
    b = (150, 104, 260, 116, "压在上面")
    c = (100, 113, 200, 125, "下一行")  # touching is not overlapping
    found = fc.overlapping_words([_page(1, a, b, c)])
    assert [(x.text, y.text) for _n, x, y in found] == [("第一行", "压在上面")]


def test_signature_blocks_need_all_three_roles() -> None:
    full = [(80, 500, 160, 512, "运维人员（巡检人）"), (240, 500, 320, 512, "复核人（项目经理）")]
    full.append((400, 506, 500, 518, "甲方确认（甲方）（单位盖章）"))  # shifted: same block
    partial = [(80, 700, 160, 712, "运维人员"), (240, 700, 320, 712, "复核人")]
    assert fc.signature_problems([_page(1, *full)]) == []
    assert fc.signature_problems([_page(1, *full, *partial)]) == [
        "第 1 页：签字栏只有 运维人员、复核人，缺 甲方确认"
    ]
    assert fc.signature_problems([_page(1, (80, 100, 200, 112, "正文"))]) == [
        "没有签字栏（运维人员 · 复核人 · 甲方确认）"
    ]
    two_pages = [_page(1, *full), _page(2, *full)]
    assert fc.signature_problems(two_pages, records=2) == []
    assert fc.signature_problems(two_pages, records=3) == ["3 条记录只有 2 个签字栏"]


def test_a_signature_block_alone_at_the_top_of_a_page_is_found() -> None:
    block = [(80, 90, 160, 102, "运维人员"), (240, 90, 320, 102, "复核人")]
    block.append((400, 90, 480, 102, "甲方确认"))
    form = _page(1, HEADER, (100, 100, 300, 112, "表单正文"), FOOTER)
    alone = _page(2, HEADER, *block, FOOTER)
    below_text = _page(3, HEADER, (100, 80, 300, 88, "续表"), *block, FOOTER)
    assert fc.lonely_signatures([form, alone, below_text], [FRAME]) == [2]


def test_leftovers_are_template_syntax_none_nan_and_prompts() -> None:
    found = fc.leftovers("合同 {{ contract.name }}；值 None；比率 nan；（请填写）；{% endfor %}")
    assert len(found) == 7  # {{ and }}, {% and %}, None, nan, 请填写
    for word in ("Nonexistent", "finance", "nano", "NoneType"):
        assert fc.leftovers(f"正常文字 {word}") == [], word
    assert fc.leftovers("NaN") and fc.leftovers("值为None。")


def _package(doc: Any) -> dict[str, bytes]:
    out = io.BytesIO()
    doc.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.endswith((".xml", ".rels"))}


def _zh_cn_fixed(parts: dict[str, bytes]) -> dict[str, bytes]:
    """python-docx's default parts the way issue 10 asks: a zh-CN theme, font table, styles."""
    fixed = dict(parts)
    theme = fixed["word/theme/theme1.xml"].decode()
    theme = re.sub(r'<a:font script="Jpan"[^>]*/>', "", theme)
    for scheme, face in (("majorFont", "黑体"), ("minorFont", "宋体")):
        theme = re.sub(
            rf'(<a:{scheme}>.*?)<a:ea typeface=""/>',
            rf'\1<a:ea typeface="{face}"/>',
            theme,
            count=1,
            flags=re.S,
        )
    fixed["word/theme/theme1.xml"] = theme.encode()
    table = fixed["word/fontTable.xml"].decode()
    table = re.sub(r'<w:font w:name="ＭＳ [^"]*">.*?</w:font>', "", table, flags=re.S)
    zh = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/></w:font>'
        for name, alt in (("宋体", "SimSun"), ("黑体", "SimHei"), ("仿宋", "FangSong"))
    )
    fixed["word/fontTable.xml"] = table.replace("</w:fonts>", zh + "</w:fonts>").encode()
    styles = fixed["word/styles.xml"].decode()
    styles = styles.replace('w:eastAsiaTheme="minorEastAsia"', 'w:eastAsia="宋体"', 1)
    styles = re.sub(r'w:eastAsia="[a-z]{2}-[A-Z]{2}"', 'w:eastAsia="zh-CN"', styles)
    fixed["word/styles.xml"] = styles.encode()
    return fixed


def test_word_font_checks_fail_on_a_japanese_base_and_pass_on_a_zh_cn_one() -> None:
    """python-docx's default template (what the templates were built on) fails every one."""
    parts = _package(Document())
    default = fc.docx_font_problems(parts)
    assert any('w:eastAsia="zh-CN"' in p for p in default["font-lang"])
    assert "theme1.xml：ＭＳ 明朝" in default["font-japanese"]
    assert "fontTable.xml：ＭＳ ゴシック" in default["font-japanese"]
    assert "theme1.xml：majorFont 的东亚字体为 “”" in default["font-theme"]
    assert "styles.xml：文档默认的东亚字体为 “”，不是中文字体" in default["font-table"]
    assert fc.docx_font_problems(_zh_cn_fixed(parts)) == {
        "font-lang": [],
        "font-japanese": [],
        "font-theme": [],
        "font-table": [],
    }
    styles = _zh_cn_fixed(parts)
    styles["word/fontTable.xml"] = styles["word/fontTable.xml"].replace(b'"86"', b'"00"', 1)
    assert fc.docx_font_problems(styles)["font-table"] == ["fontTable.xml：宋体 的字符集为 00"]


def test_excel_font_check_wants_chinese_fonts_with_the_gb2312_charset() -> None:
    def styles(*fonts: str) -> dict[str, bytes]:
        body = "".join(f"<font><sz val='11'/>{f}</font>" for f in fonts)
        return {"xl/styles.xml": f"<styleSheet><fonts>{body}</fonts></styleSheet>".encode()}

    good = "<name val='宋体'/><charset val='134'/>"
    assert fc.xlsx_font_problems(styles(good, "<name val='黑体'/><charset val='134'/>")) == []
    assert fc.xlsx_font_problems(styles(good, "<name val='宋体'/>")) == [
        "字体 1：宋体 没有声明 GB2312 字符集（charset 134）"
    ]
    assert fc.xlsx_font_problems(styles("<name val='Calibri'/><family val='2'/>")) == [
        "字体 0：Calibri 不是中文字体"
    ]


def _xlsx_parts(wb: Workbook) -> dict[str, bytes]:
    out = io.BytesIO()
    wb.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.endswith((".xml", ".rels"))}


def test_excel_sheets_must_be_a4_and_hold_their_charts() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "统计"
    for row in range(1, 6):
        ws.cell(row=row, column=1, value=f"类{row}")
        ws.cell(row=row, column=2, value=row)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_area = "A1:L30"
    chart = BarChart()  # 15 × 7.5 cm: about 9 columns and 15 rows
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=5))
    ws.add_chart(chart, "C8")
    helper = wb.create_sheet("图表数据")
    helper["A1"] = 1
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    parts = _xlsx_parts(wb)
    assert fc.xlsx_a4_problems(parts) == ["工作表「图表数据」纸张不是 A4（paperSize=未设置）"]
    assert fc.xlsx_anchor_problems(parts) == []
    ws.print_area = "A1:F20"
    assert fc.xlsx_anchor_problems(_xlsx_parts(wb)) == [
        "工作表「统计」：图表在 C8:K22，超出打印区域 A1:F20"
    ]
    frames = fc.xlsx_frames(parts)
    assert len(frames) == 2  # the visible sheets
    assert round(frames[0].left / 72, 2) == 0.75  # openpyxl's default margins, in inches
