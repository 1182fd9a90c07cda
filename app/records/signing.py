"""Signatures, locking, verification and amendments of signable records.

Signable records are inspection runs, fault records, service requests and
meeting minutes (``db.models.SIGNABLE_TYPES``).

- **What is signed** is the record's content hash (:func:`content_hash`): the
  SHA-256 of the canonical JSON of its columns (without bookkeeping columns:
  ``created_*``, ``updated_*``, ``locked_at``), its item results in order with
  their system and item codes, and the blob hashes of its attachments.
- **When a record may be signed**: an inspection run once completed; a fault
  once closed (its timeline and report are then final — a signed record can
  no longer change); a service request once no longer open (resolved,
  unresolved or escalated to a fault); meeting minutes once 定稿
  (:func:`app.records.meetings.finalize`).
- **The first signature locks** the record (``locked_at``; a run's status
  becomes ``signed``). The other roles sign the same content later: their
  signature is refused if the content hash no longer matches the first one
  (the record was changed behind the app's back). Each role signs once.
- **Corrections** are amendments (:func:`amend`): an editable copy that
  supersedes the locked original, which stays as it was. :func:`diff` lists
  what the amendment changed; its author and time are the amendment's
  ``created_by``/``created_at`` (and the audit log's ``amend`` entry).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, select
from sqlalchemy.orm import Session

from app.errors import DomainError, NotFound
from app.integrity import seals
from app.records import _util, meetings
from app.records.attachments import store_blob
from app.storage import guards
from db.audit import canonical_bytes
from db.engine import is_hub, write_lock
from db.models import (
    SIGNABLE_TYPES,
    Attachment,
    Blob,
    FaultRecord,
    InspectionRun,
    ItemResult,
    KnowledgeArticle,
    MeetingMinutes,
    ServiceRequest,
    Signature,
)
from db.models import now as current_time

ROLES: tuple[str, ...] = ("运维人员", "复核人", "甲方确认")
RECORD_LABELS: dict[str, str] = {
    "inspection_run": "巡检记录",
    "fault_record": "故障单",
    "service_request": "服务请求",
    "meeting_minutes": "会议纪要",
    "knowledge_article": "知识条目",
}
MAX_PNG_BYTES = 2 * 1024 * 1024
MAX_PNG_SIDE = 10_000
REASON_LIMIT = 2_000

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}

#: Not signed content: who/when wrote the row, and (revision 0009) which device and its
#: change counter — exchange bookkeeping, so records signed before it keep their hash.
_BOOKKEEPING = frozenset(
    {"created_at", "created_by", "updated_at", "updated_by", "locked_at", "device_id", "device_seq"}
)
#: Columns added after records were first signed (fault outage, revision 0006): left out of
#: the signed content while NULL, so a record signed before they existed keeps its hash.
_LATER_COLUMNS = frozenset({"service_interrupted", "outage_start", "outage_end", "outage_systems"})
_RESULT_SKIP = _BOOKKEEPING | {"id", "run_id", "item_id", "system_id"}
#: Columns never compared by :func:`diff` (identity, versioning, workflow).
_DIFF_SKIP = _BOOKKEEPING | {"id", "supersedes_id", "amendment_reason"}
_RUN_DIFF_SKIP = {"status", "completed_at"}
_RESULT_FIELDS = ("status", "value_num", "value_num2", "value_text", "note", "action", "fault_id")

FIELD_LABELS: dict[str, str] = {
    # inspection runs
    "scheduled_date": "巡检日期",
    "started_at": "开始时间",
    "completed_at": "完成时间",
    "inspector": "巡检人员",
    "conclusion": "巡检结论",
    "remediation": "整改要求",
    "remediation_deadline": "整改期限",
    "period_key": "周期",
    "cadence": "巡检类型",
    "template_id": "巡检模板",
    "holiday_period_id": "节假日保障期",
    # item results
    "value_num": "数值",
    "value_num2": "第二个数值",
    "value_text": "检查结果",
    "note": "异常情况",
    "action": "处理措施",
    "fault_id": "关联故障单",
    "attachments": "附件",
    # faults
    "number": "单号",
    "title": "故障标题",
    "level": "故障等级",
    "category": "类型",
    "emergency_type": "应急事件类型",
    "discovery": "发现方式",
    "impact": "影响范围",
    "reported_at": "报告时间",
    "responded_at": "响应时间",
    "onsite_at": "到场时间",
    "recovered_at": "恢复时间",
    "closed_at": "关闭时间",
    "handler": "处理人",
    "coordinator": "协调人",
    "symptom": "故障现象",
    "impact_analysis": "影响分析",
    "cause": "原因分析",
    "process": "处理过程",
    "prevention": "整改及预防措施",
    "result": "处理结果",
    "service_interrupted": "是否中断服务",
    "outage_start": "中断开始",
    "outage_end": "中断结束",
    "outage_systems": "中断的系统",
    "source_result_id": "来源检查项",
    "service_request_id": "来源服务请求",
    # service requests
    "channel": "服务方式",
    "received_at": "接报时间",
    "caller_unit": "来电单位",
    "caller_name": "来电人",
    "caller_contact": "联系方式",
    "priority": "优先级",
    "description": "问题描述",
    "remote_at": "远程支持时间",
    "resolution": "处理结果",
    "status": "状态",
    "solved_on_phone": "电话解决",
    "follow_up": "是否回访",
    "next_visit": "下次上门时间",
    "system_id": "系统",
    "contract_id": "合同",
    # meeting minutes
    "meeting_at": "会议时间",
    "ended_at": "结束时间",
    "place": "地点",
    "host": "主持人",
    "recorder": "记录人",
    "attendees": "出席人员",
    "absentees": "缺席人员",
    "agenda": "议程",
    "discussion": "会议内容",
    "decisions": "决议",
    "action_items": "行动项",
    # knowledge articles
    "problem": "问题现象",
    "solution": "解决方法",
    "steps": "操作步骤",
    "systems": "适用系统",
    "tags": "标签",
    "author": "作者",
    "source_type": "来源记录类型",
    "source_id": "来源记录",
}

Signable = InspectionRun | FaultRecord | ServiceRequest | MeetingMinutes | KnowledgeArticle


# --------------------------------------------------------------------------- records


def _model(record_type: str) -> type[Any]:
    model = SIGNABLE_TYPES.get(record_type)
    if model is None:
        raise DomainError(f"“{record_type}” 类型的记录不能签字。")
    return model


def get_record(session: Session, record_type: str, record_id: str) -> Signable:
    return _util.get(session, _model(record_type), record_id, RECORD_LABELS[record_type])


def record_type_of(record: Any) -> str:
    for name, model in SIGNABLE_TYPES.items():
        if isinstance(record, model):
            return name
    raise DomainError("该记录不能签字。")


# --------------------------------------------------------------------------- content hash


def _plain_values(
    table: Any, value_of: Callable[[str], Any], skip: frozenset[str] | set[str]
) -> dict[str, Any]:
    """The columns of a row as canonical plain values (floats and booleans normalised)."""
    keys, coerced = _plan(table, frozenset(skip))
    return _coerce({key: value_of(key) for key in keys}, coerced)


@functools.cache
def _plan(table: Any, skip: frozenset[str]) -> tuple[tuple[str, ...], tuple[tuple[str, type], ...]]:
    """The columns a content hash reads, in order, and those normalised with their type
    (once a table)."""
    keys: list[str] = []
    coerced: list[tuple[str, type]] = []
    for column in table.columns:
        if column.key in skip:
            continue
        keys.append(column.key)
        if isinstance(column.type, Float):
            coerced.append((column.key, float))
        elif isinstance(column.type, Boolean):
            coerced.append((column.key, bool))
    return tuple(keys), tuple(coerced)


def _columns(obj: Any, skip: frozenset[str] | set[str]) -> dict[str, Any]:
    return _plain_values(obj.__table__, lambda key: getattr(obj, key), skip)


def _signed_columns(columns: dict[str, Any]) -> dict[str, Any]:
    """A record's columns as signed: :data:`_LATER_COLUMNS` only when they hold a value."""
    return {k: v for k, v in columns.items() if v is not None or k not in _LATER_COLUMNS}


