"""The Order page's live tick: the page is redrawn when its order changed."""

from __future__ import annotations

import streamlit as st

from perfile_core.services.queries import order_change_cursor
from ui.context import perfile

ORDER_WATCH_KEY = "live_order_watch"  # (order id, change cursor shown, listener version)


def watch_order(order_id: int, change_cursor: int) -> None:
    """The Order page's live tick: a full run (which re-reads and redraws the order) once the order
    changed since the page showed it at `change_cursor`; no query while the listener vouches."""
    version = perfile().order_changes.version()  # first: a change committed after this moves it
    seen = st.session_state.get(ORDER_WATCH_KEY)
    if seen is None or seen[:2] != (order_id, change_cursor):
        st.session_state[ORDER_WATCH_KEY] = (order_id, change_cursor, None)  # a full run just read it
    elif version is not None and version == seen[2]:
        return
    if order_change_cursor(perfile().db, order_id) != change_cursor:
        st.rerun()
    st.session_state[ORDER_WATCH_KEY] = (order_id, change_cursor, version)
