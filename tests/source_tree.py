"""The project's own Python files, parsed once per test process.

Several test files walk every module of ``app/``, ``db/`` and ``ui/`` (layering,
packaging, the frozen build's Qt modules, private imports, translatable texts);
each parsing them again cost the suite ~10 s.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path


@functools.cache
def nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of ``path``'s syntax tree, in :func:`ast.walk` order."""
    return tuple(ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
