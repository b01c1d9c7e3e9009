"""The action bar for the selected order(s): every operator action one click away.

Used above the Orders table and on the Order page. Whether an action is possible, and why
not, comes from the order's computed fields (`Order.why_not`); dialogs open through
`ui.dialogs.open_dialog` with order ids, never row positions.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from perfile_core.domain.access import Permission
from perfile_core.domain.errors import PerfileError
from perfile_core.domain.order import Order, OrderAction
from perfile_core.services.cancellation import cancel_instruction
from perfile_core.services.notifications import FAILED, OUTBOX, SENT, notify_customer
from perfile_core.services.shipment_labels import get_label
from ui.access import actor, may, may_open
from ui.context import perfile
from ui.dialogs import open_dialog
from ui.errors import reported_errors
from ui.order_selection import clear_selection
from ui.orders_frame import status_text
from ui.safe_text import md
from ui.seen import looked_at

ORDER_PAGE = "pages/1_Order.py"  # registered in app.py
LABEL_MEMO_KEY = "label_of_selected_order"


def render_action_bar(order: Order, *, on_order_page: bool = False) -> None:
    """One button per action for `order`; Book shipment first when the order can be booked."""
    with st.container(border=True, key=f"action_bar_{order.id}"):
        st.markdown(f"**{md(order.order_number)}** · {md(order.customer_name)} · {md(status_text(order))}")
        with st.container(horizontal=True, gap="small"):
            _dialog_button(order, OrderAction.BOOK, "Book shipment", ":material/local_shipping:", primary=True)
            _dialog_button(order, OrderAction.DETAILS, "View details", ":material/info:")
            _track_button(order)
            _label_buttons(order)
            _notify_button(order)
            _dialog_button(order, OrderAction.CLAIM, "File claim", ":material/gavel:")
            _dialog_button(order, OrderAction.EDIT, "Edit order", ":material/edit:")
            _dialog_button(order, OrderAction.CANCEL, "Cancel booking", ":material/block:", why=_why_not_cancel(order))
            _dialog_button(order, OrderAction.DELETE, "Delete order", ":material/delete:")
            if not on_order_page:
                st.page_link(
                    ORDER_PAGE,
                    label="Open order page",
                    icon=":material/open_in_full:",
                    query_params={"order": str(order.id)},
                )
                _mark_seen_button([order.id])
                st.button("Clear selection", icon=":material/close:", type="tertiary", on_click=clear_selection)


def _mark_seen_button(order_ids: list[int]) -> None:
    """Dismiss the 🔔 "changed since you looked" mark without opening the order(s)."""
    if not may(Permission.MARK_SEEN):
        return
    st.button(
        "Mark seen",
        icon=":material/notifications_off:",
        type="tertiary",
        help="Clears the 🔔 mark until the order changes again",
        on_click=looked_at,
        args=(order_ids,),
        key="mark_seen_button",
    )


def render_bulk_bar(orders: Sequence[Order]) -> None:
    """Several rows selected: book those without tracking in one go (the "bulk_book" dialog)."""
    bookable = [order.id for order in orders if order.can_book_shipment]
    with st.container(border=True, key="bulk_bar"):
        left_out = len(orders) - len(bookable)
        note = f" · {left_out:,} already booked or closed, left out" if left_out else ""
        st.markdown(f"**{len(orders):,} orders selected** · {len(bookable):,} without tracking{note}")
        with st.container(horizontal=True, gap="small"):
            if may(Permission.BOOK):
                _bulk_book_button(bookable)
            _mark_seen_button([order.id for order in orders])
            st.button("Clear selection", icon=":material/close:", type="tertiary", on_click=clear_selection)


def _bulk_book_button(bookable: list[int]) -> None:
    st.button(
        f"Book {len(bookable):,} selected",
        type="primary",
        icon=":material/local_shipping:",
        disabled=not bookable,
        help="Choose courier and service once, then each order is booked"
        if bookable
        else "None of the selected orders can be booked: they have tracking or are closed",
        on_click=open_dialog,
        args=("bulk_book", bookable),
        key="bulk_book_button",
    )


def _why_not_cancel(order: Order) -> str | None:
    why = order.why_not(OrderAction.CANCEL)
    if why is None:
        return cancel_instruction(perfile().couriers, order)  # the courier's own words, if it cannot
    return why


def _dialog_button(
    order: Order, action: OrderAction, label: str, icon: str, *, primary: bool = False, why: str | None = None
) -> None:
    if not may_open(action.value):
        return  # the role may not (analyst): no button; the core refuses the write anyway
    why = why if why is not None else order.why_not(action)
    st.button(
        label,
        icon=icon,
        type="primary" if primary else "secondary",
        disabled=why is not None,
        help=md(why) if why else None,  # may quote a tracking number or a courier's text
        on_click=open_dialog,
        args=(action.value, [order.id]),
        key=f"{action.value}_{order.id}",
    )


def _track_button(order: Order) -> None:
    why = order.why_not(OrderAction.TRACK)
    if why is None and order.tracking_url:
        # Only our own URL templates (domain.couriers.tracking_url), opened in a new tab.
        st.link_button("Track shipment", order.tracking_url, icon=":material/open_in_new:")
    else:
        st.button("Track shipment", icon=":material/open_in_new:", disabled=True, help=md(why))


def _label_buttons(order: Order) -> None:
    why = order.why_not(OrderAction.DOWNLOAD_LABEL)
    render_label_download(order, key=f"label_{order.id}", why=why)
    st.button(
        "Print label",
        icon=":material/print:",
        disabled=why is not None,
        help=md(why) if why else "Shows the label PDF to print",
        on_click=open_dialog,
        args=(OrderAction.PRINT_LABEL.value, [order.id]),
        key=f"print_label_{order.id}",
    )


def render_label_download(order: Order, *, key: str, why: str | None = None) -> None:
    """The stored label as a PDF file.

    Not a deferred `data=callable`: Streamlit gives a callable a new id on every run and drops
    the old one, so inside the live fragment a click that lands just after a tick fails
    ("Deferred file not found"). Bytes get an id from their content, which stays valid
    across ticks; they are read once per selected booking (`_label_bytes`).
    """
    pdf = b""
    if why is None:
        try:
            pdf = _label_bytes(order)
        except PerfileError as exc:
            why = exc.detail
    st.download_button(
        "Download label",
        data=pdf,
        file_name=f"label-{order.tracking_number or order.id}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/download:",
        disabled=why is not None,
        help=md(why) if why else None,
        key=key,
    )


def _label_bytes(order: Order) -> bytes:
    """The label of the order's current booking, kept for this session while it is shown."""
    memo = st.session_state.get(LABEL_MEMO_KEY)
    wanted = (order.id, order.tracking_number)
    if memo is None or memo[0] != wanted:
        memo = (wanted, get_label(perfile().db, perfile().couriers, order.id))
        st.session_state[LABEL_MEMO_KEY] = memo
    return memo[1]


def _notify_button(order: Order) -> None:
    if not may(Permission.NOTIFY):
        return
    why = order.why_not(OrderAction.NOTIFY)
    clicked = st.button(
        "Send notification",
        icon=":material/mail:",
        disabled=why is not None,
        help=md(why) if why else "Sends the tracking e-mail to the customer now",
        key=f"notify_{order.id}",
    )
    if clicked:
        with reported_errors():
            record = notify_customer(perfile().db, perfile().settings, order.id, actor=actor())
            outcome = notification_outcome(record)  # escapes the address and error itself
            st.toast(outcome, icon="✉️")


def notification_outcome(record: dict) -> str:  # type: ignore[type-arg]
    """One line saying whether the e-mail went out or waits in the outbox."""
    to = md(record["to_address"])
    if record["status"] == SENT:
        return f"E-mail sent to {to}"
    if record["status"] == OUTBOX:
        return f"E-mail to {to} is in the outbox: no mail server is configured, it goes out once one is"
    if record["status"] == FAILED:
        return f"E-mail to {to} failed: {md(record['error'])}. It stays in the order's history."
    return f"E-mail to {to}: {md(record['status'])}"
