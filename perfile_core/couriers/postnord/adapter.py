"""PostNord behind the courier interface: book (label inline), track by polling, rate-table
quotes; no cancel API and no push of its own."""

from __future__ import annotations

from perfile_core.clock import utcnow
from perfile_core.couriers.base import BookedShipment, CourierAdapter, Quote, ServiceInfo, Shipment
from perfile_core.couriers.calendar import add_business_days
from perfile_core.couriers.postnord import parsers, rates
from perfile_core.couriers.postnord.client import PostNordClient
from perfile_core.couriers.postnord.settings import SERVICES
from perfile_core.domain.errors import NotSupported
from perfile_core.domain.tracking_event import TrackingEvent


class PostNordCourier(CourierAdapter):
    code = "postnord"
    pushes_tracking = False  # no tracking push: the poller asks Track & Trace
    declined = frozenset({"label", "cancel"})

    def __init__(self, client: PostNordClient, webhook_secrets: tuple[str, ...] = ()) -> None:
        self.client = client
        self.webhook_secrets = webhook_secrets

    def services(self) -> list[ServiceInfo]:
        return list(SERVICES)

    def quote(self, shipment: Shipment) -> list[Quote]:
        if not self.client.settings.rates:
            raise NotSupported(
                "PostNord has no price API and no rate table is configured: add `rates` to the "
                "postnord courier settings"
            )
        return rates.quotes(shipment, self.client.settings.rates, SERVICES)

    def book(self, shipment: Shipment) -> BookedShipment:
        body = self.client.book(shipment, utcnow())
        try:
            booked = parsers.parse_booking(body, shipment.service)
        except parsers.Unreadable as exc:
            raise self.client.http.unreadable("booking", str(exc)) from None
        eta = next(
            (q.estimated_delivery for q in self._quotes_or_empty(shipment) if q.service == shipment.service),
            add_business_days(shipment.ship_date, 2),
        )
        return BookedShipment(**{**booked.__dict__, "estimated_delivery": eta})

    def _quotes_or_empty(self, shipment: Shipment) -> list[Quote]:
        return rates.quotes(shipment, self.client.settings.rates, SERVICES) if self.client.settings.rates else []

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        body = self.client.track(tracking_number)
        try:
            return parsers.parse_tracking(body, tracking_number)
        except (parsers.Unreadable, KeyError, ValueError) as exc:
            raise self.client.http.unreadable("tracking", str(exc)) from None

    def label(self, booking: BookedShipment) -> bytes:
        raise self._unsupported(
            "label reprints",
            "PostNord returns the label once, inside the booking answer; use the stored copy",
        )

    def cancel(self, booking: BookedShipment) -> None:
        raise self._unsupported(
            "cancelling bookings",
            "PostNord has no cancel API. Ops must cancel the shipment manually in the PostNord portal "
            f"(item {booking.tracking_number}) and destroy the printed label",
        )
