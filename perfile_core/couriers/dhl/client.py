"""The one module that talks HTTP to DHL."""

from __future__ import annotations

from typing import Any

import requests

from perfile_core.couriers.dhl.parsers import error_text
from perfile_core.couriers.dhl.settings import TRACKING_PATH, DhlSettings
from perfile_core.couriers.http import CourierHttp


class DhlClient:
    def __init__(self, settings: DhlSettings, session: requests.Session) -> None:
        self.settings = settings
        self.http = CourierHttp("dhl", session, settings.base_url, settings.timeout, settings.retries)

    def track(self, number: str) -> Any:
        response = self.http.send(
            "GET",
            TRACKING_PATH,
            operation="tracking",
            idempotent=True,
            error_text=error_text,
            headers=self.settings.headers(),
            params={"trackingNumber": number},
        )
        return self.http.json(response, "tracking")
