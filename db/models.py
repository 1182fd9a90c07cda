"""SQLAlchemy 2 typed models of the local store.

Conventions:
- Every record has a UUID string primary key so that stores of several laptops
  can be merged, plus ``created_at``/``updated_at`` and ``created_by``/``updated_by``.
- Date-times are naive wall-clock times of the client site (one site, one zone).
- Records that can be signed carry ``locked_at``; once set, the row and its
  children are immutable (enforced by the ORM guard in ``db.guards`` and by
  SQLite triggers). A correction is a new row with ``supersedes_id`` pointing to
  the original and an ``amendment_reason``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> datetime:
    """Current site wall-clock time, to the second."""
    return datetime.now().replace(microsecond=0)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Record:
    """Columns every stored record has.

    The id is assigned when the object is constructed (not at flush), so a new
    record can be referenced before it is written.
    """

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class Signable:
    """Columns of a record that can be signed, locked and amended."""

    locked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    supersedes_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    amendment_reason: Mapped[str | None] = mapped_column(Text, default=None)


# --------------------------------------------------------------------------- contracts


class Contract(Record, Base):
    """One service contract, instantiated from a contract profile."""

    __tablename__ = "contract"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    client: Mapped[str] = mapped_column(String(200))
    vendor: Mapped[str] = mapped_column(String(200))
    contract_no: Mapped[str] = mapped_column(String(100), default="")
    site: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    service_window: Mapped[str] = mapped_column(String(8))  # "7x24" | "5x8"
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)  # validated profile snapshot
    profile_sha256: Mapped[str] = mapped_column(String(64))
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    systems: Mapped[list[System]] = relationship(
        back_populates="contract", order_by="System.seq", cascade="all, delete-orphan"
    )
    staff: Mapped[list[StaffMember]] = relationship(
        back_populates="contract", cascade="all, delete-orphan"
    )
    templates: Mapped[list[ChecklistTemplate]] = relationship(
        back_populates="contract", order_by="ChecklistTemplate.seq", cascade="all, delete-orphan"
    )


class System(Record, Base):
    __tablename__ = "system"
    __table_args__ = (UniqueConstraint("contract_id", "code"),)

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    contract: Mapped[Contract] = relationship(back_populates="systems")


class StaffMember(Record, Base):
    """A person of the vendor or the client who fills or signs records."""

    __tablename__ = "staff_member"

    contract_id: Mapped[str | None] = mapped_column(ForeignKey("contract.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(64))  # e.g. 运维工程师, 项目经理, 甲方
    side: Mapped[str] = mapped_column(String(16), default="vendor")  # vendor | client
    contact: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    contract: Mapped[Contract | None] = relationship(back_populates="staff")


class ChecklistTemplate(Record, Base):
    __tablename__ = "checklist_template"
    __table_args__ = (UniqueConstraint("contract_id", "code"),)

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64), default="")
    # daily | weekly | monthly | quarterly | half_year | annual
    # | holiday_pre | holiday_daily | holiday_post
    cadence: Mapped[str] = mapped_column(String(16))
    # none: one run, no system; grouped: one run, items repeated per system;
    # separate: one run per system
    systems_mode: Mapped[str] = mapped_column(String(16), default="none")
    system_codes: Mapped[list[Any] | None] = mapped_column(JSON, default=None)  # None = all
    seq: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    contract: Mapped[Contract] = relationship(back_populates="templates")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="template", order_by="ChecklistItem.seq", cascade="all, delete-orphan"
    )


class ChecklistItem(Record, Base):
    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    template_id: Mapped[str] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    group: Mapped[str] = mapped_column(String(100), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(Text, default="")
    standard: Mapped[str] = mapped_column(Text, default="")
    # status | number | pair | url | text | photo
    kind: Mapped[str] = mapped_column(String(16))
    # number: {"unit", "warn", "alarm", "direction": "above"|"below"}
    # pair:   {"labels": [a, b], "tolerance": 0}
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    required: Mapped[bool] = mapped_column(Boolean, default=True)

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")


class CalendarOverride(Record, Base):
    """A day the user declares a holiday or a working day.

    Used for years the statutory calendar library does not know yet, and for
    local arrangements of the client.
    """

    __tablename__ = "calendar_override"

    day: Mapped[date] = mapped_column(Date, unique=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(100), default="")


class HolidayPeriod(Record, Base):
    """A named holiday or agreed major event during which holiday duty applies."""

    __tablename__ = "holiday_period"
    __table_args__ = (UniqueConstraint("contract_id", "name", "start_date"),)

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="event")  # statutory | event
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


# --------------------------------------------------------------------------- inspections


class InspectionRun(Record, Signable, Base):
    """One filled checklist: a template for a period (and a system when separate)."""

    __tablename__ = "inspection_run"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    template_id: Mapped[str] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    system_id: Mapped[str | None] = mapped_column(ForeignKey("system.id"), default=None)
    holiday_period_id: Mapped[str | None] = mapped_column(
        ForeignKey("holiday_period.id"), default=None
    )
    cadence: Mapped[str] = mapped_column(String(16))
    period_key: Mapped[str] = mapped_column(String(64), index=True)  # see app.schedule.periods
    scheduled_date: Mapped[date] = mapped_column(Date, index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|completed|signed
    inspector: Mapped[str] = mapped_column(String(64), default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    remediation: Mapped[str] = mapped_column(Text, default="")
    remediation_deadline: Mapped[date | None] = mapped_column(Date, default=None)

    template: Mapped[ChecklistTemplate] = relationship()
    system: Mapped[System | None] = relationship()
    results: Mapped[list[ItemResult]] = relationship(
        back_populates="run", order_by="ItemResult.seq", cascade="all, delete-orphan"
    )


class ItemResult(Record, Base):
    __tablename__ = "item_result"

    run_id: Mapped[str] = mapped_column(ForeignKey("inspection_run.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("checklist_item.id"))
    system_id: Mapped[str | None] = mapped_column(ForeignKey("system.id"), default=None)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    # None (untouched) | normal | warning | abnormal | na
    status: Mapped[str | None] = mapped_column(String(16), default=None)
    value_num: Mapped[float | None] = mapped_column(Float, default=None)
    value_num2: Mapped[float | None] = mapped_column(Float, default=None)
    value_text: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")  # 异常情况
    action: Mapped[str] = mapped_column(Text, default="")  # 处理措施
    fault_id: Mapped[str | None] = mapped_column(ForeignKey("fault_record.id"), default=None)

    run: Mapped[InspectionRun] = relationship(back_populates="results")
    item: Mapped[ChecklistItem] = relationship()
    system: Mapped[System | None] = relationship()


# --------------------------------------------------------------------------- faults & requests


class FaultRecord(Record, Signable, Base):
    __tablename__ = "fault_record"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    system_id: Mapped[str | None] = mapped_column(ForeignKey("system.id"), default=None)
    holiday_period_id: Mapped[str | None] = mapped_column(
        ForeignKey("holiday_period.id"), default=None
    )
    number: Mapped[str] = mapped_column(String(32), index=True)  # human-readable 故障单号
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))  # a level code of the profile
    category: Mapped[str] = mapped_column(String(64), default="")
    emergency_type: Mapped[str | None] = mapped_column(String(32), default=None)
    discovery: Mapped[str] = mapped_column(String(16), default="user")  # alarm|inspection|user
    impact: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    onsite_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    recovered_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    handler: Mapped[str] = mapped_column(String(64), default="")
    coordinator: Mapped[str] = mapped_column(String(64), default="")
    symptom: Mapped[str] = mapped_column(Text, default="")
    impact_analysis: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    process: Mapped[str] = mapped_column(Text, default="")
    prevention: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    source_result_id: Mapped[str | None] = mapped_column(String(36), default=None)
    service_request_id: Mapped[str | None] = mapped_column(String(36), default=None)
    # 是否中断服务 (revision 0006): NULL = not recorded (records made before it), False = the
    # service stayed available, True = the systems in outage_systems (codes) were unavailable
    # from outage_start to outage_end (NULL while still down). Left out of the signed content
    # while NULL, so records signed before the revision keep their hash (app.records.signing).
    service_interrupted: Mapped[bool | None] = mapped_column(Boolean, default=None)
    outage_start: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    outage_end: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    outage_systems: Mapped[list[Any] | None] = mapped_column(JSON, default=None)

    system: Mapped[System | None] = relationship()


class ServiceRequest(Record, Signable, Base):
    """Phone, remote or on-site support: one entity, with its channel."""

    __tablename__ = "service_request"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    system_id: Mapped[str | None] = mapped_column(ForeignKey("system.id"), default=None)
    number: Mapped[str] = mapped_column(String(32), index=True)  # 服务单号
    channel: Mapped[str] = mapped_column(String(16), default="phone")  # phone|remote|onsite
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    caller_unit: Mapped[str] = mapped_column(String(200), default="")
    caller_name: Mapped[str] = mapped_column(String(64), default="")
    caller_contact: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(64), default="")
    priority: Mapped[str] = mapped_column(String(16), default="normal")  # low|normal|high|urgent
    impact: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    remote_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    onsite_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    resolution: Mapped[str] = mapped_column(Text, default="")
    # open | resolved | escalated (to a fault) | unresolved
    status: Mapped[str] = mapped_column(String(16), default="open")
    solved_on_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    handler: Mapped[str] = mapped_column(String(64), default="")
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)  # 是否回访
    next_visit: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    fault_id: Mapped[str | None] = mapped_column(ForeignKey("fault_record.id"), default=None)

    system: Mapped[System | None] = relationship()


# --------------------------------------------------------------------------- evidence & signing


class Blob(Base):
    """Content-addressed bytes (photos, screenshots, signature images)."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class Attachment(Record, Base):
    __tablename__ = "attachment"

    owner_type: Mapped[str] = mapped_column(String(32))  # inspection_run|item_result|fault_record…
    owner_id: Mapped[str] = mapped_column(String(36), index=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    mime: Mapped[str] = mapped_column(String(64), default="image/png")
    caption: Mapped[str] = mapped_column(Text, default="")


class Signature(Record, Base):
    """A captured handwritten signature over a record's content hash."""

    __tablename__ = "signature"
    __table_args__ = (UniqueConstraint("record_type", "record_id", "role"),)

    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    role: Mapped[str] = mapped_column(String(16))  # 运维人员 | 复核人 | 甲方确认
    signer_name: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    image_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"))
    content_sha256: Mapped[str] = mapped_column(String(64))
    #: the device whose Ed25519 key sealed this signature (:mod:`app.integrity.device`)
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)
    #: 1 for an original record, n+1 for its n-th amendment
    record_version: Mapped[int | None] = mapped_column(Integer, default=None)
    #: base64 Ed25519 signature over :func:`app.integrity.seals.signature_statement`
    device_sig: Mapped[str | None] = mapped_column(String(88), default=None)


