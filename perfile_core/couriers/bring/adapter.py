"""Bring behind the courier interface: quote, book (label fetched and stored), track,
cancel before pickup; pushes arrive as Event Cast callbacks (see `couriers/formats`)."""

from __future__ import annotations

from perfile_core.couriers.base import BookedShipment, CourierAdapter, Quote, ServiceInfo, Shipment
from perfile_core.couriers.bring import parsers
from perfile_core.couriers.bring.client import BringClient
from perfile_core.couriers.bring.settings import SERVICES
from perfile_core.domain.tracking_event import TrackingEvent


class BringCourier(CourierAdapter):
    code = "bring"
    pushes_tracking = True  # Event Cast

    def __init__(self, client: BringClient, webhook_secrets: tuple[str, ...] = ()) -> None:
        self.client = client
        self.webhook_secrets = webhook_secrets

    def services(self) -> list[ServiceInfo]:
        return list(SERVICES)

    def quote(self, shipment: Shipment) -> list[Quote]:
        body = self.client.quote(shipment, [service.code for service in SERVICES])
        try:
            return parsers.parse_quotes(body, self.client.settings.product_ids)
        except parsers.Unreadable as exc:
            raise self.client.http.unreadable("quote", str(exc)) from None

    def book(self, shipment: Shipment) -> BookedShipment:
        body = self.client.book(shipment)
        try:
            booked = parsers.parse_booking(body, shipment.service)
        except parsers.Unreadable as exc:
            raise self.client.http.unreadable("booking", str(exc)) from None
        # Bring has booked by now: a failed download must not lose that, so the label is
        # optional here and fetched again from label_url on reprint.
        try:
            label = self.client.label(booked.label_url or "")
        except Exception:
            label = None
        return BookedShipment(**{**booked.__dict__, "label_pdf": label})

    def label(self, booking: BookedShipment) -> bytes:
        if not booking.label_url:
            return super().label(booking)
        return self.client.label(booking.label_url)

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        body = self.client.track(tracking_number)
        try:
            return parsers.parse_tracking(body, tracking_number)
        except (parsers.Unreadable, KeyError, ValueError) as exc:
            raise self.client.http.unreadable("tracking", str(exc)) from None

    def cancel(self, booking: BookedShipment) -> None:
        self.client.cancel(booking.courier_reference or booking.tracking_number)
