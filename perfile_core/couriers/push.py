"""Which push format each courier uses when it calls our webhook."""

from __future__ import annotations

from enum import StrEnum

from perfile_core.couriers.formats import standard_webhooks
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import ValidationError


class PushFormat(StrEnum):
    BRING_EVENT_CAST = "bring_event_cast"  # Bring's own callback, secret header
    UNIFIED = "unified"  # our unified event under Standard Webhooks


PUSH_FORMATS: dict[str, PushFormat] = {"bring": PushFormat.BRING_EVENT_CAST}


def push_format(courier: str) -> PushFormat | None:
    """The format for a courier code; None when we do not know the courier at all."""
    if courier not in COURIER_NAMES:
        return None
    return PUSH_FORMATS.get(courier, PushFormat.UNIFIED)


def checked_webhook_secret(courier: str, secret: str) -> str:
    """A courier's webhook secret as it may be stored, per its push format: Standard Webhooks
    (`whsec_` + base64) for the unified format; for Bring Event Cast the plain value of our
    secret header, trimmed (HTTP drops surrounding space from header values)."""
    if push_format(courier) is PushFormat.UNIFIED:
        return standard_webhooks.checked_secret(secret)
    value = secret.strip()
    if not value:
        raise ValidationError("webhook_secret", "cannot be empty")
    return value