#: what a content hash lists of an attachment, with its owner's id first
_FILES = select(
    Attachment.__table__.c.owner_id,
    Attachment.__table__.c.blob_sha256,
    Attachment.__table__.c.filename,
    Attachment.__table__.c.caption,
)


def _attachments(session: Session, owner_type: str, owner_ids: list[str]) -> dict[str, list[Any]]:
    """The attachments of records, by owner id (every owner listed, with none or some)."""
    # 500 owners a query: the item results of 500 runs would be one statement of several
    # thousand parameters, each length prepared and kept by SQLite's statement cache anew
    # (a 36-month check held 29 MiB of them in the window; bench/run.py, window memory)
    table = Attachment.__table__
    found: dict[str, list[Any]] = {owner_id: [] for owner_id in owner_ids}
    return found | _listed_files(
        session,
        [
            _FILES.where(
                table.c.owner_type == owner_type,
                table.c.owner_id.in_(owner_ids[start : start + 500]),
            )
            for start in range(0, len(owner_ids), 500)
        ],
    )


def _listed_files(session: Session, queries: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """The attachments :data:`_FILES` queries find, by owner id, each owner's in the
    order the content hash lists them (owners without any are absent)."""
    files: dict[str, list[dict[str, Any]]] = {}
    for query in queries:
        for owner_id, sha256, filename, caption in _rows(session, query):
            files.setdefault(owner_id, []).append(
                {"sha256": sha256, "filename": filename, "caption": caption}
            )
    for items in files.values():
        items.sort(key=lambda a: (a["sha256"], a["filename"], a["caption"]))
    return files


def record_content(session: Session, record_type: str, record_id: str) -> dict[str, Any]:
    """The signed content of a record as plain data (what :func:`content_hash` hashes)."""
    record = get_record(session, record_type, record_id)
    columns = _signed_columns(_columns(record, _BOOKKEEPING))
    content: dict[str, Any] = {"record_type": record_type, "record": columns}
    content["attachments"] = _attachments(session, record_type, [record.id])[record.id]
    if isinstance(record, InspectionRun):
        if columns.get("status") == "signed":
            columns["status"] = "completed"  # signing itself is not a change of content
        results = sorted(record.results, key=lambda r: r.seq)
        files = _attachments(session, "item_result", [r.id for r in results])
        content["results"] = [
            _columns(r, _RESULT_SKIP)
            | {
                "item_code": r.item.code,
                "system_code": r.system.code if r.system is not None else None,
                "attachments": files[r.id],
            }
            for r in results
        ]
    return content


def content_hash(session: Session, record_type: str, record_id: str) -> str:
    body = canonical_bytes(record_content(session, record_type, record_id))
    return hashlib.sha256(body).hexdigest()


def _row_columns(table: Any, row: Any, skip: frozenset[str]) -> dict[str, Any]:
    """:func:`_plain_values` of the values ``row`` holds first, in the order of the
    columns of :func:`_plan` (a Core row of :func:`_hashed`'s columns)."""
    keys, coerced = _plan(table, skip)
    return _coerce(dict(zip(keys, row, strict=False)), coerced)


def _coerce(values: dict[str, Any], coerced: tuple[tuple[str, type], ...]) -> dict[str, Any]:
    """``values`` with the floats and booleans of :func:`_plan` normalised."""
    for key, plain in coerced:
        value = values[key]
        if value is not None:
            values[key] = plain(value)
    return values


def _rows(session: Session, query: Any) -> Any:
    """Plain rows of a query of table columns: as ``session.execute`` would read them
    (pending changes flushed first, unless autoflush is off), without the ORM's
    per-row processing."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(query).all()


def content_hashes(session: Session, record_type: str, record_ids: list[str]) -> dict[str, str]:
    """:func:`content_hash` of many records of one type, with a few queries instead of ORM loads.

    What ``omw check`` and every export use: the per-record path costs ≈ 2 ms a
    record in lazy loads (3,300 signed records: 7 s); this one reads the same
    columns in bulk, as plain tuples. ``tests/test_integrity_check.py`` proves both
    give the same hash for every record of a demo store.
    """
    model = _model(record_type)
    table = model.__table__  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        query = select(*_hashed(table, _BOOKKEEPING)).where(table.c.id.in_(chunk))
        records = [_row_columns(table, row, _BOOKKEEPING) for row in _rows(session, query)]
        ids = [columns["id"] for columns in records]
        files = _attachments(session, record_type, ids)
        results: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        if record_type == "inspection_run":
            results = _bulk_results(session, ids)
        for columns in records:
            record_id = columns["id"]
            signed = _signed_columns(columns)
            found[record_id] = _digest(record_type, signed, files[record_id], results[record_id])
    return found


def _digest(
    record_type: str, columns: dict[str, Any], files: list[Any], results: list[dict[str, Any]]
) -> str:
    """The content hash of a record's signed columns, attachments and (a run's) item results."""
    content: dict[str, Any] = {"record_type": record_type, "record": columns, "attachments": files}
    if record_type == "inspection_run":
        if columns.get("status") == "signed":
            columns["status"] = "completed"  # signing itself is not a change of content
        content["results"] = results
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def new_run_hash(run: dict[str, Any], results: list[tuple[dict[str, Any], str, str | None]]) -> str:
    """:func:`content_hash` of a run written in bulk, from the column values written.

    ``results`` are its item results' column values, each with its item's code and
    its own system's code. For records without attachments (a bulk writer's new
    runs), and only while the values are what the store holds:
    ``tests/test_demo_bulk.py`` and ``omw check`` compare with the stored hash.
    """
    columns = _signed_columns(_plain_values(InspectionRun.__table__, run.__getitem__, _BOOKKEEPING))
    rows = [
        _plain_values(ItemResult.__table__, values.__getitem__, _RESULT_SKIP)
        | {"item_code": item_code, "system_code": system_code, "attachments": []}
        for values, item_code, system_code in sorted(results, key=lambda r: r[0]["seq"])
    ]
    return _digest("inspection_run", columns, [], rows)


def _hashed(table: Any, skip: frozenset[str]) -> list[Any]:
    """The columns a content hash covers (reading no others saves converting their values)."""
    return [column for column in table.columns if column.key not in skip]


def _bulk_results(session: Session, run_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    from db.models import ChecklistItem, System

    table = ItemResult.__table__
    items, systems = ChecklistItem.__table__, System.__table__
    hashed = _hashed(table, _RESULT_SKIP)
    query = (
        select(*hashed, table.c.id, table.c.run_id, items.c.code, systems.c.code)
        .join(items, items.c.id == table.c.item_id)
        .outerjoin(systems, systems.c.id == table.c.system_id)
        .where(table.c.run_id.in_(run_ids))
        .order_by(table.c.run_id, table.c.seq)
    )
    rows = _rows(session, query)
    n = len(hashed)
    files = _result_attachments(session, run_ids)
    found: dict[str, list[dict[str, Any]]] = {run_id: [] for run_id in run_ids}
    for row in rows:
        result_id, run_id, item_code, system_code = row[n:]
        found[run_id].append(
            _row_columns(table, row, _RESULT_SKIP)
            | {
                "item_code": item_code,
                "system_code": system_code,
                "attachments": files.get(result_id) or [],
            }
        )
    return found


def _result_attachments(session: Session, run_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The attachments of the item results of runs, by result id, as :func:`_attachments`
    lists them (results without any are absent).

    Asked by run, 500 runs a query, joined to the results: asked by result, as
    :func:`_attachments` does, a year's 33,000 results took 67 queries of 500
    parameters each, for the few results that have a photo (a bundle import of the
    12-month demo store spent 0.65 s of 9.5 s there under cProfile).
    """
    attachment, result = Attachment.__table__, ItemResult.__table__
    return _listed_files(
        session,
        [
            _FILES.join(result, result.c.id == attachment.c.owner_id).where(
                attachment.c.owner_type == "item_result",
                result.c.run_id.in_(run_ids[start : start + 500]),
            )
            for start in range(0, len(run_ids), 500)
        ],
    )


