"""What both Excel engines share, without openpyxl: the cell language, sizes, names, charts.

:mod:`~app.export.xlsx_fast` (the built-in templates) and
:mod:`~app.export.xlsx_render` (openpyxl, client workbooks) fill cells the same
way (:class:`Filler`), size rows, pictures and charts by the same estimates, and
write the same native chart (:func:`chart_xml`, the XML openpyxl writes for
:func:`app.export.xlsx_render.excel_chart`; ``tests/test_export_engines.py``
compares the two). Nothing here imports openpyxl, so a pack of built-in forms
never loads it: importing openpyxl is ≈ 0.1 s of every ``omw export month``
(``python -X importtime``), more than writing the pack's three charts, which is
why this small chart writer exists beside the library that clients' workbooks use.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from app.export.errors import TemplateError
from app.export.sandbox import SandboxEnv, clean_text, explain

_FOR = re.compile(r"^\s*\{%-?\s*for\s+(\w+)\s+in\s+(.+?)\s*-?%\}")
#: The end of a loop (``{% endfor %}``, ``{%tr endfor %}``): Excel loops have none.
_END = re.compile(r"\{%-?\s*(?:tr|tc|p)?\s*endfor\s*-?%\}")
#: Word's row, column, paragraph and run tags (``{%tr for … %}``), wrong in a workbook.
_WORD_TAG = re.compile(r"\{%-?\s*(?:tr|tc|p|r)\s")
#: How loops are written in an Excel template: the hint of every refusal about one.
LOOP_HINT = (
    "Excel 模板的循环只占一行，不写 {% endfor %}：在要重复的那一行的第一个单元格开头写 "
    "{% for r in rows %}，同一行的其他单元格写 {{ r.字段 }}（第一个单元格在标记后也可以接着写），"
    "导出时这一行按每个元素重复一次，下面的行随之下移；循环变量只在这一行内有效。"
    "Word 模板才用 {%tr for … %} 和 {%tr endfor %} 两行包住表格行。"
    "可用 `omw template-fields 表单类型` 查看可重复的列表（标有 []）。"
)
_ONLY = re.compile(r"^\s*\{\{(.+?)\}\}\s*$", re.DOTALL)
_ANY = re.compile(r"\{\{|\{%")
_PATH = re.compile(r"^[A-Za-z]\w*(\.[A-Za-z]\w*)*$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_767
MAX_ROWS = 200_000
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
EMU_PER_MM = 36_000
#: Excel's defaults where a sheet does not say: column width (characters), row height (pt).
DEFAULT_COLUMN_WIDTH = 8.43
DEFAULT_ROW_HEIGHT = 15.0
PICTURE_MARGIN = 6
CHART_SHEET = "图表数据"
#: The row height estimate for wrapped text (:func:`wrapped_height`): a line is this many
#: times the font size high (Noto Sans CJK's line spacing, what LibreOffice prints 宋体 with),
#: plus the cell's padding; a CJK character is one font size wide, any other character
#: :data:`NARROW` of it. Word wrapping wastes part of a line: only :data:`LINE_FILL` of
#: the cell's width is counted as usable.
LINE_SPACING = 1.45
ROW_PADDING_PT = 3.0
NARROW = 0.6
LINE_FILL = 0.95
CELL_PADDING_PT = 4.0
MAX_ROW_HEIGHT = 409.0
_HEADER_FIELD = re.compile(r"\{\{.*?\}\}", re.DOTALL)
#: runs of characters below U+2E80, which print narrower than CJK (:func:`text_width_pt`)
_NARROW_RUNS = re.compile("[\x00-\u2e7f]+")


def _pictured(value: Any) -> bool:
    """Whether a cell's text may print a picture (boxes are worked out for those only)."""
    return isinstance(value, str) and "{{" in value


def neutral(text: str) -> tuple[str, bool]:
    """Text safe for a cell, and whether it needs the quote prefix."""
    text = clean_text(text)[:MAX_CELL]
    return text, text.startswith(FORMULA_START)


