"""What every page and form of the window shares: the store, the settings, the clock.

Widgets never query the database themselves: they pass a function of a
session to :meth:`AppContext.call`, which runs it in one unit of work with the
service layer and turns a domain error (a Chinese message meant for the user)
into a :class:`~db.errors.StoreError` they show where the user is looking.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from app.errors import StoreError
from app.storage.store import Session, Store
from ui.i18n import tr
from ui.qt import QtCore, Signal
from ui.settings import Settings

if TYPE_CHECKING:
    from app.records.integrity_check import CheckReport

T = TypeVar("T")


def store_closed_message() -> str:
    return tr("数据库正在转换或恢复，请稍候再试。")


def wall_clock() -> datetime:
    return datetime.now().replace(microsecond=0)


class AppContext(QtCore.QObject):
    #: The current contract changed (its code).
    contract_changed = Signal(str)
    #: Records were created or changed; lists refresh when next shown.
    records_changed = Signal()
    #: A contract was installed (the switcher reloads).
    contracts_changed = Signal()
    #: The store is about to be closed for a conversion or a restore.
    store_closing = Signal()
    #: The store was opened again (perhaps restored, or under another key).
    store_reopened = Signal()
    #: A backup was made or restored (the backup list reloads).
    backups_changed = Signal()
    #: A whole-store integrity check finished: its report and notes (``ui.integrity``).
    integrity_checked = Signal(object, object)

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime] = wall_clock,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        #: the user asked to start again (a language change); honoured once the window closed
        self.restart_requested = False
        self.clock = clock
        self.store_closed = False  # while the store is converted or restored
        #: the engineer's saved signature once unlocked by its PIN in this run of the app
        #: (signer name → PNG): 完成并签字 signs with it (``ui.signatures.sign_with_kept``).
        #: Held in memory only, dropped when the option is turned off or the app quits.
        self.kept_signatures: dict[str, bytes] = {}
        #: the last whole-store integrity check (report, notes, when), for 设置 → 数据完整性
        #: built after it arrived
        self.last_integrity_check: tuple[CheckReport, list[str], datetime] | None = None

    # ------------------------------------------------------------------ who, when, where

    @property
    def actor(self) -> str:
        return self.settings.name or self.store.actor

    @property
    def contract(self) -> str:
        return self.settings.contract

    def set_contract(self, code: str) -> None:
        if code != self.settings.contract:
            self.settings.contract = code
            self.settings.save()
            self.contract_changed.emit(code)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()

    # ------------------------------------------------------------------ services

    def call(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one unit of work (committed on success).

        Raises :class:`db.errors.StoreError` with a message for the user on a domain error.
        """
        if self.store_closed:
            raise StoreError(store_closed_message())
        with self.store.session() as session:
            return work(session)

    def changed(self) -> None:
        self.records_changed.emit()

    # ------------------------------------------------------------------ closing and reopening

    def close_store(self) -> None:
        """Close the store (and release its lock) so it can be converted or restored."""
        self.store_closing.emit()
        self.store.close()
        self.store_closed = True

    def reopen_store(self, store: Store) -> None:
        """Continue with ``store`` (the same data folder, opened again)."""
        store.actor = self.actor
        self.store = store
        self.store_closed = False
        self.store_reopened.emit()
        self.records_changed.emit()
