"""What the courier already holds for a shipment: the recipient and parcel as they were when
the shipment was booked or its tracking number attached.

Perfile never amends a booking at the courier, so an edit after booking changes our copy
only. Edits are audited with their "before" values, which is how the booked values are
recovered after any number of edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from perfile_core.db import audit_repo
from perfile_core.db.orders_repo import get_order
from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.order import Order

# What a booking sends to the courier about the recipient and the parcel.
COURIER_HELD_FIELDS = (
    "customer_name",
    "customer_email",
    "customer_phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country_code",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
)
_BOOKING_ACTIONS = frozenset({"shipment.booked", "tracking.attached"})


@dataclass(frozen=True)
class CourierCopy:
    courier_name: str
    tracking_number: str
    values: dict[str, Any]  # field -> value as the courier has it

    def unreached(self, order: Order) -> dict[str, tuple[Any, Any]]:
        """Fields where our order now differs from the courier's copy: field -> (courier's, ours)."""
        return {
            name: (held, getattr(order, name)) for name, held in self.values.items() if held != getattr(order, name)
        }

    def unreached_by(self, changes: dict[str, Any]) -> list[str]:
        """Which of these proposed changes would leave the courier with different data."""
        return [name for name, value in changes.items() if name in self.values and self.values[name] != value]


def courier_copy_in(conn: Connection, order: Order) -> CourierCopy | None:
    """None while the order has no shipment (nothing has gone to a courier yet)."""
    if not order.has_tracking:
        return None
    entries = audit_repo.for_order(conn, order.id)
    booked_after = 0  # without a booking entry (a webshop sent the number), since creation
    for index, entry in enumerate(entries):
        details = entry["details"] or {}
        if entry["action"] in _BOOKING_ACTIONS and details.get("tracking_number") == order.tracking_number:
            booked_after = index + 1
    values = {name: getattr(order, name) for name in COURIER_HELD_FIELDS}
    changed_since: set[str] = set()
    for entry in entries[booked_after:]:
        if entry["action"] != "order.edited":
            continue
        for name, before in ((entry["details"] or {}).get("before") or {}).items():
            if name in values and name not in changed_since:
                values[name] = before  # the first edit after booking knew the booked value
                changed_since.add(name)
    courier = courier_display_name(order.courier) or order.courier_name or "The courier"
    return CourierCopy(courier_name=courier, tracking_number=order.tracking_number or "", values=values)


def courier_copy(db: Engine, order_id: int) -> CourierCopy | None:
    with db.connect() as conn:
        return courier_copy_in(conn, get_order(conn, order_id))
