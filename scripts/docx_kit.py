"""Building blocks of the built-in Word templates (used by build_templates.py).

Page: A4, margins for binding (left 2.5 cm + 0.5 cm gutter, right 2.0 cm),
宋体/仿宋 set as East-Asian fonts (``w:eastAsia``), header with the contract
and period, footer with 第 X 页 共 Y 页 (PAGE / NUMPAGES fields) and the
verification code. Tables: fixed layout filling the text width, repeated
header rows (``w:tblHeader``), thin borders.

The base is python-docx's default template made a clean zh-CN document
(:func:`zh_cn_base`): its theme and font table carry Japanese fonts (ＭＳ 明朝,
ＭＳ ゴシック) and its styles theme fonts, so LibreOffice printed everything in
Noto Sans CJK JP. The theme's East-Asian fonts become 黑体 (headings) and 宋体
(body), the font table declares 宋体/黑体/仿宋 with their SimSun/SimHei/FangSong
names and the GB2312 charset (``w:charset w:val="86"``), every style names its
fonts itself, ``w:lang w:eastAsia="zh-CN"`` is set in the defaults and in every
style that has a language, and the theme language of the settings is zh-CN.
"""

from __future__ import annotations

import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

SONG = "宋体"
FANG = "仿宋"
HEI = "黑体"
LATIN = "Times New Roman"
PORTRAIT_WIDTH = 16.0  # cm of text: 21 - 2.5 - 0.5 - 2.0
LANDSCAPE_WIDTH = 24.7
ABNORMAL_FILL = "FBE4D5"
HEADER_FILL = "D9E2F3"


def _fonts(rpr, east: str, latin: str = LATIN) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:cs"), latin)


def _style_font(style, east: str, size: float, bold: bool = False) -> None:
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element.get_or_add_rPr(), east)


#: The font table of the templates: what the styles and the theme name, the Chinese
#: fonts with their English names (``w:altName``) and the GB2312 charset (86).
FONT_TABLE = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:font w:name="Times New Roman"><w:panose1 w:val="02020603050405020304"/>'
    '<w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="E0002AFF" w:usb1="C0007841" w:usb2="00000009" w:usb3="00000000"'
    ' w:csb0="000001FF" w:csb1="00000000"/></w:font>'
    '<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:panose1 w:val="02010600030101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" w:usb3="00000000"'
    ' w:csb0="00040001" w:csb1="00000000"/></w:font>'
    '<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:panose1 w:val="02010609060101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/>'
    '<w:sig w:usb0="800002BF" w:usb1="38CF7CFA" w:usb2="00000016" w:usb3="00000000"'
    ' w:csb0="00040001" w:csb1="00000000"/></w:font>'
    '<w:font w:name="仿宋"><w:altName w:val="FangSong"/><w:panose1 w:val="02010609060101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/>'
    '<w:sig w:usb0="800002BF" w:usb1="38CF7CFA" w:usb2="00000016" w:usb3="00000000"'
    ' w:csb0="00040001" w:csb1="00000000"/></w:font>'
    '<w:font w:name="Courier"><w:panose1 w:val="02070409020205020404"/>'
    '<w:charset w:val="00"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
    '<w:font w:name="Symbol"><w:panose1 w:val="05050102010706020507"/>'
    '<w:charset w:val="02"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
    "</w:fonts>"
)
#: theme font scheme → (East-Asian font, Latin font)
THEME_FONTS = {"majorFont": (HEI, LATIN), "minorFont": (SONG, LATIN)}


def zh_cn_theme(xml: str) -> str:
    """The theme with 黑体/宋体 as its East-Asian fonts and no per-script CJK fonts."""

    def scheme(m: re.Match[str]) -> str:
        east, latin = THEME_FONTS[m.group(1)]
        body = m.group(2)
        body = re.sub(r'<a:latin typeface="[^"]*"', f'<a:latin typeface="{latin}"', body)
        body = re.sub(r'<a:ea typeface="[^"]*"', f'<a:ea typeface="{east}"', body)
        # Japanese, Korean and traditional Chinese faces (and the Hans one) go: the
        # East-Asian font above holds for every CJK script
        body = re.sub(r'\s*<a:font script="(?:Jpan|Hang|Hans|Hant)"[^>]*/>', "", body)
        return f"<a:{m.group(1)}>{body}</a:{m.group(1)}>"

    xml = re.sub(r"<a:(majorFont|minorFont)>(.*?)</a:\1>", scheme, xml, flags=re.DOTALL)
    return re.sub(r'<a:fontScheme name="[^"]*"', '<a:fontScheme name="中文（宋体/黑体）"', xml)


