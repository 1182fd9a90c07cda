"""The frozen build's spec and its smoke-test script, read without building anything.

``build.spec`` keeps only the Qt modules, plugins and translations the window
uses; these tests fail when the window starts using one the spec leaves out.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.source_tree import nodes

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
SCRIPT = ROOT / "scripts" / "build_frozen.py"
#: Top-level names of build.spec that decide what is kept (pure: re and Path only).
FILTER_NAMES = {
    "QT_PLUGINS",
    "QT_TRANSLATIONS",
    "WINDOWS_DROP",
    "_QT_PLUGIN",
    "_QT_TRANSLATION",
    "_DROP_DATA",
    "_DROP_BINARY",
    "_dest",
    "_wanted",
}


def spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"))


def spec_filters(windows: bool) -> dict[str, Any]:
    """The spec's keep/drop rules, executed on their own."""
    chosen = []
    for node in spec_tree().body:
        if isinstance(node, ast.FunctionDef):
            name = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        else:
            continue
        if name in FILTER_NAMES:
            chosen.append(node)
    namespace: dict[str, Any] = {"re": re, "Path": Path, "WINDOWS": windows}
    exec(compile(ast.Module(body=chosen, type_ignores=[]), str(SPEC), "exec"), namespace)
    assert namespace.keys() >= FILTER_NAMES
    return namespace


def kept(dest: str, windows: bool = False) -> bool:
    return bool(spec_filters(windows)["_wanted"]((dest, "/src", "BINARY")))


def qt_modules_used() -> set[str]:
    """PySide6 modules imported by the window (ui/) and the domain (app/)."""
    used: set[str] = set()
    for folder in ("ui", "app"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in nodes(path):
                if isinstance(node, ast.ImportFrom) and node.module == "PySide6":
                    used |= {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "PySide6."
                ):
                    used.add(node.module.split(".")[1])  # type: ignore[union-attr]
                elif isinstance(node, ast.Import):
                    used |= {
                        a.name.split(".")[1] for a in node.names if a.name.startswith("PySide6.")
                    }
    return used


def test_the_spec_keeps_every_qt_module_the_app_imports() -> None:
    for node in spec_tree().body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "QT_MODULES":
            spec_modules = ast.literal_eval(node.value)
            break
    else:
        pytest.fail("build.spec has no QT_MODULES")
    used = qt_modules_used()
    assert used, "no PySide6 import found in ui/"
    assert used <= spec_modules, f"add to QT_MODULES in build.spec: {sorted(used - spec_modules)}"


def test_the_spec_makes_a_window_and_a_console_program_in_one_folder() -> None:
    programs = {}
    collected: list[str] = []
    for node in ast.walk(spec_tree()):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "EXE":
            options = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg == "name"}
            console = next(k.value for k in node.keywords if k.arg == "console")
            programs[options["name"]] = ast.literal_eval(console)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "COLLECT":
            collected = [a.id for a in node.args if isinstance(a, ast.Name)]
    assert programs == {"OMWorkbench": False, "omw": True}
    assert {"window", "command_line"} <= set(collected)


@pytest.mark.parametrize(
    ("dest", "windows", "wanted"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False, True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False, True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False, False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False, False),
        ("PySide6\\plugins\\platforms\\qwindows.dll", True, True),
        ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True, True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", False, True),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", False, True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False, False),
        (
            "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
            False,
            True,
        ),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False, False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False, False),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", False, True),
        ("PySide6/Qt/translations/qtbase_en.qm", False, True),
        ("PySide6/Qt/translations/qt_help_zh_CN.qm", False, False),
        ("PySide6/Qt/translations/qtbase_de.qm", False, False),
        ("resources/translations/omw_en.qm", False, True),
        ("resources/translations/omw_en.ts", False, False),
        ("resources/templates/monthly_report.docx", False, True),
        ("db/migrations/env.py", False, True),
        ("opengl32sw.dll", True, False),
        ("Cryptodome/Cipher/_raw_aes.abi3.so", False, True),
        ("Cryptodome/PublicKey/_ec_ws.abi3.so", False, False),
    ],
)
def test_what_the_spec_keeps(dest: str, windows: bool, wanted: bool) -> None:
    assert kept(dest, windows) is wanted


def test_every_picture_format_of_attachments_has_a_qt_plugin() -> None:
    """Photos are shown by Qt: each type the file dialog offers must be readable frozen."""
    filters = [
        node.value.value
        for path in (ROOT / "ui").rglob("*.py")
        for node in nodes(path)
        if isinstance(node, ast.Assign)
        and getattr(node.targets[0], "id", "") == "IMAGE_FILTER"
        and isinstance(node.value, ast.Constant)
    ]
    assert filters, "ui/ has no IMAGE_FILTER"
    built_in = {"png", "bmp"}  # in QtGui itself
    plugin = {"jpg": "jpeg"}
    for suffix in re.findall(r"\*\.(\w+)", filters[0]):
        if suffix in built_in:
            continue
        name = plugin.get(suffix, suffix)
        assert kept(f"PySide6/Qt/plugins/imageformats/libq{name}.so"), suffix


def test_the_build_script_uses_the_standard_library_and_timeouts() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    outside = imported - set(sys.stdlib_module_names) - {"__future__", "PyInstaller"}
    assert not outside
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "run"
            and getattr(node.func.value, "id", "") == "subprocess"
        ):
            assert any(k.arg == "timeout" for k in node.keywords), ast.unparse(node)
