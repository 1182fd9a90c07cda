"""Searching the index: a typed query → ranked hits with highlighted snippets.

A query is cut like indexed text (:mod:`app.search.tokens`); every term must match
(AND): a single CJK character is looked up among single characters, a longer CJK
run as the phrase of its consecutive pairs (so it matches exactly where the run
occurs), a word as the beginning of a word. Only FTS5 syntax this module writes
reaches SQLite — quotes, ``*``, ``AND`` or ``NEAR`` typed by the user are text.

Ranking: BM25 (title terms weigh three times body terms), multiplied up to 1.5×
for a reviewed record and up to 1.5× for a recent one (linearly less over a
year), so among equally good matches the reviewed and recent come first.
Superseded versions of amended records are left out. A query matching more than
:data:`CANDIDATES` records (a single common character) ranks its newest that many
and says its count is a lower bound; every match is still found by a narrower query
or ``candidates=None``.

Snippets are cut from the record's own text as the database holds it now, around
the first match, with the matched spans to highlight.

On a team hub (PostgreSQL) the same terms are asked of the ``tsvector`` columns the
index keeps there (:func:`hub_query`: a character, a phrase of pairs, a word prefix)
and ranked by ``ts_rank`` with the same title weight and the same boosts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.search import index
from app.search.tokens import Term, continues_word, normalise, pairs, query_terms

#: ranking weights of the FTS5 columns t_uni, t_bi, b_uni, b_bi
WEIGHTS = (3.0, 3.0, 1.0, 1.0)
SNIPPET_CHARS = 80
QUERY_LIMIT = 200  # characters of a query; more is a paste, not a search
#: a query matching more records ranks its newest this many (every match is still found)
CANDIDATES = 500
#: the same for 「类似问题」, where any shared pair counts and relevance matters more
SIMILAR_CANDIDATES = 2000


@dataclass(frozen=True)
class Filters:
    """What to search in; ``None`` is everything."""

    contract: str | None = None  # code or id
    system: str | None = None  # code or name
    kind: str | None = None  # a key of index.KINDS or its label
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Snippet:
    """A piece of a record's text and the ``(start, end)`` spans of it that matched."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def marked(self, before: str = "【", after: str = "】") -> str:
        """The text with every matched span between ``before`` and ``after``."""
        out, last = [], 0
        for start, end in self.spans:
            out += [self.text[last:start], before, self.text[start:end], after]
            last = end
        out.append(self.text[last:])
        return "".join(out)


@dataclass(frozen=True)
class Hit:
    kind: str
    record_id: str
    open_type: str  # the record to open: fault_record, service_request, inspection_run, …
    open_id: str
    contract_id: str
    systems: tuple[str, ...]
    at: str
    reviewed: bool
    title: Snippet
    snippet: Snippet
    score: float
    #: the record was declared void (作废, :mod:`app.team.voids`): shown marked, never counted
    voided: bool = False

    @property
    def kind_label(self) -> str:
        return index.KINDS.get(self.kind, self.kind)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "record_id": self.record_id,
            "open_type": self.open_type,
            "open_id": self.open_id,
            "contract_id": self.contract_id,
            "systems": list(self.systems),
            "at": self.at,
            "reviewed": self.reviewed,
            "title": self.title.text,
            "snippet": self.snippet.text,
            "highlights": [list(s) for s in self.snippet.spans],
            "score": round(self.score, 4),
            "voided": self.voided,
        }


@dataclass(frozen=True)
class Results:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    #: ``total`` is a lower bound: more records match than were ranked (see :data:`CANDIDATES`)
    more: bool = False


def fts_query(terms: Iterable[Term]) -> str:
    """The FTS5 MATCH expression for ``terms`` (all of them must match)."""
    parts = []
    for term in terms:
        if term.cjk and len(term.text) == 1:
            parts.append(f'{{t_uni b_uni}} : "{term.text}"')
        elif term.cjk:
            parts.append(f'{{t_bi b_bi}} : "{" ".join(pairs(term.text))}"')
        else:
            parts.append(f'{{t_bi b_bi}} : "{term.text}" *')
    return " AND ".join(parts)


