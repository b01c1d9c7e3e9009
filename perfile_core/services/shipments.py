"""What a courier needs from an order: sender (the store's pickup address), recipient, parcel.

Shared by quotes and booking, so both check the same fields and name what is missing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from perfile_core.couriers.base import Address, Parcel, Shipment
from perfile_core.db.tables import orders, stores
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.order import Order

RECIPIENT_FIELDS = {
    "address_line1": "street address",
    "postal_code": "postal code",
    "city": "city",
    "country_code": "country",
}


def sender_address(conn: Connection, order_id: int) -> Address:
    row = conn.execute(
        select(stores.c.name, stores.c.pickup_address)
        .join(orders, orders.c.store_id == stores.c.id)
        .where(orders.c.id == order_id)
    ).one()
    pickup: dict[str, Any] = row.pickup_address or {}
    missing = [key for key in ("line1", "postal_code", "city", "country_code") if not pickup.get(key)]
    if missing:
        raise ValidationError(
            "store.pickup_address",
            f"the store {row.name!r} has no pickup {', '.join(missing)}; set its pickup address first",
        )
    return Address(
        name=pickup.get("name") or row.name,
        line1=pickup["line1"],
        line2=pickup.get("line2"),
        postal_code=str(pickup["postal_code"]),
        city=pickup["city"],
        country_code=str(pickup["country_code"]).upper(),
        email=pickup.get("email"),
        phone=pickup.get("phone"),
    )


def recipient_address(order: Order) -> Address:
    problems = [
        (name, f"the order has no {label}; edit the order before booking")
        for name, label in RECIPIENT_FIELDS.items()
        if not getattr(order, name)
    ]
    if problems:
        (field, reason), *rest = problems
        raise ValidationError(field, reason, more=rest)
    return Address(
        name=order.customer_name,
        line1=order.address_line1 or "",
        line2=order.address_line2,
        postal_code=order.postal_code or "",
        city=order.city or "",
        country_code=(order.country_code or "").upper(),
        email=order.customer_email,
        phone=order.customer_phone,
    )


def parcel(order: Order) -> Parcel:
    if not order.weight_grams:
        raise ValidationError("weight_grams", "enter the parcel weight before booking or quoting")
    return Parcel(order.weight_grams, order.length_cm, order.width_cm, order.height_cm)


def shipment_for(
    conn: Connection, order: Order, ship_date: date, *, service: str = "", reference: str = ""
) -> Shipment:
    return Shipment(
        sender=sender_address(conn, order.id),
        recipient=recipient_address(order),
        parcel=parcel(order),
        ship_date=ship_date,
        service=service,
        reference=reference,
        order_number=order.order_number,
    )
