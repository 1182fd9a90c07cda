"""Which record versions a void (作废) covers, from plain data (no ORM).

A record declared void is void in every version: the original and each
amendment, whichever of them the ``record_void`` row names. Shared by
:func:`app.storage.team_state.voided_ids` (the ORM's reading) and the read-only
store reading of ``omw due`` (:mod:`app.schedule.sqlite_source`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

#: the tables of the signable records (``db.models.SIGNABLE_TYPES``; a test keeps them equal)
SIGNABLE_TABLES = (
    "inspection_run",
    "fault_record",
    "service_request",
    "meeting_minutes",
    "knowledge_article",
)
#: ids asked of the store at a time
CHUNK = 500

#: ``links(ids)``: ``(id, supersedes_id)`` of every signable record whose id or whose
#: ``supersedes_id`` is among ``ids`` (at most :data:`CHUNK` of them)
Links = Callable[[list[str]], Iterable[tuple[str, str | None]]]


def _linked(ids: set[str], links: Links) -> list[tuple[str, str | None]]:
    ordered = sorted(ids)
    return [row for n in range(0, len(ordered), CHUNK) for row in links(ordered[n : n + CHUNK])]


def void_closure(named: set[str], links: Links) -> set[str]:
    """Every version of the records ``named`` declares void (those that exist).

    Walked from the voided records along their amendment chains (each step asks
    ``links`` about the records just reached), so that a store of several years is
    not read whole whenever one record is void: the lists, the due lists and every
    search ask this.
    """
    frontier = {rid for rid, _up in _linked(named, links) if rid in named}
    found: set[str] = set()
    while frontier:
        found |= frontier
        reached: set[str] = set()
        for rid, up in _linked(frontier, links):
            if rid in frontier and up is not None:
                reached.add(up)  # the version it amends
            if up in frontier:
                reached.add(rid)  # an amendment of it
        frontier = reached - found
    return found
