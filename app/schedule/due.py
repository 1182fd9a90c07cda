"""What is due on a date for a contract: checklists, holiday checks, deliverables.

Rules (all limited to the contract period):

- **daily** checklists follow the service window: 5×8 → statutory working days
  (调休 Saturdays included, holidays excluded), 7×24 → every day.
- **weekly / monthly / quarterly / half_year / annual**: the calendar period
  containing the date, clipped to the contract period; the deadline is the last
  service day of that clipped period.
- templates with ``systems_mode == "separate"`` give one item per system
  (``system_codes`` None = every active system); others give one item.
- **holiday checks**: during a holiday period the ``holiday_daily`` checklists
  are due every day (whatever the service window); ``holiday_pre`` shows from
  the start of the pre-holiday window until its deadline (the last working day
  before the holiday), ``holiday_post`` likewise in the post-holiday window.
- **state**: ``done`` when a completed or signed run exists for the template,
  period (and system) — an amendment chain counts as one run; ``in_progress``
  when only a draft exists; ``overdue`` when the deadline has passed without
  it; ``due`` otherwise. Past occurrences that are not done are listed as
  overdue when their deadline lies within the last ``overdue_days`` days.
- **deliverables** (:mod:`app.schedule.deadlines`): occurrences whose window has opened
  and that are not handed in yet (due, or overdue once the due date passed),
  and those handed in on the date itself (done).

Runs are read with a single query for all period keys of the report. The rules
read the store through a :class:`~app.schedule.rows.ScheduleSource`:
:func:`due_on` through the ORM session it is given, ``omw due`` through a
read-only ``sqlite3`` connection (:func:`due_from`), so that the command answers
without importing SQLAlchemy (issue 13).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.contracts.snapshot import HolidayDuty, schedule_parts
from app.schedule import periods
from app.schedule.deadlines import deadlines_from
from app.schedule.holiday_phases import period_assumed, phases
from app.schedule.phrases import Phrase, phrase, text, verbatim
from app.schedule.rows import (
    ContractLike,
    HolidayRow,
    RunRow,
    ScheduleSource,
    SystemRow,
    TemplateRow,
)
from app.schedule.workcal import WorkCalendar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

KINDS = ("checklist", "holiday_check", "deliverable")
STATES = ("due", "in_progress", "done", "overdue")
DONE_STATUSES = ("completed", "signed")

_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class DueItem:
    kind: str  # checklist | holiday_check | deliverable
    code: str  # template or deliverable code
    name: str
    cadence: str
    period_key: str
    system_code: str | None
    system_name: str | None
    window_start: date
    deadline: date
    state: str  # due | in_progress | done | overdue
    run_id: str | None
    holiday_period_id: str | None
    assumed: bool  # a date of this item rests on the weekday fallback
    template_id: str | None = None
    holiday_name: str | None = None
    rule: str = ""  # deliverables: the due rule in words
    period_label: str = ""
    sort_seq: int = 0
    #: who did it: the run's 运维人员 signer, else its inspector ("" when nobody started it)
    engineer: str = ""
    #: ``period_label`` as parts the window translates (:mod:`app.schedule.phrases`)
    period_phrases: tuple[Phrase, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "cadence": self.cadence,
            "period_key": self.period_key,
            "period_label": self.period_label,
            "system_code": self.system_code,
            "system_name": self.system_name,
            "window_start": self.window_start.isoformat(),
            "deadline": self.deadline.isoformat(),
            "state": self.state,
            "run_id": self.run_id,
            "template_id": self.template_id,
            "holiday_period_id": self.holiday_period_id,
            "holiday_name": self.holiday_name,
            "rule": self.rule,
            "assumed": self.assumed,
            "engineer": self.engineer,
        }


@dataclass
class DueReport:
    contract: str  # contract code
    date: date
    holiday: str | None  # the holiday period(s) covering the date
    # the date's own year is unknown to the statutory calendar (weekday fallback);
    # each item carries its own ``assumed`` flag for its dates
    assumed_calendar: bool
    items: list[DueItem] = field(default_factory=list)
    contract_name: str = ""
    in_period: bool = True  # the date lies within the contract period
    #: the service window covers the date (7×24: every day; 5×8: working days)
    service_day: bool = True
    #: why not, in Chinese (「星期日」, 「国庆节」, 「调休休息日」), when ``service_day`` is false
    day_off: str = ""
    #: the next day the window covers, when ``service_day`` is false (within the contract)
    next_service_day: date | None = None
    #: everyone who signed a record of the store as 运维人员, by name
    engineers: list[str] = field(default_factory=list)
    #: the contract's 启用日期 when it lies after the date: nothing is due here before it
    begins: date | None = None

    @property
    def team(self) -> bool:
        """The store holds more than one engineer's records: show the work per engineer."""
        return len(self.engineers) > 1

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(STATES, 0)
        for item in self.items:
            found[item.state] += 1
        return found

    def by_engineer(self) -> dict[str, dict[str, int]]:
        """:meth:`counts` per engineer; ``""`` holds what nobody has started."""
        found: dict[str, dict[str, int]] = {}
        for item in self.items:
            found.setdefault(item.engineer, dict.fromkeys(STATES, 0))[item.state] += 1
        return dict(sorted(found.items(), key=lambda pair: (pair[0] == "", pair[0])))

    def as_json(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "contract_name": self.contract_name,
            "date": self.date.isoformat(),
            "in_period": self.in_period,
            "service_day": self.service_day,
            "day_off": self.day_off,
            "next_service_day": (
                self.next_service_day.isoformat() if self.next_service_day else None
            ),
            "holiday": self.holiday,
            "assumed_calendar": self.assumed_calendar,
            "counts": self.counts(),
            "engineers": self.engineers,
            "begins": self.begins.isoformat() if self.begins else None,
            "by_engineer": self.by_engineer(),
            "items": [i.as_json() for i in self.items],
        }


