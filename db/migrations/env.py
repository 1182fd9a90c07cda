"""Alembic environment: the engine is handed in by ``db.migrate``.

On PostgreSQL the migrations' SQLite trigger statements are said in PL/pgSQL on the
way to the server (:func:`db.protections.postgres_statement`); SQLite runs them as
written.
"""

from typing import Any

from alembic import context
from sqlalchemy import event

from db.models import Base
from db.protections import postgres_statement

config = context.config
engine = config.attributes["engine"]


def _as_postgres(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
) -> tuple[str, Any]:
    return postgres_statement(statement) or statement, parameters


with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        event.listen(connection, "before_cursor_execute", _as_postgres, retval=True)
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
    )
    context.run_migrations()
