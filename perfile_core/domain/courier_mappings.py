"""Per-courier tables that map a courier's raw status codes onto our status model.

Data, not code: adding a code is one line. Source: shared contracts, section 3.
A code that no table knows is informational (kept on the timeline, changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from perfile_core.domain.status import ExceptionReason, Status

R = ExceptionReason


@dataclass(frozen=True)
class MappedStatus:
    status: Status | None  # None = informational
    reason: ExceptionReason | None = None


def _m(status: Status | None, reason: ExceptionReason | None = None) -> MappedStatus:
    return MappedStatus(status, reason)


INFORMATIONAL = MappedStatus(None)

POSTNORD: dict[str, MappedStatus] = {
    "CREATED": _m(Status.CONFIRMED),
    "INFORMED": _m(Status.CONFIRMED),
    "EN_ROUTE": _m(Status.IN_TRANSIT),  # the first one after booking is a pickup: see normalize()
    "AVAILABLE_FOR_DELIVERY": _m(Status.READY_FOR_PICKUP),
    "AVAILABLE_FOR_DELIVERY_PAR_LOC": _m(Status.READY_FOR_PICKUP),
    "DELIVERED": _m(Status.DELIVERED),
    "DELAYED": _m(Status.EXCEPTION, R.DELAYED),
    "EXPECTED_DELAY": _m(Status.EXCEPTION, R.DELAYED),
    "DELIVERY_IMPOSSIBLE": _m(Status.EXCEPTION, R.FAILED_ATTEMPT),
    "DELIVERY_REFUSED": _m(Status.EXCEPTION, R.REFUSED),
    "STOPPED": _m(Status.EXCEPTION, R.ON_HOLD),
    "RETURNED": _m(Status.RETURNED),
    "OTHER": INFORMATIONAL,
}

BRING: dict[str, MappedStatus] = {
    "PRE_NOTIFIED": _m(Status.CONFIRMED),
    "HANDED_IN": _m(Status.PICKED_UP),
    "COLLECTED": _m(Status.PICKED_UP),
    "IN_TRANSIT": _m(Status.IN_TRANSIT),
    "TERMINAL": _m(Status.IN_TRANSIT),
    "INTERNATIONAL": _m(Status.IN_TRANSIT),
    "CUSTOMS": _m(Status.IN_TRANSIT),
    "TRANSPORT_TO_RECIPIENT": _m(Status.OUT_FOR_DELIVERY),
    "READY_FOR_PICKUP": _m(Status.READY_FOR_PICKUP),
    "DELIVERED": _m(Status.DELIVERED),
    "DEVIATION": _m(Status.EXCEPTION, R.DELAYED),
    "ATTEMPTED_DELIVERY": _m(Status.EXCEPTION, R.FAILED_ATTEMPT),
    "RETURN": _m(Status.RETURNED),
    "DELIVERED_SENDER": _m(Status.RETURNED),
    "NOTIFICATION_SENT": INFORMATIONAL,
    "DELIVERY_CHANGED": INFORMATIONAL,
    "DELIVERY_ORDERED": INFORMATIONAL,
    "DELIVERY_CANCELLED": INFORMATIONAL,
    "UNKNOWN": INFORMATIONAL,
}

DHL: dict[str, MappedStatus] = {
    "pre-transit": _m(Status.CONFIRMED),
    "transit": _m(Status.IN_TRANSIT),
    "delivered": _m(Status.DELIVERED),
    "failure": _m(Status.EXCEPTION, R.FAILED_ATTEMPT),
    "unknown": INFORMATIONAL,
    # DHL Express event codes that the unified API passes through in `status`.
    "PU": _m(Status.PICKED_UP),
    "WC": _m(Status.OUT_FOR_DELIVERY),
}

# karrio's tracker statuses: what aggregators (and our unified format's raw_status) speak.
KARRIO: dict[str, MappedStatus] = {
    "pending": _m(Status.CONFIRMED),
    "picked_up": _m(Status.PICKED_UP),
    "in_transit": _m(Status.IN_TRANSIT),
    "out_for_delivery": _m(Status.OUT_FOR_DELIVERY),
    "ready_for_pickup": _m(Status.READY_FOR_PICKUP),
    "delivered": _m(Status.DELIVERED),
    "delivery_delayed": _m(Status.EXCEPTION, R.DELAYED),
    "delivery_failed": _m(Status.EXCEPTION, R.FAILED_ATTEMPT),
    "on_hold": _m(Status.EXCEPTION, R.ON_HOLD),
    "return_to_sender": _m(Status.RETURNED),
    "unknown": INFORMATIONAL,
}

# The sandbox courier speaks our own status names as raw codes.
SANDBOX: dict[str, MappedStatus] = {
    **{s.value: _m(s) for s in Status if s not in (Status.PENDING, Status.EXCEPTION)},
    **{f"exception:{r.value}": _m(Status.EXCEPTION, r) for r in ExceptionReason},
    "notification_sent": INFORMATIONAL,
}

MAPPINGS: dict[str, dict[str, MappedStatus]] = {
    "postnord": POSTNORD,
    "bring": BRING,
    "dhl": DHL,
    "sandbox": SANDBOX,
    "aggregator": KARRIO,
}


def normalize(courier: str, raw_code: str, *, picked_up_yet: bool = True) -> MappedStatus:
    """Map a courier's raw code to our status; unknown codes are informational.

    PostNord has no pickup code: its first EN_ROUTE after booking is the pickup.
    """
    table = MAPPINGS.get(courier, KARRIO)
    mapped = table.get(raw_code) or table.get(raw_code.upper()) or INFORMATIONAL
    if courier == "postnord" and raw_code == "EN_ROUTE" and not picked_up_yet:
        return _m(Status.PICKED_UP)
    return mapped


def parse_unified_status(value: str, reason: str | None) -> MappedStatus:
    """Our unified event carries our own status name; validate it strictly."""
    status = Status(value)  # raises ValueError for an unknown name
    if status == Status.EXCEPTION:
        return _m(status, ExceptionReason(reason) if reason else ExceptionReason.OTHER)
    return _m(status)


def status_in_context(courier: str, raw_code: str | None, status: Status | None, picked_up_yet: bool) -> Status | None:
    """Adjust a mapped status with what only the order knows (PostNord's first EN_ROUTE)."""
    if courier == "postnord" and raw_code == "EN_ROUTE":
        return normalize(courier, raw_code, picked_up_yet=picked_up_yet).status
    return status
