"""Inspection runs: start a checklist, fill it item by item, complete it.

A run is one checklist template filled for one period (``app.schedule.periods``) and,
for templates in ``separate`` mode, one system. Its item results are created
when the run starts: one per item, or for ``grouped`` templates one per
(system, item), ordered by system then item.

Results are evaluated as they are typed:

- number items turn 正常/警告/异常 from the item's threshold unless the user
  sets a status explicitly; the measured value is noted automatically;
- pair items (two counts that must agree) turn 异常 when they differ by more
  than the tolerance, with a note such as
  "申报量 120 与已发送的申报量 118 不一致（差 2）";
- url items must hold a valid http(s) address; whether the link works is
  checked by the engineer, or by a probe the engineer starts (``app.probes``);
- a status item filled by a probe keeps the measurement in ``value_text``
  (shown as 「正常（HTTP 200，85 ms）」).

Changing a completed (not yet signed) run puts it back to draft: it has to be
completed again, so the completion checks always hold for what gets signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.registry import profile_of
from app.errors import DomainError, NotFound
from app.records import _util, faults
from app.schedule import periods
from app.storage.team_state import voided_ids
from db.models import (
    ChecklistItem,
    ChecklistTemplate,
    Contract,
    FaultRecord,
    HolidayPeriod,
    InspectionRun,
    ItemResult,
    System,
)
from db.models import now as current_time

NORMAL: Final = "normal"
WARNING: Final = "warning"
ABNORMAL: Final = "abnormal"
NA: Final = "na"
STATUS_LABELS: dict[str, str] = {NORMAL: "正常", WARNING: "警告", ABNORMAL: "异常", NA: "不适用"}
RUN_STATUS_LABELS: dict[str, str] = {"draft": "草稿", "completed": "已完成", "signed": "已签字"}
KIND_LABELS: dict[str, str] = {
    "status": "状态",
    "number": "数值",
    "pair": "数值核对",
    "url": "链接",
    "text": "文本",
    "photo": "照片",
}

#: A number item confirmed normal without a reading (where the profile allows it).
UNMEASURED_LABEL = "正常（未测值）"

#: Items the profile no longer has are kept with a seq from here on (see contracts).
RETIRED_SEQ = 10_000
URL_LIMIT = 2_000


class _Keep:
    """Marker of an argument that was not given (``None`` means: clear the value)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


# --------------------------------------------------------------------------- helpers


