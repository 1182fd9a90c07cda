"""app/ and db/ never import Qt; db/ never imports app/ beyond nothing at all."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(folder: str) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((path, node.module))
    return found


#: The one sanctioned edge from app/ to ui/: ``omw`` with no subcommand starts the
#: window, importing it lazily inside the function that does so.
WINDOW_LAUNCHER = ("app/cli.py", "ui.main")


def test_core_is_qt_free() -> None:
    offenders = [
        (str(p.relative_to(ROOT).as_posix()), m)
        for folder in ("app", "db")
        for p, m in _imports(folder)
        if m.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6", "ui"}
    ]
    assert [o for o in offenders if o != WINDOW_LAUNCHER] == []


def test_db_does_not_depend_on_app() -> None:
    offenders = [
        (str(p.relative_to(ROOT)), m) for p, m in _imports("db") if m.split(".")[0] == "app"
    ]
    assert offenders == []
