"""Deterministic, realistic demo records with invented people (``omw demo``, ``init --demo``).

:func:`generate` fills the store with ``months`` months of a contract's daily
work, ending at ``until``: inspection runs of every checklist when it is due,
faults with SLA clocks, phone/remote/on-site service requests, holiday duty,
signatures, monthly meeting minutes (例会会议纪要, for contracts that deliver them),
an amendment and deliverable hand-ins. It is what the first app
start offers and what benchmarks use.

Everything is invented: the team comes from a fixed pool of made-up names
(陈思远, 刘晓峰 …), callers are 办公室/信息中心/某区分局/某某科技有限公司/市民 …,
phone numbers are of the obviously fake form ``010-0000-xxxx`` (or empty) and
URLs point to ``*.example.gov.local``.

Rules
-----
- **Period**: the ``months`` calendar months ending with the month of
  ``until``, from the 1st of the first month to ``until`` itself. ``until``
  defaults to today clipped to the contract period. Records may precede the
  contract start when ``months`` is large (benchmarks use several years); only
  the holiday periods of the contract (synchronised first) get holiday checks.
- **Clock**: "now" is ``until`` at 10:00 (:data:`AS_OF_TIME`); every time
  written is at or before it and is passed explicitly to the services, so
  nothing depends on the machine clock. On ``until`` itself the runs begun
  that morning are drafts and the rest are not started; on the day before,
  one daily run is left in progress. Faults and requests still running at
  "now" stay open; the reviewer's signature that would come later is missing.
- **Determinism**: every random choice comes from ``random.Random`` seeded
  with (seed, contract, what, period) — never with a record id — so the same
  (contract, months, seed, until) gives the same records, and a day's runs or
  a month's requests do not depend on how many months are generated. Record
  ids stay random UUIDs.
- **Idempotence**: a run is skipped when the template already has one for the
  period (and system), like :func:`app.records.inspections.existing_run`.
  Faults and service requests are generated per calendar month: a month in
  which the contract already has any fault or service request (demo or not)
  is left alone, so a second call never duplicates them and demo records are
  never mixed into a month with real ones. A deliverable occurrence that
  already has a submission is skipped; the amendment is made only when the
  contract has no amended run yet.
- **Signatures**: every completed run is signed by its 运维人员; monthly and
  longer cadences also by the 复核人 (project manager) on the next working
  day. Closed faults are signed by the handler and the reviewer; completed
  on-site requests by the engineer and the person on site (甲方确认). Where
  the contract requires review (``review_required``, e.g. ``portal-om``) the
  project manager also countersigns the routine daily checks (first thing the
  next working day), the on-site requests and the amended run, so a month
  pack needs no ``--allow-unreviewed``; what the last working day brought
  still waits in the 复核 queue at "now".
- **Speed**: runs, item results, service requests and faults are plain objects
  (:mod:`app.demo.rows`) built with the services' pure helpers for thresholds,
  pair checks, notes, URL checks, conclusions, fault titles and checks of a
  fault's times, and written in bulk (:class:`app.demo.writer.BulkWriter`): a
  month's runs and their results, its calls, its faults (each opened, then its
  report saved) and their signatures a table at a time
  (:func:`app.storage.bulk.insert_rows`), with the stamps, audit entries,
  content hashes, seals, locks the services would have made, and the search
  documents in one pass a month (``bulk=False`` makes them through the
  services: ``tests/test_demo_bulk.py`` compares the two).
  Meeting minutes, articles, the amendment and submissions go through the
  services. One commit per month.
"""

from __future__ import annotations

import gc
import random
import threading
import time as wallclock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.profiles import load_builtin_profiles
from app.contracts.registry import get_contract, install_profile, profile_of
from app.demo.articles import ArticlesPart
from app.demo.faults import FaultsPart
from app.demo.inspections import InspectionsPart
from app.demo.meetings import MeetingsPart
from app.demo.people import CLIENT_NAMES, Person, fake_phone, team_of
from app.demo.requests import RequestsPart
from app.demo.rows import RunRow
from app.demo.shared import AS_OF_TIME, Month, month_bounds, series_rng
from app.demo.signatures import SignaturesPart
from app.demo.stats import DemoStats
from app.demo.writer import BulkWriter, ServiceWriter, Writer
from app.errors import DomainError
from app.records import inspections
from app.schedule import holidays as holiday_svc
from app.schedule import periods
from app.schedule import sla as sla_mod
from app.schedule.workcal import WorkCalendar
from app.storage import guards
from app.storage.store import Store
from app.team import demo_data
from db.models import (
    ChecklistItem,
    ChecklistTemplate,
    Contract,
    FaultRecord,
    InspectionRun,
    ServiceRequest,
    StaffMember,
    System,
)

#: new objects between two collections of Python's garbage collector while generating
COLLECT_EVERY = 100_000

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class DemoCancelled(DomainError):
    """The generation was cancelled; the month under way was not written."""


