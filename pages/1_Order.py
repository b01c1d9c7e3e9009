"""One order: what we know, what happened, and the hand-made changes."""

from __future__ import annotations

import streamlit as st

from perfile_core.clock import utcnow
from perfile_core.domain.errors import NotFound, PerfileError
from perfile_core.services.order_detail import find_order, order_detail
from ui.all_dialogs import show_flash, show_open_dialog
from ui.attach_tracking import render_attach_form
from ui.context import perfile
from ui.errors import show_error
from ui.live_order import watch_order
from ui.order_dialogs import just_deleted, render_undo_bar
from ui.order_view import render_flags, render_header, render_timeline
from ui.page_gate import enter_page
from ui.quick_actions import render_action_bar
from ui.seen import looked_at

enter_page()  # before anything is read: a page may run without app.py (ui/page_gate.py)

ORDERS_PAGE = "pages/0_Orders.py"
db = perfile().db

st.title("Order")
reference = st.text_input(
    "Order", value=st.query_params.get("order", ""), placeholder="Order number, tracking number or id"
)
if not reference:
    st.info("Type an order number or tracking number, or open an order from the Orders page.")
    st.stop()
try:
    order_id = find_order(db, reference.strip())
    st.query_params["order"] = reference.strip()
    detail = order_detail(db, order_id)
except NotFound as exc:
    if just_deleted(reference.strip()):
        # Deleted from this page: back to the table, where its toast and Undo wait.
        st.switch_page(ORDERS_PAGE)
    show_flash()
    show_error(exc)
    st.stop()
except PerfileError as exc:
    show_flash()
    show_error(exc)
    st.stop()

order = detail.order
looked_at([order.id])  # its 🔔 in the Orders table goes until it changes again
show_flash()
render_undo_bar()
show_open_dialog()
render_header(order)
render_flags(order, utcnow())
render_action_bar(order, on_order_page=True)


EVERY = perfile().settings.dashboard_refresh_seconds


@st.fragment(run_every=EVERY)
def live_order(order_id: int, change_cursor: int) -> None:
    """A courier event, an edit or a booking elsewhere shows without a reload (a full run)."""
    watch_order(order_id, change_cursor)
    st.caption(f"Live: shows changes to this order as they come (checked every {EVERY:g} s)")


live_order(order.id, order.change_cursor)

timeline, actions = st.columns([3, 2])
with timeline:
    st.subheader("Timeline")
    render_timeline(detail)

with actions:
    render_attach_form(order, key="attach_tracking")