def fmt_number(value: float) -> str:
    """``120.0`` → ``120``, ``85.50`` → ``85.5``."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def evaluate_number(value: float, params: dict[str, Any]) -> str:
    """正常/警告/异常 of a measured value against ``{"warn", "alarm", "direction"}``.

    Reaching a threshold counts (CPU ≥ 80 % → 警告).
    """
    above = params.get("direction", "above") != "below"
    warn, alarm = params.get("warn"), params.get("alarm")

    def reached(limit: float | None) -> bool:
        return limit is not None and (value >= limit if above else value <= limit)

    if reached(alarm):
        return ABNORMAL
    if reached(warn):
        return WARNING
    return NORMAL


def number_note(item: ChecklistItem, value: float | None, status: str | None) -> str:
    """The automatic note of a number item beyond its threshold, else ``""``."""
    params = item.params or {}
    if value is None or status not in (WARNING, ABNORMAL):
        return ""
    if evaluate_number(value, params) != status:
        return ""  # a status the engineer chose: the note is theirs to write
    unit = params.get("unit", "")
    limit = params.get("alarm" if status == ABNORMAL else "warn")
    name = "异常" if status == ABNORMAL else "警告"
    word = "达到" if params.get("direction", "above") != "below" else "低至"
    measured = f"{fmt_number(value)}{unit}"
    if limit is None:
        return f"{item.title} {measured}"
    return f"{item.title} {measured}，{word}{name}阈值 {fmt_number(limit)}{unit}"


def pair_mismatch(item: ChecklistItem, a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) > float((item.params or {}).get("tolerance", 0)) + 1e-9


def pair_note(item: ChecklistItem, a: float | None, b: float | None) -> str:
    """The automatic note of two counts that do not agree, else ``""``."""
    if a is None or b is None or not pair_mismatch(item, a, b):
        return ""
    labels = (item.params or {}).get("labels") or ["数值一", "数值二"]
    return (
        f"{labels[0]} {fmt_number(a)} 与{labels[1]} {fmt_number(b)} 不一致"
        f"（差 {fmt_number(abs(a - b))}）"
    )


def _auto_note(item: ChecklistItem, result: ItemResult) -> str:
    if item.kind == "number":
        return number_note(item, result.value_num, result.status)
    if item.kind == "pair":
        return pair_note(item, result.value_num, result.value_num2)
    return ""


def valid_url(value: str) -> bool:
    if not value or len(value) > URL_LIMIT or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def is_touched(result: ItemResult) -> bool:
    """Whether the engineer has filled the item."""
    if result.status is not None:
        return True
    return result.item.kind == "text" and bool(result.value_text)


def result_label(result: ItemResult) -> str:
    """``网站 / 磁盘空间`` — how an item is named in messages and reports."""
    title = result.item.title
    return f"{result.system.name} / {title}" if result.system is not None else title


def result_display(result: ItemResult) -> str:
    """What the 检查结果 cell of the form shows."""
    kind = result.item.kind
    params = result.item.params or {}
    status = STATUS_LABELS.get(result.status or "", "")
    if kind == "number" and result.value_num is not None:
        value = f"{fmt_number(result.value_num)}{params.get('unit', '')}"
        return f"{value}（{status}）" if status else value
    if kind == "number" and result.status == NORMAL:
        return UNMEASURED_LABEL
    if kind == "pair" and (result.value_num is not None or result.value_num2 is not None):
        labels = params.get("labels") or ["", ""]
        parts = [
            f"{label} {fmt_number(v) if v is not None else '—'}"
            for label, v in zip(labels, (result.value_num, result.value_num2), strict=False)
        ]
        text = "；".join(parts)
        return f"{text}（{status}）" if status else text
    if kind in ("url", "text") and result.value_text:
        return f"{result.value_text}（{status}）" if status else result.value_text
    if kind == "status" and result.value_text and status:
        return f"{status}（{result.value_text}）"  # measured by a probe (app.probes)
    return status


def _run(session: Session, run_id: str) -> InspectionRun:
    return _util.get(session, InspectionRun, run_id, "巡检记录")


def _reopen(run: InspectionRun) -> None:
    """A change to a completed, unsigned run puts it back to draft."""
    if run.status == "completed":
        run.status = "draft"
        run.completed_at = None


# --------------------------------------------------------------------------- start


def period_key_of(cadence: str, scheduled_date: date, holiday_period_id: str | None = None) -> str:
    if cadence in periods.HOLIDAY_CADENCES:
        if holiday_period_id is None:
            raise DomainError("节假日巡检必须选择节假日保障期。")
        return periods.holiday_key(cadence, holiday_period_id, scheduled_date)
    return periods.key(cadence, scheduled_date)


def template_of(session: Session, contract: Contract, template_code: str) -> ChecklistTemplate:
    template = session.scalar(
        select(ChecklistTemplate).where(
            ChecklistTemplate.contract_id == contract.id, ChecklistTemplate.code == template_code
        )
    )
    if template is None:
        raise NotFound(f"合同「{contract.name}」中没有代码为 “{template_code}” 的巡检模板。")
    return template


def template_systems(session: Session, template: ChecklistTemplate) -> list[System]:
    """Active systems a template covers, in the contract's order."""
    systems = session.scalars(
        select(System)
        .where(System.contract_id == template.contract_id, System.active.is_(True))
        .order_by(System.seq, System.code)
    ).all()
    if template.system_codes is None:
        return list(systems)
    wanted = set(template.system_codes)
    return [s for s in systems if s.code in wanted]


