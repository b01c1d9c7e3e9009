"""Quotes with a recommendation: each courier's price and ETA next to how that courier has
actually performed for the destination region in our own delivered orders.

Performance uses the computed-field rules of `Order` (on time = delivered on or before the
promised day; delivery time = delivered_at - shipped_at), over the most recent deliveries
to the same postal-code prefix in the same country.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Engine, select

from perfile_core.clock import utcnow
from perfile_core.couriers.base import Quote
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import orders
from perfile_core.domain.errors import PerfileError
from perfile_core.domain.order import OnTimeStatus, Order
from perfile_core.domain.status import Status
from perfile_core.services.shipments import shipment_for

REGION_PREFIX_DIGITS = 2  # Swedish postal codes: the first two digits are the region
HISTORY_LIMIT = 1000  # most recent deliveries per courier and region


@dataclass(frozen=True)
class CourierPerformance:
    courier: str
    region: str
    delivered: int
    on_time_rate: float | None
    avg_delivery_hours: float | None


@dataclass(frozen=True)
class QuoteOption:
    quote: Quote
    performance: CourierPerformance

    @property
    def courier(self) -> str:
        return self.quote.courier

    @property
    def price(self) -> Decimal:
        return self.quote.price

    @property
    def estimated_delivery(self) -> date | None:
        return self.quote.estimated_delivery

    @property
    def key(self) -> str:
        return f"{self.quote.courier}:{self.quote.service}"


CHEAPEST, FASTEST, MOST_RELIABLE = "cheapest", "fastest", "most reliable"


@dataclass(frozen=True)
class QuoteResult:
    order_id: int
    region: str
    options: list[QuoteOption]
    errors: dict[str, str]  # courier -> why it could not quote

    @property
    def best(self) -> dict[str, QuoteOption]:
        """The option that is cheapest, fastest and most reliable (on-time rate in the region);
        ties go to the cheaper, then the earlier option. No history means no "most reliable"."""
        if not self.options:
            return {}
        cheap_first = sorted(self.options, key=lambda o: (o.price, o.estimated_delivery or date.max))
        best = {
            CHEAPEST: cheap_first[0],
            FASTEST: min(cheap_first, key=lambda o: o.estimated_delivery or date.max),
        }
        rated = [o for o in cheap_first if o.performance.on_time_rate is not None]
        if rated:
            best[MOST_RELIABLE] = max(rated, key=lambda o: o.performance.on_time_rate or 0.0)
        return best

    def marks(self, option: QuoteOption) -> list[str]:
        return [mark for mark, chosen in self.best.items() if chosen.key == option.key]

    def option(self, key: str) -> QuoteOption | None:
        return next((o for o in self.options if o.key == key), None)


def region_of(country_code: str | None, postal_code: str | None, digits: int = REGION_PREFIX_DIGITS) -> str:
    prefix = "".join(ch for ch in (postal_code or "") if ch.isalnum())[:digits]
    return f"{(country_code or '').upper()}-{prefix}"


def courier_performance_in(
    conn: Connection, courier: str, country: str | None, postal_code: str | None, *, digits: int = REGION_PREFIX_DIGITS
) -> CourierPerformance:
    region = region_of(country, postal_code, digits)
    prefix = region.split("-", 1)[1]
    rows = conn.execute(
        select(orders.c.created_at, orders.c.shipped_at, orders.c.delivered_at, orders.c.estimated_delivery)
        .where(
            orders.c.courier == courier,
            orders.c.order_status == Status.DELIVERED.value,
            orders.c.delivered_at.is_not(None),
            orders.c.country_code == (country or "").upper(),
            orders.c.postal_code.like(f"{prefix}%"),
            orders.c.deleted_at.is_(None),
        )
        .order_by(orders.c.delivered_at.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    now = utcnow()
    delivered = [
        Order(
            id=0,
            order_number="",
            store_key="",
            customer_name="",
            created_at=row.created_at,
            order_status=Status.DELIVERED,
            shipped_at=row.shipped_at,
            delivered_at=row.delivered_at,
            estimated_delivery=row.estimated_delivery,
        )
        for row in rows
    ]
    judged = [o.otd_status(now) for o in delivered if o.estimated_delivery is not None]
    hours = [o.delivery_time_hours for o in delivered if o.delivery_time_hours is not None]
    return CourierPerformance(
        courier=courier,
        region=region,
        delivered=len(delivered),
        on_time_rate=round(sum(1 for s in judged if s != OnTimeStatus.DELAYED) / len(judged), 4) if judged else None,
        avg_delivery_hours=round(sum(hours) / len(hours), 1) if hours else None,
    )


def quote_order(
    db: Engine,
    couriers: CourierRegistry,
    order_id: int,
    *,
    only: list[str] | None = None,
    bookable_only: bool = False,
) -> QuoteResult:
    """Quotes from every courier that can quote (or `only` these; with `bookable_only`, only
    couriers we can also book with), cheapest first, with performance. A courier that cannot
    serve the destination is in `errors` with the reason."""
    with db.connect() as conn:
        order = get_order(conn, order_id)
        shipment = shipment_for(conn, order, utcnow().date())
    options: list[QuoteOption] = []
    errors: dict[str, str] = {}
    history: dict[str, CourierPerformance] = {}
    for adapter in couriers.with_capability("quote"):
        if (only is not None and adapter.code not in only) or (bookable_only and not adapter.supports("book")):
            continue
        try:
            quotes = adapter.quote(shipment)
        except PerfileError as exc:
            errors[adapter.code] = exc.detail.removeprefix(f"{adapter.code}: ")  # listed under its name
            continue
        if not quotes:
            errors[adapter.code] = (
                f"{adapter.name} has no service for {shipment.parcel.weight_kg:g} kg to "
                f"{shipment.recipient.postal_code} {shipment.recipient.country_code}"
            )
            continue
        if adapter.code not in history and quotes:
            with db.connect() as conn:
                history[adapter.code] = courier_performance_in(
                    conn, adapter.code, order.country_code, order.postal_code
                )
        options += [QuoteOption(quote, history[adapter.code]) for quote in quotes]
    options.sort(key=lambda o: (o.price, o.estimated_delivery or date.max))
    return QuoteResult(order_id, region_of(order.country_code, order.postal_code), options, errors)
