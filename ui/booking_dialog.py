"""The "Book shipment" dialog: 1 courier and service, 2 details, 3 book, 4 done.

Its steps and inputs live in `dialog.state` (session state), so reruns and live ticks keep
them. Every rule is in the core: which quote is cheapest, fastest or most reliable
(`QuoteResult.best`), what a valid detail is (`check_booking_details`), booking exactly once
(`book_order`), what someone else's booking was (`existing_booking`), the next order to book.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from perfile_core.domain.couriers import DELIVERY_TYPE_NAMES, courier_display_name
from perfile_core.domain.errors import Conflict, PerfileError, ValidationError
from perfile_core.domain.order import Order
from perfile_core.services.booking import BookingResult, book_order
from perfile_core.services.booking_details import BookingDetails, booking_details_for, check_booking_details
from perfile_core.services.booking_status import (
    ExistingBooking,
    courier_services,
    email_state,
    existing_booking,
    next_order_to_book,
    order_to_book,
)
from perfile_core.services.orders import edit_order
from perfile_core.services.quotes import QuoteResult, quote_order
from perfile_core.services.shipment_labels import get_label
from ui.access import actor
from ui.booking_parts import quote_row, unavailable_row
from ui.context import perfile
from ui.dialogs import DIALOGS, OpenDialog, close_dialog, flash, open_dialog
from ui.errors import show_error
from ui.pdf_view import label_actions
from ui.safe_text import md, md_link

STEP_TITLES = {1: "Courier and service", 2: "Details", 3: "Book", 4: "Booked"}
ALREADY_BOOKED = "This order was already booked (another click or another operator); this is that booking."


@st.dialog("Book shipment", width="large", dismissible=False)
def book_dialog(dialog: OpenDialog) -> None:
    state = dialog.state
    state.setdefault("step", 1)
    app = perfile()
    order = order_to_book(app.db, dialog.order_ids[0])
    # booked (or changed) since the dialog opened, e.g. by another operator: show that booking
    existing = None if order.can_book_shipment or state["step"] == 4 else existing_booking(app.db, order.id)
    if existing is not None and existing.result is not None:
        _booked(dialog, existing.result, note=ALREADY_BOOKED)
    step = state["step"]
    title = STEP_TITLES[step]
    st.caption(f"Step {step} of 4 · {title} · order {md(order.order_number)} · {md(order.customer_name)}")
    st.progress(step / 4)
    if step < 4 and not order.can_book_shipment:
        _cannot_book(order, existing)
        return
    {1: _choose_step, 2: _details_step, 3: _book_step, 4: _done_step}[step](dialog)


def _cannot_book(order: Order, existing: ExistingBooking | None) -> None:
    if existing is not None and existing.in_flight:
        st.warning(f"Order {md(order.order_number)} is being booked right now by {md(existing.in_flight)}.")
    else:
        status = order.order_status.value
        st.warning(
            f"Order {md(order.order_number)} cannot be booked: it is {md(status)} and has tracking number "
            f"{md(order.tracking_number or 'none')}. Only pending orders without tracking can be booked."
        )
    if st.button("Close", key="book_close_unbookable"):
        close_dialog()
        st.rerun()


def _go(dialog: OpenDialog, step: int, **changes: Any) -> None:
    dialog.state.update(step=step, **changes)


def _cancel(dialog: OpenDialog) -> None:
    close_dialog()


def _nav(dialog: OpenDialog, *, back: int | None) -> None:
    """Back (steps 2-3) and Cancel, at the foot of every step."""
    buttons = st.container(horizontal=True)
    if back is not None:
        buttons.button("Back", key=f"book_back_{back}", on_click=_go, args=(dialog, back))
    if buttons.button("Cancel", key="book_cancel", on_click=_cancel, args=(dialog,)):
        st.rerun()


# -- step 1 -------------------------------------------------------------------------------


def _quotes(dialog: OpenDialog) -> QuoteResult | None:
    if "quotes" not in dialog.state:
        app = perfile()
        try:
            dialog.state["quotes"] = quote_order(app.db, app.couriers, dialog.order_ids[0], bookable_only=True)
        except ValidationError as exc:
            if any(field == "weight_grams" for field, _ in exc.errors):
                _ask_for_weight(dialog)  # e.g. a WooCommerce order: its webhook carries no weight
            else:
                show_error(exc)
            return None
        except PerfileError as exc:
            show_error(exc)
            return None
    return dialog.state["quotes"]


def _ask_for_weight(dialog: OpenDialog) -> None:
    """Quotes need the parcel's weight; the operator weighs it and the order keeps it (audited)."""
    with st.form("book_weight"):
        st.markdown("This order has no parcel weight yet, and every courier prices by weight.")
        kilos = st.number_input("Parcel weight (kg)", min_value=0.01, max_value=1000.0, value=None, step=0.1)
        if st.form_submit_button("Save weight and get quotes", type="primary"):
            if kilos is None:
                st.error("Enter the parcel weight in kg.")
                return
            try:
                edit_order(perfile().db, dialog.order_ids[0], {"weight_grams": round(kilos * 1000)}, actor=actor())
            except PerfileError as exc:
                show_error(exc)
                return
            st.rerun()  # the dialog is kept open by its session state