# ------------------------------------------------------------------ deliverables, drafts, audit


class DeliverableSubmission(Record, Base):
    """A deliverable occurrence marked as exported or handed in."""

    __tablename__ = "deliverable_submission"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    deliverable_code: Mapped[str] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(64))
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    state: Mapped[str] = mapped_column(String(16), default="submitted")  # exported|submitted
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class ExportTemplate(Record, Base):
    """A client's own .docx/.xlsx template for a deliverable of a contract.

    The file's bytes are a :class:`Blob`; exports of the deliverable fill this
    template instead of the built-in one.
    """

    __tablename__ = "export_template"
    __table_args__ = (UniqueConstraint("contract_id", "deliverable_code", "fmt"),)

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    deliverable_code: Mapped[str] = mapped_column(String(64))
    form: Mapped[str] = mapped_column(String(64))  # the form kind it fills
    fmt: Mapped[str] = mapped_column(String(8))  # docx | xlsx
    filename: Mapped[str] = mapped_column(String(255), default="")
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"))
    size: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")


class SigningKey(Record, Base):
    """An Ed25519 public key in minisign format: a person's own key, or one imported.

    Own keys are created at first use (:mod:`app.integrity.signing_keys`; the private
    half is in the secret store) and trusted. Colleagues' and the PM's keys
    are imported and trusted explicitly; only trusted keys verify a pack.
    """

    __tablename__ = "signing_key"

    key_id: Mapped[str] = mapped_column(String(16), unique=True)  # minisign's, upper-case hex
    public_key: Mapped[str] = mapped_column(String(64))  # the base64 line of the .pub file
    name: Mapped[str] = mapped_column(String(64))  # the person it belongs to
    own: Mapped[bool] = mapped_column(Boolean, default=False)  # created on this machine
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")  # where it was imported from


