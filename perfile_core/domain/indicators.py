"""The orders table's indicator column: which signals an order shows, as rules (the UI maps them to glyphs)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from perfile_core.domain.status import Status

if TYPE_CHECKING:
    from perfile_core.domain.order import Order

# Last leg: the parcel reaches the customer (or the pickup point) today or next.
ARRIVING = frozenset({Status.OUT_FOR_DELIVERY, Status.READY_FOR_PICKUP})


class Indicator(StrEnum):
    UPDATED = "updated"  # changed since this operator last looked at it
    ACTION_NEEDED = "action_needed"  # needs_action: no tracking, an exception, or no courier news for 48 h
    LIVE_ARRIVING = "live_arriving"  # active, on its last leg (out for delivery, ready for pickup)
    LIVE_IN_TRANSIT = "live_in_transit"  # active, picked up or in transit


def order_indicators(order: Order, now: datetime, seen_at: datetime | None) -> tuple[Indicator, ...]:
    """At most two signals, most urgent first: UPDATED, then ACTION_NEEDED or one LIVE state.

    `seen_at` is when this operator last looked at the order (opened or dismissed it), or the
    moment their watch began when they never did; None means nothing counts as new to them.
    """
    signals: list[Indicator] = []
    if seen_at is not None and order.updated_at is not None and order.updated_at > seen_at:
        signals.append(Indicator.UPDATED)
    if order.needs_action(now):
        signals.append(Indicator.ACTION_NEEDED)
    elif order.is_active():
        signals.append(Indicator.LIVE_ARRIVING if order.main_status in ARRIVING else Indicator.LIVE_IN_TRANSIT)
    return tuple(signals)
