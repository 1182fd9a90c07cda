"""The fast paths produce what the general paths produce.

Built-in Excel templates are filled by :mod:`app.export.xlsx_fast` (worksheet
XML written directly), client workbooks by openpyxl (:mod:`app.export.xlsx_render`):
for every built-in Excel template and demo data of both profiles, both engines
must give the same workbook — values and their types, number formats, fonts,
fills, borders, merged cells, row heights, print setup, pictures and charts.
The Word renderer writes the package directly; its output must be a valid
package python-docx opens, with each distinct picture stored once.
"""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from app.contracts.registry import get_contract
from app.export import build as b
from app.export import ooxml
from app.export import render as render_mod
from app.export.context import Chart, PeriodInfo
from app.export.data import ExportData
from app.export.forms import FORMS
from app.export.render import Renderer
from app.export.sandbox import shared_excel_env, shared_word_env, to_template
from app.export.template_files import builtin_bytes
from app.export.xlsx_cells import (
    chart_xml,
    column_index,
    column_letter,
    split_coordinate,
    unique_sheet_name,
)
from app.export.xlsx_fast import FastExcelTemplate, Unsupported
from app.export.xlsx_render import ExcelTemplate
from db.models import HolidayPeriod, InspectionRun, ServiceRequest, Signature
from tests.test_export_fixtures import CODES, MONTH, demo_dir, demo_store  # noqa: F401

NOW = datetime(2026, 11, 2, 9, 0)
OCT = PeriodInfo(key=MONTH, label="2026年10月", start=date(2026, 10, 1), end=date(2026, 10, 31))
EMPTY = PeriodInfo(key="2026-01", label="2026年1月", start=date(2026, 1, 1), end=date(2026, 1, 31))
Q4 = PeriodInfo(
    key="2026-Q4", label="2026年第4季度", start=date(2026, 10, 1), end=date(2026, 12, 31)
)


def _style(cell: Any) -> tuple[Any, ...]:
    return (
        cell.number_format,
        repr(cell.font),
        repr(cell.fill),
        repr(cell.border),
        repr(cell.alignment),
        repr(cell.protection),
        bool(cell.quotePrefix),
    )


def workbook_facts(body: bytes) -> dict[str, Any]:
    """What a reader of the workbook sees, independent of how the XML is written."""
    wb = load_workbook(io.BytesIO(body))
    facts: dict[str, Any] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for (row, col), cell in sorted(ws._cells.items()):
            kind = type(cell).__name__
            if kind == "MergedCell":
                cells[(row, col)] = (kind, repr(cell.border))
            elif cell.value is not None or cell.has_style:
                cells[(row, col)] = (kind, cell.value, cell.data_type, *_style(cell))
        setup = ws.page_setup
        facts[ws.title] = {
            "cells": cells,
            "dimension": ws.calculate_dimension(),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "heights": {i: d.height for i, d in ws.row_dimensions.items() if d.height},
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
            "freeze": ws.freeze_panes,
            "print_area": ws.print_area,
            "print_titles": ws.print_title_rows,
            "setup": (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight),
            "fit": ws.sheet_properties.pageSetUpPr.fitToPage
            if ws.sheet_properties.pageSetUpPr
            else None,
            "header": (ws.oddHeader.center.text, ws.oddFooter.center.text),
            "margins": repr(ws.page_margins),
            "images": [
                (i.anchor._from.col, i.anchor._from.row, i.anchor.ext.width, i.anchor.ext.height)
                for i in ws._images
            ],
            "charts": [
                (
                    c.anchor._from.col,
                    c.anchor._from.row,
                    type(c).__name__,
                    [
                        (s.tx.strRef.f if s.tx else None, s.val.numRef.f, s.cat.numRef.f)
                        for s in c.series
                    ],
                )
                for c in ws._charts
            ],
        }
    return facts


