"""One renderer per export run: picks the template (client's or built-in) and fills it.

Built-in and client templates go the same way: a :class:`WordTemplate` or
:class:`ExcelTemplate` compiled in the sandboxed environments. Client
templates are untrusted: they are compiled and rendered in a child process
with memory and time limits (:mod:`app.export.isolation`), one per export run,
started on first use; built-in ones are trusted and rendered here. A compiled
template is immutable and kept for the process (keyed by the SHA-256 of the
template file, so a changed file is compiled anew): a template used for 200
records — or for every export of a session — is compiled once. Chart pictures
are drawn once per export run, however many forms show them.

Excel: the built-in templates (made by ``scripts/build_templates.py``) are
filled by :mod:`app.export.xlsx_fast`, which writes the worksheet XML directly;
client workbooks, which may use anything Excel offers, go through openpyxl
(:mod:`app.export.xlsx_render`, imported only then). Both read the same template
conventions (:mod:`app.export.xlsx_cells`), and the tests check they produce the
same cells.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy.orm import Session

from app.export import charts as charts_mod
from app.export import client_templates
from app.export.context import Chart, FormContext
from app.export.docx_render import WordTemplate
from app.export.errors import ExportError
from app.export.forms import spec
from app.export.isolation import IsolatedRenderer
from app.export.sandbox import excel_env, shared_excel_env, shared_word_env, to_template
from app.export.template_files import builtin_bytes, check_package
from db.models import Contract

_CACHE_SIZE = 64
_compiled: OrderedDict[tuple[str, str, str, bool], Any] = OrderedDict()
_lock = threading.Lock()


def compiled(data: bytes, fmt: str, where: str, *, builtin: bool = False) -> Any:
    """The compiled template of ``data`` (cached for the process, least recently used out)."""
    key = (fmt, hashlib.sha256(data).hexdigest(), where, builtin)
    with _lock:
        found = _compiled.get(key)
        if found is not None:
            _compiled.move_to_end(key)
            return found
    if fmt == "docx":
        found = WordTemplate(data, shared_word_env(builtin=builtin), where, trusted=builtin)
    elif builtin:
        from app.export.xlsx_fast import FastExcelTemplate, Unsupported

        try:
            found = FastExcelTemplate(data, shared_excel_env(), where)
        except Unsupported:
            from app.export.xlsx_render import ExcelTemplate  # openpyxl: only when needed

            found = ExcelTemplate(data, shared_excel_env(), where, trusted=True)
    else:
        from app.export.xlsx_render import ExcelTemplate

        found = ExcelTemplate(data, excel_env(), where)
    with _lock:
        _compiled[key] = found
        while len(_compiled) > _CACHE_SIZE:
            _compiled.popitem(last=False)
    return found


def clear_cache() -> None:
    """Forget compiled templates (benchmarks use it to time a first export)."""
    with _lock:
        _compiled.clear()
    shared_word_env().clear_cache()
    shared_word_env(builtin=True).clear_cache()
    shared_excel_env().clear_cache()


class ClientTemplate:
    """A client's template, rendered by the export run's child process (module docstring)."""

    def __init__(self, isolated: IsolatedRenderer, data: bytes, fmt: str, where: str) -> None:
        self.isolated = isolated
        self.data = data
        self.fmt = fmt
        self.where = where

    def render(self, ctx: FormContext, plain: dict[str, Any] | None = None, **_: Any) -> bytes:
        """The filled document (the child draws charts itself: ``charts=`` is not used)."""
        context = plain if plain is not None else to_template(ctx)
        return self.isolated.render(self.fmt, self.data, self.where, context)


class Renderer:
    """Fills the templates of one export run; :meth:`close` (or ``with``) ends its child process.

    A renderer that is dropped without closing ends its child too, when it is
    garbage collected.
    """

    def __init__(self, session: Session, contract: Contract) -> None:
        self.session = session
        self._client = {
            (row.deliverable_code, row.fmt): row
            for row in client_templates.list_templates(session, contract)
        }
        self._cache: dict[tuple[str, str, str], Any] = {}
        self._plain: tuple[FormContext, dict[str, Any]] | None = None
        self._charts: dict[str, bytes | None] = {}
        self.isolated = IsolatedRenderer()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.isolated.close()

    def chart_png(self, chart: Chart) -> bytes | None:
        """A chart's picture, drawn once per export run."""
        key = repr((chart.title, chart.kind, chart.categories, chart.series, chart.percent))
        if key not in self._charts:
            self._charts[key] = charts_mod.render_png(chart)
        return self._charts[key]

    def template(self, form: str, fmt: str, deliverable_code: str = "") -> Any:
        key = (form, fmt, deliverable_code)
        template = self._cache.get(key)
        if template is None:
            row = self._client.get((deliverable_code, fmt))
            if row is not None and row.form == form:
                data = client_templates.template_bytes(self.session, row)
                where = f"客户模板“{row.filename}”"
                check_package(data, fmt, where)
                template = ClientTemplate(self.isolated, data, fmt, where)
            else:
                found = builtin_bytes(form, fmt)
                if found is None:
                    raise ExportError(
                        f"缺少内置模板 {form}.{fmt}（resources/templates/），"
                        "请运行 scripts/build_templates.py 重新生成。"
                    )
                template = compiled(found, fmt, f"内置模板 {form}.{fmt}", builtin=True)
            self._cache[key] = template
        return template

    def render(self, ctx: FormContext, fmt: str, deliverable_code: str = "") -> bytes:
        form = spec(ctx.form)
        if fmt not in form.formats:
            raise ExportError(
                f"「{form.title}」不能导出为 {fmt}，可用格式：{'、'.join(form.formats)}。"
            )
        template = self.template(ctx.form, fmt, deliverable_code)
        if self._plain is None or self._plain[0] is not ctx:
            self._plain = (ctx, to_template(ctx))  # Word and Excel of a form share it
        if fmt == "docx":
            return template.render(ctx, self._plain[1], charts=self.chart_png)  # type: ignore[no-any-return]
        return template.render(ctx, self._plain[1])  # type: ignore[no-any-return]