def fts_query_any(text_: str, most: int = 40) -> str:
    """A MATCH expression where any pair or word of ``text_`` may match (for 「相似问题」)."""
    tokens: dict[str, None] = {}
    for term in query_terms(text_):
        if term.cjk:
            for token in pairs(term.text) or [term.text]:
                tokens[token] = None
        else:
            tokens[term.text] = None
    chosen = list(tokens)[:most]
    return " OR ".join(f'{{t_bi b_bi t_uni b_uni}} : "{t}"' for t in chosen)


def _contract_ids(conn: Connection, contract: str) -> list[str]:
    rows = index.run(
        conn, "SELECT id FROM contract WHERE code = :c OR id = :c", {"c": contract.strip()}
    ).all()
    if not rows:
        raise DomainError(f"找不到合同“{contract}”。")
    return [r[0] for r in rows]


def _system_codes(conn: Connection, system: str, contract_ids: list[str] | None) -> list[str]:
    sql = "SELECT DISTINCT code FROM system WHERE (code = :s OR name = :s)"
    params: dict[str, Any] = {"s": system.strip()}
    if contract_ids:
        sql += " AND contract_id IN (" + ", ".join(f":c{i}" for i in range(len(contract_ids))) + ")"
        params |= {f"c{i}": c for i, c in enumerate(contract_ids)}
    codes = [r[0] for r in index.run(conn, sql, params)]
    if not codes:
        raise DomainError(f"找不到系统“{system}”。")
    return codes


def _kind(kind: str) -> str:
    for key, label in index.KINDS.items():
        if kind.strip() in (key, label):
            return key
    raise DomainError(f"类别“{kind}”无效，可选：{'、'.join(index.KINDS)}。")


def _where(conn: Connection, filters: Filters) -> tuple[list[str], dict[str, Any]]:
    clauses = ["d.superseded = 0"]
    params: dict[str, Any] = {}
    contract_ids = _contract_ids(conn, filters.contract) if filters.contract else None
    if contract_ids:
        marks = ", ".join(f":c{i}" for i in range(len(contract_ids)))
        clauses.append(f"d.contract_id IN ({marks})")
        params |= {f"c{i}": c for i, c in enumerate(contract_ids)}
    if filters.system:
        codes = _system_codes(conn, filters.system, contract_ids)
        clauses.append(
            "("
            + " OR ".join(f"{_instr(conn)}(d.systems, :s{i}) > 0" for i in range(len(codes)))
            + ")"
        )
        params |= {f"s{i}": f"|{c}|" for i, c in enumerate(codes)}
    if filters.kind:
        clauses.append("d.kind = :kind")
        params["kind"] = _kind(filters.kind)
    if filters.since and filters.until and filters.since > filters.until:
        raise DomainError("起始日期不能晚于结束日期。")
    if filters.since:
        clauses.append("d.at >= :since")
        params["since"] = filters.since.isoformat()
    if filters.until:
        clauses.append("d.at < :until")
        params["until"] = (filters.until + timedelta(days=1)).isoformat()
    return clauses, params


def _rank() -> str:
    weights = ", ".join(str(w) for w in WEIGHTS)
    return (
        f"bm25(search_fts, {weights}) * (1 + 0.5 * d.reviewed)"
        " * (1.5 - 0.5 * min(1.0, max(0.0, (julianday(:today) - julianday(substr(d.at, 1, 10)))"
        " / 365.0)))"
    )


def _hits(
    conn: Connection, rows: list[Any], terms: list[Term], voided: Collection[str]
) -> list[Hit]:
    docs = _docs(conn, [(r[0], r[1]) for r in rows])
    hits = []
    for kind, rid, open_type, open_id, contract_id, systems, at, reviewed, score, _n in rows:
        doc = docs.get(rid)
        if doc is None:
            continue
        hits.append(
            Hit(
                kind,
                rid,
                open_type,
                open_id,
                contract_id,
                tuple(s for s in systems.split("|") if s),
                at,
                bool(reviewed),
                snippet(doc.title, terms, width=len(doc.title) + 1),
                snippet(doc.body, terms),
                float(score),
                rid in voided or open_id in voided,
            )
        )
    return hits


_SELECT = (
    "SELECT *, count(*) OVER () FROM (SELECT d.kind, d.record_id, d.open_type, d.open_id, "
    "d.contract_id, d.systems, d.at, d.reviewed, {rank} AS score FROM search_fts "
    "JOIN search_doc d ON d.id = search_fts.rowid WHERE {where}) AS m "
    "ORDER BY score LIMIT :limit OFFSET :offset"
)


