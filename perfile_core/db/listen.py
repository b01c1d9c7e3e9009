"""An in-memory count of order changes, kept by LISTENing to the writers' NOTIFY (PostgreSQL).

One listener per dashboard process (built once by the composition root): a background thread
holds one connection that LISTENs on `perfile_orders` (`db.notify.ORDERS_CHANNEL`, sent by the
receiver and every other writer after its commit) and counts what it hears. A live tick reads
`version()` before it reads the database and compares it with the version its last read saw:
equal means no order changed since, so the tick needs no query at all.

The version also moves whenever the listener (re)connects, since notifications sent while it
was away are lost; while it is not listening `version()` is None, and callers poll the change
cursor as on SQLite. A connection that died without a word (a firewall forgot it) is found by
a heartbeat query after `heartbeat` seconds of silence.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg

from perfile_core.db.direct import CONNECT_TIMEOUT_SECONDS, libpq_dsn
from perfile_core.db.notify import ORDERS_CHANNEL

HEARTBEAT_SECONDS = 10.0
RETRY_SECONDS = 1.0
_WAKE_SECONDS = 0.5  # how often the thread looks at close() between notifications

log = logging.getLogger("perfile.listen")


class OrderChanges:
    """Base (SQLite, which has no NOTIFY): no push, `version()` is None and callers poll."""

    def version(self) -> int | None:
        """A number that moves whenever orders may have changed; None: unknown, read the database."""
        return None

    def wait_listening(self, timeout: float = 5.0) -> bool:
        return False

    def changed_here(self) -> None:
        """This process committed order changes: move the version now, before its own NOTIFY is heard."""

    def close(self) -> None:
        pass


class PostgresOrderChanges(OrderChanges):
    def __init__(
        self,
        database_url: str,
        *,
        channel: str = ORDERS_CHANNEL,
        heartbeat: float = HEARTBEAT_SECONDS,
        retry: float = RETRY_SECONDS,
    ) -> None:
        self._dsn = libpq_dsn(database_url)
        self._channel = channel
        self._heartbeat = heartbeat
        self._retry = retry
        self._lock = threading.Condition()
        self._count = 0
        self._listening = False
        self._closed = threading.Event()
        self._backend_pid: int | None = None
        self._thread = threading.Thread(target=self._run, name="perfile-listen", daemon=True)
        self._thread.start()

    def version(self) -> int | None:
        with self._lock:
            return self._count if self._listening else None

    def wait_listening(self, timeout: float = 5.0) -> bool:
        """Wait until the listener is connected and LISTENing; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._listening, timeout)

    def changed_here(self) -> None:
        with self._lock:
            self._count += 1

    @property
    def backend_pid(self) -> int | None:
        """The listening connection's server process (tests end it to simulate a restart)."""
        return self._backend_pid

    def close(self) -> None:
        self._closed.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                self._listen()
            except psycopg.Error as exc:
                log.warning("listening on %s stopped: %s; reconnecting", self._channel, exc)
            except Exception:  # a bug must not end the dashboard's push for the life of the process
                log.exception("listening on %s failed; reconnecting", self._channel)
            finally:
                with self._lock:
                    self._listening = False
            self._closed.wait(self._retry)

    def _listen(self) -> None:
        conn: psycopg.Connection[Any]
        with psycopg.connect(self._dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            conn.execute(f'LISTEN "{self._channel}"')  # our constant, not input
            self._backend_pid = conn.info.backend_pid
            with self._lock:
                self._count += 1  # what was sent while we were away is lost: everyone re-reads
                self._listening = True
                self._lock.notify_all()
            silent = 0.0
            while not self._closed.is_set():
                heard = False
                for _ in conn.notifies(timeout=_WAKE_SECONDS):
                    with self._lock:
                        self._count += 1
                    heard = True
                if heard:
                    silent = 0.0
                    continue
                silent += _WAKE_SECONDS
                if silent >= self._heartbeat:  # a dead connection says nothing: ask
                    conn.execute("SELECT 1")
                    silent = 0.0


def make_order_changes(database_url: str) -> OrderChanges:
    if database_url.startswith("postgresql"):
        return PostgresOrderChanges(database_url)
    return OrderChanges()