def short_code(digest: str) -> str:
    """A short verification code for a form's footer: ``3F9A-07C2-B1E4``."""
    head = digest[:12].upper()
    return "-".join(head[i : i + 4] for i in range(0, 12, 4))


# --------------------------------------------------------------------------- PNG


@dataclass(frozen=True)
class PngInfo:
    width: int
    height: int


def png_info(data: bytes) -> PngInfo:
    """Check that ``data`` is a PNG image of reasonable size and return its dimensions.

    Reads the header with :mod:`struct`; no image library is needed.
    """
    if not isinstance(data, bytes | bytearray):
        raise DomainError("签名图片必须是 PNG 文件的字节。")
    if len(data) > MAX_PNG_BYTES:
        raise DomainError(
            f"签名图片过大（{len(data) / 1024 / 1024:.1f} MB），"
            f"最多 {MAX_PNG_BYTES // 1024 // 1024} MB。"
        )
    if len(data) < 8 + 25 + 12 or not data.startswith(PNG_MAGIC):
        raise DomainError("签名图片不是 PNG 格式。")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise DomainError("签名图片的 PNG 文件头无效。")
    header = bytes(data[16:29])
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(b"IHDR" + header) & 0xFFFFFFFF != crc:
        raise DomainError("签名图片已损坏（文件头校验失败）。")
    width, height, depth, color, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", header
    )
    if not (0 < width <= MAX_PNG_SIDE and 0 < height <= MAX_PNG_SIDE):
        raise DomainError(f"签名图片的尺寸 {width}×{height} 无效。")
    if depth not in _PNG_DEPTHS.get(color, ()) or compression or filtering or interlace > 1:
        raise DomainError("签名图片的 PNG 格式参数无效。")
    if not bytes(data[-12:]) == _PNG_IEND:
        raise DomainError("签名图片不完整（缺少 PNG 结束标记）。")
    return PngInfo(width, height)


