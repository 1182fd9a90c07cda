"""Tests on both engines: the store file (SQLite) and a team hub (PostgreSQL).

``python3 dev.py test`` starts a throw-away PostgreSQL cluster (``scripts/pg_cluster.py``)
and passes its URL in ``PGTEST_URL``. Without it the PostgreSQL cases are skipped with
the reason, except under ``CI=true`` where they fail (``tests/tools.py``).

Each pytest worker migrates one template database once (``omw hub init``, which also
creates the app's role); every test gets its own database copied from it
(``CREATE DATABASE … TEMPLATE``, a fraction of a second) and dropped afterwards, and
connects as the app's role :data:`app.storage.hub.APP_ROLE`, as a real hub's users do.

A test module runs its ``store`` tests on both engines by importing the fixture::

    from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.storage import hub
from app.storage.store import Store
from db.engine import postgres_engine
from tests.tools import in_ci

ENV_URL = "PGTEST_URL"
ENGINES = ("sqlite", "postgresql")


def server_url() -> str:
    """The throw-away cluster's superuser URL; skipped (failed under CI=true) without one."""
    url = os.environ.get(ENV_URL, "")
    if url:
        return url
    reason = f"no PostgreSQL for the hub tests ({ENV_URL} unset: `python3 dev.py test` sets it)"
    if in_ci():
        pytest.fail(f"CI=true and {reason}; .ci/run installs postgresql", pytrace=False)
    pytest.skip(reason)


def database_url(url: str, database: str, user: str | None = None) -> str:
    parsed = make_url(url).set(database=database)
    if user is not None:
        parsed = parsed.set(username=user)
    return parsed.render_as_string(hide_password=False)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def hub_template() -> Iterator[str]:
    """The name of this worker's migrated template database."""
    admin = server_url()
    name = f"omw_template_{_worker()}"
    engine = postgres_engine(admin)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text("SELECT pg_advisory_lock(7)"))  # workers create the role one at a time
        try:
            hub.init(database_url(admin, name))
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(7)"))
    yield name
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


@pytest.fixture
def hub_database(hub_template: str) -> Iterator[tuple[str, str]]:
    """A fresh hub for one test: (the app role's URL, the owner's URL)."""
    admin = server_url()
    name = f"omw_{uuid.uuid4().hex[:12]}"
    engine = postgres_engine(admin)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {hub_template}"))
    try:
        yield database_url(admin, name, hub.APP_ROLE), database_url(admin, name)
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        engine.dispose()


@pytest.fixture
def hub_url(hub_database: tuple[str, str]) -> str:
    """A fresh hub's URL for the app's role."""
    return hub_database[0]


def open_store(kind: str, folder: Path, request: pytest.FixtureRequest, actor: str) -> Store:
    """A store on ``kind``: the data folder's file, or a fresh hub."""
    if kind == "sqlite":
        return Store.open(folder, actor=actor)
    url = request.getfixturevalue("hub_url")
    return Store.open(folder, actor=actor, database=url)


def stores(
    request: pytest.FixtureRequest, folder: Path, actor: str = "测试工程师"
) -> Iterator[Store]:
    """The body of a module's ``store`` fixture parametrised over :data:`ENGINES`."""
    opened = open_store(str(request.param), folder, request, actor)
    yield opened
    opened.close()


@pytest.fixture(name="store", params=ENGINES)
def store_on_both_engines(request: pytest.FixtureRequest, isolated_dirs: Path) -> Iterator[Store]:
    """``store`` on a store file and on a hub, for the modules that import it."""
    yield from stores(request, isolated_dirs)