def _instr(conn: Connection) -> str:
    return "strpos" if conn.dialect.name == "postgresql" else "instr"


@dataclass(frozen=True)
class Match:
    """What a query matches and how it ranks, as SQL over ``search_fts`` and ``search_doc d``."""

    condition: str
    rank: str
    params: dict[str, Any]


def _fts5(expression: str) -> Match:
    return Match("search_fts MATCH :q", _rank(), {"q": expression})


# --------------------------------------------------------------------------- the hub (PostgreSQL)


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def hub_query(terms: Iterable[Term]) -> tuple[str, str]:
    """The ``tsquery`` texts over single characters and over pairs and words (every term)."""
    uni: list[str] = []
    bi: list[str] = []
    for term in terms:
        if term.cjk and len(term.text) == 1:
            uni.append(_lexeme(term.text))
        elif term.cjk:
            bi.append("(" + " <-> ".join(_lexeme(p) for p in pairs(term.text)) + ")")
        else:
            bi.append(_lexeme(term.text) + ":*")
    return " & ".join(uni), " & ".join(bi)


def hub_query_any(text_: str, most: int = 40) -> str:
    """The ``tsquery`` text where any pair, word or single character of ``text_`` may match."""
    tokens: dict[str, None] = {}
    for term in query_terms(text_):
        for token in (pairs(term.text) or [term.text]) if term.cjk else [term.text]:
            tokens[token] = None
    return " | ".join(_lexeme(t) for t in list(tokens)[:most])


#: ``ts_rank`` weights {D, C, B, A}: a title (A) term weighs three times a body (B) term
_HUB_WEIGHTS = "'{0.1, 0.2, 0.333, 1.0}'"
_HUB_BOOST = (
    " * (1 + 0.5 * d.reviewed) * (1.5 - 0.5 * least(1.0, greatest(0.0, "
    "(CAST(:today AS date) - CAST(substr(d.at, 1, 10) AS date)) / 365.0)))"
)


def _hub_match(uni: str, bi: str, *, any_: bool = False) -> Match:
    """Match on the hub's ``tsvector`` columns: every part (or, ``any_``, either) must match."""
    parts = [(column, q) for column, q in (("uni", uni), ("bi", bi)) if q]
    tests = [f"search_fts.{c} @@ CAST(:q_{c} AS tsquery)" for c, _q in parts]
    ranks = [f"ts_rank({_HUB_WEIGHTS}, search_fts.{c}, CAST(:q_{c} AS tsquery))" for c, _q in parts]
    condition = "(" + (" OR " if any_ else " AND ").join(tests) + ")"
    rank = "-(" + " + ".join(ranks) + ")" + _HUB_BOOST
    return Match(condition, rank, {f"q_{c}": q for c, q in parts})


def _connection(session: Session) -> Connection:
    conn = session.connection()
    if not index.has_index(conn):
        raise DomainError(
            "该数据存储尚无搜索索引，请用新版本打开一次，或运行 omw search --reindex。"
        )
    return conn


def _cut(conn: Connection, where: str, params: dict[str, Any], candidates: int | None) -> int:
    """The lowest rowid among the newest ``candidates`` matches (0: rank every match).

    Documents are numbered oldest first (:func:`app.search.index.reindex`, then as
    records are written), so this bounds the work of a query matching a large part
    of the store — a single common character — to its newest matches, read in rowid
    order without visiting the rest.
    """
    if candidates is None:
        return 0
    rows = index.run(
        conn,
        "SELECT search_fts.rowid FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid "
        f"WHERE {where} ORDER BY search_fts.rowid DESC LIMIT 2 OFFSET :last",
        params | {"last": candidates - 1},
    ).all()
    return int(rows[0][0]) if len(rows) == 2 else 0  # the last one kept, if one is left out


def _ranked(
    conn: Connection,
    match: Match,
    filters: Filters | None,
    *,
    limit: int,
    offset: int,
    today: date | None,
    candidates: int | None,
) -> tuple[list[Any], int, bool]:
    """Rows of the best matches, the number of matches, and whether that is a lower bound."""
    clauses, params = _where(conn, filters or Filters())
    params |= match.params | {"today": (today or date.today()).isoformat()}
    where = " AND ".join([match.condition, *clauses])
    cut = _cut(conn, where, params, candidates)
    if cut:
        where += " AND search_fts.rowid >= :cut"
        params["cut"] = cut
    sql = _SELECT.format(rank=match.rank, where=where)
    rows = index.run(conn, sql, params | {"limit": limit, "offset": offset}).all()
    if rows or not offset:
        return rows, int(rows[0][-1]) if rows else 0, bool(cut)
    total = index.run(
        conn,  # a page past the last: the count alone
        "SELECT count(*) FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid "
        f"WHERE {where}",
        params,
    ).scalar()
    return rows, int(total or 0), bool(cut)


