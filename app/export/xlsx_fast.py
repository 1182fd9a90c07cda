"""Filling the built-in Excel templates fast: the worksheet XML is written directly.

Same template conventions and the same results as :class:`~app.export.xlsx_render.ExcelTemplate`
(openpyxl) — the cell language is shared (:class:`~app.export.xlsx_render.Filler`)
and the tests compare both engines cell by cell — but without loading and
saving a workbook object model for every file:

- **Compile** (once per template file and process): the package is read, each
  worksheet split around its ``<sheetData>``, ``<mergeCells>`` and
  ``<dimension>``; every row becomes a list of cells, each either fixed (its
  XML made once, only the row number varies) or a compiled placeholder. The
  cell styles a value may need — a date or time format for a "General" cell,
  Excel's quote prefix for text that starts like a formula, a percent format
  for chart data — are added to ``styles.xml`` once, so the stylesheet is a
  fixed part too.
- **Render**: rows are written as text (loop rows once per element, the rows
  below moved down with their merged cells and heights), the print area and
  dimension stretched over the rows written; pictures and native charts are
  anchored in a drawing part, chart data goes to a hidden ``图表数据`` sheet;
  a row with wrapped text gets the height its lines need, the print area
  reaches over the charts, and ``{{ … }}`` in headers and footers is filled
  (all as :mod:`~app.export.xlsx_render` does).
  Unchanged parts are copied already compressed
  (:class:`~app.export.ooxml.ZipWriter`).

A workbook using something this writer does not reproduce (formulas, existing
drawings or comments, tables, row formats) raises :class:`Unsupported` at
compile time, and the renderer fills it with openpyxl instead. Client
templates always go through openpyxl (see :mod:`app.export.render`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lxml import etree

from app.export import ooxml
from app.export.context import FormContext
from app.export.errors import TemplateError
from app.export.sandbox import ChartValue, Picture, SandboxEnv, explain, to_template
from app.export.xlsx_cells import (
    _ANY,
    _FOR,
    CHART_HEIGHT_CM,
    CHART_SHEET,
    CHART_WIDTH_CM,
    DATE_FORMAT,
    DEFAULT_ROW_HEIGHT,
    TIME_FORMAT,
    Filler,
    _pictured,
    cell_widths_pt,
    chart_reach,
    chart_xml,
    column_index,
    column_letter,
    fill_header,
    loop_items,
    loop_scope,
    neutral,
    picture_px,
    quote_sheetname,
    sheet_boxes,
    split_coordinate,
    unique_sheet_name,
    wrapped_height,
)

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_X = "{%s}" % _NS  # noqa: UP031 - a Clark-notation prefix
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
RT_SHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
RT_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
RT_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
PERCENT_FORMAT = "0.0%"
EPOCH = datetime(1899, 12, 30)
#: Worksheet children a drawing reference must precede (schema order).
_AFTER_DRAWING = (
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
_UNSUPPORTED = ("drawing", "legacyDrawing", "tableParts", "oleObjects", "controls")
_ROW_ATTRS = {"r", "spans", "ht", "customHeight", "dyDescent"}
_XML_ESCAPE = re.compile("[&<>\r]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


class Unsupported(Exception):
    """The workbook uses something only the openpyxl engine reproduces."""


def _esc(text: str) -> str:
    if _XML_ESCAPE.search(text) is None:
        return text
    return _XML_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _serial(value: date | datetime) -> str:
    """Excel's 1900 serial number, as openpyxl writes it."""
    dt = value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
    days = (dt - EPOCH).days
    if 0 < days <= 60:
        days -= 1
    fraction = (dt.hour * 3600 + dt.minute * 60 + dt.second + dt.microsecond / 10**6) / 86400
    return "%.16g" % (days + fraction)  # openpyxl's number format


def _number(value: float | int) -> str:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return ""
    return "%.16g" % value  # noqa: UP031


# --------------------------------------------------------------------------- styles