@dataclass(frozen=True)
class _Occ:
    """A checklist occurrence before its state is known."""

    template: TemplateRow
    system: SystemRow | None
    period_key: str
    window_start: date
    deadline: date
    current: bool  # shown whatever its state (else only when not done)
    assumed: bool
    holiday: HolidayRow | None = None


def _label(cadence: str, occ: _Occ) -> tuple[Phrase, ...]:
    """A readable period: ``2026-W41``, ``国庆节 节前``, ``国庆节 节日期间 2026-10-03``."""
    if occ.holiday is None:
        return (verbatim(occ.period_key),)
    if cadence == "holiday_daily":
        day = occ.window_start.isoformat()
        return (phrase("{holiday} 节日期间 {day}", holiday=occ.holiday.name, day=day),)
    phase = periods.CADENCE_NAMES[cadence]
    return (phrase("{holiday} {phase}", holiday=occ.holiday.name, phase=phase),)


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _systems_for(template: TemplateRow, systems: list[SystemRow]) -> list[SystemRow | None]:
    if template.systems_mode != "separate":
        return [None]
    if template.system_codes is None:
        return list(systems)
    wanted = set(template.system_codes)
    return [s for s in systems if s.code in wanted]


def _run_states(
    source: ScheduleSource, contract: ContractLike, keys: set[str], separate: set[str]
) -> dict[tuple[str, str | None, str], tuple[str, str | None, str]]:
    """(template id, system id, period key) → (state, id of the run to open, its inspector).

    The system id is None for templates not in ``separate`` (one run per period).
    """
    if not keys:
        return {}
    rows = source.runs(contract, keys)
    superseded = {r.supersedes_id for r in rows if r.supersedes_id}
    voided = source.voided_ids()  # a voided run (作废) is as if never done
    rows = [r for r in rows if r.id not in voided]
    grouped: dict[tuple[str, str | None, str], list[RunRow]] = defaultdict(list)
    for r in rows:
        system_id = r.system_id if r.template_id in separate else None
        grouped[(r.template_id, system_id, r.period_key)].append(r)
    result: dict[tuple[str, str | None, str], tuple[str, str | None, str]] = {}
    for group_key, runs in grouped.items():
        done = any(r.status in DONE_STATUSES for r in runs)
        heads = [r for r in runs if r.id not in superseded] or runs
        heads.sort(key=lambda r: (r.status in DONE_STATUSES, r.started_at or datetime.min))
        result[group_key] = ("done" if done else "in_progress", heads[-1].id, heads[-1].inspector)
    return result


def _checklist_occurrences(
    contract: ContractLike,
    day: date,
    lo: date,
    templates: list[TemplateRow],
    systems: list[SystemRow],
    calendar: WorkCalendar,
) -> list[_Occ]:
    cs, ce = contract.start_date, contract.end_date
    window = contract.service_window
    first, last = max(cs, lo), min(day, ce)
    found: list[_Occ] = []
    for template in templates:
        if template.cadence not in periods.CALENDAR_CADENCES:
            continue
        targets = _systems_for(template, systems)
        # key, window start, deadline, current, assumed
        spans: list[tuple[str, date, date, bool, bool]] = []
        if template.cadence == "daily":
            for d in _days(first, last):
                if calendar.is_service_day(d, window):
                    assumed = window == "5x8" and calendar.assumed(d)
                    spans.append((d.isoformat(), d, d, d == day, assumed))
        elif first <= last:
            start = periods.bounds(template.cadence, first)[0]
            while start <= last:
                ps, pe = periods.bounds(template.cadence, start)
                cps, cpe = max(ps, cs), min(pe, ce)
                deadline = calendar.last_service_day(cps, cpe, window) or cpe
                current = cps <= day <= cpe
                if current or lo <= deadline < day:
                    # the deadline depends on the days from it to the period end
                    assumed = window == "5x8" and calendar.assumed(deadline, cpe)
                    key = periods.key(template.cadence, ps)
                    spans.append((key, cps, deadline, current, assumed))
                start = pe + timedelta(days=1)
        for key, window_start, deadline, current, assumed in spans:
            for system in targets:
                found.append(_Occ(template, system, key, window_start, deadline, current, assumed))
    return found


