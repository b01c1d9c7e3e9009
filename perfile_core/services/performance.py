"""Courier performance for analysts: on-time rate, delivery time, exception rate.

The definitions match the computed fields in `domain/order.py`: on time = delivered
on or before the promised calendar day, as the day is at the delivery address; delivery time = delivered_at - shipped_at
(created_at when the pickup scan is missing); exception rate = share of tracked
orders that ever had an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, literal_column, select

from perfile_core.clock import utcnow
from perfile_core.db.delivery_sql import delivery_day, hours_between, period_start
from perfile_core.db.tables import orders, stores
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.status import Status
from perfile_core.services.order_filters import OrderFilter, where_clauses

GROUPINGS = ("courier", "store", "day", "week", "month")


@dataclass(frozen=True)
class PerformanceRow:
    group: str
    orders: int
    tracked: int
    delivered: int
    on_time_rate: float | None  # share of delivered orders with a promise that were on time
    avg_delivery_hours: float | None
    exception_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def courier_performance(
    db: Engine,
    flt: OrderFilter | None = None,
    *,
    group_by: str = "courier",
    now: datetime | None = None,
) -> list[PerformanceRow]:
    if group_by not in GROUPINGS:
        raise ValidationError("group_by", f"use one of {', '.join(GROUPINGS)}")
    flt = flt or OrderFilter()
    with db.connect() as conn:
        if group_by == "courier":
            key = func.coalesce(orders.c.courier, literal_column("'(none)'"))
        elif group_by == "store":
            key = stores.c.key
        else:
            key = period_start(conn, group_by, orders.c.created_at)
        delivered = orders.c.order_status == Status.DELIVERED.value
        promised = delivered & orders.c.estimated_delivery.is_not(None)
        on_time = promised & (delivery_day(conn) <= orders.c.estimated_delivery)
        hours = hours_between(conn, orders.c.delivered_at, func.coalesce(orders.c.shipped_at, orders.c.created_at))
        tracked = orders.c.tracking_number.is_not(None)
        query = (
            select(
                key.label("grp"),
                func.count().label("orders"),
                func.sum(case((tracked, 1), else_=0)).label("tracked"),
                func.sum(case((delivered, 1), else_=0)).label("delivered"),
                func.sum(case((promised, 1), else_=0)).label("promised"),
                func.sum(case((on_time, 1), else_=0)).label("on_time"),
                func.avg(case((delivered, hours), else_=None)).label("avg_hours"),
                func.sum(case((tracked & orders.c.exception_at.is_not(None), 1), else_=0)).label("exceptions"),
            )
            .select_from(orders.join(stores, stores.c.id == orders.c.store_id))
            .where(*where_clauses(conn, flt, now or utcnow()))
            .group_by(key)
            .order_by(key)
        )
        rows = conn.execute(query).all()
    return [
        PerformanceRow(
            group=str(row.grp),
            orders=row.orders,
            tracked=int(row.tracked or 0),
            delivered=int(row.delivered or 0),
            on_time_rate=_ratio(row.on_time, row.promised),
            avg_delivery_hours=round(float(row.avg_hours), 1) if row.avg_hours is not None else None,
            exception_rate=_ratio(row.exceptions, row.tracked),
        )
        for row in rows
    ]


def _ratio(part: Any, whole: Any) -> float | None:
    return round(int(part or 0) / int(whole), 4) if whole else None
