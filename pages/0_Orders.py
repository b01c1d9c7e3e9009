"""The orders table, live: the page operators keep open all day."""

from __future__ import annotations

import time

import streamlit as st

from perfile_core.domain.errors import PerfileError
from ui.all_dialogs import rerun_for_dialog, show_flash, show_open_dialog
from ui.errors import show_error
from ui.export import render_csv_download
from ui.filters import sidebar_filter
from ui.live import as_arrow, live_controls, live_status, live_tick, reuse_frame, show_toasts
from ui.new_order import render_new_order_button
from ui.order_dialogs import render_undo_bar
from ui.order_selection import TABLE_KEY, selected_orders
from ui.orders_frame import CHANGED_MARK, COLUMNS, orders_frame
from ui.selection_bar import render_selection_bar, rerun_for_selection, selection_bar_slot

heading, new_order = st.columns([6, 1], vertical_alignment="bottom")
heading.title("Orders")
with new_order:
    render_new_order_button()
show_flash()
render_undo_bar()  # after a delete: the table again, with the confirmation and its Undo

try:
    order_filter = sidebar_filter()
except PerfileError as exc:
    show_error(exc)
    st.stop()

PAGE_SIZE = 200
page_number = st.session_state.get("page_number", 0)
show_open_dialog()  # before the live fragment, which may open one (all_dialogs)


every = live_controls()  # None while paused
action_bar = selection_bar_slot()  # outside the fragment, so a quiet tick does not redraw it


@st.fragment(run_every=every)
def live_orders() -> None:
    tick, view = live_tick(order_filter, limit=PAGE_SIZE, offset=page_number * PAGE_SIZE, paused=every is None)
    show_toasts(tick)
    page = view.page
    total = f"≈ {page.total:,} (estimate)" if page.total_is_estimate else f"{page.total:,}"
    first = page.offset + 1 if page.orders else 0
    status = live_status(view, every)  # fixed wording and numbers
    st.caption(
        f"Showing {first:,}-{page.offset + len(page.orders):,} of {total} orders · "
        f"{status} · changed rows are marked {CHANGED_MARK}"
    )
    rerun_for_selection(selected_orders(page.orders))  # by order id; writes the table's selection from it
    # Rebuilt only from a new read, a change or a new minute (countdowns): a quiet tick reuses it.
    frame = reuse_frame(
        (view.serial, frozenset(tick.changed_ids), int(time.time() // 60)),
        lambda: as_arrow(orders_frame(page.orders, tick.changed_ids)),
    )
    st.dataframe(
        frame,
        column_config=COLUMNS,
        column_order=list(COLUMNS),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(frame), 1), 740),
        key=TABLE_KEY,
        on_select="rerun",
        selection_mode="multi-row",
        placeholder="—",
    )
    rerun_for_dialog(tick.changed_ids)


live_orders()
with action_bar:
    render_selection_bar()  # from the page and selection this run's fragment saw

previous, _, following = st.columns([1, 6, 1])
if previous.button("← Newer", disabled=page_number == 0):
    st.session_state.page_number = page_number - 1
    st.rerun()
if following.button("Older →"):
    st.session_state.page_number = page_number + 1
    st.rerun()
render_csv_download(order_filter)