class Filler:
    """The cell language of Excel templates: how a cell's text is evaluated (both engines)."""

    def __init__(self, env: SandboxEnv, where: str) -> None:
        self.env = env
        self.where = where
        self._plans: dict[str, tuple[str, Any]] = {}
        #: loop variable → the row that loops, of the sheet being filled (for hints)
        self.loop_rows: dict[str, int] = {}

    def _plan(self, text: str) -> tuple[str, Any]:
        """How to fill a cell's text: ("path", names) | ("expr", source) | ("text", source)."""
        plan = self._plans.get(text)
        if plan is None:
            only = _ONLY.match(text)
            if only and "{{" not in only.group(1) and "{%" not in text:
                expr = only.group(1).strip()
                plan = ("path", tuple(expr.split("."))) if _PATH.match(expr) else ("expr", expr)
            elif "{%" in text:
                plan = ("bad", text)
            else:
                plan = ("text", text)
            self._plans[text] = plan
        return plan

    def _bad(self, coordinate: str, text: str = "") -> TemplateError:
        tag = _END.search(text) or _WORD_TAG.search(text)
        if tag is not None:
            return loop_error(self.where, coordinate, text)
        return TemplateError(
            f"{self.where}：单元格 {coordinate} 中的 {{% %}} 只能用于整行循环"
            "（行首单元格写 {% for r in rows %}）；条件请写成表达式，"
            f"如 {{{{ '是' if r.met else '否' }}}}。{LOOP_HINT}"
        )

    def _text(self, source: str, scope: dict[str, Any], coordinate: str) -> str:
        try:
            return self.env.from_string(source).render(scope)  # type: ignore[no-any-return]
        except Exception as exc:
            raise explain(exc, f"{self.where}（单元格 {coordinate}）") from None

    def _lookup(self, names: tuple[str, ...], scope: dict[str, Any]) -> Any:
        """``a.b.c`` over plain dicts without Jinja (the common case, fast)."""
        value: Any = scope
        for n, name in enumerate(names):
            if isinstance(value, dict) and name in value:
                value = value[name]
                continue
            if value is None and n > 0:
                return None
            if not isinstance(value, dict):
                return self._eval(".".join(names), scope)
            row = self.loop_rows.get(names[0]) if n == 0 else None
            if row is not None:
                raise TemplateError(
                    f"{self.where}中的「{names[0]}」是第 {row} 行循环的变量，只能在该行内使用。"
                    + LOOP_HINT
                )
            raise TemplateError(
                f"{self.where}中的字段「{'.'.join(names[: n + 1])}」不存在。"
                "可用 `omw template-fields 表单类型` 查看可用的字段名。"
            )
        return value

    def _eval(self, expr: str, scope: dict[str, Any]) -> Any:
        try:
            return self.env.expression(expr)(**scope)
        except Exception as exc:
            raise explain(exc, self.where) from None


def loop_error(where: str, coordinate: str, text: str) -> TemplateError:
    """The refusal of a Word-style loop tag (``{% endfor %}``, ``{%tr … %}``) in a cell."""
    tag = _END.search(text) or _WORD_TAG.search(text)
    shown = tag.group(0) if tag is not None else text.strip()[:40]
    return TemplateError(
        f"{where}：单元格 {coordinate} 中的 “{shown}” 不能用于 Excel 模板。{LOOP_HINT}"
    )


def loop_items(items: Any, expr: str, where: str) -> list[Any] | tuple[Any, ...]:
    """What a row loop runs over: None as no rows, else a list or tuple of at most MAX_ROWS."""
    if items is None:
        items = []
    if not isinstance(items, list | tuple):
        raise TemplateError(f"{where}：循环“{expr}”的对象不是列表。")
    if len(items) > MAX_ROWS:
        raise TemplateError(f"{where}：循环行数过多。")
    return items


def loop_scope(
    context: dict[str, Any], name: str, n: int, length: int, item: Any
) -> dict[str, Any]:
    scope = dict(context)
    scope[name] = item
    scope["loop"] = {
        "index": n + 1,
        "index0": n,
        "first": n == 0,
        "last": n == length - 1,
        "length": length,
    }
    return scope


def column_px(width: float | None) -> int:
    """A column's width in pixels at 96 dpi (Excel's rule for the default font)."""
    return int((width or DEFAULT_COLUMN_WIDTH) * 7 + 5)


def picture_box(
    widths: list[tuple[int, int, float | None]], first: int, last: int, height_pt: float | None
) -> tuple[float, float]:
    """The room (pixels) of the cells ``first``..``last`` of a row, less a small margin."""
    total = 0
    for col in range(first, last + 1):
        width = next((w for lo, hi, w in widths if lo <= col <= hi), None)
        total += column_px(width)
    return total - PICTURE_MARGIN, (height_pt or DEFAULT_ROW_HEIGHT) * 96 / 72 - PICTURE_MARGIN


def picture_px(
    width_mm: float, height_mm: float | None, ratio: float, box: tuple[float, float] | None
) -> tuple[float, float]:
    """A picture's size in pixels: as asked, shrunk (keeping its shape) to fit its cells."""
    width = width_mm / 25.4 * 96
    height = (height_mm / 25.4 * 96) if height_mm else width * ratio
    if box is not None and width > 0 and height > 0:
        scale = min(1.0, box[0] / width, box[1] / height)
        if scale > 0:
            width, height = width * scale, height * scale
    return width, height


