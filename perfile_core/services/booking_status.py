"""Read side of booking for the dashboard: what became of an order's booking (so a second
click or a second operator sees the booking that won instead of an error), whether the
customer e-mail went out, and which order to book next."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from perfile_core.couriers.base import ServiceInfo
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import notifications, orders
from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.order import Order
from perfile_core.domain.status import Status
from perfile_core.services import booking_attempts as attempts
from perfile_core.services.booking import BookingResult, result_of

EMAIL_STATES = {
    "outbox": "queued in the outbox (no mail server configured, or not sent yet)",
    "sending": "being sent",
    "sent": "sent",
    "failed": "not sent",
}


@dataclass(frozen=True)
class ExistingBooking:
    """An order's booking that someone else made or is making right now."""

    result: BookingResult | None  # the confirmed booking, when there is one
    in_flight: str | None = None  # who is booking it right now, when nobody has finished


def existing_booking(db: Engine, order_id: int) -> ExistingBooking | None:
    """The booking that holds this order: confirmed (with its result) or still in flight."""
    with db.connect() as conn:
        order = get_order(conn, order_id)
        if order.tracking_number:
            confirmed = attempts.confirmed_for(conn, order_id, order.tracking_number)
            if confirmed is not None:
                return ExistingBooking(result_of(conn, confirmed, replayed=True))
        active = attempts.active_for_order(conn, order_id)
    if active is not None:
        return ExistingBooking(
            None,
            f"{active.created_by or 'someone'} with {courier_display_name(active.courier)} "
            f"since {active.created_at:%H:%M:%S} UTC",
        )
    return None


def email_state(db: Engine, notification_id: int | None) -> str:
    """How the booking e-mail to the customer stands, in words."""
    if notification_id is None:
        return "no e-mail: the customer is not notified of bookings"
    with db.connect() as conn:
        row = conn.execute(
            select(notifications.c.status, notifications.c.error).where(notifications.c.id == notification_id)
        ).first()
    if row is None:
        return "no e-mail"
    state = EMAIL_STATES.get(row.status, row.status)
    return f"{state}: {row.error}" if row.error else state


def next_order_to_book(db: Engine, *, skip: list[int] | tuple[int, ...] = ()) -> int | None:
    """The newest live order that can be booked (pending, no tracking), other than `skip`."""
    query = (
        select(orders.c.id)
        .where(
            orders.c.order_status == Status.PENDING.value,
            orders.c.tracking_number.is_(None),
            orders.c.deleted_at.is_(None),
        )
        .order_by(orders.c.created_at.desc(), orders.c.id.desc())
        .limit(1)
    )
    if skip:
        query = query.where(orders.c.id.not_in(list(skip)))
    with db.connect() as conn:
        order_id = conn.execute(query).scalar()
        # the rule lives on Order; the filter above only narrows the search
        while order_id is not None and not get_order(conn, order_id).can_book_shipment:
            skip = [*skip, order_id]
            order_id = conn.execute(query.where(orders.c.id.not_in(skip))).scalar()
    return order_id


def order_to_book(db: Engine, order_id: int) -> Order:
    """The order as the booking dialog shows it (computed fields included)."""
    with db.connect() as conn:
        return get_order(conn, order_id)


def courier_services(couriers: CourierRegistry, courier: str) -> list[ServiceInfo]:
    return couriers.get(courier).services()