def existing_run(
    session: Session,
    contract: Contract | str,
    template_code: str,
    period_key: str,
    system_code: str | None = None,
) -> InspectionRun | None:
    """The latest version of the run of a template for a period (and system), if any."""
    contract = _util.contract_of(session, contract)
    template = template_of(session, contract, template_code)
    system = _util.system_of(session, contract, system_code)
    return _latest_run(session, template, period_key, system)


def _latest_run(
    session: Session, template: ChecklistTemplate, period_key: str, system: System | None
) -> InspectionRun | None:
    query = select(InspectionRun).where(
        InspectionRun.template_id == template.id, InspectionRun.period_key == period_key
    )
    query = query.where(
        InspectionRun.system_id.is_(None)
        if system is None
        else InspectionRun.system_id == system.id
    )
    runs = list(session.scalars(query))
    superseded = {r.supersedes_id for r in runs if r.supersedes_id}
    gone = superseded | voided_ids(session) if runs else superseded  # 作废: as if never done
    current = [r for r in runs if r.id not in gone]
    return max(current, key=lambda r: r.created_at) if current else None


def _check_date(
    contract: Contract, template: ChecklistTemplate, scheduled: date, holiday: HolidayPeriod | None
) -> None:
    """The day must lie in the contract period; a holiday check needs its holiday period.

    A holiday daily check's day must lie within that period.
    """
    if template.cadence in periods.HOLIDAY_CADENCES:
        if holiday is None:
            raise DomainError(f"「{template.name}」是节假日巡检，请选择节假日保障期。")
        if (
            template.cadence == "holiday_daily"
            and not holiday.start_date <= scheduled <= holiday.end_date
        ):
            raise DomainError(
                f"节日期间每日检查的日期 {scheduled} 不在「{holiday.name}」"
                f"（{holiday.start_date} 至 {holiday.end_date}）内。"
            )
    elif not contract.start_date <= scheduled <= contract.end_date:
        raise DomainError(
            f"巡检日期 {scheduled} 不在合同服务期（{contract.start_date} 至 "
            f"{contract.end_date}）内。"
        )


def _run_system(
    session: Session,
    contract: Contract,
    template: ChecklistTemplate,
    system_code: str | None,
    covered: list[System],
) -> System | None:
    """The system of a run: required (and covered) for per-system templates, else none."""
    if template.systems_mode != "separate":
        if system_code:
            raise DomainError(f"「{template.name}」不按系统分别巡检，不能指定系统。")
        return None
    if not system_code:
        raise DomainError(f"「{template.name}」按系统分别巡检，请选择系统。")
    system = _util.system_of(session, contract, system_code)
    if system not in covered:
        raise DomainError(
            f"系统「{system.name if system else system_code}」不在「{template.name}」的巡检范围内。"
        )
    return system


def _result_pairs(
    template: ChecklistTemplate, system: System | None, covered: list[System]
) -> list[tuple[System | None, ChecklistItem]]:
    """(system, item) of each result row: every covered system × item for grouped templates."""
    items = [i for i in template.items if i.seq < RETIRED_SEQ]
    if not items:
        raise DomainError(f"巡检模板「{template.name}」没有检查项。")
    if template.systems_mode == "grouped":
        if not covered:
            raise DomainError(f"「{template.name}」没有可巡检的系统。")
        return [(s, i) for s in covered for i in items]
    return [(system, i) for i in items]


