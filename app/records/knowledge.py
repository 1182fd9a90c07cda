"""The knowledge base as a whole: browsing, 「常见问题」 and suggestions while typing.

- :func:`catalogue` groups the articles by system, category and tag (with counts).
- :func:`common_problems` ranks the problems that recur: faults (by title), service
  requests (by description) and abnormal checklist findings (item and note) whose
  text is the same once numbers, spaces and punctuation are set aside are one
  problem; the most frequent first, each with its latest solution and the article
  written for it, if any.
- :func:`suggest` finds solved problems similar to a description being typed: any
  of its character pairs and words may match (BM25 ranks those sharing the most
  first), and only records with a solution are offered, with that solution.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records import _util
from app.records.articles import ArticleRow, list_articles
from app.search import index
from app.search.query import Filters, Hit, Results, search, search_any
from app.search.tokens import normalise
from app.storage.team_state import voided_ids
from db.models import (
    ChecklistItem,
    FaultRecord,
    InspectionRun,
    ItemResult,
    KnowledgeArticle,
    ServiceRequest,
    System,
)

#: The record a source opens in the window, by source type.
OPEN_TYPES = {
    "fault_record": "fault_record",
    "service_request": "service_request",
    "item_result": "inspection_run",
}
#: Characters that do not make two problems different: digits, spaces, punctuation.
_NOISE = re.compile(r"[\d\s\W_]+")


@dataclass(frozen=True)
class Group:
    name: str
    count: int


@dataclass(frozen=True)
class Catalogue:
    systems: list[Group]
    categories: list[Group]
    tags: list[Group]
    articles: int
    reviewed: int


def _groups(counter: Counter[str]) -> list[Group]:
    return [Group(n, c) for n, c in sorted(counter.items(), key=lambda x: (-x[1], x[0]))]


def catalogue(session: Session, contract: str | None = None) -> Catalogue:
    """How the articles (latest versions) divide by system, category and tag."""
    rows = list_articles(session, contract)
    systems: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    for row in rows:
        systems.update(row.systems or ("（未指定系统）",))
        categories[row.category or "（未分类）"] += 1
        tags.update(row.tags)
    return Catalogue(
        _groups(systems),
        _groups(categories),
        _groups(tags),
        len(rows),
        sum(1 for r in rows if r.reviewed),
    )


def articles_in(
    session: Session, contract: str | None, *, dimension: str, value: str
) -> list[ArticleRow]:
    """The articles of one group of :func:`catalogue` (``dimension``: system/category/tag)."""
    if dimension == "system":
        if value == "（未指定系统）":
            return [r for r in list_articles(session, contract) if not r.systems]
        return list_articles(session, contract, system=value)
    if dimension == "category":
        if value == "（未分类）":
            return [r for r in list_articles(session, contract) if not r.category]
        return list_articles(session, contract, category=value)
    return list_articles(session, contract, tag=value)


# --------------------------------------------------------------------------- 常见问题


@dataclass
class Problem:
    """One recurring problem: how often, where, and how it was solved last."""

    text: str
    count: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    systems: Counter[str] = field(default_factory=Counter)
    last_at: datetime | None = None
    solution: str = ""
    #: (source type, id, id of the record to open) of each occurrence; the latest one
    records: list[tuple[str, str, str]] = field(default_factory=list)
    latest: tuple[str, str, str] | None = None
    article: str = ""  # number and title of the article written for it

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "count": self.count,
            "kinds": dict(self.kinds),
            "systems": [name for name, _n in self.systems.most_common()],
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "solution": self.solution,
            "article": self.article,
        }


def problem_key(value: str) -> str:
    """What two problems must share to be the same: the text without digits and punctuation."""
    return _NOISE.sub("", normalise(value))


def _moment(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())


def common_problems(
    session: Session,
    contract: str | None = None,
    *,
    since: date | None = None,
    until: date | None = None,
    limit: int = 20,
    minimum: int = 2,
) -> list[Problem]:
    """Problems seen at least ``minimum`` times, most frequent (then most recent) first."""
    contract_id = _util.contract_of(session, contract).id if contract else None
    systems = dict(session.execute(select(System.id, System.name)).all())
    voided = voided_ids(session)  # 作废: as if never recorded, as in the monthly statistics
    found: dict[str, Problem] = {}

    def add(
        kind: str,
        source: tuple[str, str, str],
        problem: str,
        at: Any,
        system_id: Any,
        solution: str,
    ) -> None:
        key = problem_key(problem)
        if not key:
            return
        moment = _moment(at)
        if (since and moment.date() < since) or (until and moment.date() > until):
            return
        entry = found.setdefault(key, Problem(" ".join(problem.split())[:120]))
        entry.count += 1
        entry.kinds[index.KINDS[kind]] += 1
        if system_id in systems:
            entry.systems[systems[system_id]] += 1
        entry.records.append(source)
        if entry.last_at is None or moment >= entry.last_at:
            entry.last_at, entry.latest = moment, source
            entry.solution = solution.strip() or entry.solution

    def latest(model: Any) -> Any:
        newer = select(model.supersedes_id).where(model.supersedes_id.is_not(None))
        query = select(model).where(model.id.not_in(newer))
        return query.where(model.contract_id == contract_id) if contract_id else query

    for f in session.scalars(latest(FaultRecord)):
        if f.id in voided:
            continue
        solution = "\n".join(t for t in (f.result, f.process) if t)
        source = ("fault_record", f.id, f.id)
        add("fault", source, f.title, f.reported_at, f.system_id, solution)
    for r in session.scalars(latest(ServiceRequest)):
        if r.id in voided:
            continue
        add(
            "request",
            ("service_request", r.id, r.id),
            r.description,
            r.received_at,
            r.system_id,
            r.resolution,
        )
    run_query = latest(InspectionRun)
    findings = session.execute(
        select(
            ItemResult, ChecklistItem.title, InspectionRun.scheduled_date, InspectionRun.system_id
        )
        .join(ChecklistItem, ChecklistItem.id == ItemResult.item_id)
        .join(InspectionRun, InspectionRun.id == ItemResult.run_id)
        .where(ItemResult.status.in_(index.FINDING_STATUSES))
        .where(InspectionRun.id.in_(run_query.with_only_columns(InspectionRun.id)))
    )
    for result, title, day, run_system in findings:
        if result.run_id in voided:
            continue
        problem = f"{title}：{result.note}" if result.note else title
        add(
            "finding",
            ("item_result", result.id, result.run_id),
            problem,
            day,
            result.system_id or run_system,
            result.action,
        )
    sources = {
        source_id: f"{number} {title}"
        for source_id, number, title in session.execute(
            select(KnowledgeArticle.source_id, KnowledgeArticle.number, KnowledgeArticle.title)
        )
        if source_id
    }
    ranked = sorted(
        (p for p in found.values() if p.count >= minimum),
        key=lambda p: (-p.count, -(p.last_at or datetime.min).timestamp(), p.text),
    )[:limit]
    for problem in ranked:
        problem.article = next((sources[i] for _t, i, _o in problem.records if i in sources), "")
    return ranked


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Suggestion:
    hit: Hit
    solution: str


_SOLUTIONS = {
    "fault": "SELECT id, result, process FROM fault_record WHERE id IN ({marks})",
    "request": "SELECT id, resolution FROM service_request WHERE id IN ({marks})",
    "finding": "SELECT id, action FROM item_result WHERE id IN ({marks})",
    "article": "SELECT id, solution, steps FROM knowledge_article WHERE id IN ({marks})",
}


def solutions(session: Session, hits: list[Hit]) -> dict[str, str]:
    """The solution text of each hit's record (empty ones left out)."""
    by_kind: dict[str, list[str]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit.record_id)
    found: dict[str, str] = {}
    for kind, ids in by_kind.items():
        marks = ", ".join(f":p{i}" for i in range(len(ids)))
        rows = session.execute(
            text(_SOLUTIONS[kind].format(marks=marks)), {f"p{i}": v for i, v in enumerate(ids)}
        )
        for rid, *parts in rows:
            joined = "\n".join(p.strip() for p in parts if p and p.strip())
            if joined:
                found[rid] = joined
    return found


