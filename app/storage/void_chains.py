"""Which record versions a void (作废) covers, from plain data (no ORM).

A record declared void is void in every version: the original and each
amendment, whichever of them the ``record_void`` row names. Shared by
:func:`app.storage.team_state.voided_ids` (the ORM's reading) and the read-only
store reading of ``omw due`` (:mod:`app.schedule.sqlite_source`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: the tables of the signable records (``db.models.SIGNABLE_TYPES``; a test keeps them equal)
SIGNABLE_TABLES = (
    "inspection_run",
    "fault_record",
    "service_request",
    "meeting_minutes",
    "knowledge_article",
)


def void_closure(named: set[str], tables: Iterable[Mapping[str, str | None]]) -> set[str]:
    """Every version of the records ``named`` declares void.

    ``tables`` gives, table by table, each record id's ``supersedes_id``.
    """
    found: set[str] = set()
    for parent in tables:
        children: dict[str, list[str]] = {}
        for child, up in parent.items():
            if up is not None:
                children.setdefault(up, []).append(child)
        todo = [i for i in named if i in parent]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.add(current)
            todo += children.get(current, [])
            up = parent.get(current)
            if up is not None:
                todo.append(up)
    return found
