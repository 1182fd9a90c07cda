"""The field names each form offers to templates, and a sample context per form.

:func:`describe` is what ``omw template-fields KIND`` prints: every field with
its Chinese label, nested fields indented, repeating rows marked ``[]`` with
the loop to use, pictures marked. :func:`sample` builds a context with
placeholder values of every field (one element per list): a client template
is test-rendered with it before it is accepted.
"""

from __future__ import annotations

import dataclasses
import struct
import types
import typing
import zlib
from datetime import date, datetime
from typing import Any

from app.export import context as c
from app.export.forms import spec


def text_sections(kind: str) -> tuple[Any, ...]:
    """The narrative sections of ``kind`` (the keys of a document's ``texts``)."""
    from app.export.narrative import sections

    return sections(kind, year_end=True)


_SAMPLE_DAY = date(2026, 1, 5)
_SAMPLE_TIME = datetime(2026, 1, 5, 9, 30)


def _blank_png(width: int, height: int) -> bytes:
    """A valid, fully transparent RGBA PNG (every chunk's length and CRC computed)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    pixels = b"".join(b"\x00" + b"\x00\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


#: The picture of a client template's test render (a signature, an attachment): blank,
#: 20×10 pixels like the 10×5 mm it is placed at, and a PNG any reader decodes in full.
SAMPLE_PNG = _blank_png(20, 10)
CHART_KEYS = {
    "monthly_report": (
        "faults_by_system",
        "calls_per_day",
        "sla_trend",
        "response_trend",
        "probe_availability",
    ),
    "phone_log": ("by_category",),
}


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(c), vars(c))


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _type_name(tp: Any) -> str:
    tp = _strip_optional(tp)
    names = {str: "文本", int: "整数", float: "数值", bool: "是/否", date: "日期", datetime: "时间"}
    if tp in names:
        return names[tp]
    if tp is c.Image:
        return "图片"
    if tp is c.Chart:
        return "图表"
    origin = typing.get_origin(tp)
    if origin is list:
        return "列表"
    if origin is dict:
        return "字典"
    if dataclasses.is_dataclass(tp):
        return "组"
    return "值"


def describe(kind: str) -> list[str]:
    """Lines documenting the fields of ``kind`` (see the module docstring)."""
    form = spec(kind)
    lines = [f"{form.kind}（{form.title}）— 格式：{'、'.join(form.formats)}"]
    _walk(form.context, "", 0, lines, kind)
    return lines


def _walk(cls: type, prefix: str, depth: int, lines: list[str], kind: str) -> None:
    hints = _hints(cls)
    for fld in dataclasses.fields(cls):
        tp = _strip_optional(hints[fld.name])
        zh = fld.metadata.get("zh", "")
        path = f"{prefix}{fld.name}"
        pad = "  " * (depth + 1)
        origin = typing.get_origin(tp)
        if origin is list:
            (inner,) = typing.get_args(tp)
            inner = _strip_optional(inner)
            loop = fld.name[:-1] if fld.name.endswith("s") else "x"
            if dataclasses.is_dataclass(inner):
                lines.append(
                    f"{pad}{path}[]  — {zh}（重复行：Word 用 {{%tr for {loop} in {path} %}}，"
                    f"Excel 行首写 {{% for {loop} in {path} %}}，行内用 {{{{ {loop}.字段 }}}}）"
                )
                _walk(inner, f"{loop}.", depth + 1, lines, kind)
            else:
                lines.append(f"{pad}{path}[]  {_type_name(inner)}列表 — {zh}")
        elif origin is dict and typing.get_args(tp)[1] is str:
            keys = "、".join(f"{d.key}（{d.title}）" for d in text_sections(kind))
            lines.append(f"{pad}{path}.<代码>  文本 — {zh}（{keys or '本表单没有'}）")
        elif origin is dict:
            keys = "、".join(CHART_KEYS.get(kind, ()))
            lines.append(
                f"{pad}{path}.<代码>  图表 — {zh}（{keys}；Word 写 {{{{ {path}.代码 }}}} 插入图片，"
                "Excel 写在单元格中插入原生图表）"
            )
        elif tp is c.Image:
            lines.append(f"{pad}{path}  图片 — {zh}（写 {{{{ {path} }}}} 插入图片；未签为空）")
        elif dataclasses.is_dataclass(tp):
            lines.append(f"{pad}{path}  — {zh}")
            _walk(tp, f"{path}.", depth + 1, lines, kind)
        else:
            lines.append(f"{pad}{path}  {_type_name(tp)} — {zh}")


def sample(kind: str) -> c.FormContext:
    """A context of ``kind`` with a placeholder in every field."""
    form = spec(kind)
    return _sample(form.context, kind)  # type: ignore[no-any-return]


def _sample(cls: type, kind: str) -> Any:
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for fld in dataclasses.fields(cls):
        values[fld.name] = _value(hints[fld.name], fld.name, kind, fld.metadata.get("zh", ""))
    return cls(**values)


def _value(tp: Any, name: str, kind: str, zh: str) -> Any:
    tp = _strip_optional(tp)
    if tp is str:
        return zh.split("（")[0].split("：")[0] or name
    if tp is bool:
        return False
    if tp is int:
        return 1
    if tp is float:
        return 0.5
    if tp is datetime:
        return _SAMPLE_TIME
    if tp is date:
        return _SAMPLE_DAY
    if tp is c.Image:
        return c.Image(SAMPLE_PNG, 10, 5)
    if tp is c.Chart:
        return c.Chart(key=name, title=name, categories=["甲", "乙"], series=[("数", [1.0, 2.0])])
    origin = typing.get_origin(tp)
    if origin is list:
        (inner,) = typing.get_args(tp)
        return [_value(inner, name, kind, zh)]
    if origin is tuple:
        return ("系列", [1.0])
    if origin is dict and typing.get_args(tp)[1] is str:
        return {d.key: d.title for d in text_sections(kind)}
    if origin is dict:
        return {
            key: c.Chart(key=key, title=key, categories=["甲", "乙"], series=[("数", [1.0, 2.0])])
            for key in CHART_KEYS.get(kind, ())
        }
    if dataclasses.is_dataclass(tp):
        return _sample(tp, kind)
    return None