def start_run(
    session: Session,
    contract: Contract | str,
    template_code: str,
    *,
    scheduled_date: date,
    system_code: str | None = None,
    holiday_period_id: str | None = None,
    inspector: str,
    started_at: datetime | None = None,
) -> InspectionRun:
    """Start filling a checklist for the period containing ``scheduled_date``.

    Refused when the template already has a run for that period (and system):
    the existing run is to be continued, or corrected by an amendment.
    """
    contract = _util.contract_of(session, contract)
    template = template_of(session, contract, template_code)
    if not template.active:
        raise DomainError(f"巡检模板「{template.name}」已停用，不能再开始新的巡检。")
    scheduled = _util.day(scheduled_date, "巡检日期")
    inspector = _util.text(inspector, "巡检人员", required=True, limit=_util.NAME_LIMIT)
    started = _util.moment(started_at, "开始时间") if started_at is not None else current_time()
    cadence = template.cadence
    holiday = _util.holiday_of(session, contract, holiday_period_id)
    _check_date(contract, template, scheduled, holiday)
    covered = template_systems(session, template)
    system = _run_system(session, contract, template, system_code, covered)
    key = period_key_of(cadence, scheduled, holiday.id if holiday else None)
    existing = _latest_run(session, template, key, system)
    if existing is not None:
        where = f"（{system.name}）" if system else ""
        raise DomainError(
            f"「{template.name}」{key}{where}已有巡检记录"
            f"（{RUN_STATUS_LABELS.get(existing.status, existing.status)}），"
            "请打开已有记录继续填写或更正。"
        )
    pairs = _result_pairs(template, system, covered)
    run = InspectionRun(
        contract_id=contract.id,
        template=template,
        system=system,
        holiday_period_id=holiday.id if holiday else None,
        cadence=cadence,
        period_key=key,
        scheduled_date=scheduled,
        started_at=started,
        status="draft",
        inspector=inspector,
    )
    for seq, (sys_, item) in enumerate(pairs, start=1):
        run.results.append(ItemResult(item=item, system=sys_, seq=seq))
    session.add(run)
    return run


# --------------------------------------------------------------------------- fill


def set_result(
    session: Session,
    result_id: str,
    *,
    status: str | None = KEEP,
    value: float | str | None = KEEP,
    value2: float | str | None = KEEP,
    text: str | None = KEEP,
    note: str | None = KEEP,
    action: str | None = KEEP,
) -> ItemResult:
    """Fill one item. Arguments not given are kept; ``None`` clears a value.

    ``status`` is a code (normal/warning/abnormal/na) or its label (正常 …);
    ``value``/``value2`` are the numbers of number and pair items; ``text`` is
    the URL of url items and the answer of text items.
    """
    result = _util.get(session, ItemResult, result_id, "检查项")
    _util.ensure_unlocked(result)
    item = result.item
    kind = item.kind
    label = result_label(result)
    new: dict[str, Any] = {}
    if status is not KEEP:
        new["status"] = (
            None if status in (None, "") else _util.choice(status, "检查结果", STATUS_LABELS)
        )
    if value is not KEEP:
        if kind not in ("number", "pair"):
            raise DomainError(f"「{label}」不是数值检查项，不能填写数值。")
        new["value_num"] = _util.number(value, label)
    if value2 is not KEEP:
        if kind != "pair":
            raise DomainError(f"「{label}」不是两数核对检查项，不能填写第二个数值。")
        new["value_num2"] = _util.number(value2, label)
    if text is not KEEP:
        if kind in ("number", "pair"):
            raise DomainError(f"「{label}」是数值检查项，请填写数值。")
        value_text = _util.text(text, label)
        if kind == "url" and value_text and not valid_url(value_text):
            raise DomainError(f"「{label}」的链接 “{value_text[:100]}” 不是有效的 http(s) 地址。")
        new["value_text"] = value_text
    if note is not KEEP:
        new["note"] = _util.text(note, "异常情况")
    if action is not KEEP:
        new["action"] = _util.text(action, "处理措施")

    old_auto = _auto_note(item, result)
    a = new.get("value_num", result.value_num)
    b = new.get("value_num2", result.value_num2)
    if kind == "number" and "status" not in new and "value_num" in new:
        new["status"] = evaluate_number(a, item.params or {}) if a is not None else None
    if kind == "pair" and "status" not in new and ({"value_num", "value_num2"} & set(new)):
        if a is None or b is None:
            new["status"] = None
        else:
            new["status"] = ABNORMAL if pair_mismatch(item, a, b) else NORMAL
    if kind in ("number", "pair") and "note" not in new and result.note in ("", old_auto):
        status_after = new.get("status", result.status)
        new["note"] = (
            number_note(item, a, status_after) if kind == "number" else pair_note(item, a, b)
        )

    changed = {k: v for k, v in new.items() if getattr(result, k) != v}
    if changed:
        for name, v in changed.items():
            setattr(result, name, v)
        _reopen(result.run)
    return result


