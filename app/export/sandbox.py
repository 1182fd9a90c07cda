"""The sandboxed Jinja environment every template (built-in or the client's) runs in.

- :class:`jinja2.sandbox.ImmutableSandboxedEnvironment`: no access to
  attributes starting with ``_`` (``''.__class__.__mro__`` is refused), no
  mutation of values, ``range`` limited; no loader, so no ``include``,
  ``import`` or ``extends`` (no file access).
- Context values are plain data (dicts, lists, strings, numbers, dates), never
  store objects.
- Undefined names raise (a typo in a client template is reported, not printed
  as an empty string); repetition (``'x' * 10**9``, ``10 ** 10 ** 10``) is bounded.
- The client templates' environments are *bounded* (``bounded=True``): every
  loop, ``range()``, macro call and piece of output is charged to the
  document's :mod:`~app.export.budget`, and arithmetic, widths and sizes of
  values are checked (:mod:`~app.export.bounded_ops`), also at compile time on
  what is constant. The built-in templates' environments skip that (trusted,
  and it costs time); client templates are also rendered in a child process
  with memory and time limits (:mod:`~app.export.isolation`).
- Every compiled template is cached in the environment; the renderer uses one
  shared environment per kind (:func:`shared_word_env`, :func:`shared_excel_env`)
  and keeps compiled templates for the process, so each template is compiled
  once. Attribute access on the (plain dict) context values looks the key up
  first, without the exception Jinja's default lookup raises and catches per
  value.

Errors are turned into :class:`~app.export.errors.TemplateError` with a
Chinese message by :func:`explain`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from types import CodeType
from typing import Any

import jinja2
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from markupsafe import Markup, escape

from app.export import bounded_ops
from app.export.budget import (
    BoundedCodeGenerator,
    LimitExceeded,
    charge_output,
    counted,
    current,
    refusal,
)
from app.export.context import Chart, Image
from app.export.errors import TemplateError

#: Compiled templates an environment keeps (the shared ones live as long as the process).
MAX_COMPILED = 256
#: Characters XML 1.0 forbids (except tab, newline, carriage return).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Remove characters that cannot appear in an XML document."""
    return _ILLEGAL_XML.sub("", text)


class _Undefined(StrictUndefined):
    __slots__ = ()


