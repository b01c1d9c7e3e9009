"""The simplest live Orders table, the alternative `live_tick_bench` compares ours with: every
tick reads the first page and draws it, nothing else (no total, no dialog, no selection, no
action bar, no change highlighting, no styling)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import list_orders
from ui.context import perfile

PAGE_SIZE = 200


@st.fragment(run_every=perfile().settings.dashboard_refresh_seconds)
def live_orders() -> None:
    page = list_orders(perfile().db, OrderFilter(), limit=PAGE_SIZE, with_total=False)
    st.caption(f"Showing the newest {len(page.orders):,} orders")
    rows = [
        (o.order_number, o.order_status.value, o.customer_name, o.tracking_number, o.updated_at) for o in page.orders
    ]
    st.dataframe(pd.DataFrame(rows, columns=["order", "status", "customer", "tracking", "updated"]), hide_index=True)


live_orders()