class _Styles:
    """``styles.xml`` with the cell-format variants values may need, added once."""

    def __init__(self, data: bytes) -> None:
        self.root = etree.fromstring(data, ooxml.SAFE_PARSER)
        self.xfs = self.root.find(_X + "cellXfs")
        if self.xfs is None:
            raise Unsupported("no cellXfs")
        self.formats: dict[int, str] = {}
        numfmts = self.root.find(_X + "numFmts")
        if numfmts is not None:
            for el in numfmts.findall(_X + "numFmt"):
                self.formats[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        self.count = len(self.xfs.findall(_X + "xf"))
        self._variants: dict[tuple[int, str], int] = {}

    def wrap_size(self, s: int) -> float | None:
        """The font size of style ``s`` when it wraps text, else None."""
        xf = self._xf(s)
        if xf is None:
            return None
        alignment = xf.find(_X + "alignment")
        if alignment is None or alignment.get("wrapText") not in ("1", "true"):
            return None
        fonts = self.root.find(_X + "fonts")
        found = fonts.findall(_X + "font") if fonts is not None else []
        fid = int(xf.get("fontId", "0"))
        sz = found[fid].find(_X + "sz") if 0 <= fid < len(found) else None
        return float(sz.get("val", "11")) if sz is not None else 11.0

    def general(self, s: int) -> bool:
        xf = self._xf(s)
        fid = int(xf.get("numFmtId", "0")) if xf is not None else 0
        return fid == 0 or self.formats.get(fid) == "General"

    def _xf(self, s: int) -> Any:
        xfs = self.xfs.findall(_X + "xf")
        return xfs[s] if 0 <= s < len(xfs) else None

    def _format_id(self, code: str) -> int:
        for fid, existing in self.formats.items():
            if existing == code:
                return fid
        fid = max([163, *self.formats]) + 1
        numfmts = self.root.find(_X + "numFmts")
        if numfmts is None:
            numfmts = etree.Element(_X + "numFmts")
            self.root.insert(0, numfmts)
        el = etree.SubElement(numfmts, _X + "numFmt")
        el.set("numFmtId", str(fid))
        el.set("formatCode", code)
        numfmts.set("count", str(len(numfmts)))
        self.formats[fid] = code
        return fid

    def variant(self, s: int, what: str) -> int:
        """Style ``s`` with a number format (a format code) or ``"quote"`` (quote prefix)."""
        key = (s, what)
        found = self._variants.get(key)
        if found is not None:
            return found
        base = self._xf(s)
        xf = copy.deepcopy(base) if base is not None else etree.Element(_X + "xf")
        if base is None:
            for attr in ("numFmtId", "fontId", "fillId", "borderId", "xfId"):
                xf.set(attr, "0")
        if what == "quote":
            xf.set("quotePrefix", "1")
        else:
            xf.set("numFmtId", str(self._format_id(what)))
            xf.set("applyNumberFormat", "1")
        self.xfs.append(xf)
        self.xfs.set("count", str(len(self.xfs.findall(_X + "xf"))))
        index = self.count
        self.count += 1
        self._variants[key] = index
        return index

    def prepare(self, s: int) -> tuple[int, int, int]:
        """(date style, time style, quote style) for a cell of style ``s``."""
        general = self.general(s)
        return (
            self.variant(s, DATE_FORMAT) if general else s,
            self.variant(s, TIME_FORMAT) if general else s,
            self.variant(s, "quote"),
        )

    def bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- compiled sheets


@dataclass
class _Cell:
    col: int
    letter: str
    style: int
    value: Any = None  # fixed cells: their typed value; placeholders: the text
    plan: tuple[str, Any] | None = None  # placeholders only
    fixed: str | None = None  # fixed cells: the XML after r="…"
    variants: tuple[int, int, int] = (0, 0, 0)
    wrap: float | None = None  # the font size when the cell wraps text
    width_pt: float = 0.0  # its printed width, over the merged cells of its row
    text: str | None = None  # fixed cells: the text printed (None for numbers, dates)


@dataclass
class _Row:
    index: int
    cells: list[_Cell]
    height: str | None
    loop: tuple[str, str] | None


@dataclass
class _Sheet:
    name: str
    part: str
    position: int
    templated: bool
    head: str = ""
    #: what goes between the fixed texts: ("data" | "merges" | "dim" | "drawing", text after)
    parts: list[tuple[str, str]] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    rels: list[ooxml.Rel] = field(default_factory=list)
    boxes: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)
    widths: list[tuple[int, int, float]] = field(default_factory=list)
    #: marker in the fixed texts → the header/footer text with ``{{ … }}`` it stands for
    headers: dict[str, str] = field(default_factory=dict)