def zh_cn_base(doc) -> None:
    """Make python-docx's default template a clean zh-CN base (see the module's doc)."""
    for part in doc.part.package.iter_parts():
        name = str(part.partname)
        if name == "/word/fontTable.xml":
            part._blob = FONT_TABLE.encode("utf-8")
        elif re.fullmatch(r"/word/theme/theme\d*\.xml", name):
            part._blob = zh_cn_theme(part.blob.decode("utf-8")).encode("utf-8")
    for lang in doc.settings.element.iter(qn("w:themeFontLang")):
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    # every style names its fonts: the theme's heading (major) fonts are 黑体, body 宋体
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        theme = fonts.get(qn("w:eastAsiaTheme")) or fonts.get(qn("w:asciiTheme"))
        if theme is None:
            continue
        east = HEI if theme.startswith("major") else SONG
        for attr in list(fonts.attrib):
            del fonts.attrib[attr]
        fonts.set(qn("w:ascii"), LATIN)
        fonts.set(qn("w:hAnsi"), LATIN)
        fonts.set(qn("w:eastAsia"), east)
        fonts.set(qn("w:cs"), LATIN)
    for lang in doc.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")


def new_document(landscape: bool = False):
    doc = Document()
    zh_cn_base(doc)
    styles = doc.styles
    # Document defaults = table text: 宋体 10 pt, single spacing, no theme fonts.
    # Tables carry no paragraph style at all (small XML for thousands of rows);
    # narrative paragraphs use 「正文」 (仿宋 12 pt).
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, SONG)
    for tag in ("w:sz", "w:szCs", "w:lang"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "20")
        rpr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is not None:
        defaults.remove(ppr_default)
    latent = styles.element.find(qn("w:latentStyles"))
    if latent is not None:
        styles.element.remove(latent)
    normal = styles["Normal"]
    normal_rpr = normal.element.find(qn("w:rPr"))
    if normal_rpr is not None:
        normal.element.remove(normal_rpr)
    from docx.enum.style import WD_STYLE_TYPE

    body = styles.add_style("正文", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    _style_font(body, FANG, 12)
    body.paragraph_format.line_spacing = 1.25
    body.paragraph_format.first_line_indent = Pt(24)
    for name, east, size in (("Title", SONG, 18), ("Heading 1", HEI, 14), ("Heading 2", HEI, 12)):
        st = styles[name]
        _style_font(st, east, size, bold=True)
        st.paragraph_format.space_before = Pt(6 if name != "Title" else 0)
        st.paragraph_format.space_after = Pt(6)
        st.paragraph_format.keep_with_next = True
        pPr = st.element.get_or_add_pPr()
        for border in pPr.findall(qn("w:pBdr")):
            pPr.remove(border)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell = styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    _style_font(cell, SONG, 10)
    small = styles.add_style("页眉页脚", WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = normal
    _style_font(small, SONG, 9)

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin = Cm(2.5)
    section.bottom_margin = Cm(2.2)
    section.left_margin = Cm(2.5)
    section.right_margin = Cm(2.0)
    section.gutter = Cm(0.5)
    section.header_distance = Cm(1.3)
    section.footer_distance = Cm(1.2)
    _header(section)
    _footer(section)
    return doc


def text_width(doc) -> float:
    section = doc.sections[0]
    return round(
        (section.page_width - section.left_margin - section.right_margin - section.gutter) / 360000,
        2,
    )


def _border_bottom(paragraph) -> None:
    pPr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    pPr.append(bdr)


def _header(section) -> None:
    p = section.header.paragraphs[0]
    p.text = "{{ contract.name }}    合同编号：{{ contract.contract_no }}    {{ period.label }}"
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in p.runs:
        run.font.size = Pt(9)
    _border_bottom(p)


def _field(paragraph, code: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)
    paragraph.add_run("1")
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("第 ")
    _field(p, "PAGE")
    p.add_run(" 页 共 ")
    _field(p, "NUMPAGES")
    p.add_run(" 页")
    q = section.footer.add_paragraph("校验码：{{ verification_code }}")
    q.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for para in (p, q):
        for run in para.runs:
            run.font.size = Pt(9)


def title(doc, text: str = "{{ title }}"):
    return doc.add_paragraph(text, style="Title")


def heading(doc, text: str, level: int = 1):
    return doc.add_paragraph(text, style=f"Heading {level}")


def para(doc, text: str, style: str | None = "正文", align=None):
    p = doc.add_paragraph(text, style=style)
    if align is not None:
        p.alignment = align
    return p


def control(doc, text: str):
    """A paragraph holding only a docxtpl tag (``{%p … %}``); removed when rendered."""
    return doc.add_paragraph(text)


def page_break(doc):
    p = doc.add_paragraph()
    p.add_run().add_break(WD_BREAK.PAGE)
    return p


# --------------------------------------------------------------------------- tables


def _tbl_props(table, widths: list[float]) -> None:
    tbl = table._tbl
    tblPr = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout", "w:tblBorders", "w:tblCellMar"):
        for old in tblPr.findall(qn(tag)):
            tblPr.remove(old)
    tblW = OxmlElement("w:tblW")
    tblW.set(qn("w:w"), str(int(sum(widths) * 567)))
    tblW.set(qn("w:type"), "dxa")
    tblPr.append(tblW)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tblPr.append(borders)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblPr.append(layout)
    mar = OxmlElement("w:tblCellMar")
    for edge, v in (("left", 60), ("right", 60)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(v))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblPr.append(mar)
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w * 567)))


