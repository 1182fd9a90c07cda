"""A damaged store file at the window's start: its latest backup is offered, then restored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.contracts.profiles import install_builtin_profiles
from app.errors import StoreDamaged
from app.storage import backup
from app.storage.store import Store
from db.models import Contract
from ui.startup import restore_latest_backup


def _damaged(folder: Path, *, backed_up: bool = True) -> str:
    """A store with the built-in contracts (and a backup of it), then its file cut short;
    the message opening it gives."""
    store = Store.open(folder, actor="张工")
    with store.session() as s:
        install_builtin_profiles(s)
    if backed_up:
        backup.backup_store(store)
    store.close()
    os.truncate(folder / "omw.sqlite3", 8192)  # the schema's first page left, the rest gone
    with pytest.raises(StoreDamaged) as failed:
        Store.open(folder, actor="张工")
    return failed.value.message


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _answers(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    said: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        said.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: said.append(text))
    return said


def test_the_latest_backup_is_offered_and_restored(
    isolated_dirs: Path, window: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = _damaged(isolated_dirs)
    latest = backup.list_backups(isolated_dirs)[0]
    said = _answers(monkeypatch, QMessageBox.StandardButton.Yes)
    assert restore_latest_backup(window, isolated_dirs, problem, None)
    assert len(said) == 1 and problem in said[0] and latest.path.name in said[0]
    store = Store.open(isolated_dirs, actor="张工")
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Contract)) == 2
    store.close()
    kept = [b.path.name for b in backup.list_backups(isolated_dirs)]
    assert any(name.endswith("-pre-restore-unreadable.omwbak") for name in kept)


def test_declined_or_without_a_backup_the_damage_is_said_and_nothing_changes(
    isolated_dirs: Path, tmp_path: Path, window: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = _damaged(isolated_dirs)
    damaged = (isolated_dirs / "omw.sqlite3").read_bytes()
    said = _answers(monkeypatch, QMessageBox.StandardButton.No)
    assert not restore_latest_backup(window, isolated_dirs, problem, None)
    assert said[-1] == problem
    assert (isolated_dirs / "omw.sqlite3").read_bytes() == damaged

    bare = tmp_path / "bare"
    problem = _damaged(bare, backed_up=False)
    said.clear()
    assert not restore_latest_backup(window, bare, problem, None)
    assert said == [problem]  # no question: there is nothing to offer