class FastExcelTemplate(Filler):
    """A built-in .xlsx template compiled for direct XML output (see the module docstring)."""

    def __init__(self, data: bytes, env: SandboxEnv, where: str) -> None:
        super().__init__(env, where)
        self.data = data
        try:
            self._compile()
        except (Unsupported, TemplateError):
            raise
        except (ValueError, KeyError, IndexError, etree.XMLSyntaxError) as exc:
            raise TemplateError(
                f"{self.where}已损坏，无法作为 Excel 工作簿打开（{exc}）。"
            ) from None

    # ------------------------------------------------------------------ compiling

    def _compile(self) -> None:
        pkg = self.package = ooxml.Package(self.data)
        book = pkg.main_part()
        if book is None or pkg.read(book) is None:
            raise ValueError("缺少工作簿")
        self.book = book
        self.book_rels = pkg.rels(book)
        by_id = {r.id: r for r in self.book_rels}
        styles_rel = next((r for r in self.book_rels if r.type == RT_STYLES), None)
        if styles_rel is None:
            raise Unsupported("no styles")
        self.styles_part = ooxml.resolve(book, styles_rel.target)
        styles = _Styles(pkg.read(self.styles_part) or b"")
        self.book_root = etree.fromstring(pkg.read(book), ooxml.SAFE_PARSER)
        sst = self._shared_strings()
        self.sheets: list[_Sheet] = []
        names = set(pkg.by_name)
        if any(n.startswith(("xl/drawings/", "xl/charts/", "xl/media/")) for n in names):
            raise Unsupported("drawings")
        sheets_el = self.book_root.find(_X + "sheets")
        for position, el in enumerate(sheets_el.findall(_X + "sheet")):
            rel = by_id.get(el.get(f"{{{_RNS}}}id", ""))
            if rel is None or rel.type != RT_SHEET:
                raise Unsupported("not a worksheet")
            part = ooxml.resolve(book, rel.target)
            self.sheets.append(self._sheet(el.get("name", ""), part, position, styles, sst))
        self.print_areas: dict[int, Any] = {}
        names_el = self.book_root.find(_X + "definedNames")
        if names_el is not None:
            for dn in names_el.findall(_X + "definedName"):
                if dn.get("name") == "_xlnm.Print_Area" and dn.get("localSheetId") is not None:
                    self.print_areas[int(dn.get("localSheetId"))] = dn
        self.percent_style = styles.variant(0, PERCENT_FORMAT)
        self.zero_variants = styles.prepare(0)
        self.styles = ooxml.Entry(self.styles_part, styles.bytes(), ooxml.FIXED_TIME)
        self.sheet_ids = [int(el.get("sheetId", "0")) for el in sheets_el.findall(_X + "sheet")]

    def _shared_strings(self) -> list[str]:
        part = next(
            (
                ooxml.resolve(self.book, r.target)
                for r in self.book_rels
                if r.type.endswith("/sharedStrings")
            ),
            None,
        )
        data = self.package.read(part) if part else None
        if data is None:
            return []
        root = etree.fromstring(data, ooxml.SAFE_PARSER)
        return [_text_of(si) for si in root.findall(_X + "si")]

    def _sheet(
        self, name: str, part: str, position: int, styles: _Styles, sst: list[str]
    ) -> _Sheet:
        data = self.package.read(part)
        if data is None:
            raise ValueError(f"缺少工作表 {part}")
        root = etree.fromstring(data, ooxml.SAFE_PARSER)
        for tag in _UNSUPPORTED:
            if root.find(_X + tag) is not None:
                raise Unsupported(tag)
        sheet = _Sheet(name, part, position, templated=False, rels=self.package.rels(part))
        sheet_data = root.find(_X + "sheetData")
        if sheet_data is None:
            raise Unsupported("no sheetData")
        sheet.rows = self._rows(sheet, sheet_data, styles, sst)
        merges_el = root.find(_X + "mergeCells")
        if merges_el is not None:
            sheet.merges = _merge_ranges(merges_el)
        if not sheet.templated:
            return sheet
        sheet.widths = _column_widths(root)
        sheet.boxes = sheet_boxes(
            [
                (r.index, [c.col for c in r.cells if _pictured(c.value)], _float(r.height))
                for r in sheet.rows
            ],
            sheet.merges,
            sheet.widths,
        )
        widths = cell_widths_pt(
            [(r.index, [c.col for c in r.cells if c.wrap]) for r in sheet.rows],
            sheet.merges,
            sheet.widths,
        )
        for r in sheet.rows:
            for c in r.cells:
                c.width_pt = widths.get((r.index, c.col), 0.0)
        hf = root.find(_X + "headerFooter")
        for n, el in enumerate(hf if hf is not None else []):
            if el.text and "{{" in el.text:
                marker = f"omw-header-{n}-omw"
                sheet.headers[marker] = el.text
                el.text = marker
        sheet.head, sheet.parts = _split_at_parts(root, sheet_data, merges_el)
        return sheet

    def _rows(self, sheet: _Sheet, sheet_data: Any, styles: _Styles, sst: list[str]) -> list[_Row]:
        """The compiled rows of ``<sheetData>`` (a row without ``r`` follows the one before)."""
        rows: list[_Row] = []
        for row_el in sheet_data.findall(_X + "row"):
            if any(etree.QName(a).localname not in _ROW_ATTRS for a in row_el.attrib):
                raise Unsupported("row formats")
            index = int(row_el.get("r") or (rows[-1].index + 1 if rows else 1))
            cells, loop = self._cells(sheet, row_el, styles, sst)
            rows.append(_Row(index, cells, row_el.get("ht"), loop))
        return rows

    def _cells(
        self, sheet: _Sheet, row_el: Any, styles: _Styles, sst: list[str]
    ) -> tuple[list[_Cell], tuple[str, str] | None]:
        """A row's cells, each fixed XML or a compiled placeholder, and the row's loop.

        A placeholder marks the sheet templated. A row loops when its first
        non-empty cell starts with ``{% for x in … %}`` (the tag is taken off
        the cell). Empty cells without a style are left out. The cell styles a
        value may need are added to ``styles`` here, in the order of the cells.
        """
        cells: list[_Cell] = []
        loop = None
        col = 0
        for c in row_el.findall(_X + "c"):
            ref = c.get("r")
            col = column_index(split_coordinate(ref)[0]) if ref else col + 1
            value = _value_of(c, sst)
            style = int(c.get("s", "0"))
            if value is None and style == 0:
                continue
            if isinstance(value, str) and _ANY.search(value):
                sheet.templated = True
                if loop is None and not any(x.value not in (None, "") for x in cells):
                    match = _FOR.match(value)
                    if match:
                        loop = (match.group(1), match.group(2))
                        value = value[match.end() :] or None
            cell = _Cell(col, column_letter(col), style, value, wrap=styles.wrap_size(style))
            if isinstance(value, str) and _ANY.search(value):
                cell.plan = self._plan(value)
                cell.variants = styles.prepare(style)
            else:
                variants = styles.prepare(style) if isinstance(value, str | date) else None
                cell.fixed = _fixed(value, style, variants)
                cell.text = _printed(value)
            cells.append(cell)
        return cells, loop

    # ------------------------------------------------------------------ rendering

    def render(self, ctx: FormContext, plain: dict[str, Any] | None = None) -> bytes:
        context = plain if plain is not None else to_template(ctx)
        run = _Run(self)
        try:
            out = {s.part: self._render_sheet(s, context, run) for s in self.sheets if s.templated}
        except TemplateError:
            raise
        except Exception as exc:
            raise explain(exc, self.where) from None
        return run.write(out)

    def _render_sheet(self, sheet: _Sheet, context: dict[str, Any], run: _Run) -> bytes:
        rows_xml: list[str] = []
        offset = 0
        mapping: dict[int, list[int]] = {}
        bounds = _Bounds()
        by_index = {r.index: r for r in sheet.rows}
        last = max((r.index for r in sheet.rows), default=0)
        run.heights = {}
        for index in range(1, last + 1):
            row = by_index.get(index)
            if row is None:
                mapping[index] = [index + offset]
                continue
            if row.loop is None:
                target = index + offset
                rows_xml.append(self._row(sheet, row, target, context, None, run, bounds))
                mapping[index] = [target]
                continue
            name, expr = row.loop
            items = loop_items(self._eval(expr, context), expr, self.where)
            length = len(items)
            targets = []
            for n, item in enumerate(items):
                local = (name, n, length, item)
                target = index + offset + n
                rows_xml.append(self._row(sheet, row, target, context, local, run, bounds))
                targets.append(target)
            mapping[index] = targets
            offset += length - 1
        merges = []
        for min_row, min_col, max_row, max_col in sheet.merges:
            first, last_ = mapping.get(min_row), mapping.get(max_row)
            if not first or not last_:
                continue
            if min_row == max_row:
                merges += [(t, min_col, t, max_col) for t in first]
            else:
                merges.append((first[0], min_col, last_[-1], max_col))
        for r0, c0, r1, c1 in merges:
            bounds.add(r0, c0)
            bounds.add(r1, c1)
        body = "".join(rows_xml)
        head, parts = sheet.head, sheet.parts
        if sheet.headers:
            filled = {
                marker: _esc(fill_header(text, lambda src: self._text(src, context, "页眉页脚")))
                for marker, text in sheet.headers.items()
            }

            def fill(text: str) -> str:
                for marker, value in filled.items():
                    text = text.replace(marker, value)
                return text

            head, parts = fill(head), [(what, fill(text)) for what, text in parts]
        out = [head]
        for what, text in parts:
            if what == "data":
                out.append(f"<sheetData>{body}</sheetData>" if body else "<sheetData/>")
            elif what == "merges":
                if merges:
                    refs = "".join(f'<mergeCell ref="{_range(*m)}"/>' for m in merges)
                    out.append(f'<mergeCells count="{len(merges)}">{refs}</mergeCells>')
            elif what == "dim":
                out.append(f'<dimension ref="{bounds.ref()}"/>')
            elif what == "drawing":
                rid = run.drawing_rel(sheet)
                if rid:
                    out.append(f'<drawing xmlns:r="{_RNS}" r:id="{rid}"/>')
            out.append(text)
        if sheet.position in self.print_areas:
            last_col, last_row = max(bounds.max_col, 1), max(bounds.max_row, 1)
            heights = run.heights
            for anchor in run.anchors.get(sheet.part, ([], []))[0]:
                reach = chart_reach(
                    anchor.col + 1,
                    anchor.row + 1,
                    anchor.cx,
                    anchor.cy,
                    lambda c: next((w for lo, hi, w in sheet.widths if lo <= c <= hi), None),
                    lambda r: heights.get(r, DEFAULT_ROW_HEIGHT),
                )
                last_col, last_row = max(last_col, reach[0]), max(last_row, reach[1])
            run.print_areas[sheet.position] = (
                f"{quote_sheetname(sheet.name)}!$A$1:${column_letter(last_col)}${last_row}"
            )
        return "".join(out).encode("utf-8")

    def _row(
        self,
        sheet: _Sheet,
        row: _Row,
        target: int,
        context: dict[str, Any],
        local: tuple[str, int, int, Any] | None,
        run: _Run,
        bounds: _Bounds,
    ) -> str:
        cells = []
        t = str(target)
        scope: dict[str, Any] | None = None
        wrapped: list[tuple[str, float, float]] = []
        for cell in row.cells:
            bounds.add(target, cell.col)
            if cell.fixed is not None:
                cells.append(f'<c r="{cell.letter}{t}"{cell.fixed}')
                if cell.wrap and cell.text is not None:
                    wrapped.append((cell.text, cell.wrap, cell.width_pt))
                continue
            how, what = cell.plan  # type: ignore[misc]
            if how == "path":
                value = self._path(what, context, local)
                if value is _SLOW:
                    scope = scope or self._scope(context, local)
                    value = self._lookup(what, scope)
            elif how == "expr":
                scope = scope or self._scope(context, local)
                value = self._eval(what, scope)
            elif how == "bad":
                raise self._bad(f"{cell.letter}{t}")
            else:
                scope = scope or self._scope(context, local)
                value = self._text(what, scope, f"{cell.letter}{t}")
            if isinstance(value, Picture):
                run.picture(sheet, cell.col, target, value, sheet.boxes.get((row.index, cell.col)))
                value = None
            elif isinstance(value, ChartValue):
                run.chart(sheet, cell.col, target, value)
                value = None
            cells.append(_cell(f"{cell.letter}{t}", cell.style, value, cell.variants))
            if cell.wrap:
                text = _printed(value)
                if text is not None:
                    wrapped.append((text, cell.wrap, cell.width_pt))
        ht = row.height
        fitted = wrapped_height(wrapped) if wrapped else None
        if fitted is not None and fitted > (_float(ht) or 0.0):
            ht = repr(fitted)
        if ht is not None:
            run.heights[target] = float(ht)
        height = f' ht="{ht}" customHeight="1"' if ht is not None else ""
        if not cells and not height:
            return ""
        return f'<row r="{t}"{height}>{"".join(cells)}</row>'

    @staticmethod
    def _scope(context: dict[str, Any], local: tuple[str, int, int, Any] | None) -> dict[str, Any]:
        if local is None:
            return context
        name, n, length, item = local
        return loop_scope(context, name, n, length, item)

    @staticmethod
    def _path(
        names: tuple[str, ...], context: dict[str, Any], local: tuple[str, int, int, Any] | None
    ) -> Any:
        """``a.b.c`` over plain dicts; :data:`_SLOW` when :meth:`Filler._lookup` must decide."""
        first = names[0]
        if local is not None and first == local[0]:
            value = local[3]
        elif local is not None and first == "loop":
            return _SLOW
        elif first in context:
            value = context[first]
        else:
            return _SLOW
        for name in names[1:]:
            if type(value) is dict and name in value:
                value = value[name]
            elif value is None:
                return None
            else:
                return _SLOW
        return value


