"""Rendering client templates in a child process with memory and time limits.

A client's template is untrusted. Its render is bounded from inside
(:mod:`app.export.budget`, :mod:`app.export.bounded_ops`), but a check that
was forgotten must not take the window down: a template once ran for 312 s and
grew to 23.5 GB before the kernel killed the whole program. So client
templates are rendered by a child process (:mod:`app.export.isolation_child`):

- **Linux**: the child's address space is limited to what it has mapped after
  importing the renderers (its baseline, ~60 MB of address space and ~45 MB
  resident) plus :data:`MEMORY_HEADROOM` (``RLIMIT_AS``: an allocation beyond
  fails with MemoryError, reported in Chinese), and each job to
  :data:`CPU_SECONDS` of CPU time (``RLIMIT_CPU``: the kernel ends the child
  even if this process is blocked or gone);
- **macOS**: the CPU limit; the kernel does not enforce ``RLIMIT_AS`` there;
- **every platform, Windows included**: this process waits at most
  :data:`RENDER_SECONDS` for a render and then kills the child (Windows has no
  rlimits: there the wall clock and the in-template budgets are the limits).

A child is never a fork of a process running Qt or holding the store's
database connection. On Linux it is forked from multiprocessing's fork server:
a fresh interpreter, started once (at the first client template) and kept
until this process ends, which imports the renderers (:data:`PRELOAD`) and
does nothing but fork. A child so made is ready in ~15 ms instead of the
~0.45 s a fresh interpreter takes to import them, which counts after every
refusal (a child ends after an error) and at every attach (each test-renders
in a child of its own); the server costs ~40 MB while it waits. Elsewhere the
child is a fresh interpreter (``spawn``): macOS may not fork a process once
system frameworks are loaded, and Windows cannot fork. Both work in the frozen
(PyInstaller) build too: ``multiprocessing.freeze_support()`` at the top of
``app/__main__.py`` turns the executable's run into the fork server or the
child. Only plain data crosses: the template's bytes and the plain context go
in, the rendered document's bytes (or a Chinese message) come back.

One :class:`IsolatedRenderer` keeps its child for many renders (an export run
with a client template for a per-record form renders it dozens of times); a
child that failed, timed out or died is replaced on the next render. Built-in
templates are trusted and rendered in this process (:mod:`app.export.render`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from app.export.budget import refusal
from app.export.errors import TemplateError

#: Address space a child may map beyond its baseline (Linux). A month of the largest
#: built-in form rendered as a client template (4.9 million characters of XML, parsed
#: again to check it) peaks ~85 MB above the baseline, twice that ~155 MB; the budgets
#: (budget.MAX_OUTPUT_CHARS, MAX_EXCEL_CELLS…) refuse a render before it gets here, and
#: whatever they miss fails with MemoryError here instead of growing without end.
MEMORY_HEADROOM = 256 * 1024 * 1024
#: Wall-clock seconds this process waits for one render before killing the child. The
#: budget's own deadline (budget.RENDER_SECONDS, 15 s) refuses most slow templates first,
#: with the child kept; this is for a template stuck where nothing is charged.
RENDER_SECONDS = 20.0
#: CPU seconds of one job (RLIMIT_CPU, POSIX): above the wall clock, so it only acts
#: when this process could not kill the child (blocked, suspended or gone).
CPU_SECONDS = 30
#: Seconds a child may take to start and import the renderers: a frozen build's first
#: start on Windows, with the virus scanner reading every file, takes several.
START_SECONDS = 60.0
#: How often the wait for a child looks at the clock.
_POLL_SECONDS = 0.1
#: What the fork server imports for its children (what ``isolation_child._Renderer`` needs).
PRELOAD = (
    "app.export.isolation_child",
    "app.export.charts",
    "app.export.docx_render",
    "app.export.xlsx_render",
    "app.export.sandbox",
)


def child_context() -> Any:
    """How render children start: forked from the fork server on Linux, else ``spawn``."""
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))  # read when the server starts
        return context
    return multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class RenderStats:
    """What the last render cost in the child (for tests and diagnostics)."""

    seconds: float  # wall clock, as this process waited
    peak_rss: int | None  # the child's peak resident memory, bytes (None: unknown)
    baseline_rss: int | None  # the child's resident memory when it was ready
    baseline_vm: int | None  # its address space then (Linux)
    limit_as: int | None  # the address-space limit it ran under (Linux)
    pid: int | None  # the child's process id


def _vm_peak(pid: int) -> int | None:
    """The peak resident memory of a live child (Linux), read before it is killed."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _stop(process: Any, conn: Connection | None, kill: bool = False) -> None:
    """End a child: closing its pipe lets an idle child leave by itself; else it is killed."""
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()
    if process is not None and process.is_alive():
        if not kill:
            process.join(1.0)
        if process.is_alive():
            process.kill()
            process.join(5)


