"""Every occurrence of every deliverable of a contract, with its due date.

The due rules of a profile (:class:`~app.contracts.profile_schema.DueRule`) become
occurrences:

- ``nth_workday_next_month``: one per contract month (the first and last may
  be partial), period key ``2026-03``, due on the ``n``-th working day of the
  following month (运维月报: 次月第3个工作日).
- ``fixed_date``: once (period key ``once``), due on the date given.
- ``workdays_after``: ``n`` working days after an event — ``fault_closed`` (one
  per closed fault, period key = fault number), ``holiday_end`` (one per
  holiday period, key = its id, as in :mod:`app.schedule.periods`), ``month_end`` (end of
  contract month ``month``, counting the start month as month 1; key
  ``2026-08``) or ``contract_end`` (key ``contract``).
- ``within_period``: by the last working day of each month / quarter / half
  year / year (clipped to the contract; keys from :mod:`app.schedule.periods`) or of the
  whole contract (key ``contract``).

*When it can be handed in* (``window_start``): for a report on a period, from
the last day of that period; for ``within_period``, from the first day of the
period; for an event, from the event's day; for a fixed date,
:data:`FIXED_DATE_LEAD_DAYS` days before it (not before the contract start).

Dates computed on a year the statutory calendar does not know carry
``assumed=True``.

The rules read the store through a :class:`~app.schedule.rows.ScheduleSource`
(:func:`deadlines` through the ORM session it is given, ``omw deadlines`` through a
read-only ``sqlite3`` connection: :func:`deadlines_json_from`) and the contract's
due rules from its profile snapshot (:mod:`app.contracts.snapshot`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from app.contracts.snapshot import DeliverableView, DueRuleView, schedule_parts
from app.errors import DomainError
from app.schedule import periods
from app.schedule.holiday_phases import holiday_phrase, period_assumed
from app.schedule.phrases import Phrase, phrase, text, verbatim
from app.schedule.rows import ContractLike, FaultRow, HolidayRow, ScheduleSource, SubmissionRow
from app.schedule.workcal import WorkCalendar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.contracts.profile_schema import DueRule
    from db.models import DeliverableSubmission

#: How many days before a fixed due date the deliverable shows as due.
FIXED_DATE_LEAD_DAYS = 14

STATES = ("due", "exported", "done", "overdue", "before_start")
SUBMISSION_STATES = ("exported", "submitted")

_WITHIN = {
    "month": ("monthly", "当月"),
    "quarter": ("quarterly", "当季度"),
    "half_year": ("half_year", "当半年"),
    "year": ("annual", "当年度"),
}


@dataclass(frozen=True)
class SubmissionInfo:
    """The latest hand-in (or export) of an occurrence known on the reference day."""

    id: str
    state: str  # exported | submitted
    submitted_at: datetime
    file_name: str
    file_sha256: str
    note: str
    on_time: bool  # handed in on or before the due date

    @property
    def mark(self) -> str:
        """:func:`hand_in_mark` of this hand-in."""
        return hand_in_mark(self.state, self.note, self.on_time)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "submitted_at": self.submitted_at.isoformat(),
            "file_name": self.file_name,
            "file_sha256": self.file_sha256,
            "note": self.note,
            "on_time": self.on_time,
        }


@dataclass(frozen=True)
class Deadline:
    code: str
    name: str
    form: str
    period_key: str
    period_start: date
    period_end: date
    window_start: date  # from when it can be handed in
    due_date: date
    rule: str  # in Chinese, e.g. 次月第3个工作日
    assumed: bool  # the due date rests on the weekday fallback of an unknown year
    submitted: SubmissionInfo | None
    state: str  # due | exported | done | overdue, relative to the reference day
    cadence: str = ""  # monthly | quarterly | half_year | annual | once | event | contract
    period_label: str = ""
    copies: str = ""
    #: ``period_label`` and ``rule`` as parts the window translates (:mod:`app.schedule.phrases`)
    period_phrases: tuple[Phrase, ...] = ()
    rule_phrases: tuple[Phrase, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "form": self.form,
            "period_key": self.period_key,
            "period_label": self.period_label,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "window_start": self.window_start.isoformat(),
            "due_date": self.due_date.isoformat(),
            "rule": self.rule,
            "cadence": self.cadence,
            "copies": self.copies,
            "assumed": self.assumed,
            "state": self.state,
            "submitted": self.submitted.as_json() if self.submitted else None,
        }


@dataclass(frozen=True)
class _Occurrence:
    deliverable: DeliverableView
    period_key: str
    period_start: date
    period_end: date
    window_start: date
    due_date: date
    assumed: bool
    cadence: str
    phrases: tuple[Phrase, ...]

    @property
    def label(self) -> str:
        return text(self.phrases)


def rule_phrases(rule: DueRule | DueRuleView) -> tuple[Phrase, ...]:
    """A due rule in words, as printed on schedules (``次月第3个工作日``)."""
    if rule.rule == "nth_workday_next_month":
        return (phrase("次月第{n}个工作日", n=rule.n),)
    if rule.rule == "fixed_date":
        assert rule.on is not None
        on = rule.on
        return (phrase("{year}年{month}月{day}日前", year=on.year, month=on.month, day=on.day),)
    if rule.rule == "workdays_after":
        event = {
            "fault_closed": phrase("故障关闭后"),
            "holiday_end": phrase("节假日保障期结束后"),
            "month_end": phrase("合同第{month}个月结束后", month=rule.month),
            "contract_end": phrase("合同期满后"),
        }[rule.event or ""]
        return (event, phrase("{n}个工作日内", n=rule.n))
    if rule.period == "contract":
        return (phrase("合同期内（最后一个工作日前）"),)
    return (phrase("{within}最后一个工作日前", within=_WITHIN[rule.period or "month"][1]),)


def rule_text(rule: DueRule | DueRuleView) -> str:
    """:func:`rule_phrases` as one Chinese text."""
    return text(rule_phrases(rule))


def _month_label(start: date, end: date) -> tuple[Phrase, ...]:
    """``2026年11月``, or ``2026年11月（15日至30日）`` for a month clipped by the contract."""
    label = phrase("{year}年{month}月", year=start.year, month=start.month)
    if start.day == 1 and end == periods.month_end(start.year, start.month):
        return (label,)
    return (label, phrase("（{start}日至{end}日）", start=start.day, end=end.day))


def _period_label(cadence: str, start: date, end: date) -> tuple[Phrase, ...]:
    """``2026年第4季度``, ``2026年下半年`` …, noting a period clipped by the contract."""
    if cadence == "monthly":
        return _month_label(start, end)
    ps, pe = periods.bounds(cadence, start)
    if cadence == "quarterly":
        label = phrase("{year}年第{quarter}季度", year=ps.year, quarter=(ps.month - 1) // 3 + 1)
    elif cadence == "half_year":
        label = phrase("{year}年上半年" if ps.month <= 6 else "{year}年下半年", year=ps.year)
    else:
        label = phrase("{year}年度", year=ps.year)
    if (start, end) != (ps, pe):
        return (label, phrase("（{start} 至 {end}）", start=start.isoformat(), end=end.isoformat()))
    return (label,)


def _contract_months(contract: ContractLike) -> list[tuple[date, date]]:
    months = []
    y, m = contract.start_date.year, contract.start_date.month
    while date(y, m, 1) <= contract.end_date:
        start = max(date(y, m, 1), contract.start_date)
        end = min(periods.month_end(y, m), contract.end_date)
        months.append((start, end))
        y, m = periods.add_months(y, m, 1)
    return months


class _Events:
    """The events deliverables may follow, each read from the store when first needed."""

    def __init__(self, source: ScheduleSource, contract: ContractLike) -> None:
        self.source = source
        self.contract = contract

    @cached_property
    def faults(self) -> list[tuple[str, str, str, datetime, datetime]]:
        return _closed_faults(self.source.faults(self.contract), self.source.voided_ids())

    @cached_property
    def holidays(self) -> list[HolidayRow]:
        return self.source.holidays(self.contract)


def _next_month_occurrences(
    d: DeliverableView, contract: ContractLike, calendar: WorkCalendar
) -> list[_Occurrence]:
    """``nth_workday_next_month``: one per contract month, due in the month after it."""
    rule = d.due
    assert rule.n is not None
    found: list[_Occurrence] = []
    for start, end in _contract_months(contract):
        ny, nm = periods.add_months(start.year, start.month, 1)
        due = calendar.nth_workday_of_month(ny, nm, rule.n)
        assumed = calendar.assumed(date(ny, nm, 1), due)
        key = periods.key("monthly", start)
        label = _month_label(start, end)
        found.append(_Occurrence(d, key, start, end, end, due, assumed, "monthly", label))
    return found


def _fixed_occurrence(d: DeliverableView, contract: ContractLike) -> _Occurrence:
    """``fixed_date``: once, open :data:`FIXED_DATE_LEAD_DAYS` days before the date."""
    rule = d.due
    assert rule.on is not None
    cs, ce = contract.start_date, contract.end_date
    window = max(min(cs, rule.on), rule.on - timedelta(days=FIXED_DATE_LEAD_DAYS))
    return _Occurrence(d, "once", cs, ce, window, rule.on, False, "once", (phrase("一次性"),))


def _event_occurrences(
    d: DeliverableView, contract: ContractLike, calendar: WorkCalendar, events: _Events
) -> list[_Occurrence]:
    """``workdays_after``: ``n`` working days after each closed fault, each holiday
    period, the end of a contract month or the end of the contract."""
    rule = d.due
    assert rule.n is not None
    cs, ce = contract.start_date, contract.end_date
    found: list[_Occurrence] = []
    if rule.event == "fault_closed":
        for fault_id, number, title, reported, closed in events.faults:
            day = closed.date()
            due = calendar.add_workdays(day, rule.n)
            label = (verbatim(f"{number} {title}".strip()),)
            assumed = calendar.assumed(day, due)
            found.append(
                _Occurrence(
                    d, number or fault_id, reported.date(), day, day, due, assumed, "event", label
                )
            )
    elif rule.event == "holiday_end":
        for period in events.holidays:
            due = calendar.add_workdays(period.end_date, rule.n)
            assumed = calendar.assumed(period.end_date, due) or period_assumed(period, calendar)
            found.append(
                _Occurrence(
                    d,
                    period.id,
                    period.start_date,
                    period.end_date,
                    period.end_date,
                    due,
                    assumed,
                    "holiday",
                    (holiday_phrase(period),),
                )
            )
    elif rule.event == "month_end":
        assert rule.month is not None
        y, m = periods.add_months(cs.year, cs.month, rule.month - 1)
        if date(y, m, 1) > ce:
            return found  # the contract has no such month
        end = min(periods.month_end(y, m), ce)
        due = calendar.add_workdays(end, rule.n)
        label = (phrase("合同第{month}个月（至{end}）", month=rule.month, end=end.isoformat()),)
        key = periods.key("monthly", end)
        assumed = calendar.assumed(end, due)
        found.append(_Occurrence(d, key, cs, end, end, due, assumed, "event", label))
    else:  # contract_end
        due = calendar.add_workdays(ce, rule.n)
        assumed = calendar.assumed(ce, due)
        found.append(
            _Occurrence(d, "contract", cs, ce, ce, due, assumed, "contract", (phrase("合同期"),))
        )
    return found


def _within_occurrences(
    d: DeliverableView, contract: ContractLike, calendar: WorkCalendar
) -> list[_Occurrence]:
    """``within_period``: by the last working day of each period (or of the contract)."""
    rule = d.due
    cs, ce = contract.start_date, contract.end_date
    if rule.period == "contract":
        due = calendar.last_workday_in(cs, ce) or ce
        assumed = calendar.assumed(due, ce)
        return [
            _Occurrence(d, "contract", cs, ce, cs, due, assumed, "contract", (phrase("合同期"),))
        ]
    cadence = _WITHIN[rule.period or "month"][0]
    found: list[_Occurrence] = []
    start = cs
    while start <= ce:
        ps, pe = periods.bounds(cadence, start)
        ps, pe = max(ps, cs), min(pe, ce)
        due = calendar.last_workday_in(ps, pe) or pe
        key = periods.key(cadence, ps)
        label = _period_label(cadence, ps, pe)
        assumed = calendar.assumed(due, pe)
        found.append(_Occurrence(d, key, ps, pe, ps, due, assumed, cadence, label))
        start = pe + timedelta(days=1)
    return found


def _occurrences(
    source: ScheduleSource,
    contract: ContractLike,
    deliverables: tuple[DeliverableView, ...],
    calendar: WorkCalendar,
) -> list[_Occurrence]:
    """Every occurrence of every deliverable of the contract, deliverable by deliverable."""
    events = _Events(source, contract)
    found: list[_Occurrence] = []
    for d in deliverables:
        rule = d.due.rule
        if rule == "nth_workday_next_month":
            found += _next_month_occurrences(d, contract, calendar)
        elif rule == "fixed_date":
            found.append(_fixed_occurrence(d, contract))
        elif rule == "workdays_after":
            found += _event_occurrences(d, contract, calendar, events)
        else:  # within_period
            found += _within_occurrences(d, contract, calendar)
    return found


def _closed_faults(
    rows: list[FaultRow], voided: set[str]
) -> list[tuple[str, str, str, datetime, datetime]]:
    """Closed faults of the contract, one per amendment chain (the latest version)."""
    superseded = {r.supersedes_id for r in rows if r.supersedes_id}
    superseded |= voided  # a voided fault (作废) is left out like a superseded one
    return sorted(
        (
            (r.id, r.number or "", r.title or "", r.reported_at, r.closed_at)
            for r in rows
            if r.id not in superseded and r.closed_at is not None
        ),
        key=lambda f: (f[4], f[1]),
    )


def _submissions(
    rows: list[SubmissionRow],
) -> dict[tuple[str, str], list[tuple[str, str, datetime, str, str, str]]]:
    found: dict[tuple[str, str], list[tuple[str, str, datetime, str, str, str]]] = {}
    for r in rows:
        found.setdefault((r.deliverable_code, r.period_key), []).append(
            (r.id, r.state, r.submitted_at, r.file_name, r.file_sha256, r.note)
        )
    return found


def _submission_as_of(
    rows: list[tuple[str, str, datetime, str, str, str]], today: date, due: date
) -> SubmissionInfo | None:
    """The first hand-in on or before ``today``, else the latest export by then."""
    known = [r for r in rows if r[2].date() <= today]
    handed = sorted((r for r in known if r[1] == "submitted"), key=lambda r: r[2])
    pick = handed[0] if handed else max(known, key=lambda r: r[2], default=None)
    if pick is None:
        return None
    sid, state, at, file_name, sha, note = pick
    return SubmissionInfo(sid, state, at, file_name, sha, note, at.date() <= due)


def _resolve(source: ScheduleSource, contract: ContractLike | str) -> ContractLike:
    return source.contract(contract) if isinstance(contract, str) else contract


def deadlines(
    session: Session,
    contract: ContractLike | str,
    start: date | None = None,
    end: date | None = None,
    calendar: WorkCalendar | None = None,
    today: date | None = None,
) -> list[Deadline]:
    """Every deliverable occurrence with a due date in ``start``..``end``, by due date.

    ``state`` is relative to ``today`` (default: the current date): ``done`` when
    it was handed in by then; ``exported`` when a file was exported for it but it
    is not handed in yet (「已导出，待提交」 — the work is done, the hand-in is
    pending; not shown as overdue); ``before_start`` when it was due before the
    contract's 启用日期 (``period.records_from``) without either — handed in outside
    the app, if at all, and never shown as overdue; ``overdue`` when its due date
    has passed without either; ``due`` otherwise.
    """
    from app.schedule.orm_source import OrmSource

    return deadlines_from(OrmSource(session), contract, start, end, calendar, today)


def deadlines_from(
    source: ScheduleSource,
    contract: ContractLike | str,
    start: date | None = None,
    end: date | None = None,
    calendar: WorkCalendar | None = None,
    today: date | None = None,
) -> list[Deadline]:
    """:func:`deadlines` over the store as ``source`` reads it."""
    contract = _resolve(source, contract)
    calendar = calendar or source.calendar()
    today = today or date.today()
    parts = schedule_parts(contract.profile)
    deliverables = parts.deliverables
    submissions = _submissions(source.submissions(contract))
    result: list[Deadline] = []
    for occ in _occurrences(source, contract, deliverables, calendar):
        if start is not None and occ.due_date < start:
            continue
        if end is not None and occ.due_date > end:
            continue
        info = _submission_as_of(
            submissions.get((occ.deliverable.code, occ.period_key), []), today, occ.due_date
        )
        if info is not None and info.state == "submitted":
            state = "done"
        elif info is not None:  # exported, not yet handed in: pending, whatever the date
            state = "exported"
        elif parts.records_from is not None and occ.due_date < parts.records_from:
            state = "before_start"  # due before the 启用日期: handed in outside the app, if at all
        elif occ.due_date < today:
            state = "overdue"
        else:
            state = "due"
        d = occ.deliverable
        result.append(
            Deadline(
                code=d.code,
                name=d.name,
                form=d.form,
                period_key=occ.period_key,
                period_start=occ.period_start,
                period_end=occ.period_end,
                window_start=occ.window_start,
                due_date=occ.due_date,
                rule=rule_text(d.due),
                rule_phrases=rule_phrases(d.due),
                assumed=occ.assumed,
                submitted=info,
                state=state,
                cadence=occ.cadence,
                period_label=occ.label,
                period_phrases=occ.phrases,
                copies=d.copies,
            )
        )
    order = {d.code: i for i, d in enumerate(deliverables)}
    result.sort(key=lambda x: (x.due_date, order.get(x.code, 0), x.period_start))
    return result


def deadlines_json(
    session: Session,
    contract: ContractLike | str,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[str, Any]:
    """:func:`deadlines` as plain JSON data (the ``omw deadlines --json`` output)."""
    from app.schedule.orm_source import OrmSource

    return deadlines_json_from(OrmSource(session), contract, start, end, today, calendar)


def deadlines_json_from(
    source: ScheduleSource,
    contract: ContractLike | str,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[str, Any]:
    """:func:`deadlines_json` over the store as ``source`` reads it."""
    contract = _resolve(source, contract)
    today = today or date.today()
    found = deadlines_from(source, contract, start, end, calendar, today)
    last = max([d.due_date for d in found] + [contract.end_date])
    return {
        "contract": contract.code,
        "contract_name": contract.name,
        "from": (start or contract.start_date).isoformat(),
        "to": (end or last).isoformat(),
        "today": today.isoformat(),
        "assumed": any(d.assumed for d in found),
        "deadlines": [d.as_json() for d in found],
    }


#: The note of a hand-in registered on its due date (:func:`mark_all_submitted`).
ON_DUE_DATE_NOTE = "在本应用之外提交，按截止日期登记"


def hand_in_mark(state: str, note: str, on_time: bool) -> str:
    """How a hand-in is marked beside 已提交, as the 报告按时交付率 counts it: 「补登」 for
    one registered afterwards on its due date (:func:`mark_all_submitted`), 「逾期」 for a
    late one, "" for one on time or an export (not a hand-in)."""
    if state != "submitted":
        return ""
    if note == ON_DUE_DATE_NOTE:
        return "补登"
    return "" if on_time else "逾期"


def mark_all_submitted(
    session: Session,
    contract: ContractLike | str,
    items: list[Deadline],
    submitted_at: datetime | None,
) -> int:
    """Register ``items`` as handed in, all or none: at ``submitted_at``, or each on its
    own due date when ``None`` (handed in before the app was used: a contract taken up
    mid-way has months of them), noted as such. Items already handed in are skipped; a
    date before an item can be handed in refuses them all. Returns how many were
    registered."""
    from sqlalchemy import select

    from app.schedule.orm_source import OrmSource
    from db.models import DeliverableSubmission

    source = OrmSource(session)
    contract = _resolve(source, contract)
    calendar = source.calendar()  # once, not once an item
    handed = {  # as the store has them now, not as when ``items`` were read
        (code, key)
        for code, key in session.execute(
            select(DeliverableSubmission.deliverable_code, DeliverableSubmission.period_key).where(
                DeliverableSubmission.contract_id == contract.id,
                DeliverableSubmission.state == "submitted",
            )
        )
    }
    count = 0
    for item in items:
        if (item.code, item.period_key) in handed:
            continue
        at = submitted_at or datetime.combine(item.due_date, datetime.min.time())
        if at.date() < item.window_start:
            raise DomainError(
                f"“{item.name}”（{item.period_label}）最早 {item.window_start:%Y-%m-%d} "
                f"才能提交，不能登记为 {at:%Y-%m-%d} 提交。没有登记任何一项。"
            )
        note = "" if submitted_at else ON_DUE_DATE_NOTE
        mark_submitted(
            session, contract, item.code, item.period_key,
            submitted_at=at, note=note, calendar=calendar,
        )  # fmt: skip
        count += 1
    return count


def mark_submitted(
    session: Session,
    contract: ContractLike | str,
    code: str,
    period_key: str,
    *,
    submitted_at: datetime | None = None,
    state: str = "submitted",
    file_name: str = "",
    file_sha256: str = "",
    note: str = "",
    calendar: WorkCalendar | None = None,
) -> DeliverableSubmission:
    """Record that a deliverable occurrence was handed in (or exported)."""
    from sqlalchemy import select

    from app.schedule.orm_source import OrmSource
    from db.models import DeliverableSubmission

    source = OrmSource(session)
    contract = _resolve(source, contract)
    if state not in SUBMISSION_STATES:
        raise DomainError(
            f"提交状态应为 exported（已导出）或 submitted（已提交），而不是 “{state}”。"
        )
    deliverables = schedule_parts(contract.profile).deliverables
    deliverable = next((d for d in deliverables if d.code == code), None)
    if deliverable is None:
        raise DomainError(f"合同 “{contract.code}” 没有代码为 “{code}” 的交付物。")
    calendar = calendar or source.calendar()
    occurrence = next(
        (
            o
            for o in _occurrences(source, contract, (deliverable,), calendar)
            if o.period_key == period_key
        ),
        None,
    )
    if occurrence is None:
        raise DomainError(
            f"交付物“{deliverable.name}”没有期间 “{period_key}”。"
            "可用 `omw deadlines` 查看各期的期间代码。"
        )
    if state == "submitted":
        earlier = session.scalar(
            select(DeliverableSubmission).where(
                DeliverableSubmission.contract_id == contract.id,
                DeliverableSubmission.deliverable_code == code,
                DeliverableSubmission.period_key == period_key,
                DeliverableSubmission.state == "submitted",
            )
        )
        if earlier is not None:
            raise DomainError(
                f"交付物“{deliverable.name}”（{occurrence.label}）已于 "
                f"{earlier.submitted_at:%Y-%m-%d %H:%M} 登记提交。"
            )
    row = DeliverableSubmission(
        contract_id=contract.id,
        deliverable_code=code,
        period_key=period_key,
        due_date=occurrence.due_date,
        state=state,
        file_name=file_name,
        file_sha256=file_sha256,
        note=note,
    )
    if submitted_at is not None:
        row.submitted_at = submitted_at
    session.add(row)
    session.flush()
    return row
