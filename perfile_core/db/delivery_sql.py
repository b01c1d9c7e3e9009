"""The delivery rules of `domain/order.py` and `domain/delivery_stats.py` as SQL over `orders`,
one place for every aggregate that reads them (courier performance, analytics, the rollup's
rebuild). `db/delivery_rollup_sql.py` restates them for the PostgreSQL trigger; a test holds
the two forms equal.

On time = delivered on or before the promised calendar day at the delivery address;
delivery time = delivered_at - shipped_at (created_at without a pickup scan); exception
= a tracked order that ever had one, counted under its newest reason.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, String, Subquery, and_, case, cast, func, literal, select
from sqlalchemy import Integer as SqlInteger

from perfile_core.db.delivery_columns import BIN_COLUMNS, REASON_COLUMNS, REASONS
from perfile_core.db.tables import orders
from perfile_core.domain.delivery_stats import BIN_COUNT, BIN_EDGES_HOURS
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.domain.time_utils import DEFAULT_DELIVERY_ZONE, DELIVERY_ZONES


def hours_between(conn: Connection, end: Any, start: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def delivery_day(conn: Connection) -> Any:
    """delivered_at's calendar day at the delivery address (domain.time_utils.local_day)."""
    if conn.dialect.name == "postgresql":
        zones = [(func.upper(orders.c.country_code) == code, zone) for code, zone in DELIVERY_ZONES.items()]
        zone = case(*zones, else_=DEFAULT_DELIVERY_ZONE)
        return func.date(func.timezone(zone, orders.c.delivered_at))
    # SQLite has no time zones: the engine registers local_day itself (db/engine.py).
    return func.perfile_local_day(orders.c.delivered_at, orders.c.country_code)


def period_start(conn: Connection, grouping: str, column: Any) -> Any:
    """The day a day, week (from Monday) or month starts, as YYYY-MM-DD on both databases."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.date_trunc(grouping, column), "YYYY-MM-DD")
    if grouping == "week":  # the coming Sunday (or today), then back to its Monday
        return func.date(column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01" if grouping == "month" else "%Y-%m-%d", column)


def created_day(conn: Connection) -> Any:
    """created_at's UTC calendar day (the rollup's day)."""
    if conn.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", orders.c.created_at))
    return func.date(orders.c.created_at)


def region() -> Any:
    """domain.delivery_stats.destination_region in SQL."""
    country = func.coalesce(orders.c.country_code, "", type_=String)
    prefix = func.substr(func.coalesce(orders.c.postal_code, "", type_=String), 1, 1, type_=String)
    return case((country == "", literal("")), else_=func.upper(country, type_=String) + "-" + prefix)


def delivery_seconds(conn: Connection) -> Any:
    """Whole seconds from pickup (or creation) to delivery."""
    start = func.coalesce(orders.c.shipped_at, orders.c.created_at)
    if conn.dialect.name == "postgresql":
        epoch = lambda moment: cast(func.floor(func.extract("epoch", moment)), SqlInteger)  # noqa: E731
    else:
        epoch = lambda moment: cast(func.strftime("%s", moment), SqlInteger)  # noqa: E731
    return epoch(orders.c.delivered_at) - epoch(start)


def order_facts(conn: Connection, where: list[Any]) -> Subquery:
    """One row per matching order with what the measures need, each computed once: flags as
    0/1, the newest exception reason, delivery seconds and their histogram bin.

    Two nested subqueries, each fenced with OFFSET 0 so the planner does not fold them into the
    aggregate: inlined, the bin's CASE would recompute the delivery time for every bin of
    every order (at 1M orders the rollup's rebuild ran for minutes instead of seconds)."""
    delivered = orders.c.order_status == Status.DELIVERED.value
    timed = and_(delivered, orders.c.delivered_at.is_not(None))
    promised = and_(timed, orders.c.estimated_delivery.is_not(None))
    tracked = orders.c.tracking_number.is_not(None)
    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    known = [reason for reason in REASONS if reason != ExceptionReason.OTHER.value]
    reason = case((orders.c.exception_reason.in_(known), orders.c.exception_reason), else_="other")
    facts = (
        select(
            created_day(conn).label("day"),
            func.coalesce(orders.c.courier, "").label("courier"),
            orders.c.store_id.label("store_id"),
            region().label("region"),
            orders.c.created_at.label("created_at"),
            flag(tracked).label("tracked"),
            flag(delivered).label("delivered"),
            flag(promised).label("promised"),
            flag(and_(promised, delivery_day(conn) <= orders.c.estimated_delivery)).label("on_time"),
            flag(and_(tracked, orders.c.exception_at.is_not(None))).label("excepted"),
            reason.label("reason"),
            flag(timed).label("timed"),
            case((timed, delivery_seconds(conn)), else_=0).label("seconds"),
        )
        .where(*where)
        .offset(0)
        .subquery("order_facts")
    )
    bin_of = case(
        *[(facts.c.seconds < edge * 3600, index - 1) for index, edge in enumerate(BIN_EDGES_HOURS) if index > 0],
        else_=BIN_COUNT - 1,
    )
    return select(facts, bin_of.label("bin")).offset(0).subquery("order_bins")


def measure_sums(facts: Subquery) -> list[Any]:
    """Every measure of ALL_MEASURES summed over `order_facts` rows, labelled by its name."""
    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    sums = [
        func.count().label("orders"),
        func.sum(facts.c.tracked).label("tracked"),
        func.sum(facts.c.delivered).label("delivered"),
        func.sum(facts.c.promised).label("promised"),
        func.sum(facts.c.on_time).label("on_time"),
        func.sum(facts.c.excepted).label("exceptions"),
        func.sum(facts.c.seconds).label("delivery_seconds"),
    ]
    for name, value in zip(REASON_COLUMNS, REASONS, strict=True):
        sums.append(func.sum(flag(and_(facts.c.excepted == 1, facts.c.reason == value))).label(name))
    for index, name in enumerate(BIN_COLUMNS):
        sums.append(func.sum(flag(and_(facts.c.timed == 1, facts.c.bin == index))).label(name))
    return sums
