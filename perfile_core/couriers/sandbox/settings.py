"""Sandbox settings, read from the `sandbox` courier account when there is one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_SENDER_COUNTRY = "SE"


@dataclass(frozen=True)
class SandboxSettings:
    sender_country: str = DEFAULT_SENDER_COUNTRY
    currency: str = "SEK"
    latency_seconds: float = 0.0  # simulated answer time (demo realism; 0 in tests)
    webhook_secrets: tuple[str, ...] = ()

    @classmethod
    def from_account(cls, settings: dict[str, Any], webhook_secrets: tuple[str, ...] = ()) -> SandboxSettings:
        return cls(
            sender_country=str(settings.get("sender_country", DEFAULT_SENDER_COUNTRY)).upper(),
            currency=str(settings.get("currency", "SEK")),
            latency_seconds=float(settings.get("latency_seconds", 0.0)),
            webhook_secrets=webhook_secrets,
        )
