"""PostNord account settings: API key, base URL and the rate table, from courier_accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perfile_core.couriers.base import ServiceInfo

DEFAULT_BASE_URL = "https://api2.postnord.com"
SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo("17", "MyPack Home", "home", 20_000),
    ServiceInfo("19", "MyPack Collect", "service_point", 20_000),
    ServiceInfo("18", "Parcel", "business", 35_000),
)


@dataclass(frozen=True)
class PostNordSettings:
    api_key: str
    base_url: str = DEFAULT_BASE_URL
    customer_number: str = ""  # consignor party id (our PostNord customer number)
    issuer_code: str = "Z12"  # Z12 = PostNord Sweden
    application_id: int = 1438
    paper_size: str = "LABEL"  # 10x15 cm thermal label
    locale: str = "en"
    rates: list[dict[str, Any]] = field(default_factory=list)
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
    ) -> PostNordSettings:
        return cls(
            api_key=api_key or "",
            base_url=base_url or DEFAULT_BASE_URL,
            customer_number=str(credentials.get("customer_number") or settings.get("customer_number") or ""),
            issuer_code=str(settings.get("issuer_code", "Z12")),
            application_id=int(settings.get("application_id", 1438)),
            paper_size=str(settings.get("paper_size", "LABEL")),
            rates=list(settings.get("rates") or []),
            timeout=timeout,
            retries=retries,
        )