def text_width_pt(text: str, size: float) -> float:
    """How wide ``text`` prints at ``size`` points (estimate, see :data:`LINE_SPACING`).

    Characters from U+2E80 (CJK) count a full em, others :data:`NARROW`; counted by
    the regular expression engine (a loop over the characters took 2.5× as long, for
    every wrapped cell of an archive).
    """
    narrow = len(text) if text.isascii() else len("".join(_NARROW_RUNS.findall(text)))
    return (len(text) - narrow + narrow * NARROW) * size


def wrapped_height(cells: list[tuple[str, float, float]]) -> float | None:
    """The height (points) a row needs for its wrapped cells, None for a single line.

    ``cells`` are (text, font size in points, cell width in points) of the row's
    cells with wrapping on. Lines per cell: each paragraph's estimated print
    width (:func:`text_width_pt`) over the usable width, rounded up; the row is
    as high as its tallest cell, at most Excel's 409 pt.
    """
    tallest = 0.0
    for text, size, width in cells:
        usable = max((width - CELL_PADDING_PT) * LINE_FILL, size)
        lines = 0
        for paragraph in text.split("\n"):
            need = text_width_pt(paragraph, size)
            lines += max(1, -int(-need // usable))
        if lines > 1:
            tallest = max(tallest, lines * size * LINE_SPACING + ROW_PADDING_PT)
    if not tallest:
        return None
    return min(MAX_ROW_HEIGHT, round(tallest * 4) / 4)


def cell_widths_pt(
    cols: list[tuple[int, list[int]]],
    merges: list[tuple[int, int, int, int]],
    widths: list[tuple[int, int, float | None]],
) -> dict[tuple[int, int], float]:
    """The printed width (points) of cells (row, [columns]), over the merged cells of their row."""
    spans = {(r0, c0): c1 for r0, c0, r1, c1 in merges if r0 == r1}
    found = {}
    for index, columns in cols:
        for col in columns:
            total = 0
            for c in range(col, spans.get((index, col), col) + 1):
                total += column_px(next((w for lo, hi, w in widths if lo <= c <= hi), None))
            found[(index, col)] = total * 0.75
    return found


def fill_header(text: str, render: Any) -> str:
    """A header/footer text with each ``{{ … }}`` rendered by ``render`` (``&`` doubled)."""
    return _HEADER_FIELD.sub(lambda m: str(render(m.group(0))).replace("&", "&&"), text)


def chart_reach(
    col: int, row: int, cx: int, cy: int, col_width: Any, row_height: Any
) -> tuple[int, int]:
    """The last (column, row), 1-based, a chart at (``col``, ``row``) of ``cx``×``cy`` EMU covers.

    ``col_width(c)`` is a column's width in characters, ``row_height(r)`` a row's in points.
    """
    last_col, left = col, cx
    while left > column_px(col_width(last_col)) * 9525 and last_col < col + 1000:
        left -= column_px(col_width(last_col)) * 9525
        last_col += 1
    last_row, left = row, cy
    while left > row_height(last_row) * 12700 and last_row < row + 10_000:
        left -= int(row_height(last_row) * 12700)
        last_row += 1
    return last_col, last_row


def sheet_boxes(
    rows: list[tuple[int, list[int], float | None]],
    merges: list[tuple[int, int, int, int]],
    widths: list[tuple[int, int, float | None]],
) -> dict[tuple[int, int], tuple[float, float]]:
    """Picture boxes of a sheet's cells: (row, [columns], height) → {(row, col): box}."""
    spans = {(r0, c0): c1 for r0, c0, r1, c1 in merges if r0 == r1}
    return {
        (index, col): picture_box(widths, col, spans.get((index, col), col), height)
        for index, cols, height in rows
        for col in cols
    }


# --------------------------------------------------------------------------- cell names

_COORDINATE = re.compile(r"^[$]?([A-Za-z]{1,3})[$]?(\d+)$")


def column_letter(index: int) -> str:
    """A column's letters from its 1-based index (1 → ``A``, 27 → ``AA``)."""
    if not 1 <= index <= 18278:
        raise ValueError(f"列号超出范围：{index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A column's 1-based index from its letters (``AA`` → 27)."""
    index = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"列名无效：{letters}")
        index = index * 26 + ord(ch) - 64
    if not 0 < index < 18279:
        raise ValueError(f"列名无效：{letters}")
    return index


def split_coordinate(ref: str) -> tuple[str, int]:
    """``B12`` (or ``$B$12``) → (``B``, 12)."""
    match = _COORDINATE.match(ref)
    if not match or not int(match.group(2)):
        raise ValueError(f"单元格坐标无效：{ref}")
    return match.group(1), int(match.group(2))


def quote_sheetname(name: str) -> str:
    """A sheet's name as a formula names it: always quoted, quotes doubled."""
    return "'{}'".format(name.replace("'", "''"))


def unique_sheet_name(names: list[str], wanted: str) -> str:
    """``wanted``, or ``wanted`` + the next number if a sheet has that name (any case)."""
    if not any(n.lower() == wanted.lower() for n in names):
        return wanted
    pattern = re.compile(f"(?P<title>{re.escape(wanted)})(?P<count>\\d*),?", re.I)
    counts = [int(n) for _title, n in pattern.findall(",".join(names)) if n.isdigit()]
    return f"{wanted}{max(counts, default=0) + 1}"


# --------------------------------------------------------------------------- native charts

#: A native chart's size (cm), as placed on the sheet.
CHART_WIDTH_CM = 16
CHART_HEIGHT_CM = 7.5
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_LINE = f'<spPr><a:ln xmlns:a="{_A}"><a:prstDash val="solid"/></a:ln></spPr>'


def _reference(sheet: str, col: int, first: int, last: int) -> str:
    letter = column_letter(col)
    if first == last:
        return f"{sheet}!${letter}${first}"
    return f"{sheet}!${letter}${first}:${letter}${last}"


def chart_xml(chart: Any, sheet: str, top: int) -> bytes:
    """The native chart of ``chart``, its data at row ``top`` of ``sheet``, as chart XML.

    The data is laid out as :mod:`~app.export.xlsx_fast` writes it: the title at
    row ``top``, the series names at ``top + 1``, the categories in column A below
    them and each series in its own column from B. Byte for byte what openpyxl
    writes for :func:`app.export.xlsx_render.excel_chart` (a line or clustered bar
    chart, percent axis 0–100 %, a legend for more than one series).
    """
    n = len(chart.categories)
    name = quote_sheetname(sheet)
    texts: list[str] = []  # of the <a:t> and <f> elements, in document order
    series = ""
    if n:
        cats = _reference(name, 1, top + 2, top + 1 + n)
        for i in range(len(chart.series)):
            col = 2 + i
            marker = f'<marker><symbol val="none"/>{_LINE}</marker>' if chart.kind == "line" else ""
            series += (
                f'<ser><idx val="{i}"/><order val="{i}"/><tx><strRef><f/></strRef></tx>'
                f"{_LINE}{marker}<cat><numRef><f/></numRef></cat><val><numRef><f/></numRef></val>"
                "</ser>"
            )
            values = _reference(name, col, top + 2, top + 1 + n)
            texts += [f"{name}!{column_letter(col)}{top + 1}", cats, values]
    axes = '<axId val="10"/><axId val="100"/>'
    if chart.kind == "line":
        plot = f'<lineChart><grouping val="standard"/>{series}{axes}</lineChart>'
    else:
        plot = (
            '<barChart><barDir val="col"/><grouping val="clustered"/>'
            f'{series}<gapWidth val="150"/>{axes}</barChart>'
        )
    scaling = '<orientation val="minMax"/>'
    number = ""
    if chart.percent:
        scaling += '<max val="1"/><min val="0"/>'
        number = '<numFmt formatCode="0%" sourceLinked="0"/>'
    ticks = '<axPos val="l"/>{}<majorTickMark val="none"/><minorTickMark val="none"/>'
    title = ""
    if chart.title is not None:
        lines = chart.title.split("\n")
        paragraph = f'<a:p xmlns:a="{_A}"><a:pPr><a:defRPr/></a:pPr><a:r><a:t/></a:r></a:p>'
        title = (
            f'<title><tx><rich><a:bodyPr xmlns:a="{_A}"/>{paragraph * len(lines)}</rich></tx>'
            "</title>"
        )
        texts = lines + texts
    legend = '<legend><legendPos val="r"/></legend>' if len(chart.series) > 1 else ""
    root = etree.fromstring(
        f'<chartSpace xmlns="{_C}"><chart>{title}<plotArea>{plot}'
        f'<catAx><axId val="10"/><scaling><orientation val="minMax"/></scaling>{ticks.format("")}'
        '<crossAx val="100"/><lblOffset val="100"/></catAx>'
        f'<valAx><axId val="100"/><scaling>{scaling}</scaling>'
        f'{ticks.format("<majorGridlines/>" + number)}<crossAx val="10"/></valAx>'
        f'</plotArea>{legend}<plotVisOnly val="1"/><dispBlanksAs val="gap"/></chart></chartSpace>'
    )
    # the text set as openpyxl sets it (escaped, or refused, by lxml alike)
    for element, text in zip(root.iter(f"{{{_A}}}t", f"{{{_C}}}f"), texts, strict=True):
        element.text = text
    return etree.tostring(root)  # type: ignore[no-any-return]
