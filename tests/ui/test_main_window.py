"""The main window: first start, navigation, contract switcher, holiday duty, deliverables."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.contracts.registry import list_contracts
from app.records import drafts, listings
from app.storage.store import Store
from tests.ui.conftest import NOW, Keyboard, activate, top_level, wait_window
from ui.context import AppContext
from ui.first_start import FirstStartDialog, needs_first_start
from ui.forms.checklist import ChecklistForm
from ui.forms.fault import FaultForm
from ui.forms.request import RequestForm
from ui.main_window import PAGE_KEYS, MainWindow
from ui.operations import StatusProgress
from ui.pages.deliverables import DeliverablesPage
from ui.pages.holidays import HolidaysPage
from ui.pages.today import TodayPage
from ui.restore import RestoreDialog
from ui.settings import Settings
from ui.startup import open_window
from ui.submit_dialog import SubmitDialog
from ui.widgets import to_qdate


def show_main(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    activate(qtbot, window)
    return window


def fresh_ctx(store: Store) -> AppContext:
    return AppContext(store, Settings.load(store.folder), clock=lambda: NOW)


def test_first_start_sets_the_identity_installs_contracts_and_makes_demo_data(
    qtbot: QtBot, store: Store
) -> None:
    ctx = fresh_ctx(store)
    assert needs_first_start(ctx)

    def fill() -> None:
        dialog = top_level(FirstStartDialog)
        assert isinstance(dialog, FirstStartDialog)
        assert dialog.contracts.count() == 2
        dialog.name.setCurrentText("王五")
        dialog.role.setCurrentText("项目经理")
        dialog.contracts.item(1).setCheckState(Qt.CheckState.Unchecked)  # portal-om
        assert "不与真实记录交换" in dialog.demo.text()  # such a folder keeps apart from real work
        dialog.demo.setChecked(True)
        dialog.months.setValue(1)
        qtbot.mouseClick(dialog.findChild(object, "startButton"), Qt.MouseButton.LeftButton)  # type: ignore[arg-type]

    QTimer.singleShot(0, fill)
    window = open_window(ctx)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert (ctx.settings.name, ctx.settings.role, ctx.settings.contract) == (
        "王五",
        "项目经理",
        "internet-om",
    )
    assert Settings.load(store.folder).name == "王五" and store.actor == "王五"
    assert ctx.call(lambda s: [c.code for c in list_contracts(s)]) == ["internet-om"]
    # generated in the background: progress in the status bar, no dialog blocks the window
    progress = window.statusBar().findChild(StatusProgress)
    assert isinstance(progress, StatusProgress) and progress.cancel_button.isEnabled()
    assert QApplication.activeModalWidget() is None
    qtbot.waitUntil(lambda: "演示数据已生成" in window.statusBar().currentMessage(), timeout=30_000)
    qtbot.waitUntil(lambda: window.statusBar().findChild(StatusProgress) is None)
    assert ctx.call(lambda s: len(listings.run_rows(s, "internet-om"))) > 10
    assert not needs_first_start(ctx)
    window.close()


def test_first_start_can_begin_the_records_today(qtbot: QtBot, store: Store) -> None:
    """A contract in its eleventh month, the app new: no months of 已逾期 on day one."""
    from app.contracts.registry import get_contract
    from app.contracts.snapshot import schedule_parts
    from app.contracts.versions import current_number

    ctx = fresh_ctx(store)  # 2026-11-20: internet-om began 2026-01-20, portal-om 2026-03-01

    def fill() -> None:
        dialog = top_level(FirstStartDialog)
        assert isinstance(dialog, FirstStartDialog)
        assert dialog.midway == ["internet-om", "portal-om"]
        box = dialog.from_today
        assert box.isVisible() and not box.isChecked()  # offered, never assumed
        assert box.text() == "本应用从今天（2026-11-20）开始记录 internet-om、portal-om"
        dialog.demo.setChecked(True)  # demo data fills the earlier months: not both
        assert not box.isEnabled()
        dialog.demo.setChecked(False)
        box.setChecked(True)
        dialog.name.setCurrentText("赵六")
        dialog.contracts.item(1).setCheckState(Qt.CheckState.Unchecked)  # portal-om
        assert dialog.records_from_today() == ["internet-om"]
        qtbot.mouseClick(dialog.findChild(object, "startButton"), Qt.MouseButton.LeftButton)  # type: ignore[arg-type]

    QTimer.singleShot(0, fill)
    window = open_window(ctx)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)

    def declared(s) -> tuple[object, int, bool]:
        contract = get_contract(s, "internet-om")
        parts = schedule_parts(contract.profile)
        return parts.records_from, current_number(s, contract), contract.builtin

    # installed with it (version 1, no row: still gives way to a PM's contract), the user's own
    assert ctx.call(declared) == (NOW.date(), 1, False)
    today = window.pages["today"]
    assert isinstance(today, TodayPage)
    today.refresh()
    assert today.report.items and all(i.state != "overdue" for i in today.report.items)
    assert not today.handed_in_hint.isVisible()
    window.show_page("settings")
    settings = window.pages["settings"]
    assert "internet-om：启用日期 2026-11-20" in settings.records_from_state.text()  # type: ignore[attr-defined]
    window.close()


def test_first_start_offers_it_only_for_contracts_well_under_way(
    qtbot: QtBot, store: Store
) -> None:
    from datetime import datetime

    def dialog_on(day: datetime) -> FirstStartDialog:
        dialog = FirstStartDialog(AppContext(store, Settings.load(store.folder), clock=lambda: day))
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    march = dialog_on(datetime(2026, 3, 10, 9))
    assert march.midway == ["internet-om"]  # portal-om began 9 days ago
    march.contracts.item(0).setCheckState(Qt.CheckState.Unchecked)
    march.from_today.setChecked(True)
    assert march.records_from_today() == []
    january = dialog_on(datetime(2026, 1, 25, 9))
    assert january.midway == [] and not january.from_today.isVisible()


def test_navigation_by_keyboard_and_the_contract_switcher(
    qtbot: QtBot, builtin_ctx: AppContext, keyboard: Keyboard
) -> None:
    window = show_main(qtbot, builtin_ctx)
    # only the page shown is built; each other one when it is first shown
    assert [key for key in PAGE_KEYS if window.pages.built(key)] == ["today"]
    today = window.pages["today"]
    assert isinstance(today, TodayPage)
    assert "互联网系统运维服务项目" in today.title.text()
    assert window.nav.count() == 11 and window.nav.item(3).text() == "节假日保障"
    window.nav.setFocus()
    keyboard.press(Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert [key for key in PAGE_KEYS if window.pages.built(key)] == ["today", "requests"]
    assert window.stack.currentWidget() is window.pages["requests"]
    assert window.stack.count() == 2
    switcher = window.contracts
    switcher.setCurrentIndex(switcher.findData("portal-om"))
    assert builtin_ctx.contract == "portal-om"
    assert Settings.load(builtin_ctx.store.folder).contract == "portal-om"
    window.show_page("today")
    qtbot.waitUntil(lambda: "门户应用运维服务项目" in today.title.text())
    window.close()


def test_the_frame_paints_before_the_store_is_open_and_keys_wait_for_it(
    qtbot: QtBot, builtin_ctx: AppContext
) -> None:
    """Until :meth:`MainWindow.attach`: 「正在打开数据…」, F2 and Ctrl+F do nothing, and the
    page chosen with Ctrl+3 is the one shown once the store is open."""
    window = MainWindow()
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_painted):
        window.show()
    assert not window.ready and window.nav.count() == 11
    skeleton = [label.text() for label in window.stack.currentWidget().findChildren(QLabel)]
    assert skeleton == ["今日", "正在打开数据…"]
    quick = window.findChild(QAction, "quickRequest")
    assert isinstance(quick, QAction) and not quick.isEnabled()
    QTest.keyClick(window, Qt.Key.Key_F2)
    window.find()  # Ctrl+F (the shortcut is the whole app's: another test's window may have one)
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.forms == {} and QApplication.topLevelWidgets().count(window) == 1
    window.attach(builtin_ctx)
    assert window.ready and quick.isEnabled()
    assert window.stack.currentWidget() is window.pages["faults"]
    assert window.contracts.currentData() == "internet-om"
    QTest.keyClick(window, Qt.Key.Key_F2)  # now it opens the quick entry
    qtbot.waitUntil(lambda: any(isinstance(f, RequestForm) for f in window.forms.values()))
    window.close()


def test_holiday_duty_daily_sheets_and_emergency_events(
    qtbot: QtBot, builtin_ctx: AppContext, keyboard: Keyboard
) -> None:
    window = show_main(qtbot, builtin_ctx)
    window.show_page("holidays")
    page = window.pages["holidays"]
    assert isinstance(page, HolidaysPage)
    names = [page.periods.item(n).text().split("\n")[0] for n in range(page.periods.count())]
    assert "国庆节" in names and "春节" in names
    page.periods.setCurrentRow(names.index("国庆节"))
    board = page.board
    assert board is not None and board.phases.start == date(2026, 10, 1)
    assert "节前" in page.phase_labels["holiday_pre"].text()
    assert "10-01 ~ 10-07" in page.phase_labels["holiday_daily"].text()
    days = [page.sheets.row_at(n) for n in range(page.sheets.rowCount())]
    assert [r.phase for r in days].count("节日期间") == 7

    third = next(n for n, r in enumerate(days) if r.day == "2026-10-03")
    page.sheet_table.setFocus()
    page.sheet_table.setCurrentIndex(page.sheets.index(third, 0))
    keyboard.enter()
    form = wait_window(qtbot, ChecklistForm)
    assert form.run.period == "国庆节 节日期间 2026-10-03"
    assert form.run.cadence == "holiday_daily"
    form.close()

    action = page.findChild(object, "emergency-page_tamper")
    action.trigger()  # type: ignore[union-attr]
    fault = wait_window(qtbot, FaultForm)
    assert fault.choices["emergency_type"].currentData() == "page_tamper"
    assert fault.lines["title"].text() == "国庆节 网页篡改"
    qtbot.mouseClick(fault.save_button, Qt.MouseButton.LeftButton)
    assert not fault.is_new
    fault.close()
    activate_page = window.pages["holidays"]
    activate_page.refresh()
    events = [page.events.row_at(n) for n in range(page.events.rowCount())]
    assert [(e.emergency, e.title) for e in events] == [("网页篡改", "国庆节 网页篡改")]
    window.close()


def test_deliverables_show_due_dates_and_are_marked_handed_in(
    qtbot: QtBot, builtin_ctx: AppContext
) -> None:
    window = show_main(qtbot, builtin_ctx)
    window.show_page("deliverables")
    page = window.pages["deliverables"]
    assert isinstance(page, DeliverablesPage)
    rows = [page.model.row_at(n) for n in range(page.model.rowCount())]
    assert rows and all(r.code != "done" for r in rows)
    monthly = next(n for n, r in enumerate(rows) if r.name == "月度分析报告")
    assert rows[monthly].rule == "次月第5个工作日"
    page.table.setCurrentIndex(page.model.index(monthly, 0))
    dialog = page.mark_submitted()  # what 登记已提交 opens: asks the date first
    assert isinstance(dialog, SubmitDialog) and dialog.date.date() == to_qdate(NOW.date())
    dialog.accept()
    assert "已登记提交" in page.banner.text()
    page.state.setCurrentIndex(page.state.findData("done"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.row_at(0).submitted == "已提交 2026-11-20（逾期）"  # after its due date
    # several at once, each on its own due date: the months before the app was used
    page.state.setCurrentIndex(page.state.findData("overdue"))
    overdue = [page.model.row_at(n) for n in range(page.model.rowCount())]
    assert len(overdue) >= 3
    table = page.table
    table.selectRow(0)
    for n in (1, 2):
        table.selectionModel().select(
            page.model.index(n, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    chosen = page.selected_items()
    assert [d.due_date for d in chosen] == [r.due_date for r in overdue[:3]]
    dialog = page.mark_submitted()
    assert isinstance(dialog, SubmitDialog)
    dialog.on_due.setChecked(True)
    assert not dialog.date.isEnabled()
    dialog.accept()
    assert "已登记提交 3 项交付物" in page.banner.text()
    page.state.setCurrentIndex(page.state.findData("done"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    done = [page.model.row_at(n).submitted for n in range(4)]
    for item in chosen:
        assert f"已提交 {item.due_date:%Y-%m-%d}（按截止日期登记）" in done
    window.close()


def test_today_says_how_to_register_deliverables_handed_in_before_the_app(
    qtbot: QtBot, builtin_ctx: AppContext
) -> None:
    """A store taken up in November lists months of deliverables as 已逾期."""
    from app.schedule.deadlines import deadlines, mark_all_submitted

    window = show_main(qtbot, builtin_ctx)
    page = window.pages["today"]
    assert isinstance(page, TodayPage)
    page.refresh()
    late = [i for i in page.report.items if i.kind == "deliverable" and i.state == "overdue"]
    assert len(late) >= 5
    assert page.handed_in_hint.isVisible()
    assert f"有 {len(late)} 项交付物已逾期" in page.handed_in_hint.text()
    assert "「启用日期…」" in page.handed_in_hint.text()  # the setting that ends them for good
    contract = builtin_ctx.contract

    def register(s) -> int:
        items = [d for d in deadlines(s, contract, today=NOW.date()) if d.state == "overdue"]
        return mark_all_submitted(s, contract, items, None)

    assert builtin_ctx.call(register) == len(late)
    page.refresh()
    assert not page.handed_in_hint.isVisible()
    window.close()


def test_deliverables_due_before_the_start_date_are_not_overdue(
    qtbot: QtBot, builtin_ctx: AppContext
) -> None:
    """The 启用日期 set in 设置: what was due before it is 「启用前」, not open work."""
    from ui.pages.settings import SettingsPage
    from ui.records_from_dialog import RecordsFromDialog

    begins = date(2026, 11, 2)
    window = show_main(qtbot, builtin_ctx)
    window.show_page("settings")
    settings = window.pages["settings"]
    assert isinstance(settings, SettingsPage)
    state = settings.records_from_state
    assert state.text() == "internet-om：自合同期开始（2026-01-20）统计。"
    # importing a contract months after its start points to 「启用日期…」
    import yaml

    from app.contracts.profiles import builtin_profile_paths, read_profile_data

    data = read_profile_data(next(p for p in builtin_profile_paths() if p.stem == "internet-om"))
    data["contract_no"] = "HLW-2026-正式"
    revised = builtin_ctx.store.folder / "internet-om.yaml"
    revised.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings._install(str(revised))
    assert settings.banner.text() == (
        "已导入合同 internet-om。合同期自 2026-01-20 开始。若本应用从近日才开始记录合同 "
        "internet-om，可在该合同下点「启用日期…」设置，此前未记录的不计为未完成或逾期。"
    )
    builtin_ctx.store_closed = True  # being encrypted or restored: said, nothing raised
    settings.refresh()
    assert settings.edit_records_from() is None
    assert "数据库正在转换或恢复" in settings.banner.text()
    builtin_ctx.store_closed = False
    dialog = settings.edit_records_from()
    assert isinstance(dialog, RecordsFromDialog)
    assert not dialog.declared.isChecked() and not dialog.date.isEnabled()
    assert (dialog.date.minimumDate(), dialog.date.maximumDate()) == (
        to_qdate(date(2026, 1, 20)),
        to_qdate(date(2026, 12, 20)),
    )
    dialog.declared.setChecked(True)
    dialog.date.setDate(to_qdate(begins))
    dialog.accept()
    assert "启用日期已设为 2026-11-02" in settings.banner.text()
    assert state.text() == "internet-om：启用日期 2026-11-02，此前未记录的不计为未完成或逾期。"
    today = window.pages["today"]
    assert isinstance(today, TodayPage)
    today.refresh()
    assert today.report.items and min(i.deadline for i in today.report.items) >= begins
    assert not today.handed_in_hint.isVisible()
    window.show_page("deliverables")
    page = window.pages["deliverables"]
    assert isinstance(page, DeliverablesPage)
    rows = [page.model.row_at(n) for n in range(page.model.rowCount())]  # 未完成
    assert rows and min(r.due_date for r in rows) >= begins
    page.state.setCurrentIndex(page.state.findData("before_start"))
    early = [page.model.row_at(n) for n in range(page.model.rowCount())]
    assert len(early) >= 5 and all(r.due_date < begins for r in early)
    assert {r.state for r in early} == {"启用前"}
    # a 启用日期 still to come: 今日 says why nothing earlier is listed
    from app.contracts.profiles import set_records_from
    from app.contracts.registry import get_contract

    later = date(2026, 11, 25)
    builtin_ctx.call(lambda s: set_records_from(s, get_contract(s, "internet-om"), later))
    today.refresh()
    assert "本合同在本应用中自 2026-11-25 启用（启用日期），此前到期的事项不列出。" in (
        today.holiday.text()
    )
    window.close()


def test_unfinished_forms_are_offered_for_restoring(
    qtbot: QtBot, ctx: AppContext, keyboard: Keyboard
) -> None:
    ctx.call(
        lambda s: [
            drafts.save_field(s, "service_request:new:abc", "service_request", k, v)
            for k, v in (
                ("_open", True),
                ("received_at", "2026-11-20T09:58:00"),
                ("caller_unit", "某区分局"),
                ("description", "无法登录"),
            )
        ]
    )
    ctx.call(
        lambda s: drafts.save_field(s, "fault_record:new:closed", "fault_record", "title", "x")
    )
    window = show_main(qtbot, ctx)
    dialog = window.offer_restore()
    assert isinstance(dialog, RestoreDialog) and dialog.list.count() == 1  # only forms left open
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    form = wait_window(qtbot, RequestForm)
    assert form.lines["caller_unit"].text() == "某区分局"
    assert form.texts["description"].toPlainText() == "无法登录"
    assert form.received_at.isoformat() == "2026-11-20T09:58:00"
    assert form.saver.form_key == "service_request:new:abc"
    assert QApplication.activeWindow() is form
    window.close()


def test_a_start_without_built_in_profiles_says_so_and_exits(
    isolated_dirs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    """An incomplete install: the first start cannot offer contracts; a message, no traceback."""
    from app.storage import paths
    from ui import main as ui_main

    incomplete = tmp_path / "resources"  # everything but the profiles
    shutil.copytree(
        paths.resources_root(),
        incomplete,
        ignore=lambda folder, names: names if Path(folder).name == "profiles" else [],
    )
    monkeypatch.setattr(paths, "resources_root", lambda: incomplete)
    shown: list[str] = []
    monkeypatch.setattr(
        ui_main.QtWidgets.QMessageBox, "critical", lambda _p, _t, text: shown.append(text)
    )
    assert ui_main.run(isolated_dirs, "张工") == 2
    assert len(shown) == 1 and "找不到内置合同档案" in shown[0]
