"""Knowledge articles (知识条目): solved problems written up, reviewed and signed.

An article is a record like the others: it has a number (``KB-YYYYMM-NNNN``, the
month it was written), belongs to a contract, is written by hand or **promoted**
from a fault, a service request or an abnormal checklist finding (the source's
problem, cause and solution are copied and the source is remembered), carries
picture attachments, and is searchable as soon as it is saved.

**Review** is a 复核人 signature (:func:`review`): it locks the article, and the
reviewer is its signer. The author may sign first as 运维人员 (「提交复核」), which
puts the article into the reviewer's queue (:mod:`app.records.review`). A reviewed
article is corrected by an amendment (``signing.amend``), which goes through review
again; every change is in the audit chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records import _util, signing
from app.records.faults import next_number
from app.storage.team_state import voided_ids
from db.models import (
    Attachment,
    ChecklistItem,
    Contract,
    FaultRecord,
    InspectionRun,
    ItemResult,
    KnowledgeArticle,
    ServiceRequest,
    Signature,
    System,
)
from db.models import now as current_time

RECORD_TYPE = "knowledge_article"
PREFIX = "KB"
REVIEWER = "复核人"
AUTHOR_ROLE = "运维人员"
TAG_LIMIT = 20
#: field → (label, length limit); what :func:`update_article` may change
EDITABLE: dict[str, tuple[str, int]] = {
    "title": ("标题", 200),
    "problem": ("问题现象", _util.TEXT_LIMIT),
    "cause": ("原因", _util.TEXT_LIMIT),
    "solution": ("解决方法", _util.TEXT_LIMIT),
    "steps": ("操作步骤", _util.TEXT_LIMIT),
    "category": ("分类", 64),
}
#: Source kinds an article can be promoted from, with their labels.
SOURCES = {"fault_record": "故障单", "service_request": "服务请求", "item_result": "巡检异常"}


def get_article(session: Session, article_id: str) -> KnowledgeArticle:
    return _util.get(session, KnowledgeArticle, article_id, "知识条目")


def _labels(values: Iterable[Any] | str | None, label: str) -> list[str]:
    """Tags or system codes: cleaned, without blanks and duplicates, in order."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace("，", ",").replace("、", ",").split(",")
    cleaned: dict[str, None] = {}
    for value in values:
        text = _util.text(value, label, limit=64)
        if text:
            cleaned[text] = None
    if len(cleaned) > TAG_LIMIT:
        raise DomainError(f"{label}最多 {TAG_LIMIT} 个。")
    return list(cleaned)


def _system_codes(session: Session, contract: Contract, systems: Sequence[str]) -> list[str]:
    """System codes of the contract; a name is accepted for its code."""
    rows = session.execute(
        select(System.code, System.name).where(System.contract_id == contract.id)
    ).all()
    by_name = {name: code for code, name in rows}
    codes = {code for code, _name in rows}
    found: list[str] = []
    for value in systems:
        code = value if value in codes else by_name.get(value)
        if code is None:
            raise DomainError(f"合同 {contract.code} 没有系统“{value}”。")
        if code not in found:
            found.append(code)
    return found


def create_article(
    session: Session,
    contract: Contract | str,
    *,
    title: str,
    author: str,
    problem: str = "",
    cause: str = "",
    solution: str = "",
    steps: str = "",
    systems: Iterable[str] | str | None = None,
    category: str = "",
    tags: Iterable[str] | str | None = None,
    source_type: str | None = None,
    source_id: str | None = None,
    now: datetime | None = None,
) -> KnowledgeArticle:
    """Write a new article (validated whole before anything is added)."""
    contract = _util.contract_of(session, contract)
    values = {
        name: _util.text(
            value, EDITABLE[name][0], required=name == "title", limit=EDITABLE[name][1]
        )
        for name, value in (
            ("title", title),
            ("problem", problem),
            ("cause", cause),
            ("solution", solution),
            ("steps", steps),
            ("category", category),
        )
    }
    writer = _util.text(author, "作者", required=True, limit=_util.NAME_LIMIT)
    article = KnowledgeArticle(
        contract_id=contract.id,
        number=next_number(session, KnowledgeArticle, contract, PREFIX, now or current_time()),  # type: ignore[arg-type]
        systems=_system_codes(session, contract, _labels(systems, "适用系统")),
        tags=_labels(tags, "标签"),
        author=writer,
        source_type=source_type,
        source_id=source_id,
        **values,
    )
    session.add(article)
    return article


