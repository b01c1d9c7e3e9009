"""Rendering one order: header facts, computed flags and the timeline."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.order import Order
from perfile_core.services.order_detail import OrderDetail
from ui.orders_frame import BADGE_STYLE, status_text
from ui.timefmt import local

# Material icons ship with Streamlit, so they render without an emoji font.
KIND_ICONS = {
    "tracking": ":material/local_shipping:",
    "claim": ":material/gavel:",
    "notification": ":material/mail:",
    "audit": ":material/person:",
}


def render_header(order: Order) -> None:
    style = BADGE_STYLE[order.badge]
    st.markdown(
        f"### {order.order_number} &nbsp; <span style='{style}; padding: 2px 10px; border-radius: 12px;"
        f" font-size: 0.8em'>{status_text(order)}</span>",
        unsafe_allow_html=True,
    )
    left, middle, right = st.columns(3)
    with left:
        st.markdown("**Customer**")
        st.write(order.customer_name)
        for line in (order.customer_email, order.customer_phone):
            if line:
                st.caption(line)
    with middle:
        st.markdown("**Deliver to**")
        address = [
            order.address_line1,
            order.address_line2,
            f"{order.postal_code or ''} {order.city or ''}".strip(),
            order.country_code,
        ]
        st.write("  \n".join(part for part in address if part) or "—")
    with right:
        st.markdown("**Shipment**")
        if order.tracking_number:
            courier = courier_display_name(order.courier) or order.courier_name or "unknown courier"
            link = f"[{order.tracking_number}]({order.tracking_url})" if order.tracking_url else order.tracking_number
            st.markdown(f"{courier} · {link}")
        else:
            st.write("No tracking number yet")
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
        st.write(" · ".join(chips))


def render_timeline(detail: OrderDetail) -> None:
    if not detail.timeline:
        st.info("Nothing has happened to this order yet.")
        return
    for entry in detail.timeline:
        icon = KIND_ICONS.get(entry.kind, "•")
        when = f"{local(entry.at):%d %b %H:%M}"
        text = f"{icon} **{entry.title}** &nbsp; <span style='color:#607d8b'>{when}</span>"
        if entry.detail:
            text += f"  \n{entry.detail}"
        st.markdown(text, unsafe_allow_html=True)
