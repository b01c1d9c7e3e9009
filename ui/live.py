"""Live refresh: which orders changed since the last tick, and toasts for the important ones."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import streamlit as st

from perfile_core.domain.status import STATUS_LABELS, Status
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import OrderPage, changes_since, current_cursor, list_orders
from ui.context import perfile
from ui.safe_text import md

# Status changes an operator wants to hear about without looking.
TOAST_STATUSES = {
    Status.EXCEPTION: "🔴",
    Status.DELIVERED: "🟢",
    Status.RETURNED: "↩️",
    Status.CONFIRMED: "🟠",
}
MAX_TOASTS_PER_TICK = 5
TOTAL_KEY = "live_total"  # (filter, offset, limit, counted at (monotonic s), total, is_estimate)
TOTAL_MAX_AGE_S = 30.0  # time-based filters (last 7 days, no news for 48 h) drift without any change


@dataclass(frozen=True)
class Tick:
    changed_ids: set[int]
    toasts: list[str]


def poll_changes() -> Tick:
    """Advance this session's cursor; return changed order ids and toast texts."""
    state = st.session_state
    db = perfile().db
    if "live_cursor" not in state:
        state.live_cursor = current_cursor(db)
        state.live_statuses = {}
        return Tick(set(), [])
    batch = changes_since(db, state.live_cursor)
    state.live_cursor = batch.cursor
    toasts: list[str] = []
    changed: set[int] = set(batch.deleted_ids)
    for order in batch.orders:
        changed.add(order.id)
        previous = state.live_statuses.get(order.id)
        state.live_statuses[order.id] = order.order_status
        if order.order_status != previous and order.order_status in TOAST_STATUSES:
            reason = (
                f" ({order.exception_reason.value.replace('_', ' ')})"
                if order.exception_reason and order.order_status == Status.EXCEPTION
                else ""
            )
            toasts.append(
                f"{TOAST_STATUSES[order.order_status]} {md(order.order_number)} · {md(order.customer_name)}: "
                f"{STATUS_LABELS[order.order_status]}{reason}"
            )
    return Tick(changed, toasts[:MAX_TOASTS_PER_TICK])


def live_page(order_filter: OrderFilter, tick: Tick, *, limit: int, offset: int) -> OrderPage:
    """The page of orders for this tick; its total recounted only when something changed, the
    filter or page did, or the last count is TOTAL_MAX_AGE_S old.

    At 1M orders an exact count runs into its time budget and falls back to the planner's
    estimate: ~50 ms, most of a tick in which nothing changed (bench/live_tick_bench.py).
    """
    db = perfile().db
    memo = st.session_state.get(TOTAL_KEY)
    if (
        memo is not None
        and memo[:3] == (order_filter, offset, limit)
        and not tick.changed_ids
        and time.monotonic() - memo[3] < TOTAL_MAX_AGE_S
    ):
        page = list_orders(db, order_filter, limit=limit, offset=offset, with_total=False)
        return replace(page, total=memo[4], total_is_estimate=memo[5])
    page = list_orders(db, order_filter, limit=limit, offset=offset)
    st.session_state[TOTAL_KEY] = (order_filter, offset, limit, time.monotonic(), page.total, page.total_is_estimate)
    return page