def _contexts(store: Any, code: str) -> list[Any]:
    """Contexts of every Excel form of ``code``: the month, an empty month, single records."""
    found = []
    with store.session() as s:
        contract = get_contract(s, code)
        data = ExportData(s, contract)
        for kind, form in FORMS.items():
            if "xlsx" not in form.formats:
                continue
            if kind == "holiday_check":
                holiday = s.scalar(
                    select(HolidayPeriod).where(
                        HolidayPeriod.contract_id == contract.id, HolidayPeriod.name == "国庆节"
                    )
                )
                jobs = [b.Job(kind=kind, period=OCT, holiday_id=holiday.id, now=NOW)]
            else:
                period = Q4 if kind in ("quarterly_summary", "annual_summary") else OCT
                jobs = [
                    b.Job(kind=kind, period=period, exporter="测试", now=NOW),
                    b.Job(kind=kind, period=EMPTY, exporter="测试", now=NOW),
                ]
            if kind == "inspection_record":
                run = s.scalar(
                    select(InspectionRun).where(
                        InspectionRun.contract_id == contract.id, InspectionRun.status == "signed"
                    )
                )
                jobs.append(b.Job(kind=kind, period=OCT, record_ids=[run.id], now=NOW))
            if kind == "service_record":
                sig = s.scalar(
                    select(Signature)
                    .join(ServiceRequest, ServiceRequest.id == Signature.record_id)
                    .where(
                        Signature.record_type == "service_request",
                        ServiceRequest.contract_id == contract.id,
                    )
                )
                if sig is not None:
                    jobs.append(b.Job(kind=kind, period=OCT, record_ids=[sig.record_id], now=NOW))
            found += [b.build(data, job) for job in jobs]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("code", CODES)
def test_fast_excel_engine_matches_openpyxl(demo_store, code: str) -> None:
    contexts = _contexts(demo_store, code)
    assert len(contexts) >= 15
    pictures = charts = 0
    for ctx in contexts:
        data = builtin_bytes(ctx.form, "xlsx")
        fast = FastExcelTemplate(data, shared_excel_env(), "fast").render(ctx)
        general = ExcelTemplate(data, shared_excel_env(), "general").render(ctx)
        a, b_ = workbook_facts(fast), workbook_facts(general)
        for sheet in b_["sheets"]:
            pictures += len(b_[sheet]["images"])
            charts += len(b_[sheet]["charts"])
            for key in b_[sheet]:
                assert a[sheet][key] == b_[sheet][key], (ctx.form, sheet, key)
        assert a == b_, ctx.form
    assert pictures >= 2 and charts >= 3  # signatures and the 运维月报's charts were compared


def test_every_builtin_excel_template_takes_the_fast_path() -> None:
    for kind, form in FORMS.items():
        if "xlsx" in form.formats:
            template = render_mod.compiled(builtin_bytes(kind, "xlsx"), "xlsx", kind, builtin=True)
            assert isinstance(template, FastExcelTemplate), kind


def test_fast_excel_engine_declines_what_it_does_not_reproduce() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "{{ title }}"
    ws["B1"] = "=SUM(1, 2)"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(Unsupported):
        FastExcelTemplate(out.getvalue(), shared_excel_env(), "x")
    # the renderer then fills it through openpyxl
    template = render_mod.compiled(out.getvalue(), "xlsx", "公式模板", builtin=True)
    assert isinstance(template, ExcelTemplate)


def test_word_output_is_a_clean_package(demo_store) -> None:
    with demo_store.session() as s:
        contract = get_contract(s, "portal-om")
        data = ExportData(s, contract)
        ctx = b.build(data, b.Job(kind="inspection_record", period=OCT, now=NOW))
        body = Renderer(s, contract).render(ctx, "docx")
    # the month's list prints the inspector's signature of each run shown in full
    shown = [run.signatures.operator for run in ctx.detailed]
    signed = sum(1 for cell in shown if cell.image is not None)
    distinct = len({cell.image.data for cell in shown if cell.image is not None})
    assert signed > distinct > 0
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        assert zf.testzip() is None
        media = [n for n in zf.namelist() if n.startswith("word/media/")]
        xml = zf.read("word/document.xml").decode()
        rels = zf.read("word/_rels/document.xml.rels").decode()
    assert len(media) == distinct  # each signature image stored once, used many times
    assert xml.count("<w:drawing>") == signed
    assert rels.count("relationships/image") == distinct
    ids = [int(x) for x in __import__("re").findall(r'<wp:docPr id="(\d+)"', xml)]
    assert len(ids) == len(set(ids)) == signed
    doc = Document(io.BytesIO(body))
    assert len(doc.inline_shapes) == signed


