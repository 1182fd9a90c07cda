"""Filling an Excel template with openpyxl, through the same sandboxed environment.

Template conventions (documented in the README and by ``omw template-fields``):

- A cell holding exactly one ``{{ expression }}`` receives the typed value:
  numbers stay numbers, dates real dates (``yyyy-mm-dd`` unless the cell has
  its own format), rates (0..1) can use a percent format. A cell mixing text
  and placeholders receives text (``报告期：{{ period.label }}``).
- A row whose first non-empty cell starts with ``{% for r in EXPR %}`` is
  repeated once per element (the marker is removed, the rest of the cell
  stays); rows below move down with their merged cells and heights.
- ``{{ …image }}`` (a signature) places the picture at the cell, shrunk if
  needed (keeping its shape) to fit the cell — the merged cells of its row —
  and the row's height;
  ``{{ charts.KEY }}`` places a native Excel chart there, its data written to a
  ``图表数据`` sheet.
- Text starting with ``= + - @`` (or a tab/CR) is stored as text with Excel's
  quote prefix: a user's ``=cmd|…`` never becomes a formula.

Print area, fit-to-width, frozen panes, print titles and column widths come
from the template; the print area is stretched over the rows written and the
charts placed. A written row with wrapped text gets the height its lines need
(:func:`wrapped_height`), ``{{ … }}`` in a sheet's headers and footers is filled
(:func:`fill_header`), and the ``图表数据`` sheet is hidden (it is not a form;
the charts still read it).
"""

from __future__ import annotations

import io
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.reference import DummyWorksheet
from openpyxl.drawing.image import Image as XlImage
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.worksheet import Worksheet

from app.export import budget
from app.export.context import FormContext
from app.export.errors import TemplateError
from app.export.sandbox import ChartValue, Picture, SandboxEnv, explain, to_template
from app.export.xlsx_cells import (
    _ANY,
    _END,
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
    fill_header,
    loop_error,
    loop_items,
    loop_scope,
    neutral,
    picture_px,
    sheet_boxes,
    wrapped_height,
)


@dataclass
class _Cell:
    col: int
    value: Any
    style: Any
    comment: Any = None


@dataclass
class _Row:
    index: int
    cells: list[_Cell]
    height: float | None
    loop: tuple[str, str] | None  # (variable, expression)


class _Charts:
    """Where one render puts chart data (the 图表数据 sheet, made on first use)."""

    def __init__(self) -> None:
        self.sheet: Worksheet | None = None
        self.row = 1
        #: the box (pixels) a picture of (template row, column) must fit in, per sheet
        self.boxes: dict[tuple[int, int], tuple[float, float]] = {}


def _template_rows(ws: Worksheet) -> tuple[list[_Row], bool]:
    """The sheet's rows as written in the template, and whether any cell holds a placeholder.

    Empty cells without a style are left out. A row loops when its first
    non-empty cell starts with ``{% for x in … %}`` (the tag is taken off the cell).
    """
    rows: list[_Row] = []
    has_template = False
    for row in ws.iter_rows():
        cells = []
        loop = None
        for cell in row:
            if cell.value is None and not cell.has_style:
                continue
            value = cell.value
            if isinstance(value, str) and _ANY.search(value):
                has_template = True
                if loop is None and not any(c.value not in (None, "") for c in cells):
                    match = _FOR.match(value)
                    if match:
                        loop = (match.group(1), match.group(2))
                        value = value[match.end() :] or None
            cells.append(_Cell(cell.column, value, copy(cell._style), cell.comment))
        if not row:
            continue
        index = row[0].row
        height = ws.row_dimensions[index].height if index in ws.row_dimensions else None
        rows.append(_Row(index, cells, height, loop))
    return rows, has_template


def _clear_sheet(ws: Worksheet) -> None:
    """Remove the cells, merges and row heights (all are written anew, in order)."""
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    ws._cells.clear()
    for index in list(ws.row_dimensions):
        ws.row_dimensions[index].height = None


