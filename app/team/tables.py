"""The tables exchange bundles carry: how each is keyed, selected, ordered and compared.

:data:`TABLES` is in merge order, parents before children (a row is inserted
only when what it refers to is in the store). Each entry says how its rows are
chosen for a bundle (:class:`Exchanged.select`):

- ``reference`` — contract data (contract, its profile versions, systems,
  staff, templates and their items, holiday periods, calendar overrides,
  deliverable submissions): every row of the contracts exported;
- ``signed`` — a signable record once signed (locked); drafts stay on the
  laptop, because a bundle is a set of final facts and nothing merged is ever
  overwritten;
- ``child`` — rows that follow their parent record (item results, attachments);
- ``own`` — rows that stand for themselves (signatures, voids, review returns,
  probe results).

Rows are compared by every column: the same primary key with any other value
is *different content* and is quarantined, never merged — except the rows a
store derives from the contract's profile versions (:mod:`app.team.profiles`).
A new record type is one line in :data:`TABLES` (its model must be a
:class:`db.models.Record`, or at least carry ``id`` and the ``device_id``/``device_seq``
stamps, as :class:`db.models.ProbeResult` does).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, LargeBinary, Table

from db.models import (
    Attachment,
    Base,
    CalendarOverride,
    ChecklistItem,
    ChecklistTemplate,
    Contract,
    ContractProfileVersion,
    DeliverableSubmission,
    FaultRecord,
    HolidayPeriod,
    InspectionRun,
    ItemResult,
    KnowledgeArticle,
    MeetingMinutes,
    ProbeResult,
    RecordVoid,
    ReviewReturn,
    ServiceRequest,
    Signature,
    StaffMember,
    System,
)


@dataclass(frozen=True)
class Exchanged:
    model: type[Base]
    select: str  # reference | signed | child | own
    #: how a row finds its contract: a column, or (parent table, column naming the parent)
    contract: str | tuple[str, str] | None = "contract_id"
    #: columns naming rows that must exist before this row is inserted: column → table
    parents: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return str(self.model.__tablename__)

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[attr-defined,no-any-return]


TABLES: tuple[Exchanged, ...] = (
    Exchanged(Contract, "reference", contract="id"),
    Exchanged(ContractProfileVersion, "reference", parents=(("contract_id", "contract"),)),
    Exchanged(System, "reference", parents=(("contract_id", "contract"),)),
    Exchanged(StaffMember, "reference", parents=(("contract_id", "contract"),)),
    Exchanged(ChecklistTemplate, "reference", parents=(("contract_id", "contract"),)),
    Exchanged(
        ChecklistItem,
        "reference",
        contract=("checklist_template", "template_id"),
        parents=(("template_id", "checklist_template"),),
    ),
    Exchanged(HolidayPeriod, "reference", parents=(("contract_id", "contract"),)),
    Exchanged(CalendarOverride, "reference", contract=None),
    Exchanged(
        InspectionRun,
        "signed",
        parents=(
            ("contract_id", "contract"),
            ("template_id", "checklist_template"),
            ("system_id", "system"),
            ("holiday_period_id", "holiday_period"),
        ),
    ),
    Exchanged(
        FaultRecord,
        "signed",
        parents=(
            ("contract_id", "contract"),
            ("system_id", "system"),
            ("holiday_period_id", "holiday_period"),
        ),
    ),
    Exchanged(
        ServiceRequest,
        "signed",
        parents=(("contract_id", "contract"), ("system_id", "system")),
    ),
    Exchanged(MeetingMinutes, "signed", parents=(("contract_id", "contract"),)),
    Exchanged(KnowledgeArticle, "signed", parents=(("contract_id", "contract"),)),
    Exchanged(
        ItemResult,
        "child",
        contract=("inspection_run", "run_id"),
        parents=(
            ("run_id", "inspection_run"),
            ("item_id", "checklist_item"),
            ("system_id", "system"),
        ),
    ),
    Exchanged(Attachment, "child", contract=None, parents=(("blob_sha256", "blob"),)),
    Exchanged(Signature, "own", contract=None, parents=(("image_sha256", "blob"),)),
    Exchanged(DeliverableSubmission, "reference", parents=(("contract_id", "contract"),)),
    Exchanged(RecordVoid, "own", contract=None),
    Exchanged(ReviewReturn, "own", parents=(("contract_id", "contract"),)),
    # Probe results (revision 0014): measurements, append-only, so a set union of
    # every engineer's rows. ``item_result_id`` is kept as plain data, not a parent:
    # it names the checklist result the probe filled, which the receiver has only
    # once that run is signed and sent (an unsigned draft run stays on the laptop),
    # and a measurement is a fact worth having either way (the history and the
    # 运行监测 tables never join on it).
    Exchanged(ProbeResult, "own", parents=(("contract_id", "contract"),)),
)

BY_NAME: dict[str, Exchanged] = {t.name: t for t in TABLES}
#: record types a signature, void, attachment or review return may name
SIGNED_TYPES: dict[str, Exchanged] = {t.name: t for t in TABLES if t.select == "signed"}

#: Chinese names for previews and reports
LABELS: dict[str, str] = {
    "contract": "合同",
    "contract_profile_version": "合同档案版本",
    "system": "系统",
    "staff_member": "人员",
    "checklist_template": "巡检模板",
    "checklist_item": "检查项",
    "holiday_period": "节假日保障期",
    "calendar_override": "调休日",
    "inspection_run": "巡检记录",
    "fault_record": "故障单",
    "service_request": "服务请求",
    "meeting_minutes": "会议纪要",
    "knowledge_article": "知识条目",
    "item_result": "检查结果",
    "attachment": "附件",
    "signature": "签字",
    "deliverable_submission": "交付记录",
    "record_void": "作废",
    "review_return": "复核退回",
    "probe_result": "检测结果",
    "blob": "文件",
    "audit_log": "审计日志",
    "device": "设备公钥",
}


# --------------------------------------------------------------------------- row encoding


def encode(table: Table, row: Any) -> dict[str, Any]:
    """A row as plain JSON values (bytes are never in exchanged record tables)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        value = row[column.key]
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif value is not None and isinstance(column.type, Float):
            value = float(value)
        elif value is not None and isinstance(column.type, Boolean):
            value = bool(value)
        out[column.key] = value
    return out


