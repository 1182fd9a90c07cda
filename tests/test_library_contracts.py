"""What the exports take from libraries beyond their documented API, held in place.

docxtpl: ``app.export.docx_render`` runs docxtpl's own template preprocessing
(``DocxTemplate.patch_xml``) and table fix-up (``DocxTemplate.fix_tables``) on
the parts it renders, on a template object whose file is never opened. openpyxl:
``app.export.xlsx_render`` copies cell styles through ``Cell._style``, clears
``Worksheet._cells`` to rewrite a sheet in order, and both Excel writers serialise
a native chart with ``ChartBase._write()`` over a ``DummyWorksheet``.

pyproject.toml allows only the tested minor releases of both (docxtpl 0.20,
openpyxl 3.1). Before moving a bound, run these: each fails naming the piece
that changed. python-docx's private ``docx.image`` is no longer used (Pillow
reads picture sizes); the last test keeps it that way.
"""

from __future__ import annotations

import ast
import inspect
import io
from copy import copy
from pathlib import Path

from lxml import etree

from tests.source_tree import nodes

ROOT = Path(__file__).resolve().parent.parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f'xmlns:w="{W_NS}"'


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- docxtpl


def test_docxtpl_template_object_opens_nothing_until_rendering() -> None:
    from docxtpl import DocxTemplate

    assert _parameters(DocxTemplate.__init__) == ["self", "template_file"]
    source = io.BytesIO(b"not a docx at all")
    template = DocxTemplate(source)
    assert source.tell() == 0, "DocxTemplate() now reads its file when constructed"
    assert template.docx is None


def test_docxtpl_preprocessing_methods_keep_their_signatures() -> None:
    from docxtpl import DocxTemplate

    assert _parameters(DocxTemplate.patch_xml) == ["self", "src_xml"]
    assert _parameters(DocxTemplate.fix_tables) == ["self", "xml"]


def test_docxtpl_patch_xml_turns_word_runs_into_jinja() -> None:
    from app.export.docx_render import docxtpl

    before = dict(vars(docxtpl()))
    body = (
        f"<w:body {W}>"
        "<w:p><w:r><w:t>{{</w:t></w:r><w:r><w:t> name }}</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{%tr for r in rows %}</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>{{ r }}</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:t>{%p if x %}</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>“{{ a &lt; b }}”</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>"
        "</w:body>"
    )
    assert docxtpl().patch_xml(body) == (
        f"<w:body {W}>"
        '<w:p><w:r><w:t xml:space="preserve">{{ name }}</w:t></w:r></w:p>'
        "<w:tbl>{% for r in rows %}"
        '<w:tr><w:tc><w:p><w:r><w:t xml:space="preserve">{{ r }}</w:t></w:r></w:p></w:tc></w:tr>'
        "{% endfor %}</w:tbl>"
        '{% if x %}<w:p><w:r><w:t xml:space="preserve">“{{ a < b }}”</w:t></w:r></w:p>'
        "{% endif %}</w:body>"
    )
    assert vars(docxtpl()) == before, "patch_xml now keeps state on the template object"


def test_docxtpl_fix_tables_widens_the_grid_to_the_cells() -> None:
    from app.export.docx_render import docxtpl

    before = dict(vars(docxtpl()))
    table = (
        f"<w:tbl {W}><w:tblGrid>"
        '<w:gridCol w:w="1000"/><w:gridCol w:w="1000"/>'
        "</w:tblGrid><w:tr><w:tc/><w:tc/><w:tc/><w:tc/></w:tr></w:tbl>"
    )
    fixed = docxtpl().fix_tables(table)
    assert isinstance(fixed, etree._Element), "fix_tables no longer returns an lxml tree"
    widths = [c.get(f"{{{W_NS}}}w") for c in fixed.iter(f"{{{W_NS}}}gridCol")]
    assert widths == ["500"] * 4
    assert vars(docxtpl()) == before, "fix_tables now keeps state on the template object"


# --------------------------------------------------------------------------- openpyxl


def test_openpyxl_cell_style_array_copies_between_cells() -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.styles.cell_style import StyleArray

    ws = Workbook().active
    source = ws.cell(row=1, column=1)
    source.font = Font(bold=True)
    assert isinstance(source._style, StyleArray)
    target = ws.cell(row=2, column=1)
    target._style = copy(source._style)
    assert target.font.bold is True


def test_openpyxl_worksheet_cells_are_a_dict_by_row_and_column() -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell

    ws = Workbook().active
    ws.cell(row=2, column=3, value="x")
    assert isinstance(ws._cells, dict)
    assert isinstance(ws._cells[(2, 3)], Cell)
    ws._cells.clear()
    assert ws.cell(row=2, column=3).value is None


def test_openpyxl_chart_serialises_over_a_dummy_worksheet() -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.reference import DummyWorksheet

    assert _parameters(DummyWorksheet.__init__) == ["self", "title"]
    chart = BarChart()
    data = Reference(DummyWorksheet("统计"), min_col=2, min_row=1, max_row=3)
    chart.add_data(data, titles_from_data=True)
    assert _parameters(BarChart._write) == ["self"]
    tree = chart._write()
    assert etree.QName(tree.tag).localname == "chartSpace"
    assert "'统计'!$B$2:$B$3" in etree.tostring(tree, encoding="unicode")


# --------------------------------------------------------------------------- python-docx


def test_no_private_python_docx_module_is_imported() -> None:
    """python-docx is read only through docxtpl; its ``docx.image`` is private API."""
    offenders = []
    for folder in ("app", "db", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in nodes(path):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                offenders += [
                    (path.relative_to(ROOT).as_posix(), n)
                    for n in names
                    if n == "docx" or n.startswith("docx.")
                ]
    assert offenders == []
