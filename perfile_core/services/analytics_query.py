"""The one SQL statement behind delivery analytics: sums per courier and week over the rollup
(PostgreSQL) or over the orders, then per courier, per week and in total from those rows."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import CTE, Connection, false, func, literal, select, union_all

from perfile_core.db.delivery_columns import ALL_MEASURES
from perfile_core.db.delivery_sql import measure_sums, order_facts, period_start, region
from perfile_core.db.tables import delivery_rollup, orders, stores
from perfile_core.domain import store_names
from perfile_core.domain.time_utils import UTC

if TYPE_CHECKING:
    from perfile_core.services.analytics import AnalyticsFilter


def aggregate_rows(conn: Connection, flt: AnalyticsFilter, *, from_rollup: bool) -> list[Any]:
    """Rows of (kind, courier, week, every measure); kind is cell, courier, week or total."""
    base = _rollup_base(conn, flt) if from_rollup else _orders_base(conn, flt)
    measures = [base.c[name] for name in ALL_MEASURES]
    sums = [func.sum(base.c[name]).label(name) for name in ALL_MEASURES]
    blank = literal("")
    query = union_all(
        select(literal("cell").label("kind"), base.c.courier, base.c.week, *measures),
        select(literal("courier"), base.c.courier, blank, *sums).group_by(base.c.courier),
        select(literal("week"), blank, base.c.week, *sums).group_by(base.c.week),
        select(literal("total"), blank, blank, *sums),
    )
    return list(conn.execute(query))


def _store_ids(conn: Connection, flt: AnalyticsFilter) -> list[int]:
    keys = [store_names.store_key(key) for key in flt.store_keys]
    return list(conn.execute(select(stores.c.id).where(stores.c.key.in_(keys))).scalars())


def _rollup_base(conn: Connection, flt: AnalyticsFilter) -> CTE:
    table = delivery_rollup
    where: list[Any] = []
    if flt.created_from:
        where.append(table.c.day >= flt.created_from)
    if flt.created_to:
        where.append(table.c.day <= flt.created_to)
    if flt.store_keys:
        ids = _store_ids(conn, flt)
        where.append(table.c.store_id.in_(ids) if ids else false())
    if flt.couriers:
        where.append(table.c.courier.in_(flt.couriers))
    if flt.regions:
        where.append(table.c.region.in_(flt.regions))
    week = period_start(conn, "week", table.c.day)
    sums = [func.sum(table.c[name]).label(name) for name in ALL_MEASURES]
    query = select(table.c.courier.label("courier"), week.label("week"), *sums).where(*where)
    # A group whose orders all moved elsewhere (booked with a courier, deleted) keeps a row of zeros.
    return query.group_by(table.c.courier, week).having(func.sum(table.c.orders) > 0).cte("base")


def _orders_base(conn: Connection, flt: AnalyticsFilter) -> CTE:
    where: list[Any] = [orders.c.deleted_at.is_(None)]
    if flt.created_from:
        where.append(orders.c.created_at >= datetime.combine(flt.created_from, time.min, UTC))
    if flt.created_to:
        where.append(orders.c.created_at < datetime.combine(flt.created_to + timedelta(days=1), time.min, UTC))
    if flt.store_keys:
        ids = _store_ids(conn, flt)
        where.append(orders.c.store_id.in_(ids) if ids else false())
    if flt.couriers:
        where.append(orders.c.courier.in_(flt.couriers))
    if flt.regions:
        where.append(region().in_(flt.regions))
    facts = order_facts(conn, where)
    week = period_start(conn, "week", facts.c.created_at)
    query = select(facts.c.courier.label("courier"), week.label("week"), *measure_sums(facts))
    return query.group_by(facts.c.courier, week).cte("base")
