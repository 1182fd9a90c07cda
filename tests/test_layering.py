"""The architecture the folders show: ``ui → app → db``, app/ packages in layers, no cycles.

Every import counts, including the lazy ones inside functions (they still make
one module depend on another).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.source_tree import nodes

ROOT = Path(__file__).resolve().parent.parent

#: app/'s domain packages from the bottom up: each may import only those below it.
LAYERS = (
    "search",
    "storage",
    "integrity",
    "contracts",
    "schedule",
    "records",
    "probes",
    "export",
    "team",
    "demo",
    "cli",
)
#: Modules at app/'s top that every package may use.
SHARED = {"app", "app.errors"}


def _imports(folder: str) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for path in (ROOT / folder).rglob("*.py"):
        for node in nodes(path):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((path, node.module))
                # `from app.storage import paths` imports the module app.storage.paths
                found += [(path, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _app_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (ROOT / "app").rglob("*.py")}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else module


#: The one sanctioned edge from app/ to ui/: ``omw`` with no subcommand starts the
#: window, importing it lazily inside the function that does so.
WINDOW_LAUNCHER = ("app/cli/main.py", "ui.main")


def test_core_is_qt_free() -> None:
    offenders = {
        (str(p.relative_to(ROOT).as_posix()), m.split(".")[0] if m.startswith("ui.") else m)
        for folder in ("app", "db")
        for p, m in _imports(folder)
        if m.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6", "ui"}
    }
    assert offenders - {WINDOW_LAUNCHER, ("app/cli/main.py", "ui")} == set()


def test_db_does_not_depend_on_app() -> None:
    offenders = [
        (str(p.relative_to(ROOT)), m) for p, m in _imports("db") if m.split(".")[0] == "app"
    ]
    assert offenders == []


def test_ui_reaches_the_store_only_through_app() -> None:
    storage_libraries = {"db", "sqlalchemy", "alembic", "sqlcipher3", "sqlite3"}
    offenders = sorted(
        (str(p.relative_to(ROOT).as_posix()), m)
        for p, m in _imports("ui")
        if m.split(".")[0] in storage_libraries
    )
    assert offenders == []


def test_app_packages_import_only_the_layers_below() -> None:
    modules = _app_modules()
    offenders = []
    for path, imported in _imports("app"):
        if imported not in modules or imported in SHARED:
            continue
        source, target = _package(_module_name(path)), _package(imported)
        if source == target or source not in LAYERS:
            continue
        if target not in LAYERS or LAYERS.index(target) > LAYERS.index(source):
            offenders.append((str(path.relative_to(ROOT).as_posix()), imported))
    assert sorted(set(offenders)) == []


def test_every_app_module_lives_in_a_domain_package() -> None:
    loose = {
        name
        for name in _app_modules()
        if name.count(".") == 1
        and name not in SHARED
        and name != "app.__main__"
        and _package(name) not in LAYERS
    }
    assert loose == set()


def test_no_import_cycles_between_app_modules() -> None:
    modules = _app_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for path, imported in _imports("app"):
        source = _module_name(path)
        if imported in modules and imported not in (source, "app"):
            graph[source].add(imported)
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
