"""Delivery analytics for analysts: on-time rate, delivery time (median, p90), exception rate
and reasons, in total, per courier, per week and per courier and week.

Every sum is SQL (`services/analytics_query.py`): on PostgreSQL over `delivery_rollup`, which a
trigger keeps current (`db/delivery_rollup_sql.py`), elsewhere over the orders themselves;
both give the same figures (tests/core/test_delivery_rollup.py). A median or p90 is read from
the summed histogram of delivery times (`domain/delivery_stats.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import Engine, select

from perfile_core.db.delivery_columns import BIN_COLUMNS, REASON_COLUMNS, REASONS
from perfile_core.db.delivery_sql import region
from perfile_core.db.tables import delivery_rollup_weekly, orders
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.delivery_stats import percentile_hours
from perfile_core.domain.errors import ValidationError
from perfile_core.services.analytics_query import aggregate_rows
from perfile_core.services.validation import check_date_range, clean_user_text

Source = Literal["auto", "rollup", "orders"]


@dataclass(frozen=True)
class AnalyticsFilter:
    created_from: date | None = None
    created_to: date | None = None  # inclusive
    store_keys: tuple[str, ...] = ()
    couriers: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # domain.delivery_stats.destination_region values

    def __post_init__(self) -> None:
        for name in ("created_from", "created_to"):
            if getattr(self, name) is not None:
                check_date_range(getattr(self, name), field=name)
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise ValidationError("created_from", "is after created_to")
        unknown = [code for code in self.couriers if code not in COURIER_NAMES]
        if unknown:
            raise ValidationError("courier", f"unknown courier {unknown[0]!r}; known: {', '.join(COURIER_NAMES)}")
        regions = (clean_user_text(region, field="region") for region in self.regions)
        object.__setattr__(self, "regions", tuple(region for region in regions if region))


@dataclass(frozen=True)
class DeliveryStats:
    orders: int = 0
    tracked: int = 0
    delivered: int = 0
    promised: int = 0  # delivered with a promised day
    on_time: int = 0
    exceptions: int = 0  # tracked orders that ever had an exception
    delivery_seconds: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # newest exception reason -> orders
    bins: tuple[int, ...] = ()  # delivery-time histogram (domain.delivery_stats bins)

    @classmethod
    def from_row(cls, row: Any) -> DeliveryStats:
        value = lambda name: int(getattr(row, name) or 0)  # noqa: E731
        return cls(
            orders=value("orders"),
            tracked=value("tracked"),
            delivered=value("delivered"),
            promised=value("promised"),
            on_time=value("on_time"),
            exceptions=value("exceptions"),
            delivery_seconds=value("delivery_seconds"),
            reasons={reason: value(col) for reason, col in zip(REASONS, REASON_COLUMNS, strict=True) if value(col)},
            bins=tuple(value(name) for name in BIN_COLUMNS),
        )

    @property
    def timed(self) -> int:
        """Delivered orders with a delivery time."""
        return sum(self.bins)

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.promised, 4) if self.promised else None

    @property
    def exception_rate(self) -> float | None:
        return round(self.exceptions / self.tracked, 4) if self.tracked else None

    @property
    def avg_hours(self) -> float | None:
        return round(self.delivery_seconds / self.timed / 3600, 1) if self.timed else None

    @property
    def median_hours(self) -> float | None:
        return percentile_hours(self.bins, 0.5)

    @property
    def p90_hours(self) -> float | None:
        return percentile_hours(self.bins, 0.9)

    def figures(self) -> dict[str, Any]:
        """The figures a table or CSV row shows."""
        return {
            "orders": self.orders,
            "tracked": self.tracked,
            "delivered": self.delivered,
            "on_time_rate": self.on_time_rate,
            "median_hours": self.median_hours,
            "p90_hours": self.p90_hours,
            "avg_hours": self.avg_hours,
            "exceptions": self.exceptions,
            "exception_rate": self.exception_rate,
        }


@dataclass(frozen=True)
class AnalyticsReport:
    total: DeliveryStats
    by_courier: dict[str, DeliveryStats]  # courier code ("" for orders not booked yet) -> stats
    by_week: dict[str, DeliveryStats]  # the Monday a week starts (UTC), YYYY-MM-DD -> stats
    by_courier_week: dict[tuple[str, str], DeliveryStats]
    source: str  # "rollup" or "orders": what was summed


def delivery_analytics(db: Engine, flt: AnalyticsFilter | None = None, *, source: Source = "auto") -> AnalyticsReport:
    flt = flt or AnalyticsFilter()
    if source == "auto":
        source = "rollup" if db.dialect.name == "postgresql" else "orders"
    with db.connect() as conn:
        rows = aggregate_rows(conn, flt, from_rollup=source == "rollup")
    total = DeliveryStats()
    by_courier: dict[str, DeliveryStats] = {}
    by_week: dict[str, DeliveryStats] = {}
    cells: dict[tuple[str, str], DeliveryStats] = {}
    for row in rows:
        stats = DeliveryStats.from_row(row)
        if row.kind == "total":
            total = stats
        elif row.kind == "courier":
            by_courier[row.courier] = stats
        elif row.kind == "week":
            by_week[row.week] = stats
        else:
            cells[(row.courier, row.week)] = stats
    return AnalyticsReport(
        total=total,
        by_courier=dict(sorted(by_courier.items())),
        by_week=dict(sorted(by_week.items())),
        by_courier_week=dict(sorted(cells.items())),
        source=source,
    )


def region_options(db: Engine) -> list[str]:
    """Destination regions that have orders (PostgreSQL: from the weekly rollup; SQLite: the orders)."""
    with db.connect() as conn:
        if conn.dialect.name == "postgresql":
            weekly = delivery_rollup_weekly
            query = select(weekly.c.region).where(weekly.c.orders > 0).distinct()
        else:
            query = select(region()).where(orders.c.deleted_at.is_(None)).distinct()
        return sorted(value for value in conn.execute(query).scalars() if value)
