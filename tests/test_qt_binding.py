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
