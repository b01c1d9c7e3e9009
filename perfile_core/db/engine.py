"""Engine creation, built lazily from settings (never at import time)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from perfile_core.db.liveness import server_hung_up
from perfile_core.domain.time_utils import local_day


def make_engine(
    database_url: str, *, pool_size: int = 5, pre_ping: bool = True, statement_timeout_ms: int | None = None
) -> Engine:
    """An engine for the URL. `pre_ping=False` skips the liveness round trip on every checkout:
    for callers that map a dead connection's error to a retryable answer themselves (the
    receiver's 503 + Retry-After); SQLAlchemy then invalidates the pool and reconnects. Either
    way a pooled connection the server already ended is replaced at checkout (db/liveness.py).
    `statement_timeout_ms` (PostgreSQL) cancels a statement that waits or runs longer."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=10,
        pool_pre_ping=pre_ping,
        pool_recycle=1800,
        connect_args={"options": session_options(statement_timeout_ms)},
    )
    event.listen(engine, "checkout", _replace_if_server_hung_up)
    return engine


def _replace_if_server_hung_up(dbapi_conn, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
    # A pooled connection the server ended (restart, failover) is replaced before its first
    # statement, without a round trip (db/liveness.py); the pool reconnects on this error.
    if server_hung_up(dbapi_conn):
        raise DisconnectionError("the server ended this pooled connection")


def session_options(statement_timeout_ms: int | None = None) -> str:
    """libpq `options` for every PostgreSQL session we open."""
    # Dates are computed in UTC everywhere (date(delivered_at) vs the promised date).
    options = "-c timezone=UTC"
    if statement_timeout_ms is not None:
        options += f" -c statement_timeout={int(statement_timeout_ms)}"
    return options


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the dashboard read while the receiver writes; foreign keys are off by default.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # SQLite has no time zones; the on-time rule's local day comes from the domain itself.
    dbapi_conn.create_function("perfile_local_day", 2, _sqlite_local_day, deterministic=True)
    # The sqlite3 module otherwise starts transactions itself, only before a write: a SAVEPOINT
    # opened first then became the outermost transaction and its RELEASE committed everything
    # so far, so a later error could not roll back (SQLAlchemy's "pysqlite" serializable recipe).
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    conn.exec_driver_sql("BEGIN")


def _sqlite_local_day(stored: str | None, country_code: str | None) -> str | None:
    """local_day for a UTC timestamp as SQLite stores it (naive ISO text)."""
    if stored is None:
        return None
    return local_day(datetime.fromisoformat(stored).replace(tzinfo=UTC), country_code).isoformat()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