def _holiday_occurrences(
    contract: ContractLike,
    day: date,
    lo: date,
    templates: list[TemplateRow],
    systems: list[SystemRow],
    holidays: list[HolidayRow],
    calendar: WorkCalendar,
    settings: HolidayDuty,
) -> list[_Occ]:
    cs, ce = contract.start_date, contract.end_date
    holiday_templates = [t for t in templates if t.cadence in periods.HOLIDAY_CADENCES]
    found: list[_Occ] = []
    if not holiday_templates:
        return found
    for holiday in holidays:
        if holiday.end_date < cs or holiday.start_date > ce:
            continue
        phase = phases(holiday, calendar, settings)
        base_assumed = period_assumed(holiday, calendar)
        for template in holiday_templates:
            targets = _systems_for(template, systems)
            spans: list[tuple[str, date, date, bool, bool]] = []
            if template.cadence == "holiday_daily":
                first = max(holiday.start_date, cs, lo)
                last = min(holiday.end_date, ce, day)
                for d in _days(first, last):
                    key = periods.holiday_key("holiday_daily", holiday.id, d)
                    spans.append((key, d, d, d == day, base_assumed))
            else:
                if template.cadence == "holiday_pre":
                    start, deadline = phase.pre_start, phase.pre_deadline
                else:
                    start, deadline = phase.post_start, phase.post_deadline
                in_contract = deadline >= cs and start <= ce
                if in_contract and start <= day and deadline >= lo:
                    key = periods.holiday_key(template.cadence, holiday.id)
                    assumed = base_assumed or phase.assumed
                    spans.append((key, start, deadline, deadline >= day, assumed))
            for key, window_start, deadline, current, assumed in spans:
                for system in targets:
                    found.append(
                        _Occ(
                            template,
                            system,
                            key,
                            window_start,
                            deadline,
                            current,
                            assumed,
                            holiday,
                        )
                    )
    return found


def _occurrence_items(
    occurrences: list[_Occ],
    runs: dict[tuple[str, str | None, str], tuple[str, str | None, str]],
    day: date,
) -> list[DueItem]:
    """The checklist and holiday-check items, with their state on ``day``.

    Done occurrences are listed only when current.
    """
    items: list[DueItem] = []
    for occ in occurrences:
        t = occ.template
        system_id = occ.system.id if occ.system is not None else None
        found = runs.get((t.id, system_id, occ.period_key))
        run_state, run_id = found[:2] if found else (None, None)
        if run_state == "done":
            state = "done"
        elif occ.deadline < day:
            state = "overdue"
        else:
            state = run_state or "due"
        if not occ.current and state == "done":
            continue
        items.append(
            DueItem(
                kind="holiday_check" if occ.holiday is not None else "checklist",
                code=t.code,
                name=t.name,
                cadence=t.cadence,
                period_key=occ.period_key,
                system_code=occ.system.code if occ.system is not None else None,
                system_name=occ.system.name if occ.system is not None else None,
                window_start=occ.window_start,
                deadline=occ.deadline,
                state=state,
                run_id=run_id,
                holiday_period_id=occ.holiday.id if occ.holiday is not None else None,
                assumed=occ.assumed,
                template_id=t.id,
                holiday_name=occ.holiday.name if occ.holiday is not None else None,
                period_label=text(_label(t.cadence, occ)),
                period_phrases=_label(t.cadence, occ),
                sort_seq=t.seq * 1000 + (occ.system.seq if occ.system is not None else 0),
            )
        )
    return items


