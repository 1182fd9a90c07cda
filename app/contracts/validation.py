"""Checking a contract profile's data against the schema, with errors a user can act on.

Every problem is one Chinese line naming the field, e.g.
``字段 checklists[2].groups[0].items[3].threshold.warn：应为数字，实际为 “abc”``
(:class:`ProfileError` heads each with the file). Used for a profile file as it is
loaded (:mod:`app.contracts.profiles`) and for a contract's installed snapshot
(:func:`app.contracts.registry.profile_of`).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from app.contracts.profile_schema import Profile
from app.errors import DomainError
from app.storage.text_rules import join_pairs, lone_surrogate, strip_controls


class ProfileError(DomainError):
    """A profile file cannot be used. ``problems`` holds one line per problem."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__("\n".join(f"{file}：{p}" for p in self.problems))


def type_name(value: Any) -> str:
    if isinstance(value, list):
        return "列表"
    if isinstance(value, str):
        return "文本"
    if value is None:
        return "空内容"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int | float):
        return "数字"
    return type(value).__name__


_CODE_PATTERN_HINT = "代码只能由小写字母、数字、“-” 和 “_” 组成，以字母或数字开头，最长 64 个字符"
_TIME_PATTERN_HINT = '应为时间 HH:MM，如 "09:00"（建议加引号）'

_SIMPLE_MESSAGES = {
    "missing": "缺少必填字段",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期（不含时间），格式 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数（不能有小数）",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本（纯数字、日期等作为文本时请加引号）",
    "list_type": "应为列表（每项以 “- ” 开头）",
    "model_type": "应为键值映射（“字段: 值” 的形式）",
    "model_attributes_type": "应为键值映射（“字段: 值” 的形式）",
    "dict_type": "应为键值映射（“字段: 值” 的形式）",
}

_VALUE_ERROR_MESSAGES = {
    "end_before_start": "结束日期早于开始日期",
    "records_from_outside": "启用日期（records_from）应在合同期内",
    "threshold_order": (
        "阈值顺序颠倒：direction 为 above（越大越差）时 alarm 应不小于 warn，"
        "为 below（越小越差）时 alarm 应不大于 warn"
    ),
    "number_needs_threshold": "kind 为 number（数值）的检查项必须设置 threshold（阈值）",
    "pair_needs_labels": "kind 为 pair（两数比对）的检查项必须设置 pair.labels（两个数的名称）",
    "threshold_only_for_number": "只有 kind 为 number 的检查项才能设置 threshold",
    "pair_only_for_pair": "只有 kind 为 pair 的检查项才能设置 pair",
    "probe_kind": "kind 为 pair（两数比对）或 photo（照片）的检查项不能由自动检测（probe）填写",
}

#: Chinese names of target fields in messages about probe targets.
_TARGET_FIELDS = {
    "url": "url（地址）",
    "host": "host（主机）",
    "port": "port（端口）",
    "domain": "domain（域名）",
    "expect": "expect（应解析到的地址）",
    "resolver": "resolver（DNS 服务器）",
}

#: A number's bound broken: pydantic's error kind → (what the value should be, its context key).
_BOUNDS = {
    "greater_than": ("应大于", "gt"),
    "greater_than_equal": ("应不小于", "ge"),
    "less_than": ("应小于", "lt"),
    "less_than_equal": ("应不大于", "le"),
}

#: Where the list checked by ``duplicate_code:<label>`` lives in the profile.
_DUPLICATE_LISTS = {
    "systems": ("systems", "系统"),
    "checklists": ("checklists", "检查表"),
    "deliverables": ("deliverables", "交付物"),
    "fault_levels": ("sla.fault_levels", "故障等级"),
    "fault_report_required": ("fault_report_required", "关闭前必填的报告部分"),
    "targets": ("systems", "探测目标"),
}


