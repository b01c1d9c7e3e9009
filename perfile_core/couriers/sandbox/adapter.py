"""The sandbox adapter: a real registered courier that never leaves the process.

Deterministic: the tracking number is derived from our booking reference (a valid GS1
SSCC), prices and ETAs from `rates`, and the label is a real PDF from `perfile_core.labels`.
Booking the same reference twice returns the same booking, as a courier honouring an
idempotency key would; `book_calls` counts the calls so tests can prove we made one.
"""

from __future__ import annotations

import hashlib
import threading
import time

from perfile_core.couriers.base import BookedShipment, CourierAdapter, Quote, ServiceInfo, Shipment
from perfile_core.couriers.sandbox import rates
from perfile_core.couriers.sandbox.settings import SandboxSettings
from perfile_core.domain.couriers import tracking_url
from perfile_core.domain.errors import Conflict, CourierError
from perfile_core.domain.tracking_numbers import make_sscc
from perfile_core.labels.pdf import LabelData, render_label

COMPANY_PREFIX = "735999"  # extension digit 3 + this + 10-digit serial = 17 digits


def tracking_number_for(reference: str) -> str:
    serial = int.from_bytes(hashlib.sha256(reference.encode()).digest()[:8], "big") % 10**10
    return make_sscc(f"3{COMPANY_PREFIX}{serial:010d}")


class SandboxCourier(CourierAdapter):
    code = "sandbox"
    pushes_tracking = True  # the demo simulator pushes signed unified events

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.settings = settings or SandboxSettings()
        self.webhook_secrets = self.settings.webhook_secrets
        self._lock = threading.Lock()
        self._bookings: dict[str, BookedShipment] = {}
        self.book_calls = 0

    def services(self) -> list[ServiceInfo]:
        return list(rates.SERVICES)

    def quote(self, shipment: Shipment) -> list[Quote]:
        return [
            Quote(
                courier=self.code,
                service=rate.service.code,
                service_name=rate.service.name,
                delivery_type=rate.service.delivery_type,
                price=rate.price,
                currency=self.settings.currency,
                estimated_delivery=rate.estimated_delivery,
                transit_days=rate.transit_days,
            )
            for rate in rates.rates(shipment, self.settings.sender_country)
        ]

    def book(self, shipment: Shipment) -> BookedShipment:
        if self.settings.latency_seconds:
            time.sleep(self.settings.latency_seconds)
        with self._lock:
            self.book_calls += 1
            if shipment.reference and shipment.reference in self._bookings:
                return self._bookings[shipment.reference]
        rate = next(
            (r for r in rates.rates(shipment, self.settings.sender_country) if r.service.code == shipment.service),
            None,
        )
        if rate is None:
            known = ", ".join(s.code for s in rates.SERVICES)
            raise CourierError(
                self.code,
                f"Sandbox Express cannot carry this parcel with service {shipment.service!r} "
                f"(destination or weight out of range; services: {known}). Choose another service.",
            )
        number = tracking_number_for(shipment.reference or shipment.order_number)
        label = render_label(
            LabelData(
                courier_name=self.name,
                service_name=rate.service.name,
                tracking_number=number,
                order_number=shipment.order_number,
                sender=shipment.sender,
                recipient=shipment.recipient,
                weight_grams=shipment.parcel.weight_grams,
                ship_date=shipment.ship_date,
            )
        )
        booked = BookedShipment(
            courier=self.code,
            service=shipment.service,
            tracking_number=number,
            courier_reference=f"SBX-{number[-10:]}",
            label_pdf=label,
            tracking_url=tracking_url(self.code, number),
            estimated_delivery=rate.estimated_delivery,
            metadata={"price": str(rate.price), "currency": self.settings.currency},
        )
        with self._lock:
            self._bookings[shipment.reference] = booked
        return booked

    def find_booking(self, reference: str) -> BookedShipment | None:
        with self._lock:
            return self._bookings.get(reference)

    def label(self, booking: BookedShipment) -> bytes:
        with self._lock:
            for known in self._bookings.values():
                if known.tracking_number == booking.tracking_number and known.label_pdf:
                    return known.label_pdf
        return super().label(booking)

    def cancel(self, booking: BookedShipment) -> None:
        with self._lock:
            for reference, known in list(self._bookings.items()):
                if known.tracking_number == booking.tracking_number:
                    if known.metadata.get("picked_up"):
                        raise Conflict("Sandbox Express has already picked the parcel up")
                    del self._bookings[reference]