# --------------------------------------------------------------------------- signing


def signatures_of(session: Session, record_type: str, record_id: str) -> list[Signature]:
    """Signatures of a record, in the order of the form's signature block."""
    rows = session.scalars(
        select(Signature).where(
            Signature.record_type == record_type, Signature.record_id == record_id
        )
    ).all()
    order = {role: i for i, role in enumerate(ROLES)}
    return sorted(rows, key=lambda s: (order.get(s.role, len(ROLES)), s.signed_at))


def _check_signable(record_type: str, record: Signable) -> None:
    if isinstance(record, InspectionRun) and record.status != "completed":
        raise DomainError("巡检记录尚未完成，请先完成巡检再签字。")
    if isinstance(record, FaultRecord) and record.closed_at is None:
        raise DomainError("故障单尚未关闭，关闭后才能签字。")
    if isinstance(record, ServiceRequest) and record.status == "open":
        raise DomainError("服务请求尚未处理完成，完成后才能签字。")
    if isinstance(record, MeetingMinutes) and (problem := meetings.signable_problems(record)):
        raise DomainError(problem)
    if isinstance(record, KnowledgeArticle) and not (record.title and record.solution):
        raise DomainError("知识条目须有标题和解决方法才能签字。")


def sign(
    session: Session,
    record_type: str,
    record_id: str,
    *,
    role: str,
    signer_name: str,
    png: bytes,
    signed_at: datetime | None = None,
    now: datetime | None = None,
) -> Signature:
    """Sign a record in one of :data:`ROLES` with a captured signature image.

    The first signature locks the record. Later signatures must be over the
    same content; each role signs once. On a hub two people may sign the same
    record at once: the second waits for the first and then sees its signature
    and its lock (the write turn, then the record read afresh).
    """
    write_lock(session)
    record = get_record(session, record_type, record_id)
    if is_hub(session):  # loaded before the turn came: what others committed since counts
        session.flush()
        session.refresh(record)
    if role not in ROLES:
        raise DomainError(f"签字角色 “{role}” 无效，可选：{'、'.join(ROLES)}。")
    name = _util.text(signer_name, "签字人姓名", required=True, limit=_util.NAME_LIMIT)
    png_info(png)
    when = _util.not_future(
        _util.moment(signed_at, "签字时间") if signed_at is not None else (now or current_time()),
        "签字时间",
        now,
    )
    successor = _successor(session, type(record), record.id)
    if successor is not None:
        raise DomainError("该记录已有更正版本，请在最新版本上签字。")
    existing = signatures_of(session, record_type, record.id)
    for signature in existing:
        if signature.role == role:
            raise DomainError(
                f"「{role}」已由 {signature.signer_name} 于 {signature.signed_at:%Y-%m-%d %H:%M} "
                "签字，每个角色只签一次。"
            )
    digest = content_hash(session, record_type, record.id)
    if record.locked_at is None:
        _check_signable(record_type, record)
    elif any(s.content_sha256 != digest for s in existing):
        raise DomainError(
            "记录内容与已有签字时不一致（可能在本应用之外被改动），不能继续签字；"
            "请核查后通过「更正」处理。"
        )
    image = store_blob(session, bytes(png))
    signature = Signature(
        record_type=record_type,
        record_id=record.id,
        role=role,
        signer_name=name,
        signed_at=when,
        image_sha256=image,
        content_sha256=digest,
        record_version=record_version(session, record),
    )
    seals.seal(guards.device_of(session), signature)
    session.add(signature)
    if record.locked_at is None:
        record.locked_at = when
        if isinstance(record, InspectionRun):
            record.status = "signed"
    return signature