def _place_heights(
    ws: Worksheet, mapping: dict[int, list[int]], heights: dict[int, float | None]
) -> None:
    """Give each written row the height of the template row it came from."""
    for index, targets in mapping.items():
        height = heights.get(index)
        if height is not None:
            for t in targets:
                ws.row_dimensions[t].height = height


def _place_merges(
    ws: Worksheet, mapping: dict[int, list[int]], merges: list[tuple[int, int, int, int]]
) -> None:
    """Merge the template's ranges again where their rows went.

    A range within one row is merged in every row a loop made of it; a range
    over several rows spans from the first row written for its top to the
    last written for its bottom. A range whose rows were looped away is dropped.
    """
    for min_row, min_col, max_row, max_col in merges:
        first, last = mapping.get(min_row), mapping.get(max_row)
        if not first or not last:
            continue
        if min_row == max_row:
            for t in first:
                ws.merge_cells(start_row=t, start_column=min_col, end_row=t, end_column=max_col)
        else:
            ws.merge_cells(
                start_row=first[0], start_column=min_col, end_row=last[-1], end_column=max_col
            )


class ExcelTemplate(Filler):
    """An .xlsx template filled through openpyxl (client workbooks: any Excel feature).

    Untrusted (``trusted=False``, a client's workbook): the whole workbook is
    charged to one :mod:`~app.export.budget` — each row of a loop and each cell
    written is a step, the text of each cell output.
    """

    def __init__(self, data: bytes, env: SandboxEnv, where: str, *, trusted: bool = False) -> None:
        super().__init__(env, where)
        self.data = data
        self.trusted = trusted
        #: the sheet being filled: printed width (pt) of its template cells, heights fitted
        self.text_widths: dict[tuple[int, int], float] = {}
        self.fitted: dict[int, float] = {}

    def render(self, ctx: FormContext, plain: dict[str, Any] | None = None) -> bytes:
        try:
            wb = load_workbook(io.BytesIO(self.data), rich_text=False)
        except Exception as exc:
            raise TemplateError(
                f"{self.where}已损坏，无法作为 Excel 工作簿打开（{exc}）。"
            ) from None
        context = plain if plain is not None else to_template(ctx)
        charts = _Charts()
        with budget.limited(not self.trusted):
            try:
                for ws in list(wb.worksheets):
                    self._sheet(wb, ws, context, charts)
                out = io.BytesIO()
                wb.save(out)
            except TemplateError:
                raise
            except Exception as exc:
                raise explain(exc, self.where) from None
        return out.getvalue()

    # ------------------------------------------------------------------ sheets

    def _sheet(self, wb: Any, ws: Worksheet, context: dict[str, Any], charts: _Charts) -> None:
        rows, has_template = _template_rows(ws)
        if not has_template:
            return
        for row in rows:  # a closing tag would fail later, after a confusing first error
            for spec in row.cells:
                if isinstance(spec.value, str) and _END.search(spec.value):
                    coordinate = f"{get_column_letter(spec.col)}{row.index}"
                    raise loop_error(self.where, coordinate, spec.value)
        self.loop_rows = {r.loop[0]: r.index for r in rows if r.loop}
        merges = [
            (m.min_row, m.min_col, m.max_row, m.max_col) for m in list(ws.merged_cells.ranges)
        ]
        widths = [(d.min or 0, d.max or 0, d.width) for d in ws.column_dimensions.values()]
        charts.boxes = sheet_boxes(
            [(r.index, [c.col for c in r.cells if _pictured(c.value)], r.height) for r in rows],
            merges,
            widths,
        )
        self.text_widths = cell_widths_pt(
            [(r.index, [c.col for c in r.cells]) for r in rows], merges, widths
        )
        self.fitted = {}
        _clear_sheet(ws)
        mapping = self._write_rows(ws, rows, context, charts)
        _place_heights(ws, mapping, {r.index: r.height for r in rows})
        for target, height in self.fitted.items():
            ws.row_dimensions[target].height = max(height, ws.row_dimensions[target].height or 0)
        _place_merges(ws, mapping, merges)
        self._fill_headers(ws, context)
        if ws.print_area:
            last_col, last_row = max(ws.max_column, 1), max(ws.max_row, 1)
            for chart in ws._charts:
                row, col = coordinate_to_tuple(chart.anchor)  # a cell, as _chart placed it
                reach = chart_reach(
                    col,
                    row,
                    int(chart.width * 360_000),
                    int(chart.height * 360_000),
                    lambda c: next((w for lo, hi, w in widths if lo <= c <= hi), None),
                    lambda r: (
                        ws.row_dimensions[r].height
                        if r in ws.row_dimensions and ws.row_dimensions[r].height
                        else DEFAULT_ROW_HEIGHT
                    ),
                )
                last_col, last_row = max(last_col, reach[0]), max(last_row, reach[1])
            ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"

    def _fill_headers(self, ws: Worksheet, context: dict[str, Any]) -> None:
        """Fill ``{{ … }}`` in the sheet's headers and footers (see :func:`fill_header`)."""
        for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter):
            for part in (hf.left, hf.center, hf.right):
                if part.text and "{{" in part.text:
                    part.text = fill_header(
                        part.text, lambda src: self._text(src, context, "页眉页脚")
                    )

    def _write_rows(
        self, ws: Worksheet, rows: list[_Row], context: dict[str, Any], charts: _Charts
    ) -> dict[int, list[int]]:
        """Write the rows, a loop row once per item, the rows below moved down.

        Returns the rows each template row became (an empty list for a loop
        over nothing).
        """
        offset = 0
        mapping: dict[int, list[int]] = {}
        last_template_row = max((r.index for r in rows), default=0)
        by_index = {r.index: r for r in rows}
        for index in range(1, last_template_row + 1):
            row = by_index.get(index)
            if row is None:
                mapping[index] = [index + offset]
                continue
            if row.loop is None:
                target = index + offset
                self._write_row(ws, row, target, context, charts)
                mapping[index] = [target]
                continue
            name, expr = row.loop
            items = loop_items(self._eval(expr, context), expr, self.where)
            targets = []
            for n, item in enumerate(items):
                scope = loop_scope(context, name, n, len(items), item)
                target = index + offset + n
                self._write_row(ws, row, target, scope, charts)
                targets.append(target)
            mapping[index] = targets
            offset += len(items) - 1
        return mapping

    def _write_row(
        self, ws: Worksheet, row: _Row, target: int, scope: dict[str, Any], charts: _Charts
    ) -> None:
        spent = budget.current()
        if spent is not None:
            spent.write_cells(len(row.cells))
        wrapped: list[tuple[str, float, float]] = []
        for spec in row.cells:
            cell = ws.cell(row=target, column=spec.col)
            cell._style = copy(spec.style)
            if spec.comment is not None and target == row.index:
                cell.comment = spec.comment
            value = spec.value
            if isinstance(value, str) and _ANY.search(value):
                box = charts.boxes.get((row.index, spec.col))
                value = self._fill(ws, cell, value, scope, charts, box)
                if spent is not None and isinstance(value, str):
                    spent.out(len(value))
            self._assign(cell, value)
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = self.text_widths.get((row.index, spec.col))
                if width is not None:
                    wrapped.append((cell.value, cell.font.sz or 11.0, width))
        height = wrapped_height(wrapped)
        if height is not None:
            self.fitted[target] = height

    def _fill(
        self,
        ws: Worksheet,
        cell: Any,
        text: str,
        scope: dict[str, Any],
        charts: _Charts,
        box: tuple[float, float] | None = None,
    ) -> Any:
        how, what = self._plan(text)
        if how == "path":
            value = self._lookup(what, scope)
        elif how == "expr":
            value = self._eval(what, scope)
        elif how == "bad":
            raise self._bad(cell.coordinate, what)
        else:
            return self._text(what, scope, cell.coordinate)
        if isinstance(value, Picture):
            self._picture(ws, cell, value, box)
            return None
        if isinstance(value, ChartValue):
            self._chart(ws, cell, value, charts)
            return None
        return value

    @staticmethod
    def _assign(cell: Any, value: Any) -> None:
        if value is None:
            cell.value = None
            return
        if isinstance(value, bool):
            cell.value = "是" if value else "否"
            return
        if isinstance(value, datetime):
            cell.value = value
            if cell.number_format == "General":
                cell.number_format = TIME_FORMAT
            return
        if isinstance(value, date):
            cell.value = value
            if cell.number_format == "General":
                cell.number_format = DATE_FORMAT
            return
        if isinstance(value, int | float):
            cell.value = value
            return
        if isinstance(value, list | tuple):
            value = "、".join(str(v) for v in value)
        text, prefix = neutral(str(value))
        cell.value = text
        cell.data_type = "s"
        if prefix:
            cell.quotePrefix = True

    # ------------------------------------------------------------------ pictures & charts

    @staticmethod
    def _picture(
        ws: Worksheet, cell: Any, picture: Picture, box: tuple[float, float] | None = None
    ) -> None:
        image = picture._image
        xl = XlImage(io.BytesIO(image.data))
        ratio = (xl.height / xl.width) if xl.width else 0.4
        xl.width, xl.height = picture_px(image.width_mm, image.height_mm, ratio, box)
        ws.add_image(xl, cell.coordinate)

    def _chart(self, ws: Worksheet, cell: Any, value: ChartValue, charts: _Charts) -> None:
        chart = value.chart
        wb = ws.parent
        if charts.sheet is None:
            charts.sheet = wb.create_sheet(CHART_SHEET)
            charts.sheet.sheet_state = "hidden"
        data_ws = charts.sheet
        top = charts.row
        data_ws.cell(row=top, column=1, value=chart.title)
        for j, (name, _values) in enumerate(chart.series):
            data_ws.cell(row=top + 1, column=2 + j, value=name)
        for i, cat in enumerate(chart.categories):
            self._assign(data_ws.cell(row=top + 2 + i, column=1), cat)
            for j, (_name, values) in enumerate(chart.series):
                c = data_ws.cell(row=top + 2 + i, column=2 + j, value=values[i])
                if chart.percent:
                    c.number_format = "0.0%"
        n = len(chart.categories)
        charts.row = top + n + 3
        ws.add_chart(excel_chart(chart, data_ws.title, top), cell.coordinate)


def excel_chart(chart: Any, sheet: str, top: int) -> Any:
    """The native chart of ``chart``, its data at row ``top`` of ``sheet`` (both engines)."""
    n = len(chart.categories)
    data_ws = DummyWorksheet(sheet)
    xl_chart = LineChart() if chart.kind == "line" else BarChart()
    xl_chart.title = chart.title
    xl_chart.height = CHART_HEIGHT_CM
    xl_chart.width = CHART_WIDTH_CM
    if n:
        data = Reference(
            data_ws,
            min_col=2,
            max_col=1 + len(chart.series),
            min_row=top + 1,
            max_row=top + 1 + n,
        )
        cats = Reference(data_ws, min_col=1, min_row=top + 2, max_row=top + 1 + n)
        xl_chart.add_data(data, titles_from_data=True)
        xl_chart.set_categories(cats)
    if chart.percent:
        xl_chart.y_axis.number_format = "0%"
        xl_chart.y_axis.scaling.min = 0
        xl_chart.y_axis.scaling.max = 1
    if len(chart.series) <= 1:
        xl_chart.legend = None
    return xl_chart
