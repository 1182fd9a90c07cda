"""The template-bomb corpus: client templates that must be refused, made by code.

Each :class:`Bomb` is a Word paragraph (or an Excel sheet) of template source
and the words its Chinese refusal must contain (which limit stopped it). The
files are built here with python-docx / openpyxl rather than stored, so the
corpus reads as what it is. ``tests/test_template_bombs.py`` renders every one
in the child process (app/export/isolation.py) and measures how long the
refusal took and how much memory the child used.

The two ``probe_*`` functions run in a process of their own (multiprocessing
``spawn``) to check the child's operating-system limits directly.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from docx import Document
from openpyxl import Workbook

# what the refusals say (app/export/budget.py, app/export/bounded_ops.py)
STEPS = "执行步数"
OUTPUT = "生成的内容"
INTEGER = "整数"
WIDTH = "宽度"
NESTING = "嵌套"
VALUE = "单个值"
REPEAT = "重复"
JOIN = "拼接"
REPLACE = "替换"
WRAP = "换行"
CELLS = "单元格"


@dataclass(frozen=True)
class Bomb:
    name: str
    source: str  # one Word paragraph, or the cells of one Excel row (tab-separated)
    refusal: str  # a word the Chinese message must contain
    fmt: str = "docx"
    table: bool = False  # Word: the source is a table (first cell: the row loop)


def _doubled(times: int, op: str = "~") -> str:
    steps = "".join(f"{{% set a = a {op} a %}}" for _ in range(times))
    return "{% set a = 'x' * 100000 %}" + steps + "{{ a|length }}"


_KEPT = "{% set s = 'x' * 100000 %}{% set s = " + " ~ ".join(["s"] * 19) + " %}"

BOMBS: tuple[Bomb, ...] = (
    # loops, as a whole
    Bomb(
        "nested-loops",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        STEPS,
    ),
    Bomb(
        "nested-loops-at-run-time",
        "{% set n = 100000 %}{% for i in range(n) %}{% for j in range(n) %}{% endfor %}"
        "{% endfor %}",
        STEPS,
    ),
    Bomb(
        "filter-work-in-a-loop",
        "{% set r = range(100000)|list %}{% for i in range(1000) %}"
        "{{ r|map('string')|join|length }}{% endfor %}",
        STEPS,
    ),
    Bomb(
        "values-kept-in-a-list",
        _KEPT + "{% set l = [" + ", ".join(f"s ~ {i}" for i in range(200)) + "] %}{{ l|length }}",
        STEPS,
    ),
    # output
    Bomb("printed-flood", "{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}", OUTPUT),
    Bomb(
        "flood-into-a-variable",
        "{% set b %}{% for i in range(1000) %}{% for j in range(1000) %}{{ 'x' * 1000 }}"
        "{% endfor %}{% endfor %}{% endset %}",
        OUTPUT,
    ),
    Bomb("huge-table", "{%tr for i in range(100000) %}", OUTPUT, table=True),
    # arithmetic
    Bomb("power-tower", "{{ 9**9**9 }}", INTEGER),
    Bomb("power-tower-in-a-dead-branch", "{% if false %}{{ 9**9**9 }}{% endif %}", INTEGER),
    Bomb("power-at-run-time", "{% set b = 9 %}{{ b ** b ** b }}", INTEGER),
    Bomb("power-chain", "{% set x = 2 ** 64 %}{{ x ** 64 }}", INTEGER),
    Bomb("huge-product", "{% set x = 2 ** 60 %}{{ x * x * x }}", INTEGER),
    # text
    Bomb("string-repetition", "{{ 'x' * 10**8 }}", REPEAT),
    Bomb("doubling-concat", _doubled(6), VALUE),
    Bomb("doubling-plus", _doubled(6, "+"), VALUE),
    Bomb("join-separator", "{{ range(100000)|join('x' * 100000) }}", JOIN),
    Bomb("join-method", "{{ ('x' * 100000).join(range(100000)|map('string')) }}", JOIN),
    Bomb("center", "{{ 'x'|center(10**9) }}", WIDTH),
    Bomb("indent", "{{ 'ab'|indent(width=10**9, first=true) }}", WIDTH),
    Bomb("printf-star-width", "{{ '%*d'|format(10**9, 1) }}", WIDTH),
    Bomb("printf-width", "{{ '%999999999s'|format('x') }}", WIDTH),
    Bomb("percent-operator", "{{ '%(a)999999999s' % {'a': 1} }}", WIDTH),
    Bomb("str-format-width", "{{ '{:>999999999}'.format(1) }}", WIDTH),
    Bomb("str-format-nested-width", "{{ '{0:{1}}'.format(1, 10**9) }}", WIDTH),
    Bomb("zfill", "{{ '1'.zfill(10**9) }}", WIDTH),
    Bomb("ljust-at-run-time", "{% set w = 10**9 %}{{ 'x'.ljust(w) }}", WIDTH),
    Bomb("wordwrap", "{{ ('x ' * 50000)|wordwrap(1, wrapstring='y' * 100000) }}", WRAP),
    Bomb("replace", "{{ ('x' * 100000)|replace('x', 'y' * 1000) }}", REPLACE),
    Bomb("translate", "{{ ('x' * 100000).translate({120: 'y' * 1000}) }}", REPLACE),
    Bomb("batch-fill", "{{ [1]|batch(10**9, 'x')|list|length }}", WIDTH),
    Bomb("slice", "{{ [1]|slice(10**9)|list|length }}", WIDTH),
    Bomb("tojson-indent", "{{ [1]|tojson(indent=10**9) }}", WIDTH),
    Bomb("pct-digits", "{{ 0.5|pct(10**9) }}", WIDTH),
    # recursion
    Bomb("recursive-macro", "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}", NESTING),
    Bomb("branching-macro", "{% macro m() %}{{ m() }}{{ m() }}{% endmacro %}{{ m() }}", NESTING),
    Bomb("recursive-loop", "{% for x in [1] recursive %}{{ loop([x, x]) }}{% endfor %}", NESTING),
    Bomb("block-recursion", "{% block a %}{{ self.a() }}{{ self.a() }}{% endblock %}", NESTING),
    Bomb("deep-expression", "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", NESTING),
    # Excel
    Bomb(
        "excel-huge-table",
        "{% for r in range(100000)|list %}{{ r }}\t" + "\t".join(["{{ r }}"] * 30),
        CELLS,
        fmt="xlsx",
    ),
    Bomb(
        "excel-flood",
        "{% for r in range(100000)|list %}{{ 'x' * 100000 }}",
        OUTPUT,
        fmt="xlsx",
    ),
    Bomb("excel-power-tower", "{{ 9**9**9 }}", INTEGER, fmt="xlsx"),
    Bomb("excel-string-repetition", "{{ 'x' * 10**8 }}", REPEAT, fmt="xlsx"),
)


def word_file(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def word_table(loop: str, columns: int = 8) -> bytes:
    """A table whose middle row repeats (``loop`` in the first row), each cell long."""
    doc = Document()
    table = doc.add_table(rows=3, cols=columns)
    table.rows[0].cells[0].text = loop
    for n, cell in enumerate(table.rows[1].cells):
        cell.text = f"{{{{ i }}}} 第 {n} 列，一段不短的说明文字。"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def excel_file(*rows: str) -> bytes:
    """A workbook of one sheet; each row's cells tab-separated."""
    wb = Workbook()
    ws = wb.active
    ws.append(["标题"])
    for row in rows:
        ws.append(row.split("\t"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bomb_file(bomb: Bomb) -> bytes:
    if bomb.fmt == "xlsx":
        return excel_file(bomb.source)
    if bomb.table:
        return word_table(bomb.source)
    return word_file("报告", bomb.source)


# --------------------------------------------------------------------------- probes


def probe_memory(conn: Connection, headroom: int, small: int, large: int) -> None:
    """In a spawned process: limit memory as the render child does, then try two sizes.

    Sends whether ``small`` bytes could be had, whether ``large`` failed with
    MemoryError, and the peak resident memory measured the child's way.
    """
    from app.export.isolation_child import _limit_memory, peak_rss

    _limit_memory(headroom)
    try:
        block = bytearray(small)
        block[::4096] = b"x" * len(block[::4096])  # touch every page: resident
        small_ok = True
        del block
    except MemoryError:
        small_ok = False
    try:
        bytearray(large)
        large_refused = False
    except MemoryError:
        large_refused = True
    conn.send((small_ok, large_refused, peak_rss()))


def probe_cpu(seconds: int) -> None:
    """In a spawned process: limit CPU time as the render child does, then spin."""
    from app.export.isolation_child import _limit_cpu

    _limit_cpu(seconds)
    end = time.monotonic() + 60
    while time.monotonic() < end:  # SIGXCPU ends this long before
        pass