def record_version(session: Session, record: Signable) -> int:
    """1 for an original record, n+1 for its n-th amendment (what a seal states)."""
    model = type(record)
    version, seen = 1, {record.id}
    previous = record.supersedes_id
    while previous is not None and previous not in seen:
        seen.add(previous)
        version += 1
        previous = session.scalar(select(model.supersedes_id).where(model.id == previous))
    return version


def is_locked(session: Session, record_type: str, record_id: str) -> bool:
    return get_record(session, record_type, record_id).locked_at is not None


@dataclass(frozen=True)
class SignatureCheck:
    role: str
    signer_name: str
    signed_at: datetime
    content_ok: bool  # the record still has the content this signature was made over
    image_ok: bool  # the stored signature image is intact


@dataclass(frozen=True)
class VerifyReport:
    record_type: str
    record_id: str
    content_sha256: str
    locked: bool
    signatures: list[SignatureCheck]
    attachments_ok: bool

    @property
    def ok(self) -> bool:
        return self.attachments_ok and all(s.content_ok and s.image_ok for s in self.signatures)

    @property
    def problems(self) -> list[str]:
        found = []
        for s in self.signatures:
            if not s.content_ok:
                found.append(f"「{s.role}」{s.signer_name} 签字后记录内容被改动。")
            if not s.image_ok:
                found.append(f"「{s.role}」{s.signer_name} 的签名图片被改动。")
        if not self.attachments_ok:
            found.append("附件内容被改动。")
        if self.signatures and not self.locked:
            found.append("已签字的记录被解除锁定。")
        return found


