"""Booking many selected orders with one courier and service, reporting per order."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Engine

from perfile_core.config import Settings
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.domain.errors import PerfileError
from perfile_core.services import notifications
from perfile_core.services.booking import BookingResult, book_order


@dataclass(frozen=True)
class BulkItem:
    order_id: int
    ok: bool
    message: str  # the tracking number, or what went wrong and what to do
    result: BookingResult | None = None


def book_orders(
    db: Engine,
    couriers: CourierRegistry,
    order_ids: list[int],
    courier: str,
    service: str,
    *,
    actor: str,
    settings: Settings | None = None,
    workers: int = 4,
) -> list[BulkItem]:
    """Each order is booked on its own (one failure never stops the rest); results keep input order.

    Courier calls overlap across a few worker threads; SQLite (one writer) books one at a time.
    """
    couriers.get(courier)  # an unknown courier fails the whole request up front
    ids = list(dict.fromkeys(order_ids))  # a selection may list an order twice
    if db.dialect.name == "sqlite":
        workers = 1

    def one(order_id: int) -> BulkItem:
        try:
            result = book_order(
                db, couriers, order_id, courier, service, actor=actor, settings=settings, send_notification=False
            )
        except PerfileError as exc:
            return BulkItem(order_id, False, exc.detail)
        note = " (already booked)" if result.replayed else ""
        return BulkItem(order_id, True, f"{result.tracking_number}{note}", result)

    with ThreadPoolExecutor(max(1, min(workers, len(ids) or 1))) as pool:
        items = list(pool.map(one, ids))
    sent = [i.result.notification_id for i in items if i.result and i.result.notification_id is not None]
    if settings is not None and sent:
        with contextlib.suppress(Exception):
            notifications.send_pending(db, settings, ids=sent)
    return items
