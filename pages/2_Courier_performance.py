"""Courier performance for analysts: on-time rate, delivery time and exceptions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import PerfileError
from perfile_core.services.performance import GROUPINGS, courier_performance
from ui.context import perfile
from ui.errors import show_error
from ui.filters import sidebar_filter

st.title("Courier performance")
st.caption(
    "On time = delivered on or before the promised day, as the day is at the delivery address · "
    "delivery time = pickup scan to delivery · exception rate = share of tracked orders that ever had an exception"
)

try:
    order_filter = sidebar_filter()
    group_by = st.segmented_control("Group by", GROUPINGS, default="courier", format_func=str.capitalize)
    rows = courier_performance(perfile().db, order_filter, group_by=group_by or "courier")
except PerfileError as exc:
    show_error(exc)
    st.stop()

if not rows:
    st.info("No orders match these filters.")
    st.stop()

frame = pd.DataFrame([row.as_dict() for row in rows])
if group_by in (None, "courier"):
    frame["group"] = [courier_display_name(code) if code != "(none)" else "No courier yet" for code in frame["group"]]
frame["on_time_rate"] = frame["on_time_rate"] * 100
frame["exception_rate"] = frame["exception_rate"] * 100
st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    placeholder="—",  # a group with no deliveries (yet) has no delivery time or on-time rate
    column_config={
        "group": st.column_config.TextColumn(group_by.capitalize() if group_by else "Group"),
        "orders": st.column_config.NumberColumn("Orders"),
        "tracked": st.column_config.NumberColumn("With tracking"),
        "delivered": st.column_config.NumberColumn("Delivered"),
        "on_time_rate": st.column_config.ProgressColumn("On time", format="%.1f%%", min_value=0, max_value=100),
        "avg_delivery_hours": st.column_config.NumberColumn("Avg delivery time", format="%.1f h"),
        "exception_rate": st.column_config.NumberColumn("Exception rate", format="%.1f%%"),
    },
)
chart = frame.set_index("group")[["on_time_rate"]].rename(columns={"on_time_rate": "On time %"})
st.bar_chart(chart, horizontal=True, height=60 + 30 * len(frame))
