"""Table models: checked with qtmodeltester, and fast at 100,000 rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QPersistentModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.records import faults
from tests.factories import fault_rows
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.models import Column, RowTableModel
from ui.pages.lists import FaultsPage

COLUMNS = [
    Column("单号", "number"),
    Column("时间", "reported_at"),
    Column("等级", "level", label=True),
    Column("系统", "system"),
    Column("标题", "title"),
    Column("应急事件", "emergency"),
    Column("状态", "status", label=True),
    Column("处理人", "handler"),
    Column("已签字", "locked"),
]
START = datetime(2020, 1, 1, 8, 0)


def test_the_model_passes_qtmodeltester(qtmodeltester: ModelTester) -> None:
    model = RowTableModel(COLUMNS, tone=lambda r: "bad" if r.status == "处理中" else None)
    model.set_rows(fault_rows(50))
    qtmodeltester.check(model, force_py=True)  # and keeps checking every change below
    model.set_filter("网站")
    model.sort(4, Qt.SortOrder.DescendingOrder)
    model.set_rows(fault_rows(30))
    model.sort(-1)
    model.set_filter("")


def test_filter_sort_and_persistent_indexes() -> None:
    model = RowTableModel(COLUMNS)
    model.set_rows(fault_rows(12))
    kept = QPersistentModelIndex(model.index(3, 0))
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == "GZ-000011"
    assert kept.row() == 8 and kept.data() == "GZ-000003"
    model.sort(-1)
    assert model.index(0, 0).data() == "GZ-000000"
    model.set_filter("李工", keep=lambda r: r.status == "已关闭")
    assert [model.row_at(n).number for n in range(model.rowCount())] == ["GZ-000005", "GZ-000011"]
    assert model.index(0, 8).data() == "✓" and model.shown() == 2 and model.total() == 12


def test_a_hundred_thousand_rows_filter_and_sort(qtbot: QtBot) -> None:
    """What 100,000 rows give; how long it takes is measured by bench/bench_ui.py."""
    many = fault_rows(100_000)
    model = RowTableModel(COLUMNS)
    model.set_rows(many)
    assert model.rowCount() == 100_000 and model.total() == 100_000
    model.set_filter("信访")
    assert model.rowCount() == 25_000
    model.sort(1, Qt.SortOrder.DescendingOrder)
    model.sort(4, Qt.SortOrder.AscendingOrder)
    shown = [model.index(n, 4).data() for n in range(model.rowCount())]
    assert shown == sorted(shown)
    model.set_filter("故障 99999")
    assert model.rowCount() == 1 and model.index(0, 0).data() == "GZ-099999"


def test_the_fault_list_filters_by_text_and_state(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    for title, recovered in (("门户无法访问", False), ("接口超时", True)):
        ctx.call(
            lambda s, t=title, r=recovered: (
                faults.set_time(
                    s,
                    faults.create_fault(
                        s, "test-portal", title=t, level="minor", reported_at=START, now=START
                    ).id,
                    "recovered",
                    START + timedelta(hours=1) if r else None,
                    now=START + timedelta(hours=2),
                )
                if r
                else faults.create_fault(
                    s, "test-portal", title=t, level="minor", reported_at=START, now=START
                )
            )
        )
    window.show_page("faults")
    page = window.pages["faults"]
    assert isinstance(page, FaultsPage)
    qtbot.waitUntil(lambda: page.model.total() == 2)
    page.search.setText("接口")
    qtbot.waitUntil(lambda: page.model.shown() == 1)
    page.search.clear()
    page.state.setCurrentIndex(page.state.findData("处理中"))
    assert [page.model.row_at(n).title for n in range(page.model.shown())] == ["门户无法访问"]
    assert page.count.text() == "显示 1 / 共 2 条"
