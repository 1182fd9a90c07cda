"""How the ``omw`` program ends: the command's exit code, its output whole, a quick shutdown."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def freezes(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """Calls of ``gc.freeze`` (not made: the test process must keep collecting)."""
    calls: list[None] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(None))
    return calls


def test_a_command_ends_with_its_code_and_the_collector_frozen(
    monkeypatch: pytest.MonkeyPatch, freezes: list[None]
) -> None:
    monkeypatch.setattr(cli, "main", lambda: 2)
    monkeypatch.delitem(sys.modules, "PySide6.QtWidgets", raising=False)
    with pytest.raises(SystemExit) as ended:
        cli.run()
    assert ended.value.code == 2
    assert freezes == [None]


def test_the_window_ends_without_freezing(
    monkeypatch: pytest.MonkeyPatch, freezes: list[None]
) -> None:
    monkeypatch.setattr(cli, "main", lambda: 0)
    monkeypatch.setitem(sys.modules, "PySide6.QtWidgets", sys.modules.get("PySide6.QtWidgets"))
    with pytest.raises(SystemExit) as ended:
        cli.run()
    assert ended.value.code == 0
    assert freezes == []


def test_the_program_prints_its_whole_output_and_its_errors(tmp_path: Path) -> None:
    """``python -m app`` through :func:`cli.run`: stdout complete when piped, exit codes kept."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMW_")}
    data = ["-m", "app", "--data-dir", str(tmp_path / "data")]

    def omw(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *data, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    made = omw("init")
    assert made.returncode == 0, made.stderr
    assert "portal-om" in made.stdout
    listed = omw("profiles", "--json")
    assert listed.returncode == 0, listed.stderr
    contracts = json.loads(listed.stdout)["contracts"]
    assert {c["code"] for c in contracts} == {"portal-om", "internet-om"}
    wrong = omw("due", "--contract", "no-such-contract")
    assert wrong.returncode == 2
    assert "错误" in wrong.stderr
