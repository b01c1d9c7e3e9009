"""The details a booking sends to the courier: pickup address (from the store), delivery
address and package (from the order) and the service, prefilled for the operator, then
checked field by field before anything is booked.

Field names are the form's: `pickup_postal_code`, `delivery_city`, `weight_grams`, ... so a
`ValidationError` names the field each message belongs under.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import Connection, Engine, select

from perfile_core.couriers.base import Address, CourierAdapter, Parcel
from perfile_core.db.orders_repo import get_order, update_order
from perfile_core.db.tables import orders, stores
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.order import Order
from perfile_core.domain.postal_codes import postal_code_problem

MAX_SIDE_CM = 300
ADDRESS_PARTS = ("name", "line1", "line2", "postal_code", "city", "country_code")
REQUIRED_PARTS = {"name": "name", "line1": "street address", "city": "city"}
# delivery_* field -> the order column it edits
ORDER_COLUMNS = {
    "delivery_name": "customer_name",
    "delivery_line1": "address_line1",
    "delivery_line2": "address_line2",
    "delivery_postal_code": "postal_code",
    "delivery_city": "city",
    "delivery_country_code": "country_code",
    "weight_grams": "weight_grams",
    "length_cm": "length_cm",
    "width_cm": "width_cm",
    "height_cm": "height_cm",
}


@dataclass(frozen=True)
class BookingDetails:
    service: str
    pickup_name: str = ""
    pickup_line1: str = ""
    pickup_line2: str = ""
    pickup_postal_code: str = ""
    pickup_city: str = ""
    pickup_country_code: str = ""
    delivery_name: str = ""
    delivery_line1: str = ""
    delivery_line2: str = ""
    delivery_postal_code: str = ""
    delivery_city: str = ""
    delivery_country_code: str = ""
    weight_grams: int | None = None
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None

    def as_values(self) -> dict[str, Any]:
        return asdict(self)

    def address(self, side: str) -> Address:
        part = {name: getattr(self, f"{side}_{name}") for name in ADDRESS_PARTS}
        return Address(
            name=part["name"],
            line1=part["line1"],
            line2=part["line2"] or None,
            postal_code=part["postal_code"],
            city=part["city"],
            country_code=part["country_code"],
        )

    def parcel(self) -> Parcel:
        return Parcel(self.weight_grams or 0, self.length_cm, self.width_cm, self.height_cm)


def booking_details_for(db: Engine, order_id: int, service: str) -> BookingDetails:
    """Prefilled from the store's pickup address and the order; empty where nothing is stored."""
    with db.connect() as conn:
        order = get_order(conn, order_id)
        pickup = _pickup(conn, order_id)
    return BookingDetails(
        service=service,
        pickup_name=str(pickup.get("name") or pickup.get("store_name") or ""),
        pickup_line1=str(pickup.get("line1") or ""),
        pickup_line2=str(pickup.get("line2") or ""),
        pickup_postal_code=str(pickup.get("postal_code") or ""),
        pickup_city=str(pickup.get("city") or ""),
        pickup_country_code=str(pickup.get("country_code") or "").upper(),
        delivery_name=order.customer_name,
        delivery_line1=order.address_line1 or "",
        delivery_line2=order.address_line2 or "",
        delivery_postal_code=order.postal_code or "",
        delivery_city=order.city or "",
        delivery_country_code=(order.country_code or "").upper(),
        weight_grams=order.weight_grams,
        length_cm=order.length_cm,
        width_cm=order.width_cm,
        height_cm=order.height_cm,
    )


def _pickup(conn: Connection, order_id: int) -> dict[str, Any]:
    row = conn.execute(
        select(stores.c.name, stores.c.pickup_address)
        .join(orders, orders.c.store_id == stores.c.id)
        .where(orders.c.id == order_id)
    ).one()
    return {"store_name": row.name, **(row.pickup_address or {})}


def check_booking_details(adapter: CourierAdapter, values: dict[str, Any]) -> BookingDetails:
    """Clean the form's values and check each field; every problem is reported at once."""
    clean = {f.name: _clean(values.get(f.name)) for f in fields(BookingDetails)}
    problems: list[tuple[str, str]] = []
    for side in ("pickup", "delivery"):
        problems += _address_problems(side, clean)
    for name in ("weight_grams", "length_cm", "width_cm", "height_cm"):
        number, problem = _whole_number(clean[name], required=name == "weight_grams")
        clean[name] = number
        if problem:
            problems.append((name, problem))
        elif number is not None and name != "weight_grams" and number > MAX_SIDE_CM:
            problems.append((name, f"at most {MAX_SIDE_CM} cm"))
    services = {s.code: s for s in adapter.services()}
    service = services.get(clean["service"])
    if services and service is None:
        problems.append(("service", f"{adapter.name} has no service {clean['service']!r}"))
    weight = clean["weight_grams"]
    if service and service.max_weight_grams and isinstance(weight, int) and weight > service.max_weight_grams:
        problems.append(
            (
                "weight_grams",
                f"{service.name} takes at most {service.max_weight_grams / 1000:g} kg; "
                f"choose another service or split the parcel",
            )
        )
    if problems:
        (first, reason), *rest = problems
        raise ValidationError(first, reason, more=rest)
    return BookingDetails(**clean)


def _clean(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def _address_problems(side: str, clean: dict[str, Any]) -> list[tuple[str, str]]:
    problems = [
        (f"{side}_{part}", f"enter the {label}")
        for part, label in REQUIRED_PARTS.items()
        if not clean[f"{side}_{part}"]
    ]
    country = str(clean[f"{side}_country_code"] or "").upper()
    clean[f"{side}_country_code"] = country
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        problems.append((f"{side}_country_code", "use the two-letter country code, e.g. SE"))
    postal = clean[f"{side}_postal_code"] = str(clean[f"{side}_postal_code"] or "").upper()
    problem = postal_code_problem(country, postal)
    if problem:
        problems.append((f"{side}_postal_code", problem))
    return problems


def _whole_number(value: Any, *, required: bool) -> tuple[int | None, str | None]:
    if value in (None, ""):
        return None, ("enter the weight in grams" if required else None)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None, "enter a whole number"
    if isinstance(value, float) and value != number:
        return None, "enter a whole number"
    if number <= 0:
        return None, "must be more than 0"
    return number, None


def apply_to_order_in(
    conn: Connection, order: Order, details: BookingDetails, now: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Store the operator's corrections to the delivery address and package on the order (what
    the courier gets is what the order says); returns the changed columns' new and old values."""
    values = {column: getattr(details, field) or None for field, column in ORDER_COLUMNS.items()}
    values["customer_name"] = details.delivery_name
    changed = {column: value for column, value in values.items() if getattr(order, column) != value}
    if changed:
        update_order(conn, order.id, changed, now)
    return changed, {column: getattr(order, column) for column in changed}
