"""User text stays literal; client templates are sandboxed and checked before they are stored."""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.export import client_templates, packs
from app.export.errors import TemplateError
from app.records import requests as req_mod
from db.models import Blob, ExportTemplate
from tests.test_export_fixtures import MONTH, demo_dir, demo_store  # noqa: F401

NOW = datetime(2026, 11, 2, 9, 0)
NASTY = "{{ 7*7 }} {% for x in y %} </w:t><w:t>注入</w:t> & <b>粗体</b> ]]> \x01"


def _docx(paragraphs: list[str]) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _request(store, **overrides) -> str:
    with store.session() as s:
        req = req_mod.log_request(
            s,
            "internet-om",
            received_at=datetime(2026, 10, 20, 10, 0),
            caller_unit=overrides.get("caller_unit", '=HYPERLINK("http://x")'),
            caller_name="+测试",
            caller_contact="@联系人",
            category="-1+2",
            description=NASTY + "\n第二行\t制表",
            handler="测试工程师",
            now=NOW,
        )
        req_mod.resolve_on_phone(
            s, req.id, "{{ config }} 已解决", datetime(2026, 10, 20, 10, 5), now=NOW
        )
        return req.id


def test_typed_text_is_exported_literally_in_word(demo_store, tmp_path: Path) -> None:
    rid = _request(demo_store)
    out = packs.export_form(demo_store, "service_record", tmp_path / "r.docx", record_id=rid)
    body = out.path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        xml = zf.read("word/document.xml").decode()
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    cells = "\n".join(
        c.text for t in Document(io.BytesIO(body)).tables for r in t.rows for c in r.cells
    )
    assert "{{ 7*7 }}" in cells and "49" not in cells.replace("2026", "")
    assert "</w:t><w:t>注入</w:t>" in cells
    assert "<b>粗体</b>" in cells and "{% for x in y %}" in cells
    assert "{{ config }} 已解决" in cells
    assert "第二行" in cells and "\x01" not in xml
    assert "<w:br/>" in xml  # the newline became a line break
    assert text is not None


def test_excel_formulas_neutralised(demo_store, tmp_path: Path) -> None:
    _request(demo_store)
    out = packs.export_form(
        demo_store,
        "phone_log",
        tmp_path / "p.xlsx",
        contract="internet-om",
        start=datetime(2026, 10, 1).date(),
        end=datetime(2026, 10, 31).date(),
    )
    ws = load_workbook(out.path).worksheets[0]
    found = {}
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                found[cell.value] = cell
    assert '=HYPERLINK("http://x")' in found and "+测试" in found and "@联系人" in found
    assert "-1+2" in found
    for cell in found.values():
        assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(out.path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


MALICIOUS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ contract.__class__.__init__.__globals__ }}",
    "{{ range.__globals__ }}",
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c }}{% endfor %}",
    "{{ 'x' * 100000000 }}",
    "{% include '/etc/passwd' %}",
]


@pytest.mark.parametrize("payload", MALICIOUS)
def test_malicious_word_template_refused_nothing_stored(demo_store, payload: str) -> None:
    with demo_store.session() as s:
        blobs = s.scalar(select(func.count()).select_from(Blob))
    with pytest.raises(TemplateError) as err, demo_store.session() as s:
        client_templates.attach(
            s, "portal-om", "monthly-report", _docx(["报告", payload]), "evil.docx"
        )
    assert any(w in err.value.message for w in ("不允许", "无法渲染", "不存在"))
    with demo_store.session() as s:
        assert s.scalar(select(func.count()).select_from(ExportTemplate)) == 0
        assert s.scalar(select(func.count()).select_from(Blob)) == blobs


def test_unknown_field_and_broken_files_get_chinese_errors(demo_store) -> None:
    cases = [
        (_docx(["{{ contract.nmae }}"]), "「nmae」"),
        (_docx(["{{ nope }}"]), "nope"),
        (b"PK\x03\x04 not a zip at all", "已损坏"),
        (b"hello", "不是"),
        (_docx(["{% for r in rows %}"]), "语法"),
        (_xlsx([["{{ sla_ratez }}"]]), "sla_ratez"),
    ]
    for body, expected in cases:
        with pytest.raises(TemplateError) as err, demo_store.session() as s:
            client_templates.attach(s, "portal-om", "monthly-report", body, "t")
        assert expected in err.value.message, err.value.message


def test_zip_bomb_and_entities_refused(demo_store) -> None:
    doc = _docx(["x"])
    src = zipfile.ZipFile(io.BytesIO(doc))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "word/document.xml":
                body = (
                    body.replace(b"<?xml", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><?xml', 1)
                    if False
                    else b'<!DOCTYPE w [<!ENTITY a "a">]>' + body
                )
            zf.writestr(info.filename, body)
        zf.writestr("bomb.bin", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(TemplateError) as err, demo_store.session() as s:
        client_templates.attach(s, "portal-om", "monthly-report", out.getvalue(), "bomb.docx")
    assert "已拒绝" in err.value.message


def test_client_templates_replace_the_built_in_ones(demo_store, tmp_path: Path) -> None:
    word = _docx(
        ["客户格式 {{ contract.name }} {{ period.label }} 完成率 {{ inspection_rate|pct }}"]
    )
    excel = _xlsx(
        [
            ["客户月报", "{{ contract.name }}"],
            ["{% for x in requests_by_channel %}{{ x.name }}", "{{ x.count }}", "{{ x.share }}"],
            ["合计", "{{ requests_total }}"],
            ["签字", "{{ signatures.operator.image }}"],
        ]
    )
    with demo_store.session() as s:
        client_templates.attach(s, "portal-om", "monthly-report", word, "客户月报.docx")
        client_templates.attach(s, "portal-om", "monthly-report", excel, "客户月报.xlsx")
        assert len(client_templates.list_templates(s, "portal-om")) == 2
        plan = packs.plan_month(s, "portal-om", MONTH)
    result = packs.export_pack(
        demo_store, plan, tmp_path, record=False, now=NOW, allow_unreviewed=True
    )
    docx = next(result.folder.glob("*运维月报*.docx"))
    text = "\n".join(p.text for p in Document(docx).paragraphs)
    assert text.startswith("客户格式 门户应用运维服务项目 2026年10月 完成率 ")
    ws = load_workbook(next(result.folder.glob("*运维月报*.xlsx"))).active
    assert ws["A1"].value == "客户月报" and ws["B1"].value == "门户应用运维服务项目"
    channels = [ws.cell(row=r, column=1).value for r in range(2, 5)]
    assert "电话" in channels or "电话解决" in channels
    total_row = next(r for r in ws.iter_rows() if r[0].value == "合计")
    assert isinstance(total_row[1].value, int)
    assert (
        sum(ws.cell(row=r, column=2).value for r in range(2, total_row[0].row))
        == total_row[1].value
    )
    with demo_store.session() as s:
        assert client_templates.remove(s, "portal-om", "monthly-report", "docx")
