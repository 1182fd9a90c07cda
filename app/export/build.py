"""Context builders: from the store (through :class:`ExportData`) to form contexts.

:func:`build` takes a :class:`Job` — which form, for which period or
records — and returns the form's context (:mod:`app.export.context`). No
template is touched here; the numbers of the 运维月报 come from
:mod:`app.export.stats`, so Word and Excel print the same values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, is_dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app import __version__
from app.export import context as c
from app.export import events as ev
from app.export import narrative, ooxml
from app.export import stats as st
from app.export.data import ExportData, ResultRow, RunRow
from app.export.errors import ExportError
from app.export.forms import spec
from app.export.sandbox import _field_names
from app.integrity.signing_keys import document_digest, verification_code
from app.probes import history as probe_history
from app.records import articles as articles_mod
from app.records import faults as faults_mod
from app.records import inspections as insp
from app.records import knowledge as knowledge_mod
from app.records import meetings as meetings_mod
from app.records import requests as req_mod
from app.records.articles import ArticleRow
from app.records.signing import ROLES, short_code
from app.schedule import periods
from app.schedule import sla as sla_mod
from app.schedule.workcal import window_label
from db.canonical import text as canonical_text
from db.models import ChecklistItem, FaultRecord, MeetingMinutes, ServiceRequest, Signature

#: A captured signature prints about 3.8 cm wide (its own shape kept), never taller
#: than 1.6 cm: a sensible hand-signed size in the 5.3 cm cells of the signature block.
SIGNATURE_WIDTH_MM = 38.0
SIGNATURE_MAX_HEIGHT_MM = 16.0
ATTACHMENT_WIDTH_MM = 120.0
DONE = ("completed", "signed")
PRIORITY = req_mod.PRIORITIES
FOLLOW = {True: "是", False: "否"}
TREND_MONTHS = 6


@dataclass
class Job:
    """One form to build: kind, period, and (for record forms) which records."""

    kind: str
    period: c.PeriodInfo
    deliverable_code: str = ""
    deliverable_name: str = ""
    record_ids: list[str] | None = None
    holiday_id: str | None = None
    exporter: str = ""
    now: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    #: the exporter's signing key id: the footer code becomes ``verification_code(key_id, …)``
    key_id: str = ""


# --------------------------------------------------------------------------- helpers


def contract_info(data: ExportData) -> c.ContractInfo:
    k = data.contract
    window = window_label(k.service_window)
    hours = data.profile.service_hours
    if k.service_window == "5x8":
        window += f"（{hours.start}-{hours.end}）"
    return c.ContractInfo(
        code=k.code,
        name=k.name,
        client=k.client,
        vendor=k.vendor,
        contract_no=k.contract_no,
        site=k.site,
        start=k.start_date,
        end=k.end_date,
        service_window=window,
    )


def _json_default(value: Any) -> Any:
    """How :func:`canonical` writes what JSON lacks: dataclasses as objects, images by hash."""
    kind = type(value)
    convert = _CONVERT.get(kind)
    if convert is None:
        convert = _converter(kind)
        _CONVERT[kind] = convert
    return convert(value)


def _converter(kind: type) -> Any:
    if kind is c.Image:
        return lambda value: _image_digest(value.data)
    if kind is datetime or kind is date:
        return kind.isoformat
    if is_dataclass(kind):
        params = getattr(kind, "__dataclass_params__", None)
        fields = dataclasses.fields(kind)
        if params is not None and params.frozen and all(f.init for f in fields):
            # a frozen dataclass's __dict__ holds exactly its fields
            return vars
        names = _field_names(kind)
        return lambda value: {name: getattr(value, name) for name in names}

    def refuse(value: Any) -> Any:
        raise TypeError(f"cannot stamp {kind.__name__}")

    return refuse


_CONVERT: dict[type, Any] = {}


#: What a context holds in several places — a run in 「runs」, in its day and in
#: 「detailed」: encoded once per :func:`canonical`, its text repeated where it recurs.
_SHARED = (c.InspectionRunCtx,)


def canonical(value: Any) -> str:
    """A context (or part of one) as canonical JSON: sorted keys, no spaces, UTF-8 text.

    Dataclasses become objects of their fields, dates ISO strings, images the
    SHA-256 of their bytes. The JSON encoder walks lists, dicts and scalars in
    C; only dataclasses, dates and images come back to Python. A shared object
    (:data:`_SHARED`) is encoded once: the encoder writes a placeholder, a string
    no data can hold (a random nonce), replaced by the object's text afterwards —
    the same text as encoding it at each place (a month's 巡检记录单: 2.8 MB).
    """
    texts: dict[int, tuple[Any, str]] = {}
    nonce: list[str] = []

    def default(obj: Any) -> Any:
        if type(obj) not in _SHARED:
            return _json_default(obj)
        if not nonce:
            nonce.append(secrets.token_hex(16))
        if id(obj) not in texts:
            texts[id(obj)] = (obj, canonical_text(_json_default(obj), default))
        return f"\x00{nonce[0]}:{id(obj)}"

    text = canonical_text(value, default)
    if not texts:
        return text
    mark = re.compile(re.escape(json.dumps(f"\x00{nonce[0]}:")[:-1]) + r'(\d+)"')
    return mark.sub(lambda m: texts[int(m.group(1))][1], text)


_IMAGE_DIGESTS: dict[int, tuple[bytes, str]] = {}


def _image_digest(data: bytes) -> str:
    found = _IMAGE_DIGESTS.get(id(data))
    if found is None or found[0] is not data:
        found = (data, hashlib.sha256(data).hexdigest())
        if len(_IMAGE_DIGESTS) > 1000:
            _IMAGE_DIGESTS.clear()
        _IMAGE_DIGESTS[id(data)] = found
    return found[1]


def digest(value: Any) -> str:
    """SHA-256 of a context's content (canonical JSON; images by their hash)."""
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


LABELS = {
    "inspection_run": ("巡检人", "项目经理", "甲方"),
    "fault_record": ("处理人", "项目经理", "甲方"),
    "service_request": ("处理人", "项目经理", "甲方"),
    "meeting_minutes": ("记录人", "项目经理", "甲方"),
    "holiday": ("值班人", "项目经理", "甲方"),
    "report": ("编制", "审核", "甲方"),
}


#: role → the name of whoever is known to sign it (编制人, 巡检人, 处理人 …)
Known = dict[str, str]


def blank_block(labels: tuple[str, str, str], known: Known | None = None) -> c.SignatureBlock:
    """An unsigned block; the names of known signers printed, their signatures left blank."""
    known = known or {}
    cells = [
        c.SignatureCell(
            role=role,
            label=label,
            name=known.get(role, ""),
            note="（单位盖章）" if role == "甲方确认" else "",
        )
        for role, label in zip(ROLES, labels, strict=True)
    ]
    return c.SignatureBlock(*cells)


def names(values: Iterable[str]) -> str:
    """Distinct names in the order they first appear, joined with 「、」."""
    return "、".join(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def signers(signatures: Iterable[Signature]) -> Known:
    """role → the names of who signed it, over several records (see :func:`names`)."""
    by_role: dict[str, list[str]] = {}
    for s in signatures:
        by_role.setdefault(s.role, []).append(s.signer_name)
    return {role: names(found) for role, found in by_role.items()}


def period_block(
    rows: list[Any], kind: str, operators: Iterable[str], signed: Iterable[Signature]
) -> c.SignatureBlock:
    """A form listing several records: one record's own block, else an unsigned block naming
    the records' 运维人员 (``operators``) and whoever signed them in each role."""
    if len(rows) == 1:
        return rows[0].signatures  # type: ignore[no-any-return]
    return blank_block(LABELS[kind], {ROLES[0]: names(operators)} | signers(signed))


def author(job: Job) -> Known:
    """A report's 编制人 is whoever exports it."""
    return {ROLES[0]: job.exporter} if job.exporter else {}


def _run_signers(runs: list[RunRow], sigs: dict[str, list[Signature]]) -> Known:
    """The inspectors of ``runs`` as 运维人员 and whoever signed them in each role."""
    known = signers(s for r in runs for s in sigs.get(r.id, []))
    inspectors = names(r.inspector for r in runs)
    if inspectors:
        known[ROLES[0]] = inspectors
    return known


def signature_image(data: ExportData, sha256: str, caption: str) -> c.Image | None:
    """A signature's picture, sized for print (one object per image and caption)."""
    key = (sha256, caption)
    found = data.images.get(key)
    if found is None:
        png = data.blob(sha256)
        if png is None:
            return None
        width, height = SIGNATURE_WIDTH_MM, SIGNATURE_WIDTH_MM / 3
        try:
            info = ooxml.image_info(png)
            height = SIGNATURE_WIDTH_MM * info.px_height / info.px_width
        except (ValueError, ZeroDivisionError):
            pass  # not a picture Word knows: placed at the default shape (and reported there)
        if height > SIGNATURE_MAX_HEIGHT_MM:
            width, height = width * SIGNATURE_MAX_HEIGHT_MM / height, SIGNATURE_MAX_HEIGHT_MM
        found = c.Image(png, round(width, 2), round(height, 2), caption)
        data.images[key] = found
    return found  # type: ignore[no-any-return]


def signature_block(
    data: ExportData,
    signatures: list[Signature],
    labels: tuple[str, str, str],
    known: Known | None = None,
) -> c.SignatureBlock:
    """The block of one record: its signatures; an unsigned cell prints the known name."""
    by_role = {s.role: s for s in signatures}
    known = known or {}
    cells = []
    for role, label in zip(ROLES, labels, strict=True):
        note = "（单位盖章）" if role == "甲方确认" else ""
        s = by_role.get(role)
        image = signature_image(data, s.image_sha256, f"{role} {label}") if s else None
        if s is None or image is None:
            name = s.signer_name if s is not None else known.get(role, "")
            cells.append(c.SignatureCell(role=role, label=label, name=name, note=note))
            continue
        cells.append(
            c.SignatureCell(
                role=role,
                label=label,
                signed=True,
                name=s.signer_name,
                date=s.signed_at,
                image=image,
                note=note,
            )
        )
    return c.SignatureBlock(*cells)


def _record_code(signatures: list[Signature], fallback: Any) -> str:
    """A record's verification code: the signed content hash, else its exported content."""
    if signatures:
        return short_code(signatures[0].content_sha256)
    return short_code(digest(fallback))


def _base(data: ExportData, job: Job) -> dict[str, Any]:
    form = spec(job.kind)
    return {
        "form": job.kind,
        "title": job.deliverable_name or form.title,
        "deliverable": job.deliverable_name,
        "contract": contract_info(data),
        "period": job.period,
        "exporter": job.exporter,
        "exported_at": job.now,
        "app_version": __version__,
    }


#: the key id of the job being built (set by :func:`build`; empty: a bare content code)
_KEY_ID: ContextVar[str] = ContextVar("omw_export_key_id", default="")


def _finish(ctx: c.FormContext) -> c.FormContext:
    """Stamp the verification code over the content (not the export time).

    With the exporter's key id (``Job.key_id``) the code is
    :func:`app.integrity.signing_keys.verification_code` — ``K<key id>-<digest prefix>``,
    what the printed footer and the signed manifest carry; without one, the
    bare digest prefix.
    """
    skip = ("exported_at", "exporter", "verification_code")
    stamp = {n: getattr(ctx, n) for n in _field_names(type(ctx)) if n not in skip}
    content = document_digest(canonical(stamp).encode("utf-8"))
    key_id = _KEY_ID.get()
    ctx.verification_code = verification_code(key_id, content) if key_id else short_code(content)
    return ctx


def _counts(counter: Counter[str] | list[tuple[str, int]]) -> list[c.Count]:
    items = counter.most_common() if isinstance(counter, Counter) else list(counter)
    items = sorted(items, key=lambda kv: (-kv[1], kv[0]))
    total = sum(n for _k, n in items)
    return [c.Count(name=k, count=n, share=st.rate(n, total) or 0.0) for k, n in items]


def _bounds(job: Job) -> tuple[date, date]:
    return job.period.start, job.period.end


# --------------------------------------------------------------------------- inspections


def result_text(res: ResultRow, item: ChecklistItem | None) -> str:
    """The 检查结果 cell (as :func:`app.records.inspections.result_display`)."""
    status = insp.STATUS_LABELS.get(res.status or "", "")
    if item is None:
        return status
    params = item.params or {}
    if item.kind == "number" and res.value_num is not None:
        value = f"{insp.fmt_number(res.value_num)}{params.get('unit', '')}"
        return f"{value}（{status}）" if status else value
    if item.kind == "pair" and (res.value_num is not None or res.value_num2 is not None):
        labels = params.get("labels") or ["", ""]
        parts = [
            f"{label} {insp.fmt_number(v) if v is not None else '—'}"
            for label, v in zip(labels, (res.value_num, res.value_num2), strict=False)
        ]
        text = "；".join(parts)
        return f"{text}（{status}）" if status else text
    if item.kind in ("url", "text") and res.value_text:
        return f"{res.value_text}（{status}）" if status else res.value_text
    if item.kind == "status" and res.value_text and status:
        return f"{status}（{res.value_text}）"  # measured by a probe
    return status


def _inspection_rows(
    data: ExportData, run: RunRow, results: list[ResultRow]
) -> list[c.InspectionRow]:
    rows = []
    for n, res in enumerate(results, start=1):
        item = data.items.get(res.item_id)
        fault_no = data.fault_numbers.get(res.fault_id or "", "") if res.fault_id else ""
        rows.append(
            c.InspectionRow(
                seq=n,
                group=item.group if item else "",
                system=data.system_name(res.system_id),
                item=item.title if item else "",
                method=item.method if item else "",
                standard=item.standard if item else "",
                result=result_text(res, item),
                status=insp.STATUS_LABELS.get(res.status or "", ""),
                value=res.value_num if item is not None and item.kind == "number" else None,
                abnormal=res.status in (insp.ABNORMAL, insp.WARNING),
                note=res.note,
                action=res.action,
                remark=f"故障单 {fault_no}" if fault_no else "",
            )
        )
    return rows


WEEKDAYS = "一二三四五六日"


def run_summary(rows: list[c.InspectionRow]) -> str:
    """A run's results in a few words: 「全部正常（48 项）」, else the count of each result."""
    counts = Counter(r.status for r in rows)
    if rows and counts[insp.STATUS_LABELS[insp.NORMAL]] == len(rows):
        return f"全部正常（{len(rows)} 项）"
    parts = [
        f"{label} {counts[label]} 项"
        for label in ("异常", "警告", "正常", "不适用")
        if counts[label]
    ]
    noted = sum(1 for r in rows if not r.status and r.result)
    if noted:
        parts.append(f"记录 {noted} 项")
    empty = [r.item for r in rows if not r.status and not r.result]
    if empty:
        parts.append(f"未填写 {len(empty)} 项（{names(empty)}）")
    return "，".join(parts) or "无检查项"


def _scope(run: RunRow, rows: list[c.InspectionRow], data: ExportData) -> str:
    if run.system_id:
        return data.system_name(run.system_id)
    systems = list(dict.fromkeys(r.system for r in rows if r.system))
    if len(systems) == 1:
        return systems[0]
    return f"{len(systems)} 个系统" if systems else "—"


def _run_ctx(
    data: ExportData,
    run: RunRow,
    results: list[ResultRow],
    signatures: list[Signature],
    alone: bool = False,
) -> c.InspectionRunCtx:
    template = data.templates.get(run.template_id)
    rows = _inspection_rows(data, run, results)
    holiday = data.holiday(run.holiday_period_id) if run.holiday_period_id else None
    cadence = periods.CADENCE_NAMES.get(run.cadence, run.cadence)
    if holiday is not None:
        cadence = f"{holiday.name} {cadence}"
    amendment = ""
    if run.supersedes_id:
        amendment = f"本记录为更正记录，更正原因：{run.amendment_reason or '—'}"
    body = {"run": run.id, "rows": rows, "conclusion": run.conclusion}
    return c.InspectionRunCtx(
        id=run.id,
        name=template.name if template else "",
        category=template.category if template else "",
        system=data.system_name(run.system_id),
        cadence=cadence,
        date=run.scheduled_date,
        started_at=run.started_at,
        completed_at=run.completed_at,
        inspector=run.inspector,
        status=insp.RUN_STATUS_LABELS.get(run.status, run.status),
        conclusion=run.conclusion,
        remediation=run.remediation,
        remediation_deadline=run.remediation_deadline,
        item_count=len(rows),
        abnormal_count=sum(1 for r in rows if r.abnormal),
        amendment=amendment,
        rows=rows,
        signatures=signature_block(
            data, signatures, LABELS["inspection_run"], {ROLES[0]: run.inspector}
        ),
        verification_code=_record_code(signatures, body),
        scope=_scope(run, rows, data),
        summary=run_summary(rows),
        detailed=alone or any(r.abnormal for r in rows),
        detail_rows=[r for r in rows if alone or r.abnormal or r.note or r.action or r.remark],
    )


def _checklist(runs: list[c.InspectionRunCtx]) -> list[c.ChecklistLine]:
    """Each checked item of the period once (name, item, method, standard) with its systems."""
    found: dict[tuple[str, str, str, str], list[str]] = {}
    for run in runs:
        for row in run.rows:
            found.setdefault((run.name, row.item, row.method, row.standard), []).append(row.system)
    return [
        c.ChecklistLine(
            seq=n, name=name, item=item, method=method, standard=standard, systems=names(systems)
        )
        for n, ((name, item, method, standard), systems) in enumerate(found.items(), start=1)
    ]


def _days(runs: list[c.InspectionRunCtx]) -> list[c.InspectionDay]:
    by_day: dict[date, list[c.InspectionRunCtx]] = {}
    for run in runs:
        by_day.setdefault(run.date, []).append(run)
    return [
        c.InspectionDay(
            date=day,
            label=f"{day.isoformat()}（星期{WEEKDAYS[day.weekday()]}）",
            runs=found,
            detailed=sum(1 for r in found if r.abnormal_count),
        )
        for day, found in by_day.items()
    ]


def _inspection_overview(runs: list[c.InspectionRunCtx]) -> str:
    if not runs:
        return "本期间无已完成的巡检记录。"
    cadences = Counter(r.cadence for r in runs)
    by_cadence = "、".join(f"{k} {n} 次" for k, n in cadences.items())
    statuses = Counter(row.status for r in runs for row in r.rows)
    flagged = [r for r in runs if r.abnormal_count]
    items = sum(r.item_count for r in runs)
    text = f"本期共完成巡检 {len(runs)} 次（{by_cadence}），检查 {items} 项次"
    if flagged:
        found = "、".join(
            f"{label} {statuses[label]} 项" for label in ("异常", "警告") if statuses[label]
        )
        text += f"；其中 {len(flagged)} 次巡检发现{found}，逐项列于「二、异常及处理明细」"
    else:
        text += "，全部正常"
    return text + "。"


def _record_runs(data: ExportData, job: Job) -> list[RunRow]:
    start, end = _bounds(job)
    if job.record_ids is not None:
        wanted = set(job.record_ids)
        found = [r for r in data.runs(date.min, date.max) if r.id in wanted]
        if len(found) != len(wanted):
            raise ExportError("找不到要导出的巡检记录（可能已被更正，请导出最新版本）。")
        return found
    return [r for r in data.runs(start, end) if r.status in DONE and r.holiday_period_id is None]


def build_inspection_record(data: ExportData, job: Job) -> c.InspectionRecordCtx:
    runs = _record_runs(data, job)
    results = data.results(runs)
    sigs = data.signatures("inspection_run", [r.id for r in runs])
    data.prefetch_blobs({s.image_sha256 for ss in sigs.values() for s in ss})
    alone = len(runs) == 1
    ctxs = [_run_ctx(data, r, results[r.id], sigs[r.id], alone) for r in runs]
    ctxs.sort(key=lambda r: (r.date, r.system, r.name, r.started_at or datetime.min))
    base = _base(data, job)
    block = (
        ctxs[0].signatures
        if len(ctxs) == 1
        else blank_block(LABELS["inspection_run"], _run_signers(runs, sigs))
    )
    flat = [
        c.InspectionLine(
            date=run.date,
            name=run.name,
            system=row.system or run.system,
            seq=row.seq,
            item=row.item,
            standard=row.standard,
            result=row.result,
            status=row.status,
            value=row.value,
            abnormal=row.abnormal,
            note=row.note,
            action=row.action,
            inspector=run.inspector,
            run_status=run.status,
        )
        for run in ctxs
        for row in run.rows
    ]
    return _finish(  # type: ignore[return-value]
        c.InspectionRecordCtx(
            **base,
            runs=ctxs,
            days=_days(ctxs),
            detailed=[r for r in ctxs if r.detailed],
            checklist=_checklist(ctxs),
            overview=_inspection_overview(ctxs),
            rows_flat=flat,
            findings=[x for x in flat if x.abnormal],
            row_count=sum(len(r.rows) for r in ctxs),
            signatures=block,
            record_ids=[r.id for r in ctxs],
        )
    )


def _matrix(
    data: ExportData, runs: list[RunRow], results: dict[str, list[ResultRow]], section: str = ""
) -> tuple[list[str], list[c.MatrixRow]]:
    """Runs as a day × system table: one column per item (photos left out)."""
    columns: list[str] = []
    col_of: dict[str, int] = {}
    grid: dict[tuple[date, str, str], dict[str, Any]] = {}
    order: list[tuple[date, str, str]] = []
    for run in runs:
        for res in results[run.id]:
            item = data.items.get(res.item_id)
            if item is None or item.kind == "photo":
                continue
            if item.id not in col_of:
                col_of[item.id] = len(columns)
                columns.append(item.title)
            sys_id = res.system_id or run.system_id or ""
            key = (run.scheduled_date, sys_id, run.id)
            if key not in grid:
                grid[key] = {"cells": {}, "notes": [], "abnormal": False, "run": run}
                order.append(key)
            cell = grid[key]
            text = result_text(res, item)
            if item.kind == "text" and res.value_text:
                text = res.value_text
            cell["cells"][col_of[item.id]] = text
            if res.status in (insp.ABNORMAL, insp.WARNING):
                cell["abnormal"] = True
            if res.note or res.action:
                said = res.note.rstrip("。；;. ") if res.action else res.note
                note = f"{item.title}：{said}" + (f"；处理：{res.action}" if res.action else "")
                cell["notes"].append(note)
    rows = []
    for key in order:
        cell = grid[key]
        run = cell["run"]
        values = [cell["cells"].get(i, "") for i in range(len(columns))]
        rows.append(
            c.MatrixRow(
                date=key[0],
                # a check of the contract as a whole (the monitoring platform): the
                # 系统 column says so rather than look left blank
                system=data.system_name(key[1] or None) or "—",
                cells=values,
                section=section,
                summary=cell_summary(columns, values),
                abnormal=cell["abnormal"],
                note="\n".join(cell["notes"]),
                inspector=run.inspector,
                status=insp.RUN_STATUS_LABELS.get(run.status, run.status),
            )
        )
    return columns, rows


def cell_summary(columns: list[str], values: list[str]) -> str:
    """A row's results in one cell (Excel): 「名称：结果」 joined by 「；」, a result with a URL
    on a line of its own so the URL is not broken in the middle of the line."""
    lines: list[list[str]] = [[]]
    for title, value in zip(columns, values, strict=True):
        if not value:
            continue
        if "://" in value:
            lines += [[f"{title}：{value}"], []]
        else:
            lines[-1].append(f"{title}：{value}")
    return "\n".join("；".join(items) for items in lines if items)


#: Most item columns a daily section prints beside its 异常情况及处理 column. On a
#: landscape A4 page, with 日期, 系统 and 巡检人, eight items still get about 1.6 cm each
#: next to a 5 cm notes column; internet-om's 运行监测检查 has 13, which printed
#: 「544ms（正常）」 over three lines and its notes a few characters a line. Beyond
#: eight, each row's notes print on a row of their own under it, the page's full width.
NOTE_COLUMN_ITEMS = 8


def build_daily_log(data: ExportData, job: Job) -> c.DailyLogCtx:
    start, end = _bounds(job)
    runs = [r for r in data.runs(start, end) if r.cadence == "daily" and r.status in DONE]
    results = data.results(runs)
    stats = st.period_stats(data, start, end, job.now, findings=False)
    sections = []
    ids = []
    for template in data.templates.values():
        if template.cadence != "daily" or not template.active:
            continue
        mine = [r for r in runs if r.template_id == template.id]
        columns, rows = _matrix(data, mine, results, template.name)
        tallies = [t for t in stats.tallies if t.template.id == template.id]
        sections.append(
            c.MatrixSection(
                name=template.name,
                columns=columns,
                rows=rows,
                planned=sum(t.planned for t in tallies),
                done=sum(t.done + t.late for t in tallies),
                pending=sum(t.pending for t in tallies),
                note_row=len(columns) > NOTE_COLUMN_ITEMS,
            )
        )
        ids += [r.id for r in mine]
    return _finish(  # type: ignore[return-value]
        c.DailyLogCtx(
            **_base(data, job),
            sections=sections,
            rows_flat=[r for sec in sections for r in sec.rows],
            signatures=blank_block(
                LABELS["inspection_run"],
                _run_signers(runs, data.signatures("inspection_run", [r.id for r in runs])),
            ),
            record_ids=ids,
        )
    )


def build_monthly_inspection(data: ExportData, job: Job) -> c.MonthlyInspectionCtx:
    start, end = _bounds(job)
    now = job.now
    runs = [r for r in data.runs(start, end) if r.cadence == "monthly" and r.status in DONE]
    results = data.results(runs)
    sigs = data.signatures("inspection_run", [r.id for r in runs])
    sections = []
    for run in runs:
        template = data.templates.get(run.template_id)
        items = []
        for n, row in enumerate(_inspection_rows(data, run, results[run.id]), start=1):
            items.append(
                c.MonthlyItem(
                    seq=n,
                    section=template.name if template else "",
                    item=f"{row.system} {row.item}".strip(),
                    method=row.method,
                    result=row.result,
                    abnormal=row.abnormal,
                    problem=row.note,
                    handling=row.action,
                    remark=row.remark,
                )
            )
        sections.append(
            c.MonthlySection(
                name=template.name if template else "",
                date=run.scheduled_date,
                inspector=run.inspector,
                conclusion=run.conclusion,
                rows=items,
            )
        )
    stats = st.period_stats(data, start, end, now)
    profile = data.profile
    levels = Counter(faults_mod.level_name(profile, f.level) for f in stats.faults)
    systems = Counter(f.system.name if f.system else "（未指定）" for f in stats.faults)
    # the emergencies of the month: emergency faults and the findings that started the plan
    emergencies = [e.text for e in stats.emergencies]
    block = (
        signature_block(data, sigs[runs[0].id], LABELS["inspection_run"], _run_signers(runs, sigs))
        if runs
        else blank_block(LABELS["inspection_run"], author(job))
    )
    summary = (
        f"本月{narrative.since(stats)}应巡检 {stats.planned} 次，按时完成 {stats.done} 次"
        f"（完成率 {_pct(stats.inspection_rate)}{narrative.not_due(stats.pending)}），"
        f"发现问题 {len(stats.findings)} 个、"
        f"已整改 {stats.findings_fixed} 个；发生故障 {len(stats.faults)} 起，"
        f"服务请求 {len(stats.requests)} 次，应急事件 {len(stats.emergencies)} 起。"
    )
    return _finish(  # type: ignore[return-value]
        c.MonthlyInspectionCtx(
            **_base(data, job),
            sections=sections,
            items_flat=[i for sec in sections for i in sec.rows],
            planned=stats.planned,
            done=stats.done,
            faults_total=len(stats.faults),
            faults_by_level=_counts(levels),
            faults_by_system=_counts(systems),
            requests_total=len(stats.requests),
            emergencies=emergencies,
            summary=summary,
            signatures=block,
            # the month's runs, and the faults and requests its summary counts
            record_ids=[r.id for r in runs]
            + [f.id for f in stats.faults]
            + [r.id for r in stats.requests],
        )
    )


def _pct(value: float | None, digits: int = st.RATE_DIGITS) -> str:
    """A rate in a sentence, as Word's ``pct`` filter prints it (one precision everywhere)."""
    return narrative.pct(value, digits)


def _pct2(value: float | None) -> str:
    """可用率 in a sentence (two decimals, as ``pct(2)`` and Excel's ``0.00%``)."""
    return _pct(value, st.AVAILABILITY_DIGITS)


def month_row(label: str, s: st.PeriodStats) -> c.MonthRow:
    return c.MonthRow(
        month=label,
        planned=s.planned,
        done=s.done,
        problems=len(s.findings),
        fixed=s.findings_fixed,
        faults=len(s.faults),
        requests=len(s.requests),
        availability=s.availability,
    )


def total_row(
    rows: list[c.MonthRow], whole: st.PeriodStats | None, label: str = "合计"
) -> c.MonthRow:
    """The sum of ``rows``, with the 可用率 of ``whole`` (none without it)."""
    return c.MonthRow(
        month=label,
        planned=sum(r.planned for r in rows),
        done=sum(r.done for r in rows),
        problems=sum(r.problems for r in rows),
        fixed=sum(r.fixed for r in rows),
        faults=sum(r.faults for r in rows),
        requests=sum(r.requests for r in rows),
        availability=whole.availability if whole is not None else None,
    )


def _month_rows(data: ExportData, start: date, end: date, now: datetime) -> list[c.MonthRow]:
    """A row a month; the months before the 启用日期 summed in one row."""
    rows = []
    before: list[st.PeriodStats] = []
    for ms, me in st.month_starts(start, end):
        s = st.period_stats(data, ms, me, now)
        if s.before_start:
            before.append(s)
        else:
            rows.append(month_row(narrative.month_label(s), s))
    if before:  # what the app holds of them, if anything; no 可用率 (no outage known)
        label = narrative.months_before_start(before)
        rows.insert(0, total_row([month_row(label, b) for b in before], None, label))
    return rows


def build_summary(data: ExportData, job: Job) -> c.SummaryTableCtx:
    start, end = _bounds(job)
    rows = _month_rows(data, start, end, job.now)
    whole = st.period_stats(data, start, end, job.now, findings=False)
    total = total_row(rows, whole)
    # 分析, 建议, 下年度计划: drafted from the same statistics (and what the engineers
    # wrote in the period's quarterly / full inspections), or the user's edited text
    texts = narrative.texts(data, job.kind, job.deliverable_code, job.period, job.now)
    full = [
        r
        for r in data.runs(start, end)
        if r.cadence in ("quarterly", "half_year", "annual") and r.status in DONE
    ]
    return _finish(  # type: ignore[return-value]
        c.SummaryTableCtx(
            **_base(data, job),
            months=rows,
            total=total,
            analysis=texts["analysis"],
            suggestions=texts["suggestions"],
            next_year_plan=texts.get("next_year_plan", ""),
            is_year_end=narrative.is_year_end(data, job.kind, end),
            availability_note=st.availability_definition(data),
            signatures=blank_block(LABELS["report"], author(job)),
            record_ids=[r.id for r in full],
        )
    )


# --------------------------------------------------------------------------- holidays


def _holiday_days(
    data: ExportData, days: list[c.MatrixRow], daily: list[RunRow], found: list[ev.Event]
) -> list[c.MatrixRow]:
    """Each day's 事件及处置 with that day's faults that no check of the day recorded."""
    told = {
        res.fault_id
        for res in (r for run in daily for r in data.results([run])[run.id])
        if res.fault_id
    }
    extra: dict[date, list[str]] = {}
    for e in found:
        if e.fault_id is not None and e.fault_id not in told:
            extra.setdefault(e.day, []).append(e.text)
    rows = []
    for row in days:
        more = extra.pop(row.date, [])
        if more:
            note = "\n".join([row.note, *more] if row.note else more)
            row = dataclasses.replace(row, note=note, abnormal=True)
        rows.append(row)
    return rows


#: the column of a holiday day's events (forms.md); a checklist may have an item of that name
EVENTS_TITLE = "事件及处置"


def build_holiday_check(data: ExportData, job: Job) -> c.HolidayCheckCtx:
    holiday = data.holiday(job.holiday_id or "")
    if holiday is None:
        raise ExportError("找不到该节假日保障期。")
    runs = ev.holiday_runs(data, holiday)
    results = data.results(runs)
    pre = [r for r in runs if r.cadence == "holiday_pre"]
    daily = [r for r in runs if r.cadence == "holiday_daily"]
    post = [r for r in runs if r.cadence == "holiday_post"]
    found = ev.holiday_events(data, holiday)
    columns, days = _matrix(data, daily, results)
    days = _holiday_days(data, days, daily, found)
    pre_items = _inspection_rows(data, pre[0], results[pre[0].id]) if pre else []
    post_items = _inspection_rows(data, post[0], results[post[0].id]) if post else []
    sigs = data.signatures("inspection_run", [post[0].id]) if post else {}
    evaluation = "\n".join(f"{r.item}：{r.result}" for r in post_items if r.result) or (
        post[0].conclusion if post else ""
    )
    on_duty = _run_signers(
        [*pre, *daily, *post],
        data.signatures("inspection_run", [r.id for r in [*pre, *daily, *post]]),
    )
    block = (
        signature_block(data, sigs[post[0].id], LABELS["holiday"], on_duty)
        if post
        else blank_block(LABELS["holiday"], on_duty)
    )
    return _finish(  # type: ignore[return-value]
        c.HolidayCheckCtx(
            **_base(data, job),
            holiday=holiday.name,
            holiday_start=holiday.start_date,
            holiday_end=holiday.end_date,
            pre_items=pre_items,
            pre_date=pre[0].scheduled_date if pre else None,
            pre_inspector=pre[0].inspector if pre else "",
            columns=columns,
            days=days,
            # the day's notes column: the events, or (the checklist has them) its exceptions
            note_title="异常情况及处理" if EVENTS_TITLE in columns else EVENTS_TITLE,
            post_items=post_items,
            post_date=post[0].scheduled_date if post else None,
            evaluation=evaluation,
            events=[e.text for e in found],
            summary=ev.holiday_summary(data, holiday, found),
            signatures=block,
            record_ids=[r.id for r in runs] + [e.fault_id for e in found if e.fault_id],
        )
    )


# --------------------------------------------------------------------------- requests & faults


def _sla_rows(verdicts: list[sla_mod.StepVerdict]) -> list[c.SlaRow]:
    return [
        c.SlaRow(
            step=v.label_zh,
            time=v.done_at,
            target=v.target_text,
            actual=v.actual_and_elapsed_text,
            verdict=v.label,
            met=None if v.state == sla_mod.NOT_APPLICABLE else v.state == sla_mod.MET,
        )
        for v in verdicts
    ]


def request_row(
    data: ExportData, req: ServiceRequest, now: datetime, signatures: list[Signature]
) -> c.ServiceRecordCtxRow:
    verdicts = st.request_verdicts(data, req, now)
    amendment = (
        f"本单为更正记录，更正原因：{req.amendment_reason or '—'}" if req.supersedes_id else ""
    )
    channel = req_mod.CHANNELS.get(req.channel, req.channel)
    if req.solved_on_phone:
        channel = "电话解决"
    body = {"id": req.id, "resolution": req.resolution, "status": req.status}
    return c.ServiceRecordCtxRow(
        id=req.id,
        number=req.number,
        system=req.system.name if req.system else "",
        caller_unit=req.caller_unit,
        caller_name=req.caller_name,
        caller_contact=req.caller_contact,
        received_at=req.received_at,
        channel=channel,
        priority=PRIORITY.get(req.priority, req.priority),
        category=req.category,
        impact=req.impact,
        description=req.description,
        resolution=req.resolution,
        status=req_mod.STATUSES.get(req.status, req.status),
        responded_at=req.responded_at,
        completed_at=req.completed_at,
        next_visit=req.next_visit,
        handler=req.handler,
        follow_up=FOLLOW[bool(req.follow_up)],
        solved_on_phone=FOLLOW[bool(req.solved_on_phone)],
        fault_number=data.fault_numbers.get(req.fault_id or "", "") if req.fault_id else "",
        amendment=amendment,
        sla=_sla_rows(verdicts),
        signatures=signature_block(
            data, signatures, LABELS["service_request"], {ROLES[0]: req.handler}
        ),
        verification_code=_record_code(signatures, body),
    )


def _requests(data: ExportData, job: Job) -> list[ServiceRequest]:
    if job.record_ids is not None:
        wanted = set(job.record_ids)
        found = data.requests_by_id(list(wanted))
        if len(found) != len(wanted):
            raise ExportError("找不到要导出的服务请求（可能已被更正，请导出最新版本）。")
        return found
    return data.requests(*_bounds(job))


def build_service_record(data: ExportData, job: Job) -> c.ServiceRecordCtx:
    reqs = _requests(data, job)
    sigs = data.signatures("service_request", [r.id for r in reqs])
    data.prefetch_blobs({s.image_sha256 for ss in sigs.values() for s in ss})
    rows = [request_row(data, r, job.now, sigs[r.id]) for r in reqs]
    block = period_block(
        rows, "service_request", (r.handler for r in reqs), (s for r in reqs for s in sigs[r.id])
    )
    return _finish(  # type: ignore[return-value]
        c.ServiceRecordCtx(
            **_base(data, job), records=rows, signatures=block, record_ids=[r.id for r in reqs]
        )
    )


def _meetings(data: ExportData, job: Job) -> list[MeetingMinutes]:
    if job.record_ids is not None:
        wanted = set(job.record_ids)
        found = [m for m in data.all_meetings if m.id in wanted]
        if len(found) != len(wanted):
            raise ExportError("找不到要导出的会议纪要（可能已被更正，请导出最新版本）。")
        return found
    return data.meetings(*_bounds(job))


def _lines(text: str) -> list[str]:
    """The non-empty lines of a text (each prints as its own paragraph)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def meeting_time(start: datetime, end: datetime | None) -> str:
    """``2026-11-06 09:30-10:30`` (the end's date only when it is another day)."""
    text = f"{start:%Y-%m-%d %H:%M}"
    if end is None:
        return text
    return (
        f"{text}-{end:%H:%M}" if end.date() == start.date() else f"{text} 至 {end:%Y-%m-%d %H:%M}"
    )


def meeting_ctx(data: ExportData, m: MeetingMinutes, signatures: list[Signature]) -> c.MeetingCtx:
    items = meetings_mod.stored_actions(m)
    actions = [
        c.ActionRow(
            seq=n,
            content=a.content,
            owner=a.owner,
            due_date=a.due_date,
            state="已完成" if a.done else "待完成",
        )
        for n, a in enumerate(items, start=1)
    ]
    texts = {name: getattr(m, name) for name in meetings_mod.TEXTS}
    body = texts | {"id": m.id, "start": m.meeting_at, "end": m.ended_at, "actions": actions}
    status = "已签字" if m.locked_at else meetings_mod.STATUSES.get(m.status, m.status)
    return c.MeetingCtx(
        id=m.id,
        number=m.number,
        name=m.title,
        start=m.meeting_at,
        end=m.ended_at,
        time=meeting_time(m.meeting_at, m.ended_at),
        place=m.place,
        host=m.host,
        recorder=m.recorder,
        attendees=m.attendees,
        absentees=m.absentees,
        agenda=m.agenda,
        discussion=m.discussion,
        decisions=m.decisions,
        agenda_lines=_lines(m.agenda),
        discussion_lines=_lines(m.discussion),
        decision_lines=_lines(m.decisions),
        actions=actions,
        status=status,
        amendment=(
            f"本纪要为更正记录，更正原因：{m.amendment_reason or '—'}" if m.supersedes_id else ""
        ),
        signatures=signature_block(
            data, signatures, LABELS["meeting_minutes"], {ROLES[0]: m.recorder}
        ),
        verification_code=_record_code(signatures, body),
    )


def build_meeting_minutes(data: ExportData, job: Job) -> c.MeetingMinutesCtx:
    found = _meetings(data, job)
    sigs = data.signatures("meeting_minutes", [m.id for m in found])
    data.prefetch_blobs({s.image_sha256 for ss in sigs.values() for s in ss})
    rows = [meeting_ctx(data, m, sigs[m.id]) for m in found]
    block = period_block(
        rows, "meeting_minutes", (m.recorder for m in found), (s for m in found for s in sigs[m.id])
    )
    return _finish(  # type: ignore[return-value]
        c.MeetingMinutesCtx(
            **_base(data, job),
            meetings=rows,
            signatures=block,
            record_ids=[m.id for m in found],
        )
    )


def build_phone_log(data: ExportData, job: Job) -> c.PhoneLogCtx:
    start, end = _bounds(job)
    stats = st.period_stats(data, start, end, job.now, findings=False)
    rows = [request_row(data, r, job.now, []) for r in stats.requests]
    by_category = _counts(stats.count_by("category"))
    chart = c.Chart(
        key="by_category",
        title="来电按问题类别",
        kind="bar",
        categories=[x.name for x in by_category],
        series=[("来电数", [float(x.count) for x in by_category])],
    )
    return _finish(  # type: ignore[return-value]
        c.PhoneLogCtx(
            **_base(data, job),
            rows=rows,
            total=len(rows),
            solved_on_phone=stats.solved_on_phone,
            first_call_rate=stats.first_call_rate,
            by_unit=_counts(stats.count_by("unit")),
            by_system=_counts(stats.count_by("system")),
            by_category=by_category,
            by_channel=_counts(stats.count_by("channel")),
            charts={"by_category": chart},
            signatures=blank_block(LABELS["report"], author(job)),
            record_ids=[r.id for r in stats.requests],
        )
    )


def build_fault_report(data: ExportData, job: Job) -> c.FaultReportCtx:
    ids = job.record_ids or []
    if len(ids) != 1:
        raise ExportError("系统故障处置报告每份对应一个故障单，请指定一个故障单。")
    fault: FaultRecord | None = data.fault(ids[0])
    if fault is None:
        raise ExportError("找不到该故障单（可能已被更正，请导出最新版本）。")
    profile = data.profile
    verdicts = {v.step: v for v in st.fault_verdicts(data, fault, job.now)}
    steps = [
        ("发现/报告", fault.reported_at, None),
        ("响应", fault.responded_at, verdicts.get("response")),
        ("到场", fault.onsite_at, verdicts.get("onsite")),
        ("恢复", fault.recovered_at, verdicts.get("recovery")),
        ("关闭", fault.closed_at, verdicts.get("close")),
    ]
    timeline = [
        c.SlaRow(
            step=label,
            time=when,
            target=v.target_text if v else "—",
            actual=v.actual_and_elapsed_text if v else "—",
            verdict=v.label if v else "—",
            met=None if v is None or v.state == sla_mod.NOT_APPLICABLE else v.state == sla_mod.MET,
        )
        for label, when, v in steps
    ]
    files = pictures(data, "fault_record", fault.id)
    sigs = data.signatures("fault_record", [fault.id])[fault.id]
    source = ""
    if fault.source_result_id:
        source = "巡检发现"
    elif fault.service_request_id:
        req = next(iter(data.requests_by_id([fault.service_request_id])), None)
        source = f"服务请求 {req.number}" if req else "服务请求"
    amendment = (
        f"本报告为更正记录，更正原因：{fault.amendment_reason or '—'}"
        if fault.supersedes_id
        else ""
    )
    between, _after = st.clock(data)
    job.period = c.PeriodInfo(
        key=fault.number,
        label=f"{fault.number}（{fault.reported_at:%Y-%m-%d}）",
        start=fault.reported_at.date(),
        end=(fault.closed_at or job.now).date(),
    )
    return _finish(  # type: ignore[return-value]
        c.FaultReportCtx(
            **_base(data, job),
            id=fault.id,
            number=fault.number,
            system=fault.system.name if fault.system else "",
            fault_title=fault.title,
            level=faults_mod.level_name(profile, fault.level),
            category=fault.category,
            emergency_type=faults_mod.EMERGENCY_TYPES.get(fault.emergency_type or "", ""),
            impact=fault.impact,
            discovery=faults_mod.DISCOVERY.get(fault.discovery, fault.discovery),
            handler=fault.handler,
            coordinator=fault.coordinator,
            result=fault.result,
            reported_at=fault.reported_at,
            outage=outage_text(data, fault, between),
            timeline=timeline,
            symptom=fault.symptom,
            impact_analysis=fault.impact_analysis,
            cause=fault.cause,
            process=fault.process,
            prevention=fault.prevention,
            attachments=files,
            source=source,
            amendment=amendment,
            signatures=signature_block(
                data, sigs, LABELS["fault_record"], {ROLES[0]: fault.handler}
            ),
            record_ids=[fault.id],
        )
    )


def outage_text(data: ExportData, fault: FaultRecord, between: sla_mod.MinutesBetween) -> str:
    """服务中断 of a fault report: 未中断服务, or the systems, the times and the service minutes."""
    if fault.service_interrupted is None:
        return "未记录（按报告至恢复时间计入所属系统的可用率）"
    if not fault.service_interrupted or fault.outage_start is None:
        return "未中断服务"
    names = {s.code: s.name for s in data.systems.values()}
    systems = "、".join(names.get(code, code) for code in fault.outage_systems or [])
    start = f"{fault.outage_start:%Y-%m-%d %H:%M}"
    if fault.outage_end is None:
        return f"中断服务：{systems}，{start} 起，尚未恢复"
    service = between(fault.outage_start, fault.outage_end)
    wall = (fault.outage_end - fault.outage_start).total_seconds() / 60
    took = f"历时 {sla_mod.format_minutes(wall)}"
    if abs(wall - service) >= 1:
        took += f"，其中服务时间内 {sla_mod.format_minutes(service)}"
    return f"中断服务：{systems}，{start} 至 {fault.outage_end:%Y-%m-%d %H:%M}（{took}）"


# --------------------------------------------------------------------------- monthly report


def _rate_row(name: str, standard: str, pair: tuple[int, int], target: float) -> c.RateRow:
    value = st.rate(*pair)
    met = "—" if value is None else ("是" if value >= target - 1e-9 else "否")
    return c.RateRow(
        name=name,
        standard=standard,
        numerator=pair[0],
        denominator=pair[1],
        rate=value,
        target=target,
        met=met,
    )


def sla_table(data: ExportData, s: st.PeriodStats) -> list[c.RateRow]:
    sla = data.profile.sla
    rows = [
        _rate_row("巡检完成率", "100% 按时完成", (s.done, s.planned), 1.0),
        _rate_row(
            "故障响应及时率",
            f"{sla_mod.format_minutes(sla.response_minutes)}内响应",
            s.response,
            1.0,
        ),
        _rate_row("故障解决率", "按等级时限恢复", s.recovery, 1.0),
        _rate_row(
            "服务请求响应及时率",
            f"{sla_mod.format_minutes(sla.response_minutes)}内响应",
            s.request_response,
            1.0,
        ),
    ]
    if sla.onsite_minutes is not None:
        rows.append(
            _rate_row(
                "到场及时率", f"{sla_mod.format_minutes(sla.onsite_minutes)}内到场", s.onsite, 1.0
            )
        )
    rows.append(_rate_row("SLA 达成率", "全部环节达标", s.sla, 1.0))
    rows.append(_rate_row("报告按时交付率", "交付物按截止日提交", s.deliveries, 1.0))
    return rows


def _trend_months(data: ExportData, start: date) -> list[tuple[date, date]]:
    """The report's month and up to five before it, clipped to the contract period."""
    months = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        ty, tm = periods.add_months(start.year, start.month, -back)
        ms = max(date(ty, tm, 1), data.contract.start_date)
        me = min(periods.month_end(ty, tm), data.contract.end_date)
        if ms > me or me < data.contract.start_date:
            continue
        months.append((ms, me))
    return months


def _trend(
    data: ExportData, s: st.PeriodStats, start: date, end: date, now: datetime
) -> list[c.TrendRow]:
    """Rates and counts of each trend month (the report's own month from ``s``).

    The months before the first with any record (a check done, a fault, a request)
    are left out: a contract taken up in the app mid-way has no records of its
    earlier months, and its first report printed them as 巡检完成率 0.0 %, 0 faults,
    which the client would read as months of no work. A month without records after
    that is kept: the app was in use, and it says nothing was recorded. Only the
    trend leaves months out on this guess: the summaries' and the acceptance report's
    figures (a contract's KPIs) count every month from the contract's declared
    启用日期 (``period.records_from``; its start if none) — leaving a month out on a
    guess would take it out of the completion rate the client signs.
    """
    trend: list[c.TrendRow] = []
    months = _trend_months(data, start)
    if months:
        data.requests(months[0][0], months[-1][1])  # one read: each month is cut from it
    for ms, me in months:
        ts = (
            s
            if (ms, me) == (start, end)
            else st.period_stats(data, ms, me, now, findings=False)  # rates and counts only
        )
        if not trend and ts is not s and not (ts.done or ts.late or ts.faults or ts.requests):
            continue
        trend.append(
            c.TrendRow(
                month=st.month_label(ms),
                inspections_rate=ts.inspection_rate,
                faults=len(ts.faults),
                requests=len(ts.requests),
                sla_rate=ts.sla_rate,
            )
        )
    return trend


def _cadence_rows(s: st.PeriodStats) -> list[c.CadenceRow]:
    return [
        c.CadenceRow(
            name=t.template.name,
            cadence=periods.CADENCE_NAMES.get(t.template.cadence, t.template.cadence),
            system=t.system.name if t.system else "",
            planned=t.planned,
            done=t.done,
            late=t.late,
            findings=t.findings,
            rate=st.rate(t.done, t.planned),
        )
        for t in s.tallies
    ]


def _findings(s: st.PeriodStats) -> list[c.Finding]:
    return [
        c.Finding(
            date=x.run.scheduled_date,
            name=x.checklist,
            item=x.label,
            note=x.result.note,
            action=x.result.action,
        )
        for x in s.findings
    ]


def availability_rows(s: st.PeriodStats) -> list[c.AvailabilityRow]:
    """可用率 per system and the 合计 row (same figures in Word and Excel)."""

    def numbers(row: st.SystemAvailability) -> str:
        return "、".join(f"{n}*" if n in row.unrecorded else n for n in row.faults)

    rows = [
        c.AvailabilityRow(
            system=x.name,
            committed_hours=round(x.committed / 60, 1),
            outage_minutes=round(x.outage),
            availability=x.availability,
            faults=numbers(x),
        )
        for x in s.systems
    ]
    rows.append(
        c.AvailabilityRow(
            system="合计",
            committed_hours=round(s.committed / 60, 1),
            outage_minutes=round(s.outage),
            availability=s.availability,
            faults="",
        )
    )
    return rows


def _major_faults(data: ExportData, s: st.PeriodStats) -> list[c.FaultLine]:
    """The faults above the profile's default level, with duration and SLA verdicts."""
    profile = data.profile
    default_level = faults_mod.default_level(profile).code
    major = []
    for f in s.faults:
        if f.level == default_level:
            continue
        v = {x.step: x for x in s.fault_verdicts[f.id]}
        duration = ""
        if f.recovered_at:
            duration = sla_mod.format_minutes((f.recovered_at - f.reported_at).total_seconds() / 60)
        major.append(
            c.FaultLine(
                number=f.number,
                title=f.title,
                level=faults_mod.level_name(profile, f.level),
                system=f.system.name if f.system else "",
                reported_at=f.reported_at,
                recovered_at=f.recovered_at,
                duration=duration,
                response=v["response"].label if "response" in v else "—",
                recovery=v["recovery"].label if "recovery" in v else "—",
                cause=f.cause,
            )
        )
    return major


def _report_charts(
    data: ExportData,
    s: st.PeriodStats,
    start: date,
    end: date,
    faults_by_system: Counter[str],
    trend: list[c.TrendRow],
) -> dict[str, c.Chart]:
    """The report's three charts: faults per system, calls per day, the SLA trend.

    The faults' bars are the active systems (a bar of 0 too), then whatever else the
    month's faults name (（未指定）, a system no longer active): they add up to the
    month's faults, as the table beside the chart does.
    """
    system_names = [sy.name for sy in data.systems.values() if sy.active]
    system_names += [n for n, _count in faults_by_system.most_common() if n not in system_names]
    faults_chart = c.Chart(
        key="faults_by_system",
        title="本月故障数（按系统）",
        kind="bar",
        categories=system_names,
        series=[("故障数", [float(faults_by_system.get(n, 0)) for n in system_names])],
    )
    per_day = Counter(r.received_at.date() for r in s.requests)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    calls_chart = c.Chart(
        key="calls_per_day",
        title="每日服务请求数",
        kind="bar",
        categories=[str(d.day) for d in days],
        series=[("服务请求", [float(per_day.get(d, 0)) for d in days])],
    )
    # months whose rates are known: a month without data is not drawn as 0 %
    known = [t for t in trend if t.sla_rate is not None and t.inspections_rate is not None]
    # one month is no trend (a line of one point prints as two dots): its two rates as bars
    one = len(known) == 1
    sla_chart = c.Chart(
        key="sla_trend",
        title=f"SLA 达成率与巡检完成率（{known[0].month}）"
        if one
        else "SLA 达成率与巡检完成率趋势",
        kind="bar" if one else "line",
        categories=[t.month for t in known],
        series=[
            ("SLA 达成率", [t.sla_rate or 0.0 for t in known]),
            ("巡检完成率", [t.inspections_rate or 0.0 for t in known]),
        ],
        percent=True,
    )
    return {
        "faults_by_system": faults_chart,
        "calls_per_day": calls_chart,
        "sla_trend": sla_chart,
    }


def _backup_security(data: ExportData, start: date, end: date) -> list[c.Line]:
    """The month's backup and security checks, as the records say.

    Periodic (weekly and longer) backup, security and restore checks by their
    conclusion; the backup items of the daily checks as one line counting
    them and their findings. A month with neither says so.
    """
    backup = []
    runs = [r for r in data.runs(start, end) if r.status in DONE and r.holiday_period_id is None]
    for run in runs:
        template = data.templates.get(run.template_id)
        if template is None or template.cadence == "daily":
            continue
        label = f"{template.category} {template.name}"
        if any(w in label for w in ("备份", "安全", "恢复", "演练")):
            system = data.system_name(run.system_id)
            name = f"{template.name}（{system}）" if system else template.name
            backup.append(c.Line(label=f"{run.scheduled_date:%m-%d} {name}", value=run.conclusion))
    daily = [r for r in runs if r.cadence == "daily"]
    checked = problems = 0
    problem_days: list[str] = []
    results = data.results(daily)
    for run in daily:
        for res in results[run.id]:
            item = data.items.get(res.item_id)
            if item is None or "备份" not in item.title or res.status is None:
                continue
            checked += 1
            if res.status in (insp.ABNORMAL, insp.WARNING):
                problems += 1
                day = f"{run.scheduled_date:%m-%d}"
                if day not in problem_days:
                    problem_days.append(day)
    if checked:
        found = (
            f"异常/警告 {problems} 项（{'、'.join(problem_days)}），处理情况见巡检记录"
            if problems
            else "均正常"
        )
        backup.append(
            c.Line(
                label="日常巡检中的备份检查",
                value=f"本月 {len(daily)} 次日常巡检共检查备份 {checked} 项，{found}。",
            )
        )
    if not backup:
        backup.append(c.Line(label="备份与安全", value="本月无备份与安全相关的检查记录。"))
    return backup


def _holiday_lines(data: ExportData, start: date, end: date) -> list[c.Line]:
    """A line per holiday period overlapping the month: its checks and events.

    The events are those of the holiday's 节假日检查记录单 (:func:`ev.holiday_events`).
    """
    holidays = []
    for h in data.holidays:
        if h.start_date <= end and h.end_date >= start:
            found = ev.holiday_events(data, h)
            hruns = [r for r in ev.holiday_runs(data, h) if r.status in DONE]
            holidays.append(
                c.Line(
                    label=f"{h.name}（{h.start_date:%m-%d} 至 {h.end_date:%m-%d}）",
                    value=(
                        f"完成节假日检查 {len(hruns)} 次，"
                        f"期间故障/事件 {ev.count_sentence(found)}。"
                    ),
                )
            )
    return holidays


def _findings_split(s: st.PeriodStats) -> tuple[str, str]:
    """How the findings total is made when the 巡检情况 table's column does not add up to it:
    the note beside the table (“（下表各巡检 57 个，节假日检查 2 个）”) and the 概述's
    (“（其中节假日检查 2 个）”); both empty when it does.

    The table has a row per scheduled check (template and system) of the period;
    holiday checks (节前、节日期间每日、节后) have none, but their findings are the
    month's findings all the same: said apart wherever the total stands beside the table.
    """
    rows = {(t.template.id, t.system.id if t.system else None) for t in s.tallies}
    apart = [x for x in s.findings if (x.run.template_id, x.run.system_id) not in rows]
    if not apart:
        return "", ""
    holiday = all(x.run.cadence in periods.HOLIDAY_CADENCES for x in apart)
    what = "节假日检查" if holiday else "表外巡检"
    n = len(apart)
    return f"（下表各巡检 {len(s.findings) - n} 个，{what} {n} 个）", f"（其中{what} {n} 个）"


def _overview(data: ExportData, job: Job, s: st.PeriodStats, n_findings: int, among: str) -> str:
    return (
        f"{job.period.label}{narrative.since(s)}，"
        f"{data.contract.vendor}驻场团队按合同为{data.contract.client}提供运维服务："
        f"应巡检 {s.planned} 次，按时完成 {s.done} 次"
        f"（巡检完成率 {_pct(s.inspection_rate)}{narrative.not_due(s.pending)}），"
        f"发现问题 {n_findings} 个{among}，已整改 {s.findings_fixed} 个；"
        f"发生故障 {len(s.faults)} 起（故障响应及时率 {_pct(s.response_rate)}，"
        f"故障解决率 {_pct(s.resolution_rate)}）；受理服务请求 {len(s.requests)} 次"
        f"（电话一次解决率 {_pct(s.first_call_rate)}）；SLA 达成率 {_pct(s.sla_rate)}，"
        f"系统可用率 {_pct2(s.availability)}，报告按时交付率 {_pct(s.delivery_rate)}。"
    )


def _report_record_ids(data: ExportData, s: st.PeriodStats, start: date, end: date) -> list[str]:
    """The records the report rests on: the month's finished runs, its faults and requests."""
    ids = [r.id for r in data.runs(start, end) if r.status in DONE]
    ids += [f.id for f in s.faults] + [r.id for r in s.requests]
    # faults of other months whose outage lowered this month's 可用率
    numbers = {n for x in s.systems for n in x.faults}
    listed = set(ids)
    ids += [f.id for f in data.all_faults if f.number in numbers and f.id not in listed]
    return ids


#: Targets drawn in the 响应时间趋势 chart (the first HTTP ones; the table lists them all).
TREND_TARGETS = 5


def _monitor_row(t: probe_history.TargetStats) -> c.MonitorRow:
    return c.MonitorRow(
        system=t.label,
        kind=probe_history.KIND_LABELS.get(t.kind, t.kind),
        address=t.address,
        checks=t.checks,
        failures=t.failures,
        availability=t.availability,
        mean_ms=round(t.mean_ms, 1) if t.mean_ms is not None else None,
        max_ms=round(t.max_ms, 1) if t.max_ms is not None else None,
    )


def _short(name: str, limit: int = 8) -> str:
    """A chart label: long system names take the room of the plot (the table has them whole)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _monitoring_charts(
    monitored: list[probe_history.TargetStats], start: date, end: date
) -> dict[str, c.Chart]:
    """响应时间趋势 (daily mean per target) and 可用性 (per target), when probes ran."""
    if not monitored:
        return {}
    web = [t for t in monitored if t.kind == "http" and t.mean_ms is not None]
    timed = (web or [t for t in monitored if t.mean_ms is not None])[:TREND_TARGETS]

    def mean(t: probe_history.TargetStats, day: date) -> float | None:
        return t.days.get(day, (None, 0, 0))[0]

    # the days every drawn target answered on: a line never drops to a made-up 0 ms
    days = sorted(
        d
        for d in {d for t in timed for d in t.days}
        if start <= d <= end and all(mean(t, d) is not None for t in timed)
    )
    trend = c.Chart(
        key="response_trend",
        title="响应时间趋势（毫秒，每日平均）",
        kind="line",
        categories=[f"{d.month}-{d.day}" for d in days],
        series=[
            (_short(t.label.split(" / ")[0]), [float(mean(t, d) or 0.0) for d in days])
            for t in timed
        ],
    )
    systems = probe_history.by_system(monitored)
    availability = c.Chart(
        key="probe_availability",
        title="可用性（按系统，自动检测中未异常的占比）",
        kind="bar",
        categories=[_short(name) for name, _rate in systems],
        series=[("可用性", [rate for _name, rate in systems])],
        percent=True,
    )
    return {"response_trend": trend, "probe_availability": availability}


def build_monthly_report(data: ExportData, job: Job) -> c.MonthlyReportCtx:
    start, end = _bounds(job)
    s = st.period_stats(data, start, end, job.now)
    profile = data.profile
    trend = _trend(data, s, start, end, job.now)
    inspections = _cadence_rows(s)
    findings = _findings(s)
    levels = Counter(faults_mod.level_name(profile, f.level) for f in s.faults)
    by_system_f = Counter(f.system.name if f.system else "（未指定）" for f in s.faults)
    by_cause = Counter(f.category or "（未分类）" for f in s.faults)
    major = _major_faults(data, s)
    charts = _report_charts(data, s, start, end, by_system_f, trend)
    order = [(sy.code, t.code) for sy in profile.systems for t in sy.targets]
    monitored = probe_history.monitoring(data.session, data.contract.id, start, end, order)
    probe_charts = _monitoring_charts(monitored, start, end)
    charts |= probe_charts
    backup = _backup_security(data, start, end)
    holidays = _holiday_lines(data, start, end)
    texts = narrative.texts(data, job.kind, job.deliverable_code, job.period, job.now)
    findings_note, among = _findings_split(s)
    overview = _overview(data, job, s, len(findings), among)
    ids = _report_record_ids(data, s, start, end)
    return _finish(  # type: ignore[return-value]
        c.MonthlyReportCtx(
            **_base(data, job),
            author=job.exporter,
            report_date=job.now.date(),
            overview=overview,
            inspection_rate=s.inspection_rate,
            response_rate=s.response_rate,
            resolution_rate=s.resolution_rate,
            sla_rate=s.sla_rate,
            first_call_rate=s.first_call_rate,
            availability=s.availability,
            delivery_rate=s.delivery_rate,
            deliveries_on_time=s.deliveries[0],
            deliveries_due=s.deliveries[1],
            availability_systems=availability_rows(s),
            availability_note=st.availability_definition(data),
            inspections=inspections,
            inspections_planned=s.planned,
            inspections_done=s.done,
            inspections_pending=s.pending,
            findings=findings,
            findings_note=findings_note,
            findings_fixed=s.findings_fixed,
            faults_total=len(s.faults),
            faults_by_level=_counts(levels),
            faults_by_system=_counts(by_system_f),
            faults_by_cause=_counts(by_cause),
            major_faults=major,
            requests_total=len(s.requests),
            requests_by_unit=_counts(s.count_by("unit")),
            requests_by_system=_counts(s.count_by("system")),
            requests_by_category=_counts(s.count_by("category")),
            requests_by_channel=_counts(s.count_by("channel")),
            sla=sla_table(data, s),
            trend=trend,
            backup_security=backup,
            holidays=holidays,
            problems=narrative.lines(texts["problems"]),
            next_plan=narrative.lines(texts["next_plan"]),
            monitoring=[_monitor_row(t) for t in monitored],
            charts=charts,
            monitoring_charts=list(probe_charts.values()),
            signatures=blank_block(LABELS["report"], author(job)),
            record_ids=ids,
        )
    )


# --------------------------------------------------------------------------- documents

SURVEY = [
    ("服务态度", "驻场人员工作态度、沟通配合", "主动热情、沟通顺畅"),
    ("响应及时性", "故障及服务请求响应速度", "按合同时限响应"),
    ("问题解决", "故障处理及问题解决效果", "问题彻底解决、无反复"),
    ("巡检质量", "日常巡检及定期巡检执行情况", "按计划执行、记录完整"),
    ("节假日保障", "节假日及重大活动保障工作", "保障到位、无重大事件"),
    ("文档交付", "运维月报、工单等交付物质量与及时性", "按时提交、内容准确"),
    ("安全保密", "遵守保密及安全管理规定", "无违规行为"),
    ("总体评价", "对本项目运维服务的总体满意度", "非常满意/满意/一般/不满意/很不满意"),
]


def _sla_lines(data: ExportData) -> list[c.Line]:
    """The contract's service levels: service window, response and recovery times."""
    sla = data.profile.sla
    sla_lines = [
        c.Line(label="服务时间", value=contract_info(data).service_window),
        c.Line(label="响应时限", value=sla_mod.format_minutes(sla.response_minutes)),
    ]
    if sla.remote_minutes:
        sla_lines.append(
            c.Line(label="远程支持时限", value=sla_mod.format_minutes(sla.remote_minutes))
        )
    if sla.onsite_minutes:
        sla_lines.append(c.Line(label="到场时限", value=sla_mod.format_minutes(sla.onsite_minutes)))
    for lvl in sla.fault_levels:
        sla_lines.append(
            c.Line(
                label=f"{lvl.name}故障恢复时限",
                value=sla_mod.format_minutes(lvl.recovery_minutes) if lvl.recovery_minutes else "—",
            )
        )
    return sla_lines


def _deliverables(data: ExportData, today: date) -> list[c.Deliverable]:
    """Every deliverable occurrence of the contract with its state on ``today``."""
    state_names = {
        "due": "待交",
        "exported": "已导出，待提交",
        "done": "已提交",
        "overdue": "已逾期",
        "before_start": "启用前",
    }
    dls = []
    for d in data.deadlines(today):
        state = state_names.get(d.state, d.state)
        if d.submitted is not None and d.submitted.mark:  # late, or registered afterwards
            state = f"{state}（{d.submitted.mark}）"
        dls.append(c.Deliverable(name=d.name, period=d.period_label, due=d.due_date, state=state))
    return dls


def _summary_fields(data: ExportData, job: Job, dls: list[c.Deliverable]) -> dict[str, Any]:
    """What a summary report adds: month rows, totals, SLA rates, overview, deliverables."""
    start, end = _bounds(job)
    rows = _month_rows(data, start, end, job.now)
    whole = st.period_stats(data, start, end, job.now, findings=False)
    total = total_row(rows, whole)
    return {
        "months": rows,
        "total": total,
        "sla_rates": sla_table(data, whole),
        "faults_total": len(whole.faults),
        "requests_total": len(whole.requests),
        "overview": (
            f"{job.period.label}{narrative.since(whole)}，"
            f"共应巡检 {total.planned} 次，按时完成 {total.done} 次"
            f"（完成率 {_pct(st.rate(total.done, total.planned))}"
            f"{narrative.not_due(whole.pending)}）；处置故障 {total.faults} 起"
            f"（响应及时率 {_pct(whole.response_rate)}，"
            f"解决率 {_pct(whole.resolution_rate)}）；"
            f"受理服务请求 {total.requests} 次；SLA 达成率 {_pct(whole.sla_rate)}，"
            f"系统可用率 {_pct2(whole.availability)}。"
        ),
        "deliverables": [d for d in dls if d.due <= end + timedelta(days=15)],
    }


def build_document(data: ExportData, job: Job) -> c.DocumentCtx:
    profile = data.profile
    systems = [
        c.SystemLine(seq=n, code=s.code, name=s.name, category=s.category)
        for n, s in enumerate((s for s in data.systems.values() if s.active), start=1)
    ]
    sla_lines = _sla_lines(data)
    roles = [c.Line(label=r.name, value=f"{r.count} 人") for r in profile.roles]
    holidays = [
        c.Line(label=h.name, value=f"{h.start_date} 至 {h.end_date}") for h in data.holidays
    ]
    checklists = [
        c.Line(label=t.name, value=periods.CADENCE_NAMES.get(t.cadence, t.cadence))
        for t in data.templates.values()
        if t.active
    ]
    dls = _deliverables(data, job.now.date())
    extra = _summary_fields(data, job, dls) if job.kind == "summary_report" else {}
    return _finish(  # type: ignore[return-value]
        c.DocumentCtx(
            **_base(data, job),
            **{
                "systems": systems,
                "roles": roles,
                "sla": sla_lines,
                "holidays": holidays,
                "checklists": checklists,
                "emergencies": list(faults_mod.EMERGENCY_TYPES.values()),
                "deliverables": dls,
                "scores": [
                    c.ScoreRow(seq=n, item=a, content=b, standard=s_)
                    for n, (a, b, s_) in enumerate(SURVEY, start=1)
                ],
                "blank_rows": list(range(1, 6)),
                "signatures": blank_block(LABELS["report"]),
                "texts": narrative.texts(data, job.kind, job.deliverable_code, job.period, job.now),
            }
            | extra,
        )
    )


def pictures(data: ExportData, owner_type: str, owner_id: str) -> list[c.Attachment]:
    """A record's picture attachments as printed: the image at the form's width, and its caption."""
    files = []
    for a in data.attachments(owner_type, owner_id):
        png = data.blob(a.blob_sha256)
        image = c.Image(png, ATTACHMENT_WIDTH_MM, None, a.caption) if png else None
        files.append(c.Attachment(caption=a.caption, filename=a.filename, image=image))
    return files


def _article_ctx(
    data: ExportData, seq: int, row: ArticleRow, sources: dict[str, str]
) -> c.KnowledgeArticleCtx:
    return c.KnowledgeArticleCtx(
        seq=seq,
        id=row.id,
        number=row.number,
        title=row.title,
        systems="、".join(row.systems),
        category=row.category,
        tags="、".join(row.tags),
        problem=row.problem,
        cause=row.cause,
        solution=row.solution,
        steps=row.steps,
        step_lines=[line.strip() for line in row.steps.splitlines() if line.strip()],
        author=row.author,
        reviewer=row.reviewer,
        reviewed_at=row.reviewed_at,
        source=sources.get(row.source_id or "", ""),
        pictures=pictures(data, articles_mod.RECORD_TYPE, row.id),
    )


def build_knowledge_base(data: ExportData, job: Job) -> c.KnowledgeBaseCtx:
    """技术服务知识库: articles written by the period end, by system; 常见问题 of the period."""
    start, end = _bounds(job)
    code = data.contract.code
    rows = [
        r
        for r in articles_mod.list_articles(data.session, code)
        if r.created_at.date() <= end and not r.voided  # a voided article (作废) is no deliverable
    ]
    rows.sort(key=lambda r: r.number)
    sources = articles_mod.source_labels(data.session, [r.source_id for r in rows if r.source_id])
    listed = [_article_ctx(data, n, r, sources) for n, r in enumerate(rows, start=1)]
    by_system: dict[str, list[c.KnowledgeArticleCtx]] = {}
    for system in data.systems.values():
        by_system[system.name] = []
    for row, ctx in zip(rows, listed, strict=True):
        for name in row.systems or ("通用（未指定系统）",):
            by_system.setdefault(name, []).append(ctx)
    groups = [c.KnowledgeGroupCtx(name, found) for name, found in by_system.items() if found]
    problems = knowledge_mod.common_problems(data.session, code, since=start, until=end)
    common = [
        c.CommonProblemCtx(
            seq=n,
            problem=p.text,
            count=p.count,
            kinds="、".join(f"{k} {v}" for k, v in p.kinds.most_common()),
            systems="、".join(name for name, _n in p.systems.most_common()),
            last_at=p.last_at,
            solution=p.solution,
            article=p.article,
        )
        for n, p in enumerate(problems, start=1)
    ]
    return _finish(  # type: ignore[return-value]
        c.KnowledgeBaseCtx(
            **_base(data, job),
            groups=groups,
            articles=listed,
            common=common,
            by_category=_counts(Counter(r.category or "未分类" for r in rows)),
            articles_total=len(rows),
            reviewed_total=sum(1 for r in rows if r.reviewed),
            signatures=blank_block(LABELS["report"], author(job)),
            record_ids=[r.id for r in rows],
        )
    )


BUILDERS = {
    "knowledge_base": build_knowledge_base,
    "inspection_record": build_inspection_record,
    "daily_inspection_log": build_daily_log,
    "monthly_inspection": build_monthly_inspection,
    "quarterly_summary": build_summary,
    "annual_summary": build_summary,
    "holiday_check": build_holiday_check,
    "service_record": build_service_record,
    "fault_report": build_fault_report,
    "phone_log": build_phone_log,
    "meeting_minutes": build_meeting_minutes,
    "monthly_report": build_monthly_report,
}


def build(data: ExportData, job: Job) -> c.FormContext:
    """The context of ``job`` (documents: prefilled facts of the profile)."""
    spec(job.kind)
    builder = BUILDERS.get(job.kind, build_document)
    token = _KEY_ID.set(job.key_id)
    try:
        return builder(data, job)
    finally:
        _KEY_ID.reset(token)
