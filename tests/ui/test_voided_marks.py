"""Voided records in the window's lists: marked 「已作废」, greyed, left out of the counts."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.team.voids import void
from tests.team_tools import sign_fault, sign_run
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.models import TONES
from ui.pages.lists import FaultsPage, InspectionsPage


def test_voided_rows_read_voided_are_grey_and_not_counted(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    store = ctx.store
    kept = sign_run(store, date(2026, 11, 2), "api", "张工")
    gone = sign_run(store, date(2026, 11, 2), "portal", "张工")
    fault_id, _number = sign_fault(store, datetime(2026, 11, 3, 9, 0), "张工")
    with store.session() as s:
        void(s, "inspection_run", gone, reason="重复填写", actor="王经理")
        void(s, "fault_record", fault_id, reason="误报", actor="王经理")

    window.show_page("inspections")
    runs = window.pages["inspections"]
    assert isinstance(runs, InspectionsPage)
    runs.refresh()
    qtbot.waitUntil(lambda: runs.model.total() == 2)
    qtbot.waitUntil(lambda: "另有" in runs.count.text())
    assert runs.count.text() == "显示 1 / 共 1 条（另有已作废 1 条，不计）"
    status = [c.field for c in runs.model.columns].index("status")
    by_id = {runs.model.row_at(n).id: n for n in range(runs.model.shown())}
    voided = runs.model.index(by_id[gone], status)
    assert runs.model.data(voided) == "已作废"
    grey = runs.model.data(voided, Qt.ItemDataRole.ForegroundRole).color().name()
    assert grey == TONES["muted"]
    signed = runs.model.index(by_id[kept], status)
    assert runs.model.data(signed, Qt.ItemDataRole.ForegroundRole).color().name() == TONES["good"]
    runs.state.setCurrentIndex(runs.state.findData("已作废"))  # the state filter finds them
    assert [runs.model.row_at(n).id for n in range(runs.model.shown())] == [gone]

    window.show_page("faults")
    found = window.pages["faults"]
    assert isinstance(found, FaultsPage)
    found.refresh()
    qtbot.waitUntil(lambda: found.model.total() == 1)
    qtbot.waitUntil(lambda: "另有" in found.count.text())
    assert found.count.text() == "显示 0 / 共 0 条（另有已作废 1 条，不计）"
    assert found.model.row_at(0).status == "已作废"
