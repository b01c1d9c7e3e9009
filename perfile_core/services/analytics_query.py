"""The one SQL statement behind delivery analytics: sums per courier and week over the rollup
(PostgreSQL) or over the orders, then per courier, per week and in total from those rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import CTE, BigInteger, Connection, Integer, cast, false, func, literal, select, union_all

from perfile_core.db.delivery_columns import ALL_MEASURES
from perfile_core.db.delivery_sql import measure_sums, order_facts, period_start, region
from perfile_core.db.tables import delivery_rollup, delivery_rollup_weekly, orders, stores
from perfile_core.domain import store_names
from perfile_core.domain.time_utils import UTC

if TYPE_CHECKING:
    from perfile_core.services.analytics import AnalyticsFilter


def _sum(column: Any, name: str) -> Any:
    """A sum that stays an integer type: PostgreSQL sums bigint into numeric, which is slower to
    add up at the next level (counts fit an integer; seconds a bigint)."""
    return cast(func.sum(column), BigInteger if name == "delivery_seconds" else Integer).label(name)


def aggregate_rows(conn: Connection, flt: AnalyticsFilter, *, from_rollup: bool) -> list[Any]:
    """Rows of (kind, courier, week, every measure); kind is cell, courier, week or total."""
    base = _rollup_base(conn, flt) if from_rollup else _orders_base(conn, flt)
    measures = [base.c[name] for name in ALL_MEASURES]
    sums = [_sum(base.c[name], name) for name in ALL_MEASURES]
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


def full_weeks(first: date | None, last: date | None) -> tuple[date | None, date | None] | None:
    """The Mondays of the first and last whole weeks (Monday-Sunday) inside first..last, None
    for an open end; None when no whole week fits."""
    start = None if first is None else first + timedelta(days=-first.weekday() % 7)
    end = None if last is None else last - timedelta(days=(last.weekday() + 1) % 7) - timedelta(days=6)
    if start is not None and end is not None and start > end:
        return None
    return start, end


def _rollup_base(conn: Connection, flt: AnalyticsFilter) -> CTE:
    """Whole weeks from the weekly rollup, the days around them from the daily one."""
    weeks = full_weeks(flt.created_from, flt.created_to)
    ids = _store_ids(conn, flt) if flt.store_keys else []
    parts = []
    if weeks is None:
        parts.append(_rollup_part(conn, flt, delivery_rollup, flt.created_from, flt.created_to, ids))
    else:
        start, end = weeks
        parts.append(_rollup_part(conn, flt, delivery_rollup_weekly, start, end, ids))
        if start is not None and flt.created_from is not None and flt.created_from < start:
            before = start - timedelta(days=1)
            parts.append(_rollup_part(conn, flt, delivery_rollup, flt.created_from, before, ids))
        if end is not None and flt.created_to is not None and end + timedelta(days=6) < flt.created_to:
            after = end + timedelta(days=7)
            parts.append(_rollup_part(conn, flt, delivery_rollup, after, flt.created_to, ids))
    rows = union_all(*parts).subquery("rollup_rows") if len(parts) > 1 else parts[0].subquery("rollup_rows")
    sums = [_sum(rows.c[name], name) for name in ALL_MEASURES]
    query = select(rows.c.courier, rows.c.week, *sums).group_by(rows.c.courier, rows.c.week)
    # A group whose orders all moved elsewhere (booked with a courier, deleted) keeps a row of zeros.
    return query.having(func.sum(rows.c.orders) > 0).cte("base")


def _rollup_part(
    conn: Connection, flt: AnalyticsFilter, table: Any, first: date | None, last: date | None, ids: list[int]
) -> Any:
    period = table.c.week if table is delivery_rollup_weekly else table.c.day
    where: list[Any] = []
    if first is not None:
        where.append(period >= first)
    if last is not None:
        where.append(period <= last)
    if flt.store_keys:
        where.append(table.c.store_id.in_(ids) if ids else false())
    if flt.couriers:
        where.append(table.c.courier.in_(flt.couriers))
    if flt.regions:
        where.append(table.c.region.in_(flt.regions))
    # The weekly table's rows already start on a Monday.
    week = func.to_char(period, "YYYY-MM-DD") if table is delivery_rollup_weekly else period_start(conn, "week", period)
    sums = [_sum(table.c[name], name) for name in ALL_MEASURES]
    query = select(table.c.courier.label("courier"), week.label("week"), *sums).where(*where)
    return query.group_by(table.c.courier, week)


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
