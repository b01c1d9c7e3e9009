"""Which orders a transaction wrote, handed on once it committed.

Every generic write to an order goes through `orders_repo.insert_order` / `update_order`, which
note the order id on the connection. When the connection goes back to the pool, after its
transaction ended, the ids written by transactions that committed are handed to a callback
(the composition root's: NOTIFY other processes, and tell this process's listener at once), so
the dashboard hears of a booking, an edit or a CLI command as it hears of a webhook. The
receiver's fast path writes outside this engine and notifies by itself.

Ids of a transaction that ended in a COMMIT which then failed are handed on too: a
notification is a hint to re-read, never the data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event, exc

log = logging.getLogger("perfile.notify")

WRITTEN_KEY = "perfile_orders_written"  # in the transaction now
COMMITTED_KEY = "perfile_orders_committed"  # by transactions that committed since checkout


def note_written(conn: Connection, order_id: int) -> None:
    conn.info.setdefault(WRITTEN_KEY, set()).add(order_id)


def _info(conn: Connection) -> dict[Any, Any] | None:
    """The pooled connection's info, or None when it is gone (invalidated: a lost connection;
    what its transaction wrote is lost with it, and reading `info` would raise)."""
    if conn.invalidated or conn.closed:
        return None
    try:
        return conn.info
    except exc.SQLAlchemyError:
        return None


def watch_order_writes(engine: Engine, on_committed: Callable[[set[int]], None]) -> None:
    """Call `on_committed(ids)` for the orders each pooled connection's committed transactions wrote."""

    def committing(conn: Connection) -> None:
        info = _info(conn)
        written = info.pop(WRITTEN_KEY, None) if info is not None else None
        if info is not None and written:
            info.setdefault(COMMITTED_KEY, set()).update(written)

    def rolled_back(conn: Connection) -> None:
        info = _info(conn)
        if info is not None:
            info.pop(WRITTEN_KEY, None)

    def checked_in(_dbapi_conn: Any, record: Any) -> None:
        if record is None:
            return
        record.info.pop(WRITTEN_KEY, None)  # a transaction the pool rolled back on return
        committed = record.info.pop(COMMITTED_KEY, None)
        if committed:
            try:
                on_committed(committed)
            except Exception:  # a hint to re-read; never the reason a use case fails
                log.exception("handing on %d written orders failed", len(committed))

    event.listen(engine, "commit", committing)
    event.listen(engine, "rollback", rolled_back)
    event.listen(engine.pool, "checkin", checked_in)
