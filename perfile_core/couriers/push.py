"""Which push format each courier uses when it calls our webhook."""

from __future__ import annotations

from enum import StrEnum

from perfile_core.domain.couriers import COURIER_NAMES


class PushFormat(StrEnum):
    BRING_EVENT_CAST = "bring_event_cast"  # Bring's own callback, secret header
    UNIFIED = "unified"  # our unified event under Standard Webhooks


PUSH_FORMATS: dict[str, PushFormat] = {"bring": PushFormat.BRING_EVENT_CAST}


def push_format(courier: str) -> PushFormat | None:
    """The format for a courier code; None when we do not know the courier at all."""
    if courier not in COURIER_NAMES:
        return None
    return PUSH_FORMATS.get(courier, PushFormat.UNIFIED)
