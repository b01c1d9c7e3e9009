"""NOTIFY listeners after orders changed: sent after commit, coalesced per process.

Why not NOTIFY inside each writing transaction: PostgreSQL serializes the commits of all
transactions that notify (they queue behind one lock), which cost the receiver 7-15 % of its
throughput under load. Writers instead hand the changed order ids to this notifier after their
commit; one background thread sends them, at most one batch per `interval`, so listeners still
never hear of an uncommitted change and hear of a committed one within milliseconds.

Payload: the changed order ids, comma-separated, ascending; split over several notifications
when they exceed PostgreSQL's payload limit. A notification is a hint to re-read (the change
cursor is the source of truth), so a batch that cannot be sent is dropped after a warning.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import psycopg

from perfile_core.db.direct import CONNECT_TIMEOUT_SECONDS, libpq_dsn
from perfile_core.db.liveness import server_hung_up

ORDERS_CHANNEL = "perfile_orders"
MAX_PAYLOAD_BYTES = 7_900  # PostgreSQL's limit is 8,000 bytes
DEFAULT_INTERVAL_SECONDS = 0.02

log = logging.getLogger("perfile.notify")


class ChangeNotifier:
    """Base: listeners are not told (SQLite has no NOTIFY; the dashboard polls the cursor)."""

    def orders_changed(self, order_ids: Iterable[int]) -> None:
        """Call after the commit that changed these orders."""

    def flush(self, timeout: float = 2.0) -> bool:
        """Wait until everything handed over so far was sent; False on timeout."""
        return True

    def close(self) -> None:
        pass


class PostgresChangeNotifier(ChangeNotifier):
    def __init__(
        self, database_url: str, *, channel: str = ORDERS_CHANNEL, interval: float = DEFAULT_INTERVAL_SECONDS
    ) -> None:
        self._dsn = libpq_dsn(database_url)
        self._channel = channel
        self._interval = interval
        self._wake = threading.Condition()
        self._pending: set[int] = set()
        self._in_flight = 0
        self._idle = False  # the sender waits for work (not sending, not pausing between batches)
        self._closed = False
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None

    def orders_changed(self, order_ids: Iterable[int]) -> None:
        ids = set(order_ids)
        if not ids:
            return
        with self._wake:
            if self._closed:
                return
            self._pending |= ids
            if self._thread is None:  # started on first use: after gunicorn forked the worker
                self._thread = threading.Thread(target=self._run, name="perfile-notify", daemon=True)
                self._thread.start()
                atexit.register(self.close)
            if self._idle:  # otherwise the sender takes these ids with its next batch anyway
                self._wake.notify_all()

    def flush(self, timeout: float = 2.0) -> bool:
        with self._wake:
            return self._wake.wait_for(lambda: not self._pending and not self._in_flight, timeout)

    def close(self) -> None:
        self.flush()
        with self._wake:
            self._closed = True
            self._wake.notify_all()  # ends the pause between batches too
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while True:
            with self._wake:
                self._idle = True
                self._wake.wait_for(lambda: self._pending or self._closed)
                self._idle = False
                if self._closed and not self._pending:
                    break
                batch, self._pending = self._pending, set()
                self._in_flight = len(batch)
            try:
                self._send(batch)
            except psycopg.Error as exc:
                log.warning("could not notify %s of %d changed orders: %s", self._channel, len(batch), exc)
                self._disconnect()
            except Exception:  # a bug must not end notifications for the life of the process
                log.exception("notifying %s of %d changed orders failed", self._channel, len(batch))
                self._disconnect()
            finally:
                with self._wake:
                    self._in_flight = 0
                    self._wake.notify_all()
            with self._wake:  # coalesce: what arrives meanwhile goes in the next batch
                self._wake.wait_for(lambda: self._closed, self._interval)
        self._disconnect()

    def _send(self, order_ids: set[int]) -> None:
        if self._conn is None or server_hung_up(self._conn):  # e.g. the database restarted since
            self._disconnect()
            self._conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS)
        for payload in payloads(order_ids):
            self._conn.execute("SELECT pg_notify(%s, %s)", (self._channel, payload))

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def payloads(order_ids: Iterable[int]) -> Iterator[str]:
    """Comma-separated ascending ids, each payload within PostgreSQL's size limit."""
    chunk: list[str] = []
    size = 0
    for order_id in sorted(set(order_ids)):
        text = str(order_id)
        if chunk and size + len(text) + 1 > MAX_PAYLOAD_BYTES:
            yield ",".join(chunk)
            chunk, size = [], 0
        chunk.append(text)
        size += len(text) + 1
    if chunk:
        yield ",".join(chunk)


def make_notifier(database_url: str) -> ChangeNotifier:
    if database_url.startswith("postgresql"):
        return PostgresChangeNotifier(database_url)
    return ChangeNotifier()
