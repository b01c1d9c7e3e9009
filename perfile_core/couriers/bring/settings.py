"""Bring account settings from courier_accounts: Mybring user id + API key, customer number."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perfile_core.couriers.base import ServiceInfo

DEFAULT_BASE_URL = "https://api.bring.com"
SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo("HOME_DELIVERY_PARCEL", "Home delivery parcel", "home", 35_000),
    ServiceInfo("PICKUP_PARCEL", "Pickup parcel (service point)", "service_point", 20_000),
    ServiceInfo("BUSINESS_PARCEL", "Business parcel", "business", 35_000),
)
# Bring's numeric product ids for the product names in our contract.
PRODUCT_IDS = {"HOME_DELIVERY_PARCEL": "5600", "PICKUP_PARCEL": "5800", "BUSINESS_PARCEL": "5000"}


@dataclass(frozen=True)
class BringSettings:
    uid: str  # X-MyBring-API-Uid: the Mybring login (e-mail)
    api_key: str
    customer_number: str
    client_url: str = "https://perfile.local"  # X-Bring-Client-URL: identifies our integration
    base_url: str = DEFAULT_BASE_URL
    test_indicator: bool = False  # Bring books test consignments when true
    cancel_path: str = "/booking-api/api/booking/cancel"
    product_ids: dict[str, str] = field(default_factory=lambda: dict(PRODUCT_IDS))
    timeout: float = 10.0
    retries: int = 2

    @classmethod
    def from_account(
        cls,
        api_key: str | None,
        base_url: str | None,
        settings: dict[str, Any],
        credentials: dict[str, Any],
        *,
        timeout: float,
        retries: int,
    ) -> BringSettings:
        return cls(
            uid=str(credentials.get("uid") or settings.get("uid") or ""),
            api_key=api_key or "",
            customer_number=str(credentials.get("customer_number") or settings.get("customer_number") or ""),
            client_url=str(settings.get("client_url", "https://perfile.local")),
            base_url=base_url or DEFAULT_BASE_URL,
            test_indicator=bool(settings.get("test_indicator", False)),
            cancel_path=str(settings.get("cancel_path", "/booking-api/api/booking/cancel")),
            product_ids={**PRODUCT_IDS, **(settings.get("product_ids") or {})},
            timeout=timeout,
            retries=retries,
        )

    def headers(self) -> dict[str, str]:
        return {
            "X-MyBring-API-Uid": self.uid,
            "X-MyBring-API-Key": self.api_key,
            "X-Bring-Client-URL": self.client_url,
            "Accept": "application/json",
        }