def search_any(
    session: Session,
    description: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    today: date | None = None,
    candidates: int | None = SIMILAR_CANDIDATES,
    voided: Collection[str] = (),
) -> list[Hit]:
    """Records sharing the most character pairs and words with ``description``, best first.

    ``voided``: ids of records declared void (作废), marked in the hits.
    """
    expression = fts_query_any(description[:2000])
    if not expression:
        return []
    conn = _connection(session)
    if conn.dialect.name == "postgresql":
        anything = hub_query_any(description[:2000])
        match = _hub_match(anything, anything, any_=True)
    else:
        match = _fts5(expression)
    rows, _total, _more = _ranked(
        conn,
        match,
        filters,
        limit=limit,
        offset=0,
        today=today,
        candidates=candidates,
    )
    return _hits(conn, rows, query_terms(description[:2000]), voided)


def search(
    session: Session,
    query: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    today: date | None = None,
    candidates: int | None = CANDIDATES,
    voided: Collection[str] = (),
) -> Results:
    """The records matching ``query``, best first; ``total`` counts them.

    ``voided``: ids of records declared void (作废), marked in the hits; the index
    is below the team layer that knows them (:func:`app.records.knowledge.find`).

    Every match is found; when more than ``candidates`` match, the newest
    ``candidates`` of them are ranked and ``total`` says only that many
    (``more``). ``candidates=None`` ranks and counts them all.
    """
    query = (query or "")[:QUERY_LIMIT]
    terms = query_terms(query)
    conn = _connection(session)
    if not terms:
        return Results(query, 0)
    hub = conn.dialect.name == "postgresql"
    rows, total, more = _ranked(
        conn,
        _hub_match(*hub_query(terms)) if hub else _fts5(fts_query(terms)),
        filters,
        limit=limit,
        offset=offset,
        today=today,
        candidates=candidates,
    )
    return Results(query, total, _hits(conn, rows, terms, voided), more)


def _docs(conn: Connection, wanted: list[tuple[str, str]]) -> dict[str, index.Doc]:
    by_kind: dict[str, list[str]] = {}
    for kind, rid in wanted:
        by_kind.setdefault(kind, []).append(rid)
    found: dict[str, index.Doc] = {}
    for kind, ids in by_kind.items():
        found |= {d.record_id: d for d in index.load_docs(conn, kind, ids)}
    return found


def _normalised_with_map(original: str) -> tuple[str, list[int] | range]:
    """``original`` normalised, and each output character's position in ``original``.

    Mostly normalising keeps every character in place (full-width letters become
    half-width ones, one for one); only otherwise is the text mapped character by
    character.
    """
    whole = normalise(original)
    if len(whole) == len(original):
        return whole, range(len(original))
    out: list[str] = []
    where: list[int] = []
    for position, char in enumerate(original):
        piece = normalise(char)
        out.append(piece)
        where += [position] * len(piece)
    return "".join(out), where


def matches(original: str, terms: Iterable[Term]) -> list[tuple[int, int]]:
    """Spans of ``original`` that match a term (a CJK run anywhere, a word at a word start)."""
    flat, where = _normalised_with_map(original)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = flat.find(term.text)
        while start >= 0:
            if term.cjk or start == 0 or not continues_word(flat[start - 1], term.text):
                end = start + len(term.text)
                spans.append((where[start], where[end - 1] + 1))
            start = flat.find(term.text, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(original: str, terms: Iterable[Term], width: int = SNIPPET_CHARS) -> Snippet:
    """About ``width`` characters of ``original`` around its first match, spans marked."""
    flat_text = " ".join(original.split())
    spans = matches(flat_text, list(terms))
    if len(flat_text) <= width:
        return Snippet(flat_text, tuple(spans))
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(flat_text) - width))
    end = start + width
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat_text) else ""
    shift = len(prefix) - start
    kept = tuple(
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if e > start and s < end
    )
    return Snippet(prefix + flat_text[start:end] + suffix, kept)
