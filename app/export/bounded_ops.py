"""Checks on what one expression of an untrusted template may build.

The whole-render :mod:`~app.export.budget` counts loops and output; this
module stops the single operations that make something huge at once:

- arithmetic on huge numbers: ``9**9**9``, ``(2**64)**64**…``, multiplying
  huge integers (results are kept under :data:`MAX_INT_BITS`);
- padding and repetition: ``center(10**9)``, ``indent(width=10**9)``,
  ``'%*d'|format(10**9, 1)``, ``'{:>999999999}'.format(x)``, ``ljust``,
  ``zfill``, ``batch(10**9, 'x')``, ``slice(10**9)``, ``tojson(indent=10**9)``;
- multiplying text: ``join`` / ``replace`` / ``wordwrap`` / ``translate``
  with long separators or replacements, ``a ~ a`` and ``a + a`` doubling;
- any single value (a string, a list) over :data:`MAX_VALUE_CHARS` /
  :data:`MAX_ITEMS`, whatever made it (checked after every filter, call,
  ``+``, ``%`` and ``~``); making it, and the input of every filter, is
  charged to the budget as steps, so values kept in variables and repeated
  work on big values count too.

The widths are checked *before* the operation (the point is not to allocate
a gigabyte); sizes after it (inputs are already bounded, so the result is at
most a small multiple of the limit).

:func:`check_static` runs the same checks at compile time on constant
expressions, nested constant loops and constant widths, so a bomb in a branch
the sample data never takes is refused when the template is attached.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sized
from itertools import islice
from string import Formatter
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import MAX_RANGE

from app.export import budget as budget_mod
from app.export.budget import LimitExceeded

#: Characters of one string value (a cell, a paragraph, a joined list): ~1,000 pages
#: of text, far above any field of a report, and 4–8 MB of memory at most.
MAX_VALUE_CHARS = 2_000_000
#: Items of one list or dict a template builds (range() alone allows 100,000).
MAX_ITEMS = 200_000
#: Bits of an integer (~38 decimal digits): no report counts beyond 10**38, and
#: ``9**9**9`` (Jinja reads it as ``(9**9)**9``, 261 bits) is refused.
MAX_INT_BITS = 128
#: Width, padding, indentation, precision or count arguments (center, ljust,
#: zfill, indent, format widths, batch, slice, tojson indent, digits): a
#: report never pads a value to more than a few hundred characters.
MAX_WIDTH = 10_000
#: Exponent of ``**`` (and ``x * n`` repetition of text or lists): kept from the
#: sandbox's earlier rules.
MAX_POWER = 64
MAX_REPEAT = 100_000

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?[a-zA-Z%]")
_DIGITS = re.compile(r"\d+")


def _too_big(what: str) -> LimitExceeded:
    return LimitExceeded(what)


def _width_error() -> LimitExceeded:
    return LimitExceeded(f"宽度、缩进、精度或分组参数超过 {MAX_WIDTH:,}")


def _int_error() -> LimitExceeded:
    digits = MAX_INT_BITS * 3 // 10
    return LimitExceeded(f"整数超过 {MAX_INT_BITS} 位二进制（约 {digits} 位十进制数字）")


def check_value(value: Any) -> Any:
    """``value`` itself if it is not too big (see the module docstring).

    Making it is charged to the render's budget: a step per 16 characters of
    text, per item of a list — values a template keeps (``[s ~ 1, s ~ 2, …]``)
    take memory even though they are never printed.
    """
    kind = type(value)
    if kind is str or isinstance(value, str | bytes | bytearray):
        size = len(value)
        if size > MAX_VALUE_CHARS:
            raise _too_big(f"单个值超过 {MAX_VALUE_CHARS:,} 个字符")
        if size >= 16:
            _spend(size // 16)
    elif kind is int:
        if value.bit_length() > MAX_INT_BITS:
            raise _int_error()
    elif isinstance(value, list | tuple | dict | set | frozenset):
        if len(value) > MAX_ITEMS:
            raise _too_big(f"单个列表超过 {MAX_ITEMS:,} 项")
        _spend(len(value))
    return value


def _spend(steps: int) -> None:
    budget = budget_mod.current()
    if budget is not None and steps:
        budget.step(steps)


def _width(value: Any) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and abs(value) > MAX_WIDTH:
        raise _width_error()
    if isinstance(value, str | bytes) and len(value) > MAX_WIDTH:
        raise _width_error()


# --------------------------------------------------------------------------- arithmetic


def check_power(left: Any, right: Any) -> None:
    if isinstance(right, bool) or not isinstance(right, int | float):
        return
    if abs(right) > MAX_POWER:
        raise LimitExceeded(f"幂运算的指数超过 {MAX_POWER}")
    whole = isinstance(left, int) and isinstance(right, int) and right > 0
    if whole and abs(left).bit_length() * right > MAX_INT_BITS:
        raise _int_error()


def check_multiply(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        repeated = isinstance(seq, str | bytes | list | tuple) and isinstance(times, int)
        if repeated and len(seq) * times > MAX_REPEAT:
            raise LimitExceeded(f"重复（x * n）的结果超过 {MAX_REPEAT:,} 个字符或项")
    integers = type(left) is int and type(right) is int
    if integers and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise _int_error()


def check_printf(template: str) -> None:
    """``'%10d' % x`` / ``|format``: no ``*`` widths, no width or precision over MAX_WIDTH."""
    if "%" not in template:
        return
    for match in _PRINTF.finditer(template):
        for part in match.groups():
            if part == "*" or (part and int(part) > MAX_WIDTH):
                raise _width_error()


def check_str_format(template: str) -> None:
    """``'{:>20}'.format(x)``: no nested ``{}`` in a spec, no number in it over MAX_WIDTH."""
    try:
        fields = list(Formatter().parse(template))
    except ValueError:
        return  # str.format raises the same error itself
    for _literal, _name, spec, _conversion in fields:
        if not spec:
            continue
        if "{" in spec:
            raise _width_error()
        if any(int(d) > MAX_WIDTH for d in _DIGITS.findall(spec)):
            raise _width_error()


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Before ``left <operator> right`` of an intercepted operator runs."""
    if operator == "**":
        check_power(left, right)
    elif operator == "*":
        check_multiply(left, right)
    elif operator == "%" and isinstance(left, str):
        check_printf(left)


