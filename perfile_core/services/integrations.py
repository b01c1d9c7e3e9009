"""What the Integrations page shows operators: recent webhook deliveries and refusals, the last
delivery per store and courier, the notification outbox, and the configured stores and
couriers (whether each secret is set and when, never the secret).

"Recent" is the newest WINDOW rows of a table, read backwards along its primary key, so the
page costs the same with a million deliveries as with ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from perfile_core.db.tables import courier_accounts, notifications, stores, webhook_inbox, webhook_refusals
from perfile_core.domain.courier_ownership import SPEAKS_FOR

WINDOW = 5000


@dataclass(frozen=True)
class SourceCounts:
    source: str
    counts: dict[str, int]  # accepted / ignored / pending / duplicate / rejected -> deliveries
    last_at: datetime


@dataclass(frozen=True)
class DeliveryProblem:
    received_at: datetime
    source: str
    result: str  # ignored | duplicate | rejected
    status: int | None  # the HTTP status answered (refusals)
    code: str | None
    reason: str


@dataclass(frozen=True)
class StoreConfig:
    key: str
    name: str
    platform: str
    shop_domain: str | None
    secret_set: bool
    previous_secret_valid: bool
    secret_set_at: datetime | None
    last_delivery_at: datetime | None


@dataclass(frozen=True)
class CourierConfig:
    code: str
    enabled: bool
    base_url: str | None
    api_key_set: bool
    credentials_set: bool
    secret_set: bool
    previous_secret_valid: bool
    secret_set_at: datetime | None
    speaks_for: tuple[str, ...]
    last_delivery_at: datetime | None


def _recent(table: Any, *columns: Any) -> Any:
    return select(*columns).order_by(table.c.id.desc()).limit(WINDOW).subquery()


def deliveries_per_source(db: Engine) -> list[SourceCounts]:
    """Results of the newest deliveries per source: the inbox's, then duplicates and refusals."""
    counts: dict[str, dict[str, int]] = {}
    last: dict[str, datetime] = {}
    with db.connect() as conn:
        for table in (webhook_inbox, webhook_refusals):
            recent = _recent(table, table.c.source, table.c.result, table.c.received_at)
            query = select(recent.c.source, recent.c.result, func.count(), func.max(recent.c.received_at))
            for source, result, count, newest in conn.execute(query.group_by(recent.c.source, recent.c.result)):
                counts.setdefault(source, {})[result] = count
                last[source] = max(last.get(source, newest), newest)
    return [SourceCounts(source, counts[source], last[source]) for source in sorted(counts)]


def delivery_problems(db: Engine, limit: int = 50) -> list[DeliveryProblem]:
    """The newest deliveries that were not simply accepted, with the reason given."""
    with db.connect() as conn:
        recent = _recent(
            webhook_inbox, webhook_inbox.c.received_at, webhook_inbox.c.source, webhook_inbox.c.result,
            webhook_inbox.c.detail,
        )  # fmt: skip
        ignored = conn.execute(
            select(recent).where(recent.c.result != "accepted").order_by(recent.c.received_at.desc()).limit(limit)
        ).all()
        refused = conn.execute(select(webhook_refusals).order_by(webhook_refusals.c.id.desc()).limit(limit)).all()
    problems = [DeliveryProblem(r.received_at, r.source, r.result, None, None, r.detail or "") for r in ignored]
    problems += [DeliveryProblem(r.received_at, r.source, r.result, r.status, r.code, r.detail or "") for r in refused]
    return sorted(problems, key=lambda problem: problem.received_at, reverse=True)[:limit]


def _last_by_prefix(conn: Connection) -> dict[tuple[str, str], datetime]:
    """Newest delivery per (source, dedupe-key prefix): a webshop's key starts with its store
    key (WooCommerce) or shop domain (Shopify); a courier's source names the courier."""
    recent = _recent(webhook_inbox, webhook_inbox.c.source, webhook_inbox.c.dedupe_key, webhook_inbox.c.received_at)
    if conn.dialect.name == "postgresql":
        prefix = func.split_part(recent.c.dedupe_key, ":", 1)
    else:
        prefix = func.substr(recent.c.dedupe_key, 1, func.instr(recent.c.dedupe_key, ":") - 1)
    query = select(recent.c.source, prefix, func.max(recent.c.received_at)).group_by(recent.c.source, prefix)
    return {(source, key): newest for source, key, newest in conn.execute(query)}


def configured_stores(db: Engine) -> list[StoreConfig]:
    with db.connect() as conn:
        last = _last_by_prefix(conn)
        rows = conn.execute(select(stores).order_by(stores.c.key)).all()
    result = []
    for row in rows:
        names = (row.key, row.shop_domain)
        seen = [at for (source, key), at in last.items() if source == row.platform and key in names]
        result.append(
            StoreConfig(
                key=row.key,
                name=row.name,
                platform=row.platform,
                shop_domain=row.shop_domain,
                secret_set=bool(row.webhook_secret),
                previous_secret_valid=bool(row.webhook_secret_previous),
                secret_set_at=row.webhook_secret_set_at,
                last_delivery_at=max(seen) if seen else None,
            )
        )
    return result


def configured_couriers(db: Engine) -> list[CourierConfig]:
    with db.connect() as conn:
        last = _last_by_prefix(conn)
        rows = conn.execute(select(courier_accounts).order_by(courier_accounts.c.code)).all()
    result = []
    for row in rows:
        seen = [at for (source, _), at in last.items() if source == f"courier:{row.code}"]
        result.append(
            CourierConfig(
                code=row.code,
                enabled=row.enabled,
                base_url=row.base_url,
                api_key_set=bool(row.api_key),
                credentials_set=bool(row.credentials),
                secret_set=bool(row.webhook_secret),
                previous_secret_valid=bool(row.webhook_secret_previous),
                secret_set_at=row.webhook_secret_set_at,
                speaks_for=tuple((row.settings or {}).get(SPEAKS_FOR, ())),
                last_delivery_at=max(seen) if seen else None,
            )
        )
    return result


@dataclass(frozen=True)
class OutboxSummary:
    counts: dict[str, int]  # outbox / sending / sent / failed, among the newest WINDOW e-mails
    failed: list[tuple[datetime, str, str]]  # (queued at, to, error), newest first


def outbox_summary(db: Engine, limit: int = 20) -> OutboxSummary:
    with db.connect() as conn:
        recent = _recent(
            notifications, notifications.c.status, notifications.c.created_at, notifications.c.to_address,
            notifications.c.error,
        )  # fmt: skip
        counts = dict(conn.execute(select(recent.c.status, func.count()).group_by(recent.c.status)).all())
        failed = conn.execute(
            select(recent.c.created_at, recent.c.to_address, recent.c.error)
            .where(recent.c.status == "failed")
            .order_by(recent.c.created_at.desc())
            .limit(limit)
        ).all()
    return OutboxSummary(counts, [(row.created_at, row.to_address, row.error or "") for row in failed])
