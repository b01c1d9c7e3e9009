"""The courier ownership rule as SQL expressions (domain/courier_ownership.py restated).

Used where the rule must run inside a statement: the receiver's fast path locks only an order
its sender may move (services/webhook_fastpath.py), and the stranded-event sweep joins only
events to orders of their courier (services/tracking.py). tests/receiver/test_fast_path_rule.py
holds the SQL and the Python to identical results.
"""

from __future__ import annotations


def may_move(event_courier: str, order_courier: str) -> str:
    """domain.courier_ownership.may_move over two SQL expressions."""
    return f"({order_courier} IS NULL OR {order_courier} = {event_courier})"


def courier_after(event_courier: str, order_courier: str) -> str:
    """domain.courier_ownership.courier_after over two SQL expressions."""
    return f"coalesce({order_courier}, {event_courier})"
