"""The "details" dialog: everything about one order in a right-side drawer.

It is rendered from session state by the page, outside the live table's fragment, so the
table keeps ticking behind it and the drawer stays open.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from perfile_core.clock import utcnow
from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import PerfileError
from perfile_core.domain.order import Order, OrderAction
from perfile_core.domain.status import Status
from perfile_core.services.order_detail import order_detail
from ui.attach_tracking import render_attach_form
from ui.context import perfile
from ui.dialogs import DIALOGS, OpenDialog, close_dialog
from ui.errors import show_error
from ui.order_view import render_flags, render_header, render_timeline
from ui.quick_actions import render_label_download
from ui.safe_text import md
from ui.seen import looked_at

SECTIONS = {
    "Events": (frozenset({"tracking"}), "No courier events yet."),
    "E-mails": (frozenset({"notification"}), "No e-mails sent or queued."),
    "Claims": (frozenset({"claim"}), "No claims filed."),
    "Audit": (frozenset({"audit"}), "No hand-made changes."),
}


@st.dialog("Order details", position="right", width="large", on_dismiss=close_dialog)
def details_drawer(dialog: OpenDialog) -> None:
    try:
        detail = order_detail(perfile().db, dialog.order_ids[0])
    except PerfileError as exc:
        show_error(exc)
        return
    order = detail.order
    looked_at([order.id])  # its 🔔 in the Orders table goes until it changes again
    now = utcnow()
    render_header(order)
    render_flags(order, now)
    countdown = eta_text(order, now)  # fixed words, numbers and dates only
    st.markdown(countdown)
    if order.order_status == Status.EXCEPTION:
        reason = order.exception_reason.value.replace("_", " ") if order.exception_reason else "no reason given"
        st.warning(f"Exception: {md(reason)}. {md(order.latest_event_description or '')}", icon="⚠️")
    left, right = st.columns(2)
    with left:
        st.markdown("**Package**")
        st.markdown(md(package_text(order)))
    with right:
        st.markdown("**Courier and service**")
        st.markdown(md(courier_and_service(order)))
    render_label_download(order, key="drawer_label", why=order.why_not(OrderAction.DOWNLOAD_LABEL))
    with st.expander("Replace the tracking number" if order.has_tracking else "Attach a tracking number"):
        render_attach_form(order, key="drawer_attach")
    for tab, (kinds, empty) in zip(st.tabs(list(SECTIONS)), SECTIONS.values(), strict=True):
        with tab:
            render_timeline(detail, kinds, empty=empty)
    if st.button("Close", key="drawer_close"):
        close_dialog()
        st.rerun()


def eta_text(order: Order, now: datetime) -> str:
    """The countdown to the promised day (the core's `Order.eta_countdown`; fixed words and numbers only)."""
    if order.delivered_at is not None:
        return ":material/check_circle: Delivered"
    countdown = order.eta_countdown(now)
    if countdown is None or order.estimated_delivery is None:
        return ":material/event: No delivery date promised yet"
    when = f"{order.estimated_delivery:%a %d %b}"
    if countdown.overdue:
        return f":red[:material/schedule: {countdown.text}] (promised {when})"
    if countdown.days > 1:
        return f":material/event: Due {when}, {countdown.text}"
    return f":material/event: Due {countdown.text}, {when}"


def courier_and_service(order: Order) -> str:
    """ "Sandbox Express · Home delivery": the courier's own name for the service, not its code."""
    courier = courier_display_name(order.courier) or order.courier_name or "No courier yet"
    if not order.service_type:
        return f"{courier} · no service chosen"
    couriers = perfile().couriers
    service = order.service_type
    if order.courier and order.courier in couriers:
        service = couriers.get(order.courier).service_name(service)
    return f"{courier} · {service}"


def package_text(order: Order) -> str:
    weight = f"{order.weight_grams / 1000:g} kg" if order.weight_grams else "weight unknown"
    sizes = (order.length_cm, order.width_cm, order.height_cm)
    if all(sizes):
        return f"{weight} · {' x '.join(str(size) for size in sizes)} cm"
    return weight


DIALOGS["details"] = details_drawer