# --------------------------------------------------------------------------- calls


def _check_join(separator: Any, items: Any) -> Any:
    """The items of ``separator.join(items)`` / ``items|join(separator)`` as a list, checked."""
    if isinstance(items, str | list | tuple | dict):
        listed: Any = items
    else:
        listed = list(islice(items, MAX_ITEMS + 1))
    if len(listed) > MAX_ITEMS:
        raise _too_big(f"单个列表超过 {MAX_ITEMS:,} 项")
    if not isinstance(items, Sized):
        _charge(listed)  # a generator (map, select…): its items are the work
    gaps = max(len(listed) - 1, 0)
    if gaps * len(str(separator)) > MAX_VALUE_CHARS:
        raise _too_big(f"拼接（join）的结果超过 {MAX_VALUE_CHARS:,} 个字符")
    return listed


def _check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    texts = isinstance(text, str) and isinstance(new, str) and isinstance(old, str)
    data = isinstance(text, bytes) and isinstance(new, bytes) and isinstance(old, bytes)
    if not (texts or data):
        return  # replace() raises its own error for anything else
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and not isinstance(count, bool) and 0 <= count < found:
        found = count
    if len(text) + found * (len(new) - len(old)) > MAX_VALUE_CHARS:
        raise _too_big(f"替换（replace）的结果超过 {MAX_VALUE_CHARS:,} 个字符")


def _check_translate(text: Any, table: Any) -> None:
    if isinstance(text, str) and isinstance(table, dict):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        if len(text) * longest > MAX_VALUE_CHARS:
            raise _too_big(f"替换（translate）的结果超过 {MAX_VALUE_CHARS:,} 个字符")


def _check_expandtabs(text: Any, tabsize: Any = 8) -> None:
    _width(tabsize)
    if isinstance(text, str | bytes) and isinstance(tabsize, int):
        tabs = text.count("\t") if isinstance(text, str) else text.count(b"\t")
        if tabs * tabsize > MAX_VALUE_CHARS:
            raise _too_big(f"单个值超过 {MAX_VALUE_CHARS:,} 个字符")


def _check_pad(_text: Any, width: Any = 0, *_: Any, **__: Any) -> None:
    _width(width)


def _check_to_bytes(_number: Any, length: Any = 1, *_: Any, **__: Any) -> None:
    _width(length)


