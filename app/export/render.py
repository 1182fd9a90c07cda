"""One renderer per export run: picks the template (client's or built-in) and fills it.

Built-in and client templates go the same way: a :class:`WordTemplate` or
:class:`ExcelTemplate` compiled in the run's sandboxed environments, cached
for the run, so a template used for 200 records is compiled once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.export import client_templates
from app.export.context import FormContext
from app.export.docx_render import WordTemplate
from app.export.errors import ExportError
from app.export.forms import spec
from app.export.sandbox import excel_env, to_template, word_env
from app.export.template_files import builtin_bytes, check_package
from app.export.xlsx_render import ExcelTemplate
from db.models import Contract


class Renderer:
    def __init__(self, session: Session, contract: Contract) -> None:
        self.session = session
        self.word_env = word_env()
        self.excel_env = excel_env()
        self._client = {
            (row.deliverable_code, row.fmt): row
            for row in client_templates.list_templates(session, contract)
        }
        self._cache: dict[tuple[str, str, str], Any] = {}
        self._plain: tuple[FormContext, dict[str, Any]] | None = None

    def uses_client_template(self, deliverable_code: str, fmt: str) -> bool:
        return (deliverable_code, fmt) in self._client

    def render(self, ctx: FormContext, fmt: str, deliverable_code: str = "") -> bytes:
        form = spec(ctx.form)
        if fmt not in form.formats:
            raise ExportError(
                f"「{form.title}」不能导出为 {fmt}，可用格式：{'、'.join(form.formats)}。"
            )
        key = (ctx.form, fmt, deliverable_code)
        template = self._cache.get(key)
        if template is None:
            row = self._client.get((deliverable_code, fmt))
            if row is not None and row.form == ctx.form:
                data = client_templates.template_bytes(self.session, row)
                where = f"客户模板“{row.filename}”"
                check_package(data, fmt, where)
            else:
                found = builtin_bytes(ctx.form, fmt)
                if found is None:
                    raise ExportError(
                        f"缺少内置模板 {ctx.form}.{fmt}（resources/templates/），"
                        "请运行 scripts/build_templates.py 重新生成。"
                    )
                data, where = found, f"内置模板 {ctx.form}.{fmt}"
            if fmt == "docx":
                template = WordTemplate(data, self.word_env, where)
            else:
                template = ExcelTemplate(data, self.excel_env, where)
            self._cache[key] = template
        if self._plain is None or self._plain[0] is not ctx:
            self._plain = (ctx, to_template(ctx))  # Word and Excel of a form share it
        return template.render(ctx, self._plain[1])  # type: ignore[no-any-return]