def test_templates_are_compiled_once_per_process(demo_store) -> None:
    render_mod.clear_cache()
    calls = {"n": 0}
    env = shared_word_env(builtin=True)
    original = env.from_string

    def counting(source: str, *a: Any, **k: Any) -> Any:
        calls["n"] += 1
        return original(source, *a, **k)

    env.from_string = counting  # type: ignore[method-assign]
    try:
        with demo_store.session() as s:
            contract = get_contract(s, "internet-om")
            data = ExportData(s, contract)
            faults = [f for f in data.all_faults if f.closed_at is not None][:3]
            for _ in range(2):
                renderer = Renderer(s, contract)
                for f in faults:
                    ctx = b.build(
                        data, b.Job(kind="fault_report", period=OCT, record_ids=[f.id], now=NOW)
                    )
                    renderer.render(ctx, "docx")
        first = calls["n"]
        assert 0 < first <= 4  # body, header, footer (+ nothing per record or per export)
    finally:
        del env.from_string


def test_zip_writer_round_trips() -> None:
    out = ooxml.ZipWriter()
    out.add("a.xml", b"<a/>" * 1000)
    out.add("b/中文.png", b"\x89PNG" + bytes(range(256)), compress=False)
    pkg = ooxml.Package(b"PK" and out.getvalue())
    assert [e.name for e in pkg.entries] == ["a.xml", "b/中文.png"]
    assert pkg.read("a.xml") == b"<a/>" * 1000
    again = ooxml.ZipWriter()
    for e in pkg.entries:
        again.add_entry(e)
    with zipfile.ZipFile(io.BytesIO(again.getvalue())) as zf:
        assert zf.testzip() is None
        assert zf.read("b/中文.png").startswith(b"\x89PNG")


def test_big_parts_are_deflated_on_several_cores_into_one_stream() -> None:
    import os

    body = b"".join(
        f"<w:p><w:t>{n} {os.urandom(8).hex()}</w:t></w:p>".encode() for n in range(90_000)
    )
    assert len(body) > 2 * ooxml.PARALLEL_DEFLATE
    out = ooxml.ZipWriter()
    out.add("word/document.xml", body)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        assert zf.read("word/document.xml") == body
    import zlib

    assert zlib.decompress(ooxml.deflate(body), -15) == body


def test_a_pack_reads_the_store_with_a_few_queries(demo_store, tmp_path) -> None:
    from sqlalchemy import event

    from app.export import packs

    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with demo_store.session() as s:
        plan = packs.plan_month(s, "portal-om", MONTH)
    event.listen(demo_store.engine, "before_cursor_execute", count)
    try:
        packs.export_pack(demo_store, plan, tmp_path, record=False, now=NOW, allow_unreviewed=True)
    finally:
        event.remove(demo_store.engine, "before_cursor_execute", count)
    # ~250 runs, ~3,000 item results, ~150 requests, ~500 signatures: read in bulk,
    # not per record — and checked in bulk before signing (≈ 25 statements per 500
    # records, app.records.integrity_check.refuse_tampered); the 运维月报's drafted text adds
    # three: its saved sections, the runs since the contract start (整改), next month's runs;
    # the item results' attachments are read 500 owners a statement (one statement of
    # thousands of parameters, prepared anew for every length, filled SQLite's cache)
    assert len(statements) <= 72, len(statements)


