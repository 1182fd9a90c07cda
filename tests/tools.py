"""Outside programs some tests run, and what a missing one means.

:func:`require_tool` gives a program's path. If it is missing the test is
skipped with the reason on a developer's machine, but fails under ``CI=true``:
``.ci/run`` installs every package named in :data:`TOOLS`, so a skip there
would hide a test. ``@pytest.mark.needs_tool("name")`` does the same before a
test's fixtures are built (see ``tests/conftest.py``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest


def in_ci() -> bool:
    """``CI=true`` (or 1/yes): the machine is expected to have every tool the tests use."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _first_program(*names: str) -> Callable[[], str | None]:
    def find() -> str | None:
        for name in names:
            found = shutil.which(name)
            if found:
                return found
        return None

    return find


def _cjk_font() -> str | None:
    from app.export import charts

    return "CJK font" if charts.cjk_font_available() else None


#: name → (how to find it, the Debian package that provides it: installed by ``.ci/run``)
TOOLS: dict[str, tuple[Callable[[], str | None], str]] = {
    "minisign": (_first_program("minisign"), "minisign"),
    "soffice": (
        _first_program("soffice", "libreoffice"),
        "libreoffice-writer-nogui libreoffice-calc-nogui",
    ),
    "7z": (_first_program("7zz", "7z", "7za"), "7zip"),
    "pdftoppm": (_first_program("pdftoppm"), "poppler-utils"),
    "pdftotext": (_first_program("pdftotext"), "poppler-utils"),
    "cjk-font": (_cjk_font, "fonts-noto-cjk"),
}


def require_tool(name: str) -> str:
    """The path of an outside program (or a description of a resource) the test needs.

    Missing: the test is skipped with the reason, but under ``CI=true`` it fails.
    """
    find, package = TOOLS[name]
    found = find()
    if found:
        return found
    reason = f"{name} is not installed (Debian package: {package})"
    if in_ci():
        pytest.fail(f"CI=true and {reason}; .ci/run installs it", pytrace=False)
    pytest.skip(reason)
