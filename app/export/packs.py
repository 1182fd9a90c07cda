"""Monthly packs and acceptance archives: plan, render, write, zip, manifest.

- :func:`plan_month` / :func:`plan_range` list the files a pack will hold
  (the 交付物 page previews this list): every deliverable occurrence of the
  contract's profile that falls in the period — reports on a period by the
  period's last day, fixed-date documents by their due date, one 系统故障处置报告
  per fault closed in it, one 节假日检查记录单 per holiday ending in it — in Word
  and, for tabular forms, Excel. Summary reports (中期验收报告, 项目总结报告 …)
  go into range archives only; a range with none gets a 阶段运维总结报告.
- :func:`export_pack` renders them into a hidden staging folder, each file
  written atomically, with ``manifest.json`` and ``SHA256SUMS``, signs the
  manifest with the exporter's key (``manifest.json.minisig``, minisign
  format; not listed in the manifest), then renames the folder into place and
  writes the zip beside it (temp + fsync + rename; it holds the same files and
  signature) and signs the finished zip as ``<pack>.zip.minisig``.
  ``progress(done, total, message)`` is called per file; ``cancel`` (a callable
  or a :class:`threading.Event`) is checked between files. On cancel or error
  the staging folder and temporary zip are removed: nothing partial remains.
  After success each deliverable occurrence is recorded as 已导出
  (:func:`app.schedule.deadlines.mark_submitted` with ``state="exported"``).

Manifest (``omw-pack/1``) — UTF-8 JSON with sorted keys, written once; the
detached signature over its exact bytes is ``manifest.json.minisig``. Each
file's ``verification_code`` is the code printed in its footer
(:func:`app.integrity.signing_keys.verification_code`: the exporter's key id and the
content digest prefix), so a paper copy is matched to its file::

    {"format": "omw-pack/1", "kind": "month" | "range", "app_version",
     "contract": {"code", "name", "contract_no", "client", "vendor"},
     "period": {"start", "end", "label"}, "exporter", "exported_at",
     "files": [{"path", "size", "sha256", "form", "format", "deliverable",
                "deliverable_name", "period_key", "record_ids",
                "verification_code"}]}
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import glob
import hashlib
import json
import shutil
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app import __version__
from app.contracts.registry import get_contract
from app.export import build as b
from app.export import completeness, naming
from app.export.context import FormContext, PeriodInfo
from app.export.data import ExportData
from app.export.errors import ExportCancelled, ExportError
from app.export.forms import spec
from app.export.render import Renderer
from app.integrity import signing_keys
from app.records.integrity_check import TamperedError, refuse_tampered
from app.records.review import QueueItem, unreviewed
from app.schedule import periods
from app.schedule.deadlines import Deadline, deadlines, mark_submitted
from app.storage.atomic import (
    TEMP_SUFFIX,
    atomic_write_bytes,
    fsync_dir,
    os_reason,
    temp_path_for,
)
from app.storage.device import latest_head
from app.storage.store import Store
from db.models import Contract

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT = "omw-pack/1"
ARCHIVE_ONLY = ("summary_report",)

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool] | threading.Event


@dataclass
class PlannedFile:
    """One file of a pack."""

    path: str  # relative, with "/" separators
    kind: str
    fmt: str
    deliverable_code: str
    deliverable_name: str
    period: PeriodInfo
    due_date: date | None = None
    record_ids: list[str] | None = None
    holiday_id: str | None = None
    state: str = ""  # due | done | overdue (of the deliverable occurrence)
    exported: bool = False  # exported or handed in before
    #: why the deliverable lacks required content (「待补充」, :mod:`app.export.completeness`)
    missing: str = ""

    @property
    def title(self) -> str:
        return spec(self.kind).title


@dataclass
class PackPlan:
    kind: str  # month | range
    contract_code: str
    contract_name: str
    start: date
    end: date
    label: str
    folder: str
    files: list[PlannedFile] = field(default_factory=list)
    #: records of the month still waiting for the 复核人 when the profile requires review
    #: (:func:`app.records.review.unreviewed`); :func:`export_pack` refuses them unless allowed
    unreviewed: list[QueueItem] = field(default_factory=list)
    #: deliverables lacking required content (「待补充」); :func:`export_pack` refuses them
    #: unless allowed
    incomplete: list[completeness.MissingContent] = field(default_factory=list)


@dataclass
class ExportedFile:
    path: str
    size: int
    sha256: str
    planned: PlannedFile
    verification_code: str
    record_ids: list[str]


@dataclass
class PackResult:
    folder: Path
    zip_path: Path | None
    manifest: dict[str, Any]
    files: list[ExportedFile]
    seconds: float


# --------------------------------------------------------------------------- planning


def _month_bounds(month: str | date) -> tuple[date, date]:
    if isinstance(month, str):
        try:
            first = date.fromisoformat(month + "-01")
        except ValueError:
            raise ExportError(f"月份格式应为 YYYY-MM：“{month}”。") from None
    else:
        first = month.replace(day=1)
    return first, periods.month_end(first.year, first.month)


def _anchor(d: Deadline) -> date:
    return d.due_date if d.period_key == "once" else d.period_end


def _period_of(d: Deadline) -> PeriodInfo:
    """The period a deliverable's form covers, as its 期间 and sentences name it.

    A one-off deliverable (预案、总结、终验材料 …) covers the contract period: named
    by its dates, not left blank (a blank printed 「期间」 empty and began the 终验材料's
    summary with 「，共应巡检 …」).
    """
    label = d.period_label
    if d.period_key == "once":
        label = f"{d.period_start:%Y-%m-%d} 至 {d.period_end:%Y-%m-%d}"
    elif d.period_key == "contract":
        label = "合同期"
    return PeriodInfo(key=d.period_key, label=label, start=d.period_start, end=d.period_end)


def _files_for(
    data: ExportData, occurrences: list[Deadline], folder: str, counter: list[int]
) -> list[PlannedFile]:
    files: list[PlannedFile] = []
    fault_ids = {f.number: f.id for f in data.all_faults}
    for d in occurrences:
        form = spec(d.form) if d.form else None
        if form is None:
            continue
        period = _period_of(d)
        record_ids = None
        holiday_id = None
        label = "" if d.period_key == "once" else period.label  # a one-off is named alone
        if d.form == "fault_report":
            fid = fault_ids.get(d.period_key)
            if fid is None:
                continue
            record_ids = [fid]
            label = d.period_key
        elif d.form == "holiday_check":
            holiday_id = d.period_key
            holiday = data.holiday(d.period_key)
            label = f"{holiday.name}_{holiday.start_date:%Y%m%d}" if holiday else d.period_key
        counter[0] += 1
        stem = f"{counter[0]:02d}_{naming.form_stem(d.name, label)}"
        missing = completeness.missing_reason(data, completeness.Occurrence(d.code, d.form, period))
        for fmt in form.formats:
            files.append(
                PlannedFile(
                    path=f"{folder}{stem}.{fmt}",
                    kind=d.form,
                    fmt=fmt,
                    deliverable_code=d.code,
                    deliverable_name=d.name,
                    period=period,
                    due_date=d.due_date,
                    record_ids=record_ids,
                    holiday_id=holiday_id,
                    state=d.state,
                    exported=d.submitted is not None,
                    missing=missing,
                )
            )
    return files


def _month_occurrences(all_dl: list[Deadline], start: date, end: date) -> list[Deadline]:
    return [d for d in all_dl if start <= _anchor(d) <= end and d.form not in ARCHIVE_ONLY]


def plan_month(
    session: Any, contract: Contract | str, month: str | date, *, today: date | None = None
) -> PackPlan:
    """The files of the monthly pack of ``month`` (``YYYY-MM``); see the module docstring."""
    contract = get_contract(session, contract) if isinstance(contract, str) else contract
    start, end = _month_bounds(month)
    if end < contract.start_date or start > contract.end_date:
        raise ExportError(
            f"{start:%Y-%m} 不在合同服务期（{contract.start_date} 至 {contract.end_date}）内。"
        )
    data = ExportData(session, contract)
    all_dl = deadlines(session, contract, calendar=data.calendar, today=today)
    key = f"{start:%Y-%m}"
    plan = PackPlan(
        kind="month",
        contract_code=contract.code,
        contract_name=contract.name,
        start=max(start, contract.start_date),
        end=min(end, contract.end_date),
        label=f"{start.year}年{start.month}月",
        folder=naming.month_folder(contract.contract_no, contract.code, key),
    )
    plan.files = _files_for(data, _month_occurrences(all_dl, start, end), "", [0])
    plan.unreviewed = unreviewed(session, contract, plan.start, plan.end)
    plan.incomplete = completeness.missing_content(plan)
    return plan


class UnreviewedError(ExportError):
    """A month pack of a contract that requires review holds records without a 复核人."""

    def __init__(
        self, items: list[QueueItem], hint: str = "请先在「复核」页复核，或确认仍要导出。"
    ) -> None:
        self.items = items
        lines = [f"{i.day} {i.kind_label} {i.title}（{i.engineer}）" for i in items[:20]]
        if len(items) > 20:
            lines.append(f"……另有 {len(items) - 20} 条")
        super().__init__(
            f"合同要求复核，本月有 {len(items)} 条记录尚未经复核人签字：\n"
            + "\n".join(lines)
            + "\n"
            + hint
        )


def plan_range(
    session: Any,
    contract: Contract | str,
    start: date,
    end: date,
    *,
    label: str = "",
    today: date | None = None,
) -> PackPlan:
    """A mid-term / final archive: the month packs of ``start``..``end`` plus summary reports."""
    contract = get_contract(session, contract) if isinstance(contract, str) else contract
    if end < start:
        raise ExportError(f"结束日期 {end} 早于开始日期 {start}。")
    start, end = max(start, contract.start_date), min(end, contract.end_date)
    if end < start:
        raise ExportError("所选日期不在合同服务期内。")
    if not label:
        label = "终验归档" if end >= contract.end_date else "中期归档"
    data = ExportData(session, contract)
    all_dl = deadlines(session, contract, calendar=data.calendar, today=today)
    plan = PackPlan(
        kind="range",
        contract_code=contract.code,
        contract_name=contract.name,
        start=start,
        end=end,
        label=label,
        folder=naming.range_folder(
            contract.contract_no, contract.code, label, start.isoformat(), end.isoformat()
        ),
    )
    counter = [0]
    summaries = [d for d in all_dl if d.form in ARCHIVE_ONLY and start <= _anchor(d) <= end]
    plan.files += _files_for(data, summaries, "", counter)
    if not summaries:
        counter[0] += 1
        period = PeriodInfo(
            key=f"{start.isoformat()}_{end.isoformat()}",
            label=f"{start.isoformat()} 至 {end.isoformat()}",
            start=start,
            end=end,
        )
        plan.files.append(
            PlannedFile(
                path=f"{counter[0]:02d}_阶段运维总结报告.docx",
                kind="summary_report",
                fmt="docx",
                deliverable_code="",
                deliverable_name="阶段运维总结报告",
                period=period,
            )
        )
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        ms, me = max(date(y, m, 1), start), min(periods.month_end(y, m), end)
        month_counter = [0]
        plan.files += _files_for(
            data, _month_occurrences(all_dl, ms, me), f"{y}-{m:02d}/", month_counter
        )
        y, m = periods.add_months(y, m, 1)
    plan.incomplete = completeness.missing_content(plan)
    return plan


def without_missing(plan: PackPlan) -> PackPlan:
    """The plan without its 「待补充」 deliverables (what is packed unless the user confirms)."""
    return dataclasses.replace(plan, files=[f for f in plan.files if not f.missing], incomplete=[])


def narrative_sections(session: Any, plan: PackPlan, now: datetime) -> list[Any]:
    """The narrative sections of the pack's reports, drafted as of ``now`` and as edited
    (:func:`app.export.narrative.pack_sections`), for the export dialog to show."""
    from app.export import narrative

    data = ExportData(session, get_contract(session, plan.contract_code))
    return narrative.pack_sections(data, plan.files, now)


# --------------------------------------------------------------------------- exporting

_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Run without the cyclic garbage collector (restored afterwards).

    An export allocates a few hundred thousand short-lived objects (contexts,
    rows, strings) that reference counting frees; they only make the
    collector run full passes over the whole heap — 20 % of a monthly pack's
    time. What is left for the collector after a year's archive is a few
    thousand objects, collected once it is back on. Nested and concurrent
    exports share one pause.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def _cancelled(cancel: Cancel | None) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def _signer(store: Store, exporter: str) -> tuple[str, Any, str]:
    """Who signs (the exporter, else the store's actor), their unlocked secrets, key id.

    The store's own secret store: the window unlocks it once at start (with the
    device key), so an export on a worker thread never has to ask again.
    """
    signer = signing_keys.person_name(exporter or store.actor)
    secrets = store.secret_store()
    key = signing_keys.own_public_key(store, signer, secrets=secrets)
    return signer, secrets, key.key_id


def _job(planned: PlannedFile, exporter: str, now: datetime, key_id: str = "") -> b.Job:
    return b.Job(
        kind=planned.kind,
        period=planned.period,
        deliverable_code=planned.deliverable_code,
        deliverable_name=planned.deliverable_name,
        record_ids=planned.record_ids,
        holiday_id=planned.holiday_id,
        exporter=exporter,
        now=now,
        key_id=key_id,
    )


def _manifest(
    plan: PackPlan, contract: Contract, exporter: str, now: datetime, files: list[ExportedFile]
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": plan.kind,
        "app_version": __version__,
        "contract": {
            "code": contract.code,
            "name": contract.name,
            "contract_no": contract.contract_no,
            "client": contract.client,
            "vendor": contract.vendor,
        },
        "period": {
            "start": plan.start.isoformat(),
            "end": plan.end.isoformat(),
            "label": plan.label,
        },
        "exporter": exporter,
        "exported_at": now.isoformat(),
        "files": [
            {
                "path": f.path,
                "size": f.size,
                "sha256": f.sha256,
                "form": f.planned.kind,
                "format": f.planned.fmt,
                "deliverable": f.planned.deliverable_code,
                "deliverable_name": f.planned.deliverable_name,
                "period_key": f.planned.period.key,
                "record_ids": f.record_ids,
                "verification_code": f.verification_code,
            }
            for f in files
        ],
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest's canonical bytes (what a detached signature signs)."""
    return (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode(
        "utf-8"
    )


_STORED = (".docx", ".xlsx", ".png", ".zip")


def _render_files(
    store: Store,
    plan: PackPlan,
    staging: Path,
    zf: zipfile.ZipFile | None,
    *,
    exporter: str,
    now: datetime,
    key_id: str,
    progress: Progress | None,
    cancel: Cancel | None,
) -> tuple[list[ExportedFile], dict[str, Any]]:
    """Render every planned file into ``staging`` (and ``zf``); the files and the manifest.

    The Word and Excel files of one form are rendered from one context.
    """
    total = len(plan.files) + 1
    exported: list[ExportedFile] = []
    with gc_paused(), store.session() as session:
        contract = get_contract(session, plan.contract_code)
        data = ExportData(session, contract)
        renderer = Renderer(session, contract)
        # every form's context first: the records they are made of are checked
        # before anything is written, so forged content is never rendered or signed
        contexts: list[FormContext] = []
        built: dict[tuple[Any, ...], FormContext] = {}
        for planned in plan.files:
            if _cancelled(cancel):
                raise ExportCancelled()
            key = (
                planned.kind,
                planned.deliverable_code,
                planned.period.key,
                tuple(planned.record_ids or ()),
                planned.holiday_id,
            )
            ctx = built.get(key)
            if ctx is None:
                ctx = b.build(data, _job(planned, exporter, now, key_id))
                built = {key: ctx}  # docx and xlsx of one form share it
            contexts.append(ctx)
        _refuse_tampered(session, [i for ctx in contexts for i in ctx.record_ids])
        for n, (planned, ctx) in enumerate(zip(plan.files, contexts, strict=True)):
            if _cancelled(cancel):
                raise ExportCancelled()
            if progress:
                progress(n, total, planned.path)
            body = renderer.render(ctx, planned.fmt, planned.deliverable_code)
            # creates the form's sub-folder in staging as needed
            atomic_write_bytes(staging / planned.path, body, sync=False)
            if zf is not None:
                _zip_write(zf, f"{plan.folder}/{planned.path}", body, now)
            exported.append(
                ExportedFile(
                    planned.path,
                    len(body),
                    hashlib.sha256(body).hexdigest(),
                    planned,
                    ctx.verification_code,
                    list(ctx.record_ids),
                )
            )
        if _cancelled(cancel):
            raise ExportCancelled()
        manifest = _manifest(plan, contract, exporter, now, exported)
        head = latest_head(session)
        manifest["audit_head"] = head.as_json() if head is not None else None
    return exported, manifest


def _refuse_tampered(session: Any, record_ids: list[str]) -> None:
    try:
        refuse_tampered(session, record_ids)
    except TamperedError as exc:
        raise ExportError(exc.message) from None


def _write_manifest(
    store: Store,
    signer: str,
    secrets: Any,
    staging: Path,
    manifest: dict[str, Any],
    exported: list[ExportedFile],
) -> tuple[bytes, bytes, Path]:
    """Write and sign ``manifest.json``, write ``SHA256SUMS``, sync the staging folder.

    Returns the manifest's bytes, the sums' bytes and the signature file.
    """
    body = manifest_bytes(manifest)
    sums = "".join(f"{f.sha256}  {f.path}\n" for f in exported).encode("utf-8")
    atomic_write_bytes(staging / MANIFEST, body, sync=False)
    atomic_write_bytes(staging / SUMS, sums, sync=False)
    sig = signing_keys.sign_file(store, signer, staging / MANIFEST, secrets=secrets)
    _sync_tree(staging)
    return body, sums, sig


def _remove_leftovers(out: Path, folder: str) -> None:
    """What a killed export of this same pack left in ``out``: its staging folders and
    temporary zips (hidden names). Other packs' are left alone: they may be in progress."""
    name = glob.escape(folder)
    for staging in out.glob(f".{name}.partial-*"):
        shutil.rmtree(staging, ignore_errors=True)
    for temp in out.glob(f".{name}.zip.*{TEMP_SUFFIX}"):
        temp.unlink(missing_ok=True)


def _discard(zf: zipfile.ZipFile | None, zip_tmp: Path | None, staging: Path) -> None:
    """After a failure or cancel: close and remove the temporary zip, remove the staging folder."""
    if zf is not None:
        with contextlib.suppress(Exception):
            zf.close()
    if zip_tmp is not None:
        with contextlib.suppress(OSError):
            zip_tmp.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def export_pack(
    store: Store,
    plan: PackPlan,
    out_dir: str | Path,
    *,
    exporter: str = "",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    make_zip: bool = True,
    overwrite: bool = False,
    record: bool = True,
    now: datetime | None = None,
    allow_unreviewed: bool = False,
    allow_incomplete: bool = False,
) -> PackResult:
    """Render and write a planned pack (see the module docstring).

    Refused with :class:`UnreviewedError` while ``plan.unreviewed`` lists records,
    unless the user confirmed (``allow_unreviewed``), and with
    :class:`~app.export.completeness.IncompleteError` while ``plan.incomplete`` lists
    「待补充」 deliverables, unless confirmed (``allow_incomplete``).
    """
    import os
    import time

    if plan.unreviewed and not allow_unreviewed:
        raise UnreviewedError(plan.unreviewed)
    if plan.incomplete and not allow_incomplete:
        raise completeness.IncompleteError(plan.incomplete)

    started = time.perf_counter()
    now = now or datetime.now().replace(microsecond=0)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"无法创建输出目录 {out}：{os_reason(exc)}。未导出任何文件。") from None
    final = out / plan.folder
    zip_final = out / f"{plan.folder}.zip"
    if not overwrite and (final.exists() or (make_zip and zip_final.exists())):
        raise ExportError(f"目标已存在：{final.name}，请换一个输出目录或选择覆盖。")
    _remove_leftovers(out, plan.folder)
    staging = out / f".{plan.folder}.partial-{uuid.uuid4().hex[:8]}"
    zip_tmp: Path | None = None
    total = len(plan.files) + 1
    zf: zipfile.ZipFile | None = None
    # the key first (created at first use, outside any write session; asks for
    # the secret file's passphrase, if any, before any work is done)
    signer, secrets, key_id = _signer(store, exporter)
    try:
        staging.mkdir()
        if make_zip:
            zip_tmp = temp_path_for(zip_final)
            zf = zipfile.ZipFile(zip_tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        exported, manifest = _render_files(
            store,
            plan,
            staging,
            zf,
            exporter=exporter,
            now=now,
            key_id=key_id,
            progress=progress,
            cancel=cancel,
        )
        if progress:
            progress(total - 1, total, MANIFEST)
        body, sums, sig = _write_manifest(store, signer, secrets, staging, manifest, exported)
        if zf is not None and zip_tmp is not None:
            _zip_write(zf, f"{plan.folder}/{MANIFEST}", body, now)
            _zip_write(zf, f"{plan.folder}/{sig.name}", sig.read_bytes(), now)
            _zip_write(zf, f"{plan.folder}/{SUMS}", sums, now)
            zf.close()
            zf = None
            with open(zip_tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        if _cancelled(cancel):
            raise ExportCancelled()
        _move_into_place(staging, final, overwrite)
        if zip_tmp is not None:
            os.replace(zip_tmp, zip_final)
            zip_tmp = None
            # the zip byte for byte (zip metadata is outside the manifest's signature)
            signing_keys.sign_file(store, signer, zip_final, secrets=secrets)
        fsync_dir(out)
    except OSError as exc:  # the folder or disk: a full disk, a removed USB stick, no right
        _discard(zf, zip_tmp, staging)
        raise ExportError(f"无法写入输出目录 {out}：{os_reason(exc)}。导出未完成。") from None
    except BaseException:
        _discard(zf, zip_tmp, staging)
        raise
    if record:
        _record_exports(store, plan, exported, now)
    if progress:
        progress(total, total, "完成")
    return PackResult(
        final, zip_final if make_zip else None, manifest, exported, time.perf_counter() - started
    )


def _zip_write(zf: zipfile.ZipFile, name: str, body: bytes, now: datetime) -> None:
    info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if name.endswith(_STORED) else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, body)


def _sync_tree(folder: Path) -> None:
    import os

    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    for sub in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
        fsync_dir(sub)


def _move_into_place(staging: Path, final: Path, overwrite: bool) -> None:
    import os

    old = None
    if final.exists():
        if not overwrite:
            raise ExportError(f"目标已存在：{final.name}。")
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def delivered(files: list[ExportedFile]) -> list[ExportedFile]:
    """The first file of each deliverable occurrence (code, period) a pack holds."""
    seen: set[tuple[str, str]] = set()
    firsts = []
    for f in files:
        key = (f.planned.deliverable_code, f.planned.period.key)
        if f.planned.deliverable_code and key not in seen:
            seen.add(key)
            firsts.append(f)
    return firsts


def mark_pack_submitted(
    session: Session, contract_code: str, result: PackResult, now: datetime
) -> int:
    """Register every deliverable of an exported pack as handed in (登记已提交); how many."""
    found = delivered(result.files)
    for f in found:
        mark_submitted(
            session,
            contract_code,
            f.planned.deliverable_code,
            f.planned.period.key,
            submitted_at=now,
            file_name=f"{result.folder.name}/{f.path}",
            file_sha256=f.sha256,
            note="随交付包提交",
        )
    return len(found)


def _record_exports(store: Store, plan: PackPlan, files: list[ExportedFile], now: datetime) -> None:
    with store.session() as session:
        for f in delivered(files):
            p = f.planned
            with contextlib.suppress(ExportError, Exception):
                mark_submitted(
                    session,
                    plan.contract_code,
                    p.deliverable_code,
                    p.period.key,
                    submitted_at=now,
                    state="exported",
                    file_name=f"{plan.folder}/{f.path}",
                    file_sha256=f.sha256,
                    note=f"{'月度交付包' if plan.kind == 'month' else plan.label}导出",
                )


# --------------------------------------------------------------------------- single forms


@dataclass
class FormResult:
    path: Path
    size: int
    sha256: str
    verification_code: str
    record_ids: list[str]
    signature: Path | None = None  #: ``<path>.minisig``


def export_form(
    store: Store,
    kind: str,
    out: str | Path,
    *,
    record_id: str | None = None,
    contract: str | None = None,
    start: date | None = None,
    end: date | None = None,
    deliverable_code: str = "",
    exporter: str = "",
    now: datetime | None = None,
    allow_incomplete: bool = False,
    overwrite: bool = True,
) -> FormResult:
    """Export one form to ``out`` (format from its suffix, .docx or .xlsx).

    Record forms take ``record_id`` (a run, a service request, a fault; for
    节假日检查记录单 the holiday period's id); period forms ``contract`` and
    ``start``/``end``; documents ``contract``. A one-off deliverable (a plan, a
    final report) asked for without dates covers the period its pack gives it,
    with the texts written for it there. A form the packs would list as 「待补充」
    is refused unless ``allow_incomplete``; an existing ``out`` unless ``overwrite`` (the
    window has asked already; ``omw export form`` asks for ``--force``). The file is signed with the
    exporter's key (``<out>.minisig`` beside it) and its footer code is the
    exporter's key id plus the content digest prefix.
    """
    form = spec(kind)
    path = Path(out)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in form.formats:
        raise ExportError(
            f"「{form.title}」可导出为 {'、'.join('.' + f for f in form.formats)}，"
            f"输出文件名应以此结尾：{path.name}"
        )
    if not overwrite and path.exists():
        raise ExportError(f"文件已存在：{path}（确认覆盖请加 --force）。")
    now = now or datetime.now().replace(microsecond=0)
    signer, secrets, key_id = _signer(store, exporter)
    with gc_paused(), store.session() as session:
        found = _contract_for(session, form, record_id, contract)
        data = ExportData(session, found)
        period, record_ids, holiday_id = _single_scope(data, form, record_id, start, end)
        deliverable_code, name = _deliverable_of(data, form, kind, deliverable_code)
        if start is None and end is None and not record_id:
            period = _one_off_period(data, deliverable_code, now.date()) or period
        missing = completeness.missing_reason(
            data, completeness.Occurrence(deliverable_code, kind, period)
        )
        if missing and not allow_incomplete:
            raise completeness.IncompleteError(
                [
                    completeness.MissingContent(
                        deliverable_code, name, period.key, period.label, kind, missing, ()
                    )
                ],
                "请先补全，或加 --allow-incomplete 确认按现有内容导出。",
            )
        job = b.Job(
            kind=kind,
            period=period,
            deliverable_code=deliverable_code,
            deliverable_name=name,
            record_ids=record_ids,
            holiday_id=holiday_id,
            exporter=exporter,
            now=now,
            key_id=key_id,
        )
        ctx = b.build(data, job)
        _refuse_tampered(session, list(ctx.record_ids))
        body = Renderer(session, found).render(ctx, fmt, deliverable_code)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, body)
    sig = signing_keys.sign_file(store, signer, path, secrets=secrets)
    return FormResult(
        path,
        len(body),
        hashlib.sha256(body).hexdigest(),
        ctx.verification_code,
        ctx.record_ids,
        sig,
    )