def find(session: Session, query: str, filters: Filters | None = None, **options: Any) -> Results:
    """:func:`app.search.query.search` with voided records (作废) marked in the hits."""
    return search(session, query, filters, voided=voided_ids(session), **options)


def suggest(
    session: Session,
    description: str,
    *,
    contract: str | None = None,
    exclude: str | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """Solved problems like ``description`` (not the record ``exclude``), best first."""
    if len(problem_key(description)) < 2:
        return []
    voided = voided_ids(session)
    hits = search_any(
        session, description, Filters(contract=contract), limit=limit * 4, voided=voided
    )
    # a voided record (作废) solved nothing: it is as if it had never been recorded
    hits = [h for h in hits if h.record_id != exclude and h.open_id != exclude and not h.voided]
    found = solutions(session, hits)
    return [Suggestion(h, found[h.record_id]) for h in hits if h.record_id in found][:limit]


def export_period(
    session: Session, contract: str, since: date | None = None, until: date | None = None
) -> tuple[date, date]:
    """The period a knowledge-base export covers: the service period up to today by default."""
    found = _util.contract_of(session, contract)
    end = until or min(date.today(), found.end_date)
    start = since or min(found.start_date, end)
    if start > end:
        raise DomainError("起始日期不能晚于截至日期。")
    return start, end
