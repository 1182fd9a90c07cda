"""SQLAlchemy 2 typed models of the local store.

Conventions:
- Every record has a UUID string primary key so that stores of several laptops
  can be merged, plus ``created_at``/``updated_at`` and ``created_by``/``updated_by``.
- Date-times are naive wall-clock times of the client site (one site, one zone).
- Records that can be signed carry ``locked_at``; once set, the row and its
  children are immutable (enforced by the ORM guard in ``db.guards`` and by
  SQLite triggers). A correction is a new row with ``supersedes_id`` pointing to
  the original and an ``amendment_reason``.

No ``from __future__ import annotations`` here: with it SQLAlchemy evaluates
every ``Mapped[...]`` annotation from its text, a quarter of this module's
import time (≈ 50 ms of every start and command; ``python -c "import db.models"``,
eight runs each). Relationship annotations are quoted: the classes name each other.
"""

import os
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    """A random UUID (version 4) as text, as ``str(uuid.uuid4())`` writes it.

    Made from the random bytes directly: a demo store takes tens of thousands,
    and the ``UUID`` object costs three times the text.
    """
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


#: the first hex digit of the UUID's variant byte, its two top bits set to 10
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


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
    #: the device that last wrote the row and its change counter there (revision 0009,
    #: stamped by ``app.storage.guards``; what exchange bundles select by, never signed)
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)
    device_seq: Mapped[int | None] = mapped_column(Integer, default=None)


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

    systems: Mapped[list["System"]] = relationship(
        back_populates="contract", order_by="System.seq", cascade="all, delete-orphan"
    )
    staff: Mapped[list["StaffMember"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan"
    )
    templates: Mapped[list["ChecklistTemplate"]] = relationship(
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

    contract: Mapped["Contract"] = relationship(back_populates="systems")


class StaffMember(Record, Base):
    """A person of the vendor or the client who fills or signs records."""

    __tablename__ = "staff_member"

    contract_id: Mapped[str | None] = mapped_column(ForeignKey("contract.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(64))  # e.g. 运维工程师, 项目经理, 甲方
    side: Mapped[str] = mapped_column(String(16), default="vendor")  # vendor | client
    contact: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    contract: Mapped["Contract | None"] = relationship(back_populates="staff")


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

    contract: Mapped["Contract"] = relationship(back_populates="templates")
    items: Mapped[list["ChecklistItem"]] = relationship(
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

    template: Mapped["ChecklistTemplate"] = relationship(back_populates="items")


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

    template: Mapped["ChecklistTemplate"] = relationship()
    system: Mapped["System | None"] = relationship()
    results: Mapped[list["ItemResult"]] = relationship(
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

    run: Mapped["InspectionRun"] = relationship(back_populates="results")
    item: Mapped["ChecklistItem"] = relationship()
    system: Mapped["System | None"] = relationship()


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

    system: Mapped["System | None"] = relationship()


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

    system: Mapped["System | None"] = relationship()


class MeetingMinutes(Record, Signable, Base):
    """例会会议纪要: one meeting, its decisions and action items (revision 0008)."""

    __tablename__ = "meeting_minutes"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    number: Mapped[str] = mapped_column(String(32), index=True)  # 纪要编号 HY-YYYYMM-NNNN
    title: Mapped[str] = mapped_column(String(200))  # 会议名称
    meeting_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    place: Mapped[str] = mapped_column(String(200), default="")
    host: Mapped[str] = mapped_column(String(64), default="")  # 主持人
    recorder: Mapped[str] = mapped_column(String(64), default="")  # 记录人
    attendees: Mapped[str] = mapped_column(Text, default="")  # 出席, names joined with 、
    absentees: Mapped[str] = mapped_column(Text, default="")  # 缺席
    agenda: Mapped[str] = mapped_column(Text, default="")  # 议程
    discussion: Mapped[str] = mapped_column(Text, default="")  # 会议内容
    decisions: Mapped[str] = mapped_column(Text, default="")  # 决议
    # [{"content", "owner", "due_date": "YYYY-MM-DD", "done": bool}] in agreed order
    action_items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | final (定稿)


class KnowledgeArticle(Record, Signable, Base):
    """知识条目: a solved problem written up for the knowledge base (revision 0011).

    Reviewing it is a 复核人 signature, which locks it; the reviewer is that
    signature's signer (:mod:`app.records.articles`).
    """

    __tablename__ = "knowledge_article"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    number: Mapped[str] = mapped_column(String(32), index=True)  # 条目编号 KB-YYYYMM-NNNN
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")  # 问题现象
    cause: Mapped[str] = mapped_column(Text, default="")  # 原因
    solution: Mapped[str] = mapped_column(Text, default="")  # 解决方法
    steps: Mapped[str] = mapped_column(Text, default="")  # 操作步骤, one a line
    systems: Mapped[list[Any]] = mapped_column(JSON, default=list)  # system codes
    category: Mapped[str] = mapped_column(String(64), default="")
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    author: Mapped[str] = mapped_column(String(64), default="")
    #: the record it was promoted from: fault_record | service_request | item_result
    source_type: Mapped[str | None] = mapped_column(String(32), default=None)
    source_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)


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


class ReviewReturn(Record, Base):
    """复核退回: the reviewer sends a signed record back to its engineer with a reason.

    Append-only (revision 0010's triggers). The engineer answers with an amendment
    of the record, which closes the return (:mod:`app.records.review`).
    """

    __tablename__ = "review_return"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    reason: Mapped[str] = mapped_column(Text)
    returned_by: Mapped[str] = mapped_column(String(64))
    returned_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    #: the engineer (运维人员 signer) the record goes back to
    engineer: Mapped[str] = mapped_column(String(64), default="")


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


class ReportNarrative(Record, Base):
    """The user's text of one narrative section of one deliverable occurrence.

    Without a row the section is drafted from the data at export time
    (:mod:`app.export.narrative`); ``updated_by`` is who edited it last.
    """

    __tablename__ = "report_narrative"
    __table_args__ = (UniqueConstraint("contract_id", "deliverable_code", "period_key", "section"),)

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    deliverable_code: Mapped[str] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(64))
    section: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")


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
    #: each device's entries are one hash chain numbered from 1 (revision 0009); ``seq``
    #: is only this store's order of arrival
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)
    device_seq: Mapped[int | None] = mapped_column(Integer, default=None)


# --------------------------------------------------------------------------- team (revision 0009)


class RecordVoid(Record, Base):
    """作废: a record declared void (append-only); it stays void after any merge."""

    __tablename__ = "record_void"

    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    reason: Mapped[str] = mapped_column(Text)
    voided_by: Mapped[str] = mapped_column(String(64))
    voided_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class ContractProfileVersion(Record, Base):
    """合同档案版本 (revision 0013): one published state of a contract's profile (append-only).

    Signed by the publishing device (``sig``); which version a store applies is
    decided in :mod:`app.contracts.versions`.
    """

    __tablename__ = "contract_profile_version"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    profile_sha256: Mapped[str] = mapped_column(String(64))
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    sig: Mapped[str] = mapped_column(String(100))


class Quarantine(Base):
    """A row of an imported bundle that was not merged (same id, different content)."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("bundle_sha256", "record_type", "record_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    signer_device_id: Mapped[str] = mapped_column(String(36))
    record_type: Mapped[str] = mapped_column(String(32))  # the table name
    record_id: Mapped[str] = mapped_column(String(64))
    incoming: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=now)


class TeamDevice(Base):
    """A device of the team: this laptop's identity (``own``) or a trusted colleague's key."""

    __tablename__ = "team_device"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(44))
    engineer: Mapped[str] = mapped_column(String(64), default="")
    code: Mapped[str] = mapped_column(String(4), default="")  # short code, e.g. ZS
    own: Mapped[bool] = mapped_column(Boolean, default=False)
    trusted_by: Mapped[str] = mapped_column(String(64), default="")
    trusted_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class TeamExchange(Base):
    """One bundle exported or imported (the 「团队」 page's last exchange per colleague)."""

    __tablename__ = "team_exchange"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    direction: Mapped[str] = mapped_column(String(8))  # export | import
    device_id: Mapped[str] = mapped_column(String(36))  # the signer (import) or this device
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    actor: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TeamCounter(Base):
    """Per-device counters that never go back (``seq``; what a store holds of a device)."""

    __tablename__ = "team_counter"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


# --------------------------------------------------------------------------- probes (revision 0012)


class ProbeResult(Base):
    """One measured target of one probe run (append-only; see ``app.probes``).

    Audited once per run (``app.probes.service``) rather than once per row.
    Exchanged in team bundles (revision 0014): stamped with the measuring
    device and its change counter (``device_id``/``device_seq``) like a record,
    so a PM's merged store holds every engineer's measurements; a bundle's
    rows are merged as a set union (``app.team.tables``).
    """

    __tablename__ = "probe_result"
    __table_args__ = (Index("ix_probe_result_contract_started", "contract_id", "started_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"))
    batch_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # http|tcp|dns|tamper|ftp|smtp|ping|link
    target: Mapped[str] = mapped_column(String(64))  # the target's code (links: link:<seq>)
    system_code: Mapped[str | None] = mapped_column(String(64), default=None)
    address: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # normal|warning|abnormal
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    elapsed_ms: Mapped[float | None] = mapped_column(Float, default=None)
    addresses: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    cert_expiry: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    item_result_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    #: the measuring device and its change counter (revision 0014, stamped by
    #: ``app.storage.guards``; what exchange bundles select by)
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)
    device_seq: Mapped[int | None] = mapped_column(Integer, default=None)


class ProbeLink(Base):
    """One row of a contract's 事项跳转超链接 list, as imported from the client's file."""

    __tablename__ = "probe_link"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(Text)


#: Signable record types by the name used in signatures, attachments and audit.
SIGNABLE_TYPES: dict[str, type[Base]] = {
    "inspection_run": InspectionRun,
    "fault_record": FaultRecord,
    "service_request": ServiceRequest,
    "meeting_minutes": MeetingMinutes,
    "knowledge_article": KnowledgeArticle,
}


#: revision 0009: bundles select rows by (device_id, device_seq), and audit entries form
#: one chain per device; declared here too so ``create_all`` and autogenerate agree
def _declare_device_indexes() -> None:
    Index("ix_audit_log_chain", AuditEntry.device_id, AuditEntry.device_seq, unique=True)
    for table in Base.metadata.sorted_tables:
        if "device_seq" in table.c and table.name != AuditEntry.__tablename__:
            Index(f"ix_{table.name}_device", table.c.device_id, table.c.device_seq)


_declare_device_indexes()


@event.listens_for(Base, "init", propagate=True)
def _assign_id(target: Base, _args: Any, kwargs: dict[str, Any]) -> None:
    if isinstance(target, Record | Draft) and not kwargs.get("id"):
        target.id = new_id()


def _share_flush_statements() -> None:
    """The INSERTs and UPDATEs of a flush compiled once per process, not once per store.

    The ORM caches them per mapper (``Mapper._compiled_cache``, SQLAlchemy's own
    attribute: no public option sets it) keyed by the engine's dialect object, so
    every store opened compiled them again (~0.8 ms each, a dozen tables in a
    typical first write). The shared cache keys by the dialect's kind instead
    (:class:`db.engine.SharedCompiledCache`); ``tests/test_compiled_cache.py``
    fails if SQLAlchemy stops reading the attribute.
    """
    from db.engine import compiled_statements

    for mapper in Base.registry.mappers:
        mapper.__dict__["_compiled_cache"] = compiled_statements


_share_flush_statements()
