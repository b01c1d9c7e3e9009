"""A minimal pool of autocommit psycopg connections for the receiver's hot path.

The courier-event fast path (services/webhook_fastpath.py) runs one self-committing
statement per delivery. Checking a connection out of SQLAlchemy's pool and back (wrapper
objects, events, reset-on-return) cost about as much Python time as the rest of the core's
work for that request, so this path takes an idle connection from a deque instead, with a
cursor kept per connection (a new cursor re-resolves its parameter dumpers and result
loaders on every request: ~0.03 ms). A connection that broke, or is left in a transaction,
is closed rather than reused; the failing request answers 503 + Retry-After and the next
one connects again, and the idle ones are closed with it (SQLAlchemy's pool does the same). One
the server ended while it sat idle (a restart, a failover) is found at checkout without a round
trip and replaced before anything is sent (db/liveness.py), so no delivery after an outage pays
for it.

The cursors are psycopg RawCursors: statements use PostgreSQL's own $1 placeholders
(`PositionalStatement` converts a named statement once, at import). psycopg's per-call conversion of
%(name)s placeholders is cached only for statements under 4 kB; the fast path's is longer,
and re-parsing it cost ~0.1 ms of Python per request.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy.engine import make_url

from perfile_core.db.engine import session_options
from perfile_core.db.liveness import server_hung_up

CONNECT_TIMEOUT_SECONDS = 5
MAX_IDLE = 16  # more than the receiver's threads per worker (gunicorn_conf.py)


_NAMED = re.compile(r"%\((\w+)\)s")


class PositionalStatement:
    """A statement written with %(name)s placeholders, converted once to $n for a RawCursor."""

    def __init__(self, statement: str) -> None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        self.text = _NAMED.sub(number, statement)
        self.names = tuple(names)

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] for name in self.names]


def libpq_dsn(database_url: str) -> str:
    """The SQLAlchemy URL (postgresql+psycopg://...) as a libpq connection string."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class DirectConnections:
    def __init__(self, database_url: str, *, max_idle: int = MAX_IDLE, statement_timeout_ms: int | None = None) -> None:
        self._dsn = libpq_dsn(database_url)
        self._options = session_options(statement_timeout_ms)
        self._max_idle = max_idle
        self._idle: deque[psycopg.RawCursor[Any]] = deque()  # append/pop are atomic: no lock
        self._closed = False

    @contextmanager
    def cursor(self) -> Iterator[psycopg.RawCursor[Any]]:
        """A cursor ($n placeholders) of an idle autocommit connection, or of a new one
        (psycopg.OperationalError when the database is unreachable). It goes back to the idle
        set only if healthy."""
        cursor = self._idle_cursor()
        if cursor is None:
            cursor = psycopg.RawCursor(self._connect())
        try:
            yield cursor
        finally:
            if self._reusable(cursor.connection):
                self._idle.append(cursor)
            else:
                broken = cursor.connection.broken  # False once closed
                cursor.connection.close()
                if broken:  # what broke it (a failover, a firewall) likely broke the idle ones too
                    self._close_idle()

    def _idle_cursor(self) -> psycopg.RawCursor[Any] | None:
        """The newest idle cursor whose connection the server has not ended; dead ones are
        closed before anything is sent on them (db/liveness.py)."""
        while True:
            try:
                cursor = self._idle.pop()
            except IndexError:
                return None
            if not server_hung_up(cursor.connection):
                return cursor
            cursor.connection.close()

    def close(self) -> None:
        """Close idle connections now and busy ones when they come back."""
        self._closed = True
        self._close_idle()

    def _close_idle(self) -> None:
        while True:
            try:
                self._idle.pop().connection.close()
            except IndexError:
                return

    def _connect(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise psycopg.OperationalError("the receiver's connections were closed")
        # Same session settings as the engine's connections (db/engine.py).
        return psycopg.connect(
            self._dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS, options=self._options
        )

    def _reusable(self, conn: psycopg.Connection[Any]) -> bool:
        return (
            not self._closed
            and not conn.closed
            and not conn.broken
            and conn.info.transaction_status == TransactionStatus.IDLE
            and len(self._idle) < self._max_idle
        )