def _blob_intact(session: Session, sha256: str) -> bool:
    blob = session.get(Blob, sha256)
    return blob is not None and hashlib.sha256(blob.data).hexdigest() == sha256


def verify_record(session: Session, record_type: str, record_id: str) -> VerifyReport:
    """Recompute the content hash and check it against every signature.

    Detects changes made outside the app (e.g. with a database tool), to the
    record, its item results, its attachments or the signature images.
    """
    record = get_record(session, record_type, record_id)
    session.flush()
    session.refresh(record)  # what is stored, not what this session remembers
    if isinstance(record, InspectionRun):
        for result in record.results:
            session.refresh(result)
    digest = content_hash(session, record_type, record.id)
    content = record_content(session, record_type, record.id)
    shas = {a["sha256"] for a in content["attachments"]}
    for result in content.get("results", []):
        shas.update(a["sha256"] for a in result["attachments"])
    checks = [
        SignatureCheck(
            s.role,
            s.signer_name,
            s.signed_at,
            s.content_sha256 == digest,
            _blob_intact(session, s.image_sha256),
        )
        for s in signatures_of(session, record_type, record.id)
    ]
    return VerifyReport(
        record_type,
        record.id,
        digest,
        record.locked_at is not None,
        checks,
        all(_blob_intact(session, sha) for sha in shas),
    )