def decode(table: Table, doc: dict[str, Any]) -> dict[str, Any]:
    """:func:`encode` reversed; raises ``ValueError``/``TypeError`` on values of the wrong type."""
    out: dict[str, Any] = {}
    for key, convert in _decoders(table):
        value = doc.get(key)
        if value is not None and convert is not None:
            value = convert(key, value)
        out[key] = value
    return out


def _datetime(_key: str, value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _date(_key: str, value: Any) -> date:
    return date.fromisoformat(str(value))


def _boolean(_key: str, value: Any) -> bool:
    return bool(value)


def _integer(key: str, value: Any) -> int:
    if not isinstance(value, int):
        raise TypeError(key)
    return value


def _refused(key: str, _value: Any) -> Any:
    raise TypeError(key)


@functools.cache
def _decoders(table: Table) -> tuple[tuple[str, Callable[[str, Any], Any] | None], ...]:
    """Each column's key and how a JSON value becomes its value (worked out once a table)."""
    found: list[tuple[str, Callable[[str, Any], Any] | None]] = []
    for column in table.columns:
        kind = column.type
        convert: Callable[[str, Any], Any] | None = None
        if isinstance(kind, DateTime):
            convert = _datetime
        elif isinstance(kind, Date):
            convert = _date
        elif isinstance(kind, Boolean):
            convert = _boolean
        elif isinstance(kind, LargeBinary):
            convert = _refused
        elif isinstance(kind, Integer):
            convert = _integer
        found.append((column.key, convert))
    return tuple(found)


def parent_table(name: str) -> Table:
    """The table a parent reference names (a record table, or ``blob``)."""
    from db.models import Blob

    return Blob.__table__ if name == "blob" else BY_NAME[name].table  # type: ignore[return-value]


def parent_key(name: str) -> str:
    return "sha256" if name == "blob" else "id"