class _Generator(
    InspectionsPart, RequestsPart, FaultsPart, MeetingsPart, SignaturesPart, ArticlesPart
):
    def __init__(
        self,
        session: Session,
        contract: Contract,
        calendar: WorkCalendar,
        *,
        seed: int,
        start: date,
        until: date,
        stats: DemoStats,
        bulk: bool = True,
    ) -> None:
        self.s = session
        self.contract = contract
        self.cal = calendar
        self.profile = profile_of(contract)
        self.window = contract.service_window
        self.hours = self.profile.service_hours
        self.seed = seed
        self.start = start
        self.until = until
        self.as_of = datetime.combine(until, AS_OF_TIME)
        self.writer: Writer = (BulkWriter if bulk else ServiceWriter)(session, self.as_of)
        #: the runs of the month being generated, written when its days are done (nothing
        #: reads them from the store before; the audit chain lists them as day by day)
        self.new_runs: list[RunRow] = []
        self.stats = stats
        self.between, self.after = sla_mod.clock(calendar, self.window, self.hours)

        self.team = team_of(self.profile)
        self.pm = next((p for p in self.team if "项目经理" in p.role), self.team[0])
        self.coordinator = next((p for p in self.team if "技术经理" in p.role), self.pm)
        others = [p for p in self.team if p is not self.pm] or [self.pm]
        self.ops = [p for p in others if "运维" in p.role] or others
        self.developers = [p for p in others if "开发" in p.role] or self.ops
        self.security = [p for p in others if "安全" in p.role] or self.ops
        self.client_people = [
            Person(name, "甲方联系人", "client", fake_phone(3001 + i))
            for i, name in enumerate(CLIENT_NAMES)
        ]

        self.systems = list(
            session.scalars(
                select(System)
                .where(System.contract_id == contract.id, System.active.is_(True))
                .order_by(System.seq, System.code)
            )
        )
        self.templates = list(
            session.scalars(
                select(ChecklistTemplate)
                .where(ChecklistTemplate.contract_id == contract.id, ChecklistTemplate.active)
                .order_by(ChecklistTemplate.seq)
            )
        )
        self.items: dict[str, list[ChecklistItem]] = {
            t.id: [i for i in t.items if i.seq < inspections.RETIRED_SEQ] for t in self.templates
        }
        self.levels = sorted(
            self.profile.sla.fault_levels,
            key=lambda lvl: -(lvl.recovery_minutes or 10**9),
        )  # least severe first
        self.holidays = holiday_svc.list_periods(
            session, contract, start - timedelta(days=45), until + timedelta(days=45)
        )
        self.holiday_labels = {
            h.id: f"{h.name}@{h.start_date.isoformat()}"
            for h in holiday_svc.list_periods(session, contract)
        }
        separate = {t.id for t in self.templates if t.systems_mode == "separate"}
        self.existing: set[tuple[str, str | None, str]] = {
            (t, s if t in separate else None, k)
            for t, s, k in session.execute(
                select(
                    InspectionRun.template_id, InspectionRun.system_id, InspectionRun.period_key
                ).where(InspectionRun.contract_id == contract.id)
            )
        }
        self.created_runs: list[RunRow] = []
        #: each reading's steady draws by (template, item, system) code: its series' phase
        #: (``None``: not applicable on that system) and level
        self.steady: dict[tuple[str, str, str], tuple[int | None, float]] = {}
        self.plan = self._plan()
        self.emergencies = self._plan_emergencies()

    # ------------------------------------------------------------------ randomness

    def rng(self, *parts: object) -> random.Random:
        """A random stream for one decision; ``parts`` must not contain record ids."""
        return series_rng(self.seed, self.contract.code, *parts)

    def stable(self, period_key: str) -> str:
        """A period key with holiday period ids (random UUIDs) replaced by name and start."""
        for holiday_id, label in self.holiday_labels.items():
            if holiday_id in period_key:
                return period_key.replace(holiday_id, label)
        return period_key

    # ------------------------------------------------------------------ planning

    # ------------------------------------------------------------------ people

    def _duty(self, day: date, shift: int = 0) -> Person:
        return self.ops[(day.toordinal() + shift) % len(self.ops)]

    # ------------------------------------------------------------------ main loop

    def run(self, progress: ProgressCallback | None, cancel: CancelCheck | None) -> None:
        self._ensure_staff()
        months: list[tuple[date, date]] = []
        cursor = self.start
        while cursor <= self.until:
            first, last = month_bounds(cursor)
            months.append((first, min(last, self.until)))
            cursor = last + timedelta(days=1)
        total = (self.until - self.start).days + 2
        done = 0
        for first, last in months:
            month = Month(first, last, f"{first:%Y-%m}", self._month_has_records(first))
            if month.skip_records:
                self.stats.skipped_months.append(month.key)
            day = first
            while day <= last:
                if cancel is not None and cancel():
                    raise DemoCancelled(
                        f"已取消生成演示数据（{month.key} 未写入，之前的月份已保存）。"
                    )
                self._runs_for_day(day, month)
                done += 1
                if progress is not None and day != last:
                    progress(done, total)
                day += timedelta(days=1)
            self.writer.add(self.new_runs)
            self.new_runs = []
            if not month.skip_records:
                self._requests(month)
                self._faults(month)
            self._summarise(month)
            self._sign_runs(month)
            self._meeting(month)
            self.writer.settle()
            self.s.commit()
            if progress is not None:
                progress(done, total)
        self._amend()
        self._submissions()
        self._articles()
        self.s.commit()
        if progress is not None:
            progress(total, total)

    def _ensure_staff(self) -> None:
        known = set(
            self.s.scalars(
                select(StaffMember.name).where(StaffMember.contract_id == self.contract.id)
            )
        )
        for person in [*self.team, *self.client_people]:
            if person.name in known:
                continue
            self.s.add(
                StaffMember(
                    contract_id=self.contract.id,
                    name=person.name,
                    role=person.role,
                    side=person.side,
                    contact=person.contact,
                    created_by=self.pm.name,
                )
            )
            self.stats.staff_added += 1

    def _month_has_records(self, first: date) -> bool:
        lo = datetime.combine(first, time())
        hi = datetime.combine(periods.next_start("monthly", first), time())
        for model, column in (
            (ServiceRequest, ServiceRequest.received_at),
            (FaultRecord, FaultRecord.reported_at),
        ):
            found = self.s.scalar(
                select(model.id)
                .where(model.contract_id == self.contract.id, column >= lo, column < hi)
                .limit(1)
            )
            if found is not None:
                return True
        return False

    # ------------------------------------------------------------------ inspection runs

    # ------------------------------------------------------------------ service requests

    # ------------------------------------------------------------------ faults

    # ------------------------------------------------------------------ signatures

    # ------------------------------------------------------------------ amendment

    # ------------------------------------------------------------------ deliverables


