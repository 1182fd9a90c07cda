"""The store's protection triggers on PostgreSQL, from the migrations' SQLite trigger statements.

Every migration writes its protections the SQLite way, one statement each::

    CREATE TRIGGER signature_no_delete BEFORE DELETE ON signature FOR EACH ROW
    [WHEN <condition>] BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END

and removes one with ``DROP TRIGGER IF EXISTS <name>``. On SQLite they run as
written (their stored SQL stays byte for byte what it always was). On PostgreSQL
the migration environment (``db/migrations/env.py``) hands each statement to
:func:`postgres_statement`, which says the same in PL/pgSQL: a trigger function
``<name>()`` that raises the same English message, and a ``BEFORE … FOR EACH ROW``
trigger calling it. The condition moves into the function (a PostgreSQL ``WHEN``
cannot hold a sub-query), and SQLite's null-safe ``a IS b`` becomes
``a IS NOT DISTINCT FROM b``. The error is raised with SQLSTATE 23000
(integrity constraint violation), so the driver reports it as an
``IntegrityError`` and :mod:`app.storage.db_errors` says it in Chinese, exactly as
it does for SQLite's ``RAISE(ABORT, …)``.

Dropping a trigger drops its function with ``CASCADE``, which removes the trigger
too (a PostgreSQL trigger is named per table, the function once).

The database role the hub's users connect as (:mod:`app.storage.hub`) is not granted
UPDATE or DELETE where a trigger refuses them for every row (:data:`UNCONDITIONAL`):
a second wall that holds even if a trigger were dropped by someone who may.
"""

from __future__ import annotations

import re

#: the role the app connects as on the hub (created by :func:`app.storage.hub.init`); here,
#: not in :mod:`app.storage.hub`, so that ``omw`` names it without loading SQLAlchemy
APP_ROLE = "omw_app"
#: (table, "UPDATE" | "DELETE") that a protection trigger refuses for every row
UNCONDITIONAL = """
SELECT c.relname, CASE WHEN t.tgtype & 8 = 8 THEN 'DELETE' ELSE 'UPDATE' END
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND t.tgtype & 24 <> 0 AND p.prosrc LIKE '%IF TRUE THEN%'
ORDER BY 1, 2
"""

_CREATE = re.compile(
    r"^\s*CREATE TRIGGER (?P<name>\w+) BEFORE (?P<event>INSERT|UPDATE|DELETE) ON (?P<table>\w+)"
    r" FOR EACH ROW(?: WHEN (?P<condition>.+?))?\s+BEGIN SELECT RAISE\(ABORT, "
    r"'(?P<message>[^']*)'\); END\s*$",
    re.S,
)
_DROP = re.compile(r"^\s*DROP TRIGGER IF EXISTS (?P<name>\w+)\s*$")
#: SQLite's null-safe comparison ``NEW.x IS OLD.x`` / ``NEW.x IS NOT OLD.x``
_NULL_SAFE = re.compile(r"\bIS (NOT )?(?=(?:OLD|NEW)\.)")


def _null_safe(condition: str) -> str:
    return _NULL_SAFE.sub(
        lambda m: "IS DISTINCT FROM " if m[1] else "IS NOT DISTINCT FROM ", condition
    )


def trigger_function(name: str, table: str, event: str, message: str, condition: str) -> str:
    """The PostgreSQL function and trigger refusing ``event`` on ``table`` when ``condition``."""
    test = _null_safe(condition) if condition else "TRUE"
    row = "OLD" if event == "DELETE" else "NEW"  # a BEFORE trigger returning NULL skips the row
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $omw$\n"
        f"BEGIN\n"
        f"  IF {test} THEN\n"
        f"    RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';\n"
        f"  END IF;\n"
        f"  RETURN {row};\n"
        f"END\n$omw$;\n"
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
    )


def postgres_statement(statement: str) -> str | None:
    """The PostgreSQL form of a SQLite trigger statement, or ``None`` if it is not one."""
    created = _CREATE.match(statement)
    if created:
        return trigger_function(
            created["name"],
            created["table"],
            created["event"],
            created["message"],
            (created["condition"] or "").strip(),
        )
    dropped = _DROP.match(statement)
    if dropped:
        return f"DROP FUNCTION IF EXISTS {dropped['name']}() CASCADE"
    return None
