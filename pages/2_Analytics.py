"""Analytics for analysts: on-time rate, delivery time, exceptions, per courier and per week."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.errors import PerfileError
from perfile_core.services.analytics import delivery_analytics
from perfile_core.services.analytics_export import analytics_csv
from ui.analytics_view import analytics_filter, render_charts, render_kpis, render_tables
from ui.context import perfile
from ui.errors import show_error
from ui.page_gate import enter_page

enter_page()  # before anything is read: a page may run without app.py (ui/page_gate.py)

st.title("Analytics")
st.caption(
    "On time = delivered on or before the promised day, as the day is at the delivery address · "
    "delivery time = pickup scan to delivery (median and p90 read from 2 h bins up to two days, wider after) · "
    "exception rate = share of tracked orders that ever had an exception, by their newest reason"
)

try:
    report = delivery_analytics(perfile().db, analytics_filter())
except PerfileError as exc:
    show_error(exc)
    st.stop()

if not report.total.orders:
    st.info("No orders match these filters.")
    st.stop()

render_kpis(report.total)
render_charts(report)
render_tables(report)
st.download_button(
    "Download CSV",
    data=analytics_csv(report),
    file_name="analytics.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    help="Total, per courier, per week and per courier and week, as on this page",
)
