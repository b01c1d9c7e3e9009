"""Rendering one order: header facts, computed flags and the timeline."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.order import Order
from perfile_core.services.order_detail import OrderDetail
from ui.orders_frame import status_text
from ui.safe_text import md, md_link
from ui.timefmt import local

# Material icons ship with Streamlit, so they render without an emoji font.
KIND_ICONS = {
    "tracking": ":material/local_shipping:",
    "claim": ":material/gavel:",
    "notification": ":material/mail:",
    "audit": ":material/person:",
}


def status_badge(order: Order) -> str:
    """Streamlit's badge directive; colour and wording come from the domain's constants only."""
    return f":{order.badge.value}-badge[{md(status_text(order))}]"


def render_header(order: Order) -> None:
    st.markdown(f"### {md(order.order_number)} {status_badge(order)}")
    left, middle, right = st.columns(3)
    with left:
        st.markdown("**Customer**")
        st.markdown(md(order.customer_name))
        for line in (order.customer_email, order.customer_phone):
            if line:
                st.caption(md(line))
    with middle:
        st.markdown("**Deliver to**")
        address = [
            order.address_line1,
            order.address_line2,
            f"{order.postal_code or ''} {order.city or ''}".strip(),
            order.country_code,
        ]
        st.markdown("  \n".join(md(part) for part in address if part) or "—")
    with right:
        st.markdown("**Shipment**")
        if order.tracking_number:
            courier = courier_display_name(order.courier) or order.courier_name or "unknown courier"
            url = order.tracking_url  # only from our own templates; an unknown courier's number stays text
            number = md_link(order.tracking_number, url) if url else md(order.tracking_number)
            st.markdown(f"{md(courier)} · {number}")
        else:
            st.markdown("No tracking number yet")
        if order.estimated_delivery:
            st.caption(f"Estimated delivery {order.estimated_delivery:%a %d %b %Y}")
        if order.weight_grams:
            st.caption(f"{order.weight_grams / 1000:g} kg")
    st.progress(order.progress / 100, text=f"{order.progress}% along the way")


def render_flags(order: Order, now) -> None:  # type: ignore[no-untyped-def]
    flags = order.computed(now)
    chips = []
    if flags["needs_action"]:
        chips.append(":material/warning: Needs action")
    if flags["otd_status"]:
        chips.append(
            {
                "on_time": ":material/check_circle: On time",
                "early": ":material/fast_forward: Early",
                "delayed": ":material/schedule: Delayed",
            }[flags["otd_status"]]
        )
    if flags["delivery_time_hours"] is not None:
        chips.append(f":material/timer: Delivered in {flags['delivery_time_hours']:g} h")
    if flags["had_exception"]:
        chips.append("Had an exception")
    if chips:
        st.markdown(" · ".join(chips))  # fixed wording and numbers only


def render_timeline(detail: OrderDetail, kinds: frozenset[str] | None = None, *, empty: str = "") -> None:
    """Newest first; only entries of `kinds` (tracking, claim, notification, audit) when given."""
    entries = [entry for entry in detail.timeline if kinds is None or entry.kind in kinds]
    if not entries:
        st.info(md(empty or "Nothing has happened to this order yet."))
        return
    for entry in entries:
        icon = KIND_ICONS.get(entry.kind, "•")
        when = f"{local(entry.at):%d %b %H:%M}"
        text = f"{icon} **{md(entry.title)}** :gray[{md(when)}]"
        for line in entry.detail.splitlines():
            text += f"  \n{md(line)}"
        st.markdown(text)
