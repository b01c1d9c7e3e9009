"""Small builders for core tests: stores, orders and events through the real services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy import Engine

from perfile_core.clock import utcnow
from perfile_core.domain.courier_mappings import normalize
from perfile_core.domain.order import Order
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.domain.tracking_numbers import make_sscc
from perfile_core.services import admin
from perfile_core.services import orders as order_service
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import ADMIN, person

T0 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
_event_ids = count(1)


def bring_number(serial: int) -> str:
    """A valid Bring package number (SSCC), as typed tracking numbers must have the courier's format."""
    return make_sscc(f"37043810{serial:09d}")


def make_store(db: Engine, key: str = "shop", **kwargs: Any) -> None:
    admin.add_store(
        db,
        key=key,
        name=kwargs.pop("name", key.title()),
        platform=kwargs.pop("platform", "manual"),
        **kwargs,
        actor=ADMIN,
    )


def make_order(db: Engine, store_key: str = "shop", **fields: Any) -> Order:
    data = {"store_key": store_key, "customer_name": "Anna Svensson", **fields}
    return order_service.create_order(db, data, actor=person("test"))


def push_event(
    db: Engine,
    tracking_number: str,
    raw_code: str,
    at: datetime,
    *,
    courier: str = "bring",
    event_id: str | None = None,
    description: str = "",
    location: str | None = None,
    eta: Any = None,
) -> Any:
    mapped = normalize(courier, raw_code)
    event = TrackingEvent(
        courier=courier,
        tracking_number=tracking_number,
        event_id=event_id or f"ev-{next(_event_ids)}",
        occurred_at=at,
        status=mapped.status,
        exception_reason=mapped.reason,
        raw_code=raw_code,
        raw_status=raw_code,
        description=description or raw_code,
        location=location,
        estimated_delivery=eta,
    )
    with db.begin() as conn:
        return record_event(conn, event, at + timedelta(seconds=1))


def record_status(
    db: Engine, order: Order, status: Status, description: str, *, reason: ExceptionReason | None = None
) -> None:
    """A courier event moving `order` (by its tracking number and courier) to `status` now."""
    now = utcnow()
    event = TrackingEvent(
        courier=order.courier or "sandbox",
        tracking_number=order.tracking_number or "",
        event_id=f"ev-{next(_event_ids)}",
        occurred_at=now + timedelta(seconds=1),
        status=status,
        exception_reason=reason,
        description=description,
    )
    with db.begin() as conn:
        record_event(conn, event, now)