def _today() -> date:
    """Today's date (a function, so tests can pin it)."""
    return date.today()


def default_until(contract: Contract, today: date | None = None) -> date:
    """Today clipped to the contract period."""
    day = today or _today()
    return max(contract.start_date, min(day, contract.end_date))


def _contract(session: Session, code: str) -> Contract:
    """The contract of ``code``; a built-in profile not installed yet is installed first."""
    found = session.scalar(select(Contract).where(Contract.code == code))
    if found is not None:
        return found
    for profile in load_builtin_profiles():
        if profile.code == code:
            return install_profile(session, profile, builtin=True)
    return get_contract(session, code)  # raises NotFound with the usual message


def period_start(until: date, months: int) -> date:
    """The first day of the first of ``months`` months ending with ``until``'s month."""
    year, month = periods.add_months(until.year, until.month, -(months - 1))
    return date(year, month, 1)


def generate(
    store: Store,
    contract_code: str,
    *,
    months: int,
    seed: int = 1,
    until: date | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    bulk: bool = True,
) -> DemoStats:
    """Generate ``months`` months of demo records for a contract (see the module docstring).

    ``progress(done, total)`` is called once per generated day and at the end;
    ``cancel()`` is asked before each day: when it says so, the month under way
    is rolled back (earlier months stay) and :class:`DemoCancelled` is raised.
    ``bulk=False`` writes runs, calls and their signatures through the ORM and
    the signing service instead (what the test of the bulk writer compares with).
    Returns what was added; a second call with the same arguments adds nothing.
    """
    if not isinstance(months, int) or months < 1:
        raise DomainError("演示数据的月数至少为 1。")
    if months > 120:
        raise DomainError("演示数据最多生成 120 个月。")
    began = wallclock.perf_counter()
    thresholds = gc.get_threshold()
    # The generator keeps most of what it makes (a month's rows until they are written, every
    # run until the amendment): Python's collector, run every 700 new objects, would scan
    # them again and again (≈ 8 % of the time). Every 100,000 keeps what is left cyclic
    # garbage small all the same. The thresholds are the process's: they are left alone when
    # generating beside a window's event loop (a worker thread), whose garbage (Qt's objects
    # among it) would then be collected all at once in the worker.
    if threading.current_thread() is threading.main_thread():
        gc.set_threshold(COLLECT_EVERY, *thresholds[1:])
    try:
        with store.session() as session:
            contract = _contract(session, contract_code)
            demo_data.mark(session, guards.device_of(session).device_id)  # committed with a month
            calendar = WorkCalendar.from_session(session)
            holiday_svc.sync_statutory_holidays(session, contract, calendar)
            end = until if until is not None else default_until(contract)
            start = period_start(end, months)
            stats = DemoStats(contract.code, start, end, months, seed)
            _Generator(
                session,
                contract,
                calendar,
                seed=seed,
                start=start,
                until=end,
                stats=stats,
                bulk=bulk,
            ).run(progress, cancel)
    finally:
        gc.set_threshold(*thresholds)
    stats.elapsed = wallclock.perf_counter() - began
    return stats
