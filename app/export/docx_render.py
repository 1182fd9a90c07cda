"""Filling a Word template: docxtpl driven by the sandboxed environment.

One :class:`WordTemplate` per template file and export run: the template's
XML is compiled once (the environment caches it) and rendered for each
context. Template syntax is docxtpl's (``{{ x }}``, ``{%tr for r in rows %}``,
``{%p if … %}``, ``{%tc for … %}``); pictures (signature images, charts) are
printed with ``{{ signatures.operator.image }}`` / ``{{ charts.sla_trend }}``.
"""

from __future__ import annotations

import io
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from lxml import etree

from app.export import charts as charts_mod
from app.export.context import Chart, FormContext, Image
from app.export.errors import TemplateError
from app.export.sandbox import SandboxEnv, drawing, explain, to_template

_PARSER = etree.XMLParser(huge_tree=True)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Grid width (twips) that marks the three cells of a ``{%tc for %}`` column loop in
#: the built-in templates: the columns it makes share the room left by the others.
LOOP_MARK = "567"


def _spread_columns(tbl: Any) -> None:
    grid = tbl.find(_W + "tblGrid")
    if grid is None:
        return
    cols = grid.findall(_W + "gridCol")
    widths = [c.get(_W + "w") for c in cols]
    marks = [i for i in range(len(widths) - 2) if widths[i : i + 3] == [LOOP_MARK] * 3]
    first_row = tbl.find(_W + "tr")
    if not marks or first_row is None:
        return
    start = marks[0]
    cells = len(first_row.findall(_W + "tc"))
    dynamic = cells - (len(cols) - 3)
    fixed = sum(int(w or 0) for w in widths) - 3 * int(LOOP_MARK)
    tbl_w = tbl.find(_W + "tblPr/" + _W + "tblW")
    total = int(tbl_w.get(_W + "w")) if tbl_w is not None else fixed + 3 * int(LOOP_MARK)
    for c in cols[start : start + 3]:
        grid.remove(c)
    if dynamic <= 0:
        return
    each = str(max(200, (total - fixed) // dynamic))
    anchor = cols[start - 1] if start > 0 else None
    for _ in range(dynamic):
        col = etree.Element(_W + "gridCol")
        col.set(_W + "w", each)
        if anchor is None:
            grid.insert(0, col)
        else:
            anchor.addnext(col)
        anchor = col


class _Docx(DocxTemplate):
    column_loops = True

    def resolve_listing(self, xml: str) -> str:
        # newlines and tabs of values were already turned into Word markup by
        # the environment's finalize; nothing else may be rewritten
        return xml

    def fix_tables(self, xml: str) -> Any:
        if not self.column_loops:
            # no {%tc %} column loops: the grid is as designed, only parse (strictly)
            return etree.fromstring(xml.encode("utf-8"), parser=_PARSER)
        tree = etree.fromstring(xml.encode("utf-8"), parser=_PARSER)
        for tbl in tree.iter(_W + "tbl"):
            _spread_columns(tbl)
        return super().fix_tables(etree.tostring(tree, encoding="unicode"))


class WordTemplate:
    """A .docx template compiled in ``env`` (shared by one export run)."""

    def __init__(self, data: bytes, env: SandboxEnv, where: str) -> None:
        self.data = data
        self.env = env
        self.where = where
        self._chart_png: dict[str, bytes | None] = {}
        self._column_loops = b"%tc " in data or _has_tc(data)

    def render(self, ctx: FormContext, plain: dict[str, Any] | None = None) -> bytes:
        try:
            tpl = _Docx(io.BytesIO(self.data))
            tpl.column_loops = self._column_loops
        except Exception as exc:
            raise TemplateError(f"{self.where}已损坏，无法作为 Word 文档打开（{exc}）。") from None

        def picture(image: Image) -> Any:
            height = Mm(image.height_mm) if image.height_mm else None
            return InlineImage(tpl, io.BytesIO(image.data), width=Mm(image.width_mm), height=height)

        def chart_picture(chart: Chart) -> Any:
            key = repr((chart.title, chart.kind, chart.categories, chart.series, chart.percent))
            if key not in self._chart_png:
                self._chart_png[key] = charts_mod.render_png(chart)
            png = self._chart_png[key]
            if png is None:
                return ""
            return picture(Image(png, charts_mod.WIDTH_MM, None, chart.title))

        context = plain if plain is not None else to_template(ctx)
        try:
            with drawing(picture, chart_picture):
                tpl.render(context, jinja_env=self.env)
            out = io.BytesIO()
            tpl.save(out)
        except TemplateError:
            raise
        except Exception as exc:
            raise explain(exc, self.where) from None
        return out.getvalue()


def _has_tc(data: bytes) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return b"%tc " in zf.read("word/document.xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        return True