_SLOW = object()


class _Bounds:
    __slots__ = ("max_col", "max_row", "min_col", "min_row")

    def __init__(self) -> None:
        self.min_row = self.min_col = 1 << 30
        self.max_row = self.max_col = 0

    def add(self, row: int, col: int) -> None:
        if row < self.min_row:
            self.min_row = row
        if row > self.max_row:
            self.max_row = row
        if col < self.min_col:
            self.min_col = col
        if col > self.max_col:
            self.max_col = col

    def ref(self) -> str:
        if not self.max_row:
            return "A1:A1"
        return (
            f"{column_letter(self.min_col)}{self.min_row}:"
            f"{column_letter(self.max_col)}{self.max_row}"
        )


def _range(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{column_letter(c0)}{r0}:{column_letter(c1)}{r1}"


def _float(value: str | None) -> float | None:
    return float(value) if value is not None else None


def _merge_ranges(merges_el: Any) -> list[tuple[int, int, int, int]]:
    """The ``<mergeCell>`` ranges as (first row, first column, last row, last column)."""
    merges = []
    for m in merges_el.findall(_X + "mergeCell"):
        a, _, b = m.get("ref", "").partition(":")
        ca, ra = split_coordinate(a)
        cb, rb = split_coordinate(b or a)
        merges.append((ra, column_index(ca), rb, column_index(cb)))
    return merges


def _column_widths(root: Any) -> list[tuple[int, int, float]]:
    """(first column, last column, width) of each ``<col>`` of a worksheet."""
    widths = []
    cols_el = root.find(_X + "cols")
    if cols_el is not None:
        for col_el in cols_el.findall(_X + "col"):
            width = col_el.get("width")
            widths.append(
                (
                    int(col_el.get("min", "0")),
                    int(col_el.get("max", "0")),
                    float(width) if width is not None else 13.0,  # openpyxl's default
                )
            )
    return widths


def _split_at_parts(
    root: Any, sheet_data: Any, merges_el: Any | None
) -> tuple[str, list[tuple[str, str]]]:
    """The worksheet XML as fixed texts around the parts a render rewrites.

    ``<sheetData>``, ``<mergeCells>`` and ``<dimension>`` are cut out and a
    place for the ``<drawing>`` reference is marked (in schema order); returns
    the text before the first part and, per part, its name and the text after
    it. ``root`` is changed.
    """
    sheet_data.getparent().replace(sheet_data, etree.ProcessingInstruction("omw-data"))
    if merges_el is not None:
        merges_el.getparent().replace(merges_el, etree.ProcessingInstruction("omw-merges"))
    dimension = root.find(_X + "dimension")
    if dimension is not None:
        dimension.getparent().replace(dimension, etree.ProcessingInstruction("omw-dim"))
    after = next((root.find(_X + t) for t in _AFTER_DRAWING if root.find(_X + t) is not None), None)
    marker = etree.ProcessingInstruction("omw-drawing")
    if after is not None:
        after.addprevious(marker)
    else:
        root.append(marker)
    text = ooxml.XML_DECLARATION + etree.tostring(root, encoding="unicode")
    pieces = re.split(r"<\?omw-(data|merges|dim|drawing) \?>", text)
    order = pieces[1::2]
    if order.count("data") != 1 or order.count("drawing") != 1:
        raise Unsupported("layout")
    texts = pieces[0::2]
    return texts[0], list(zip(order, texts[1:], strict=True))


def _text_of(el: Any) -> str:
    """The text of an ``<is>`` / ``<si>``: its ``<t>``, or its runs' (not phonetic runs)."""
    parts = []
    for child in el:
        tag = etree.QName(child).localname
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            t = child.find(_X + "t")
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)