def _one_off_period(data: ExportData, code: str, today: date) -> PeriodInfo | None:
    """The period a one-off (or whole-contract) deliverable's pack gives it, if ``code`` is one."""
    found = [d for d in data.deadlines(today) if d.code == code]
    if len(found) == 1 and found[0].period_key in ("once", "contract"):
        return _period_of(found[0])
    return None


def _deliverable_of(data: ExportData, form: Any, kind: str, code: str) -> tuple[str, str]:
    """The deliverable a single form is exported as (its client template, its name).

    Without ``code``: the contract's deliverable of this form, else none (the form's
    title); where several are (a half-year and a year-end 年度巡检维护汇总表), which
    one must be said: the first one's name on a year's summary was a wrong title.
    A ``code`` the contract does not have, or whose form is another, is refused: a
    mistyped code would otherwise give the built-in template unnoticed.
    """
    of_form = [d for d in data.profile.deliverables if d.form == kind]
    known = "、".join(f"{d.code}（{d.name}）" for d in of_form) or "无"
    if not code:
        if len(of_form) > 1:
            raise ExportError(
                f"「{form.title}」是合同 {data.contract.code} 的 {len(of_form)} 项交付物：{known}。"
                "请用 --deliverable 指定导出为哪一项（决定表单的标题和客户模板）。未导出任何文件。"
            )
        return (of_form[0].code, of_form[0].name) if of_form else ("", form.title)
    match = next((d for d in data.profile.deliverables if d.code == code), None)
    if match is not None and match.form == kind:
        return match.code, match.name
    if match is None:
        raise ExportError(
            f"合同 {data.contract.code} 没有代码为 “{code}” 的交付物。"
            f"「{form.title}」对应的交付物：{known}。"
        )
    raise ExportError(
        f"交付物 {code}（{match.name}）不是「{form.title}」。"
        f"「{form.title}」对应的交付物：{known}。"
    )


