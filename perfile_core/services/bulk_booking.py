"""Booking many selected orders with one courier and service, or with the cheapest or most
reliable quote per order, reporting per order as each finishes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from sqlalchemy import Engine

from perfile_core.config import Settings
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import Conflict, PerfileError, ValidationError
from perfile_core.services import notifications
from perfile_core.services.booking import BookingResult, book_order
from perfile_core.services.quotes import CHEAPEST, MOST_RELIABLE, quote_order

STRATEGIES = (CHEAPEST, MOST_RELIABLE)  # chosen per order from its own quotes


@dataclass(frozen=True)
class BulkItem:
    order_id: int
    ok: bool
    message: str  # the tracking number, or what went wrong and what to do
    result: BookingResult | None = None


def choose_for_order(db: Engine, couriers: CourierRegistry, order_id: int, strategy: str) -> tuple[str, str]:
    """The (courier, service) that is `strategy` ("cheapest" / "most reliable") among the
    order's own quotes from couriers we can book with; the most reliable falls back to the
    cheapest when no courier has delivered to the region yet."""
    if strategy not in STRATEGIES:
        raise ValidationError("strategy", f"choose one of {', '.join(STRATEGIES)}")
    quotes = quote_order(db, couriers, order_id, bookable_only=True)
    best = quotes.best
    chosen = best.get(strategy) or best.get(CHEAPEST)
    if chosen is None:
        reasons = "; ".join(f"{courier_display_name(c)}: {why}" for c, why in quotes.errors.items())
        raise Conflict(f"no courier can book this order ({reasons or 'no courier configured'})")
    return chosen.courier, chosen.quote.service


def book_orders(
    db: Engine,
    couriers: CourierRegistry,
    order_ids: list[int],
    courier: str | None = None,
    service: str | None = None,
    *,
    actor: Actor,
    settings: Settings | None = None,
    workers: int = 4,
    strategy: str | None = None,
) -> list[BulkItem]:
    """Each order is booked on its own (one failure never stops the rest); results keep input order."""
    require(actor, Permission.BOOK)
    ids = list(dict.fromkeys(order_ids))
    done = {
        item.order_id: item
        for item in book_orders_as_completed(
            db,
            couriers,
            ids,
            courier,
            service,
            actor=actor,
            settings=settings,
            workers=workers,
            strategy=strategy,
        )
    }
    return [done[order_id] for order_id in ids]


def book_orders_as_completed(
    db: Engine,
    couriers: CourierRegistry,
    order_ids: list[int],
    courier: str | None = None,
    service: str | None = None,
    *,
    actor: Actor,
    settings: Settings | None = None,
    workers: int = 4,
    strategy: str | None = None,
) -> Iterator[BulkItem]:
    """Book with one `courier` and `service`, or per order by `strategy`; yields each order's
    result in the caller's thread as it finishes (a progress bar can follow it).

    Courier calls overlap across a few worker threads; SQLite (one writer) books one at a time.
    """
    require(actor, Permission.BOOK)
    if strategy is None:
        if not courier or not service:
            raise ValidationError("courier", "choose a courier and service, or a per-order choice")
        couriers.get(courier)  # an unknown courier fails the whole request up front
    elif strategy not in STRATEGIES:
        raise ValidationError("strategy", f"choose one of {', '.join(STRATEGIES)}")
    ids = list(dict.fromkeys(order_ids))  # a selection may list an order twice
    if db.dialect.name == "sqlite":
        workers = 1

    def one(order_id: int) -> BulkItem:
        try:
            chosen = (courier, service) if strategy is None else choose_for_order(db, couriers, order_id, strategy)
            result = book_order(
                db, couriers, order_id, *chosen, actor=actor, settings=settings, send_notification=False
            )
        except PerfileError as exc:
            return BulkItem(order_id, False, exc.detail)
        note = " (already booked)" if result.replayed else ""
        return BulkItem(order_id, True, f"{result.tracking_number}{note}", result)

    sent: list[int] = []
    with ThreadPoolExecutor(max(1, min(workers, len(ids) or 1))) as pool:
        for future in as_completed([pool.submit(one, order_id) for order_id in ids]):
            item = future.result()
            if item.result and item.result.notification_id is not None:
                sent.append(item.result.notification_id)
            yield item
    if settings is not None and sent:
        with contextlib.suppress(Exception):
            notifications.send_pending(db, settings, ids=sent)
