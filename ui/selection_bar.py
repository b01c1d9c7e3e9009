"""The bar above the Orders table for the selected order(s), drawn outside the live fragment.

A live tick redraws only what is inside the fragment, and every element it draws costs server
time (each is a message to the browser): the action bar's dozen buttons were a third of a
quiet tick. So the bar is drawn by full runs only, after the fragment (into a slot above it),
from the selection (by order id) and the page the fragment read. In a tick, the fragment asks
for a full run (`rerun_for_selection`) when what the bar shows is no longer what it would
draw: the operator selected other rows, a selected order changed or left the page (the bar
then says so).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from perfile_core.domain.order import Order
from ui.live import VIEW_KEY, LiveView
from ui.order_selection import SELECTED_KEY, selection_note
from ui.quick_actions import render_action_bar, render_bulk_bar

FULL_RUN_KEY = "selection_bar_full_run"  # set by a full run before the fragment, taken by the fragment
DRAWN_KEY = "selection_bar_drawn"  # what the bar shows: ((order id, change cursor), ...), the note


def _drawn(orders: Sequence[Order]) -> tuple[tuple[tuple[int, int], ...], str | None]:
    return tuple((order.id, order.change_cursor) for order in orders), selection_note()


def selection_bar_slot() -> DeltaGenerator:
    """Where the bar goes, above the live fragment: call in the full run before the fragment, and
    draw the bar into it (`render_selection_bar`) after the fragment read this run's page."""
    st.session_state[FULL_RUN_KEY] = True
    return st.container()


def render_selection_bar() -> None:
    """Call once per full run, after the live fragment, inside `selection_bar_slot()`."""
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
    """From inside the live fragment, after `selected_orders`: a full run when the bar is stale.
    Not in a full run, which draws the bar after the fragment (a rerun would drop its toasts)."""
    full_run = st.session_state.pop(FULL_RUN_KEY, False)
    if not full_run and st.session_state.get(DRAWN_KEY) != _drawn(selected):
        st.rerun()
    selection_hint(selected)