def update_article(session: Session, article_id: str, **fields: Any) -> KnowledgeArticle:
    """Change an article not yet signed: any of :data:`EDITABLE`, ``systems``, ``tags``."""
    article = get_article(session, article_id)
    _util.ensure_unlocked(article)
    unknown = sorted(set(fields) - set(EDITABLE) - {"systems", "tags"})
    if unknown:
        raise DomainError(f"知识条目的这些字段不能在此修改：{'、'.join(unknown)}。")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name in EDITABLE:
            label, limit = EDITABLE[name]
            changes[name] = _util.text(value, label, required=name == "title", limit=limit)
        elif name == "tags":
            changes[name] = _labels(value, "标签")
        else:
            contract = session.get(Contract, article.contract_id)
            assert contract is not None
            changes[name] = _system_codes(session, contract, _labels(value, "适用系统"))
    for name, value in changes.items():
        setattr(article, name, value)
    return article


@dataclass(frozen=True)
class Draft:
    """What a promotion copies from its source into the new article."""

    contract_id: str
    title: str
    problem: str
    cause: str
    solution: str
    steps: str
    systems: list[str]
    category: str


def _joined(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def promotion_draft(session: Session, source_type: str, source_id: str) -> Draft:
    """The article a record would become (what 「整理为知识条目」 prefills)."""

    def code_of(system_id: str | None) -> list[str]:
        system = session.get(System, system_id) if system_id else None
        return [system.code] if system else []

    if source_type == "fault_record":
        fault = _util.get(session, FaultRecord, source_id, "故障单")
        return Draft(
            fault.contract_id,
            fault.title,
            _joined(fault.symptom, fault.impact),
            fault.cause,
            _joined(fault.result, fault.prevention),
            fault.process,
            code_of(fault.system_id),
            fault.category,
        )
    if source_type == "service_request":
        req = _util.get(session, ServiceRequest, source_id, "服务请求")
        first_line = (req.description.strip().splitlines() or [req.category or req.number])[0]
        return Draft(
            req.contract_id,
            first_line[:200],
            req.description,
            "",
            req.resolution,
            "",
            code_of(req.system_id),
            req.category,
        )
    if source_type == "item_result":
        result = _util.get(session, ItemResult, source_id, "检查项")
        run = session.get(InspectionRun, result.run_id)
        item = session.get(ChecklistItem, result.item_id)
        assert run is not None and item is not None
        if result.status not in ("abnormal", "warning"):
            raise DomainError("只有异常或警告的检查项可以整理为知识条目。")
        note = result.note.strip()
        title = note if note.startswith(item.title) else f"{item.title}：{note}" if note else ""
        return Draft(
            run.contract_id,
            (title or item.title)[:200],
            _joined(result.note, result.value_text),
            "",
            result.action,
            "",
            code_of(result.system_id or run.system_id),
            "巡检",
        )
    raise DomainError(f"只能由{'、'.join(SOURCES.values())}整理为知识条目。")


def promote(
    session: Session,
    source_type: str,
    source_id: str,
    *,
    author: str,
    now: datetime | None = None,
    **overrides: Any,
) -> KnowledgeArticle:
    """「整理为知识条目」: a new article from a record; ``overrides`` replace copied fields."""
    draft = promotion_draft(session, source_type, source_id)
    contract = session.get(Contract, draft.contract_id)
    assert contract is not None
    fields: dict[str, Any] = {
        "title": draft.title,
        "problem": draft.problem,
        "cause": draft.cause,
        "solution": draft.solution,
        "steps": draft.steps,
        "systems": draft.systems,
        "category": draft.category,
    }
    fields.update(overrides)
    if not str(fields.get("solution") or "").strip():
        raise DomainError("该记录还没有处理结果，写明解决方法后再整理为知识条目。")
    return create_article(
        session,
        contract,
        author=author,
        source_type=source_type,
        source_id=source_id,
        now=now,
        **fields,
    )


def review(
    session: Session,
    article_id: str,
    *,
    reviewer: str,
    png: bytes,
    now: datetime | None = None,
) -> Signature:
    """审核: the 复核人 signs the article (it is then locked)."""
    article = get_article(session, article_id)
    return signing.sign(
        session, RECORD_TYPE, article.id, role=REVIEWER, signer_name=reviewer, png=png, now=now
    )


def reviewer_of(session: Session, article_id: str) -> Signature | None:
    """The 复核人 signature of an article, if it was reviewed."""
    return session.scalar(
        select(Signature).where(
            Signature.record_type == RECORD_TYPE,
            Signature.record_id == article_id,
            Signature.role == REVIEWER,
        )
    )


@dataclass(frozen=True)
class ArticleRow:
    """An article as lists and exports show it (latest versions only)."""

    id: str
    number: str
    contract: str
    title: str
    problem: str
    cause: str
    solution: str
    steps: str
    systems: tuple[str, ...]  # system names
    category: str
    tags: tuple[str, ...]
    author: str
    reviewer: str
    reviewed_at: datetime | None
    created_at: datetime
    source_type: str | None
    source_id: str | None
    locked: bool = False
    attachments: tuple[str, ...] = ()  # file names of its pictures
    #: declared void (作废, :mod:`app.team.voids`): marked in lists, left out of exports
    voided: bool = False

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewer)

    def as_json(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["systems"], data["tags"] = list(self.systems), list(self.tags)
        data["attachments"] = list(self.attachments)
        data["reviewed_at"] = self.reviewed_at.isoformat() if self.reviewed_at else None
        data["created_at"] = self.created_at.isoformat()
        data["reviewed"] = self.reviewed
        return data


def list_articles(
    session: Session,
    contract: str | None = None,
    *,
    system: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    reviewed: bool | None = None,
) -> list[ArticleRow]:
    """The latest version of every article, newest first, filtered as asked."""
    newer = select(KnowledgeArticle.supersedes_id).where(
        KnowledgeArticle.supersedes_id.is_not(None)
    )
    query = select(KnowledgeArticle).where(KnowledgeArticle.id.not_in(newer))
    if contract:
        query = query.where(KnowledgeArticle.contract_id == _util.contract_of(session, contract).id)
    articles = list(session.scalars(query.order_by(KnowledgeArticle.created_at.desc())))
    contracts = dict(session.execute(select(Contract.id, Contract.code)).all())
    names = {
        (c, code): name
        for c, code, name in session.execute(select(System.contract_id, System.code, System.name))
    }
    reviews = {
        s.record_id: s
        for s in session.scalars(
            select(Signature).where(
                Signature.record_type == RECORD_TYPE, Signature.role == REVIEWER
            )
        )
    }
    pictures: dict[str, list[str]] = {}
    for owner, filename in session.execute(
        select(Attachment.owner_id, Attachment.filename)
        .where(Attachment.owner_type == RECORD_TYPE)
        .order_by(Attachment.created_at)
    ):
        pictures.setdefault(owner, []).append(filename)
    voided = voided_ids(session)
    rows = []
    for a in articles:
        systems = tuple(names.get((a.contract_id, code), code) for code in a.systems or [])
        if system and system not in systems and system not in (a.systems or []):
            continue
        if category and a.category != category:
            continue
        if tag and tag not in (a.tags or []):
            continue
        signed = reviews.get(a.id)
        if reviewed is not None and reviewed != (signed is not None):
            continue
        rows.append(
            ArticleRow(
                a.id,
                a.number,
                contracts.get(a.contract_id, ""),
                a.title,
                a.problem,
                a.cause,
                a.solution,
                a.steps,
                systems,
                a.category,
                tuple(a.tags or []),
                a.author,
                signed.signer_name if signed else "",
                signed.signed_at if signed else None,
                a.created_at,
                a.source_type,
                a.source_id,
                a.locked_at is not None,
                tuple(pictures.get(a.id, [])),
                a.id in voided,
            )
        )
    return rows


def attach_pictures(session: Session, article_id: str, pictures: list[tuple[str, bytes]]) -> None:
    """Add pictures to an article in the caller's transaction (a refused file undoes the save)."""
    from app.records import attachments

    for name, data in pictures:
        attachments.add_attachment(session, RECORD_TYPE, article_id, data, name)


def article_row(session: Session, article_id: str) -> ArticleRow:
    article = get_article(session, article_id)
    contract = session.get(Contract, article.contract_id)
    assert contract is not None
    for row in list_articles(session, contract.code):
        if row.id == article.id:
            return row
    latest = signing.latest_version(session, RECORD_TYPE, article.id)
    raise DomainError(
        f"知识条目 {article.number} 已有更正版本（{latest.id[:8]}），请查看最新版本。"
    )


def _by_reference(session: Session, model: Any, ref: str, *, numbered: bool = True) -> list[str]:
    """Ids of ``model`` rows whose id, id prefix (8+ characters) or number is ``ref``."""
    ref = ref.strip()
    conditions = [model.id == ref]
    if len(ref) >= 8:
        conditions.append(model.id.like(ref.replace("%", "").replace("_", "") + "%"))
    if numbered:
        conditions.append(model.number == ref)
    ids = list(dict.fromkeys(session.scalars(select(model.id).where(or_(*conditions)))))
    if numbered and len(ids) > 1:  # a number shared by amendments: the latest version
        newer = set(
            session.scalars(select(model.supersedes_id).where(model.supersedes_id.in_(ids)))
        )
        ids = [i for i in ids if i not in newer]
    return ids


def find_article(session: Session, ref: str) -> KnowledgeArticle:
    """An article by id, the first 8+ characters of its id, or its number (latest version)."""
    ids = _by_reference(session, KnowledgeArticle, ref)
    if len(ids) != 1:
        raise DomainError(
            f"找不到知识条目“{ref}”。" if not ids else f"“{ref}”对应多个知识条目，请写完整编号。"
        )
    return get_article(session, ids[0])


def find_source(session: Session, ref: str) -> tuple[str, str]:
    """``(source_type, id)`` of a fault or request (id, prefix or number) or a checklist item."""
    found = [
        (kind, rid)
        for kind, model, numbered in (
            ("fault_record", FaultRecord, True),
            ("service_request", ServiceRequest, True),
            ("item_result", ItemResult, False),
        )
        for rid in _by_reference(session, model, ref, numbered=numbered)
    ]
    if len(found) != 1:
        raise DomainError(
            f"找不到故障单、服务请求或检查项“{ref}”。"
            if not found
            else f"“{ref}”对应多条记录，请写完整编号。"
        )
    return found[0]


def source_labels(session: Session, source_ids: list[str]) -> dict[str, str]:
    """「故障单 GZ-…」, 「服务请求 FW-…」 or 「巡检异常 <检查项>」: where articles came from."""
    labels: dict[str, str] = {}
    for model, label in ((FaultRecord, "故障单"), (ServiceRequest, "服务请求")):
        rows = session.execute(select(model.id, model.number).where(model.id.in_(source_ids)))
        labels |= {rid: f"{label} {number}" for rid, number in rows}
    findings = session.execute(
        select(ItemResult.id, ChecklistItem.title)
        .join(ChecklistItem, ChecklistItem.id == ItemResult.item_id)
        .where(ItemResult.id.in_(source_ids))
    )
    labels |= {rid: f"巡检异常 {title}" for rid, title in findings}
    return labels


def source_record(session: Session, source_type: str, source_id: str) -> tuple[str, str]:
    """``(record type, id)`` to open for an article's source (a finding opens its run)."""
    if source_type == "item_result":
        result = _util.get(session, ItemResult, source_id, "检查项")
        return "inspection_run", result.run_id
    if source_type not in SOURCES:
        raise DomainError("该知识条目没有来源记录。")
    return source_type, source_id