class IsolatedRenderer:
    """Renders client templates in one child process at a time; see the module docstring.

    Not for use by several threads at once (one per export run).
    """

    def __init__(self) -> None:
        self._process: Any = None
        self._conn: Connection | None = None
        self._ready: dict[str, Any] = {}
        self.last: RenderStats | None = None
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize | None = None

    def __enter__(self) -> IsolatedRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, *, kill: bool = False) -> None:
        """End the child, if one is running (``kill``: at once, it is stuck)."""
        found = self._finalizer.detach() if self._finalizer is not None else None
        if found is not None:
            _obj, _func, args, _kwargs = found
            _stop(*args, kill=kill)
        self._process = self._conn = self._finalizer = None

    # ------------------------------------------------------------------ the child

    def _start(self, where: str) -> None:
        from app.export import isolation_child

        context = child_context()
        receive, send = context.Pipe(duplex=True)
        process = context.Process(
            target=isolation_child.serve,
            args=(send, MEMORY_HEADROOM, CPU_SECONDS),
            name="omw-template-render",
            daemon=True,
        )
        try:
            process.start()
        except (OSError, RuntimeError) as exc:
            raise TemplateError(_not_started(where, str(exc))) from None
        finally:
            send.close()  # the child's end: only the child may hold it
        self._finalizer = weakref.finalize(self, _stop, process, receive)
        self._process, self._conn = process, receive
        self._ready = {}
        reply = self._wait(where, START_SECONDS, starting=True)
        self._ready = reply[1]

    def _wait(self, where: str, seconds: float, *, starting: bool = False) -> tuple[Any, ...]:
        """The child's next message; the child is killed if none comes in ``seconds``."""
        conn, process = self._conn, self._process
        assert conn is not None and process is not None
        deadline = time.monotonic() + seconds
        while not conn.poll(_POLL_SECONDS):
            if time.monotonic() > deadline:
                peak = _vm_peak(process.pid)
                self.close(kill=True)
                self._record(seconds, peak)
                if starting:
                    raise TemplateError(_not_started(where, f"{seconds:g} 秒内没有就绪"))
                raise TemplateError(refusal(where, f"渲染超过 {seconds:g} 秒仍未完成，已终止"))
        try:
            return conn.recv()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            process.join(5)
            code = process.exitcode
            self.close(kill=True)
            if starting:
                raise TemplateError(_not_started(where, f"退出码 {code}")) from None
            raise TemplateError(refusal(where, _death(code))) from None

    def _record(self, seconds: float, peak: int | None) -> None:
        ready = self._ready
        self.last = RenderStats(
            seconds,
            peak,
            ready.get("baseline_rss"),
            ready.get("baseline_vm"),
            ready.get("limit_as"),
            ready.get("pid"),
        )

    # ------------------------------------------------------------------ rendering

    def render(self, fmt: str, data: bytes, where: str, plain: dict[str, Any]) -> bytes:
        """The document ``data`` (a client's .docx / .xlsx) filled with ``plain``.

        Raises :class:`TemplateError` with a Chinese message when the template
        is broken, unsafe or over a limit; nothing is written anywhere.
        """
        with self._lock:
            started = time.monotonic()
            if self._process is None or not self._process.is_alive():
                self.close()
                self._start(where)
            assert self._conn is not None
            try:
                self._conn.send((fmt, where, bytes(data), plain))
            except (OSError, ValueError) as exc:
                self.close()
                message = f"{where}无法交给渲染子进程（{exc}），未写入任何文件。"
                raise TemplateError(message) from None
            reply = self._wait(where, RENDER_SECONDS)
            status, body, stats = reply
            self._record(time.monotonic() - started, stats.get("peak_rss"))
            if status != "ok":
                self.close()  # the child ends after an error; reap it now
                raise TemplateError(body)
            return body  # type: ignore[no-any-return]


def _not_started(where: str, why: str) -> str:
    return f"无法启动渲染{where}的子进程（{why}），未写入任何文件。"


def _death(exitcode: int | None) -> str:
    """Why a child ended without answering, as the reason of a refusal."""
    xcpu = getattr(signal, "SIGXCPU", None)
    if xcpu is not None and exitcode == -xcpu:
        return f"CPU 时间超过 {CPU_SECONDS} 秒，渲染子进程已被系统终止"
    limit = ""
    if sys.platform.startswith("linux"):
        limit = f"（上限为启动后再加 {MEMORY_HEADROOM // 1024 // 1024} MB）"
    return f"渲染子进程意外退出（退出码 {exitcode}），可能是所需内存超过上限{limit}"


def render_isolated(fmt: str, data: bytes, where: str, plain: dict[str, Any]) -> bytes:
    """One render in a child of its own (attaching a client template test-renders it so)."""
    with IsolatedRenderer() as renderer:
        return renderer.render(fmt, data, where, plain)
