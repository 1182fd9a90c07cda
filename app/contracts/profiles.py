"""Loading contract profiles from YAML files, with errors a user can act on.

A profile file may come from the user (their own contract), so it is treated
as untrusted input: its size is capped, it must be UTF-8, it is parsed with a
safe loader, and every problem is reported in Chinese with the file name and
the path of the field, one line per problem, e.g.::

    portal-om.yaml：字段 checklists[2].groups[0].items[3].threshold.warn：应为数字，实际为 “abc”

Built-in profiles live in ``resources/profiles/*.yaml`` and are installed on
``omw init``; a user's own profile is installed with :func:`install_profile_file`.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import Profile
from app.contracts.registry import install_profile
from app.errors import DomainError
from app.storage import paths
from app.storage.atomic import os_reason
from app.storage.text_rules import join_pairs, lone_surrogate, strip_controls
from db.models import Contract

#: Profiles are a few dozen kilobytes; anything beyond this is not a profile.
MAX_PROFILE_BYTES = 1024 * 1024
#: Cap on the number of values after YAML aliases are expanded (alias bombs).
MAX_PROFILE_NODES = 200_000

PROFILE_SUFFIXES = (".yaml", ".yml")


class ProfileError(DomainError):
    """A profile file cannot be used. ``problems`` holds one line per problem."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__("\n".join(f"{file}：{p}" for p in self.problems))


# --------------------------------------------------------------------------- YAML


