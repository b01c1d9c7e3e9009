"""The bar above the Orders table for the selected order(s), drawn outside the live fragment.

A live tick redraws only what is inside the fragment, and every element it draws costs server
time (each is a message to the browser): the action bar's dozen buttons were a third of a
quiet tick. So the bar is drawn by full runs only, from the selection (by order id) and the
page the last tick read; the fragment asks for a full run (`rerun_for_selection`) when what the
bar shows is no longer what it would draw: the operator selected other rows, a selected order
changed or left the page.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from perfile_core.domain.order import Order
from ui.live import VIEW_KEY, LiveView
from ui.order_selection import SELECTED_KEY, selection_note
from ui.quick_actions import render_action_bar, render_bulk_bar

DRAWN_KEY = "selection_bar_drawn"  # what the bar shows: ((order id, change cursor), ...)


def _drawn(orders: Sequence[Order]) -> tuple[tuple[int, int], ...]:
    return tuple((order.id, order.change_cursor) for order in orders)


def render_selection_bar() -> None:
    """Call once per full run, before the live fragment."""
    view: LiveView | None = st.session_state.get(VIEW_KEY)
    chosen: dict[int, str] = st.session_state.get(SELECTED_KEY, {})
    on_page = {order.id: order for order in view.page.orders} if view is not None else {}
    selected = [on_page[order_id] for order_id in chosen if order_id in on_page]
    st.session_state[DRAWN_KEY] = _drawn(selected)
    if len(selected) == 1:
        render_action_bar(selected[0])
    elif selected:
        render_bulk_bar(selected)
    elif note := selection_note():
        st.info(note, icon=":material/deselect:")


def selection_hint(selected: Sequence[Order]) -> None:
    """Inside the fragment, below its caption: what selecting does, while nothing is selected."""
    if not selected and not selection_note():
        st.caption("Select a row for its actions, or several orders without tracking to book them together.")


def rerun_for_selection(selected: Sequence[Order]) -> None:
    """From inside the live fragment, after `selected_orders`: a full run when the bar is stale."""
    if st.session_state.get(DRAWN_KEY) != _drawn(selected):
        st.rerun()
    selection_hint(selected)
