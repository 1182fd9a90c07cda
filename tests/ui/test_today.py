"""今日 on a day the contract does not serve: say why, show the next service day's work."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.schedule.due import due_on
from tests.ui.test_main_window import show_main
from ui.context import AppContext
from ui.pages.today import TodayPage

SUNDAY = datetime(2026, 11, 22, 9, 0)  # internet-om is 5×8: no service on a Sunday
MONDAY = "2026-11-23"


def test_a_sunday_says_it_is_no_service_day_and_shows_mondays_work(
    qtbot: QtBot, builtin_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    builtin_ctx.clock = lambda: SUNDAY
    window = show_main(qtbot, builtin_ctx)
    page = window.pages["today"]
    assert isinstance(page, TodayPage)
    page.refresh()
    assert page.holiday.isVisible()
    text = page.holiday.text()
    assert "今天不是服务日（星期日）" in text and MONDAY in text and "星期一" in text
    assert page.report is not None and page.report.date.isoformat() == MONDAY
    monday = builtin_ctx.call(lambda s: due_on(s, "internet-om", page.report.date))
    assert [i.name for i in page.report.items] == [i.name for i in monday.items]

    # starting a check today asks first; 「否」 opens nothing
    asked: list[str] = []

    def answer(*args: object, **_kw: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    opened: list[object] = []
    monkeypatch.setattr(window, "open_due", opened.append)
    row = next(
        n for n, i in enumerate(page.report.items) if i.kind == "checklist" and i.run_id is None
    )
    page._open(str(row))
    assert asked and "不是服务日" in asked[0] and opened == []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page._open(str(row))
    assert len(opened) == 1
    window.close()


def test_a_service_day_shows_its_own_work_without_the_notice(
    qtbot: QtBot, builtin_ctx: AppContext
) -> None:
    window = show_main(qtbot, builtin_ctx)  # NOW is a Friday
    page = window.pages["today"]
    assert isinstance(page, TodayPage)
    page.refresh()
    assert "不是服务日" not in page.holiday.text()
    assert page.report is not None and page.report.date == builtin_ctx.today()
    window.close()
