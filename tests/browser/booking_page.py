"""A tiny stand-in for the Orders page until its action bar is merged: the orders without
tracking, a "Book shipment" button per order and one for all of them, and the open dialog.
(The integrator re-points the browser test at pages/0_Orders.py after the merge.)"""

from __future__ import annotations

import streamlit as st

import ui.booking_dialog  # registers "book"
import ui.bulk_booking  # noqa: F401  (registers "bulk_book")
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import list_orders
from ui.context import perfile
from ui.dialogs import open_dialog, render_open_dialog
from ui.safe_text import md

st.set_page_config(page_title="Orders", layout="wide")
for line in st.session_state.pop("flash", []):
    st.toast(line)
orders = list_orders(perfile().db, OrderFilter(), limit=20).orders
st.dataframe(
    [
        {"Order": o.order_number, "Customer": o.customer_name, "Tracking": o.tracking_number or "No tracking"}
        for o in orders
    ],
    hide_index=True,
    key="orders",
)
bookable = [o.id for o in orders if o.can_book_shipment]
for order in orders:
    if order.can_book_shipment:
        st.button(
            f"Book shipment {md(order.order_number)}",
            key=f"book_{order.id}",
            on_click=open_dialog,
            args=("book", [order.id]),
        )
st.button("Book all without tracking", key="bulk", on_click=open_dialog, args=("bulk_book", bookable))
render_open_dialog()