def _format_loc(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _shown(value: Any) -> str:
    if isinstance(value, dict | list) or value is None:
        return ""
    text = str(value)
    if len(text) > 40:
        text = text[:39] + "…"
    return f"，实际为 “{text}”"


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as ``list[X] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap_model(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap_model(arg)
            if found is not None:
                return found
    return None


def _model_at(loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model whose field list applies at ``loc`` (ints are list indexes)."""
    model: type[BaseModel] | None = Profile
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        model = _unwrap_model(model.model_fields[part].annotation)
    return model


def _extra_message(loc: Sequence[int | str]) -> str:
    name = str(loc[-1]) if loc else ""
    model = _model_at(loc[:-1])
    if model is None:
        return "不认识的字段"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f"不认识的字段，是否想写 “{close[0]}”？"
    return f"不认识的字段（此处可用的字段：{'、'.join(allowed)}）"


def _index_of(data: Any, list_name: str, code: str) -> int | None:
    items = data.get(list_name) if isinstance(data, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict) and item.get("code") == code:
                return index
    return None


def _system_codes(data: Any) -> list[str]:
    systems = data.get("systems") if isinstance(data, dict) else None
    if not isinstance(systems, list):
        return []
    return [str(s["code"]) for s in systems if isinstance(s, dict) and "code" in s]


def _value_error(
    reason: str, loc: tuple[int | str, ...], value: Any, data: Any
) -> tuple[tuple[int | str, ...] | str, str]:
    """Field path and Chinese sentence for a code raised by a schema validator."""
    if reason in _VALUE_ERROR_MESSAGES:
        if reason == "end_before_start":
            message = _VALUE_ERROR_MESSAGES[reason]
            if isinstance(value, dict):
                message += f"（开始 {value.get('start')}，结束 {value.get('end')}）"
            return (*loc, "end"), message
        if reason == "records_from_outside":
            message = _VALUE_ERROR_MESSAGES[reason]
            if isinstance(value, dict):
                message += (
                    f"（合同期 {value.get('start')} 至 {value.get('end')}，"
                    f"启用日期 {value.get('records_from')}）"
                )
            return (*loc, "records_from"), message
        if reason == "threshold_order" and isinstance(value, dict):
            shown = f"（warn {value.get('warn')}，alarm {value.get('alarm')}）"
            if value.get("direction") == "below":
                rule = "direction 为 below（越小越差）时 alarm 应不大于 warn"
            else:
                rule = "越大越差时 alarm 应不小于 warn；若越小越差，请设置 direction: below"
            return loc, f"阈值顺序颠倒{shown}：{rule}"
        if reason == "threshold_order":
            return loc, _VALUE_ERROR_MESSAGES[reason]
        if reason == "probe_kind":
            return (*loc, "probe"), _VALUE_ERROR_MESSAGES[reason]
        field = "threshold" if "threshold" in reason else "pair"
        return (*loc, field), _VALUE_ERROR_MESSAGES[reason]
    head, _, rest = reason.partition(":")
    if head == "rule_missing":
        rule = value.get("rule") if isinstance(value, dict) else ""
        fields = "、".join(rest.split(","))
        return loc, f"交付规则 rule 为 {rule} 时必须设置：{fields}"
    if head == "duplicate_code":
        label, _, codes = rest.partition(":")
        codes_text = "、".join(codes.split(","))
        if label in _DUPLICATE_LISTS:
            where, noun = _DUPLICATE_LISTS[label]
            return where, f"{noun}代码重复：{codes_text}（每个代码只能出现一次）"
        index = _index_of(data, "checklists", label)
        where = f"checklists[{index}]" if index is not None else "checklists"
        return (
            where,
            f"检查表 “{label}” 中检查项代码重复：{codes_text}（同一检查表内每个代码只能出现一次）",
        )
    if head in ("target_missing", "target_extra"):
        kind, _, names = rest.partition(":")
        shown = "、".join(_TARGET_FIELDS.get(n, n) for n in names.split(","))
        if head == "target_missing":
            return loc, f"kind 为 {kind} 的探测目标必须设置：{shown}"
        return loc, f"kind 为 {kind} 的探测目标不使用：{shown}"
    if head == "unknown_probe":
        checklist, _, codes = rest.partition(":")
        index = _index_of(data, "checklists", checklist)
        where = f"checklists[{index}]" if index is not None else "checklists"
        return where, (
            f"检查表 “{checklist}” 的检查项 probe 引用了未定义的探测目标："
            f"{'、'.join(codes.split(','))}（应为所查系统 targets 中的代码，或 links）"
        )
    if head == "unknown_system":
        checklist, _, codes = rest.partition(":")
        index = _index_of(data, "checklists", checklist)
        where = f"checklists[{index}].systems" if index is not None else "checklists"
        known = "、".join(_system_codes(data)) or "无"
        return where, (
            f"检查表 “{checklist}” 引用了未定义的系统代码：{'、'.join(codes.split(','))}"
            f"（systems 中定义的代码：{known}）"
        )
    return loc, f"不符合要求（{reason}）"


def _describe(error: ErrorDetails, data: Any) -> str:
    """One Chinese line for one pydantic error: ``字段 <path>：<what is wrong>``."""
    kind = error["type"]
    loc: tuple[int | str, ...] = tuple(
        p for p in error["loc"] if isinstance(p, int) or not re.search(r"[\[(]", str(p))
    )
    ctx = error.get("ctx") or {}
    value = error.get("input")
    where: tuple[int | str, ...] | str = loc
    if kind == "value_error" and "error" in ctx:
        where, message = _value_error(str(ctx["error"]), loc, value, data)
    elif kind in _SIMPLE_MESSAGES:
        message = _SIMPLE_MESSAGES[kind]
        if kind not in ("missing", "model_type", "dict_type", "list_type"):
            message += _shown(value)
    elif kind == "extra_forbidden":
        message = _extra_message(loc)
    elif kind == "invalid_key":
        where = loc[:-1]
        message = f"字段名应为文本，“{loc[-1] if loc else ''}” 不是有效的字段名"
    elif kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = f"应为以下之一：{'、'.join(allowed)}{_shown(value)}"
    elif kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern.startswith("^[a-z0-9]"):
            message = _CODE_PATTERN_HINT
        elif ":" in pattern:
            message = _TIME_PATTERN_HINT
        else:
            message = f"格式不正确（应匹配 {pattern}）"
        message += _shown(value)
    elif kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        message = "不能为空" if minimum == 1 else f"至少需要 {minimum} 个字符"
    elif kind == "string_too_long":
        message = f"不能超过 {ctx.get('max_length')} 个字符"
    elif kind == "too_short":
        message = f"至少需要 {ctx.get('min_length')} 项，实际 {ctx.get('actual_length')} 项"
    elif kind == "too_long":
        message = f"最多 {ctx.get('max_length')} 项，实际 {ctx.get('actual_length')} 项"
    elif kind in _BOUNDS:
        words, bound = _BOUNDS[kind]
        message = f"{words} {ctx.get(bound)}{_shown(value)}"
    else:
        message = f"不符合要求（{error['msg']}）"
    path = where if isinstance(where, str) else _format_loc(where)
    return f"字段 {path}：{message}" if path else message


def _clean_texts(value: Any, loc: tuple[int | str, ...], problems: list[str]) -> Any:
    """``value`` with the input rules of typed text applied to every string in it.

    As everywhere (:mod:`app.storage.text_rules`): a lone surrogate (possible through a
    YAML ``"\\ud800"`` escape) is a problem naming the field; control characters
    other than tab, line feed and carriage return (``"\\0"``, ``"\\e"`` …) are stripped.
    """
    if isinstance(value, str):
        index = lone_surrogate(value)
        if index is not None:
            where = f"字段 {_format_loc(loc)}：" if loc else ""
            problems.append(f"{where}第 {index + 1} 个字符无效（不成对的代理字符），请删除或改正")
            return value
        return strip_controls(join_pairs(value))
    if isinstance(value, list):
        return [_clean_texts(item, (*loc, i), problems) for i, item in enumerate(value)]
    if isinstance(value, dict):
        cleaned: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and lone_surrogate(key) is not None:
                problems.append(f"字段 {_format_loc(loc) or '（顶层）'} 中有字段名含无效字符")
                continue
            cleaned[key] = _clean_texts(item, (*loc, key), problems)
        return cleaned
    return value


def validate_profile(data: Any, name: str = "合同档案") -> Profile:
    """Validate parsed profile data; ``name`` (usually the file name) heads each message."""
    if not isinstance(data, dict):
        raise ProfileError(
            name, [f"内容应为键值映射（如 “code: portal-om”），实际是{type_name(data)}"]
        )
    problems: list[str] = []
    try:
        data = _clean_texts(data, (), problems)
    except RecursionError:
        raise ProfileError(name, ["YAML 嵌套层次过深"]) from None
    if problems:
        raise ProfileError(name, problems)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error, data) for error in exc.errors()]
        raise ProfileError(name, problems) from None
