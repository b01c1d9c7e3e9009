"""Pure parsers for Bring answers: Shipping Guide products, booking confirmation, tracking."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from perfile_core.couriers.base import BookedShipment, Quote
from perfile_core.couriers.bring.settings import SERVICES
from perfile_core.domain.courier_mappings import normalize
from perfile_core.domain.errors import CourierError
from perfile_core.domain.tracking_event import TrackingEvent

OSLO = ZoneInfo("Europe/Oslo")


class Unreadable(ValueError):
    """The answer does not have the documented shape."""


def _messages(errors: list[Any]) -> str:
    texts = []
    for error in errors or []:
        if not isinstance(error, dict):
            continue
        found = [m.get("message") for m in error.get("messages") or [] if isinstance(m, dict)]
        texts.append("; ".join(t for t in found if t) or error.get("description") or error.get("code") or "")
    return "; ".join(t for t in texts if t)


def error_text(body: Any) -> str | None:
    """Booking errors (`consignments[].errors[].messages[]`) or a plain message/fieldErrors body."""
    if not isinstance(body, dict):
        return None
    consignment_errors = [
        e for c in body.get("consignments") or [] if isinstance(c, dict) for e in c.get("errors") or []
    ]
    text = _messages(consignment_errors) or _messages(body.get("errors") or [])
    if not text and isinstance(body.get("fieldErrors"), list):
        text = "; ".join(str(f.get("message") or f) for f in body["fieldErrors"] if f)
    return text or None


def _amount(price: dict[str, Any]) -> tuple[Decimal, str] | None:
    block = price.get("netPrice") or price.get("listPrice")
    if not isinstance(block, dict):
        return None
    amounts = block.get("priceWithAdditionalServices") or block.get("priceWithoutAdditionalServices") or {}
    try:
        return Decimal(str(amounts["amountWithoutVAT"])), str(block.get("currencyCode") or "NOK")
    except (KeyError, InvalidOperation):
        return None


def _eta(product: dict[str, Any]) -> tuple[date | None, int | None]:
    expected = product.get("expectedDelivery") or {}
    day = expected.get("expectedDeliveryDate") or {}
    try:
        when = date(int(day["year"]), int(day["month"]), int(day["day"])) if day else None
    except (KeyError, ValueError):
        when = None
    days = expected.get("workingDays")
    return when, int(days) if str(days or "").isdigit() else None


def parse_quotes(body: Any, product_ids: dict[str, str]) -> list[Quote]:
    if not isinstance(body, dict) or not isinstance(body.get("consignments"), list):
        raise Unreadable("consignments is missing")
    by_id = {product_id: code for code, product_id in product_ids.items()}
    services = {service.code: service for service in SERVICES}
    quotes = []
    for consignment in body["consignments"]:
        for product in consignment.get("products") or []:
            code = by_id.get(str(product.get("id")))
            priced = _amount(product.get("price") or {})
            if code is None or priced is None or product.get("errors"):
                continue  # not one of ours, or not available for this parcel
            when, days = _eta(product)
            gui = product.get("guiInformation") or {}
            quotes.append(
                Quote(
                    courier="bring",
                    service=code,
                    service_name=gui.get("displayName") or services[code].name,
                    delivery_type=services[code].delivery_type,
                    price=priced[0].quantize(Decimal("0.01")),
                    currency=priced[1],
                    estimated_delivery=when,
                    transit_days=days,
                )
            )
    return sorted(quotes, key=lambda q: q.price)


def parse_booking(body: Any, service: str) -> BookedShipment:
    try:
        consignment = body["consignments"][0]
    except (KeyError, IndexError, TypeError):
        raise Unreadable("consignments[0] is missing") from None
    if consignment.get("errors"):
        raise CourierError(
            "bring",
            f"Bring refused the shipment: {_messages(consignment['errors']) or 'no reason given'}. "
            f"The order was not changed; correct the address, weight or service and book again",
        )
    confirmation = consignment.get("confirmation") or {}
    number = confirmation.get("consignmentNumber")
    if not number:
        raise Unreadable("confirmation.consignmentNumber is missing")
    links = confirmation.get("links") or {}
    if not links.get("labels"):
        raise Unreadable("confirmation.links.labels is missing")
    millis = (confirmation.get("dateAndTimes") or {}).get("expectedDelivery")
    eta = datetime.fromtimestamp(millis / 1000, OSLO).date() if isinstance(millis, int | float) else None
    packages = [p.get("packageNumber") for p in confirmation.get("packages") or [] if p.get("packageNumber")]
    return BookedShipment(
        courier="bring",
        service=service,
        tracking_number=number,
        courier_reference=number,
        label_url=links["labels"],
        tracking_url=links.get("tracking"),
        estimated_delivery=eta,
        metadata={"bring_package_numbers": packages},
    )


def event_id(package: str, event: dict[str, Any]) -> str:
    key = "|".join(str(event.get(k) or "") for k in ("dateIso", "status", "description", "postalCode"))
    return f"bring-{package}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def parse_tracking(body: Any, tracking_number: str) -> list[TrackingEvent]:
    if not isinstance(body, dict) or not isinstance(body.get("consignmentSet"), list):
        raise Unreadable("consignmentSet is missing")
    events = []
    for consignment in body["consignmentSet"]:
        for package in consignment.get("packageSet") or []:
            number = package.get("packageNumber") or tracking_number
            for scan in package.get("eventSet") or []:
                raw = str(scan.get("status") or "UNKNOWN")
                mapped = normalize("bring", raw)
                occurred = datetime.fromisoformat(scan["dateIso"])
                if occurred.tzinfo is None:
                    occurred = occurred.replace(tzinfo=OSLO)
                place = ", ".join(p for p in (scan.get("city"), scan.get("countryCode")) if p)
                events.append(
                    TrackingEvent(
                        courier="bring",
                        tracking_number=tracking_number,
                        event_id=event_id(number, scan),
                        occurred_at=occurred.astimezone(UTC),
                        status=mapped.status,
                        exception_reason=mapped.reason,
                        raw_code=raw,
                        raw_status=raw,
                        description=scan.get("description"),
                        location=place or None,
                        metadata={"bring_package_number": number},
                        raw_payload=scan,
                    )
                )
    return sorted(events, key=lambda e: e.occurred_at)