class _ProfileRules:
    """Changes to PyYAML's safe loading that turn silent YAML 1.1 surprises into clear errors.

    - Duplicate keys in a mapping are refused (PyYAML keeps the last one, so a
      copied block would silently override an earlier setting).
    - Only ``true``/``false`` are booleans: YAML 1.1 also reads ``on``, ``off``,
      ``yes`` and ``no`` as booleans, which would turn the due rule key ``on:``
      into ``True``.
    - ``17:00`` stays the text "17:00" (YAML 1.1 would read base-60 integer 1020).
    - An impossible date such as ``2026-02-30`` stays text, so validation
      reports it with its field path instead of the parser failing without one.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key; the base class reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"重复的键 “{key}”", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


class _ProfileLoader(_ProfileRules, yaml.SafeLoader):
    """The safe loader with the profile rules (PyYAML's own parser: its error messages)."""


#: libyaml's safe loader where PyYAML was built with it (≈ 7× faster than its own parser)
_LIBYAML_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _BuiltinProfileLoader(_ProfileRules, _LIBYAML_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """The same rules over libyaml's parser, for the built-in profiles (read at every first
    start; a test holds it to :class:`_ProfileLoader` on each of them)."""


_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL_TRUE_FALSE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_NO_SEXAGESIMAL = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_ProfileLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _BOOL_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ProfileLoader.add_implicit_resolver(_BOOL_TAG, _BOOL_TRUE_FALSE, list("tTfF"))
_ProfileLoader.add_implicit_resolver(_INT_TAG, _INT_NO_SEXAGESIMAL, list("-+0123456789"))
_ProfileLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _ProfileRules.construct_yaml_timestamp
)
_BuiltinProfileLoader.yaml_implicit_resolvers = _ProfileLoader.yaml_implicit_resolvers
_BuiltinProfileLoader.yaml_constructors = _ProfileLoader.yaml_constructors


def _too_many_nodes(value: Any, budget: int = MAX_PROFILE_NODES) -> bool:
    """True when ``value`` expands to more than ``budget`` values (stops early)."""
    stack = [value]
    count = 0
    while stack:
        current = stack.pop()
        count += 1
        if count > budget:
            return True
        if isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


def _type_name(value: Any) -> str:
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


#: Chinese explanations of PyYAML's most common complaints (matched by substring).
_YAML_HINTS = (
    ("'\\t'", "不能用 Tab 缩进，请改用空格"),
    ("mapping values are not allowed", "此处不能出现 “键: 值”，请检查缩进或给含冒号的文本加引号"),
    ("could not find expected ':'", "缺少 “:”，或缩进不一致"),
    ("expected ',' or ']'", "方括号 [ ] 未闭合或其中缺少逗号"),
    ("expected ',' or '}'", "花括号 { } 未闭合或其中缺少逗号"),
    ("found unexpected end of stream", "引号未闭合"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("expected <block end>", "缩进不一致"),
)


def _yaml_problem(problem: str) -> str:
    """PyYAML's problem text, explained in Chinese where we know it."""
    for needle, hint in _YAML_HINTS:
        if needle in problem:
            return f"{hint}（{problem}）"
    return problem or "格式错误"


def read_profile_data(path: str | Path, *, builtin: bool = False) -> dict[str, Any]:
    """Read and parse a profile file into a mapping, without validating it.

    ``builtin`` (a profile shipped with the app) parses with libyaml where PyYAML has it.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ProfileError(name, ["不是文件"])
        if size > MAX_PROFILE_BYTES:
            raise ProfileError(
                name,
                [f"文件过大（{size // 1024} KB），合同档案不能超过 {MAX_PROFILE_BYTES // 1024} KB"],
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_PROFILE_BYTES + 1)
    except FileNotFoundError:
        raise ProfileError(name, [f"找不到文件 {path}"]) from None
    except OSError as exc:
        raise ProfileError(name, [f"无法读取文件（{os_reason(exc)}）"]) from None
    if len(raw) > MAX_PROFILE_BYTES:  # grew while we looked
        raise ProfileError(name, [f"文件过大，合同档案不能超过 {MAX_PROFILE_BYTES // 1024} KB"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            name,
            [
                f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节无法解码），"
                "请用 UTF-8 编码另存后再试"
            ],
        ) from None
    try:
        loader = _BuiltinProfileLoader if builtin else _ProfileLoader  # both safe loaders
        data = yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列：" if mark else ""
        problem = _yaml_problem(exc.problem or exc.context or "")
        raise ProfileError(name, [f"YAML 语法错误，{where}{problem}"]) from None
    except yaml.YAMLError as exc:
        raise ProfileError(name, [f"YAML 语法错误：{exc}"]) from None
    except RecursionError:
        raise ProfileError(name, ["YAML 嵌套层次过深"]) from None
    if not isinstance(data, dict):
        raise ProfileError(
            name, [f"文件内容应为键值映射（如 “code: portal-om”），实际是{_type_name(data)}"]
        )
    if _too_many_nodes(data):
        raise ProfileError(name, ["展开锚点/别名后内容过多，不像合同档案"])
    return data


# --------------------------------------------------------------------------- validation messages

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
    elif kind == "greater_than":
        message = f"应大于 {ctx.get('gt')}{_shown(value)}"
    elif kind == "greater_than_equal":
        message = f"应不小于 {ctx.get('ge')}{_shown(value)}"
    elif kind == "less_than":
        message = f"应小于 {ctx.get('lt')}{_shown(value)}"
    elif kind == "less_than_equal":
        message = f"应不大于 {ctx.get('le')}{_shown(value)}"
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
            name, [f"内容应为键值映射（如 “code: portal-om”），实际是{_type_name(data)}"]
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


def load_profile(path: str | Path, *, builtin: bool = False) -> Profile:
    """Read, parse and validate one profile file (``builtin``: see :func:`read_profile_data`).

    Raises :class:`ProfileError` (a :class:`~app.errors.DomainError`) naming
    the file and, for validation problems, each field.
    """
    path = Path(path)
    return validate_profile(read_profile_data(path, builtin=builtin), path.name)


# --------------------------------------------------------------------------- built-ins & install


def builtin_profile_paths() -> list[Path]:
    """The built-in profile files, in a stable order."""
    folder = paths.resource("profiles")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in PROFILE_SUFFIXES and p.is_file())


def load_builtin_profiles() -> list[Profile]:
    """Every built-in profile; none found is an incomplete installation, not "no contracts".

    Raises :class:`~app.errors.DomainError` when the built-in profile folder
    (see :func:`app.storage.paths.resources_root`) is missing or holds no profile.
    """
    found = builtin_profile_paths()
    if not found:
        raise DomainError(
            f"找不到内置合同档案：{paths.resource('profiles')} 中没有合同档案文件（.yaml）。"
            "程序的资源文件缺失，安装不完整，请重新安装运维工作台。"
        )
    return [load_profile(path, builtin=True) for path in found]


def install_builtin_profiles(session: Session) -> list[Contract]:
    """Install or update every built-in profile; returns their contracts.

    A contract the user installed from their own file under a built-in code
    (e.g. a copy of ``portal-om.yaml`` with the real contract number) is
    theirs: it is returned as is and never overwritten by the built-in.
    Running this again with unchanged files changes nothing.
    """
    contracts: list[Contract] = []
    for profile in load_builtin_profiles():
        existing = session.scalar(select(Contract).where(Contract.code == profile.code))
        if existing is not None and not existing.builtin:
            contracts.append(existing)
            continue
        contracts.append(install_profile(session, profile, builtin=True))
    return contracts


def install_profile_file(session: Session, path: str | Path) -> Contract:
    """Validate a user's profile file and install it (nothing is written if invalid).

    A contract of the same code is updated in place, and from then on counts
    as the user's own (not built-in), even if it started as a built-in.
    """
    profile = load_profile(path)
    contract = install_profile(session, profile, builtin=False)
    contract.builtin = False  # also when the content equals a built-in's
    return contract
