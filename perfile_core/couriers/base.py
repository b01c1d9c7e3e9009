"""The one interface every courier adapter implements, and the shared shipment model.

Capabilities a courier lacks raise `NotSupported` with the reason and what to do instead,
rather than being stubbed. `capabilities()` tells callers what an adapter can do without
calling it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import NotSupported
from perfile_core.domain.tracking_event import TrackingEvent

CAPABILITIES = ("quote", "book", "label", "track", "cancel", "parse_webhook", "find_booking")


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    postal_code: str
    city: str
    country_code: str
    line2: str | None = None
    email: str | None = None
    phone: str | None = None

    def lines(self) -> list[str]:
        """Address as printed on a label."""
        return [
            line
            for line in (
                self.name,
                self.line1,
                self.line2,
                f"{self.postal_code} {self.city}",
                self.country_code,
            )
            if line and line.strip()
        ]


@dataclass(frozen=True)
class Parcel:
    weight_grams: int
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None

    @property
    def weight_kg(self) -> float:
        return round(self.weight_grams / 1000, 3)


@dataclass(frozen=True)
class Shipment:
    """What a courier needs to quote or book one parcel."""

    sender: Address
    recipient: Address
    parcel: Parcel
    ship_date: date
    service: str = ""  # the courier's service code (empty when quoting all services)
    reference: str = ""  # our idempotency key, sent to the courier where it takes one
    order_number: str = ""


@dataclass(frozen=True)
class ServiceInfo:
    code: str
    name: str
    delivery_type: str  # home | service_point | locker | business
    max_weight_grams: int | None = None  # heaviest parcel the service carries (None: not published)


@dataclass(frozen=True)
class Quote:
    courier: str
    service: str
    service_name: str
    delivery_type: str
    price: Decimal
    currency: str
    estimated_delivery: date | None = None
    transit_days: int | None = None


@dataclass(frozen=True)
class BookedShipment:
    """A courier's confirmation of one booking."""

    courier: str
    service: str
    tracking_number: str
    courier_reference: str  # the courier's own id for the booking (Bring consignment, PostNord booking id)
    label_pdf: bytes | None = None
    label_url: str | None = None  # where the label can be fetched again (Bring)
    tracking_url: str | None = None
    estimated_delivery: date | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def as_details(self) -> dict[str, Any]:
        """JSON-safe record of the booking (without the label bytes)."""
        return {
            "courier": self.courier,
            "service": self.service,
            "tracking_number": self.tracking_number,
            "courier_reference": self.courier_reference,
            "label_url": self.label_url,
            "tracking_url": self.tracking_url,
            "estimated_delivery": self.estimated_delivery.isoformat() if self.estimated_delivery else None,
            "metadata": self.metadata,
        }

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> BookedShipment:
        eta = details.get("estimated_delivery")
        return cls(
            courier=details["courier"],
            service=details["service"],
            tracking_number=details["tracking_number"],
            courier_reference=details.get("courier_reference") or "",
            label_url=details.get("label_url"),
            tracking_url=details.get("tracking_url"),
            estimated_delivery=date.fromisoformat(eta) if eta else None,
            metadata=dict(details.get("metadata") or {}),
        )


class CourierAdapter:
    """Base class: every capability raises NotSupported until a courier implements it."""

    code: str = ""
    pushes_tracking: bool = False  # True when the courier calls our webhook (no polling needed)
    webhook_secrets: tuple[str, ...] = ()  # current first, then the previous one during rotation
    declined: frozenset[str] = frozenset()  # capabilities overridden only to say why not

    @property
    def name(self) -> str:
        return courier_display_name(self.code)

    def services(self) -> list[ServiceInfo]:
        return []

    def service_name(self, service: str) -> str:
        return next((s.name for s in self.services() if s.code == service), service)

    def capabilities(self) -> list[str]:
        """What this adapter can do: methods it implements, minus those it overrides only to
        explain why not (`declined`); every courier accepts pushes in its push format."""
        base = CourierAdapter
        return [
            cap
            for cap in CAPABILITIES
            if (cap == "parse_webhook" or getattr(type(self), cap) is not getattr(base, cap))
            and cap not in self.declined
        ]

    def supports(self, capability: str) -> bool:
        return capability in self.capabilities()

    def _unsupported(self, what: str, why: str) -> NotSupported:
        return NotSupported(f"{self.name} does not support {what}: {why}")

    def quote(self, shipment: Shipment) -> list[Quote]:
        raise self._unsupported("quotes", "it has no price API and no rate table is configured")

    def book(self, shipment: Shipment) -> BookedShipment:
        raise self._unsupported("booking", "book the shipment in the courier's own portal")

    def label(self, booking: BookedShipment) -> bytes:
        """Fetch the label again (reprint); callers use the stored copy first."""
        raise self._unsupported("label reprints", "use the label stored at booking time")

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        raise self._unsupported("tracking by polling", "its events arrive by webhook")

    def cancel(self, booking: BookedShipment) -> None:
        raise self._unsupported("cancelling bookings", "cancel the shipment in the courier's own portal")

    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime, tolerance_seconds: int = 300
    ) -> list[TrackingEvent]:
        """Verify and parse a pushed delivery with the courier's push format (contract sections 1-2)."""
        from perfile_core.couriers import webhooks

        return webhooks.verify_and_parse(
            self.code, headers, body, self.webhook_secrets, now=now, tolerance_seconds=tolerance_seconds
        )

    def find_booking(self, reference: str) -> BookedShipment | None:
        """Look up a booking by our reference, after a call whose outcome we never learned."""
        raise self._unsupported("looking up bookings by reference", "search the courier's portal")