def _value_of(c: Any, sst: list[str]) -> Any:
    if c.find(_X + "f") is not None:
        raise Unsupported("formulas")
    kind = c.get("t", "n")
    if kind == "inlineStr":
        is_ = c.find(_X + "is")
        return _text_of(is_) if is_ is not None else None
    v = c.find(_X + "v")
    text = v.text if v is not None else None
    if text is None:
        return None
    if kind == "s":
        return sst[int(text)]
    if kind == "str":
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "n":
        return float(text) if any(ch in text for ch in ".eE") else int(text)
    raise Unsupported(f"cell type {kind}")


def _printed(value: Any) -> str | None:
    """The text a cell of ``value`` shows (as :func:`_cell` writes it); None for numbers, dates."""
    if value is None or isinstance(value, date | datetime):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return None
    if isinstance(value, list | tuple):
        value = "、".join(str(v) for v in value)
    return neutral(str(value))[0]


def _fixed(value: Any, style: int, variants: tuple[int, int, int] | None) -> str:
    """The XML of a fixed cell after ``<c r="…"``."""
    return _cell("", style, value, variants or (style, style, style))[len('<c r=""') :]


def _cell(ref: str, style: int, value: Any, variants: tuple[int, int, int]) -> str:
    """One cell, typed as :meth:`ExcelTemplate._assign` types it."""
    kind = type(value)
    if value is None:  # openpyxl leaves out a cell with neither value nor style
        return f'<c r="{ref}" s="{style}"/>' if style else ""
    if kind is bool:
        value = "是" if value else "否"
    elif kind is datetime:
        return f'<c r="{ref}" s="{variants[1]}" t="n"><v>{_serial(value)}</v></c>'
    elif kind is date:
        return f'<c r="{ref}" s="{variants[0]}" t="n"><v>{_serial(value)}</v></c>'
    elif kind is int or kind is float:
        s = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{s} t="n"><v>{_number(value)}</v></c>'
    elif isinstance(value, list | tuple):
        value = "、".join(str(v) for v in value)
    elif isinstance(value, int | float):
        s = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{s} t="n"><v>{_number(value)}</v></c>'
    text, prefix = neutral(str(value))
    s = variants[2] if prefix else style
    attr = f' s="{s}"' if s else ""
    if not text:  # as openpyxl writes an empty string: a text cell without a value
        return f'<c r="{ref}"{attr} t="inlineStr"/>'
    space = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
    return f'<c r="{ref}"{attr} t="inlineStr"><is><t{space}>{_esc(text)}</t></is></c>'


