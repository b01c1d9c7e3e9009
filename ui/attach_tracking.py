"""Attach (or replace) a tracking number by hand: the Order page's form and the details drawer's.

The core checks the number against the courier's formats and check digit
(`services.orders.checked_tracking`) and, when the operator leaves the courier to us, takes the
order's courier or the one whose format the number has (`services.orders.tracking_courier`).
A refused number is shown under the field it is about, and nothing changes.
"""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.access import Permission
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import PerfileError, ValidationError
from perfile_core.domain.order import Order
from perfile_core.domain.status import TERMINAL
from perfile_core.services import orders as order_service
from ui.access import actor, may
from ui.context import perfile
from ui.errors import show_error
from ui.safe_text import md

DETECT = ""  # the courier choice "from the number's format"
FIELDS = ("tracking_number", "courier")
ERRORS_KEY = "attach_tracking_errors"  # {order id: {field: reason}} from the last refused submit
DONE_KEY = "attach_tracking_done"  # {order id: number typed} after an attach, said once beside the form


def courier_choices(order: Order) -> list[str]:
    """The courier select's options, the default first: the order's own courier when we know it,
    else "from the number's format"."""
    codes = list(COURIER_NAMES)
    if order.courier in COURIER_NAMES:
        return [order.courier, DETECT, *(code for code in codes if code != order.courier)]
    return [DETECT, *codes]


def _courier_label(code: str) -> str:
    return COURIER_NAMES.get(code, "Detect from the number's format")


def render_attach_form(order: Order, *, key: str) -> None:
    """The form for `order`; nothing for an order whose journey has ended (its tracking cannot change)."""
    if order.order_status in TERMINAL or not may(Permission.ATTACH_TRACKING):
        return
    errors: dict[str, str] = st.session_state.get(ERRORS_KEY, {}).get(order.id, {})
    done = st.session_state.get(DONE_KEY, {}).pop(order.id, None)
    if done is not None:
        st.success(f"Tracking number attached to {md(order.order_number)}", icon=":material/check:")
    with st.form(f"{key}_{order.id}", border=True):
        if order.has_tracking:
            st.markdown("**Replace the tracking number**")
            st.caption(f"Now {md(order.tracking_number)}. The change is kept in the audit log.")
        else:
            st.markdown("**Attach a tracking number**")
            st.caption("For shipments booked outside Perfile. Waiting courier events are applied at once.")
        number = st.text_input("Tracking number", value="", key=f"{key}_number_{order.id}")
        if errors.get("tracking_number"):
            st.caption(f":red[{md(errors['tracking_number'])}]")
        courier = st.selectbox(
            "Courier", courier_choices(order), format_func=_courier_label, key=f"{key}_courier_{order.id}"
        )
        if errors.get("courier"):
            st.caption(f":red[{md(errors['courier'])}]")
        submitted = st.form_submit_button("Attach")
    if submitted:
        _attach(order, number, courier or None)


def _attach(order: Order, number: str, courier: str | None) -> None:
    all_errors = st.session_state.setdefault(ERRORS_KEY, {})
    try:
        order_service.attach_tracking(perfile().db, order.id, number, courier, actor=actor())
    except ValidationError as exc:
        if all(name in FIELDS for name, _ in exc.errors):
            all_errors[order.id] = dict(exc.errors)
            st.rerun()
        all_errors.pop(order.id, None)
        show_error(exc)
        return
    except PerfileError as exc:
        all_errors.pop(order.id, None)
        show_error(exc)
        return
    all_errors.pop(order.id, None)
    st.session_state.setdefault(DONE_KEY, {})[order.id] = number
    st.rerun()