# --------------------------------------------------------------------------- amendments


def _successor(session: Session, model: type[Any], record_id: str) -> Any:
    return session.scalar(
        select(model).where(model.supersedes_id == record_id).order_by(model.created_at).limit(1)
    )


def latest_version(session: Session, record_type: str, record_id: str) -> Signable:
    """The newest amendment of a record (the record itself when never amended)."""
    model = _model(record_type)
    record = get_record(session, record_type, record_id)
    seen = {record.id}
    while (successor := _successor(session, model, record.id)) is not None:
        if successor.id in seen:
            break
        seen.add(successor.id)
        record = successor
    return record


def versions(session: Session, record_type: str, record_id: str) -> list[Signable]:
    """Every version of a record, from the original to the latest amendment."""
    model = _model(record_type)
    record = get_record(session, record_type, record_id)
    chain = [record]
    while chain[0].supersedes_id is not None and len(chain) < 10_000:
        previous = session.get(model, chain[0].supersedes_id)
        if previous is None:
            break
        chain.insert(0, previous)
    latest = latest_version(session, record_type, record.id)
    while chain[-1].id != latest.id:
        successor = _successor(session, model, chain[-1].id)
        if successor is None:
            break
        chain.append(successor)
    return chain


def _copy_columns(source: Any, target: Any, skip: frozenset[str] | set[str]) -> None:
    for column in source.__table__.columns:
        if column.key in skip:
            continue
        setattr(target, column.key, copy.deepcopy(getattr(source, column.key)))


def _copy_attachments(session: Session, owner_type: str, source_id: str, target_id: str) -> None:
    rows = session.scalars(
        select(Attachment).where(
            Attachment.owner_type == owner_type, Attachment.owner_id == source_id
        )
    ).all()
    for row in rows:
        session.add(
            Attachment(
                owner_type=owner_type,
                owner_id=target_id,
                blob_sha256=row.blob_sha256,
                filename=row.filename,
                mime=row.mime,
                caption=row.caption,
            )
        )