def _choose(dialog: OpenDialog, key: str) -> None:
    _go(dialog, 2, choice=key, details=None, field_errors={}, error=None)


def _choose_step(dialog: OpenDialog) -> None:
    quotes = _quotes(dialog)
    if quotes is not None:
        st.caption(f"Quotes for region {md(quotes.region)}; on-time rate from our own deliveries there.")
        for option in quotes.options:
            quote_row(option, quotes.marks(option), on_choose=_choose, args=(dialog, option.key))
        for courier, reason in quotes.errors.items():
            unavailable_row(courier, reason)
        if not quotes.options:
            st.error("No courier can book this order. Fix what the messages above name, then try again.")
    _nav(dialog, back=None)


# -- step 2 -------------------------------------------------------------------------------


def _details_step(dialog: OpenDialog) -> None:
    state = dialog.state
    app = perfile()
    option = state["quotes"].option(state["choice"])
    courier = option.courier
    if state.get("details") is None:
        state["details"] = booking_details_for(app.db, dialog.order_ids[0], option.quote.service).as_values()
    values: dict[str, Any] = dict(state["details"])
    errors: dict[str, str] = state.get("field_errors") or {}
    services = courier_services(app.couriers, courier)
    codes = [s.code for s in services]
    names = {s.code: _service_name(s.name, DELIVERY_TYPE_NAMES.get(s.delivery_type, s.delivery_type)) for s in services}
    st.markdown(f"**{md(courier_display_name(courier))}**")
    with st.form("book_details"):
        pickup, delivery = st.columns(2)
        with pickup:
            st.markdown("**Pickup address** (the store's)")
            _address_fields("pickup", values, errors)
        with delivery:
            st.markdown("**Delivery address** (the order's)")
            _address_fields("delivery", values, errors)
        st.markdown("**Package and service**")
        weight, length, width, height = st.columns(4)
        for column, name, label in (
            (weight, "weight_grams", "Weight (g)"),
            (length, "length_cm", "Length (cm)"),
            (width, "width_cm", "Width (cm)"),
            (height, "height_cm", "Height (cm)"),
        ):
            with column:
                values[name] = st.number_input(label, value=values.get(name), step=1, key=f"book_{name}")
                _field_error(errors, name)
        current = values.get("service") if values.get("service") in codes else (codes[0] if codes else None)
        values["service"] = st.selectbox(
            "Service", codes, index=codes.index(current) if current else None, format_func=names.get, key="book_service"
        )
        _field_error(errors, "service")
        st.form_submit_button("Continue", type="primary", on_click=_submit_details, args=(dialog, courier))
    _nav(dialog, back=1)


def _service_name(name: str, kind: str) -> str:
    return name if name == kind else f"{name} ({kind})"


def _submit_details(dialog: OpenDialog, courier: str) -> None:
    """Read the form's values, keep them as typed, and move on only when the core accepts them."""
    state = dialog.state
    values = {name: st.session_state.get(f"book_{name}") for name in state["details"]}
    state["details"] = values
    try:
        checked = check_booking_details(perfile().couriers.get(courier), values)
    except ValidationError as exc:
        state["field_errors"] = {field: reason for field, reason in reversed(exc.errors)}
    else:
        _go(dialog, 3, details=checked.as_values(), field_errors={}, error=None)


ADDRESS_LINES = (("name", "Name"), ("line1", "Street address"), ("line2", "Address line 2"))
ADDRESS_PLACE = (("postal_code", "Postal code"), ("city", "City"), ("country_code", "Country (2 letters)"))


