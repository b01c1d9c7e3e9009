"""DHL behind the courier interface: tracking only (poll the unified tracking API)."""

from __future__ import annotations

from perfile_core.couriers.base import CourierAdapter
from perfile_core.couriers.dhl import parsers
from perfile_core.couriers.dhl.client import DhlClient
from perfile_core.domain.errors import CourierError
from perfile_core.domain.tracking_event import TrackingEvent


class DhlCourier(CourierAdapter):
    code = "dhl"
    pushes_tracking = False

    def __init__(self, client: DhlClient, webhook_secrets: tuple[str, ...] = ()) -> None:
        self.client = client
        self.webhook_secrets = webhook_secrets

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        try:
            body = self.client.track(tracking_number)
        except CourierError as exc:
            if "HTTP 404" in exc.detail:
                return []  # DHL does not know the number yet
            raise
        try:
            return parsers.parse_tracking(body, tracking_number)
        except (parsers.Unreadable, KeyError, ValueError) as exc:
            raise self.client.http.unreadable("tracking", str(exc)) from None
