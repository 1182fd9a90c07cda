"""The main window: contract switcher, navigation, pages, status bar with SLA clocks.

It also owns the open forms (one window per record) and opens them for the
pages: ``F2`` opens the service request quick entry from any window of the app.

Shortly after it is shown (:meth:`MainWindow.check_integrity_soon`) the whole
store is checked in the background; if the check finds problems, a warning
banner at the top says how many and the first, and 「查看」 opens 设置 → 数据完整性.

Closing it (or 退出, ``Ctrl+Q`` from any window of the app) closes the open forms first,
one at a time: a form with unsaved typing asks 保存草稿 / 放弃 / 取消, and 取消 stops
the quit. At start, :meth:`MainWindow.offer_restore` lists the forms a crash left open
and the drafts kept with 「保存草稿」.

Built without a store (``MainWindow()``), it is only the frame — title, toolbar,
navigation, status bar and a 今日 skeleton saying 「正在打开数据…」 — and imports
nothing but Qt and light ``ui`` modules, so it paints before SQLAlchemy, the models
and the profile schema are loaded; :meth:`MainWindow.attach` then fills in the pages.
The pages, forms and services are therefore imported where first used (issue 13).
Until then the toolbar and the pages are disabled (F2, Ctrl+F, Ctrl+Q do nothing);
Ctrl+1 … Ctrl+0 still choose the page that shows once the store is open.

Each page is imported and built when it is first shown or asked for (:class:`Pages`):
at start only 今日 (or the page chosen while the store was opening) is, so the window
holds the widgets and modules of one page, not of eleven.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from app.errors import StoreError
from ui.i18n import tr
from ui.icons import icon
from ui.layout import fit_window, heading, muted
from ui.qt import QtCore, QtGui, QtWidgets, Signal, set_by_name

if TYPE_CHECKING:
    from app.records.integrity_check import CheckReport
    from app.schedule.due import DueItem
    from ui.context import AppContext
    from ui.integrity import IntegrityBanner
    from ui.operations import Operation
    from ui.pages.base import Page
    from ui.pages.knowledge import KnowledgePage
    from ui.pages.settings import SettingsPage
    from ui.reminders import Reminders
    from ui.restore import RestoreDialog

#: How often the status bar's SLA countdowns are recomputed.
CLOCK_MS = 15_000
QUICK_REQUEST_KEY = "F2"
#: From any window of the app: the 知识库 page, its search field focused.
SEARCH_KEY = "Ctrl+F"
QUIT_KEY = "Ctrl+Q"
#: The integrity check at start waits this long after the window is shown (its first paint).
STARTUP_CHECK_MS = 800
#: The pages in navigation order (Ctrl+1 … Ctrl+9, Ctrl+0 for the tenth): module and class.
PAGE_CLASSES = {
    "today": ("ui.pages.today", "TodayPage"),
    "inspections": ("ui.pages.lists", "InspectionsPage"),
    "faults": ("ui.pages.lists", "FaultsPage"),
    "holidays": ("ui.pages.holidays", "HolidaysPage"),
    "requests": ("ui.pages.lists", "RequestsPage"),
    "meetings": ("ui.pages.lists", "MeetingsPage"),
    "deliverables": ("ui.pages.deliverables", "DeliverablesPage"),
    "review": ("ui.pages.review", "ReviewPage"),
    "team": ("ui.pages.team", "TeamPage"),
    "knowledge": ("ui.pages.knowledge", "KnowledgePage"),
    "settings": ("ui.pages.settings", "SettingsPage"),
}
PAGE_KEYS = tuple(PAGE_CLASSES)


def page_title(name: str) -> str:
    return {
        "today": tr("今日"),
        "inspections": tr("巡检"),
        "faults": tr("故障"),
        "holidays": tr("节假日保障"),
        "requests": tr("服务请求"),
        "meetings": tr("会议纪要"),
        "deliverables": tr("交付物"),
        "review": tr("复核"),
        "team": tr("团队"),
        "knowledge": tr("知识库"),
        "settings": tr("设置"),
    }[name]


class Pages(Mapping[str, "Page"]):
    """The window's pages by key, each imported and built when first asked for.

    Iterating gives every key (in navigation order); ``pages[key]`` builds that page
    if it is not yet, and ``built(key)`` tells without building it. ``on_built`` gets
    each new page (the window adds it to its stack).
    """

    def __init__(
        self, ctx: AppContext | None, opener: MainWindow, on_built: Callable[[Page], None]
    ) -> None:
        self._ctx = ctx
        self._opener = opener
        self._on_built = on_built
        self._built: dict[str, Page] = {}

    def __getitem__(self, key: str) -> Page:
        page = self._built.get(key)
        if page is None:
            if self._ctx is None or key not in PAGE_CLASSES:
                raise KeyError(key)
            module, name = PAGE_CLASSES[key]
            page = getattr(importlib.import_module(module), name)(self._ctx, self._opener)
            assert page.key == key
            page.setObjectName(f"page-{key}")
            self._built[key] = page
            self._on_built(page)
        return page

    def __iter__(self) -> Iterator[str]:
        return iter(PAGE_KEYS if self._ctx is not None else ())

    def __len__(self) -> int:
        return len(PAGE_KEYS) if self._ctx is not None else 0

    def built(self, key: str) -> bool:
        return key in self._built


class MainWindow(QtWidgets.QMainWindow):
    #: A whole-store integrity check finished (at start or from 设置): its report and notes.
    integrity_checked = Signal(object, object)
    #: The window has painted for the first time (emitted once, just after that paint).
    first_painted = Signal()
    #: set by :meth:`attach`
    ctx: AppContext
    integrity_banner: IntegrityBanner
    #: the count of what is due on 今日; :meth:`Reminders.start` also notifies (at start)
    reminders: Reminders
    #: the first paint has happened
    _painted = False

    def __init__(self, ctx: AppContext | None = None) -> None:
        """The frame; with ``ctx`` also its pages (:meth:`attach`)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(tr("运维工作台"))
        self.setWindowIcon(icon("app"))
        self.forms: dict[str, QtWidgets.QWidget] = {}
        self.pages = Pages(None, self, self._page_built)
        self.closing = False
        #: 退出 waits for the open forms (each may ask about unsaved typing first).
        self.quitting = False
        self.startup_check: Operation | None = None
        self._build_toolbar()
        self._build_frame()
        self._build_status_bar()
        self._check_timer = QtCore.QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.timeout.connect(self.start_integrity_check)
        self._usable(False)
        fit_window(self, 1366, 768)
        if ctx is not None:
            self.attach(ctx)

    @property
    def ready(self) -> bool:
        """The store is open: the pages can be shown (each is built on first use)."""
        return bool(self.pages)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QtCore.QTimer.singleShot(0, self.first_painted.emit)  # once this paint is on screen

    def attach(self, ctx: AppContext) -> None:
        """Fill the frame: the page shown on ``ctx``, the contracts, the badge; then usable."""
        from ui.integrity import IntegrityBanner
        from ui.reminders import Reminders

        self.ctx = ctx
        self.integrity_banner = IntegrityBanner()
        self.integrity_banner.view_requested.connect(self.show_integrity)
        outer = self.centralWidget().layout()
        assert isinstance(outer, QtWidgets.QVBoxLayout)
        outer.insertWidget(0, self.integrity_banner)
        self.reminders = Reminders(
            ctx, self.set_today_badge, lambda text: self.statusBar().showMessage(text, 15_000), self
        )
        self.pages = Pages(ctx, self, self._page_built)
        ctx.integrity_checked.connect(self._integrity_checked)
        ctx.records_changed.connect(self.refresh_status)
        ctx.contracts_changed.connect(self.load_contracts)
        ctx.contract_changed.connect(lambda _c: self.refresh_status())
        ctx.store_closing.connect(self._store_closing)
        ctx.store_reopened.connect(self._store_reopened)
        self.load_contracts()
        self._usable(True)
        # the page chosen while the store was opening (Ctrl+1 … Ctrl+0), 今日 if none
        self.stack.setCurrentWidget(self.pages[PAGE_KEYS[max(self.nav.currentRow(), 0)]])
        self.stack.removeWidget(self.skeleton)
        self.skeleton.deleteLater()
        self.reminders.refresh()
        self.timer.start()

    def _build_toolbar(self) -> None:
        """The contract switcher, 新服务请求 (F2, from anywhere in the app) and 新故障单."""
        toolbar = self.toolbar = self.addToolBar(tr("合同"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(QtWidgets.QLabel(" " + tr("合同：")))
        self.contracts = QtWidgets.QComboBox()
        self.contracts.setObjectName("contractSwitcher")
        self.contracts.setMinimumWidth(320)
        self.contracts.currentIndexChanged.connect(self._contract_chosen)
        toolbar.addWidget(self.contracts)
        spacer = QtWidgets.QWidget()
        spacer.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred
        )
        toolbar.addWidget(spacer)
        self.search_box = QtWidgets.QLineEdit()
        self.search_box.setObjectName("toolbarSearch")
        self.search_box.setPlaceholderText(tr("搜索… (Ctrl+F)"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaximumWidth(220)
        self.search_box.returnPressed.connect(self._search_from_toolbar)
        toolbar.addWidget(self.search_box)
        find = QtGui.QAction(tr("搜索"), self)
        find.setObjectName("findAction")
        set_by_name(find, shortcut=SEARCH_KEY, shortcutContext="ApplicationShortcut")
        find.triggered.connect(self.find)
        self.addAction(find)
        quick = QtGui.QAction(icon("request"), tr("新服务请求 (F2)"), self)
        quick.setObjectName("quickRequest")
        set_by_name(quick, shortcut=QUICK_REQUEST_KEY, shortcutContext="ApplicationShortcut")
        quick.triggered.connect(lambda: self.open_request())
        toolbar.addAction(quick)
        self.addAction(quick)
        new_fault = QtGui.QAction(icon("fault"), tr("新故障单"), self)
        new_fault.triggered.connect(lambda: self.open_fault())
        toolbar.addAction(new_fault)
        self.quit_action = QtGui.QAction(tr("退出"), self)
        self.quit_action.setObjectName("quitAction")
        self.quit_action.setToolTip(tr("退出 ({key})").format(key=QUIT_KEY))
        set_by_name(self.quit_action, shortcut=QUIT_KEY, shortcutContext="ApplicationShortcut")
        self.quit_action.triggered.connect(self.close)
        toolbar.addAction(self.quit_action)
        self.addAction(self.quit_action)
        set_by_name(toolbar, toolButtonStyle="ToolButtonTextBesideIcon")

    def _build_frame(self) -> None:
        """The navigation list and, until :meth:`attach`, the 今日 skeleton beside it.

        Pages are also reached with Ctrl+1 … Ctrl+9 and Ctrl+0 (the tenth).
        """
        central = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        layout = QtWidgets.QHBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout, 1)
        self.nav = QtWidgets.QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QtCore.QSize(22, 22))
        self.nav.setStyleSheet(
            "QListWidget#navigation{background:#263238;color:#eceff1;border:none;font-size:14px;}"
            "QListWidget#navigation::item{padding:10px 8px;}"
            "QListWidget#navigation::item:selected{background:#1a73e8;color:white;}"
        )
        for n, name in enumerate(PAGE_KEYS):
            item = QtWidgets.QListWidgetItem(icon(name), page_title(name))
            self.nav.addItem(item)
            if n < 10:
                shortcut = QtGui.QShortcut(QtGui.QKeySequence(f"Ctrl+{(n + 1) % 10}"), self)
                shortcut.activated.connect(lambda name=name: self.show_page(name))
        self.nav.setCurrentRow(0)
        self.stack = QtWidgets.QStackedWidget()
        self.skeleton = QtWidgets.QWidget()
        self.skeleton.setObjectName("page-loading")
        skeleton = QtWidgets.QVBoxLayout(self.skeleton)
        skeleton.addWidget(heading(tr("今日")))
        skeleton.addWidget(muted(tr("正在打开数据…")))
        skeleton.addStretch(1)
        self.stack.addWidget(self.skeleton)
        self.nav.currentRowChanged.connect(self._page_chosen)
        self._fit_navigation()
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _page_built(self, page: Page) -> None:
        """A page built on first use joins the stack (and 设置 tells the reminders)."""
        self.stack.addWidget(page)
        if page.key == "settings":
            from ui.pages.settings import SettingsPage

            assert isinstance(page, SettingsPage)
            page.reminder_changed.connect(self.reminders.schedule)

    def _page_chosen(self, row: int) -> None:
        if self.ready:
            self.stack.setCurrentWidget(self.pages[PAGE_KEYS[row]])

    def _build_status_bar(self) -> None:
        """The clocks of open faults (a link opens the fault), the user's name and role.

        Refreshed every :data:`CLOCK_MS` and when records change.
        """
        status = self.statusBar()
        self.clocks = QtWidgets.QLabel()
        self.clocks.setObjectName("faultClocks")
        set_by_name(self.clocks, textFormat="RichText")
        self.clocks.linkActivated.connect(lambda fault_id: self.open_fault(fault_id))
        status.addWidget(self.clocks, 1)
        # a message (a reminder, a confirmation) shows alone, not over the clocks
        status.messageChanged.connect(lambda text: self.clocks.setVisible(not text))
        self.who = QtWidgets.QLabel()
        status.addPermanentWidget(self.who)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(CLOCK_MS)
        self.timer.timeout.connect(self.refresh_status)  # started by :meth:`attach`

    # ------------------------------------------------------------------ contracts & status

    def load_contracts(self) -> None:
        from app.contracts.registry import list_contracts

        contracts = self.ctx.call(lambda s: [(c.code, c.name) for c in list_contracts(s)])
        self.contracts.blockSignals(True)
        self.contracts.clear()
        for code, name in contracts:
            self.contracts.addItem(f"{name}（{code}）", code)
        self.contracts.blockSignals(False)
        codes = [code for code, _ in contracts]
        current = self.ctx.contract if self.ctx.contract in codes else (codes[0] if codes else "")
        self.contracts.setCurrentIndex(max(self.contracts.findData(current), 0))
        if current != self.ctx.contract:
            self.ctx.set_contract(current)
        self.refresh_status()

    def _contract_chosen(self, index: int) -> None:
        code = self.contracts.itemData(index)
        if code:
            self.ctx.set_contract(str(code))

    def refresh_status(self) -> None:
        from app.records import listings
        from ui.forms.common import countdown

        self.who.setText(
            tr("{name}（{role}）").format(name=self.ctx.actor, role=self.ctx.settings.role or "—")
        )
        if not self.ctx.contract:
            self.clocks.setText("")
            return
        clocks = self.ctx.call(
            lambda s: listings.open_fault_clocks(s, self.ctx.contract, self.ctx.now())
        )
        if not clocks:
            self.clocks.setText(tr("无未关闭的故障"))
            return
        parts = []
        for clock in clocks[:4]:
            colour = "#c62828" if clock.overdue else "#1565c0"
            when = f" {tr(clock.step)} {countdown(clock.remaining_minutes)}" if clock.step else ""
            parts.append(
                f'<a href="{clock.fault_id}" style="color:{colour};text-decoration:none;">'
                f"{clock.number}{when}</a>"
            )
        more = len(clocks) - 4
        self.clocks.setText(
            tr("未关闭故障 {n}：").format(n=len(clocks))
            + " ｜ ".join(parts)
            + (tr(" 等 {n} 条").format(n=more) if more > 0 else "")
        )

    def find(self) -> None:
        """Ctrl+F: the 知识库 page in front, ready to type a search (once the store is open)."""
        if not self.ready:
            return
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        self.show_page("knowledge")
        cast("KnowledgePage", self.pages["knowledge"]).focus_search()

    def _search_from_toolbar(self) -> None:
        page = cast("KnowledgePage", self.pages["knowledge"])
        self.show_page("knowledge")
        page.query.setText(self.search_box.text())
        page.focus_search()
        page.run_search()

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(PAGE_KEYS.index(name))

    def _fit_navigation(self) -> None:
        """As wide as the longest page title (「Service requests」 in English), 150 px at least."""
        self.nav.ensurePolished()
        metrics = self.nav.fontMetrics()
        longest = max(
            metrics.horizontalAdvance(self.nav.item(n).text()) for n in range(self.nav.count())
        )
        # icon, the item padding (8 px a side), icon spacing, frame and a margin
        self.nav.setFixedWidth(max(150, longest + self.nav.iconSize().width() + 44))

    def set_today_badge(self, count: int) -> None:
        """今日 with the count of what is due today and overdue (``今日 (12)``)."""
        item = self.nav.item(PAGE_KEYS.index("today"))
        title = page_title("today")
        item.setText(tr("{page} ({n})").format(page=title, n=count) if count else title)
        item.setToolTip(tr("今日待办和已逾期事项：{n}").format(n=count) if count else "")

    # ------------------------------------------------------------------ data integrity

    def check_integrity_soon(self, delay_ms: int = STARTUP_CHECK_MS) -> None:
        """Check the store in the background once the window has painted (at start)."""
        self._check_timer.start(delay_ms)

    def start_integrity_check(self) -> Operation | None:
        """The whole-store check off the GUI thread; its result arrives by ``integrity_checked``."""
        from ui.integrity import start_check

        if self.closing or self.ctx.store_closed:
            return None
        operation = start_check(self.ctx, (), self)
        operation.failed.connect(
            lambda message: self.statusBar().showMessage(
                tr("数据完整性检查未能完成：{m}").format(m=message), 15_000
            )
        )
        operation.done.connect(lambda: setattr(self, "startup_check", None))
        self.startup_check = operation
        return operation

    def _integrity_checked(self, report: CheckReport, notes: list[str]) -> None:
        if self.closing:
            return
        self.integrity_banner.show_report(report)
        self.integrity_checked.emit(report, notes)

    def show_integrity(self) -> None:
        """设置 → 数据完整性 with the result of the last check."""
        self.show_page("settings")
        cast("SettingsPage", self.pages["settings"]).show_integrity()

    def bring_to_front(self) -> None:
        """Another launch on this data folder asked for this window (or its open dialog)."""
        target = QtWidgets.QApplication.activeModalWidget() or self
        if target.isMinimized():
            target.showNormal()
        target.show()
        target.raise_()
        target.activateWindow()
        QtWidgets.QApplication.alert(target)
        self.statusBar().showMessage(tr("运维工作台已在运行，这是已打开的窗口。"), 10_000)

    # ------------------------------------------------------------------ closing the store

    def store_busy_reason(self) -> str:
        """Why the store cannot be closed for a conversion or restore now ("" if it can)."""
        if self.forms:
            return tr("请先关闭打开的表单（{n} 个），再进行此操作。").format(n=len(self.forms))
        from ui.operations import Operation

        if Operation.any_running():
            return tr("请等待正在进行的操作（导出、备份等）完成后再试。")
        return ""

    def _store_closing(self) -> None:
        self.timer.stop()
        self._usable(False)

    def _store_reopened(self) -> None:
        self._usable(True)
        self.timer.start()
        self.load_contracts()

    def _usable(self, enabled: bool) -> None:
        """Nothing that reads or writes the store can be started while it is closed."""
        self.centralWidget().setEnabled(enabled)
        self.toolbar.setEnabled(enabled)
        for action in self.toolbar.actions():
            action.setEnabled(enabled)

    # ------------------------------------------------------------------ forms

    def _show_form(self, key: str, form: QtWidgets.QWidget) -> None:
        self.forms[key] = form
        form.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        form.destroyed.connect(lambda _o=None, k=key: self.forms.pop(k, None))
        form.closed.connect(lambda _id, k=key: self._form_closed(k))
        form.close_guard.cancelled.connect(self._quit_cancelled)
        form.show()
        form.raise_()
        form.activateWindow()

    def _existing(self, key: str) -> bool:
        form = self.forms.get(key)
        if form is None:
            return False
        form.show()
        form.raise_()
        form.activateWindow()
        return True

    def open_run(self, run_id: str, restore: dict[str, Any] | None = None) -> None:
        from ui.forms.checklist import ChecklistForm

        key = f"inspection_run:{run_id}"
        if self._existing(key):
            return
        form = ChecklistForm(self.ctx, run_id, restore, self)
        form.fault_opened.connect(lambda fault_id: self.open_fault(fault_id))
        form.amended.connect(lambda new_id: self.open_run(new_id))
        self._show_form(key, form)

    def open_fault(
        self,
        fault_id: str | None = None,
        prefill: dict[str, Any] | None = None,
        restore: dict[str, Any] | None = None,
        form_key: str | None = None,
    ) -> None:
        from ui.forms.fault import FaultForm

        key = form_key or (f"fault_record:{fault_id}" if fault_id else "")
        if key and self._existing(key):
            return
        form = FaultForm(
            self.ctx, fault_id, prefill=prefill, restore=restore, form_key=form_key, parent=self
        )
        form.amended.connect(lambda new_id: self.open_fault(new_id))
        self._show_form(key or form.saver.form_key, form)

    def open_request(
        self,
        req_id: str | None = None,
        restore: dict[str, Any] | None = None,
        form_key: str | None = None,
    ) -> None:
        from ui.forms.request import RequestForm

        key = form_key or (f"service_request:{req_id}" if req_id else "")
        if key and self._existing(key):
            return
        form = RequestForm(self.ctx, req_id, restore=restore, form_key=form_key, parent=self)
        form.fault_opened.connect(lambda fault_id: self.open_fault(fault_id))
        form.amended.connect(lambda new_id: self.open_request(new_id))
        self._show_form(key or form.saver.form_key, form)

    def open_meeting(
        self,
        meeting_id: str | None = None,
        restore: dict[str, Any] | None = None,
        form_key: str | None = None,
    ) -> None:
        from ui.forms.meeting import MeetingForm

        key = form_key or (f"meeting_minutes:{meeting_id}" if meeting_id else "")
        if key and self._existing(key):
            return
        form = MeetingForm(self.ctx, meeting_id, restore=restore, form_key=form_key, parent=self)
        form.amended.connect(lambda new_id: self.open_meeting(new_id))
        self._show_form(key or form.saver.form_key, form)

    def open_due(self, item: DueItem) -> None:
        if item.kind == "deliverable":
            self.show_page("deliverables")
            return
        if item.run_id is not None:
            self.open_run(item.run_id)
            return
        assert item.template_id is not None
        try:
            self.open_occurrence(
                item.code,
                window_start=item.window_start,
                deadline=item.deadline,
                system_code=item.system_code,
                holiday_period_id=item.holiday_period_id,
            )
        except StoreError as exc:
            self.statusBar().showMessage(exc.message, 10_000)

    def open_occurrence(
        self,
        template_code: str,
        *,
        window_start: date,
        deadline: date,
        system_code: str | None,
        holiday_period_id: str | None,
    ) -> None:
        """Open the run of a due checklist occurrence, started now by the user if there is none.

        Raises :class:`StoreError` (nothing opened) if the run cannot be had.
        """
        from app.records import checklist_view

        run_id = self.ctx.call(
            lambda s: (
                checklist_view.run_for_occurrence(
                    s,
                    self.ctx.contract,
                    template_code,
                    window_start=window_start,
                    deadline=deadline,
                    today=self.ctx.today(),
                    inspector=self.ctx.actor,
                    system_code=system_code,
                    holiday_period_id=holiday_period_id,
                ).id
            )
        )
        self.ctx.changed()
        self.open_run(run_id)

    # ------------------------------------------------------------------ drafts

    def offer_restore(self) -> RestoreDialog | None:
        """After a crash: offer every form that was open, to restore it as it was."""
        from app.records import drafts
        from ui.drafts import KEPT, OPEN
        from ui.restore import RestoreDialog

        def unfinished(session: Any) -> list[tuple[drafts.DraftInfo, dict[str, Any]]]:
            found = []
            for info in drafts.open_drafts(session):
                values = drafts.load(session, info.form_key)
                if values.get(OPEN) or values.get(KEPT):
                    found.append((info, values))
            return found

        forms = self.ctx.call(unfinished)
        if not forms:
            return None
        dialog = RestoreDialog(self.ctx, forms, self)
        dialog.restore.connect(self.restore_form)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def restore_form(self, form_key: str, values: dict[str, Any]) -> None:
        kind, _, rest = form_key.partition(":")
        record_id = None if rest.startswith("new:") else rest
        if kind == "inspection_run" and record_id:
            self.open_run(record_id, values)
        elif kind == "fault_record":
            self.open_fault(record_id, restore=values, form_key=form_key)
        elif kind == "service_request":
            self.open_request(record_id, restore=values, form_key=form_key)
        elif kind == "meeting_minutes":
            self.open_meeting(record_id, restore=values, form_key=form_key)

    def _form_closed(self, key: str) -> None:
        self.forms.pop(key, None)
        if self.quitting:  # the form answered 保存草稿/放弃: on to the next one
            QtCore.QTimer.singleShot(0, self.close)

    def _quit_cancelled(self) -> None:
        self.quitting = False

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if self.ready and self.ctx.store_closed:  # a conversion or restore: let it finish
            self.statusBar().showMessage(tr("数据库正在转换或恢复，请稍候再关闭。"), 10_000)
            event.ignore()
            return
        for form in list(self.forms.values()):
            if not form.close():  # it asks about unsaved typing: wait for the answer
                self.quitting = True
                event.ignore()
                return
        self.quitting = False
        self.closing = True
        self.timer.stop()
        self._check_timer.stop()
        from ui.operations import Operation

        Operation.cancel_all()  # waits for the workers: a running check's child is ended
        super().closeEvent(event)