def amend(
    session: Session,
    record_type: str,
    record_id: str,
    *,
    reason: str,
    actor: str,
) -> Signable:
    """「更正」: an editable copy of a signed record that supersedes it.

    The original stays locked and unchanged. The copy has no signatures; an
    amended inspection run is a draft again (edit, complete, sign). Fault and
    request amendments keep their number. Only the latest version of a record
    can be amended.
    """
    model = _model(record_type)
    original = get_record(session, record_type, record_id)
    reason = _util.text(reason, "更正原因", required=True, limit=REASON_LIMIT)
    author = _util.text(actor, "更正人", required=True, limit=_util.NAME_LIMIT)
    if original.locked_at is None:
        raise DomainError("该记录尚未签字，可直接修改，不需要更正。")
    successor = _successor(session, model, original.id)
    if successor is not None:
        raise DomainError(
            f"该记录已于 {successor.created_at:%Y-%m-%d %H:%M} 由 {successor.created_by or '—'} "
            "更正过，请在最新版本上更正。"
        )
    amended = model()
    _copy_columns(original, amended, _DIFF_SKIP)
    amended.supersedes_id = original.id
    amended.amendment_reason = reason
    amended.created_by = author
    if isinstance(original, FaultRecord | ServiceRequest):
        amended.system = original.system
    if isinstance(original, InspectionRun):
        amended.template = original.template
        amended.system = original.system
        amended.status = "draft"
        amended.completed_at = None
        for result in original.results:
            clone = ItemResult(item=result.item, system=result.system)
            _copy_columns(result, clone, _BOOKKEEPING | {"id", "run_id"})
            amended.results.append(clone)
            _copy_attachments(session, "item_result", result.id, clone.id)
    session.add(amended)
    _copy_attachments(session, record_type, original.id, amended.id)
    return amended


@dataclass(frozen=True)
class Change:
    field: str  # column name, or "<system>/<item>.<column>" for item results
    old: Any
    new: Any
    label: str = ""  # the field in Chinese, for display


def _find_type(session: Session, record_id: str) -> str:
    for name, model in SIGNABLE_TYPES.items():
        if session.get(model, record_id) is not None:
            return name
    raise NotFound(f"找不到该记录（{record_id}）。")


def _files(session: Session, owner_type: str, owner_id: str) -> list[str]:
    rows = _attachments(session, owner_type, [owner_id])[owner_id]
    return sorted(f"{a['filename']} ({a['sha256'][:8]})" for a in rows)


def diff(
    session: Session, original_id: str, amended_id: str, record_type: str | None = None
) -> list[Change]:
    """What changed from one version of a record to another, field by field."""
    record_type = record_type or _find_type(session, original_id)
    old = get_record(session, record_type, original_id)
    new = get_record(session, record_type, amended_id)
    skip = set(_DIFF_SKIP) | (_RUN_DIFF_SKIP if isinstance(old, InspectionRun) else set())
    old_values, new_values = _columns(old, frozenset()), _columns(new, frozenset())
    changes = [
        Change(key, old_values[key], new_values[key], FIELD_LABELS.get(key, key))
        for key in old_values
        if key not in skip and old_values[key] != new_values[key]
    ]
    old_files, new_files = (
        _files(session, record_type, old.id),
        _files(session, record_type, new.id),
    )
    if old_files != new_files:
        changes.append(Change("attachments", old_files, new_files, "附件"))
    if isinstance(old, InspectionRun) and isinstance(new, InspectionRun):
        changes += _result_changes(session, old, new)
    return changes


def _result_changes(session: Session, old: InspectionRun, new: InspectionRun) -> list[Change]:
    def keyed(run: InspectionRun) -> dict[tuple[str, str], ItemResult]:
        return {(r.system.code if r.system else "", r.item.code): r for r in run.results}

    before, after = keyed(old), keyed(new)
    changes: list[Change] = []
    for key in list(before) + [k for k in after if k not in before]:
        system_code, item_code = key
        path = f"{system_code or '-'}/{item_code}"
        a, b = before.get(key), after.get(key)
        sample = a or b
        assert sample is not None
        where = (
            f"{sample.system.name} / {sample.item.title}" if sample.system else sample.item.title
        )
        if a is None or b is None:
            changes.append(
                Change(path, None if a is None else "存在", None if b is None else "存在", where)
            )
            continue
        for name in _RESULT_FIELDS:
            va, vb = getattr(a, name), getattr(b, name)
            if va != vb:
                changes.append(
                    Change(f"{path}.{name}", va, vb, f"{where}·{FIELD_LABELS.get(name, name)}")
                )
        files_a, files_b = (
            _files(session, "item_result", a.id),
            _files(session, "item_result", b.id),
        )
        if files_a != files_b:
            changes.append(Change(f"{path}.attachments", files_a, files_b, f"{where}·附件"))
    return changes
