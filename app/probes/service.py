"""Probe runs: plan which targets fill which items, run them, store and apply the results.

Three steps, so that no database session is open while the network is used:

1. :func:`plan_run` (or :func:`plan_contract`) reads the store: the checklist's
   items that name a probe, the targets they stand for — the row's system's
   target of that code, or for a row without a system every covered system's —
   and the contract's link list when an item names ``links``;
2. :func:`execute` runs the checks (:mod:`app.probes.engine`);
3. :func:`apply` stores every measurement (``probe_result``, append-only), fills
   the items through :func:`app.records.inspections.set_result` (so thresholds,
   notes and 草稿 work as if typed) and writes one audit entry for the run.

A failed check makes its item 异常 with the measured reason as 异常情况, so the
item is ready for 「生成故障单」. Notes the probe wrote start with
:data:`NOTE_PREFIX`; a later run that finds the target well clears them.
"""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import LINKS_PROBE, ItemDef, Profile, TargetDef
from app.contracts.registry import profile_of
from app.errors import DomainError
from app.probes import checks, consent, links
from app.probes.engine import Done, Job, ProgressFn, StopFn, run_jobs
from app.records import _util, inspections
from db.models import Contract, InspectionRun, ProbeResult

NOTE_PREFIX = "自动检测："
_SEVERITY = {checks.NORMAL: 0, checks.WARNING: 1, checks.ABNORMAL: 2}
#: Broken links listed in a probe result's details (the count is always complete).
BROKEN_LISTED = 1000


@dataclass(frozen=True)
class RowPlan:
    """One item result a probe fills, and the jobs whose measurements it takes."""

    result_id: str
    label: str
    kind: str
    measure: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    contract_id: str
    contract_code: str
    contract_name: str
    run_id: str | None
    concurrency: int
    jobs: list[Job]
    #: job key → (system code, target code); links have ``(None, "links")``
    origin: dict[str, tuple[str | None, str]]
    rows: list[RowPlan] = field(default_factory=list)
    addresses: list[consent.Address] = field(default_factory=list)

    @property
    def link_count(self) -> int:
        return sum(1 for j in self.jobs if j.link)


@dataclass
class Applied:
    batch_id: str
    measured: int = 0
    filled: int = 0
    abnormal: list[str] = field(default_factory=list)  # "label：reason"
    skipped: list[str] = field(default_factory=list)
    links_checked: int = 0
    links_broken: int = 0


# --------------------------------------------------------------------------- plan


def _item_defs(profile: Profile, template_code: str) -> dict[str, ItemDef]:
    for checklist in profile.checklists:
        if checklist.code == template_code:
            return {i.code: i for g in checklist.groups for i in g.items}
    return {}


def _latest_baseline(
    session: Session, contract_id: str, system_code: str | None, target: str
) -> str | None:
    rows = session.scalars(
        select(ProbeResult)
        .where(
            ProbeResult.contract_id == contract_id,
            ProbeResult.kind == "tamper",
            ProbeResult.target == target,
            ProbeResult.system_code.is_(None)
            if system_code is None
            else ProbeResult.system_code == system_code,
        )
        .order_by(ProbeResult.started_at.desc(), ProbeResult.created_at.desc())
        .limit(200)
    )
    for row in rows:
        if (row.details or {}).get("baseline") and row.content_hash:
            return row.content_hash
    return None


class _Builder:
    """Collects jobs once per (system, target), however many items use them."""

    def __init__(self, session: Session, contract: Contract, profile: Profile, rebaseline: bool):
        self.session, self.contract, self.profile = session, contract, profile
        self.rebaseline = rebaseline
        self.jobs: dict[str, Job] = {}
        self.origin: dict[str, tuple[str | None, str]] = {}
        self.names = {s.code: s.name for s in profile.systems}

    def target(self, system_code: str, target: TargetDef) -> str:
        key = f"{system_code}/{target.code}"
        if key not in self.jobs:
            baseline = None
            if target.kind == "tamper" and not self.rebaseline:
                baseline = target.baseline or _latest_baseline(
                    self.session, self.contract.id, system_code, target.code
                )
            label = f"{self.names[system_code]} / {target.name or target.code}"
            self.jobs[key] = Job(key, label, target, baseline)
            self.origin[key] = (system_code, target.code)
        return key

    def links(self) -> list[str]:
        keys = []
        timeout = self.profile.probes.link_timeout_s
        for row in links.stored_links(self.session, self.contract):
            key = f"link:{row.seq}"
            if key not in self.jobs:
                target = TargetDef(code="link", kind="http", url=row.url, timeout_s=timeout)
                self.jobs[key] = Job(key, row.name, target, link=True)
                self.origin[key] = (None, LINKS_PROBE)
            keys.append(key)
        return keys

    def plan(self, run_id: str | None, rows: list[RowPlan]) -> Plan:
        # every address of the contract, whichever this run contacts: what the user approves
        link_urls = [row.url for row in links.stored_links(self.session, self.contract)]
        return Plan(
            contract_id=self.contract.id,
            contract_code=self.contract.code,
            contract_name=self.contract.name,
            run_id=run_id,
            concurrency=self.profile.probes.concurrency,
            jobs=list(self.jobs.values()),
            origin=dict(self.origin),
            rows=rows,
            addresses=consent.addresses(self.profile, link_urls),
        )


