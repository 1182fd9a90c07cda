"""复核: the reviewer's queue, countersigning as 复核人, sending back with a reason.

- **The queue** (:func:`queue`) holds the latest version of every signable record
  an engineer signed as 运维人员 and nobody has countersigned as 复核人 yet,
  filterable by engineer (the 运维人员 signer), contract, kind and month (the
  record's own date: a run's scheduled date, a fault's report time, a request's
  receipt, a meeting's time).
- **Countersigning** (:func:`countersign`) goes through :func:`app.records.signing.sign`
  (content hash, device seal, audit entry) with the role 复核人; a record the
  engineer has not signed is refused.
- **Sending back** (:func:`send_back`) appends a :class:`~db.models.ReviewReturn`
  (append-only, exchanged in bundles). The engineer answers with an amendment
  (「更正」) of the returned record: once the amendment is signed it enters the
  queue as *answered*; the returned original, superseded, leaves it.
- **Batch countersigning** (:func:`countersign_batch`) is for routine checks (the
  window offers a day's): only inspection runs the reviewer has viewed, whose
  every item is normal or not applicable, with no open return, and no other signed
  run of the same period (:mod:`app.records.slots`: two laptops did the check).
- **Month packs** (:func:`unreviewed`) list the records of a period still
  waiting for the 复核人 when a contract's profile requires review.
- A record declared void (作废, any of its versions) leaves the queue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from app.contracts.registry import profile_of
from app.errors import DomainError
from app.records import _util, signing, slots
from app.schedule import periods
from app.storage.team_state import voided_ids
from db.models import (
    SIGNABLE_TYPES,
    ChecklistTemplate,
    Contract,
    ItemResult,
    ReviewReturn,
    Signature,
    System,
)

OPERATOR, REVIEWER = signing.ROLES[0], signing.ROLES[1]
KIND_LABELS: dict[str, str] = {
    "inspection_run": "巡检记录",
    "fault_record": "故障单",
    "service_request": "服务请求",
    "meeting_minutes": "会议纪要",
    "knowledge_article": "知识条目",
}
#: The column that dates each kind of record (for the month filter and month packs).
_DATE_COLUMN = {
    "inspection_run": "scheduled_date",
    "fault_record": "reported_at",
    "service_request": "received_at",
    "meeting_minutes": "meeting_at",
    "knowledge_article": "created_at",
}
#: The kinds of record a month pack's forms are made of (what review_required covers).
PACK_KINDS = frozenset(_DATE_COLUMN)
#: Item statuses that are not an exception in a routine check.
_ROUTINE_STATUSES = frozenset({"normal", "na"})
REASON_LIMIT = signing.REASON_LIMIT

PENDING, RETURNED, ANSWERED = "pending", "returned", "answered"
STATE_LABELS = {PENDING: "待复核", RETURNED: "已退回", ANSWERED: "已更正待复核"}


def kinds() -> dict[str, str]:
    """The kinds of record this store can review, with their Chinese names."""
    return {k: kind_label(k) for k in SIGNABLE_TYPES}


def kind_label(record_type: str) -> str:
    return KIND_LABELS.get(record_type) or signing.RECORD_LABELS.get(record_type, record_type)


def _date_column(record_type: str) -> str:
    """What dates a record: its own date, else when it was written."""
    return _DATE_COLUMN.get(record_type, "created_at")


@dataclass(frozen=True)
class ReturnNote:
    id: str
    record_type: str
    record_id: str
    reason: str
    returned_by: str
    returned_at: datetime
    engineer: str
    #: the record returned was voided since (作废): nothing to answer any more
    voided: bool = False


@dataclass(frozen=True)
class QueueItem:
    record_type: str
    record_id: str
    contract: str  # contract code
    day: date
    title: str  # number and title, or checklist and system
    engineer: str  # the 运维人员 signer
    signed_at: datetime
    exceptions: int  # item results that are not normal / not applicable (runs only)
    routine: bool  # may be countersigned in a batch
    state: str  # pending | returned | answered
    returns: tuple[ReturnNote, ...] = ()  # of this record and of the versions it amends
    #: a check whose period has another signed one (two laptops): never in a batch
    twin: bool = False

    @property
    def kind_label(self) -> str:
        return kind_label(self.record_type)

    @property
    def month(self) -> str:
        return f"{self.day:%Y-%m}"

    def as_json(self) -> dict[str, Any]:
        return {
            "record_type": self.record_type,
            "record_id": self.record_id,
            "contract": self.contract,
            "date": self.day.isoformat(),
            "title": self.title,
            "engineer": self.engineer,
            "signed_at": self.signed_at.isoformat(),
            "exceptions": self.exceptions,
            "routine": self.routine,
            "twin": self.twin,
            "state": self.state,
            "returns": [
                {
                    "reason": r.reason,
                    "returned_by": r.returned_by,
                    "returned_at": r.returned_at.isoformat(),
                    "record_id": r.record_id,
                }
                for r in self.returns
            ],
        }


# --------------------------------------------------------------------------- reading


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _returns(session: Session, voided: set[str] | None = None) -> dict[str, list[ReturnNote]]:
    """The 退回 notes by record id; ``voided``: :func:`voided_ids`, if read already."""
    found: dict[str, list[ReturnNote]] = defaultdict(list)
    voided = voided_ids(session) if voided is None else voided
    for row in session.scalars(select(ReviewReturn).order_by(ReviewReturn.returned_at)):
        found[row.record_id].append(
            ReturnNote(
                row.id,
                row.record_type,
                row.record_id,
                row.reason,
                row.returned_by,
                row.returned_at,
                row.engineer,
                row.record_id in voided,
            )
        )
    return found


def _titles(session: Session, record_type: str, rows: list[Any]) -> dict[str, str]:
    """A readable title for each record: number and title, or checklist and system."""
    if record_type == "inspection_run":
        names = dict(session.execute(select(ChecklistTemplate.id, ChecklistTemplate.name)).all())
        systems = dict(session.execute(select(System.id, System.name)).all())
        return {
            r.id: " · ".join(
                part
                for part in (names.get(r.template_id, ""), systems.get(r.system_id, "") or "")
                if part
            )
            for r in rows
        }
    if record_type == "service_request":
        return {r.id: f"{r.number} {r.caller_unit}".strip() for r in rows}
    return {r.id: f"{getattr(r, 'number', '')} {getattr(r, 'title', '')}".strip() for r in rows}


def _exceptions(session: Session, run_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = dict.fromkeys(run_ids, 0)
    for start in range(0, len(run_ids), 500):
        chunk = run_ids[start : start + 500]
        rows = session.execute(
            select(ItemResult.run_id, ItemResult.status).where(ItemResult.run_id.in_(chunk))
        ).all()
        for run_id, status in rows:
            if status is not None and status not in _ROUTINE_STATUSES:
                found[run_id] += 1
    return found


def _chain(record_id: str, previous: dict[str, str]) -> list[str]:
    """The versions a record amends, newest first (not the record itself)."""
    found: list[str] = []
    step = previous.get(record_id)
    while step is not None and step != record_id and step not in found:
        found.append(step)
        step = previous.get(step)
    return found


def queue(
    session: Session,
    *,
    engineer: str | None = None,
    contract: str | None = None,
    kind: str | None = None,
    month: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[QueueItem]:
    """The records waiting for a 复核人 (see the module docstring), oldest first."""
    if kind is not None and kind not in SIGNABLE_TYPES:
        raise DomainError(f"记录类别 “{kind}” 无效，可选：{'、'.join(kinds())}。")
    if month is not None:
        start, end = _month(month)
    contract_row = _util.contract_of(session, contract) if contract else None
    codes = dict(session.execute(select(Contract.id, Contract.code)).all())
    voided = voided_ids(session)  # every version of every voided record, read once
    returns = _returns(session, voided)
    found: list[QueueItem] = []
    for record_type in [kind] if kind else list(SIGNABLE_TYPES):
        found += _queue_of(
            session,
            record_type,
            engineer=engineer,
            contract_id=contract_row.id if contract_row else None,
            start=start,
            end=end,
            codes=codes,
            returns=returns,
            voided=voided,
        )
    found.sort(key=lambda i: (i.day, i.signed_at, i.record_type, i.title))
    return found


def _month(month: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{month}-01")
    except (TypeError, ValueError):
        raise DomainError(f"月份格式应为 YYYY-MM：“{month}”。") from None
    return first, periods.month_end(first.year, first.month)


def _queue_of(
    session: Session,
    record_type: str,
    *,
    engineer: str | None,
    contract_id: str | None,
    start: date | None,
    end: date | None,
    codes: dict[str, str],
    returns: dict[str, list[ReturnNote]],
    voided: set[str],
) -> list[QueueItem]:
    model: Any = SIGNABLE_TYPES[record_type]
    operator = aliased(Signature)
    reviewer = aliased(Signature)
    dated = getattr(model, _date_column(record_type))
    newer = aliased(model)
    query = (
        select(model, operator.signer_name, operator.signed_at)
        .join(
            operator,
            and_(
                operator.record_type == record_type,
                operator.record_id == model.id,
                operator.role == OPERATOR,
            ),
        )
        .outerjoin(
            reviewer,
            and_(
                reviewer.record_type == record_type,
                reviewer.record_id == model.id,
                reviewer.role == REVIEWER,
            ),
        )
        .where(reviewer.id.is_(None))
        .where(~select(newer.id).where(newer.supersedes_id == model.id).exists())
    )
    if engineer:
        query = query.where(operator.signer_name == engineer.strip())
    if contract_id:
        query = query.where(model.contract_id == contract_id)
    if start is not None:
        query = query.where(dated >= start)
    if end is not None:
        # a datetime column compared with the day after: the whole last day counts
        query = query.where(dated < _after(end, record_type))
    rows = session.execute(query).all()
    if not rows:
        return []
    records = [r[0] for r in rows]
    titles = _titles(session, record_type, records)
    exceptions = (
        _exceptions(session, [r.id for r in records]) if record_type == "inspection_run" else {}
    )
    previous = dict(
        session.execute(
            select(model.id, model.supersedes_id).where(model.supersedes_id.is_not(None))
        ).all()
    )
    twins = slots.doubled(session) if record_type == "inspection_run" else set()
    items: list[QueueItem] = []
    for record, signer, signed_at in rows:
        if record.id in voided:
            continue  # 作废: out of the queue and the packs, whatever version was voided
        chain = _chain(record.id, previous)
        own = list(returns.get(record.id, []))
        earlier = [note for step in chain for note in returns.get(step, [])]
        state = RETURNED if own else ANSWERED if earlier else PENDING
        problems = exceptions.get(record.id, 0)
        twin = record.id in twins
        routine = (
            record_type == "inspection_run" and problems == 0 and state != RETURNED and not twin
        )
        items.append(
            QueueItem(
                record_type=record_type,
                record_id=record.id,
                contract=codes.get(record.contract_id, ""),
                day=_day(getattr(record, _date_column(record_type))),
                title=titles.get(record.id, ""),
                engineer=signer,
                signed_at=signed_at,
                exceptions=problems,
                routine=routine,
                state=state,
                returns=tuple(earlier + own),
                twin=twin,
            )
        )
    return items


def _after(day: date, record_type: str) -> date | datetime:
    from datetime import timedelta

    following = day + timedelta(days=1)
    if _date_column(record_type) == "scheduled_date":
        return following
    return datetime.combine(following, datetime.min.time())


def engineers(session: Session, contract: str | None = None) -> list[str]:
    """Everyone who signed a record as 运维人员 (of ``contract`` when given), by name."""
    names: set[str] = set()
    contract_id = _util.contract_of(session, contract).id if contract else None
    for record_type, model in SIGNABLE_TYPES.items():
        query = (
            select(Signature.signer_name)
            .join(model, model.id == Signature.record_id)  # type: ignore[attr-defined]
            .where(Signature.record_type == record_type, Signature.role == OPERATOR)
        )
        if contract_id:
            query = query.where(model.contract_id == contract_id)  # type: ignore[attr-defined]
        names.update(session.scalars(query.distinct()))
    return sorted(names)


def find(session: Session, record_id: str) -> tuple[str, Any]:
    """The kind and the row of a signable record, by id (also by an id's unique prefix)."""
    text = _util.text(record_id, "记录编号", required=True, limit=64)
    for record_type, model in SIGNABLE_TYPES.items():
        row = session.get(model, text)
        if row is not None:
            return record_type, row
    if len(text) >= 6:
        matches = [
            (record_type, row)
            for record_type, model in SIGNABLE_TYPES.items()
            for row in session.scalars(
                select(model).where(model.id.like(f"{text}%")).limit(2)  # type: ignore[attr-defined]
            )
        ]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise DomainError(f"编号 “{text}” 对应多条记录，请输入更长的编号。")
    raise DomainError(f"找不到编号为 “{text}” 的记录。")


def returns_for(session: Session, engineer: str | None = None) -> list[tuple[ReturnNote, bool]]:
    """Every return (of ``engineer``'s records when given) and whether it is answered.

    Answered: the returned version has an amendment (the engineer's 「更正」).
    """
    result: list[tuple[ReturnNote, bool]] = []
    for notes in _returns(session).values():
        for note in notes:
            if engineer and note.engineer != engineer:
                continue
            model: Any = SIGNABLE_TYPES.get(note.record_type)
            if model is None:
                continue
            answered = _util.superseded(session, model, note.record_id)
            result.append((note, answered))
    result.sort(key=lambda pair: pair[0].returned_at, reverse=True)
    return result


@dataclass(frozen=True)
class Preview:
    """A record as the reviewer reads it: titled lines of its content and signatures."""

    title: str
    fields: list[tuple[str, str]]
    results: list[tuple[str, str, str, str]]  # system · item, status, value, note
    signatures: list[tuple[str, str, datetime]]  # role, signer, time


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


_PREVIEW_SKIP = frozenset(
    {"id", "contract_id", "template_id", "system_id", "holiday_period_id", "supersedes_id"}
    | {"created_at", "updated_at", "created_by", "updated_by", "locked_at", "source_result_id"}
    | {"service_request_id", "fault_id", "status", "action_items", "device_id", "device_seq"}
    | {"period_key", "cadence"}
)


def preview(session: Session, record_id: str) -> Preview:
    """What the review page shows of a record before it is countersigned (read only)."""
    from app.records import inspections

    record_type, record = find(session, record_id)
    titles = _titles(session, record_type, [record])
    fields = [
        (signing.FIELD_LABELS.get(column.key, column.key), _shown(getattr(record, column.key)))
        for column in type(record).__table__.columns
        if column.key not in _PREVIEW_SKIP and _shown(getattr(record, column.key))
    ]
    results: list[tuple[str, str, str, str]] = []
    if record_type == "inspection_run":
        for r in sorted(record.results, key=lambda r: r.seq):
            where = f"{r.system.name} · " if r.system is not None else ""
            value = " / ".join(
                _shown(v) for v in (r.value_num, r.value_num2, r.value_text) if _shown(v)
            )
            status = inspections.STATUS_LABELS.get(r.status or "") or ("" if value else "未填")
            results.append((where + r.item.title, status, value, " ".join((r.note, r.action))))
    if record_type == "inspection_run":
        fields.insert(0, ("巡检类型", periods.CADENCE_NAMES.get(record.cadence, record.cadence)))
    signatures = [
        (s.role, s.signer_name, s.signed_at)
        for s in signing.signatures_of(session, record_type, record.id)
    ]
    label = kind_label(record_type)
    return Preview(f"{label} {titles.get(record.id, '')}".strip(), fields, results, signatures)


# --------------------------------------------------------------------------- writing


def _operator_signature(session: Session, record_type: str, record_id: str) -> Signature:
    for signature in signing.signatures_of(session, record_type, record_id):
        if signature.role == OPERATOR:
            return signature
    raise DomainError("该记录尚无运维人员签字，不能复核。")


def countersign(
    session: Session,
    record_id: str,
    *,
    signer_name: str,
    png: bytes,
    now: datetime | None = None,
) -> Signature:
    """Sign a record as 复核人 (:func:`app.records.signing.sign`, its checks and seal)."""
    record_type, record = find(session, record_id)
    _operator_signature(session, record_type, record.id)
    return signing.sign(
        session,
        record_type,
        record.id,
        role=REVIEWER,
        signer_name=signer_name,
        png=png,
        now=now,
    )


def countersign_batch(
    session: Session,
    record_ids: Iterable[str],
    *,
    viewed: Iterable[str],
    signer_name: str,
    png: bytes,
    now: datetime | None = None,
) -> list[Signature]:
    """Countersign routine all-normal checks the reviewer has viewed, all or none.

    Refused as a whole, with the list, when a record was not viewed, is not an
    inspection run, has an exception or an open return, shares its period with
    another signed run, or is not in the queue.
    """
    wanted = list(dict.fromkeys(record_ids))
    if not wanted:
        raise DomainError("请先选择要批量复核的记录。")
    seen = set(viewed)
    waiting = {item.record_id: item for item in queue(session, kind="inspection_run")}
    problems: list[str] = []
    for record_id in wanted:
        item = waiting.get(record_id)
        if item is None:
            problems.append(f"{record_id[:8]}：不在待复核的巡检记录中（或不是巡检记录）")
        elif record_id not in seen:
            problems.append(f"{item.day} {item.title}：尚未查看")
        elif item.state == RETURNED:
            problems.append(f"{item.day} {item.title}：已退回，待运维人员更正")
        elif item.exceptions:
            problems.append(
                f"{item.day} {item.title}：有 {item.exceptions} 项异常或警告，请逐条复核"
            )
        elif item.twin:
            problems.append(
                f"{item.day} {item.title}：同一周期另有一份已签字的记录（两台电脑各做了一次），"
                "请在「团队」页作废多出的一份"
            )
    if problems:
        raise DomainError("以下记录不能批量复核：\n" + "\n".join(problems))
    return [
        signing.sign(
            session,
            "inspection_run",
            record_id,
            role=REVIEWER,
            signer_name=signer_name,
            png=png,
            now=now,
        )
        for record_id in wanted
    ]


def send_back(
    session: Session,
    record_id: str,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
) -> ReviewReturn:
    """Send a signed record back to its engineer with a reason (see the module docstring)."""
    record_type, record = find(session, record_id)
    text = _util.text(reason, "退回原因", required=True, limit=REASON_LIMIT)
    who = _util.text(actor, "退回人", required=True, limit=_util.NAME_LIMIT)
    operator = _operator_signature(session, record_type, record.id)
    if _util.superseded(session, type(record), record.id):
        raise DomainError("该记录已有更正版本，请在最新版本上复核。")
    for signature in signing.signatures_of(session, record_type, record.id):
        if signature.role == REVIEWER:
            raise DomainError(
                f"该记录已由 {signature.signer_name} 复核签字，不能退回；如需修改请「更正」。"
            )
    row = ReviewReturn(
        contract_id=record.contract_id,
        record_type=record_type,
        record_id=record.id,
        reason=text,
        returned_by=who,
        returned_at=now or datetime.now().replace(microsecond=0),
        engineer=operator.signer_name,
    )
    session.add(row)
    session.flush()
    return row


# --------------------------------------------------------------------------- month packs


def review_required(contract: Contract) -> bool:
    """Whether the contract's profile requires a 复核人 on every record of a pack."""
    return profile_of(contract).review_required


def unreviewed(
    session: Session, contract: Contract | str, start: date, end: date
) -> list[QueueItem]:
    """Records of ``start``..``end`` still waiting for the 复核人 (empty if not required)."""
    row = _util.contract_of(session, contract)
    if not review_required(row):
        return []
    found = queue(session, contract=row.code, start=start, end=end)
    return [i for i in found if i.record_type in PACK_KINDS]


# --------------------------------------------------------------------------- the team's month


@dataclass(frozen=True)
class TeamLine:
    """One engineer's records of a period: signed per kind, awaiting review, sent back."""

    engineer: str
    signed: dict[str, int]  # record type → records signed as 运维人员
    awaiting: int
    returned: int


def team_month(
    session: Session, contract: Contract | str, start: date, end: date
) -> list[TeamLine]:
    """Each engineer's records of ``start``..``end`` (by their 运维人员 signature), by name."""
    row = _util.contract_of(session, contract)
    signed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for record_type, model in SIGNABLE_TYPES.items():
        dated: Any = getattr(model, _date_column(record_type))
        newer: Any = aliased(model)
        query = (
            select(Signature.signer_name)
            .join(model, model.id == Signature.record_id)  # type: ignore[attr-defined]
            .where(
                Signature.record_type == record_type,
                Signature.role == OPERATOR,
                model.contract_id == row.id,  # type: ignore[attr-defined]
                dated >= start,
                dated < _after(end, record_type),
                ~select(newer.id).where(newer.supersedes_id == model.id).exists(),  # type: ignore[attr-defined]
            )
        )
        for name in session.scalars(query):
            signed[name][record_type] += 1
    waiting = queue(session, contract=row.code, start=start, end=end)
    names = sorted(set(signed) | {i.engineer for i in waiting})
    return [
        TeamLine(
            name,
            dict(signed.get(name, {})),
            sum(1 for i in waiting if i.engineer == name),
            sum(1 for i in waiting if i.engineer == name and i.state == RETURNED),
        )
        for name in names
    ]
