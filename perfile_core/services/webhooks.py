"""Webhook deliveries: the inbox, results, storage errors and change notifications.

Every verified delivery is stored raw in `webhook_inbox` under its dedupe key in the same
transaction as its effects; the unique key makes a repeated delivery a no-op ("duplicate").
The use cases per source live in webhook_webshops.py and webhook_couriers.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

import psycopg
from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from perfile_core.couriers.formats.json_body import has_unstorable, storable_text
from perfile_core.db.tables import webhook_inbox
from perfile_core.domain.errors import StorageUnavailable

# Headers that may carry a secret are never stored (nor logged).
SECRET_HEADERS = frozenset({"x-perfile-secret", "authorization", "cookie", "proxy-authorization"})
MAX_STORED_HEADER = 500
T = TypeVar("T")


class Result(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Delivery:
    """One HTTP delivery as the receiver read it: lower-cased headers and the raw body."""

    headers: Mapping[str, str]
    body: bytes
    request_id: str
    remote_addr: str | None = None

    def __post_init__(self) -> None:
        # Header values become lookups, dedupe keys, topics and stored headers. gunicorn refuses
        # control characters in headers, other servers may not: keep them storable here, once.
        if has_unstorable("".join(self.headers)) or has_unstorable("".join(self.headers.values())):
            clean = {storable_text(name): storable_text(value) for name, value in self.headers.items()}
            object.__setattr__(self, "headers", clean)


@dataclass(frozen=True)
class Receipt:
    result: Result
    source: str
    topic: str | None = None
    detail: str | None = None
    order_ids: tuple[int, ...] = field(default_factory=tuple)


@contextmanager
def storage_guard() -> Iterator[None]:
    """Connection trouble becomes StorageUnavailable (503 + Retry-After); bugs stay bugs."""
    try:
        yield
    except (OperationalError, InterfaceError, psycopg.OperationalError) as exc:
        # psycopg's own error: the receiver's direct connections (db/direct.py)
        raise StorageUnavailable("the database is unavailable; retry later") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StorageUnavailable("the database connection was lost; retry later") from exc
        raise


def run_in_transaction(db: Engine, work: Callable[[Connection], T]) -> T:
    """`work(conn)` in one transaction, committed; connection trouble becomes StorageUnavailable.

    A connection that proves dead before COMMIT was sent (a pooled one the server ended without
    a word, e.g. a firewall that dropped it) means the server kept nothing of the transaction:
    `work` runs once more on a fresh connection before anyone is answered. A failure at COMMIT
    is never retried: the server may have committed before the connection broke."""
    with storage_guard():
        return _run(db, work, retry=True)


def _run(db: Engine, work: Callable[[Connection], T], *, retry: bool) -> T:
    with db.connect() as conn:
        transaction = conn.begin()
        try:
            result = work(conn)
        except DBAPIError as exc:
            if not (retry and exc.connection_invalidated):
                raise
        else:
            transaction.commit()
            return result
    return _run(db, work, retry=False)


def stored_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: value[:MAX_STORED_HEADER] for name, value in headers.items() if name.lower() not in SECRET_HEADERS}


def store_delivery(
    conn: Connection,
    *,
    source: str,
    dedupe_key: str,
    topic: str | None,
    delivery: Delivery,
    result: Result,
    now: datetime,
    detail: str | None = None,
) -> bool:
    """Claim the dedupe key; False when this delivery was stored before (a duplicate).

    On PostgreSQL a concurrent claim of the same key waits for the first transaction and
    then sees the conflict, so the effects run exactly once.
    """
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(webhook_inbox)
        .values(
            source=source,
            dedupe_key=dedupe_key[:300],
            topic=(topic or None) and topic[:100],
            headers=stored_headers(delivery.headers),
            body=delivery.body,
            result=result.value,
            detail=detail and detail[:500],
            request_id=delivery.request_id[:64],
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(webhook_inbox.c.id)
    )
    return conn.execute(statement).scalar() is not None


def mark_delivery(conn: Connection, dedupe_key: str, result: Result, detail: str | None) -> None:
    """Record what applying a stored delivery came to, when it differs from the claim."""
    conn.execute(
        webhook_inbox.update()
        .where(webhook_inbox.c.dedupe_key == dedupe_key[:300])
        .values(result=result.value, detail=detail and detail[:500])
    )


def check_database(db: Engine) -> None:
    """Readiness: one round trip to the database, or StorageUnavailable."""
    run_in_transaction(db, lambda conn: conn.execute(text("SELECT 1")))
