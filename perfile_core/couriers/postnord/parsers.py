"""Pure parsers for PostNord answers: booking (ediLabelResponse), Track & Trace v7, errors."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from perfile_core.couriers.base import BookedShipment
from perfile_core.domain.courier_mappings import normalize
from perfile_core.domain.couriers import tracking_url
from perfile_core.domain.errors import CourierError
from perfile_core.domain.tracking_event import TrackingEvent

LOCAL = ZoneInfo("Europe/Stockholm")  # Track & Trace times carry no offset: they are local


class Unreadable(ValueError):
    """The answer does not have the documented shape."""


def error_text(body: Any) -> str | None:
    """PostNord faults: `{"compositeFault": {"faults": [{"faultCode", "explanationText"}]}}`."""
    if not isinstance(body, dict):
        return None
    faults = (body.get("compositeFault") or {}).get("faults") or []
    texts = [f.get("explanationText") or f.get("faultCode") for f in faults if isinstance(f, dict)]
    return "; ".join(t for t in texts if t) or None


def _messages(entry: dict[str, Any]) -> str:
    found = []
    for message in entry.get("messages") or []:
        if isinstance(message, dict):
            found.append(message.get("message") or message.get("description") or message.get("code") or "")
        elif isinstance(message, str):
            found.append(message)
    return "; ".join(m for m in found if m) or "no reason given"


def parse_booking(body: Any, service: str) -> BookedShipment:
    """The booking, or CourierError for a per-item FAIL inside the 200 answer."""
    if not isinstance(body, dict) or not isinstance(body.get("bookingResponse"), dict):
        raise Unreadable("bookingResponse is missing")
    infos = body["bookingResponse"].get("idInformation") or []
    printouts = body.get("labelPrintout") or []
    failed = [i for i in infos if isinstance(i, dict) and i.get("status") != "OK"]
    failed += [
        item
        for p in printouts
        if isinstance(p, dict)
        for item in p.get("itemIds") or []
        if isinstance(item, dict) and item.get("status") not in (None, "OK")
    ]
    if failed:
        raise CourierError(
            "postnord",
            f"PostNord refused the shipment: {_messages(failed[0])}. The order was not changed; correct "
            f"the address, weight or service and book again",
        )
    item_ids = [
        i["value"]
        for info in infos
        for i in info.get("ids") or []
        if isinstance(i, dict) and i.get("idType") == "itemId" and i.get("value")
    ]
    if not item_ids:
        raise Unreadable("no itemId in idInformation")
    number = item_ids[0]
    urls = [u.get("url") for info in infos for u in info.get("urls") or [] if u.get("type") == "TRACKING"]
    return BookedShipment(
        courier="postnord",
        service=service,
        tracking_number=number,
        courier_reference=str(body["bookingResponse"].get("bookingId") or number),
        label_pdf=_label(printouts),
        tracking_url=urls[0] if urls else tracking_url("postnord", number),
        metadata={"item_ids": item_ids},
    )


def _label(printouts: list[Any]) -> bytes:
    for printout in printouts:
        data = ((printout or {}).get("printout") or {}).get("data")
        if data:
            try:
                pdf = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise Unreadable("the label is not valid base64") from None
            if not pdf.startswith(b"%PDF"):
                raise Unreadable("the label is not a PDF")
            return pdf
    raise Unreadable("no label in labelPrintout")


def _local_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL)
    return parsed.astimezone(UTC)


def _day(value: Any) -> date | None:
    return datetime.fromisoformat(value).date() if isinstance(value, str) and value else None


def event_id(item_id: str, event: dict[str, Any]) -> str:
    """Deterministic: the same scan polled twice gets the same id (dedupe on courier + id)."""
    key = "|".join(str(event.get(k) or "") for k in ("eventTime", "eventCode", "status", "eventDescription"))
    return f"pn-{item_id}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def parse_tracking(body: Any, tracking_number: str) -> list[TrackingEvent]:
    try:
        shipments = body["TrackingInformationResponse"]["shipments"]
    except (KeyError, TypeError):
        raise Unreadable("TrackingInformationResponse.shipments is missing") from None
    events: list[TrackingEvent] = []
    for shipment in shipments or []:
        for item in shipment.get("items") or []:
            item_id = item.get("itemId") or tracking_number
            if item_id != tracking_number and shipment.get("shipmentId") != tracking_number:
                continue
            eta = _day(item.get("estimatedTimeOfArrival") or shipment.get("estimatedTimeOfArrival"))
            scans = sorted(item.get("events") or [], key=lambda e: e.get("eventTime") or "")
            for index, scan in enumerate(scans):
                raw = str(scan.get("status") or scan.get("eventCode") or "OTHER")
                mapped = normalize("postnord", raw)
                location = scan.get("location") or {}
                place = ", ".join(
                    p for p in (location.get("city") or location.get("name"), location.get("countryCode")) if p
                )
                events.append(
                    TrackingEvent(
                        courier="postnord",
                        tracking_number=tracking_number,
                        event_id=event_id(item_id, scan),
                        occurred_at=_local_time(scan["eventTime"]),
                        status=mapped.status,
                        exception_reason=mapped.reason,
                        raw_code=raw,
                        raw_status=scan.get("eventCode"),
                        description=scan.get("eventDescription"),
                        location=place or None,
                        estimated_delivery=eta if index == len(scans) - 1 else None,
                        raw_payload=scan,
                    )
                )
    return events