def probed_items(session: Session, run_id: str) -> int:
    """How many items of the run's checklist name a probe (0: no 「自动检测」 for it)."""
    run = _util.get(session, InspectionRun, run_id, "巡检记录")
    contract = session.get(Contract, run.contract_id)
    assert contract is not None
    defs = _item_defs(profile_of(contract), run.template.code)
    return sum(1 for r in run.results if (d := defs.get(r.item.code)) and d.probe)


def plan_run(session: Session, run_id: str) -> Plan:
    """The probes of a checklist run: the items that name one, and their targets."""
    run = _util.get(session, InspectionRun, run_id, "巡检记录")
    _util.ensure_unlocked(run)
    contract = session.get(Contract, run.contract_id)
    assert contract is not None
    profile = profile_of(contract)
    defs = _item_defs(profile, run.template.code)
    targets = {s.code: {t.code: t for t in s.targets} for s in profile.systems}
    if run.system is not None:
        covered = [run.system.code]
    else:
        covered = [s.code for s in inspections.template_systems(session, run.template)]
    builder = _Builder(session, contract, profile, rebaseline=False)
    rows: list[RowPlan] = []
    for result in run.results:
        idef = defs.get(result.item.code)
        if idef is None or idef.probe is None:
            continue
        if idef.probe == LINKS_PROBE:
            keys = builder.links()
        else:
            systems = [result.system.code] if result.system is not None else covered
            keys = [
                builder.target(code, targets[code][idef.probe])
                for code in systems
                if idef.probe in targets.get(code, {})
            ]
        if keys:
            label = inspections.result_label(result)
            rows.append(RowPlan(result.id, label, idef.kind, idef.measure, tuple(keys)))
    if not rows:
        raise DomainError(
            f"「{run.template.name}」没有可自动检测的检查项（合同档案中未给检查项设置 probe，"
            "或所查系统没有对应的探测目标）。"
        )
    return builder.plan(run.id, rows)


def plan_contract(
    session: Session,
    contract: Contract | str,
    *,
    system_code: str | None = None,
    with_links: bool = False,
    only_links: bool = False,
    target_code: str | None = None,
    rebaseline: bool = False,
) -> Plan:
    """Every target of a contract (or of one system, or one target code), without a checklist."""
    contract = _util.contract_of(session, contract)
    profile = profile_of(contract)
    if system_code is not None:
        _util.system_of(session, contract, system_code)  # refuses an unknown system
    builder = _Builder(session, contract, profile, rebaseline)
    if not only_links:
        for system in profile.systems:
            if system_code is not None and system.code != system_code:
                continue
            for target in system.targets:
                if target_code is None or target.code == target_code:
                    builder.target(system.code, target)
    if with_links or only_links:
        builder.links()
    if not builder.jobs:
        raise DomainError(f"合同「{contract.name}」没有符合条件的探测目标或链接。")
    return builder.plan(None, [])


def ensure_allowed(session: Session, folder: Path, plan: Plan) -> None:
    """Refuse when this laptop's setting or the contract's profile forbids the plan's probes."""
    contract = _util.get(session, Contract, plan.contract_id, "合同")
    consent.ensure_allowed(folder, profile_of(contract))


def addresses_of(session: Session, contract: Contract | str) -> list[consent.Address]:
    """Every address the contract's probes may contact (targets and link list)."""
    contract = _util.contract_of(session, contract)
    urls = [row.url for row in links.stored_links(session, contract)]
    return consent.addresses(profile_of(contract), urls)


