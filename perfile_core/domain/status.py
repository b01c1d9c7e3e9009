"""The shipment status model: one list of statuses, their order, and the forward-only rule.

Everything that needs to know what a status means (badges, filters, the event
applier, the receiver, the booking service) asks this module.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class ExceptionReason(StrEnum):
    DELAYED = "delayed"
    FAILED_ATTEMPT = "failed_attempt"
    REFUSED = "refused"
    ADDRESS_ISSUE = "address_issue"
    DAMAGED = "damaged"
    LOST = "lost"
    CUSTOMS_HOLD = "customs_hold"
    ON_HOLD = "on_hold"
    OTHER = "other"


class EventKind(StrEnum):
    """What a normalized tracking event does to a shipment."""

    MAIN_LINE = "main_line"  # moves the shipment along the main line
    EXCEPTION = "exception"  # raises an exception (side state)
    TERMINAL_SIDE = "terminal_side"  # returned / cancelled
    INFORMATIONAL = "informational"  # joins the timeline only


MAIN_LINE: tuple[Status, ...] = (
    Status.PENDING,
    Status.CONFIRMED,
    Status.PICKED_UP,
    Status.IN_TRANSIT,
    Status.OUT_FOR_DELIVERY,
    Status.READY_FOR_PICKUP,
    Status.DELIVERED,
)
_RANK = {status: index for index, status in enumerate(MAIN_LINE)}

TERMINAL: frozenset[Status] = frozenset({Status.DELIVERED, Status.RETURNED, Status.CANCELLED})
# "Active" means the parcel is physically in the courier's network.
ACTIVE_MAIN_LINE: frozenset[Status] = frozenset(
    {Status.PICKED_UP, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.READY_FOR_PICKUP}
)
# Statuses shown with the blue "in transit" badge family.
IN_TRANSIT_FAMILY = ACTIVE_MAIN_LINE

STATUS_LABELS: dict[Status, str] = {
    Status.PENDING: "Pending",
    Status.CONFIRMED: "Confirmed",
    Status.PICKED_UP: "Picked up",
    Status.IN_TRANSIT: "In transit",
    Status.OUT_FOR_DELIVERY: "Out for delivery",
    Status.READY_FOR_PICKUP: "Ready for pickup",
    Status.DELIVERED: "Delivered",
    Status.EXCEPTION: "Exception",
    Status.RETURNED: "Returned",
    Status.CANCELLED: "Cancelled",
}


class BadgeColor(StrEnum):
    GREEN = "green"
    BLUE = "blue"
    ORANGE = "orange"
    RED = "red"
    GRAY = "gray"


def rank(status: Status) -> int:
    """Position on the main line; raises for side states, which have none."""
    try:
        return _RANK[status]
    except KeyError:
        raise ValueError(f"{status} is not on the main line") from None


def is_main_line(status: Status) -> bool:
    return status in _RANK


def badge_color(status: Status, has_tracking: bool) -> BadgeColor:
    """Badge colors from the product spec; an order without tracking is gray."""
    if status == Status.EXCEPTION:
        return BadgeColor.RED
    if status == Status.DELIVERED:
        return BadgeColor.GREEN
    if status in IN_TRANSIT_FAMILY:
        return BadgeColor.BLUE
    if status in (Status.RETURNED, Status.CANCELLED):
        return BadgeColor.GRAY
    if not has_tracking:
        return BadgeColor.GRAY
    return BadgeColor.ORANGE


def event_kind(status: Status | None) -> EventKind:
    if status is None:
        return EventKind.INFORMATIONAL
    if status == Status.EXCEPTION:
        return EventKind.EXCEPTION
    if status in (Status.RETURNED, Status.CANCELLED):
        return EventKind.TERMINAL_SIDE
    return EventKind.MAIN_LINE


@dataclass(frozen=True)
class ShipmentState:
    """The parts of an order that the forward-only rule reads and writes.

    The rule is built from max() operations over event facts, so applying the same
    events in any order (or twice) ends in the same state, except that the first
    terminal status reached never reverts.
    """

    status: Status = Status.PENDING
    main_status: Status = Status.PENDING  # furthest main-line status reached
    main_status_at: datetime | None = None  # newest main-line event time
    exception_reason: ExceptionReason | None = None
    exception_at: datetime | None = None  # newest exception event time
    shipped_at: datetime | None = None  # first time seen in the courier network
    delivered_at: datetime | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def derived_status(self) -> Status:
        if self.is_terminal:
            return self.status
        # Only a strictly newer main-line event clears an exception; on a tie the
        # exception stays visible, so an operator looks rather than misses it.
        if self.exception_at is not None and (self.main_status_at is None or self.exception_at >= self.main_status_at):
            return Status.EXCEPTION
        return self.main_status


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def _earlier(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b < a else a


def apply_event(
    state: ShipmentState,
    status: Status | None,
    occurred_at: datetime,
    reason: ExceptionReason | None = None,
) -> ShipmentState:
    """Apply one normalized event under the forward-only rule and return the new state.

    - main-line events only move forward; an older or lower one changes nothing;
    - an exception holds until a main-line event newer than it arrives;
    - terminal statuses (delivered, returned, cancelled) never revert, though later
      events still record their facts (shipped_at, exceptions), so arrival order does not matter;
    - informational events (status None) change nothing.
    """
    kind = event_kind(status)
    if kind == EventKind.INFORMATIONAL:
        return state
    new = state
    if kind == EventKind.MAIN_LINE:
        assert status is not None
        if rank(status) >= rank(Status.PICKED_UP):
            new = replace(new, shipped_at=_earlier(new.shipped_at, occurred_at))
        if rank(status) > rank(new.main_status):
            new = replace(new, main_status=status)
        new = replace(new, main_status_at=_later(new.main_status_at, occurred_at))
        if status == Status.DELIVERED and state.status not in (Status.RETURNED, Status.CANCELLED):
            new = replace(new, delivered_at=_earlier(new.delivered_at, occurred_at))
    elif kind == EventKind.EXCEPTION:
        if new.exception_at is None or occurred_at > new.exception_at:
            new = replace(new, exception_at=occurred_at, exception_reason=reason or ExceptionReason.OTHER)
    elif not state.is_terminal:  # returned / cancelled
        assert status is not None
        return replace(new, status=status)
    if state.is_terminal:
        # The status never reverts, but the facts still count: events arrive out of
        # order, and a pickup reported after the delivery must still set shipped_at.
        return new
    if new.main_status == Status.DELIVERED:
        return replace(new, status=Status.DELIVERED)
    return replace(new, status=new.derived_status())


def progress_percent(state_status: Status, main_status: Status) -> int:
    """0-100 along the main line; exceptions show how far the parcel had come."""
    if state_status == Status.CANCELLED:
        return 0
    if state_status in (Status.DELIVERED, Status.RETURNED):
        return 100
    return round(rank(main_status) * 100 / rank(Status.DELIVERED))
