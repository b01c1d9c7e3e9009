"""Operator dialogs for one order: file a claim, edit, cancel the booking, delete (with Undo).

Each is opened by name through ui/dialogs.py (`open_dialog("claim", [order_id])`) and shown by
the page's `render_open_dialog()`. Rules come from the core; a refused write shows why, and
leaves the order as it was.
"""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.access import Permission
from perfile_core.domain.errors import PerfileError
from perfile_core.domain.order import Order
from perfile_core.services import orders as order_service
from perfile_core.services.cancellation import cancel_booking, cancel_check
from perfile_core.services.claims import CLAIM_TYPES, claim_refusal, file_claim
from perfile_core.services.courier_copy import CourierCopy, courier_copy
from perfile_core.services.order_detail import order_detail
from ui.access import actor, may
from ui.context import perfile
from ui.dialogs import DIALOGS, OpenDialog, close_dialog, flash
from ui.errors import show_error
from ui.field_errors import field_error, remember_errors
from ui.order_form import NUMBER_FIELDS, ORDER_FIELDS, TEXT_FIELDS, order_inputs
from ui.order_selection import deselect
from ui.safe_text import md

UNDO_KEY = "undo_delete"
UNDO_NUMBER_KEY = "undo_delete_number"
CLAIM_FIELDS = ("claim_type", "description", "amount", "currency", "attachments")


def finish(message: str) -> None:
    flash(message)
    close_dialog()
    st.rerun()


def _order(dialog: OpenDialog) -> Order | None:
    """The dialog's order, or None after saying why (deleted meanwhile, database down)."""
    try:
        return order_detail(perfile().db, dialog.order_ids[0]).order
    except PerfileError as exc:
        show_error(exc)
        _close_button()
        return None


def _close_button(label: str = "Close") -> None:
    if st.button(label, key="dialog_close"):
        close_dialog()
        st.rerun()


def _confirmed(keep_label: str, act_label: str) -> bool:
    """A "keep it" button that closes the dialog beside the primary one that acts."""
    keep, act = st.columns(2)
    with keep:
        _close_button(keep_label)
    with act:
        return st.button(act_label, type="primary", key="dialog_confirm")


# -- file a claim ---------------------------------------------------------------------------


@st.dialog("File a claim", width="medium", on_dismiss=close_dialog)
def claim_dialog(dialog: OpenDialog) -> None:
    order = _order(dialog)
    if order is None:
        return
    state = dialog.state
    if "claim_id" in state:
        st.success(
            f"Claim #{state['claim_id']:d} filed for order {md(order.order_number)}. It is open; "
            "submit it to the courier when the documents are ready."
        )
        _close_button()
        return
    refusal = claim_refusal(order)
    if refusal is not None:
        st.info(f"No claim can be filed: {md(refusal)}.")
        _close_button()
        return
    st.caption(f"Order {md(order.order_number)} · {md(order.tracking_number)}")
    with st.form(f"claim_{order.id}", border=False):
        claim_type = st.selectbox("Reason", CLAIM_TYPES, key="claim_type", format_func=str.capitalize)
        field_error(state, "claim_type")
        description = st.text_area("What happened", key="claim_description")
        field_error(state, "description")
        amount_column, currency_column = st.columns([2, 1])
        with amount_column:
            amount = st.text_input("Amount claimed (optional)", key="claim_amount", placeholder="249.50")
            field_error(state, "amount")
        with currency_column:
            currency = st.text_input("Currency", key="claim_currency", value="SEK")
            field_error(state, "currency")
        attachments = st.text_area(
            "Attachment file names (optional, one a line)", key="claim_attachments", placeholder="photo-1.jpg"
        )
        field_error(state, "attachments")
        submitted = st.form_submit_button("File claim", type="primary")
    if submitted:
        try:
            claim = file_claim(
                perfile().db,
                order.id,
                claim_type=claim_type,
                description=description,
                amount=amount.strip() or None,
                currency=currency.strip() or None,
                attachments=attachments.splitlines(),
                actor=actor(),
            )
        except PerfileError as exc:
            if remember_errors(state, exc, CLAIM_FIELDS):
                st.rerun()
            return
        state.clear()
        state["claim_id"] = claim.id
        flash(f"Claim #{claim.id} filed for {md(order.order_number)}")
        st.rerun()


# -- edit -----------------------------------------------------------------------------------


def _describe(values: dict[str, object]) -> str:
    """One line per group, as the courier has them."""
    address = ", ".join(
        str(values[name])
        for name in ("address_line1", "address_line2", "postal_code", "city", "country_code")
        if values.get(name)
    )
    package = " x ".join(str(values[name]) for name in ("length_cm", "width_cm", "height_cm") if values.get(name))
    weight = f"{values['weight_grams']} g" if values.get("weight_grams") else ""
    lines = [
        f"- Recipient: {md(values.get('customer_name'))}",
        f"- Address: {md(address) or '—'}",
        f"- Package: {md(', '.join(part for part in (weight, package and package + ' cm') if part)) or '—'}",
    ]
    return "\n".join(lines)


def _courier_notice(copy: CourierCopy) -> None:
    as_booked = _describe(copy.values)  # each value escaped there
    st.warning(
        f"{md(copy.courier_name)} already has this shipment ({md(copy.tracking_number)}) as booked:\n"
        f"{as_booked}\n\n"
        f"Changes saved here update Perfile only; they do not reach {md(copy.courier_name)}. "
        "To change what the courier delivers, cancel and book again, or contact the courier.",
        icon="🚚",
    )


