"""The one module that talks HTTP to Bring (injected session, timeouts, bounded retries)."""

from __future__ import annotations

from typing import Any

import requests

from perfile_core.couriers.base import Shipment
from perfile_core.couriers.bring import builders
from perfile_core.couriers.bring.parsers import error_text
from perfile_core.couriers.bring.settings import BringSettings
from perfile_core.couriers.http import CourierHttp

MAX_LABEL_BYTES = 10 * 1024 * 1024


class BringClient:
    def __init__(self, settings: BringSettings, session: requests.Session) -> None:
        self.settings = settings
        self.http = CourierHttp("bring", session, settings.base_url, settings.timeout, settings.retries)

    def _call(self, method: str, path: str, operation: str, *, idempotent: bool, **kwargs: Any) -> Any:
        response = self.http.send(
            method,
            path,
            operation=operation,
            idempotent=idempotent,
            error_text=error_text,
            headers=self.settings.headers(),
            **kwargs,
        )
        return self.http.json(response, operation)

    def quote(self, shipment: Shipment, services: list[str]) -> Any:
        # A price query creates nothing, so retrying it is safe although it is a POST.
        body = builders.quote_request(shipment, self.settings, services)
        return self._call("POST", builders.QUOTE_PATH, "quote", idempotent=True, json=body)

    def book(self, shipment: Shipment) -> Any:
        body = builders.booking_request(shipment, self.settings)
        return self._call("POST", builders.BOOKING_PATH, "booking", idempotent=False, json=body)

    def label(self, url: str) -> bytes:
        """The label URL answers 302 to storage; follow it. The URL carries its own token, so
        our API headers are not sent (they would follow the redirect to another host)."""
        response = self.http.send("GET", url, operation="label download", idempotent=True, allow_redirects=True)
        content = response.content
        if len(content) > MAX_LABEL_BYTES or not content.startswith(b"%PDF"):
            raise self.http.unreadable("label download", "the label is not a PDF")
        return content

    def track(self, number: str) -> Any:
        return self._call("GET", builders.TRACKING_PATH, "tracking", idempotent=True, params={"q": number})

    def cancel(self, consignment_number: str) -> None:
        self.http.send(
            "POST",
            self.settings.cancel_path,
            operation="cancellation",
            idempotent=False,
            error_text=error_text,
            headers=self.settings.headers(),
            json=builders.cancel_request(consignment_number, self.settings),
        )
