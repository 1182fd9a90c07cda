"""What a command and the window import before they answer: only what they need (issue 13).

Structural, not timed: a fresh interpreter runs the command (or builds and shows
the main window) and lists ``sys.modules``. The export stack (openpyxl, docxtpl,
Pillow, Jinja), Alembic (the store is at the head) and the demo generator must
not be among them; they are imported on first use.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.contracts.profiles import install_builtin_profiles
from app.contracts.registry import install_profile
from app.storage.store import Store
from db import migrate
from tests.factories import internet_profile
from tests.fresh_interpreter import run_fresh

#: imported on first use only: never by `omw due`, `omw deadlines`, `omw profiles` or the window
HEAVY = ("alembic", "openpyxl", "docxtpl", "docx", "PIL", "jinja2", "app.export.packs")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    run = run_fresh(code)
    assert run.returncode == 0, run.errors
    return run.modules


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY)


@pytest.fixture
def data_dir(store: Store) -> Path:
    with store.session() as s:
        install_profile(s, internet_profile())
    store.close()
    return store.folder


@pytest.mark.parametrize(
    "command",
    [
        ["due", "--contract", "test-internet", "--date", "2026-11-20"],
        ["deadlines", "--contract", "test-internet", "--today", "2026-11-20"],
        ["profiles"],
    ],
    ids=lambda c: c[0],
)
def test_a_schedule_command_imports_neither_the_export_stack_nor_alembic(
    data_dir: Path, command: list[str]
) -> None:
    args = ["--data-dir", str(data_dir), *command]
    modules = _modules_after(f"from app.cli.main import main\nassert main({args!r}) == 0")
    assert "app.schedule.workcal" in modules or command == ["profiles"]  # it did run
    assert _heavy(modules) == []


def test_the_window_paints_without_the_export_stack_alembic_or_the_demo_generator(
    data_dir: Path,
) -> None:
    (data_dir / "settings.json").write_text(
        json.dumps({"name": "张工", "role": "运维工程师", "contract": "test-internet"}), "utf-8"
    )
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from app.storage.store import Store\n"
        "from ui.context import AppContext\n"
        "from ui.main_window import MainWindow\n"
        "from ui.settings import Settings\n"
        f"store = Store.open({str(data_dir)!r}, actor='张工')\n"
        "window = MainWindow(AppContext(store, Settings.load(store.folder)))\n"
        "window.show()\n"
        "app.processEvents()\n"
        "assert window.pages['today'].model.rowCount() > 0\n"
    )
    modules = _modules_after(code)
    assert _heavy(modules) == []
    assert "app.demo.generator" not in modules


def test_the_window_frame_paints_before_sqlalchemy_the_models_or_the_profile_schema(
    data_dir: Path,
) -> None:
    """``omw`` as a user starts it, the modules listed at the main window's first paint:
    the store is opened only after it (``ui.startup``). Also the enum classes of Qt's
    namespace ``Qt``, which its first use creates all at once."""
    (data_dir / "settings.json").write_text(
        json.dumps({"name": "张工", "role": "运维工程师", "contract": "test-internet"}), "utf-8"
    )
    code = (
        "import os\n"
        "from PySide6.QtCore import QEvent, QObject\n"
        "from PySide6.QtWidgets import QApplication, QMainWindow\n"
        "app = QApplication([])\n"
        "class FirstPaint(QObject):\n"
        "    def eventFilter(self, watched, event):\n"
        "        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):\n"
        "            import enum, gc\n"
        "            print(sum(isinstance(o, enum.EnumType) and o.__qualname__[:3] == 'Qt.'\n"
        "                      for o in gc.get_objects()))\n"
        "            report_modules()\n"
        "            os._exit(0)\n"
        "        return False\n"
        "first_paint = FirstPaint()\n"
        "app.installEventFilter(first_paint)\n"
        "from app.cli.main import main\n"
        f"main(['--data-dir', {str(data_dir)!r}])\n"
    )
    run = run_fresh(code)
    assert run.returncode == 0, run.errors
    modules = run.modules
    assert "ui.main_window" in modules  # it did paint the window
    # nor the 93 enum classes of Qt's namespace `Qt` (≈ 13 ms; ui.qt says why)
    assert run.out.split() == ["0"]
    store = ("sqlalchemy", "app.contracts.profile_schema", "db.models", "app.storage.store")
    assert sorted(m for m in modules if m in store or m.split(".")[0] in store) == []
    assert _heavy(modules) == []
    # nor the key store's cryptography, the second-launch channel or the commands' parsers
    later = ("cryptography", "PySide6.QtNetwork", "app.storage.secrets", "app.cli.setup")
    assert sorted(m for m in modules if m in later or m.split(".")[0] in later) == []


def test_the_head_is_read_from_the_scripts_as_alembic_reads_it() -> None:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    assert [migrate.script_head()] == ScriptDirectory.from_config(config).get_heads()


def test_a_store_at_the_head_is_known_to_be_there_without_alembic(store: Store) -> None:
    assert migrate.stored_revision(store.engine) == migrate.script_head()
    assert migrate.at_head(store.engine)
    assert migrate.upgrade(store.engine) is None


def test_two_heads_or_an_unreadable_script_leave_the_question_to_alembic(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text('revision = "a"\ndown_revision = None\n', "utf-8")
    (versions / "b.py").write_text('revision: str = "b"\ndown_revision: str | None = "a"\n')
    assert migrate.script_head(tmp_path) == "b"
    (versions / "c.py").write_text("revision = 'c'\ndown_revision = 'a'\n", "utf-8")
    assert migrate.script_head(tmp_path) is None  # b and c are both heads
    (versions / "c.py").write_text("revision = make_id()\ndown_revision = 'b'\n", "utf-8")
    assert migrate.script_head(tmp_path) is None


def test_due_and_deadlines_answer_while_the_window_holds_the_store(data_dir: Path) -> None:
    """Read-only: they do not take the single-writer lock the window holds."""
    window = Store.open(data_dir, actor="张工")  # what the running window holds
    try:
        for command in (
            ["due", "--contract", "test-internet"],
            ["deadlines", "--contract", "test-internet"],
        ):
            args = ["--data-dir", str(data_dir), *command]
            _modules_after(f"from app.cli.main import main\nassert main({args!r}) == 0")
    finally:
        window.close()


@pytest.mark.slow
def test_a_month_pack_of_built_in_forms_loads_neither_openpyxl_nor_docxtpl(
    store: Store, tmp_path: Path
) -> None:
    """The built-in Excel forms and their native charts are written without openpyxl
    (:mod:`app.export.xlsx_fast`, :mod:`app.export.xlsx_cells`), which serves client
    workbooks; once the Word templates were compiled (kept by
    :mod:`app.export.compile_cache`), docxtpl is not imported either."""
    with store.session() as s:
        install_builtin_profiles(s)
    store.close()
    runs = []
    for n in range(2):
        out = tmp_path / f"out{n}"
        args = ["--data-dir", str(store.folder), "export", "month", "--contract", "portal-om"]
        args += ["--month", "2026-10", "--out", str(out)]
        args += ["--allow-unreviewed", "--allow-incomplete"]
        code = "import os\nos.environ['OMW_PASSPHRASE'] = 'a test passphrase'\n"
        code += f"from app.cli.main import main\nassert main({args!r}) == 0"
        runs.append(_modules_after(code))
        with zipfile.ZipFile(next(out.glob("*/*运维月报*.xlsx"))) as workbook:
            assert any(name.startswith("xl/charts/") for name in workbook.namelist())
    first, second = runs
    assert "docxtpl" in first  # compiling the Word templates the first time
    assert sorted(m for m in first | second if m.split(".")[0] == "openpyxl") == []
    assert sorted(m for m in second if m.split(".")[0] in ("docxtpl", "docx")) == []
