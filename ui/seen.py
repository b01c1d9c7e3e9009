"""What this dashboard user has looked at: the orders table's 🔔 mark compares each order with it.

Looking means opening the order (details drawer, Order page) or dismissing its mark
(`services/order_seen.py` stores it per operator). An order never looked at counts from the moment
this browser session began watching, so only changes the operator has not seen since are marked.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime

import streamlit as st

from perfile_core.clock import utcnow
from perfile_core.domain.access import Permission
from perfile_core.domain.order import Order
from perfile_core.services.order_seen import mark_seen, seen_times
from ui.access import current_actor
from ui.context import perfile

WATCH_KEY = "seen_watch_started"
MEMO_KEY = "seen_memo"  # (order ids, read at (monotonic s), {order id: seen_at}) for live ticks
MEMO_MAX_AGE_S = 30.0  # another tab of the same operator may have looked meanwhile


def watch_started() -> datetime:
    """When this browser session started watching (the baseline for orders never looked at)."""
    if WATCH_KEY not in st.session_state:
        st.session_state[WATCH_KEY] = utcnow()
    return st.session_state[WATCH_KEY]


def seen_for(orders: Sequence[Order]) -> dict[int, datetime]:
    """When the operator last looked at each of these orders (the baseline where never)."""
    since = watch_started()
    ids = tuple(order.id for order in orders)
    memo = st.session_state.get(MEMO_KEY)
    if memo is not None and memo[0] == ids and time.monotonic() - memo[1] < MEMO_MAX_AGE_S:
        looked = memo[2]  # a tick on the same page: only this session's looks change it, and they drop the memo
    else:
        who = current_actor()
        looked = seen_times(perfile().db, who, ids) if who is not None else {}
        st.session_state[MEMO_KEY] = (ids, time.monotonic(), looked)
    return {order.id: looked.get(order.id, since) for order in orders}


def looked_at(order_ids: Iterable[int]) -> None:
    """The operator opened (or dismissed the mark of) these orders: their 🔔 goes until they change again.
    A role that may not mark orders seen (analyst) keeps the marks."""
    who = current_actor()
    if who is None or not who.may(Permission.MARK_SEEN):
        return
    mark_seen(perfile().db, who, order_ids)
    st.session_state.pop(MEMO_KEY, None)
