"""Has the server ended an idle pooled connection? Answered without a round trip.

A connection that sat in a pool while the database restarted, failed over or ran
pg_terminate_backend is dead, but the client learns it only by using it: its first statement
fails and that delivery answers 503. Retrying after the failure is safe only for a transaction
that had not reached its COMMIT (services.webhooks.run_in_transaction); a self-committing
statement may have committed before the same error. So we ask before anything is sent: an
idle connection has nothing to read, and a server that ended it has left its goodbye (a FATAL
message, or end-of-file) on the socket. One poll() of the socket costs a system call, not a
round trip (no pre-ping); a connection that fails it is discarded and the request runs on a
fresh one, so nothing ever ran on the dead one.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus


def server_hung_up(conn: psycopg.Connection[Any]) -> bool:
    """True when an idle connection must not be used: closed, broken, left inside a transaction,
    or its socket holds something no statement asked for (the server's goodbye)."""
    pgconn = conn.pgconn  # conn.info builds an object per call: ~1.5 us of the ~3 us this took
    if conn.closed or conn.broken or pgconn.transaction_status != TransactionStatus.IDLE:
        return True
    try:
        socket = pgconn.socket
    except psycopg.OperationalError:  # libpq has no socket for it any more
        return True
    poller = select.poll()
    poller.register(socket, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
