"""Client templates: a customer's own .docx/.xlsx attached to a deliverable.

A template is untrusted input. :func:`attach` checks the file
(:func:`app.export.template_files.check_package`), then test-renders it in the
sandbox with a sample context of the form (:func:`app.export.fields.sample`),
in a child process with memory and time limits (:mod:`app.export.isolation`):
unknown fields, unsafe expressions, broken files and templates over the render
limits (:mod:`app.export.budget` — also those visible in the source but not
reached with the sample data, such as ``{{ 9**9**9 }}`` in a branch) are
refused with a Chinese message and nothing is stored. Once attached, exports
of that deliverable fill it instead of the built-in template
(:class:`app.export.render.Renderer`). Attaching several templates can share
one child process (``isolated=``, an :class:`~app.export.isolation.IsolatedRenderer`
the caller closes), as an export run does.

Every built-in template (``resources/templates/``) attaches unchanged as a client
template and exports the same text (``tests/test_client_templates.py``).
"""

from __future__ import annotations

from pathlib import PureWindowsPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.registry import profile_of
from app.export import fields
from app.export.errors import ExportError, TemplateError
from app.export.forms import spec
from app.export.isolation import IsolatedRenderer, render_isolated
from app.export.sandbox import to_template
from app.export.template_files import check_package, sniff_format
from app.records import _util
from app.records.attachments import blob_bytes, store_blob
from db.models import Contract, ExportTemplate

FMT_LABEL = {"docx": "Word", "xlsx": "Excel"}


def validate(
    kind: str,
    fmt: str,
    data: bytes,
    label: str = "模板文件",
    *,
    isolated: IsolatedRenderer | None = None,
) -> None:
    """Refuse a template that is unsafe, broken or uses fields ``kind`` lacks.

    The test render runs in a child process: ``isolated``'s, else one of its own.
    """
    check_package(data, fmt, label)
    sample = to_template(fields.sample(kind))
    if isolated is None:
        render_isolated(fmt, data, label, sample)
    else:
        isolated.render(fmt, data, label, sample)


def _deliverable(contract: Contract, code: str) -> tuple[str, str]:
    profile = profile_of(contract)
    found = next((d for d in profile.deliverables if d.code == code), None)
    if found is None:
        names = "、".join(f"{d.code}（{d.name}）" for d in profile.deliverables)
        raise ExportError(f"合同「{contract.name}」没有代码为 “{code}” 的交付物。可选：{names}。")
    return found.name, found.form


def _find(
    session: Session, contract: Contract, deliverable_code: str, fmt: str
) -> ExportTemplate | None:
    """The client template attached for this deliverable and format, if any."""
    return session.scalar(
        select(ExportTemplate).where(
            ExportTemplate.contract_id == contract.id,
            ExportTemplate.deliverable_code == deliverable_code,
            ExportTemplate.fmt == fmt,
        )
    )


def attach(
    session: Session,
    contract: Contract | str,
    deliverable_code: str,
    data: bytes,
    filename: str = "",
    note: str = "",
    *,
    isolated: IsolatedRenderer | None = None,
) -> ExportTemplate:
    """Attach (or replace) the client template of a deliverable; see the module docstring."""
    contract = _util.contract_of(session, contract)
    name, kind = _deliverable(contract, deliverable_code)
    fmt = sniff_format(bytes(data)) if isinstance(data, bytes | bytearray) else None
    if fmt is None:
        raise TemplateError("模板文件不是 Word（.docx）或 Excel（.xlsx）文件，或文件已损坏。")
    form = spec(kind)
    if fmt not in form.formats:
        raise TemplateError(f"「{name}」只导出 {'、'.join(form.formats)}，不能使用 {fmt} 模板。")
    shown = PureWindowsPath(filename).name[:255] if filename else f"{deliverable_code}.{fmt}"
    validate(kind, fmt, bytes(data), f"模板“{shown}”", isolated=isolated)
    sha = store_blob(session, bytes(data))
    row = _find(session, contract, deliverable_code, fmt)
    if row is None:
        row = ExportTemplate(
            contract_id=contract.id, deliverable_code=deliverable_code, form=kind, fmt=fmt
        )
        session.add(row)
    row.filename = shown
    row.blob_sha256 = sha
    row.size = len(data)
    row.note = _util.text(note, "说明", limit=2_000)
    session.flush()
    return row


def remove(session: Session, contract: Contract | str, deliverable_code: str, fmt: str) -> bool:
    """Go back to the built-in template; whether a client template was attached."""
    contract = _util.contract_of(session, contract)
    row = _find(session, contract, deliverable_code, fmt)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def list_templates(session: Session, contract: Contract | str) -> list[ExportTemplate]:
    contract = _util.contract_of(session, contract)
    return list(
        session.scalars(
            select(ExportTemplate)
            .where(ExportTemplate.contract_id == contract.id)
            .order_by(ExportTemplate.deliverable_code, ExportTemplate.fmt)
        )
    )


def template_bytes(session: Session, row: ExportTemplate) -> bytes:
    return blob_bytes(session, row.blob_sha256)