def _cell_text(cell, text: str, bold: bool = False, align=None, fill: str | None = None) -> None:
    p = cell.paragraphs[0]
    if text:
        run = p.add_run(text)
        if bold:
            run.bold = True
    if align is not None:
        p.alignment = align
    tcPr = cell._tc.tcPr
    if tcPr is not None:
        for w in tcPr.findall(qn("w:tcW")):
            tcPr.remove(w)
    if fill:
        tcPr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        tcPr.append(shd)
    if tcPr is not None and len(tcPr) == 0:
        cell._tc.remove(tcPr)


def _set_widths(row, widths: list[float]) -> None:
    """Widths come from the table grid (fixed layout); cells carry none."""


def cant_split(tr) -> None:
    """A table row (``w:tr``) printed whole on one page. A row taller than a page still
    flows on (ECMA-376 ``cantSplit``; LibreOffice prints all of a 12,000-character cell)."""
    trPr = tr.get_or_add_trPr()
    if trPr.find(qn("w:cantSplit")) is None:
        trPr.append(OxmlElement("w:cantSplit"))


def keep_with_next(element) -> None:
    """Every paragraph of ``element`` (a row, a table) keeps with what follows it."""
    for p in element.iter(qn("w:p")):
        p.get_or_add_pPr().get_or_add_keepNext()


def span_row(table, text: str, *, bold: bool = False, fill: str | None = None):
    """A new row of ``table``: one cell across all its columns holding ``text``, not split."""
    row = table.add_row()
    _cell_text(row.cells[0].merge(row.cells[-1]), text, bold=bold, fill=fill)
    cant_split(row._tr)
    return row


def _repeat_header(row) -> None:
    """A header row: repeated on every page, never split, never alone at a page's foot.

    It keeps with the first row, and the paragraph introducing the table keeps
    with it (:func:`_keep_caption`).
    """
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    cant_split(row._tr)
    keep_with_next(row._tr)
    _keep_caption(row._tr.getparent())


def _keep_caption(tbl) -> None:
    """The paragraph just before a table (its caption, e.g. ``近几个月趋势：``) keeps with it.

    A docxtpl control paragraph (``{%p if … %}``) in between is removed when the
    form is rendered: it keeps with the table too, and the caption before it.
    """
    node = tbl.getprevious()
    while node is not None and node.tag == qn("w:p"):
        node.get_or_add_pPr().get_or_add_keepNext()
        if not "".join(t.text or "" for t in node.iter(qn("w:t"))).strip().startswith("{%"):
            return
        node = node.getprevious()


def _row_height(row, cm: float, exact: bool = False) -> None:
    trPr = row._tr.get_or_add_trPr()
    h = OxmlElement("w:trHeight")
    h.set(qn("w:val"), str(int(cm * 567)))
    h.set(qn("w:hRule"), "exact" if exact else "atLeast")
    trPr.append(h)


def _control_row(table, text: str) -> None:
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run(text)


