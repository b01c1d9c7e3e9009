"""Who is calling, and with which secrets: stores and courier accounts, cached briefly.

Secrets are read from the database and cached per process for a few seconds; a signature
that fails against cached secrets is retried once against fresh ones, so a rotation takes
effect at once and a removed secret stops working within `ttl` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine, select

from perfile_core.db.tables import courier_accounts, stores
from perfile_core.domain import store_names
from perfile_core.domain.errors import SignatureError, UnknownSource
from perfile_core.services.webhooks import run_in_transaction

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    """A store or courier account that may call us, with its active secrets (current first)."""

    id: int
    key: str  # store key or courier code
    platform: str  # shopify | woocommerce | manual | courier
    shop_domain: str | None
    secrets: tuple[str, ...]


class SecretCache:
    def __init__(self, db: Engine, *, ttl: float = 5.0) -> None:
        self._db = db
        self._ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, Source | None]] = {}

    def verified(self, kind: str, key: str, check: Callable[[Source], T]) -> tuple[Source, T]:
        """The source after `check(source)` passed; retried once with fresh secrets."""
        source, fresh = self._get(kind, key, refresh=False)
        try:
            return source, check(source)
        except SignatureError:
            if fresh:
                raise
        source, _ = self._get(kind, key, refresh=True)
        return source, check(source)

    def _get(self, kind: str, key: str, *, refresh: bool) -> tuple[Source, bool]:
        now = time.monotonic()
        with self._lock:
            cached = self._entries.get((kind, key))
        if cached is not None and not refresh and now - cached[0] < self._ttl:
            source, fresh = cached[1], False
        else:
            source, fresh = _load(self._db, kind, key), True
            with self._lock:
                if len(self._entries) > 10_000:  # unknown keys from strangers must not grow memory
                    self._entries.clear()
                self._entries[(kind, key)] = (now, source)
        if source is None or not source.secrets:
            label = "courier" if kind == "courier" else "store"
            raise UnknownSource(f"no webhook secret is configured for {label} {key!r}")
        return source, fresh


def _load(db: Engine, kind: str, key: str) -> Source | None:
    return run_in_transaction(db, lambda conn: _read(conn, kind, key))


def _read(conn: Connection, kind: str, key: str) -> Source | None:
    if kind == "courier":
        row = conn.execute(
            select(courier_accounts).where(courier_accounts.c.code == key, courier_accounts.c.enabled)
        ).first()
        if row is None:
            return None
        return Source(row.id, row.code, "courier", None, _secrets(row))
    condition = (
        stores.c.shop_domain == store_names.shop_domain(key)
        if kind == "shop_domain"
        else stores.c.key == store_names.store_key(key)
    )
    row = conn.execute(select(stores).where(condition)).first()
    if row is None:
        return None
    return Source(row.id, row.key, row.platform, row.shop_domain, _secrets(row))


def _secrets(row: object) -> tuple[str, ...]:
    values = (getattr(row, "webhook_secret", None), getattr(row, "webhook_secret_previous", None))
    return tuple(value for value in values if value)
