"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL databases are cloned from a migrated template (CREATE DATABASE ... TEMPLATE),
so each test gets a truly fresh database in ~0.1 s. Without a reachable server the
PostgreSQL variants skip locally but fail under CI (any non-empty CI value), where they must run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from perfile_core.db.engine import make_engine
from perfile_core.db.migrate import migrate
from perfile_core.db.secret_box import new_key
from tests.ci import unavailable

PG_ADMIN_URL = os.environ.get("PERFILE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session", autouse=True)
def _secret_key() -> Iterator[None]:
    """Stored secrets are encrypted: one key for the session (the CLI and servers it starts inherit
    it), so no test writes the local key file under var/. A key in the environment is kept."""
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get("PERFILE_SECRET_KEY"):
            patch.setenv("PERFILE_SECRET_KEY", new_key())
        yield


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests talk to loopback servers only; a proxy from the environment would break that.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _pg_admin_engine() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_available() -> str | None:
    try:
        engine = _pg_admin_engine()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    problem = _pg_available()
    if problem:
        unavailable(f"PostgreSQL not reachable: {problem}")
    name = f"perfile_tpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_clone(template: str) -> Iterator[str]:
    name = f"perfile_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    yield from _pg_clone(pg_template)


@pytest.fixture
def empty_pg_url(pg_template: str) -> Iterator[str]:
    """An empty PostgreSQL database, no tables at all (a restore target): a copy of template0."""
    yield from _pg_clone("template0")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "perfile.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database URL, once per backend."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def other_db_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A second fresh migrated database on db_url's backend, to compare two runs of the same thing."""
    if make_url(db_url).get_backend_name() == "sqlite":
        path = tmp_path / "other.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield from _pg_clone(request.getfixturevalue("pg_template"))


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Engine]:
    """PostgreSQL only: for what SQLite cannot prove (concurrency, plans, NOTIFY)."""
    engine = make_engine(pg_url, pool_size=25)
    yield engine
    engine.dispose()