# --------------------------------------------------------------------------- one render


_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def _anchor(col: int, row: int, cx: int, cy: int, body: str) -> str:
    return (
        f"<oneCellAnchor><from><col>{col}</col><colOff>0</colOff><row>{row}</row>"
        f'<rowOff>0</rowOff></from><ext cx="{cx}" cy="{cy}"/>{body}<clientData/></oneCellAnchor>'
    )


def _image_xml(n: int, rid: str, descr: str) -> str:
    return (
        f'<pic><nvPicPr><cNvPr id="{n}" name="Image {n}" descr="{descr}"/><cNvPicPr/></nvPicPr>'
        f'<blipFill><a:blip {_A} xmlns:r="{_RNS}" cstate="print" r:embed="{rid}"/>'
        f"<a:stretch {_A}><a:fillRect/></a:stretch></blipFill>"
        f'<spPr><a:prstGeom {_A} prst="rect"/></spPr></pic>'
    )


def _chart_xml(n: int, rid: str) -> str:
    return (
        f'<graphicFrame><nvGraphicFramePr><cNvPr id="{n}" name="Chart {n}"/>'
        f"<cNvGraphicFramePr/></nvGraphicFramePr><xfrm/><a:graphic {_A}>"
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:r="{_RNS}" r:id="{rid}"/></a:graphicData></a:graphic></graphicFrame>'
    )


def _drawing_xml(anchors: list[_Anchor]) -> tuple[bytes, list[ooxml.Rel]]:
    """A drawing part holding ``anchors``, and its rels (one per distinct chart or image)."""
    body = []
    rels = []
    targets: dict[str, str] = {}
    for n, a in enumerate(anchors, start=1):
        rid = targets.get(a.target)
        if rid is None:
            rid = f"rId{len(targets) + 1}"
            targets[a.target] = rid
            kind = RT_CHART if a.kind == "chart" else ooxml.RT_IMAGE
            rels.append(ooxml.Rel(rid, kind, a.target))
        inner = _chart_xml(n, rid) if a.kind == "chart" else _image_xml(n, rid, a.descr)
        body.append(_anchor(a.col, a.row, a.cx, a.cy, inner))
    xml = (
        ooxml.XML_DECLARATION
        + '<wsDr xmlns="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">'
        + "".join(body)
        + "</wsDr>"
    ).encode("utf-8")
    return xml, rels