def run_for_day(
    session: Session,
    contract: Contract | str,
    template_code: str,
    day: date,
    *,
    system_code: str | None = None,
    inspector: str,
) -> InspectionRun:
    """The checklist's run for the period of ``day`` (and system), started when there is none.

    A holiday checklist takes the holiday period that contains ``day``.
    """
    from app.schedule import periods
    from app.schedule.holidays import holiday_on

    contract = _util.contract_of(session, contract)
    template = inspections.template_of(session, contract, template_code)
    holiday_id = None
    if template.cadence in periods.HOLIDAY_CADENCES:
        holiday = holiday_on(session, contract, day)
        if holiday is None:
            raise DomainError(f"{day} 不在合同「{contract.name}」的任何节假日保障期内。")
        holiday_id = holiday.id
    key = inspections.period_key_of(template.cadence, day, holiday_id)
    run = inspections.existing_run(session, contract, template_code, key, system_code)
    if run is not None:
        return run
    return inspections.start_run(
        session,
        contract,
        template_code,
        scheduled_date=day,
        system_code=system_code,
        holiday_period_id=holiday_id,
        inspector=inspector,
    )


# --------------------------------------------------------------------------- run


def execute(
    plan: Plan, *, progress: ProgressFn | None = None, stop: StopFn | None = None
) -> dict[str, Done]:
    return run_jobs(plan.jobs, concurrency=plan.concurrency, progress=progress, stop=stop)


# --------------------------------------------------------------------------- apply


def _worst(measurements: list[checks.Measurement]) -> str:
    return max((m.outcome for m in measurements), key=_SEVERITY.__getitem__)


def _joined(dones: list[Done], only_failed: bool) -> str:
    picked = [d for d in dones if not only_failed or d.measurement.outcome != checks.NORMAL]
    if len(dones) == 1:
        return picked[0].measurement.summary if picked else ""
    # one probe over several systems: the system names say enough
    shown = [f"{d.job.label.split(' / ')[0]}：{d.measurement.summary}" for d in picked[:20]]
    more = f"；等 {len(picked)} 项" if len(picked) > 20 else ""
    return "；".join(shown) + more


def _links_text(dones: list[Done]) -> str:
    broken = [d for d in dones if d.measurement.outcome == checks.ABNORMAL]
    head = f"检查 {len(dones)} 条链接，失效 {len(broken)} 条"
    if not broken:
        return head
    listed = "；".join(
        f"{d.job.label} {d.job.target.url}（{d.measurement.summary}）" for d in broken[:10]
    )
    more = " 等" if len(broken) > 10 else ""
    return f"{head}：{listed}{more}"


def _measure(row: RowPlan, dones: list[Done]) -> float | None:
    ms = [d.measurement for d in dones]
    if row.measure == "failures":
        return float(sum(1 for m in ms if m.outcome == checks.ABNORMAL))
    if row.measure == "cert_days":
        days = [m.cert_days for m in ms if m.cert_days is not None]
        return float(int(min(days))) if days else None
    times = [m.elapsed_ms for m in ms if m.elapsed_ms is not None and m.outcome != checks.ABNORMAL]
    return max(times) if times else None


def _fill(session: Session, row: RowPlan, dones: list[Done], report: Applied) -> None:
    from db.models import ItemResult

    result = _util.get(session, ItemResult, row.result_id, "检查项")
    is_link = all(d.job.link for d in dones)
    outcome = _worst([d.measurement for d in dones])
    reason = NOTE_PREFIX + (_links_text(dones) if is_link else _joined(dones, only_failed=True))
    # a note the probe wrote (or none) is the probe's to replace; the engineer's stays
    ours = result.note == "" or NOTE_PREFIX in result.note
    if row.kind == "number":
        value = _measure(row, dones)
        if value is None and row.measure == "cert_days":
            report.skipped.append(f"{row.label}：目标没有 HTTPS 证书信息")
            return
        if ours:
            inspections.set_result(session, result.id, note="")
        if value is None or (row.measure == "ms" and outcome == checks.ABNORMAL):
            inspections.set_result(
                session,
                result.id,
                value=value,
                status="abnormal",
                **({"note": reason} if ours else {}),
            )
        else:
            inspections.set_result(session, result.id, value=value)  # the threshold decides
            if row.measure == "failures" and value and ours:
                auto = result.note
                inspections.set_result(
                    session, result.id, note=f"{auto}；{reason}" if auto else reason
                )
    else:
        text: str | None
        if row.kind == "url":
            failing = [d for d in dones if d.measurement.outcome == checks.ABNORMAL]
            text = (failing[0].job.target.url or None) if failing else None
        else:
            text = _links_text(dones) if is_link else _joined(dones, only_failed=False)
        if outcome != checks.NORMAL:
            note = reason if ours else result.note
        else:
            note = "" if ours else result.note
        inspections.set_result(session, result.id, status=outcome, text=text, note=note)
    report.filled += 1
    if result.status in (inspections.ABNORMAL, inspections.WARNING):
        report.abnormal.append(f"{row.label}：{result.note or reason}")


