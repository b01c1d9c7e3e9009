"""DHL account settings: the DHL-API-Key and base URL from courier_accounts."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BASE_URL = "https://api-eu.dhl.com"
TRACKING_PATH = "/track/shipments"


@dataclass(frozen=True)
class DhlSettings:
    api_key: str
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 10.0
    retries: int = 2

    def headers(self) -> dict[str, str]:
        return {"DHL-API-Key": self.api_key, "Accept": "application/json"}