def pending_items(session: Session, run_id: str) -> list[ItemResult]:
    """Required items not filled yet, in form order."""
    run = _run(session, run_id)
    return [r for r in run.results if r.item.required and not is_touched(r)]


def may_be_unmeasured(item: ChecklistItem) -> bool:
    """A number item the profile lets be confirmed 「正常（未测值）」."""
    return item.kind == "number" and bool((item.params or {}).get("allow_unmeasured"))


def mark_rest_normal(session: Session, run_id: str) -> int:
    """「其余全部正常」: every untouched status, url and photo item becomes 正常.

    So does a number item without a reading where the profile allows
    「正常（未测值）」 (:func:`may_be_unmeasured`). Other number, pair and text items
    cannot be normal without a value; they stay untouched (see :func:`pending_items`).
    Returns how many items were marked.
    """
    run = _run(session, run_id)
    _util.ensure_unlocked(run)
    marked = [
        r
        for r in run.results
        if r.status is None
        and (
            r.item.kind in ("status", "url", "photo")
            or (may_be_unmeasured(r.item) and r.value_num is None)
        )
    ]
    for result in marked:
        result.status = NORMAL
    if marked:
        _reopen(run)
    return len(marked)


def suggest_conclusion(run: InspectionRun) -> str:
    """A conclusion to prefill: 全部正常, or how many items were abnormal."""
    abnormal = sum(1 for r in run.results if r.status == ABNORMAL)
    warning = sum(1 for r in run.results if r.status == WARNING)
    if not abnormal and not warning:
        return "巡检项目全部正常。"
    parts = []
    if abnormal:
        parts.append(f"{abnormal} 项异常")
    if warning:
        parts.append(f"{warning} 项警告")
    return f"发现 {'、'.join(parts)}，详见异常情况及处理措施。"


def _names(results: list[ItemResult], limit: int = 5) -> str:
    names = "、".join(result_label(r) for r in results[:limit])
    return names + (f" 等 {len(results)} 项" if len(results) > limit else "")


def complete_run(
    session: Session,
    run_id: str,
    *,
    conclusion: str,
    remediation: str = "",
    remediation_deadline: date | None = None,
    completed_at: datetime | None = None,
) -> InspectionRun:
    """Complete the run after checking that it is fully and properly filled."""
    run = _run(session, run_id)
    _util.ensure_unlocked(run)
    conclusion = _util.text(conclusion, "巡检结论", required=True)
    remediation = _util.text(remediation, "整改要求")
    if remediation_deadline is not None:
        remediation_deadline = _util.day(remediation_deadline, "整改期限")
        if remediation_deadline < run.scheduled_date:
            raise DomainError(
                f"整改期限 {remediation_deadline} 不能早于巡检日期 {run.scheduled_date}。"
            )
    finished = (
        _util.moment(completed_at, "完成时间") if completed_at is not None else current_time()
    )
    untouched = [r for r in run.results if r.item.required and not is_touched(r)]
    if untouched:
        raise DomainError(f"还有 {len(untouched)} 项必填检查项未填写：{_names(untouched)}。")
    unexplained = [r for r in run.results if r.status in (ABNORMAL, WARNING) and not r.note]
    if unexplained:
        raise DomainError(f"异常或警告的检查项必须填写异常情况：{_names(unexplained)}。")
    unhandled = [
        r
        for r in run.results
        if r.status == ABNORMAL and not r.action and linked_fault(session, r) is None
    ]
    if unhandled:
        raise DomainError(f"异常的检查项须填写处理措施或生成故障单：{_names(unhandled)}。")
    run.conclusion = conclusion
    run.remediation = remediation
    run.remediation_deadline = remediation_deadline
    run.completed_at = finished
    run.status = "completed"
    return run


