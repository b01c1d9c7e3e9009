"""Per-row quick actions under the orders table."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.order import Order
from ui.orders_frame import status_text
from ui.safe_text import md

ORDER_PAGE = "pages/1_Order.py"  # registered in app.py


def render_quick_actions(order: Order) -> None:
    with st.container(border=True):
        info, open_order, track = st.columns([4, 1, 1])
        info.markdown(f"**{md(order.order_number)}** · {md(order.customer_name)} · {md(status_text(order))}")
        open_order.page_link(
            ORDER_PAGE, label="Open order", icon=":material/description:", query_params={"order": str(order.id)}
        )
        if order.tracking_url:
            track.link_button("Track", order.tracking_url, icon=":material/local_shipping:")
        elif order.can_book_shipment:
            track.caption("No shipment booked yet")
