"""Client templates as a client hands them over: every built-in one attaches unchanged.

Each file of ``resources/templates/`` is attached as a client template of a
deliverable of its form (``client_templates.attach``, what ``omw template attach``
calls) and exported: the month packs of October 2026 and the forms those packs do
not hold, once with the built-in templates and once with the same files attached
as the client's — rendered in the child process — and the two print the same text.
Also: ``omw template attach`` takes the file before or after its options, the
sample picture of a test render is a PNG any reader decodes, a client's Word
template with a signature picture attaches and prints the signature, and Excel
templates written with Word's loop syntax are refused with a hint on how loops
are written in a workbook.
"""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from PIL import Image
from sqlalchemy import select

from app.cli.main import main as omw
from app.contracts.registry import profile_of
from app.export import client_templates, fields, packs
from app.export import render as render_mod
from app.export.errors import TemplateError
from app.export.forms import FORMS
from app.export.isolation import IsolatedRenderer
from app.storage.store import Store
from db.models import Contract, FaultRecord
from tests.test_export_fixtures import MONTH, demo_dir, store_copy  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "resources" / "templates").glob("*.*x"))
NOW = datetime(2026, 11, 2, 9, 0)
CODES = ("portal-om", "internet-om")
#: The period a period form is exported for when it is not in the month pack.
PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


class SharedChild:
    """One child process for every client-template render of a test (as for an export run).

    Stands in for :class:`IsolatedRenderer` in :mod:`app.export.render`; records which
    templates it rendered, so a test knows the client's template was used.
    """

    def __init__(self, real: IsolatedRenderer) -> None:
        self.real = real
        self.rendered: list[str] = []

    def render(self, fmt: str, data: bytes, where: str, plain: dict[str, Any]) -> bytes:
        self.rendered.append(where)
        return self.real.render(fmt, data, where, plain)

    def close(self, *, kill: bool = False) -> None:
        """The test closes the real one at its end."""


@pytest.fixture
def child(monkeypatch: pytest.MonkeyPatch) -> Iterator[SharedChild]:
    with IsolatedRenderer() as real:
        shared = SharedChild(real)
        monkeypatch.setattr(render_mod, "IsolatedRenderer", lambda: shared)
        yield shared


@pytest.fixture
def store_dir(demo_dir: Path, tmp_path: Path) -> Path:
    """A closed copy of the October demo store (for ``omw`` and for tests that open it)."""
    store_copy(demo_dir, tmp_path / "store").close()
    return tmp_path / "store"


def _deliverable_of(store: Store) -> dict[str, tuple[str, str]]:
    """Form kind → (contract, deliverable code) of the first deliverable of that form."""
    found: dict[str, tuple[str, str]] = {}
    with store.session() as s:
        for code in CODES:
            contract = s.scalar(select(Contract).where(Contract.code == code))
            for d in profile_of(contract).deliverables:
                found.setdefault(d.form, (code, d.code))
    return found


def _text(path: Path) -> str:
    """What a reader sees of a Word file (text of body, headers, footers) or of a workbook."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as zf:
            names = [
                n
                for n in sorted(zf.namelist())
                if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)
            ]
            xml = "".join(zf.read(n).decode() for n in names)
        pieces = re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|(</w:p>)", xml)
        return "".join(text or "\n" for text, _end in pieces)
    lines = []
    for ws in load_workbook(path).worksheets:
        lines.append(f"[{ws.title}]")
        for row in ws.iter_rows(values_only=True):
            line = "|".join("" if v is None else str(v) for v in row).rstrip("|")
            if line:
                lines.append(line)
    return "\n".join(lines)


def _export_everything(
    store: Store, out: Path, where: dict[str, tuple[str, str]]
) -> dict[str, Path]:
    """The October packs of both contracts and one file of every other form and format.

    Returns name → file (names equal between two calls on the same store).
    """
    files: dict[str, Path] = {}
    in_packs: set[tuple[str, str]] = set()
    for code in CODES:
        with store.session() as s:
            plan = packs.plan_month(s, code, MONTH)
        result = packs.export_pack(
            store, plan, out / code, record=False, make_zip=False, now=NOW, allow_unreviewed=True
        )
        for exported in result.files:
            files[f"{code}/{exported.path}"] = result.folder / exported.path
            in_packs.add((exported.planned.kind, exported.planned.fmt))
    for kind, form in sorted(FORMS.items()):
        for fmt in form.formats:
            if (kind, fmt) in in_packs:
                continue
            code, deliverable = where[kind]
            target = out / "forms" / f"{kind}.{fmt}"
            scoped: dict[str, Any] = {}
            if form.scope in ("period", "holiday", "records", "record"):
                scoped = {"start": PERIOD[0], "end": PERIOD[1]}
            packs.export_form(
                store,
                kind,
                target,
                contract=code,
                deliverable_code=deliverable,
                now=NOW,
                allow_incomplete=True,  # the same text either way: what is compared here
                **scoped,
            )
            files[f"forms/{kind}.{fmt}"] = target
    return files


@pytest.mark.slow
def test_every_built_in_template_attaches_unchanged_and_exports_the_same(
    store_dir: Path, tmp_path: Path, child: SharedChild
) -> None:
    store = Store.open(store_dir, actor="测试导出")
    try:
        where = _deliverable_of(store)
        assert {p.stem for p in TEMPLATES} <= set(where), "a template without a deliverable"
        built_in = _export_everything(store, tmp_path / "built-in", where)
        assert not child.rendered  # built-in templates render in this process

        with store.session() as s:
            for path in TEMPLATES:
                code, deliverable = where[path.stem]
                row = client_templates.attach(
                    s, code, deliverable, path.read_bytes(), path.name, isolated=child.real
                )
                assert (row.form, row.fmt, row.filename) == (path.stem, path.suffix[1:], path.name)
            attached = {
                (t.form, t.fmt) for code in CODES for t in client_templates.list_templates(s, code)
            }
        assert attached == {(p.stem, p.suffix[1:]) for p in TEMPLATES}

        client = _export_everything(store, tmp_path / "client", where)
    finally:
        store.close()
    assert client.keys() == built_in.keys()
    used = {re.sub(r"^客户模板“(.*)”$", r"\1", w) for w in child.rendered}
    assert used == {p.name for p in TEMPLATES}, "every export went through the client template"
    for name in sorted(built_in):
        assert _text(client[name]) == _text(built_in[name]), name


def test_omw_template_attach_takes_the_file_before_or_after_its_options(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's order (options, then FILE) and FILE first both work."""
    base = ["--data-dir", str(store_dir), "--as", "测试工程师", "template"]
    word = ROOT / "resources" / "templates" / "fault_report.docx"
    excel = ROOT / "resources" / "templates" / "phone_log.xlsx"
    args = ["--contract", "internet-om", "--deliverable"]
    assert omw([*base, "attach", *args, "fault-report", str(word)]) == 0
    assert omw([*base, "attach", str(excel), *args, "phone-log"]) == 0
    out = capsys.readouterr().out
    assert "已为交付物 fault-report 设置客户模板：fault_report.docx（docx）" in out
    assert "已为交付物 phone-log 设置客户模板：phone_log.xlsx（xlsx）" in out
    assert omw([*base, "list", "--contract", "internet-om"]) == 0
    listed = capsys.readouterr().out
    assert "fault_report.docx" in listed and "phone_log.xlsx" in listed
    assert omw([*base, "remove", *args, "phone-log", "--format", "docx"]) == 0
    assert "没有客户模板" in capsys.readouterr().out
    assert omw([*base, "remove", *args, "phone-log"]) == 0
    assert "已移除 phone-log 的 xlsx 客户模板" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        omw([*base, "attach", *args, "fault-report"])  # no file
    assert exit_.value.code == 2