# --------------------------------------------------------------------------- faults


def linked_fault(session: Session, result: ItemResult) -> FaultRecord | None:
    """The fault opened from this item, if any."""
    if result.fault_id is not None:
        return session.get(FaultRecord, result.fault_id)
    return session.scalar(
        select(FaultRecord).where(FaultRecord.source_result_id == result.id).limit(1)
    )


def fault_prefill(result: Any, system: Any) -> dict[str, str]:
    """The title, category and symptom a fault opened from an item gets (``system``: its system).

    ``result`` is an item result with its ``item`` (an ORM row or the demo's plain row).
    """
    state = STATUS_LABELS[result.status]
    title = (
        f"{system.name} {result.item.title} {state}" if system else f"{result.item.title} {state}"
    )
    return {
        "title": title[:200],
        "category": result.item.group[:64],
        "symptom": result.note or f"{result.item.title}：{result_display(result)}",
    }


def open_fault_from_result(
    session: Session,
    result_id: str,
    *,
    reported_at: datetime | None = None,
    level: str | None = None,
    actor: str,
    now: datetime | None = None,
) -> FaultRecord:
    """「生成故障单」: a fault prefilled from an abnormal (or warning) item, linked both ways.

    The fault's title is "<系统> <检查项> 异常", its discovery 巡检 and its
    symptom the item's note; ``actor`` becomes the handler. The level defaults
    to the least severe level of the profile. On a signed run the item cannot
    change, so only the fault points to the item (``source_result_id``).
    """
    result = _util.get(session, ItemResult, result_id, "检查项")
    if result.status not in (ABNORMAL, WARNING):
        raise DomainError("只有结果为异常或警告的检查项才能生成故障单。")
    existing = linked_fault(session, result)
    if existing is not None:
        raise DomainError(f"该检查项已生成故障单 {existing.number}。")
    actor = _util.text(actor, "处理人", required=True, limit=_util.NAME_LIMIT)
    run = result.run
    contract = session.get(Contract, run.contract_id)
    assert contract is not None
    system = result.system or run.system
    fault = faults.create_fault(
        session,
        contract,
        level=level if level is not None else faults.default_level(profile_of(contract)).code,
        reported_at=reported_at if reported_at is not None else (now or current_time()),
        system_code=system.code if system else None,
        discovery="inspection",
        handler=actor,
        holiday_period_id=run.holiday_period_id,
        source_result_id=result.id,
        now=now,
        **fault_prefill(result, system),
    )
    if run.locked_at is None:
        result.fault_id = fault.id
    return fault


@dataclass(frozen=True)
class RunSummary:
    total: int
    filled: int
    normal: int
    warning: int
    abnormal: int
    na: int
    pending_required: int


def summarize(run: InspectionRun) -> RunSummary:
    results = run.results
    count = {s: sum(1 for r in results if r.status == s) for s in STATUS_LABELS}
    return RunSummary(
        total=len(results),
        filled=sum(1 for r in results if is_touched(r)),
        normal=count[NORMAL],
        warning=count[WARNING],
        abnormal=count[ABNORMAL],
        na=count[NA],
        pending_required=sum(1 for r in results if r.item.required and not is_touched(r)),
    )
