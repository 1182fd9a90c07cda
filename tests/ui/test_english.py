"""The English window shows no Chinese of its own: periods, durations, conclusions included.

Contract data (names, systems, checklist items, deliverables, holidays: everything of
the contract profile) and what users typed stay as they are; every other text a
visible widget shows must be English. The sidebar's titles are not clipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QAbstractListModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.records import checklist_view, faults, inspections
from db.models import Contract, HolidayPeriod
from tests.ui.conftest import NOW
from ui import i18n
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.forms.fault import FaultForm
from ui.main_window import MainWindow

#: Chinese characters and CJK punctuation (「」、。); full-width forms such as （） are not words
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff]")
TAGS = re.compile(r"<[^>]+>")


@pytest.fixture
def english() -> Iterator[None]:
    app = QCoreApplication.instance()
    assert app is not None
    installed = i18n.install(app, "en")
    yield
    for translator in installed:
        app.removeTranslator(translator)
    i18n.install(app, "zh_CN")


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def user_data(ctx: AppContext, typed: list[str]) -> list[str]:
    """Texts that are data, longest first: the contract profile, holidays, names, typing."""

    def read(s: Any) -> list[str]:
        found = [*typed, ctx.actor]
        for contract in s.query(Contract):
            found += [contract.name, contract.code, *strings(contract.profile)]
        found += [h.name for h in s.query(HolidayPeriod)]
        return found

    return sorted({t for t in ctx.call(read) if t.strip()}, key=len, reverse=True)


def visible_texts(window: QWidget) -> list[str]:
    """What the visible widgets of ``window`` show: labels, buttons, fields, tables, tabs."""
    found: list[str] = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QLabel):
            found.append(TAGS.sub("", widget.text()))
        elif isinstance(widget, QAbstractButton):
            found.append(widget.text())
        elif isinstance(widget, QGroupBox):
            found.append(widget.title())
        elif isinstance(widget, QLineEdit | QPlainTextEdit):
            if not widget.isReadOnly():
                found.append(widget.placeholderText())
        elif isinstance(widget, QComboBox):
            found.append(widget.currentText())
        elif isinstance(widget, QTabBar):
            found += [widget.tabText(n) for n in range(widget.count())]
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            columns = range(
                1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
            )
            found += [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]
            for row in range(min(model.rowCount(QModelIndex()), 60)):
                found += [str(model.index(row, c).data() or "") for c in columns]
    return [t for t in found if t]


def chinese_left(texts: list[str], data: list[str]) -> list[str]:
    left = []
    for text in texts:
        scrubbed = text
        for item in data:
            scrubbed = scrubbed.replace(item, "")
        if CJK.search(scrubbed):
            left.append(text)
    return sorted(set(left))


def test_the_english_window_shows_no_chinese_of_its_own(
    qtbot: QtBot, builtin_ctx: AppContext, english: None
) -> None:
    ctx = builtin_ctx
    title, symptom = "门户无法访问", "首页打开超时"
    ctx.call(
        lambda s: faults.create_fault(
            s, ctx.contract, title=title, level="normal", reported_at=NOW, symptom=symptom, now=NOW
        )
    )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    data = user_data(ctx, [title, symptom])
    found: dict[str, list[str]] = {}
    for page in ("today", "deliverables"):
        window.show_page(page)
        qtbot.waitUntil(lambda p=page: window.stack.currentWidget() is window.pages[p])
        window.pages[page].refresh()
        found[page] = chinese_left(visible_texts(window), data)
    clocks = window.findChild(QLabel, "faultClocks")
    assert clocks is not None and "Response 30 min left" in clocks.text()

    nav = window.nav
    for n in range(nav.count()):  # 「Service requests」 whole in the sidebar
        text = nav.item(n).text()
        # the text, the icon, the item's padding (8 px a side) and the icon's spacing
        needed = nav.fontMetrics().horizontalAdvance(text) + nav.iconSize().width() + 16 + 6
        assert needed <= nav.viewport().width(), text

    run_id = ctx.call(
        lambda s: (
            checklist_view.run_for_occurrence(
                s,
                ctx.contract,
                "server-daily",
                window_start=NOW.date(),
                deadline=NOW.date(),
                today=NOW.date(),
                inspector=ctx.actor,
            ).id
        )
    )
    ctx.call(lambda s: inspections.mark_rest_normal(s, run_id))
    checklist = ChecklistForm(ctx, run_id, parent=window)
    qtbot.addWidget(checklist)
    checklist.show()
    found["checklist"] = chinese_left(visible_texts(checklist), data)
    suggested = checklist.conclusion.placeholderText()
    checklist.close()
    fault = FaultForm(ctx, parent=window)
    qtbot.addWidget(fault)
    fault.show()
    found["fault"] = chinese_left(visible_texts(fault), data)
    fault.close()
    assert found == {"today": [], "deliverables": [], "checklist": [], "fault": []}
    assert suggested == "All items normal."
