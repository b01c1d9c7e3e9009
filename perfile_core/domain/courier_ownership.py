"""Which courier may move which shipment: the one definition of the ownership rule.

A courier's secret proves who sent an event, not whose parcel it is. So an event moves only
an order whose courier is the event's courier; an order whose courier we do not know (a
webshop's free-text courier name that maps to no code) takes the first courier that sends a
valid event for its number and keeps it. An aggregator (any courier account) may report for
the couriers its account settings list under `speaks_for`; the event then counts as that
courier's. Events for a number no order has yet keep their courier and later match only that
courier's orders.

The receiver's PostgreSQL fast path restates `may_move` and `courier_after` as SQL
(db/courier_ownership_sql.py); tests/receiver/test_fast_path_rule.py holds both to the same
results.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from perfile_core.domain.couriers import COURIER_NAMES, courier_display_name
from perfile_core.domain.errors import ValidationError

SPEAKS_FOR = "speaks_for"  # courier account setting: codes of the couriers it may report for


def may_move(event_courier: str, order_courier: str | None) -> bool:
    """An event may change the order: the order is its courier's, or its courier is unknown."""
    return order_courier is None or order_courier == event_courier


def courier_after(event_courier: str, order_courier: str | None) -> str:
    """The order's courier once the event applied: an unknown courier becomes the sender."""
    return order_courier if order_courier is not None else event_courier


def may_report_for(sender: str, courier: str, speaks_for: Collection[str]) -> bool:
    """A sender reports for itself, and for the couriers its account speaks for."""
    return courier == sender or courier in speaks_for


def speaks_for(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The `speaks_for` codes of a courier account's settings (empty when not a list of codes)."""
    value = settings.get(SPEAKS_FOR)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(code for code in value if isinstance(code, str))


def check_speaks_for(value: object) -> None:
    """On the way in: `speaks_for` must list known courier codes (a typo would ignore every event)."""
    if not isinstance(value, list) or not all(isinstance(code, str) and code in COURIER_NAMES for code in value):
        raise ValidationError(f"settings.{SPEAKS_FOR}", f"must be a list of courier codes ({', '.join(COURIER_NAMES)})")


def foreign_shipment_reason(event_courier: str) -> str:
    """Why an event was ignored: its number belongs only to other couriers' orders."""
    name = courier_display_name(event_courier)
    return f"the tracking number belongs to another courier's shipment; {name} events move only {name} shipments"


def not_spoken_for_reason(sender: str, courier: str) -> str:
    """Why a relayed event was ignored: the sender's account does not speak for that courier."""
    return (
        f"{courier_display_name(sender)} is not configured to report for {courier_display_name(courier)[:40]} "
        f"(courier account setting {SPEAKS_FOR!r})"
    )