def kv_table(doc, rows: list[list[tuple[str, str]]], widths: list[float]):
    """Label/value pairs, a list per row; the last value of a row spans to the table's end."""
    cols = len(widths)
    table = doc.add_table(rows=0, cols=cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _tbl_props(table, widths)
    for pairs in rows:
        row = table.add_row()
        _set_widths(row, widths)
        _row_height(row, 0.75)
        col = 0
        for n, (label, value) in enumerate(pairs):
            _cell_text(row.cells[col], label, bold=True, fill=HEADER_FILL)
            last = n == len(pairs) - 1
            span_end = cols - 1 if last else col + 1
            target = row.cells[col + 1]
            if span_end > col + 1:
                target = target.merge(row.cells[span_end])
            _cell_text(target, value)
            col = span_end + 1
    return table


def data_table(
    doc,
    headers: list[str],
    cells: list[str],
    widths: list[float],
    loop: str,
    *,
    abnormal: str | None = None,
    align_center: tuple[int, ...] = (),
    total: list[str] | None = None,
):
    """A table with a repeated header row and one row per element of ``loop``.

    ``loop`` is the docxtpl loop, e.g. ``r in rows``; ``cells`` the values of a
    row; ``abnormal`` a condition that shades the row (``r.abnormal``).
    """
    table = doc.add_table(rows=1, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _tbl_props(table, widths)
    head = table.rows[0]
    _set_widths(head, widths)
    _repeat_header(head)
    for cell, text in zip(head.cells, headers, strict=True):
        _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, fill=HEADER_FILL)
    _control_row(table, f"{{%tr for {loop} %}}")
    variants = [(None, False)]
    if abnormal:
        _control_row(table, f"{{%tr if {abnormal} %}}")
        variants = [(ABNORMAL_FILL, True), (None, False)]
    for n, (fill, bold) in enumerate(variants):
        if n == 1:
            _control_row(table, "{%tr else %}")
        row = table.add_row()
        _set_widths(row, widths)
        cant_split(row._tr)
        for i, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            align = WD_ALIGN_PARAGRAPH.CENTER if i in align_center else None
            _cell_text(cell, text, bold=bold, align=align, fill=fill)
    if abnormal:
        _control_row(table, "{%tr endif %}")
    _control_row(table, "{%tr endfor %}")
    if total:
        row = table.add_row()
        _set_widths(row, widths)
        for i, (cell, text) in enumerate(zip(row.cells, total, strict=True)):
            align = WD_ALIGN_PARAGRAPH.CENTER if i in align_center else None
            _cell_text(cell, text, bold=True, align=align)
    return table


def matrix_table(
    doc,
    fixed_head: list[str],
    fixed_cells: list[str],
    tail_head: list[str],
    tail_cells: list[str],
    widths: list[float],
    columns: str,
    row_loop: str,
    values: str,
    abnormal: str,
    total_width: float = LANDSCAPE_WIDTH,
    note_row: str | None = None,
):
    """A table with dynamic middle columns (docxtpl ``{%tc for %}``).

    The three loop cells have grid width 1.0 cm (the renderer's marker); the
    columns the loop makes share ``total_width`` minus the fixed columns.

    With ``note_row`` (a condition, e.g. ``s.note_row``) two tables are written:
    where it holds, the first tail column (the notes) is not a column but a row of
    its own under each row that has notes, spanning the table (the renderer
    stretches its span over the loop's columns) and kept on the page with its row;
    otherwise the table as without it.
    """
    fixed, loops = (fixed_head, fixed_cells), (columns, row_loop, values, abnormal)
    if note_row is None:
        return _matrix(doc, fixed, (tail_head, tail_cells), widths, loops, total_width)
    control(doc, f"{{%p if {note_row} %}}")
    keep = len(fixed_head) + 3
    narrow = [*widths[:keep], *widths[keep + 1 :]]
    note = (tail_head[0], tail_cells[0])
    _matrix(doc, fixed, (tail_head[1:], tail_cells[1:]), narrow, loops, total_width, note)
    control(doc, "{%p else %}")
    table = _matrix(doc, fixed, (tail_head, tail_cells), widths, loops, total_width)
    control(doc, "{%p endif %}")
    return table


def _matrix(
    doc,
    fixed: tuple[list[str], list[str]],
    tail: tuple[list[str], list[str]],
    widths: list[float],
    loops: tuple[str, str, str, str],
    total_width: float,
    note: tuple[str, str] | None = None,
):
    """:func:`matrix_table`'s table: ``fixed`` and ``tail`` (headers, cells) around the
    loop's columns; ``loops``: the columns, the row loop, a row's values, its abnormal
    condition; ``note``: the notes row's label and value."""
    (fixed_head, fixed_cells), (tail_head, tail_cells) = fixed, tail
    columns, row_loop, values, abnormal = loops
    n = len(fixed_head) + 3 + len(tail_head)
    table = doc.add_table(rows=1, cols=n)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _tbl_props(table, widths)
    table._tbl.tblPr.find(qn("w:tblW")).set(qn("w:w"), str(int(total_width * 567)))
    head = table.rows[0]
    _repeat_header(head)
    texts = [*fixed_head, f"{{%tc for c in {columns} %}}", "{{ c }}", "{%tc endfor %}", *tail_head]
    for cell, text in zip(head.cells, texts, strict=True):
        _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, fill=HEADER_FILL)
    _control_row(table, f"{{%tr for {row_loop} %}}")
    _control_row(table, f"{{%tr if {abnormal} %}}")
    for k, fill in enumerate((ABNORMAL_FILL, None)):
        if k == 1:
            _control_row(table, "{%tr else %}")
        if note is not None:
            item = row_loop.split(" in ", 1)[0].strip()
            _control_row(table, f"{{%tr if {item}.note %}}")
            _matrix_row(table, n, fixed_cells, values, tail_cells, fill, keep=True)
            span_row(table, f"{note[0]}：{note[1]}", fill=fill)
            _control_row(table, "{%tr else %}")
        _matrix_row(table, n, fixed_cells, values, tail_cells, fill)
        if note is not None:
            _control_row(table, "{%tr endif %}")
    _control_row(table, "{%tr endif %}")
    _control_row(table, "{%tr endfor %}")
    return table