def test_export_pauses_the_garbage_collector_and_restores_it(demo_store, tmp_path) -> None:
    import gc

    from app.export import packs

    seen = []
    with demo_store.session() as s:
        plan = packs.plan_month(s, "internet-om", MONTH)
    assert gc.isenabled()
    packs.export_pack(
        demo_store,
        plan,
        tmp_path / "a",
        record=False,
        now=NOW,
        progress=lambda *_: seen.append(gc.isenabled()),
        allow_unreviewed=True,
    )
    assert gc.isenabled() and False in seen
    gc.disable()
    try:
        packs.export_pack(
            demo_store, plan, tmp_path / "b", record=False, now=NOW, allow_unreviewed=True
        )
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_signature_pictures_print_about_four_centimetres_wide(demo_store) -> None:
    with demo_store.session() as s:
        contract = get_contract(s, "internet-om")
        data = ExportData(s, contract)
        fault = next(f for f in data.all_faults if f.closed_at is not None)
        ctx = b.build(data, b.Job(kind="fault_report", period=OCT, record_ids=[fault.id], now=NOW))
        body = Renderer(s, contract).render(ctx, "docx")
    images = [cell.image for cell in vars(ctx.signatures).values() if cell.image is not None]
    assert images
    for image in images:
        info = ooxml.image_info(image.data)
        assert 35 <= image.width_mm <= 40
        assert image.height_mm == pytest.approx(
            image.width_mm * info.px_height / info.px_width, 0.01
        )
    doc = Document(io.BytesIO(body))
    widths = [shape.width.mm for shape in doc.inline_shapes]
    assert widths and all(35 <= w <= 40 for w in widths)


def test_excel_pictures_fit_their_cells(demo_store) -> None:
    from openpyxl.utils import get_column_letter

    with demo_store.session() as s:
        contract = get_contract(s, "internet-om")
        data = ExportData(s, contract)
        holiday = next(h for h in data.holidays if h.name == "国庆节")
        ctx = b.build(data, b.Job(kind="holiday_check", period=OCT, holiday_id=holiday.id, now=NOW))
        body = Renderer(s, contract).render(ctx, "xlsx")
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    assert ws._images
    for image in ws._images:
        col, row = image.anchor._from.col + 1, image.anchor._from.row + 1
        span = next(
            (m for m in ws.merged_cells.ranges if m.min_row == row and m.min_col == col), None
        )
        cols = range(col, (span.max_col if span else col) + 1)
        room = sum(
            int((ws.column_dimensions[get_column_letter(c)].width or 8.43) * 7 + 5) for c in cols
        )
        assert image.anchor.ext.width <= room * 9525


_titles = st.one_of(
    st.none(), st.text(max_size=12), st.sampled_from(["SLA 达成率", "a\nb", "&<>'\""])
)
_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8)


@given(
    title=_titles,
    kind=st.sampled_from(["line", "bar"]),
    categories=st.lists(st.text(max_size=4), max_size=14),
    series=st.lists(st.text(max_size=4), max_size=4),
    percent=st.booleans(),
    sheet=st.one_of(st.just("图表数据"), _names),
    top=st.integers(1, 500),
)
def test_native_charts_are_written_as_openpyxl_writes_them(
    title: str | None,
    kind: str,
    categories: list[str],
    series: list[str],
    percent: bool,
    sheet: str,
    top: int,
) -> None:
    """The built-in path writes the chart XML itself (no openpyxl): the same bytes."""
    from lxml import etree

    from app.export.xlsx_render import excel_chart

    values = [(name, [0.5] * len(categories)) for name in series]
    chart = Chart("k", title, kind, categories, values, percent)  # type: ignore[arg-type]
    try:
        expected = etree.tostring(excel_chart(chart, sheet, top)._write())
    except ValueError:  # text XML cannot hold: refused alike
        with pytest.raises(ValueError):
            chart_xml(chart, sheet, top)
        return
    assert chart_xml(chart, sheet, top) == expected