def _address_fields(side: str, values: dict[str, Any], errors: dict[str, str]) -> None:
    for part, label in ADDRESS_LINES:
        if not (side == "pickup" and part == "line2"):
            _text_field(f"{side}_{part}", label, values, errors)
    for column, (part, label) in zip(st.columns([1, 1.4, 1]), ADDRESS_PLACE, strict=True):
        with column:
            _text_field(f"{side}_{part}", label, values, errors)


def _text_field(name: str, label: str, values: dict[str, Any], errors: dict[str, str]) -> None:
    values[name] = st.text_input(label, value=values.get(name) or "", key=f"book_{name}")
    _field_error(errors, name)


def _field_error(errors: dict[str, str], name: str) -> None:
    if name in errors:
        st.error(md(errors[name]), icon="✏️")


# -- step 3 -------------------------------------------------------------------------------


def _book_step(dialog: OpenDialog) -> None:
    state = dialog.state
    details = BookingDetails(**state["details"])
    courier = state["quotes"].option(state["choice"]).courier
    services = {s.code: s.name for s in courier_services(perfile().couriers, courier)}
    st.markdown(
        f"Book **{md(courier_display_name(courier))}**, {md(services.get(details.service, details.service))}, "
        f"{details.weight_grams or 0:,} g, to {md(', '.join(details.address('delivery').lines()))}."
    )
    error = state.get("error")
    if error is not None:
        show_error(error)
        st.caption("The order was not changed.")
    label = "Retry" if error is not None else "Book now"
    if st.button(label, key="book_now", type="primary"):
        _book(dialog, courier, details)
        st.rerun()
    if error is not None:
        st.button("Choose another courier", key="book_other", on_click=_another_courier, args=(dialog,))
    _nav(dialog, back=2)


def _another_courier(dialog: OpenDialog) -> None:
    dialog.state.pop("quotes", None)  # fresh quotes: the failed courier may have recovered
    _go(dialog, 1, error=None)


def _book(dialog: OpenDialog, courier: str, details: BookingDetails) -> None:
    app = perfile()
    order_id = dialog.order_ids[0]
    try:
        with st.spinner(f"Booking with {md(courier_display_name(courier))}…"):
            result = book_order(
                app.db,
                app.couriers,
                order_id,
                courier,
                details.service,
                actor=actor(),
                settings=app.settings,
                details=details,
            )
    except Conflict as exc:
        # a second click or a second operator: show the booking that holds the order
        existing = existing_booking(app.db, order_id)
        if existing is not None and existing.result is not None:
            _booked(dialog, existing.result, note=ALREADY_BOOKED)
        else:
            dialog.state["error"] = exc
    except PerfileError as exc:
        dialog.state["error"] = exc
    else:
        _booked(dialog, result, note=ALREADY_BOOKED if result.replayed else "")


def _booked(dialog: OpenDialog, result: BookingResult, *, note: str) -> None:
    _go(dialog, 4, result=result, note=note, error=None)


def _flash_booked(result: BookingResult) -> None:
    """The page toasts it once the dialog has closed (the table already shows the number)."""
    flash(f"Booked order {md(result.order_number)}: {md(result.tracking_number)}")


# -- step 4 -------------------------------------------------------------------------------


def _done_step(dialog: OpenDialog) -> None:
    app = perfile()
    result: BookingResult = dialog.state["result"]
    order = order_to_book(app.db, result.order_id)
    if dialog.state.get("note"):
        st.info(ALREADY_BOOKED, icon=":material/info:")
    number = md_link(result.tracking_number, order.tracking_url) if order.tracking_url else md(result.tracking_number)
    st.success(f"Booked with {md(courier_display_name(result.courier))}: tracking number {number}", icon="✅")
    if result.estimated_delivery:
        st.markdown(f"Estimated delivery: **{result.estimated_delivery:%a %d %b %Y}**")
    st.markdown(f"Customer e-mail: {md(email_state(app.db, result.notification_id))}")
    label_actions(get_label(app.db, app.couriers, result.order_id), f"label-{result.tracking_number}.pdf")
    buttons = st.container(horizontal=True)
    if buttons.button("Book next order without tracking", key="book_next", type="primary"):
        _flash_booked(result)
        next_id = next_order_to_book(app.db, skip=dialog.order_ids)
        if next_id is None:
            dialog.state["no_next"] = True
        else:
            open_dialog("book", [next_id])
            st.rerun()
    if buttons.button("Close", key="book_close"):
        _flash_booked(result)
        close_dialog()
        st.rerun()
    if dialog.state.get("no_next"):
        st.info("Every order has tracking now: nothing left to book.")


DIALOGS["book"] = book_dialog
