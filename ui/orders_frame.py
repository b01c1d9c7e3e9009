"""Orders as a table: badges, tracking links, latest event, ETA and progress."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import streamlit as st

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.order import Order
from perfile_core.domain.status import STATUS_LABELS, BadgeColor
from ui.timefmt import local, local_naive

BADGE_STYLE = {
    BadgeColor.GREEN: "background-color: #d3f9d8; color: #1b5e20",
    BadgeColor.BLUE: "background-color: #dbe9ff; color: #0b3d91",
    BadgeColor.ORANGE: "background-color: #ffe8cc; color: #8a4b00",
    BadgeColor.RED: "background-color: #ffd6d6; color: #a10000",
    BadgeColor.GRAY: "background-color: #eceff1; color: #455a64",
}
CHANGED_STYLE = "background-color: #fff7c2"
NO_TRACKING = "No tracking"  # in the Tracking column, grey: what is left to book, seen without selecting
NO_TRACKING_STYLE = "color: #78909c"

# Pixel widths that fit every column beside the filter sidebar on a 1600 px wide screen (the
# grid is 1140 px there); longer texts are cut with an ellipsis, the whole text is one click away.
COLUMNS = {
    "status": st.column_config.TextColumn("Status", width=120),
    "order_number": st.column_config.TextColumn("Order", width=75),
    "store": st.column_config.TextColumn("Store", width=100),
    "customer": st.column_config.TextColumn("Customer", width=115),
    "courier": st.column_config.TextColumn("Courier", width=100),
    "tracking": st.column_config.TextColumn("Tracking", width=155),
    # Links only from our own tracking URL templates; a number alone is never a link.
    "tracking_page": st.column_config.LinkColumn(
        "Track",
        display_text=":material/open_in_new:",
        help="Opens the courier's tracking page",
        width=45,
    ),
    "latest_event": st.column_config.TextColumn("Latest event", width=150),
    "eta": st.column_config.DateColumn("ETA", format="ddd D MMM", width=80),
    "progress": st.column_config.ProgressColumn("Progress", min_value=0, max_value=100, format="%d%%", width=60),
    "updated": st.column_config.DatetimeColumn("Updated", format="D MMM HH:mm", width=95),
}


def status_text(order: Order) -> str:
    label = STATUS_LABELS[order.order_status]
    if order.exception_reason and order.order_status.value == "exception":
        label = f"{label}: {order.exception_reason.value.replace('_', ' ')}"
    if not order.has_tracking and order.order_status.value == "pending":
        label = NO_TRACKING
    return label


def latest_event_text(order: Order) -> str:
    event = order.latest_event
    if event is None:
        return ""
    where = f" · {event.location}" if event.location else ""
    return f"{local(event.occurred_at):%d %b %H:%M} {event.description}{where}"


def orders_frame(orders: Iterable[Order]) -> pd.DataFrame:
    rows = [
        {
            "id": order.id,
            "status": status_text(order),
            "order_number": order.order_number,
            "store": order.store_name or order.store_key,
            "customer": order.customer_name,
            "courier": courier_display_name(order.courier) or (order.courier_name or ""),
            "tracking": order.tracking_number or NO_TRACKING,
            "tracking_page": order.tracking_url,
            "latest_event": latest_event_text(order),
            "eta": order.estimated_delivery,
            "progress": order.progress,
            "updated": local_naive(order.updated_at),
            "_badge": order.badge.value,
        }
        for order in orders
    ]
    frame = pd.DataFrame(rows, columns=["id", *COLUMNS, "_badge"])
    return frame.set_index("id")


def styled(frame: pd.DataFrame, changed_ids: set[int]) -> pd.io.formats.style.Styler:
    """Badge colours on the status cell; rows changed since the last tick highlighted.

    All cells' CSS in one frame (`axis=None`), not a Python call per row and cell: this runs
    on every live tick (bench/live_tick_bench.py).
    """

    def cell_styles(data: pd.DataFrame) -> pd.DataFrame:
        changed = data.index.isin(list(changed_ids))
        base = np.where(changed, CHANGED_STYLE, "")
        css = pd.DataFrame(np.repeat(base[:, None], data.shape[1], axis=1), index=data.index, columns=data.columns)
        css["status"] = [BADGE_STYLE[BadgeColor(badge)] for badge in data["_badge"]]
        untracked = (data["tracking"] == NO_TRACKING).to_numpy()
        css.loc[untracked, "tracking"] = np.where(
            changed[untracked], f"{CHANGED_STYLE}; {NO_TRACKING_STYLE}", NO_TRACKING_STYLE
        )
        return css

    return frame.style.apply(cell_styles, axis=None)