def test_the_sample_picture_of_a_test_render_is_a_whole_png() -> None:
    with Image.open(io.BytesIO(fields.SAMPLE_PNG)) as im:
        im.load()  # decodes every pixel: a broken stream raises here
        assert (im.format, im.size) == ("PNG", (20, 10))
    with Image.open(io.BytesIO(fields.SAMPLE_PNG)) as im:
        im.verify()  # the chunks' CRCs


def test_a_client_word_template_with_a_signature_picture_prints_the_signature(
    store_dir: Path, tmp_path: Path
) -> None:
    doc = Document()
    doc.add_paragraph("客户故障报告 {{ period.key }} {{ title }}")
    doc.add_paragraph("处理人签字：{{ signatures.operator.image }} {{ signatures.operator.name }}")
    body = io.BytesIO()
    doc.save(body)
    store = Store.open(store_dir, actor="测试导出")
    try:
        with store.session() as s:
            client_templates.attach(s, "internet-om", "fault-report", body.getvalue(), "客户.docx")
            internet = s.scalar(select(Contract.id).where(Contract.code == "internet-om"))
            fault = next(
                f
                for f in s.scalars(
                    select(FaultRecord)
                    .where(FaultRecord.contract_id == internet)
                    .order_by(FaultRecord.number)
                )
                if f.locked_at is not None
            )
            number = fault.number
        out = tmp_path / "客户故障报告.docx"
        packs.export_form(store, "fault_report", out, record_id=fault.id, now=NOW)
    finally:
        store.close()
    with zipfile.ZipFile(out) as zf:
        media = [n for n in zf.namelist() if n.startswith("word/media/")]
        document = zf.read("word/document.xml").decode()
    assert f"客户故障报告 {number}" in _text(out)
    assert media and "<pic:pic" in document  # the operator's handwritten signature


def _workbook(rows: list[list[str | None]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_loops_written_the_word_way_are_refused_with_a_hint() -> None:
    head = ["电话支持记录", "{{ contract.name }}"]
    word_way = _workbook(
        [
            head,
            ["{% for r in rows %}"],
            ["{{ r.caller_name }}", "{{ r.caller_unit }}"],
            ["{% endfor %}"],
        ]
    )
    with pytest.raises(TemplateError) as refused:
        client_templates.validate("phone_log", "xlsx", word_way, "模板“客户.xlsx”")
    message = refused.value.message
    assert "单元格 A4 中的 “{% endfor %}” 不能用于 Excel 模板" in message
    assert "循环只占一行" in message and "{% for r in rows %}" in message

    tr_way = _workbook([head, ["{%tr for r in rows %}{{ r.caller_name }}"]])
    with pytest.raises(TemplateError) as refused:
        client_templates.validate("phone_log", "xlsx", tr_way, "模板“客户.xlsx”")
    assert "“{%tr ”" in refused.value.message or "{%tr" in refused.value.message
    assert "循环只占一行" in refused.value.message

    loop_alone = _workbook([head, ["{% for r in rows %}"], ["{{ r.caller_name }}"]])
    with pytest.raises(TemplateError) as refused:
        client_templates.validate("phone_log", "xlsx", loop_alone, "模板“客户.xlsx”")
    assert "「r」是第 2 行循环的变量，只能在该行内使用" in refused.value.message

    one_row = _workbook([head, ["{% for r in rows %}{{ r.caller_name }}", "{{ r.caller_unit }}"]])
    client_templates.validate("phone_log", "xlsx", one_row, "模板“客户.xlsx”")
