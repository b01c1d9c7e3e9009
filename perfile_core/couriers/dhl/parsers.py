"""Pure parser for DHL unified tracking answers (`shipments[].events[]`)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from perfile_core.domain.courier_mappings import normalize
from perfile_core.domain.tracking_event import TrackingEvent


class Unreadable(ValueError):
    """The answer does not have the documented shape."""


def error_text(body: Any) -> str | None:
    """DHL problem details: `{"title", "status", "detail"}`."""
    if isinstance(body, dict):
        return body.get("detail") or body.get("title")
    return None


def event_id(number: str, event: dict[str, Any]) -> str:
    key = "|".join(str(event.get(k) or "") for k in ("timestamp", "statusCode", "status", "description"))
    return f"dhl-{number}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def _place(event: dict[str, Any]) -> str | None:
    address = (event.get("location") or {}).get("address") or {}
    return ", ".join(p for p in (address.get("addressLocality"), address.get("countryCode")) if p) or None


def parse_tracking(body: Any, tracking_number: str) -> list[TrackingEvent]:
    if not isinstance(body, dict) or not isinstance(body.get("shipments"), list):
        raise Unreadable("shipments is missing")
    events = []
    for shipment in body["shipments"]:
        eta_text = shipment.get("estimatedTimeOfDelivery")
        eta = datetime.fromisoformat(eta_text).date() if eta_text else None
        scans = sorted(shipment.get("events") or [], key=lambda e: e.get("timestamp") or "")
        for index, scan in enumerate(scans):
            # Express codes (PU, WC) ride in `status`; the unified statusCode is the fallback.
            express = normalize("dhl", str(scan.get("status") or ""))
            mapped = express if express.status is not None else normalize("dhl", str(scan.get("statusCode")))
            occurred = datetime.fromisoformat(scan["timestamp"])
            events.append(
                TrackingEvent(
                    courier="dhl",
                    tracking_number=tracking_number,
                    event_id=event_id(tracking_number, scan),
                    occurred_at=(occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)).astimezone(UTC),
                    status=mapped.status,
                    exception_reason=mapped.reason,
                    raw_code=str(scan.get("statusCode") or "unknown"),
                    raw_status=scan.get("status"),
                    description=scan.get("description") or scan.get("status"),
                    location=_place(scan),
                    estimated_delivery=eta if index == len(scans) - 1 else None,
                    raw_payload=scan,
                )
            )
    return events