def _matrix_row(
    table, n: int, fixed_cells: list[str], values: str, tail_cells: list[str], fill,
    keep: bool = False,
) -> None:  # fmt: skip
    """A row of :func:`_matrix`, whole on one page as data_table's rows (its last line printed
    alone at the top of the next page); ``keep``: on the page of the notes row under it."""
    row = table.add_row()
    cant_split(row._tr)
    texts = [*fixed_cells, f"{{%tc for v in {values} %}}", "{{ v }}", "{%tc endfor %}", *tail_cells]
    for i, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
        align = WD_ALIGN_PARAGRAPH.CENTER if len(fixed_cells) <= i < n - len(tail_cells) else None
        _cell_text(cell, text, align=align, fill=fill)
    if keep:
        keep_with_next(row._tr)


def signature_block(doc, prefix: str = "signatures", width: float = PORTRAIT_WIDTH):
    """运维人员 · 复核人 · 甲方确认: picture above a line, then name and date."""
    widths = [width / 3] * 3
    table = doc.add_table(rows=4, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _tbl_props(table, widths)
    roles = ("operator", "reviewer", "client")
    for r, row in enumerate(table.rows):
        _set_widths(row, widths)
        cant_split(row._tr)
        if r == 1:
            _row_height(row, 1.6, exact=False)
        for cell, role in zip(row.cells, roles, strict=True):
            v = f"{prefix}.{role}"
            if r == 0:
                _cell_text(
                    cell,
                    f"{{{{ {v}.role }}}}{{% if {v}.label != {v}.role %}}（{{{{ {v}.label }}}}）"
                    f"{{% endif %}}{{{{ {v}.note }}}}",
                    bold=True,
                    align=WD_ALIGN_PARAGRAPH.CENTER,
                    fill=HEADER_FILL,
                )
            elif r == 1:
                _cell_text(cell, f"{{{{ {v}.image }}}}", align=WD_ALIGN_PARAGRAPH.CENTER)
            elif r == 2:
                _cell_text(cell, f"签字人：{{{{ {v}.name }}}}")
            else:
                _cell_text(cell, f"日期：{{{{ {v}.date|d }}}}")
    # a visible line under the signature space even when unsigned: the inner
    # borders are drawn; keep the signature row tall so it reads as a blank to sign.
    # The block never breaks across pages: each row but the last keeps with the next.
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
    keep_before(table._tbl)
    return table


def _is_loop_table(tbl) -> bool:
    return any("{%tr" in (t.text or "") for t in tbl.iter(qn("w:t")))


def keep_together(tbl) -> None:
    """A (small) table never split: rows not split, each row kept with the next."""
    for tr in tbl.iter(qn("w:tr")):
        cant_split(tr)
    keep_with_next(tbl)


def keep_before(element) -> None:
    """Keep what precedes ``element`` (a signature block) on its page: never a block alone.

    The paragraphs before it back to the section's heading keep with the next
    (spacers, the last text, repeated paragraphs of a ``{%p for %}``), and a small
    table before them (a conclusion or summary box) is kept whole with the block.
    A table of repeated rows is long: only its last row could follow, so the walk
    stops there (the forms end such tables with a summary box).
    """
    node = element.getprevious()
    while node is not None:
        if node.tag == qn("w:p"):
            ppr = node.get_or_add_pPr()
            ppr.get_or_add_keepNext()
            style = ppr.find(qn("w:pStyle"))
            if style is not None and style.get(qn("w:val"), "").startswith(("Heading", "Title")):
                return  # a heading keeps with what follows it anyway
        elif node.tag == qn("w:tbl"):
            if not _is_loop_table(node):
                keep_together(node)
            return
        else:
            return
        node = node.getprevious()


def spacer(doc, pt: float = 4):
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(pt)
    return p