def _store(session: Session, plan: Plan, done: dict[str, Done], batch: str, actor: str) -> None:
    item_of: dict[str, str] = {}
    for row in plan.rows:
        for key in row.keys:
            item_of.setdefault(key, row.result_id)
    link_dones = [d for d in done.values() if d.job.link]
    for key, d in done.items():
        if d.job.link:
            continue
        m = d.measurement
        system_code, target_code = plan.origin[key]
        session.add(
            ProbeResult(
                contract_id=plan.contract_id,
                batch_id=batch,
                kind=d.job.target.kind,
                target=target_code,
                system_code=system_code,
                address=d.job.target.address,
                started_at=d.started_at,
                outcome=m.outcome,
                status_code=m.status_code,
                elapsed_ms=m.elapsed_ms,
                addresses=m.addresses,
                cert_expiry=m.cert_expiry,
                content_hash=m.content_hash,
                error=m.error,
                summary=m.summary,
                details=m.details | {"label": d.job.label},
                item_result_id=item_of.get(key),
                created_by=actor,
            )
        )
    if link_dones:
        broken = [d for d in link_dones if d.measurement.outcome == checks.ABNORMAL]
        times = [d.measurement.elapsed_ms for d in link_dones if d.measurement.elapsed_ms]
        first = next(k for k, d in done.items() if d.job.link)
        session.add(
            ProbeResult(
                contract_id=plan.contract_id,
                batch_id=batch,
                kind="links",
                target=LINKS_PROBE,
                system_code=None,
                address=f"{len(link_dones)} 条链接",
                started_at=min(d.started_at for d in link_dones),
                outcome=checks.ABNORMAL if broken else checks.NORMAL,
                elapsed_ms=round(statistics.fmean(times), 1) if times else None,
                error="",
                summary=f"检查 {len(link_dones)} 条链接，失效 {len(broken)} 条",
                details={
                    "checked": len(link_dones),
                    "broken_count": len(broken),
                    "broken": [
                        {
                            "name": d.job.label,
                            "url": d.job.target.url,
                            "reason": d.measurement.summary,
                        }
                        for d in broken[:BROKEN_LISTED]
                    ],
                },
                item_result_id=item_of.get(first),
                created_by=actor,
            )
        )


def apply(session: Session, plan: Plan, done: dict[str, Done], *, actor: str) -> Applied:
    """Store the measurements and fill the planned items; one audit entry for the run."""
    from app.storage.guards import note

    report = Applied(batch_id=str(uuid.uuid4()), measured=len(done))
    if plan.run_id is not None:
        run = _util.get(session, InspectionRun, plan.run_id, "巡检记录")
        _util.ensure_unlocked(run)
    _store(session, plan, done, report.batch_id, actor)
    for row in plan.rows:
        dones = [done[k] for k in row.keys if k in done]
        if dones:
            _fill(session, row, dones, report)
    link_dones = [d for d in done.values() if d.job.link]
    report.links_checked = len(link_dones)
    report.links_broken = sum(1 for d in link_dones if d.measurement.outcome == checks.ABNORMAL)
    outcomes = [d.measurement.outcome for d in done.values()]
    note(
        session,
        "probe",
        "inspection_run" if plan.run_id else "contract",
        plan.run_id or plan.contract_id,
        {
            "batch": report.batch_id,
            "targets": len(done) - len(link_dones),
            "links": len(link_dones),
            "abnormal": outcomes.count(checks.ABNORMAL),
            "warning": outcomes.count(checks.WARNING),
            "filled": report.filled,
            "at": datetime.now().replace(microsecond=0).isoformat(),
        },
    )
    return report
