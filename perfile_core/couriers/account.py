"""A courier account as adapters are built from it: base URL, credentials, secrets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CourierAccount:
    code: str
    api_key: str | None
    base_url: str | None
    webhook_secret: str | None
    webhook_secret_previous: str | None
    credentials: dict[str, Any]
    settings: dict[str, Any]
    enabled: bool

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """Current and previous secret (both verify during a rotation)."""
        return tuple(s for s in (self.webhook_secret, self.webhook_secret_previous) if s)
