"""Live refresh: which orders changed since the last tick, and toasts for the important ones."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from perfile_core.domain.status import STATUS_LABELS, Status
from perfile_core.services.queries import changes_since, current_cursor
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