class Device(Base):
    """A device (one store on one laptop) and the public half of its Ed25519 key.

    The private half never enters the store: it is a secret of the laptop
    (:mod:`app.integrity.device`). Rows are never changed or removed (triggers).
    """

    __tablename__ = "device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(44))  # base64 of the raw 32 bytes
    label: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class AuditHead(Base):
    """The latest audit-chain head a device signed: ``(seq, hash)`` under its key.

    Updated in the same transaction as every audit entry the device appends, so
    the chain can only be truncated or rewritten by someone holding the key.
    """

    __tablename__ = "audit_head"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    sig: Mapped[str] = mapped_column(String(88))


class Draft(Base):
    """One field of an open form, saved as it is typed."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("form_key", "field"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    form_key: Mapped[str] = mapped_column(String(128), index=True)  # e.g. "inspection_run:<id>"
    form_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(128))
    value: Mapped[Any] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)


class AuditEntry(Base):
    """Append-only, hash-chained log; UPDATE and DELETE are refused by triggers."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # create|update|sign|amend|delete|…
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


#: Signable record types by the name used in signatures, attachments and audit.
SIGNABLE_TYPES: dict[str, type[Base]] = {
    "inspection_run": InspectionRun,
    "fault_record": FaultRecord,
    "service_request": ServiceRequest,
}


@event.listens_for(Base, "init", propagate=True)
def _assign_id(target: Base, _args: Any, kwargs: dict[str, Any]) -> None:
    if isinstance(target, Record | Draft) and not kwargs.get("id"):
        target.id = new_id()
