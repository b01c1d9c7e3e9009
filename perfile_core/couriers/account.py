"""A courier account as adapters are built from it: base URL, credentials, secrets (decrypted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    secret_rotated_at: datetime | None = None
    previous_secret_until: datetime | None = None  # the previous webhook secret verifies until then

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """Current and previous secret (both verify during a rotation)."""
        return tuple(s for s in (self.webhook_secret, self.webhook_secret_previous) if s)