def _contract_for(session: Any, form: Any, record_id: str | None, code: str | None) -> Contract:
    from app.records.signing import get_record
    from db.models import HolidayPeriod

    if record_id and form.record_type:
        record = get_record(session, form.record_type, record_id)
        return session.get(Contract, record.contract_id)  # type: ignore[no-any-return]
    if record_id and form.kind == "holiday_check":
        holiday = session.get(HolidayPeriod, record_id)
        if holiday is None:
            raise ExportError(f"找不到节假日保障期（{record_id}）。")
        return session.get(Contract, holiday.contract_id)  # type: ignore[no-any-return]
    if not code:
        raise ExportError(f"请用 --contract 指定合同（{form.title}）。")
    return get_contract(session, code)


def _single_scope(
    data: ExportData, form: Any, record_id: str | None, start: date | None, end: date | None
) -> tuple[PeriodInfo, list[str] | None, str | None]:
    contract = data.contract
    if form.scope in ("record", "records") and record_id:
        from app.records.signing import get_record, latest_version

        record = get_record(data.session, form.record_type, record_id)
        latest = latest_version(data.session, form.record_type, record_id)
        if latest.id != record.id:
            raise ExportError("该记录已有更正版本，请导出最新版本。")
        when = (
            getattr(record, "scheduled_date", None)
            or (
                getattr(record, "received_at", None)
                or getattr(record, "meeting_at", None)
                or record.reported_at
            ).date()
        )
        return (
            PeriodInfo(key=when.isoformat(), label=f"{when:%Y-%m-%d}", start=when, end=when),
            [record_id],
            None,
        )
    if form.kind == "holiday_check":
        if not record_id:
            raise ExportError(
                "节假日检查记录单请用 --record 指定节假日保障期的 ID（omw holidays 可查）。"
            )
        holiday = data.holiday(record_id)
        assert holiday is not None
        return (
            PeriodInfo(
                key=holiday.id,
                label=f"{holiday.name}（{holiday.start_date} 至 {holiday.end_date}）",
                start=holiday.start_date,
                end=holiday.end_date,
            ),
            None,
            holiday.id,
        )
    if form.scope == "record":
        raise ExportError(f"「{form.title}」请用 --record 指定记录 ID。")
    start = start or contract.start_date
    end = end or contract.end_date
    if end < start:
        raise ExportError(f"结束日期 {end} 早于开始日期 {start}。")
    if start.day == 1 and end == periods.month_end(start.year, start.month):
        label, key = f"{start.year}年{start.month}月", f"{start:%Y-%m}"
    elif (start, end) == (contract.start_date, contract.end_date):
        label, key = "合同期", "contract"
    else:
        label, key = f"{start} 至 {end}", f"{start}_{end}"
    return PeriodInfo(key=key, label=label, start=start, end=end), None, None
