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

from sqlalchemy import Connection, String, and_, case, cast, func, literal
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


def contributions(conn: Connection) -> dict[str, Any]:
    """What one live order adds to each measure (0/1 flags, seconds), as SQL expressions."""
    delivered = orders.c.order_status == Status.DELIVERED.value
    timed = and_(delivered, orders.c.delivered_at.is_not(None))
    promised = and_(timed, orders.c.estimated_delivery.is_not(None))
    tracked = orders.c.tracking_number.is_not(None)
    excepted = and_(tracked, orders.c.exception_at.is_not(None))
    seconds = delivery_seconds(conn)
    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    known = [reason for reason in REASONS if reason != ExceptionReason.OTHER.value]
    reason = case((orders.c.exception_reason.in_(known), orders.c.exception_reason), else_="other")
    bin_of = case(
        *[(seconds < edge * 3600, index - 1) for index, edge in enumerate(BIN_EDGES_HOURS) if index > 0],
        else_=BIN_COUNT - 1,
    )
    values: dict[str, Any] = {
        "orders": literal(1),
        "tracked": flag(tracked),
        "delivered": flag(delivered),
        "promised": flag(promised),
        "on_time": flag(and_(promised, delivery_day(conn) <= orders.c.estimated_delivery)),
        "exceptions": flag(excepted),
        "delivery_seconds": case((timed, seconds), else_=0),
    }
    for name, value in zip(REASON_COLUMNS, REASONS, strict=True):
        values[name] = flag(and_(excepted, reason == value))
    for index, name in enumerate(BIN_COLUMNS):
        values[name] = flag(and_(timed, bin_of == index))
    return values
