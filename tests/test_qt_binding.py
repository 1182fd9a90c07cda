"""Guard against Qt bindings that corrupt Python's reference counts.

PySide6 6.12.0 on CPython 3.11 drops a reference to ``None`` on every call of a
method returning void; after a few thousand calls the interpreter aborts with
``Fatal Python error: none_dealloc``. Python 3.12+ makes ``None`` immortal, so
the check is only meaningful (and only strict) where refcounts move.
"""

from __future__ import annotations

import sys

import pytest

CALLS = 2000


def test_void_calls_do_not_leak_none_references() -> None:
    qtcore = pytest.importorskip("PySide6.QtCore")
    obj = qtcore.QObject()
    before = sys.getrefcount(None)
    for i in range(CALLS):
        obj.setObjectName(f"n{i % 7}")
    after = sys.getrefcount(None)
    # A healthy binding leaves the count within noise of other allocations.
    assert before - after < CALLS // 2, (
        f"PySide6 {qtcore.__version__} leaked {before - after} references to None "
        f"over {CALLS} void calls; pin a version without this bug"
    )


def test_installed_pyside_is_not_the_known_bad_release() -> None:
    pyside = pytest.importorskip("PySide6")
    if sys.version_info < (3, 12):
        assert pyside.__version__ != "6.12.0"


# A module imported after Qt, whose source PySide6 would read (stdlib, imported by nothing here).
PROBE_MODULE = "colorsys"
_KEPT = (
    "import linecache, sys\n"
    f"import {PROBE_MODULE} as probe\n"
    "print(probe.__file__ in linecache.cache)\n"
)


def test_the_window_keeps_no_source_lines_of_the_modules_it_imports() -> None:
    """PySide6 reads every module imported after it into ``linecache`` (≈ 25 MiB of the
    window's memory); ``ui.qt`` marks them as using no PySide6 feature first."""
    from tests.fresh_interpreter import run_fresh

    bare = run_fresh("import PySide6.QtCore\n" + _KEPT)
    assert bare.returncode == 0, bare.errors
    # the binding's scan, as ui.qt knows it (if this fails, PySide6 no longer reads
    # sources and ui.qt's _NoFeatureScan can go)
    assert bare.out.strip() == "True", bare.out

    window = run_fresh("import ui.qt\n" + _KEPT)
    assert window.returncode == 0, window.errors
    assert window.out.strip() == "False", window.out
