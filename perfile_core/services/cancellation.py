"""Cancelling a booked shipment before pickup: at the courier first, then here.

The order goes back to pending without tracking, so it can be booked again (e.g. with
another courier). Couriers without a cancel API raise NotSupported saying what ops must do.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from perfile_core.clock import utcnow
from perfile_core.couriers.base import BookedShipment
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.db import audit_repo
from perfile_core.db.orders_repo import get_order, state_columns, update_order
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import Conflict, NotSupported
from perfile_core.domain.order import Order
from perfile_core.domain.status import ShipmentState, Status
from perfile_core.services import booking_attempts as attempts


@dataclass(frozen=True)
class CancelCheck:
    """Whether the courier lets Perfile cancel this booking, and if not, what ops must do."""

    courier_name: str
    tracking_number: str
    instruction: str | None  # None: Perfile can cancel it at the courier

    @property
    def can_cancel(self) -> bool:
        return self.instruction is None


def cancel_check(db: Engine, couriers: CourierRegistry, order_id: int) -> CancelCheck:
    """Ask before offering a Cancel button; raises Conflict when there is nothing to cancel."""
    _order, attempt = _cancellable(db, order_id)
    adapter = couriers.get(attempt.courier)
    booked = attempt.booked_shipment()
    instruction = None
    if not adapter.supports("cancel"):
        try:
            adapter.cancel(booked)  # an unsupported capability only raises, with the courier's own words
        except NotSupported as exc:
            instruction = exc.detail
    return CancelCheck(adapter.name, booked.tracking_number, instruction)


def _cancellable(db: Engine, order_id: int) -> tuple[Order, attempts.Attempt]:
    with db.connect() as conn:
        order = get_order(conn, order_id)
        attempt = attempts.confirmed_for(conn, order_id, order.tracking_number) if order.tracking_number else None
    if not order.tracking_number or attempt is None:
        raise Conflict(f"order {order.order_number} has no shipment booked through Perfile to cancel")
    if order.order_status != Status.CONFIRMED:
        raise Conflict(
            f"order {order.order_number} is {order.order_status.value}: the parcel is already with "
            f"{courier_display_name(order.courier)}; contact them to stop it"
        )
    return order, attempt


def cancel_booking(db: Engine, couriers: CourierRegistry, order_id: int, *, actor: Actor, reason: str = "") -> None:
    require(actor, Permission.CANCEL)
    order, attempt = _cancellable(db, order_id)
    booked: BookedShipment = attempt.booked_shipment()
    couriers.get(attempt.courier).cancel(booked)
    now = utcnow()
    with db.begin() as conn:
        current = get_order(conn, order_id, for_update=True)
        if current.tracking_number != booked.tracking_number or current.order_status != Status.CONFIRMED:
            raise Conflict(f"order {order.order_number} changed while cancelling; refresh and check it")
        update_order(
            conn,
            order_id,
            {
                **state_columns(ShipmentState()),
                "tracking_number": None,
                "courier": None,
                "service_type": None,
                "label_id": None,
                "estimated_delivery": None,
            },
            now,
        )
        attempts.finish(conn, attempt.id, attempts.CANCELLED, now)
        audit_repo.record(
            conn,
            actor,
            "shipment.cancelled",
            order_id,
            {"courier": attempt.courier, "tracking_number": booked.tracking_number, "reason": reason[:500]},
            now,
            before={"tracking_number": booked.tracking_number, "booking": "booked"},
            after={"booking": "cancelled"},
        )


def cancel_instruction(couriers: CourierRegistry, order: Order) -> str | None:
    """The courier's own instruction when it has no cancel API (shown before anyone tries);
    None when Perfile can cancel with this courier. Never calls the courier."""
    if not order.tracking_number or order.courier is None or order.courier not in couriers:
        return None
    adapter = couriers.get(order.courier)
    if adapter.supports("cancel"):
        return None
    booked = BookedShipment(order.courier, order.service_type or "", order.tracking_number, courier_reference="")
    try:
        adapter.cancel(booked)  # an adapter that declines only raises NotSupported with its words
    except NotSupported as exc:
        return exc.detail
    return None
