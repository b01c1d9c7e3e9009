"""Bring Event Cast callbacks: `{status, id, shipment, package, created, pushed}`.

Event Cast does not sign its callbacks. At subscription time we configure a custom header,
`X-Perfile-Secret`, whose value is the bring courier account's webhook secret.
"""

from __future__ import annotations

from typing import Any

from perfile_core.couriers.formats import common
from perfile_core.domain.courier_mappings import normalize
from perfile_core.domain.errors import PayloadError
from perfile_core.domain.tracking_event import TrackingEvent

SECRET_HEADER = "X-Perfile-Secret"
MAX_EVENT_ID = 150


def event_id(payload: dict[str, Any]) -> str:
    value = common.require(payload, "id")
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise PayloadError("id: must be a non-empty string")
    if len(str(value)) > MAX_EVENT_ID:
        raise PayloadError(f"id: longer than {MAX_EVENT_ID} characters")
    return common.identifier(str(value).strip(), "id")


def parse_event(payload: dict[str, Any], *, tracking_number: str | None = None) -> TrackingEvent:
    """The callback as a TrackingEvent for the consignment (the number a Bring booking returns).

    `tracking_number` overrides it when an order carries the package number instead.
    """
    raw_code = common.text(common.require(payload, "status"), "status", max_length=100, required=True)
    assert raw_code is not None
    consignment = common.tracking_number(common.require(payload, "shipment"), "shipment")
    package = payload.get("package")
    package_number = common.tracking_number(package, "package") if package is not None else None
    mapped = normalize("bring", raw_code)
    return TrackingEvent(
        courier="bring",
        tracking_number=tracking_number or consignment,
        event_id=event_id(payload),
        occurred_at=common.timestamp(common.require(payload, "created"), "created"),
        status=mapped.status,
        exception_reason=mapped.reason,
        raw_code=raw_code,
        raw_status=raw_code,
        description=raw_code.replace("_", " ").capitalize(),
        metadata={"bring_package_number": package_number} if package_number else {},
        # No raw_payload: the receiver keeps the delivery byte-exact in webhook_inbox
        # (dedupe key courier:event_id); a second copy per event only cost write time.
    )


def candidate_numbers(payload: dict[str, Any]) -> list[str]:
    """Numbers an order may carry for this callback: consignment first, then package."""
    numbers = []
    for key in ("shipment", "package"):
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            numbers.append(common.normalize_tracking_number(value))
    return numbers
