"""What the package declares: every library it imports, and a lock that satisfies it."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.source_tree import nodes

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"app", "db", "ui"}
LOCK = ROOT / "requirements.lock"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _requirements(*extras: str) -> list[Requirement]:
    project = _project()
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return found


def _imported_top_level_modules() -> dict[str, str]:
    """Top-level module → the first file importing it, for every absolute import."""
    found: dict[str, str] = {}
    for folder in sorted(FIRST_PARTY):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in nodes(path):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], path.relative_to(ROOT).as_posix())
    return found


def test_every_imported_library_is_declared() -> None:
    declared = {_normal(r.name) for r in _requirements()}
    distributions = packages_distributions()
    undeclared = []
    for module, where in _imported_top_level_modules().items():
        if module in FIRST_PARTY or module in sys.stdlib_module_names or module == "__future__":
            continue
        providers = {_normal(d) for d in distributions.get(module, [])}
        if not providers & declared:
            undeclared.append((module, sorted(providers) or "not installed", where))
    assert undeclared == [], "import without a dependency in pyproject.toml"


def test_every_dependency_has_an_upper_bound() -> None:
    unbounded = [
        str(r)
        for r in _requirements("test")
        if not any(s.operator in ("<", "<=", "==", "~=") for s in r.specifier)
        and _normal(r.name) not in {"ruff", "setuptools"}  # tools, not imported by the app
    ]
    assert unbounded == []


def _locked() -> dict[str, list[str]]:
    """Name → the versions pinned in requirements.lock (one per platform marker)."""
    pins: dict[str, list[str]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)", line)
        if match:
            pins.setdefault(_normal(match.group(1)), []).append(match.group(2))
    return pins


def test_lock_pins_every_requirement_within_its_bounds() -> None:
    pins = _locked()
    problems = []
    for requirement in _requirements("test"):
        versions = pins.get(_normal(requirement.name))
        if not versions:
            problems.append(f"{requirement.name}: not in {LOCK.name}")
        elif not all(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{requirement.name}: {versions} outside {requirement.specifier}")
    assert problems == [], f"run `python3 dev.py lock`: {problems}"


def test_lock_has_a_hash_for_every_pin() -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8"))
    pinned = [e for e in entries if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==", e)]
    assert pinned
    assert [e.splitlines()[0] for e in pinned if "--hash=sha256:" not in e] == []


def test_lock_keeps_pyside6_below_the_broken_release() -> None:
    """tests/test_qt_binding.py: PySide6 6.12.0 aborts on CPython 3.11."""
    for name in ("pyside6-essentials", "shiboken6"):
        versions = _locked()[name]
        assert versions and all(tuple(map(int, v.split(".")[:2])) < (6, 12) for v in versions)


@pytest.fixture
def dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    spec = importlib.util.spec_from_file_location("omw_dev", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    return module


def test_dev_reinstalls_when_the_lock_or_the_packaging_changes(dev, tmp_path: Path) -> None:
    for name in dev.INSTALL_INPUTS:
        (tmp_path / name).write_text(f"{name} 1\n", encoding="utf-8")
    seen = {dev.install_inputs_digest()}
    for name in dev.INSTALL_INPUTS:
        (tmp_path / name).write_text(f"{name} 2\n", encoding="utf-8")
        seen.add(dev.install_inputs_digest())
    assert len(seen) == 1 + len(dev.INSTALL_INPUTS)
    assert set(dev.INSTALL_INPUTS) == {"pyproject.toml", "setup.py", "requirements.lock"}


# --------------------------------------------------------------------------- the resource locator


def test_resources_in_a_source_checkout_are_the_top_level_folder() -> None:
    from app.storage import paths

    assert paths.resources_root() == ROOT / "resources"
    assert paths.resource("profiles", "portal-om.yaml").is_file()


def test_resources_of_an_installed_wheel_are_inside_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.storage import paths

    package = tmp_path / "site-packages" / "app"
    (package / "resources" / "profiles").mkdir(parents=True)
    (tmp_path / "site-packages" / "resources").mkdir()  # someone else's top-level folder
    monkeypatch.setattr(paths, "_PACKAGE", package)
    assert paths.resources_root() == package / "resources"
    assert paths.resource("profiles") == package / "resources" / "profiles"


def test_resources_of_a_frozen_bundle_are_beside_the_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.storage import paths

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_root() == tmp_path / "resources"
