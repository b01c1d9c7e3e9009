"""Orders as a table: indicator, status tags, tracking links, latest event, ETA countdown and progress.

The rules (which indicators an order shows, the ETA countdown, overdue) are the core's computed
fields (`Order.indicators`, `Order.eta_countdown`); this module only maps them to glyphs, texts
and colours for `st.dataframe`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from perfile_core.clock import utcnow
from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.indicators import Indicator
from perfile_core.domain.order import Order
from perfile_core.domain.status import STATUS_LABELS, BadgeColor, ExceptionReason, Status, badge_color
from ui.timefmt import ago, ago_changes_at, display_zone, local_naive

# Tag colours by badge colour (light, so the dark tag text stays readable).
TAG_COLOR = {
    BadgeColor.GREEN: "#d3f9d8",
    BadgeColor.BLUE: "#dbe9ff",
    BadgeColor.ORANGE: "#ffe8cc",
    BadgeColor.RED: "#ffd6d6",
    BadgeColor.GRAY: "#eceff1",
}
NO_TRACKING = "No tracking"  # the status tag (grey) of an order left to book
# Its Tracking cell: the next step, not "No tracking" again beside the tag that says so.
NO_TRACKING_HINT = "To book"
NO_COURIER = "—"  # the Courier cell of an order no courier carries yet
# The one missing value the table has: the link of an order without a tracking page. A missing
# link cell ignores clicks; an empty string would open a blank tab from its left edge.
NO_LINK = "—"
INDICATOR_GLYPHS = {
    Indicator.UPDATED: "🔔",
    Indicator.ACTION_NEEDED: "⚠️",
    Indicator.LIVE_ARRIVING: "🟢",
    Indicator.LIVE_IN_TRANSIT: "🔵",
}
CHANGED_MARK = INDICATOR_GLYPHS[Indicator.UPDATED]  # what a row changed since the operator looked shows
INDICATOR_HELP = (
    "🔔 updated since you last opened it (open it or dismiss to clear) · ⚠️ needs action "
    "(no tracking, exception, or no courier news for 48 h) · 🟢 live, out for delivery or ready "
    "for pickup · 🔵 live, in transit"
)
OVERDUE_COLOR = TAG_COLOR[BadgeColor.RED]
ETA_COLOR = TAG_COLOR[BadgeColor.GRAY]


def status_label(status: Status, reason: ExceptionReason | None, has_tracking: bool, *, brief: bool = False) -> str:
    """The status in words; `brief` (the table's tag): an exception by its reason alone
    ("Failed attempt", red), which keeps the pinned status column narrow."""
    label = STATUS_LABELS[status]
    if reason and reason != ExceptionReason.OTHER and status == Status.EXCEPTION:
        words = reason.value.replace("_", " ")
        label = words.capitalize() if brief else f"{label}: {words}"
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
                label = status_label(status, reason, has_tracking, brief=True)
                colors.setdefault(label, TAG_COLOR[badge_color(status, has_tracking)])
    return colors


STATUS_TAG_COLORS = _status_tag_colors()

# Pixel widths at the "Standard" width: the longest realistic text of each column in the grid's
# Source Sans 14 px, plus its 8 px padding on both sides (and a tag's own 8 px for Status and
# ETA): "Ready for pickup", order numbers like "#SIM04757", 20-digit PostNord numbers, store names
# of about 30 characters ("Simulated WooCommerce shop"), "Sandbox Express", "2 days late".
# Together they fill the grid beside the 240 px filter sidebar (app.SIDEBAR_WIDTH) at 1600 px:
# 1294 px after the row checkboxes. The latest event takes what is left: its age and the
# courier's usual words fit, a long text's place is cut (double-click shows all of it).
# tests/browser/test_orders_columns_in_chromium.py measures all this in Chromium. At 1440 px, or
# with more columns, the grid scrolls and the pinned indicator, status and order number stay in
# view; with the sidebar collapsed every default column fits at 1440 px too.
WIDTHS = {
    "signal": 48,
    "status": 130,
    "order_number": 80,
    "tracking": 156,
    "tracking_page": 34,
    "store": 204,
    "courier": 116,
    "latest_event": 272,
    "eta": 96,
    "progress": 64,
    "created": 92,
    "customer": 150,
    "updated": 92,
}
DEFAULT_COLUMNS = (
    "signal",
    "status",
    "order_number",
    "tracking",
    "tracking_page",
    "store",
    "courier",
    "latest_event",
    "eta",
    "progress",
    "created",
)
PINNED = ("signal", "status", "order_number")  # stay in view when the grid is scrolled right
OPTIONAL_LABELS = {  # the columns an operator can show or hide, in table order
    "tracking": "Tracking number",
    "tracking_page": "Tracking link",
    "store": "Store",
    "courier": "Courier",
    "customer": "Customer",
    "latest_event": "Latest event",
    "eta": "ETA",
    "progress": "Progress",
    "created": "Created",
    "updated": "Updated",
}
WIDTH_SCALES = {"Compact": 0.8, "Standard": 1.0, "Wide": 1.3}


def column_config(width_scale: float = 1.0, eta_texts: Mapping[str, bool] | None = None) -> dict[str, Any]:
    """The columns' Streamlit configuration at a width scale; `eta_texts`: countdown text -> overdue."""

    def width(name: str) -> int:
        return round(WIDTHS[name] * (1.0 if name in ("signal", "tracking_page") else width_scale))

    eta = dict(eta_texts or {})
    config = {
        "signal": st.column_config.TextColumn("", width=width("signal"), help=INDICATOR_HELP),
        # Status as a one-tag list: coloured tags are plain Arrow, no Styler to marshal per tick.
        "status": st.column_config.MultiselectColumn(
            "Status", options=list(STATUS_TAG_COLORS), color=list(STATUS_TAG_COLORS.values()), width=width("status")
        ),
        "order_number": st.column_config.TextColumn("Order", width=width("order_number")),
        "tracking": st.column_config.TextColumn(
            "Tracking", width=width("tracking"), help=f"{NO_TRACKING_HINT}: select the row, then Book shipment"
        ),
        # Links only from our own tracking URL templates; a number alone is never a link.
        "tracking_page": st.column_config.LinkColumn(
            "", display_text=":material/open_in_new:", help="Opens the tracking page", width=width("tracking_page")
        ),
        "store": st.column_config.TextColumn("Store", width=width("store")),
        "courier": st.column_config.TextColumn("Courier", width=width("courier")),
        "customer": st.column_config.TextColumn("Customer", width=width("customer")),
        "latest_event": st.column_config.TextColumn(
            "Latest event",
            width=width("latest_event"),
            help="The courier's latest scan and how long ago; double-click a cell for all of it (with the place), "
            "or View details for every event",
        ),
        # The countdown as a one-tag list too, so a late one is red without a Styler.
        "eta": st.column_config.MultiselectColumn(
            "ETA",
            options=list(eta) or [""],
            color=[OVERDUE_COLOR if overdue else ETA_COLOR for overdue in eta.values()] or [ETA_COLOR],
            width=width("eta"),
            help="Days to the promised delivery day at the delivery address; red when it has passed",
        ),
        "progress": st.column_config.ProgressColumn(
            "Progress", min_value=0, max_value=100, format="%d%%", width=width("progress")
        ),
        "created": st.column_config.DatetimeColumn("Created", format="D MMM HH:mm", width=width("created")),
        "updated": st.column_config.DatetimeColumn("Updated", format="D MMM HH:mm", width=width("updated")),
    }
    for name in PINNED:
        config[name]["pinned"] = True
    return config


def status_text(order: Order, *, brief: bool = False) -> str:
    return status_label(order.order_status, order.exception_reason, order.has_tracking, brief=brief)


def latest_event_text(order: Order, now: datetime) -> str:
    """How long ago, what and where: "3h ago · The parcel is at the sorting terminal · Årsta".
    The age and the description come first, so a narrow cell cuts only the place."""
    event = order.latest_event
    if event is None:
        return ""
    where = f" · {event.location}" if event.location else ""
    return f"{ago(event.occurred_at, now)} · {event.description}{where}"


def indicator_text(order: Order, now: datetime, seen_at: datetime | None) -> str:
    return "".join(INDICATOR_GLYPHS[signal] for signal in order.indicators(now, seen_at))


def orders_frame(
    orders: Iterable[Order], *, seen: Mapping[int, datetime] | None = None, now: datetime | None = None
) -> pd.DataFrame:
    """One row per order, indexed by order id. `seen`: when the operator last looked at each order
    (ui/seen.py), so changes since then are marked; without it nothing is marked as updated."""
    now = now or utcnow()
    seen = seen or {}
    zone = display_zone()  # once: each lookup goes through Streamlit's resource cache
    ids: list[int] = []
    rows = []
    for order in orders:
        countdown = order.eta_countdown(now)
        ids.append(order.id)
        rows.append(
            {
                "signal": indicator_text(order, now, seen.get(order.id)),
                "status": [status_text(order, brief=True)],
                "order_number": order.order_number,
                "tracking": order.tracking_number or NO_TRACKING_HINT,
                "tracking_page": order.tracking_url,  # None: drawn as NO_LINK
                "store": order.store_name or order.store_key,
                "courier": courier_display_name(order.courier) or order.courier_name or NO_COURIER,
                "customer": order.customer_name,
                "latest_event": latest_event_text(order, now),
                "eta": [countdown.text] if countdown else [],
                "progress": order.progress,
                "created": local_naive(order.created_at, zone),
                "updated": local_naive(order.updated_at or order.created_at, zone),
            }
        )
    # Indexed by order id from the start: set_index would copy every column once more.
    return pd.DataFrame(rows, columns=list(WIDTHS), index=pd.Index(ids, name="id", dtype="int64"))


def eta_tags(orders: Iterable[Order], now: datetime) -> dict[str, bool]:
    """The countdown texts on this page and whether each is overdue (the ETA tags' colours)."""
    texts: dict[str, bool] = {}
    for order in orders:
        countdown = order.eta_countdown(now)
        if countdown is not None:
            texts[countdown.text] = countdown.overdue
    return texts


def frame_changes_at(orders: Iterable[Order], now: datetime) -> datetime | None:
    """When the first text `orders_frame` and `eta_tags` drew at `now` may change with time alone
    (a countdown's day, an order going 48 h without news: `Order.changes_with_time_at`; the latest
    event's age, "12m ago": `ago_changes_at`); until then a frame built at `now` is still the one
    to show. None: never, unless the orders change."""
    moments = []
    for order in orders:
        moments.append(order.changes_with_time_at(now))
        if order.latest_event is not None:
            moments.append(ago_changes_at(order.latest_event.occurred_at, now))
    return min(filter(None, moments), default=None)