#: Methods of text (str, Markup, bytes) that can make much more than they are given.
_TEXT_METHODS: dict[str, Callable[..., None]] = {
    "center": _check_pad,
    "ljust": _check_pad,
    "rjust": _check_pad,
    "zfill": _check_pad,
    "expandtabs": _check_expandtabs,
    "replace": _check_replace,
    "translate": _check_translate,
}


def check_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Before a template calls ``func``; the arguments to call it with (``join``'s listed)."""
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__name__", "")
    if isinstance(owner, str | bytes):
        if name == "join" and args:
            return (_check_join(owner, args[0]), *args[1:])
        check = _TEXT_METHODS.get(name)
        if check is not None:
            check(owner, *args, **kwargs)
    elif type(owner) is int and name == "to_bytes":
        _check_to_bytes(owner, *args, **kwargs)
    return args


def range_length(args: tuple[Any, ...]) -> int:
    """The length of ``range(*args)``, refused over the sandbox's MAX_RANGE."""
    try:
        length = len(range(*args))
    except (TypeError, ValueError, OverflowError):
        return 0  # range() raises the error itself
    if length > MAX_RANGE:
        raise LimitExceeded(f"range() 超过 {MAX_RANGE:,} 项")
    return length


# --------------------------------------------------------------------------- filters


def _pre_center(_value: Any, width: Any = 80, *_: Any, **__: Any) -> None:
    _width(width)


def _pre_indent(value: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    _width(width)
    if isinstance(value, str):
        pad = width if isinstance(width, int) else len(str(width))
        if (value.count("\n") + 1) * pad > MAX_VALUE_CHARS:
            raise _too_big(f"缩进（indent）的结果超过 {MAX_VALUE_CHARS:,} 个字符")


def _pre_format(value: Any, *_: Any, **__: Any) -> None:
    if isinstance(value, str):
        check_printf(value)


def _pre_replace(value: Any, old: Any = "", new: Any = "", count: Any = None, **_: Any) -> None:
    _check_replace(str(value), str(old), str(new), count)


def _pre_wordwrap(value: Any, width: Any = 79, *args: Any, **kwargs: Any) -> None:
    wrap = kwargs.get("wrapstring", args[1] if len(args) > 1 else None)
    if isinstance(value, str) and isinstance(wrap, str) and isinstance(width, int) and width > 0:
        lines = len(value) // width + value.count("\n") + 1
        if lines * len(wrap) > MAX_VALUE_CHARS:
            raise _too_big(f"换行（wordwrap）的结果超过 {MAX_VALUE_CHARS:,} 个字符")


def _pre_batch(_value: Any, linecount: Any = 1, *_: Any, **__: Any) -> None:
    _width(linecount)


def _pre_slice(_value: Any, slices: Any = 1, *_: Any, **__: Any) -> None:
    _width(slices)


def _pre_tojson(_value: Any, indent: Any = None, *_: Any, **__: Any) -> None:
    _width(indent)


def _pre_urlize(_value: Any, *args: Any, **kwargs: Any) -> None:
    for extra in (*args, *kwargs.values()):
        if isinstance(extra, str | list | tuple):
            _width(extra if isinstance(extra, str) else "".join(map(str, extra)))


def _pre_digits(_value: Any, digits: Any = 1, *_: Any, **__: Any) -> None:
    _width(digits)


#: Filters checked before they run, by name (their value and arguments, as the filter gets them).
_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": _pre_center,
    "indent": _pre_indent,
    "format": _pre_format,
    "replace": _pre_replace,
    "wordwrap": _pre_wordwrap,
    "batch": _pre_batch,
    "slice": _pre_slice,
    "tojson": _pre_tojson,
    "urlize": _pre_urlize,
    "pct": _pre_digits,
    "num": _pre_digits,
}


def _charge(value: Any) -> None:
    """A filter's work, as steps: one per item of a list, one per 16 characters of text."""
    if isinstance(value, str | bytes):
        _spend(len(value) // 16 + 1)
    elif isinstance(value, Sized):
        _spend(len(value) + 1)
    else:
        _spend(1)


def _guard(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    check = _FILTER_CHECKS.get(name)
    passes = getattr(func, "jinja_pass_arg", None) is not None
    skip = 1 if passes else 0

    @functools.wraps(func)  # keeps jinja_pass_arg (context / environment first)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if len(args) > skip:
            _charge(args[skip])
        if name == "join" and len(args) > skip:
            separator = args[skip + 1] if len(args) > skip + 1 else kwargs.get("d", "")
            listed = _check_join(separator, args[skip])
            args = (*args[:skip], listed, *args[skip + 1 :])
        elif check is not None:
            check(*args[skip:], **kwargs)
        return check_value(func(*args, **kwargs))

    return guarded


def guarded_filters(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Every filter wrapped: its own check before (if any), the size check after."""
    return {name: _guard(name, func) for name, func in filters.items()}


# --------------------------------------------------------------------------- compile time


class _Unknown(Exception):
    """Not a constant at compile time."""


def _const(node: nodes.Node) -> Any:
    """A constant expression's value, computed with the run-time checks."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.Neg):
        return -_const(node.node)
    if isinstance(node, nodes.Pos):
        return +_const(node.node)
    if isinstance(node, nodes.Tuple | nodes.List):
        return [_const(item) for item in node.items]
    if isinstance(node, nodes.Pow | nodes.Mul | nodes.Add | nodes.Sub):
        left, right = _const(node.left), _const(node.right)
        check_binop(node.operator, left, right)
        try:
            result = {
                "**": lambda: left**right,
                "*": lambda: left * right,
                "+": lambda: left + right,
                "-": lambda: left - right,
            }[node.operator]()
        except Exception:
            raise _Unknown() from None
        return check_value(result)
    raise _Unknown()


def _maybe(node: nodes.Node | None) -> Any:
    if node is None:
        raise _Unknown()
    return _const(node)


def _args(call: nodes.Call | nodes.Filter) -> tuple[list[Any], dict[str, Any]] | None:
    """A call's arguments if all are constants (else None)."""
    if call.dyn_args is not None or call.dyn_kwargs is not None:
        return None
    try:
        args = [_const(a) for a in call.args]
        kwargs = {k.key: _const(k.value) for k in call.kwargs}
    except _Unknown:
        return None
    return args, kwargs


def _range_of(node: nodes.Node) -> int | None:
    """How many items a loop over ``node`` runs at most, if known at compile time."""
    is_range = isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name)
    if is_range and node.node.name == "range":  # type: ignore[attr-defined]
        found = _args(node)  # type: ignore[arg-type]
        if found is not None and not found[1]:
            return range_length(tuple(found[0]))
    try:
        value = _const(node)
    except _Unknown:
        return None
    return len(value) if isinstance(value, Sized) else None


def _nested_loops(node: nodes.Node, factor: int) -> None:
    for child in node.iter_child_nodes():
        inner = factor
        if isinstance(child, nodes.For):
            inner = factor * max(_range_of(child.iter) or 1, 1)
            if inner > budget_mod.MAX_STEPS:
                raise budget_mod.steps_exceeded()
        _nested_loops(child, inner)


def check_static(tree: nodes.Node) -> None:
    """Refuse bombs visible in the source (see the module docstring), before it runs."""
    for expr in tree.find_all(nodes.BinExpr):
        try:
            left = _const(expr.left)
        except _Unknown:
            left = None
        try:
            right = _const(expr.right)
        except _Unknown:
            continue
        if left is not None:
            check_binop(expr.operator, left, right)
        elif expr.operator == "**":
            check_power(2, right)
    for call in tree.find_all((nodes.Call, nodes.Filter)):
        found = _args(call)
        if found is None:
            continue
        args, kwargs = found
        if isinstance(call, nodes.Filter):
            check = _FILTER_CHECKS.get(call.name)
            if check is not None and call.name not in ("replace", "format", "wordwrap"):
                check("", *args, **kwargs)
        elif isinstance(call.node, nodes.Getattr) and call.node.attr in _TEXT_METHODS:
            if call.node.attr in ("center", "ljust", "rjust", "zfill", "expandtabs"):
                check_call(getattr("", call.node.attr), tuple(args), kwargs)
        elif isinstance(call.node, nodes.Name) and call.node.name == "range" and not kwargs:
            range_length(tuple(args))
    _nested_loops(tree, 1)


def count_loops(tree: nodes.Template, env: Any) -> None:
    """Make every ``{% for %}`` run over :func:`app.export.budget.counted` of its items."""
    for loop in list(tree.find_all(nodes.For)):
        counter = nodes.ImportedName(
            "app.export.budget.counted", lineno=loop.lineno, environment=env
        )
        loop.iter = nodes.Call(
            counter, [loop.iter], [], None, None, lineno=loop.lineno, environment=env
        )