def _changes(order: Order, values: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in values.items() if value != getattr(order, name)}


@st.dialog("Edit order", width="large", on_dismiss=close_dialog)
def edit_dialog(dialog: OpenDialog) -> None:
    order = _order(dialog)
    if order is None:
        return
    db = perfile().db
    copy = courier_copy(db, order.id)
    st.caption(f"Order {md(order.order_number)} · every change is kept in the audit log")
    if copy is not None:
        _courier_notice(copy)
    with st.form(f"edit_{order.id}", border=False):
        values = order_inputs(f"edit_{order.id}", dialog.state, order)
        submitted = st.form_submit_button("Save changes", type="primary")
    if not submitted:
        return
    changes = _changes(order, values)
    if not changes:
        st.info("Nothing changed.")
        return
    try:
        edited = order_service.edit_order(db, order.id, changes, actor=actor())
    except PerfileError as exc:
        if remember_errors(dialog.state, exc, ORDER_FIELDS):
            st.rerun()
        return
    unreached = copy.unreached(edited) if copy is not None else {}
    if unreached:
        names = ", ".join(md((TEXT_FIELDS | NUMBER_FIELDS)[name].lower()) for name in unreached)
        finish(f"Order {md(order.order_number)} saved. {md(copy.courier_name)} still has the old {names}.")
    else:
        finish(f"Order {md(order.order_number)} saved")


# -- cancel the booking -----------------------------------------------------------------------


@st.dialog("Cancel booking", width="medium", on_dismiss=close_dialog)
def cancel_dialog(dialog: OpenDialog) -> None:
    order = _order(dialog)
    if order is None:
        return
    app = perfile()
    try:
        check = cancel_check(app.db, app.couriers, order.id)
    except PerfileError as exc:
        show_error(exc)
        _close_button()
        return
    if not check.can_cancel:
        st.warning(
            f"This {md(check.courier_name)} shipment cannot be cancelled from Perfile. {md(check.instruction)}",
            icon="☎️",
        )
        _close_button()
        return
    st.markdown(
        f"Cancel {md(check.courier_name)} shipment **{md(check.tracking_number)}** for order "
        f"{md(order.order_number)}? The order goes back to pending without tracking, so it can be booked again."
    )
    reason = st.text_input("Reason (optional)", key=f"cancel_reason_{order.id}")
    if _confirmed("Keep the booking", "Cancel booking"):
        try:
            cancel_booking(app.db, app.couriers, order.id, actor=actor(), reason=reason)
        except PerfileError as exc:
            show_error(exc)
            return
        finish(f"Booking {md(check.tracking_number)} cancelled; {md(order.order_number)} can be booked again")


# -- delete, and Undo -------------------------------------------------------------------------


@st.dialog("Delete order", width="medium", on_dismiss=close_dialog)
def delete_dialog(dialog: OpenDialog) -> None:
    order = _order(dialog)
    if order is None:
        return
    st.markdown(
        f"Delete order **{md(order.order_number)}** ({md(order.customer_name)})? It disappears from every list; "
        "the audit log keeps it, and Undo brings it back."
    )
    reason = st.text_input("Why? (required)", key=f"delete_reason_{order.id}")
    field_error(dialog.state, "reason")
    if _confirmed("Keep the order", "Delete order"):
        try:
            order_service.soft_delete_order(perfile().db, order.id, actor=actor(), reason=reason)
        except PerfileError as exc:
            if remember_errors(dialog.state, exc, ("reason",)):
                st.rerun()
            return
        st.session_state[UNDO_KEY] = order.id
        st.session_state[UNDO_NUMBER_KEY] = order.order_number
        deselect(order.id)  # the Undo bar tells what happened; no "selection cleared" note beside it
        finish(f"Order {md(order.order_number)} deleted")


def just_deleted(reference: str) -> bool:
    """True when `reference` (an order id or number) names the order the operator just deleted."""
    order_id = st.session_state.get(UNDO_KEY)
    return order_id is not None and reference in {str(order_id), st.session_state.get(UNDO_NUMBER_KEY)}


def render_undo_bar() -> None:
    """ "Order X deleted · Undo" after a delete, where the operator is (both pages call it)."""
    order_id = st.session_state.get(UNDO_KEY)
    if order_id is None or not may(Permission.RESTORE_ORDERS):
        return
    number = st.session_state.get(UNDO_NUMBER_KEY, order_id)
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        st.markdown(f":material/delete: Order **{md(number)}** deleted")
        undo = st.button("Undo", key="undo_delete_button", icon=":material/undo:")
        dismiss = st.button("Dismiss", key="undo_delete_dismiss", type="tertiary")
    if dismiss:
        _forget_undo()
        st.rerun()
    if undo:
        try:
            order_service.restore_order(perfile().db, order_id, actor=actor())
        except PerfileError as exc:
            show_error(exc)
            return
        _forget_undo()
        flash(f"Order {md(number)} restored")
        st.rerun()


def _forget_undo() -> None:
    st.session_state.pop(UNDO_KEY, None)
    st.session_state.pop(UNDO_NUMBER_KEY, None)


DIALOGS["claim"] = claim_dialog
DIALOGS["edit"] = edit_dialog
DIALOGS["cancel"] = cancel_dialog
DIALOGS["delete"] = delete_dialog
