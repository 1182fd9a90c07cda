"""A damaged store file at the window's start: its backups are offered, newest first."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.contracts.profiles import install_builtin_profiles
from app.errors import StoreDamaged
from app.storage import backup
from app.storage.store import Store
from db.models import Contract, StaffMember
from ui.startup import restore_from_backup


def _damaged(folder: Path, *, backed_up: bool = True, later: bool = False) -> str:
    """A store with the built-in contracts (and a backup of it; ``later``: a second backup
    after a staff member was added), then its file cut short; the message opening it gives."""
    store = Store.open(folder, actor="张工")
    with store.session() as s:
        install_builtin_profiles(s)
    if backed_up:
        backup.backup_store(store, now=datetime(2026, 12, 1, 9, 0))
    if later:
        with store.session() as s:
            contract = s.scalars(select(Contract)).first()
            s.add(StaffMember(contract_id=contract.id, name="李工", role="运维人员", side="vendor"))
        backup.backup_store(store, now=datetime(2026, 12, 1, 10, 0))
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
    assert restore_from_backup(window, isolated_dirs, problem, None)
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
    assert not restore_from_backup(window, isolated_dirs, problem, None)
    assert said[-1] == problem
    assert (isolated_dirs / "omw.sqlite3").read_bytes() == damaged

    bare = tmp_path / "bare"
    problem = _damaged(bare, backed_up=False)
    said.clear()
    assert not restore_from_backup(window, bare, problem, None)
    assert said == [problem]  # no question: there is nothing to offer


def test_a_backup_that_fails_its_drill_is_said_and_the_one_before_it_offered(
    isolated_dirs: Path, window: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = _damaged(isolated_dirs, later=True)
    newest, older = backup.list_backups(isolated_dirs)[:2]
    newest.path.write_bytes(newest.path.read_bytes()[:4096])  # the newest backup is broken too
    said = _answers(monkeypatch, QMessageBox.StandardButton.Yes)
    assert restore_from_backup(window, isolated_dirs, problem, None)
    assert len(said) == 2 and newest.path.name in said[0]
    assert f"无法从 {newest.path.name} 恢复" in said[1] and older.path.name in said[1]
    store = Store.open(isolated_dirs, actor="张工")
    with store.session() as s:  # the older backup: before 李工 was added
        assert s.scalar(select(func.count()).select_from(StaffMember)) == 0
    store.close()


def test_when_no_backup_restores_the_last_failure_is_said(
    isolated_dirs: Path, window: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = _damaged(isolated_dirs)
    only = backup.list_backups(isolated_dirs)[0]
    only.path.write_bytes(b"not a backup")
    damaged = (isolated_dirs / "omw.sqlite3").read_bytes()
    said = _answers(monkeypatch, QMessageBox.StandardButton.Yes)
    assert not restore_from_backup(window, isolated_dirs, problem, None)
    assert len(said) == 2 and problem in said[-1] and f"无法从 {only.path.name} 恢复" in said[-1]
    assert (isolated_dirs / "omw.sqlite3").read_bytes() == damaged
