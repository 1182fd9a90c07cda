"""The budget of one render of an untrusted (client) template, counted over the whole document.

A per-loop limit does not stop ``{% for i in range(100000) %}{% for j in
range(100000) %}``: each loop is small, their product is not. So one
:class:`Budget` is opened for a whole document (every part of a Word file, every
sheet of a workbook) by :func:`limited`, and everything the template does is
charged to it:

- **steps**: each loop iteration (at every nesting level, recursive ``loop()``
  calls included), the length of every ``range()``, every macro call, every
  Excel cell written;
- **output**: every character the template produces, in the document or in a
  ``{% set %}`` block, macro or ``caller()`` buffer (so text built up in a
  variable is counted before it is ever printed);
- **cells**: Excel cells written (openpyxl holds each in memory);
- **depth**: nested macro calls and recursive loops;
- **time**: a deadline, checked as steps and output are charged.

The budget lives in a context variable, so each thread (and each render) has
its own; a render nested in another (a child process rendering a document)
charges the outer one. Arithmetic, sizes of single values and widths are
checked where they happen (:mod:`app.export.bounded_ops`). Exceeding a limit
raises :class:`LimitExceeded`, which :func:`app.export.sandbox.explain` turns
into a Chinese refusal (:func:`refusal`).

Rendering in a child process with memory and CPU limits
(:mod:`app.export.isolation`) is the backstop for whatever these counts miss.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError

#: Steps of one document: loop iterations, range() lengths, macro calls, Excel cells,
#: filter inputs and values made (app/export/bounded_ops.py). Each built-in template,
#: rendered as a client template over a month of a 12-month demo store, takes at most
#: ~5,400 (巡检记录单, 4.9 million characters of XML): a year in one client table stays
#: far below, while 10**5 × 10**5 nested iterations are refused in well under a second.
MAX_STEPS = 2_000_000
#: Characters one document may produce (nested buffers count each time they are
#: filled). A month of 巡检记录单 is 4.9 million and its render peaks ~85 MB above
#: the child's baseline (the text, its pieces, the UTF-8 bytes and the tree that
#: checks a client's output is well-formed); twice that peaked at ~155 MB, inside the
#: child's 256 MB (app/export/isolation.py), so a refusal here comes before memory runs out.
MAX_OUTPUT_CHARS = 10_000_000
#: Cells one client workbook may write. openpyxl keeps ~0.5 KB per cell: 99,000 cells
#: (3,300 rows of 30 columns) peaked 50 MB above the child's baseline and took 2.5 s,
#: 300,000 took 150 MB and 7 s; the largest built-in month writes fewer than 3,700.
MAX_EXCEL_CELLS = 100_000
#: Macro calls / recursive loop() calls inside each other. Report templates nest
#: a macro two or three deep; Python's own recursion limit is reached between 150 and 200.
MAX_DEPTH = 32
#: Seconds a render may run before it is refused from inside (the checks below run
#: often). The child process is killed a little later (isolation.RENDER_SECONDS)
#: if the template is stuck where nothing is charged.
RENDER_SECONDS = 15.0
#: Steps (and 64-character pieces of output) charged between two looks at the clock:
#: often enough that a step doing much uncharged work is still caught in time.
_CLOCK_EVERY = 64


class LimitExceeded(SecurityError):
    """A template went over a limit; ``what`` says which, in Chinese."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def refusal(where: str, what: str) -> str:
    """The Chinese message of a refused render (the same for every limit)."""
    return (
        f"{where}超出渲染限制：{what}。为防止模板拖垮程序，"
        "不允许渲染超出限制的模板，已拒绝渲染，未写入任何文件。"
    )


def steps_exceeded() -> LimitExceeded:
    return LimitExceeded(
        f"模板的执行步数超过 {MAX_STEPS:,}（循环的每一次、range 的每一项、每次宏调用"
        "和生成的数据都计入，嵌套循环按各层次数之积计）"
    )


class Budget:
    """What one document's render has used so far; see the module docstring."""

    __slots__ = ("_tick", "_tripped", "cells", "deadline", "depth", "output", "seconds", "steps")

    def __init__(self, seconds: float = RENDER_SECONDS) -> None:
        self.steps = 0
        self.output = 0
        self.depth = 0
        self.cells = 0
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self._tick = 0
        #: once over a limit, every later charge fails too (nothing can swallow it)
        self._tripped: LimitExceeded | None = None

    def _fail(self, exc: LimitExceeded) -> LimitExceeded:
        self._tripped = exc
        return exc

    def _clock(self, amount: int) -> None:
        if self._tripped is not None:
            raise self._tripped
        self._tick += amount
        if self._tick >= _CLOCK_EVERY:
            self._tick = 0
            if time.monotonic() > self.deadline:
                raise self._fail(LimitExceeded(f"渲染时间超过 {self.seconds:g} 秒"))

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            raise self._fail(steps_exceeded())
        self._clock(count)

    def out(self, chars: int) -> None:
        self.output += chars
        if self.output > MAX_OUTPUT_CHARS:
            raise self._fail(
                LimitExceeded(f"生成的内容超过 {MAX_OUTPUT_CHARS // 1_000_000} 百万个字符")
            )
        self._clock(chars // 64 + 1)

    def write_cells(self, count: int) -> None:
        """An Excel row of ``count`` cells is written (each also a step)."""
        self.cells += count
        if self.cells > MAX_EXCEL_CELLS:
            raise self._fail(LimitExceeded(f"写入的 Excel 单元格超过 {MAX_EXCEL_CELLS:,} 个"))
        self.step(count + 1)

    def enter(self) -> None:
        """A macro or recursive loop call begins (charged as a step)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._fail(LimitExceeded(f"宏或递归循环的嵌套超过 {MAX_DEPTH} 层"))
        self.step()

    def leave(self) -> None:
        self.depth -= 1


_current: ContextVar[Budget | None] = ContextVar("omw_render_budget", default=None)


def current() -> Budget | None:
    """The budget of the render running in this thread, if it is bounded."""
    return _current.get()


@contextmanager
def limited(active: bool = True, seconds: float = RENDER_SECONDS) -> Iterator[Budget | None]:
    """Charge everything rendered inside to one budget (the enclosing one, if any).

    ``active=False`` (trusted, built-in templates) charges nothing.
    """
    outer = _current.get()
    if not active or outer is not None:
        yield outer
        return
    budget = Budget(seconds)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def charge_output(value: Any) -> Any:
    """Generated templates pass every piece of output through here (see the module docstring)."""
    budget = _current.get()
    if budget is not None:
        budget.out(len(value))
    return value


def counted(iterable: Iterable[Any]) -> Iterable[Any]:
    """What a ``{% for %}`` loop runs over, each item charged as a step."""
    budget = _current.get()
    if budget is None:
        return iterable
    return _counting(iterable, budget)


def _counting(iterable: Iterable[Any], budget: Budget) -> Iterator[Any]:
    for item in iterable:
        budget.step()
        yield item


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every piece of output charged to the budget.

    Constant text and printed values go through ``environment.charge_output``
    wherever they are written — the document, a ``{% set %}`` block, a macro's
    or ``caller()``'s buffer — and the result of ``a ~ b`` through
    ``environment.checked`` (its size; see :mod:`app.export.bounded_ops`).
    """

    def _output_const_repr(self, group: Iterable[Any]) -> str:
        return f"environment.charge_output({super()._output_const_repr(group)})"

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.charge_output(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked(")
        super().visit_Concat(node, frame)
        self.write(")")