@dataclass
class _Anchor:
    kind: str  # image | chart
    col: int
    row: int
    cx: int
    cy: int
    target: str  # absolute part name
    descr: str = ""


_DATA_SHEET = (
    ooxml.XML_DECLARATION + f'<worksheet xmlns="{_NS}"><sheetPr><outlinePr summaryBelow="1" '
    'summaryRight="1"/><pageSetUpPr/></sheetPr><dimension ref="{dim}"/><sheetViews>'
    '<sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1"/></sheetView>'
    '</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>{data}'
    '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
    "</worksheet>"
)


class _Run:
    """One render: the drawings, media, chart data and print areas it makes."""

    def __init__(self, tpl: FastExcelTemplate) -> None:
        self.tpl = tpl
        self.print_areas: dict[int, str] = {}
        self.anchors: dict[str, tuple[list[_Anchor], list[_Anchor]]] = {}
        self.media: dict[str, str] = {}  # digest → part
        self.media_data: dict[str, bytes] = {}
        self.extensions: dict[str, str] = {}
        self.charts: dict[str, bytes] = {}  # part → XML
        self.drawings: dict[str, str] = {}  # sheet part → drawing part
        self.data_rows: list[str] = []
        self.data_row = 1
        self.data_bounds = _Bounds()
        names = {e.name for e in tpl.package.entries}
        self.taken = set(names)
        self.data_sheet: str | None = None
        self.data_name = CHART_SHEET
        self.heights: dict[int, float] = {}  # the sheet being written: row → height (pt)

    def _new_part(self, pattern: str) -> str:
        n = 1
        while pattern.format(n) in self.taken:
            n += 1
        name = pattern.format(n)
        self.taken.add(name)
        return name

    def _anchors(self, sheet: _Sheet) -> tuple[list[_Anchor], list[_Anchor]]:
        found = self.anchors.get(sheet.part)
        if found is None:
            found = ([], [])
            self.anchors[sheet.part] = found
            self.drawings[sheet.part] = self._new_part("xl/drawings/drawing{}.xml")
        return found

    def picture(
        self,
        sheet: _Sheet,
        col: int,
        row: int,
        picture: Picture,
        box: tuple[float, float] | None,
    ) -> None:
        import hashlib

        image = picture._image
        info = ooxml.image_info(image.data)
        ratio = (info.px_height / info.px_width) if info.px_width else 0.4
        width_px, height_px = picture_px(image.width_mm, image.height_mm, ratio, box)
        digest = hashlib.sha1(info.data).hexdigest()
        media = self.media.get(digest)
        if media is None:
            media = self._new_part("xl/media/image{}." + info.ext)
            self.media[digest] = media
            self.media_data[media] = info.data
            self.extensions[info.ext] = info.content_type
        descr = ooxml.text(image.caption or "Picture").replace('"', "&quot;")
        anchor = _Anchor(
            "image",
            col - 1,
            row - 1,
            int(width_px * 9525),
            int(height_px * 9525),
            "/" + media,
            descr,
        )
        self._anchors(sheet)[1].append(anchor)

    def chart(self, sheet: _Sheet, col: int, row: int, value: ChartValue) -> None:
        chart = value.chart
        if self.data_sheet is None:
            self.data_sheet = self._new_part("xl/worksheets/sheet{}.xml")
            existing = [s.name for s in self.tpl.sheets]
            self.data_name = unique_sheet_name(existing, CHART_SHEET)
        top = self.data_row
        tpl = self.tpl
        cells = [_cell(f"A{top}", 0, chart.title, tpl.zero_variants)]
        self.data_rows.append(f'<row r="{top}">{cells[0]}</row>')
        self.data_bounds.add(top, 1)
        names = "".join(
            _cell(f"{column_letter(2 + j)}{top + 1}", 0, name, tpl.zero_variants)
            for j, (name, _values) in enumerate(chart.series)
        )
        if chart.series:
            self.data_rows.append(f'<row r="{top + 1}">{names}</row>')
            self.data_bounds.add(top + 1, 1 + len(chart.series))
        style = tpl.percent_style if chart.percent else 0
        for i, cat in enumerate(chart.categories):
            r = top + 2 + i
            line = [_cell(f"A{r}", 0, cat, tpl.zero_variants)]
            for j, (_name, values) in enumerate(chart.series):
                line.append(_cell(f"{column_letter(2 + j)}{r}", style, values[i], (style,) * 3))
            self.data_rows.append(f'<row r="{r}">{"".join(line)}</row>')
            self.data_bounds.add(r, 1 + max(len(chart.series), 0))
        self.data_row = top + len(chart.categories) + 3
        part = self._new_part("xl/charts/chart{}.xml")
        self.charts[part] = chart_xml(chart, self.data_name, top)
        width, height = int(CHART_WIDTH_CM * 360_000), int(CHART_HEIGHT_CM * 360_000)
        anchor = _Anchor("chart", col - 1, row - 1, width, height, "/" + part)
        self._anchors(sheet)[0].append(anchor)

    def drawing_rel(self, sheet: _Sheet) -> str | None:
        if sheet.part not in self.anchors:
            return None
        taken = {r.id for r in sheet.rels}
        n = len(taken) + 1
        while f"rId{n}" in taken:
            n += 1
        return f"rId{n}"

    # ------------------------------------------------------------------ writing

    def write(self, rendered: dict[str, bytes]) -> bytes:
        """The filled workbook: the ``rendered`` sheets and what this run added to them."""
        new: dict[str, bytes] = {}
        overrides: dict[str, str] = {}
        self._write_drawings(new, overrides)
        for part, xml in self.charts.items():
            new[part] = xml
            overrides[part] = CT_CHART
        book = copy.deepcopy(self.tpl.book_root)
        book_rels = self._add_data_sheet(book, new, overrides)
        self._stretch_print_areas(book)
        book_xml = etree.tostring(book, xml_declaration=True, encoding="UTF-8", standalone=True)
        return self._package(rendered, new, overrides, book_xml, book_rels)

    def _write_drawings(self, new: dict[str, bytes], overrides: dict[str, str]) -> None:
        """A drawing part per sheet with pictures or charts, and the sheet's link to it."""
        for sheet in self.tpl.sheets:
            if sheet.part not in self.anchors:
                continue
            charts, images = self.anchors[sheet.part]
            drawing = self.drawings[sheet.part]
            rid = self.drawing_rel(sheet) or "rId1"
            rels = [*sheet.rels, ooxml.Rel(rid, RT_DRAWING, "/" + drawing)]
            new[ooxml.rels_name(sheet.part)] = ooxml.rels_xml(rels)
            xml, drawing_rels = _drawing_xml(charts + images)
            new[drawing] = xml
            new[ooxml.rels_name(drawing)] = ooxml.rels_xml(drawing_rels)
            overrides[drawing] = CT_DRAWING

    def _add_data_sheet(
        self, book: Any, new: dict[str, bytes], overrides: dict[str, str]
    ) -> list[ooxml.Rel]:
        """Add the chart data sheet (when charts were placed) to ``book``; the workbook's rels."""
        tpl = self.tpl
        book_rels = tpl.book_rels
        if self.data_sheet is None:
            return book_rels
        taken = {r.id for r in book_rels}
        n = len(taken) + 1
        while f"rId{n}" in taken:
            n += 1
        rid = f"rId{n}"
        book_rels = [*book_rels, ooxml.Rel(rid, RT_SHEET, "/" + self.data_sheet)]
        sheets = book.find(_X + "sheets")
        # the relationships prefix declared here (lxml would otherwise name it ns0)
        el = etree.SubElement(sheets, _X + "sheet", nsmap={"r": _RNS})
        el.set("name", self.data_name)
        el.set("sheetId", str(max(tpl.sheet_ids, default=0) + 1))
        el.set("state", "hidden")
        el.set(f"{{{_RNS}}}id", rid)
        data = "".join(self.data_rows)
        new[self.data_sheet] = _DATA_SHEET.format(
            dim=self.data_bounds.ref(), data=f"<sheetData>{data}</sheetData>"
        ).encode("utf-8")
        overrides[self.data_sheet] = CT_SHEET
        return book_rels

    def _stretch_print_areas(self, book: Any) -> None:
        """Set each sheet's print area to the rows this run wrote."""
        names_el = book.find(_X + "definedNames")
        if names_el is not None:
            for dn in names_el.findall(_X + "definedName"):
                sheet_id = dn.get("localSheetId")
                if dn.get("name") == "_xlnm.Print_Area" and sheet_id is not None:
                    ref = self.print_areas.get(int(sheet_id))
                    if ref is not None:
                        dn.text = ref

    def _package(
        self,
        rendered: dict[str, bytes],
        new: dict[str, bytes],
        overrides: dict[str, str],
        book_xml: bytes,
        book_rels: list[ooxml.Rel],
    ) -> bytes:
        """The zip: the template's entries in their order, changed ones replaced, new ones after.

        Unchanged entries are copied as they are stored; media are not compressed.
        """
        tpl = self.tpl
        out = ooxml.ZipWriter()
        for entry in tpl.package.entries:
            name = entry.name
            if name in rendered:
                out.add(name, rendered[name], date_time=entry.date_time)
            elif name == tpl.book:
                out.add(name, book_xml, date_time=entry.date_time)
            elif name == tpl.styles_part:
                out.add_entry(tpl.styles)
            elif name == ooxml.rels_name(tpl.book) and self.data_sheet is not None:
                out.add(name, ooxml.rels_xml(book_rels), date_time=entry.date_time)
            elif name == "[Content_Types].xml" and (overrides or self.extensions):
                body_ = ooxml.add_defaults(entry.data, self.extensions)
                out.add(name, ooxml.add_overrides(body_, overrides), date_time=entry.date_time)
            elif name in new:
                out.add(name, new.pop(name), date_time=entry.date_time)
            else:
                out.add_entry(entry)
        for name, data in new.items():
            out.add(name, data)
        for name, data in self.media_data.items():
            out.add(name, data, compress=False)
        return out.getvalue()