class SandboxEnv(ImmutableSandboxedEnvironment):
    """Sandbox with bounded repetition and a cache of compiled templates.

    ``bounded``: an environment for untrusted templates (see the module docstring).
    """

    intercepted_binops = frozenset({"*", "**"})

    def __init__(
        self,
        *,
        autoescape: bool,
        finalize: Callable[[Any], Any] | None = None,
        bounded: bool = False,
    ):
        self.bounded = bounded
        if bounded:
            self.code_generator_class = BoundedCodeGenerator
            self.intercepted_binops = frozenset({"*", "**", "+", "%"})
        super().__init__(
            autoescape=autoescape,
            undefined=_Undefined,
            finalize=finalize,
            loader=None,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        for name in ("lipsum", "cycler", "joiner", "namespace", "dict"):
            self.globals.pop(name, None)
        self.filters.update(FILTERS)
        if bounded:
            self.filters = bounded_ops.guarded_filters(self.filters)
        self._compiled: dict[str, Any] = {}
        self._expressions: dict[str, Any] = {}
        self._fingerprinted: str | None = None

    def clear_cache(self) -> None:
        self._compiled.clear()
        self._expressions.clear()

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Context values are plain dicts: look the key up first (no AttributeError
        # raised and caught per value); anything else goes the sandbox's way.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        bounded_ops.check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        return bounded_ops.check_value(result) if self.bounded else result

    def call(__self, __context: Any, __obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not __self.bounded:
            return super().call(__context, __obj, *args, **kwargs)
        budget = current()
        # macros, loop(…) of a recursive loop, self.block(): each call one level deeper
        nested = isinstance(__obj, Macro | LoopContext | BlockReference)
        if __obj is safe_range:
            length = bounded_ops.range_length(args)
            if budget is not None:
                budget.step(length)
        elif nested and budget is not None:
            budget.enter()
            if isinstance(__obj, LoopContext) and args:  # loop(children): counted as well
                args = (counted(args[0]), *args[1:])
        else:
            args = bounded_ops.check_call(__obj, args, kwargs)
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            if nested and budget is not None:
                budget.leave()
        return bounded_ops.check_value(result)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None or not self.bounded:
            return wrapped
        template = value.__self__
        sandboxed = wrapped

        def checked(*args: Any, **kwargs: Any) -> str:
            bounded_ops.check_str_format(template)
            return bounded_ops.check_value(sandboxed(*args, **kwargs))  # type: ignore[no-any-return]

        return functools.update_wrapper(checked, value)

    # called by the code BoundedCodeGenerator writes
    charge_output = staticmethod(charge_output)
    checked = staticmethod(bounded_ops.check_value)

    def from_string(self, source: str, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            # a node: Jinja's own compile_expression (checked in expression())
            if self.bounded and isinstance(source, nodes.Template):
                bounded_ops.check_static(source)
            return super().from_string(source, globals, template_class)
        found = self._compiled.get(source)
        if found is None:
            if self.bounded:  # a client's template: compiled here, every time
                code = self._compile_checked(source)
            else:  # the built-in templates' code is kept on disk (app.export.compile_cache)
                from app.export import compile_cache

                make = functools.partial(self._compile_checked, source)
                code = compile_cache.cached(self._fingerprint(), source, make, CodeType)
            found = self.template_class.from_code(self, code, self.make_globals(None), None)
            if len(self._compiled) >= MAX_COMPILED:
                self._compiled.clear()
            self._compiled[source] = found
        return found

    def _compile_checked(self, source: str) -> CodeType:
        tree = self.parse(source)  # parsed once: checked, then compiled
        _refuse_private_names(tree)
        if self.bounded:
            bounded_ops.check_static(tree)
            bounded_ops.count_loops(tree, self)
        return self.compile(tree)  # type: ignore[no-any-return]

    def _fingerprint(self) -> str:
        """What the compiled code of a template depends on besides its text (Jinja folds
        constants through ``finalize`` and checks filter names when compiling)."""
        from app.export import compile_cache

        if self._fingerprinted is None:
            self._fingerprinted = compile_cache.fingerprint(
                "jinja",
                jinja2.__version__,
                compile_cache.source_digest(__file__, jinja2.__version__),
                self.autoescape,
                getattr(self.finalize, "__qualname__", None),
                sorted(self.intercepted_binops),
                sorted(self.filters),
                sorted(self.tests),
            )
        return self._fingerprinted

    def expression(self, source: str) -> Any:
        """A compiled expression (cached), for Excel cells."""
        found = self._expressions.get(source)
        if found is None:
            _refuse_private(self, "{{ " + source + " }}")
            found = self.compile_expression(source, undefined_to_none=False)
            if len(self._expressions) >= MAX_COMPILED * 16:
                self._expressions.clear()
            self._expressions[source] = found
        return found


def _refuse_private(env: SandboxEnv, source: str) -> None:
    """Refuse ``x.__y__`` / ``x['_y']`` before compiling (the sandbox would refuse at run time)."""
    _refuse_private_names(env.parse(source))


def _refuse_private_names(tree: nodes.Template) -> None:
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value if isinstance(node.arg.value, str) else None
        if name is not None and name.startswith("_"):
            raise SecurityError(f"access to {name}")


# --------------------------------------------------------------------------- filters


def fmt_date(value: Any, pattern: str = "%Y-%m-%d") -> str:
    if isinstance(value, datetime | date):
        return value.strftime(pattern)
    return "" if value is None else str(value)


def fmt_time(value: Any) -> str:
    return fmt_date(value, "%Y-%m-%d %H:%M")


def fmt_cn_date(value: Any) -> str:
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月{value.day}日"
    return "" if value is None else str(value)


def fmt_pct(value: Any, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.{int(digits)}f}%"
    except (TypeError, ValueError):
        return str(value)


def fmt_num(value: Any, digits: int = 2) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = f"{value:.{int(digits)}f}"
        # trailing zeros of the decimals only: num(0) of 200.2 is "200", not "2"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def text_lines(value: Any) -> list[str]:
    """A text's lines that hold something, for a paragraph each: ``{%p for x in t|lines %}``.

    A line break inside one paragraph starts the next line at the margin, under
    a first line indented two characters: a 处理过程 typed as a numbered list
    printed its first step indented and the others not.
    """
    return [line.strip() for line in plain_text(value).splitlines() if line.strip()]


FILTERS: dict[str, Callable[..., Any]] = {
    "d": fmt_date,
    "dt": fmt_time,
    "cn_date": fmt_cn_date,
    "pct": fmt_pct,
    "num": fmt_num,
    "lines": text_lines,
}


def plain_text(value: Any) -> str:
    """How a value prints: dates ``2026-03-05``, times ``2026-03-05 14:30``, bools 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return fmt_time(value)
    if isinstance(value, date):
        return fmt_date(value)
    if isinstance(value, float):
        return fmt_num(value)
    return str(value)


# --------------------------------------------------------------------------- values


_current = threading.local()


@contextmanager
def drawing(picture: Callable[[Image], Any], chart: Callable[[Chart], Any]) -> Iterator[None]:
    """While a Word template renders: how pictures and charts print (this thread only)."""
    _current.picture, _current.chart = picture, chart
    try:
        yield
    finally:
        _current.picture = _current.chart = None


class Picture:
    """An image in a context converted for a template; prints as the picture in Word."""

    __slots__ = ("_image",)

    def __init__(self, image: Image) -> None:
        self._image = image

    def __html__(self) -> str:
        render = getattr(_current, "picture", None)
        return "" if render is None else str(render(self._image))

    def __str__(self) -> str:
        return self.__html__()

    def __bool__(self) -> bool:
        return True


class ChartValue(dict[str, Any]):
    """A chart's data (``title``, ``categories``, ``series``…); prints as its picture in Word."""

    def __init__(self, chart: Chart) -> None:
        super().__init__(
            key=chart.key,
            title=chart.title,
            kind=chart.kind,
            categories=list(chart.categories),
            series=[{"name": n, "data": list(v)} for n, v in chart.series],
            percent=chart.percent,
        )
        self.chart = chart

    def __html__(self) -> str:
        render = getattr(_current, "chart", None)
        return "" if render is None else str(render(self.chart) or "")

    def __str__(self) -> str:
        return self.__html__()


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls))
        _FIELDS[cls] = names
    return names


_SCALARS = (str, int, float, bool, date, datetime, type(None))


def to_template(value: Any) -> Any:
    """A context as plain data for Jinja: dataclasses become dicts, images pictures.

    Strings are passed as typed; the Word and Excel writers make them safe. An
    object the context holds in several places (a run in its list, its day and the
    detailed runs) becomes one dict, shared: templates cannot change their values.
    """
    return _plain(value, {})


def _plain(value: Any, done: dict[int, tuple[Any, Any]]) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is Image:
        return Picture(value)
    if kind is Chart:
        return ChartValue(value)
    # Scalars, most of a context's values, are taken as they are without a call: a
    # 12-month archive's contexts hold 800,000 values (half the conversion's time).
    if kind is list or kind is tuple:
        return [v if type(v) in _SCALARS else _plain(v, done) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found = done.get(id(value))
        if found is None:
            plain = {}
            for name in _field_names(kind):
                v = getattr(value, name)
                plain[name] = v if type(v) in _SCALARS else _plain(v, done)
            found = done[id(value)] = (value, plain)  # the object kept: its id stays its own
        return found[1]
    if isinstance(value, dict):
        return {str(k): _plain(v, done) for k, v in value.items()}
    if isinstance(value, str):
        return str(value)
    return value


# --------------------------------------------------------------------------- Word


_BRACES = {"{": "&#123;", "}": "&#125;"}


_WORD_SPECIAL = re.compile("[&<>\"'{}\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def word_text(value: Any) -> str:
    """Every ``{{ … }}`` of a Word template ends here: literal, escaped WordprocessingML text.

    Text is XML-escaped (``</w:t>`` prints as itself); braces become character
    references so nothing a user typed can look like template syntax later;
    newlines and tabs become Word line breaks and tabs. Values that print
    themselves as markup (pictures, charts, ``|e``) are passed through.
    """
    if type(value) is str:
        if _WORD_SPECIAL.search(value) is None:
            return value
        text = clean_text(value)
    elif hasattr(value, "__html__"):
        return str(value.__html__())
    else:
        text = clean_text(plain_text(value))
        if _WORD_SPECIAL.search(text) is None:
            return text
    out = str(escape(text))
    if "{" in out or "}" in out:
        out = out.replace("{", _BRACES["{"]).replace("}", _BRACES["}"])
    if "\n" in out or "\r" in out:
        out = out.replace("\r\n", "\n").replace("\r", "\n")
        out = out.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    if "\t" in out:
        out = out.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
    return out


def word_finalize(value: Any) -> Any:
    """:func:`word_text` as markup, for an autoescaping environment."""
    return Markup(word_text(value))


def word_env(*, autoescape: bool = True) -> SandboxEnv:
    """The Word environment.

    ``autoescape=True`` (client templates): Jinja's autoescaping plus
    :func:`word_finalize`, so blocks and macros that build markup keep working
    as they do in docxtpl. ``autoescape=False`` (the built-in templates, which
    use neither): every printed value is escaped by :func:`word_text` alone —
    the same text, without wrapping each of tens of thousands of values in
    ``Markup`` twice (a third of the render time of a month's 巡检记录单).
    """
    if autoescape:
        return SandboxEnv(autoescape=True, finalize=word_finalize, bounded=True)
    return SandboxEnv(autoescape=False, finalize=word_text)


def excel_finalize(value: Any) -> str:
    return clean_text(plain_text(value))


def excel_env(*, bounded: bool = True) -> SandboxEnv:
    """The Excel environment; ``bounded=False`` for the built-in templates only."""
    return SandboxEnv(autoescape=False, finalize=excel_finalize, bounded=bounded)


_shared: dict[str, SandboxEnv] = {}
_shared_lock = threading.Lock()


def _shared_env(kind: str) -> SandboxEnv:
    found = _shared.get(kind)
    if found is None:
        with _shared_lock:
            found = _shared.get(kind)
            if found is None:
                if kind == "word":
                    found = word_env()
                elif kind == "word-builtin":
                    found = word_env(autoescape=False)
                else:
                    found = excel_env(bounded=False)
                _shared[kind] = found
    return found


def shared_word_env(*, builtin: bool = False) -> SandboxEnv:
    """The process's Word environment (stateless apart from its cache of compiled templates).

    ``builtin``: the one for the built-in templates (see :func:`word_env`).
    """
    return _shared_env("word-builtin" if builtin else "word")


def shared_excel_env() -> SandboxEnv:
    """The process's Excel environment for the built-in templates (not bounded).

    Client workbooks are rendered in a child process, each in a bounded
    :func:`excel_env` (:mod:`app.export.isolation`).
    """
    return _shared_env("excel")


# --------------------------------------------------------------------------- errors


_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def explain(exc: BaseException, where: str) -> TemplateError:
    """A Chinese message for an error raised while compiling or rendering a template."""
    if isinstance(exc, TemplateError):
        return exc
    if isinstance(exc, LimitExceeded):
        return TemplateError(refusal(where, exc.what))
    if isinstance(exc, MemoryError):
        return TemplateError(refusal(where, "所需内存超过上限"))
    if isinstance(exc, RecursionError):
        return TemplateError(refusal(where, "宏、循环或表达式的嵌套过深"))
    if isinstance(exc, SecurityError):
        return TemplateError(
            f"{where}使用了不允许的写法（访问内部属性或超出限制的运算），已拒绝渲染，未写入任何文件。"
        )
    if isinstance(exc, UndefinedError):
        match = _UNDEFINED.search(str(exc))
        name = next((g for g in match.groups() if g), "") if match else ""
        return TemplateError(
            f"{where}中的字段「{name or str(exc)}」不存在。"
            "可用 `omw template-fields 表单类型` 查看可用的字段名。"
        )
    if isinstance(exc, TemplateSyntaxError):
        return TemplateError(
            f"{where}的模板语法有误（第 {exc.lineno} 行附近）：{exc.message}。"
            "请检查 {{ }}、{% %} 是否成对。"
        )
    if isinstance(exc, JinjaError):
        return TemplateError(f"{where}无法渲染：{exc}。")
    return TemplateError(f"{where}无法渲染：{type(exc).__name__}: {exc}")
