"""The sandbox courier's network, for the demo: a deterministic journey per shipment, sent
to our receiver as signed unified events (contract section 2), with the occasional delay
and failed delivery attempt.

Pure parts: `journey` (what happens to a shipment, and when) and `event_body`. The demo sends
the steps sooner than they happen (services/sandbox_simulation.py, `speed`), dated as they happen.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from perfile_core.couriers.calendar import add_business_days

CITY = {"1": "Stockholm", "2": "Malmö", "4": "Göteborg", "5": "Jönköping", "7": "Uppsala", "9": "Umeå"}
LOCAL = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class Step:
    after: timedelta  # courier time after booking
    status: str  # our status name (the sandbox speaks it natively)
    reason: str | None
    description: str
    city: str


def _roll(tracking_number: str) -> int:
    return int(hashlib.sha256(tracking_number.encode()).hexdigest()[:4], 16) % 100


def journey(tracking_number: str, service: str, booked_at: datetime, eta: date, postal_code: str) -> list[Step]:
    """About 1 in 10 shipments is delayed a day, about 1 in 14 has a failed delivery attempt."""
    roll = _roll(tracking_number)
    city = CITY.get((postal_code or "1")[:1], "Stockholm")

    def at(day: date, hour: int) -> timedelta:
        return datetime.combine(day, time(hour), LOCAL) - booked_at

    final_day = eta
    steps = [
        Step(timedelta(hours=2), "picked_up", None, "The parcel was picked up from the sender", "Stockholm"),
        Step(timedelta(hours=9), "in_transit", None, "The parcel is at the sorting terminal", "Stockholm"),
    ]
    if roll < 10:
        steps.append(Step(at(eta, 9), "exception", "delayed", "The parcel is delayed in the terminal", city))
        final_day = add_business_days(eta, 1)
    if service == "home":
        steps.append(Step(at(final_day, 7), "out_for_delivery", None, "The parcel is out for delivery", city))
        if 10 <= roll < 17:
            steps.append(
                Step(at(final_day, 15), "exception", "failed_attempt", "Nobody was home; we will try again", city)
            )
            final_day = add_business_days(final_day, 1)
            steps.append(Step(at(final_day, 7), "out_for_delivery", None, "Second delivery attempt", city))
        steps.append(Step(at(final_day, 13), "delivered", None, "The parcel was delivered", city))
    else:
        where = "parcel locker" if service == "locker" else "service point"
        steps.append(Step(at(final_day, 8), "ready_for_pickup", None, f"The parcel is at the {where}", city))
        steps.append(Step(at(final_day, 17), "delivered", None, f"Collected from the {where}", city))
    return sorted(steps, key=lambda s: s.after)


def event_id(tracking_number: str, index: int) -> str:
    return f"sbx_{tracking_number}_{index}"


def event_body(tracking_number: str, step: Step, occurred_at: datetime, estimated: date | None) -> bytes:
    stamp = occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = {
        "courier": "sandbox",
        "tracking_number": tracking_number,
        "status": step.status,
        "raw_status": f"exception:{step.reason}" if step.reason else step.status,
        "occurred_at": stamp,
        "description": step.description,
        "location": {"city": step.city, "country_code": "SE"},
    }
    if step.reason:
        data["exception_reason"] = step.reason
    if estimated is not None:
        data["estimated_delivery"] = estimated.isoformat()
    return json.dumps({"type": "shipment.status_updated", "timestamp": stamp, "data": data}).encode()