@given(st.integers(1, 18278))
def test_cell_names_are_openpyxl_s(index: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters = column_letter(index)
    assert letters == get_column_letter(index)
    assert column_index(letters) == column_index_from_string(letters) == index
    ref = f"${letters}${index}"
    assert split_coordinate(ref) == coordinate_from_string(ref)


@given(st.lists(st.sampled_from(["图表数据", "图表数据1", "图表数据7", "其他", "图表数据x"])))
def test_the_chart_data_sheet_is_named_as_openpyxl_names_it(names: list[str]) -> None:
    from openpyxl.workbook.child import avoid_duplicate_name

    assert unique_sheet_name(names, "图表数据") == avoid_duplicate_name(names, "图表数据")


def test_built_in_templates_are_compiled_once_per_machine(
    demo_store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new process finds a built-in template's compiled parts on disk
    (:mod:`app.export.compile_cache`): neither docxtpl nor Jinja's compiler runs again, and
    the document is the same; a damaged cache file is compiled anew."""
    from app.export import compile_cache, docx_render
    from app.export.docx_render import WordTemplate
    from app.export.sandbox import SandboxEnv, word_env
    from app.storage import paths

    with demo_store.session() as s:
        data = ExportData(s, get_contract(s, "portal-om"))
        ctx = b.build(data, b.Job(kind="service_record", period=OCT, now=NOW))
    template = builtin_bytes("service_record", "docx")
    expected = WordTemplate(template, word_env(autoescape=False), "a", trusted=True).render(ctx)
    files = sorted((paths.cache_dir() / compile_cache.FOLDER).iterdir())
    assert len(files) >= 2  # docxtpl's preprocessing and Jinja's code of the parts

    with monkeypatch.context() as m:  # a new process: a new environment, nothing compiled
        m.setattr(SandboxEnv, "_compile_checked", lambda *_: pytest.fail("compiled again"))
        m.setattr(docx_render, "docxtpl", lambda: pytest.fail("docxtpl preprocessing again"))
        again = WordTemplate(template, word_env(autoescape=False), "b", trusted=True)
        assert again.render(ctx) == expected

    for f in files:  # damaged: compiled again, and written again
        f.write_bytes(f.read_bytes()[:-4] + b"oops")
    third = WordTemplate(template, word_env(autoescape=False), "c", trusted=True)
    assert third.render(ctx) == expected
    assert all(compile_cache._read(f) is not None for f in files)


def test_client_templates_are_not_kept_compiled(demo_store) -> None:
    """An untrusted template is compiled where it renders, every time: nothing on disk."""
    from app.export import compile_cache
    from app.export.sandbox import word_env
    from app.storage import paths

    word_env().from_string("<w:t>{{ title }}</w:t>")
    assert not (paths.cache_dir() / compile_cache.FOLDER).exists()


def test_the_chart_font_s_characters_are_read_once_per_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.export import charts

    charts._bundled.cache_clear()
    try:
        first = charts._bundled()
        assert first is not None and ord("中") in first[1]
        charts._bundled.cache_clear()
        monkeypatch.setattr(charts, "_cmap", lambda path: pytest.fail("read with fontTools again"))
        assert charts._bundled() == first
    finally:
        charts._bundled.cache_clear()


def test_shared_parts_of_a_context_are_encoded_once_to_the_same_text(demo_store) -> None:
    """The verification code's canonical JSON encodes a run shown in several places once
    and repeats its text: the same text as encoding it everywhere, whatever the data holds."""
    import json

    from app.export.build import _json_default, canonical

    def plain(value: Any) -> str:
        return json.dumps(
            value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default
        )

    with demo_store.session() as s:
        data = ExportData(s, get_contract(s, "portal-om"))
        ctx = b.build(data, b.Job(kind="inspection_record", period=OCT, now=NOW))
    assert ctx.days[0].runs[0] is ctx.runs[0] and ctx.detailed  # shared
    assert canonical(ctx) == plain(ctx)
    tricky = '\x00tricky:123" \\u0000 {"runs"}'  # text that looks like a placeholder
    run = dataclasses.replace(ctx.runs[0], conclusion=tricky, summary=tricky)
    mixed = [run, {"again": run}, ctx.days[:2]]
    assert canonical(mixed) == plain(mixed)
    # and for the templates: one dict per object, shared where the object recurs
    values = to_template(ctx)
    first = next(r for r in values["runs"] if r["id"] == ctx.days[0].runs[0].id)
    assert values["days"][0]["runs"][0] is first
    assert json.loads(plain(first["rows"])) == json.loads(plain(ctx.days[0].runs[0].rows))


def test_a_cache_folder_that_cannot_be_written_is_not_used(monkeypatch, tmp_path) -> None:
    from app.export import compile_cache
    from app.export.docx_render import WordTemplate
    from app.export.sandbox import word_env
    from app.storage import paths

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setattr(paths, "cache_dir", lambda: blocked)
    template = builtin_bytes("service_record", "docx")
    made = WordTemplate(template, word_env(autoescape=False), "x", trusted=True)
    assert made.parts and not (blocked / compile_cache.FOLDER).exists()
