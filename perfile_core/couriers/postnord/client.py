"""The one module that talks HTTP to PostNord (injected session, timeouts, bounded retries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from perfile_core.couriers.base import Shipment
from perfile_core.couriers.http import CourierHttp
from perfile_core.couriers.postnord import builders
from perfile_core.couriers.postnord.parsers import error_text
from perfile_core.couriers.postnord.settings import PostNordSettings


class PostNordClient:
    def __init__(self, settings: PostNordSettings, session: requests.Session) -> None:
        self.settings = settings
        self.http = CourierHttp("postnord", session, settings.base_url, settings.timeout, settings.retries)

    def book(self, shipment: Shipment, now: datetime) -> Any:
        """Never retried: a repeated POST could create a second shipment."""
        response = self.http.send(
            "POST",
            builders.BOOKING_PATH,
            operation="booking",
            idempotent=False,
            error_text=error_text,
            params=builders.booking_params(self.settings),
            json=builders.edi_instruction(shipment, self.settings, now),
        )
        return self.http.json(response, "booking")

    def track(self, tracking_number: str) -> Any:
        path = builders.TRACKING_PATH.format(id=quote(tracking_number, safe=""))
        response = self.http.send(
            "GET",
            path,
            operation="tracking",
            idempotent=True,
            error_text=error_text,
            params=builders.tracking_params(self.settings),
        )
        return self.http.json(response, "tracking")
