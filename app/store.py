"""Opening the local store: data folder, engine, migrations, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import guards, paths
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade


@dataclass
class Store:
    """An open store. ``actor`` is the person recorded as author of changes."""

    folder: Path
    engine: Engine
    sessions: sessionmaker[Session]
    actor: str = "system"
    migration_backup: Path | None = field(default=None)

    @classmethod
    def open(cls, data_dir: str | Path | None = None, actor: str = "system") -> Store:
        folder = paths.data_dir(data_dir)
        engine = make_engine(paths.db_path(folder))
        backup = upgrade(engine)
        return cls(folder, engine, make_session_factory(engine), actor, backup)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error.

        Every flush in it is checked by :mod:`app.guards` (locked records stay
        unchanged, authors are stamped, the audit log is appended).
        """
        session = self.sessions()
        guards.install(session, self.actor)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
