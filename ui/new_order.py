"""New order: the order's facts, then one of three ways on (as the product spec lists them):
attach a tracking number, book a shipment now (straight into the booking dialog), or save
without tracking. Every check is the core's; each message appears next to its field."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import PerfileError
from perfile_core.services import orders as order_service
from perfile_core.services.admin import list_stores
from ui.access import actor, may_open
from ui.context import perfile
from ui.dialogs import DIALOGS, OpenDialog, close_dialog, current_dialog, flash, open_dialog
from ui.field_errors import blank_to_none, field_error, remember_errors
from ui.order_dialogs import finish
from ui.order_form import ORDER_FIELDS, order_inputs
from ui.safe_text import md

KEY = "new_order"
WITH_TRACKING, BOOK_NOW, WITHOUT_TRACKING = "tracking", "book", "save"
FORM_FIELDS = ("order_number", "store_key", "tracking_number", "courier", *ORDER_FIELDS)


@st.dialog("New order", width="large", on_dismiss=close_dialog)
def new_order_dialog(dialog: OpenDialog) -> None:
    stores = list_stores(perfile().db)
    if not stores:
        st.warning("No store is set up yet. Add one with `python -m perfile_core stores add`.")
        return
    state = dialog.state
    names = {store.key: store.name for store in stores}
    with st.form(KEY, border=False):
        number_column, store_column = st.columns(2)
        with number_column:
            order_number = st.text_input("Order number", key=f"{KEY}_order_number", placeholder="Generated if empty")
            field_error(state, "order_number")
        with store_column:
            store_key = st.selectbox("Store", list(names), format_func=names.get, key=f"{KEY}_store_key")
            field_error(state, "store_key")
        values = order_inputs(KEY, state, country_code="SE")
        st.markdown("**Shipment**")
        courier_column, tracking_column = st.columns(2)
        with courier_column:
            courier = st.selectbox(
                "Courier (optional)",
                [None, *COURIER_NAMES],
                format_func=lambda code: "—" if code is None else COURIER_NAMES[code],
                key=f"{KEY}_courier",
            )
            field_error(state, "courier")
        with tracking_column:
            tracking_number = st.text_input(
                "Tracking number", key=f"{KEY}_tracking_number", help="Only for 'Save with tracking number'"
            )
            field_error(state, "tracking_number")
        attach, book, save = st.columns(3)
        with attach:
            with_tracking = st.form_submit_button("Save with tracking number", width="stretch")
        with book:
            book_now = st.form_submit_button("Save and book shipment", type="primary", width="stretch")
        with save:
            without = st.form_submit_button("Save without tracking", width="stretch")
    choice = WITH_TRACKING if with_tracking else BOOK_NOW if book_now else WITHOUT_TRACKING if without else None
    if choice is None:
        return
    data = {"store_key": store_key, "order_number": blank_to_none(order_number), **values}
    try:
        if choice == WITH_TRACKING:
            order = order_service.create_order(
                perfile().db, data, actor=actor(), tracking_number=tracking_number, courier=courier
            )
        else:
            order = order_service.create_order(perfile().db, data, actor=actor())
    except PerfileError as exc:
        if remember_errors(state, exc, FORM_FIELDS):
            st.rerun()
        return
    if choice == BOOK_NOW:
        flash(f"Order {md(order.order_number)} saved; book its shipment")
        open_dialog("book", [order.id])  # replaces this dialog: the booking continues at once
        booking = current_dialog()
        if booking is not None and courier is not None:
            booking.state["preferred_courier"] = courier
        st.rerun()
    elif choice == WITH_TRACKING:
        finish(f"Order {md(order.order_number)} saved with tracking number {md(order.tracking_number)}")
    else:
        finish(f"Order {md(order.order_number)} saved without tracking")


def render_new_order_button() -> None:
    """The Orders page header's "New order" button (not for a role that may not create orders)."""
    if not may_open(KEY):
        return
    st.button("New order", icon=":material/add:", key="new_order_button", on_click=open_dialog, args=(KEY, []))


DIALOGS[KEY] = new_order_dialog
