"""The child process side of :mod:`app.export.isolation`: render client templates, limited.

:func:`serve` runs in a process forked from multiprocessing's fork server (Linux)
or started with its ``spawn`` method (:func:`app.export.isolation.child_context`).
It imports the renderers (a fork server has imported them already), measures
how much address space that took (the baseline), limits the process (POSIX) to
the baseline plus :data:`~app.export.isolation.MEMORY_HEADROOM` of address
space and each job to a number of CPU seconds, says it is ready, then renders one job after another:
``(fmt, where, template bytes, plain context)`` in, ``("ok", document bytes,
stats)`` or ``("error", Chinese message, stats)`` out. After an error the
child ends (a failed render may have left its memory fragmented; the parent
starts a new one for the next job). It also ends when the parent closes the pipe.

Nothing here touches the store: the child sees only the template and the plain
context it is sent.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from typing import Any

#: Compiled client templates the child keeps (one export uses a handful).
_KEEP_COMPILED = 8


def _status_kb(field: str) -> int | None:
    """A ``/proc/self/status`` figure in KiB (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def peak_rss() -> int | None:
    """This process's peak resident memory in bytes (None where it cannot be read).

    Linux: ``VmHWM``, not ``ru_maxrss``, which carries over the RSS of the
    forked copy of the parent that exec'd this interpreter.
    """
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm * 1024
    if sys.platform != "darwin":
        return None  # Windows
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # bytes on macOS


def _limit_memory(headroom: int) -> dict[str, int | None]:
    """Limit the address space to what is mapped now plus ``headroom``; the baseline measured.

    Only where the kernel enforces it and the current size can be read (Linux):
    macOS accepts RLIMIT_AS but does not enforce it, Windows has no rlimits.
    """
    vm_kb, rss_kb = _status_kb("VmSize"), _status_kb("VmRSS")
    baseline = {
        "baseline_vm": vm_kb * 1024 if vm_kb else None,
        "baseline_rss": rss_kb * 1024 if rss_kb else None,
        "limit_as": None,
    }
    if vm_kb is None or not sys.platform.startswith("linux"):
        return baseline
    import resource

    limit = vm_kb * 1024 + headroom
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        baseline["limit_as"] = limit
    except (ValueError, OSError):
        pass
    return baseline


def _limit_cpu(seconds: int) -> None:
    """Allow this job ``seconds`` more CPU time (SIGXCPU ends the process beyond)."""
    try:
        import resource
    except ImportError:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = used + seconds
        if hard != resource.RLIM_INFINITY and soft > hard:
            soft = hard
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ValueError, OSError):
        pass


class _Renderer:
    """Compiled templates and chart pictures of one child process."""

    def __init__(self) -> None:
        # everything a render needs, imported before the baseline is measured
        from app.export import charts, docx_render, xlsx_render  # noqa: F401
        from app.export.sandbox import excel_env, word_env

        self.word = word_env()
        self.excel = excel_env()
        self.compiled: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self.charts: dict[str, bytes | None] = {}

    def chart_png(self, chart: Any) -> bytes | None:
        from app.export import charts as charts_mod

        key = repr((chart.title, chart.kind, chart.categories, chart.series, chart.percent))
        if key not in self.charts:
            self.charts[key] = charts_mod.render_png(chart)
        return self.charts[key]

    def template(self, fmt: str, data: bytes, where: str) -> Any:
        from app.export.docx_render import WordTemplate
        from app.export.xlsx_render import ExcelTemplate

        key = (fmt, hashlib.sha256(data).hexdigest(), where)
        found = self.compiled.get(key)
        if found is None:
            if fmt == "docx":
                found = WordTemplate(data, self.word, where)
            else:
                found = ExcelTemplate(data, self.excel, where)
            self.compiled[key] = found
            while len(self.compiled) > _KEEP_COMPILED:
                self.compiled.popitem(last=False)
        return found

    def render(self, fmt: str, data: bytes, where: str, plain: dict[str, Any]) -> bytes:
        template = self.template(fmt, data, where)
        if fmt == "docx":
            return template.render(None, plain, charts=self.chart_png)  # type: ignore[no-any-return]
        return template.render(None, plain)  # type: ignore[no-any-return]


def serve(conn: Connection, headroom: int, cpu_seconds: int) -> None:
    """The child's main function (see the module docstring)."""
    from app.export.errors import TemplateError
    from app.export.sandbox import explain

    renderer = _Renderer()  # imports everything a render needs before the baseline
    ready = _limit_memory(headroom)
    ready["pid"] = os.getpid()
    conn.send(("ready", ready))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed the pipe (or is gone)
        fmt, where, data, plain = job
        _limit_cpu(cpu_seconds)
        started = time.monotonic()
        try:
            reply: tuple[Any, ...] = ("ok", renderer.render(fmt, data, where, plain))
        except TemplateError as exc:
            reply = ("error", exc.message)
        except Exception as exc:  # a bug or an exhausted limit: reported in Chinese
            reply = ("error", explain(exc, where).message)
        stats = {"seconds": time.monotonic() - started, "peak_rss": peak_rss()}
        try:
            conn.send((*reply, stats))
        except (OSError, ValueError, MemoryError):
            return
        if reply[0] != "ok":
            return
