"""Orders as a table: status tags, changed marks, tracking links, latest event, ETA and progress."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import pandas as pd
import streamlit as st

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.order import Order
from perfile_core.domain.status import STATUS_LABELS, BadgeColor, ExceptionReason, Status, badge_color
from ui.timefmt import local, local_naive

# Tag colours by badge colour (light, so the dark tag text stays readable).
TAG_COLOR = {
    BadgeColor.GREEN: "#d3f9d8",
    BadgeColor.BLUE: "#dbe9ff",
    BadgeColor.ORANGE: "#ffe8cc",
    BadgeColor.RED: "#ffd6d6",
    BadgeColor.GRAY: "#eceff1",
}
NO_TRACKING = "No tracking"  # in the Tracking column: what is left to book, seen without selecting
CHANGED_MARK = "●"  # in the first column, on rows changed since the last tick


def status_label(status: Status, reason: ExceptionReason | None, has_tracking: bool) -> str:
    label = STATUS_LABELS[status]
    if reason and status == Status.EXCEPTION:
        label = f"{label}: {reason.value.replace('_', ' ')}"
    if not has_tracking and status == Status.PENDING:
        label = NO_TRACKING
    return label


def _status_tag_colors() -> dict[str, str]:
    """Every status text the table can show, with its badge's tag colour.

    One colour per text: a text shown with and without tracking ("Confirmed") takes the
    tracked colour, as the tag column colours by text only.
    """
    colors: dict[str, str] = {}
    for has_tracking in (True, False):
        for status in Status:
            for reason in (None, *ExceptionReason) if status == Status.EXCEPTION else (None,):
                label = status_label(status, reason, has_tracking)
                colors.setdefault(label, TAG_COLOR[badge_color(status, has_tracking)])
    return colors


STATUS_TAG_COLORS = _status_tag_colors()

# Pixel widths that fit every column beside the filter sidebar on a 1600 px wide screen (the
# grid is 1140 px there); longer texts are cut with an ellipsis, the whole text is one click away.
COLUMNS = {
    "changed": st.column_config.TextColumn("", width=28, help=f"{CHANGED_MARK} changed on the last refresh"),
    # Status as a one-tag list: coloured tags are plain Arrow, no Styler to marshal per tick.
    "status": st.column_config.MultiselectColumn(
        "Status", options=list(STATUS_TAG_COLORS), color=list(STATUS_TAG_COLORS.values()), width=120
    ),
    "order_number": st.column_config.TextColumn("Order", width=75),
    "store": st.column_config.TextColumn("Store", width=90),
    "customer": st.column_config.TextColumn("Customer", width=112),
    "courier": st.column_config.TextColumn("Courier", width=100),
    "tracking": st.column_config.TextColumn("Tracking", width=155),
    # Links only from our own tracking URL templates; a number alone is never a link.
    "tracking_page": st.column_config.LinkColumn(
        "Track",
        display_text=":material/open_in_new:",
        help="Opens the courier's tracking page",
        width=45,
    ),
    "latest_event": st.column_config.TextColumn("Latest event", width=135),
    "eta": st.column_config.DateColumn("ETA", format="ddd D MMM", width=80),
    "progress": st.column_config.ProgressColumn("Progress", min_value=0, max_value=100, format="%d%%", width=60),
    "updated": st.column_config.DatetimeColumn("Updated", format="D MMM HH:mm", width=95),
}


def status_text(order: Order) -> str:
    return status_label(order.order_status, order.exception_reason, order.has_tracking)


def latest_event_text(order: Order) -> str:
    event = order.latest_event
    if event is None:
        return ""
    where = f" · {event.location}" if event.location else ""
    return f"{local(event.occurred_at):%d %b %H:%M} {event.description}{where}"


def orders_frame(orders: Iterable[Order], changed_ids: Collection[int] = ()) -> pd.DataFrame:
    rows = [
        {
            "id": order.id,
            "changed": CHANGED_MARK if order.id in changed_ids else "",
            "status": [status_text(order)],
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
        }
        for order in orders
    ]
    frame = pd.DataFrame(rows, columns=["id", *COLUMNS])
    return frame.set_index("id")
