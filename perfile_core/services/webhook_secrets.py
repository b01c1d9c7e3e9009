"""Who is calling, and with which secrets: stores and courier accounts, cached briefly.

Secrets are read from the database and cached per process for a few seconds; a signature
that fails against cached secrets is retried once against fresh ones, so a rotation takes
effect at once and a removed secret stops working within `ttl` seconds. Stored secrets are
Fernet tokens (services/stored_secrets.py): each token is decrypted once per process (the box
memoises it), so re-reading the rows costs no decryption until a rotation writes a new token.
A previous secret verifies until its window ends, checked against the clock at each delivery;
the read that finds it expired drops it from the row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, select

from perfile_core.clock import utcnow
from perfile_core.db.tables import courier_accounts, stores
from perfile_core.domain import store_names
from perfile_core.domain.courier_ownership import speaks_for
from perfile_core.domain.errors import SignatureError, UnknownSource
from perfile_core.services.stored_secrets import SecretPolicy, default_policy, prune_expired
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
    speaks_for: tuple[str, ...] = ()  # couriers an aggregator account may report for
    previous_until: datetime | None = None  # when secrets[1], the previous secret, stops verifying

    def at(self, now: datetime) -> Source:
        """This source as it verifies at `now`: without the previous secret once its window ended."""
        if self.previous_until is None or now < self.previous_until:
            return self
        return replace(self, secrets=self.secrets[:1], previous_until=None)


class SecretCache:
    def __init__(
        self,
        db: Engine,
        *,
        ttl: float = 5.0,
        policy: SecretPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._policy = policy or default_policy()
        self._clock = clock
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
            source, fresh = self._load(kind, key), True
            with self._lock:
                if len(self._entries) > 10_000:  # unknown keys from strangers must not grow memory
                    self._entries.clear()
                self._entries[(kind, key)] = (now, source)
        if source is None or not source.secrets:
            label = "courier" if kind == "courier" else "store"
            raise UnknownSource(f"no webhook secret is configured for {label} {key!r}")
        if source.previous_until is not None:  # only then does the clock matter
            source = source.at(self._clock())
        return source, fresh

    def _load(self, kind: str, key: str) -> Source | None:
        return run_in_transaction(self._db, lambda conn: self._read(conn, kind, key))

    def _read(self, conn: Connection, kind: str, key: str) -> Source | None:
        if kind == "courier":
            row = conn.execute(
                select(courier_accounts).where(courier_accounts.c.code == key, courier_accounts.c.enabled)
            ).first()
            if row is None:
                return None
            secrets, until = self._secrets(conn, courier_accounts, row)
            return Source(row.id, row.code, "courier", None, secrets, speaks_for(row.settings or {}), until)
        condition = (
            stores.c.shop_domain == store_names.shop_domain(key)
            if kind == "shop_domain"
            else stores.c.key == store_names.store_key(key)
        )
        row = conn.execute(select(stores).where(condition)).first()
        if row is None:
            return None
        secrets, until = self._secrets(conn, stores, row)
        return Source(row.id, row.key, row.platform, row.shop_domain, secrets, previous_until=until)

    def _secrets(self, conn: Connection, table: Any, row: Any) -> tuple[tuple[str, ...], datetime | None]:
        """The secrets that verify now, decrypted, and when the previous one stops; an expired one is pruned."""
        now = self._clock()
        secrets = self._policy.webhook_secrets(row, now)
        until = self._policy.previous_until(row)
        if until is not None and now >= until:
            prune_expired(conn, table, self._policy, now, row_id=row.id)  # this row only: no wider locks
        return secrets, until if len(secrets) > 1 else None
