"""The bulk booking dialog: one choice for all selected orders (a courier and service, or the
cheapest / most reliable quote per order, chosen in the core), a progress bar while they
book, then each order's result and one PDF of all new labels."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import PerfileError
from perfile_core.services.booking_status import order_to_book
from perfile_core.services.bulk_booking import STRATEGIES, BulkItem, book_orders_as_completed
from perfile_core.services.shipment_labels import combined_labels
from ui.access import actor
from ui.context import perfile
from ui.dialogs import DIALOGS, OpenDialog, close_dialog, flash
from ui.errors import show_error
from ui.pdf_view import label_actions
from ui.safe_text import md

PER_ORDER = {"cheapest": "Cheapest per order", "most reliable": "Most reliable per order"}


@st.dialog("Book shipments", width="large", dismissible=False)
def bulk_book_dialog(dialog: OpenDialog) -> None:
    state = dialog.state
    if "items" in state:
        _results(dialog, state["items"])
    else:
        _choose(dialog)


def _choose(dialog: OpenDialog) -> None:
    app = perfile()
    st.caption(f"{len(dialog.order_ids):,} orders without tracking selected")
    choices = [f"per:{s}" for s in STRATEGIES] + [
        f"one:{adapter.code}:{service.code}"
        for adapter in app.couriers.with_capability("book")
        for service in adapter.services()
    ]
    names = {f"per:{s}": PER_ORDER[s] for s in STRATEGIES}

    def name(choice: str) -> str:
        if choice in names:
            return names[choice]
        _, courier, service = choice.split(":", 2)
        return f"{courier_display_name(courier)} · {app.couriers.get(courier).service_name(service)}"

    choice = st.selectbox("Courier and service for all", choices, format_func=name, key="bulk_choice")
    book, cancel, _ = st.columns([1, 1, 4])
    if cancel.button("Cancel", key="bulk_cancel"):
        close_dialog()
        st.rerun()
    if book.button("Book all", key="bulk_book_all", type="primary"):
        dialog.state["items"] = _book_all(dialog, choice)
        st.rerun()


def _book_all(dialog: OpenDialog, choice: str) -> list[BulkItem]:
    app = perfile()
    kind, _, rest = choice.partition(":")
    courier, _, service = rest.partition(":")
    plan = {"strategy": rest} if kind == "per" else {"courier": courier, "service": service}
    total = len(dialog.order_ids)
    bar = st.progress(0.0, text=f"Booking 0 of {total:,}…")
    done: dict[int, BulkItem] = {}
    try:
        for item in book_orders_as_completed(
            app.db, app.couriers, dialog.order_ids, actor=actor(), settings=app.settings, **plan
        ):
            done[item.order_id] = item
            bar.progress(len(done) / total, text=f"Booking {len(done):,} of {total:,}…")
    except PerfileError as exc:
        show_error(exc)
    return [done[order_id] for order_id in dialog.order_ids if order_id in done]


def _results(dialog: OpenDialog, items: list[BulkItem]) -> None:
    app = perfile()
    booked = [item for item in items if item.ok]
    st.markdown(f"**{len(booked):,} booked**, {len(items) - len(booked):,} failed")
    rows, failures = [], []
    for item in items:
        order = order_to_book(app.db, item.order_id)
        if not item.ok:
            failures.append((order.order_number, item.message))
        rows.append(
            {
                "Order": order.order_number,
                "Result": "Booked" if item.ok else "Failed",
                "Courier": courier_display_name(item.result.courier) if item.result else "",
                "Tracking number or reason": item.message,
            }
        )
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={  # narrow facts, so a courier's reason for a failure fits on its line
            "Order": st.column_config.TextColumn(width=90),
            "Result": st.column_config.TextColumn(width=70),
            "Courier": st.column_config.TextColumn(width=120),
            "Tracking number or reason": st.column_config.TextColumn(width=940),
        },
    )
    for order_number, reason in failures:  # in full: a courier's reason can be longer than its cell
        st.error(f"**{md(order_number)}** not booked: {md(reason)}", icon=":material/error:")
    if booked:
        ids = [item.order_id for item in booked]
        label_actions(
            combined_labels(app.db, app.couriers, ids),
            "labels.pdf",
            key="bulk_labels",
            what="all labels (one PDF)",
        )
    if st.button("Close", key="bulk_close"):
        flash(f"Booked {len(booked):,} of {len(items):,} orders")
        close_dialog()
        st.rerun()


DIALOGS["bulk_book"] = bulk_book_dialog