def _deliverable_items(
    source: ScheduleSource, contract: ContractLike, calendar: WorkCalendar, day: date
) -> list[DueItem]:
    """Deliverables whose window has opened and that are open, or were handed in on ``day``."""
    items: list[DueItem] = []
    for d in deadlines_from(source, contract, calendar=calendar, today=day):
        if d.window_start > day:
            continue
        handed_today = (
            d.submitted is not None
            and d.submitted.state == "submitted"
            and d.submitted.submitted_at.date() == day
        )
        if d.state == "before_start" or (d.state == "done" and not handed_today):
            continue
        items.append(
            DueItem(
                kind="deliverable",
                code=d.code,
                name=d.name,
                cadence=d.cadence,
                period_key=d.period_key,
                system_code=None,
                system_name=None,
                window_start=d.window_start,
                deadline=d.due_date,
                state="in_progress" if d.state == "exported" else d.state,
                run_id=None,
                holiday_period_id=d.period_key if d.cadence == "holiday" else None,
                assumed=d.assumed,
                rule=d.rule,
                period_label=d.period_label,
                period_phrases=d.period_phrases,
            )
        )
    return items


def due_on(
    session: Session,
    contract: ContractLike | str,
    day: date,
    calendar: WorkCalendar | None = None,
    overdue_days: int = 30,
) -> DueReport:
    """Everything due, in progress, done or overdue on ``day`` for ``contract``.

    Sorted overdue first, then by deadline. See the module docstring for the rules.
    """
    from app.schedule.orm_source import OrmSource

    return due_from(OrmSource(session), contract, day, calendar, overdue_days)


def due_from(
    source: ScheduleSource,
    contract: ContractLike | str,
    day: date,
    calendar: WorkCalendar | None = None,
    overdue_days: int = 30,
) -> DueReport:
    """:func:`due_on` over the store as ``source`` reads it."""
    if isinstance(contract, str):
        contract = source.contract(contract)
    calendar = calendar or source.calendar()
    parts = schedule_parts(contract.profile)
    # nothing before the 启用日期 is listed: that work was recorded outside the app
    lo = max(day - timedelta(days=max(overdue_days, 0)), parts.records_from or date.min)
    cs, ce = contract.start_date, contract.end_date

    templates, systems = source.active(contract)
    # Holiday periods whose phases can touch lo..day: the pre window lies a few
    # working days before the start, the post window a few after the end.
    margin = timedelta(days=45)
    holidays = source.holidays(contract, lo - margin, day + margin)

    duty = parts.holidays
    occurrences = _checklist_occurrences(contract, day, lo, templates, systems, calendar)
    occurrences += _holiday_occurrences(
        contract, day, lo, templates, systems, holidays, calendar, duty
    )
    separate = {t.id for t in templates if t.systems_mode == "separate"}
    runs = _run_states(source, contract, {o.period_key for o in occurrences}, separate)

    items = _occurrence_items(occurrences, runs, day)
    items += _deliverable_items(source, contract, calendar, day)
    who = _run_engineers(source, {run_id: name for _s, run_id, name in runs.values() if run_id})
    items = [replace(i, engineer=who.get(i.run_id, "")) if i.run_id else i for i in items]
    items.sort(
        key=lambda i: (
            i.state != "overdue",
            i.deadline,
            _KIND_ORDER[i.kind],
            i.sort_seq,
            i.period_key,
        )
    )
    covering = [h for h in holidays if h.start_date <= day <= h.end_date]
    service_day = calendar.is_service_day(day, contract.service_window)
    return DueReport(
        contract=contract.code,
        date=day,
        holiday="、".join(h.name for h in covering) or None,
        assumed_calendar=calendar.assumed(day),
        items=items,
        contract_name=contract.name,
        in_period=cs <= day <= ce,
        service_day=service_day,
        day_off="" if service_day else day_off_reason(calendar, day),
        next_service_day=None
        if service_day
        else next_service_day(calendar, day, contract.service_window, ce),
        engineers=source.engineers(),
        begins=parts.records_from if parts.records_from and day < parts.records_from else None,
    )


def _run_engineers(source: ScheduleSource, inspectors: dict[str, str]) -> dict[str, str]:
    """Who did each run (id → its inspector): its 运维人员 signer, else its inspector."""
    found = dict(inspectors)
    found.update(source.operators(list(inspectors)))
    return found


def store_engineers(session: Session) -> list[str]:
    """Everyone who signed a record of the store as 运维人员, by name."""
    from app.schedule.orm_source import OrmSource

    return OrmSource(session).engineers()


_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def day_off_reason(calendar: WorkCalendar, day: date) -> str:
    """Why a 5×8 contract does not serve on ``day``: the holiday's name, or the weekday."""
    name = calendar.holiday_name(day)
    return name or _WEEKDAYS[day.weekday()]


def next_service_day(
    calendar: WorkCalendar, day: date, window: str, until: date | None = None
) -> date | None:
    """The first day after ``day`` the service window covers (none past ``until``)."""
    later = day
    for _ in range(60):  # the longest break (春节 with weekends) is well under two weeks
        later += timedelta(days=1)
        if until is not None and later > until:
            return None
        if calendar.is_service_day(later, window):
            return later
    return None
