"""The public tracking page for couriers without one of their own (the sandbox courier): what a
customer following the link in their e-mail may see. Status, progress, the promised day and the
courier's scans with their places; of the customer, only the delivery city."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from perfile_core.clock import utcnow
from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import orders, tracking_events
from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import NotFound
from perfile_core.domain.status import STATUS_LABELS, Status
from perfile_core.domain.time_utils import delivery_zone
from perfile_core.services.validation import clean_user_text

# Couriers whose tracking URL (domain/couriers.TRACKING_URL_TEMPLATES) is this page.
HOSTED_COURIERS = ("sandbox",)
MAX_EVENTS = 50


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    description: str
    location: str


@dataclass(frozen=True)
class PublicTracking:
    tracking_number: str
    courier_name: str
    status: str
    progress: int
    estimated_delivery: date | None
    countdown: str  # "today", "in 2 days", "1 day late"; empty without a promise or once delivered
    overdue: bool
    destination_city: str
    events: list[PublicEvent]  # newest first


def public_tracking(db: Engine, tracking_number: str) -> PublicTracking:
    """What the tracking page shows for `tracking_number`; NotFound unless an order of a hosted
    courier has it (other couriers' numbers are tracked on their own pages)."""
    number = clean_user_text(tracking_number, field="tracking_number")
    not_found = NotFound("no shipment with this tracking number is tracked here")
    if not number:
        raise not_found
    with db.connect() as conn:
        order_id = conn.execute(
            select(orders.c.id)
            .where(
                orders.c.tracking_number == number,
                orders.c.courier.in_(HOSTED_COURIERS),
                orders.c.deleted_at.is_(None),
            )
            .order_by(orders.c.id.desc())
            .limit(1)
        ).scalar()
        if order_id is None:
            raise not_found
        order = get_order(conn, order_id)
        rows = conn.execute(
            select(
                tracking_events.c.occurred_at,
                tracking_events.c.description,
                tracking_events.c.raw_status,
                tracking_events.c.location,
            )
            .where(tracking_events.c.order_id == order_id)
            .order_by(tracking_events.c.occurred_at.desc(), tracking_events.c.id.desc())
            .limit(MAX_EVENTS)
        ).all()
    countdown = order.eta_countdown(utcnow())
    zone = ZoneInfo(delivery_zone(order.country_code))  # times as the customer's clock shows them
    status = STATUS_LABELS[order.order_status]
    if order.order_status == Status.EXCEPTION and order.exception_reason:
        status = f"{status}: {order.exception_reason.value.replace('_', ' ')}"
    return PublicTracking(
        tracking_number=number,
        courier_name=courier_display_name(order.courier),
        status=status,
        progress=order.progress,
        estimated_delivery=order.estimated_delivery,
        countdown=countdown.text if countdown else "",
        overdue=bool(countdown and countdown.overdue),
        destination_city=order.city or "",
        events=[
            PublicEvent(
                row.occurred_at.astimezone(zone), row.description or row.raw_status or "Update", row.location or ""
            )
            for row in rows
        ],
    )
