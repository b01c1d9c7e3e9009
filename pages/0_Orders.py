"""The orders table, live: the page operators keep open all day."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.errors import PerfileError
from ui.all_dialogs import rerun_for_dialog, show_flash, show_open_dialog
from ui.errors import show_error
from ui.export import render_csv_download
from ui.filters import sidebar_filter
from ui.live import live_controls, live_status, show_toasts
from ui.new_order import render_new_order_button
from ui.order_dialogs import render_undo_bar
from ui.order_selection import TABLE_KEY, selected_orders
from ui.orders_frame import CHANGED_MARK
from ui.orders_table import orders_table, render_column_picker
from ui.page_gate import enter_page
from ui.paging import current_page, range_text, render_pager
from ui.safe_text import md
from ui.selection_bar import render_selection_bar, rerun_for_selection, selection_bar_slot

enter_page()  # before anything is read: a page may run without app.py (ui/page_gate.py)

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
render_column_picker()

show_open_dialog()  # before the live fragment, which may open one (all_dialogs)

every = live_controls()  # None while paused
action_bar = selection_bar_slot()  # outside the fragment, so a quiet tick does not redraw it


@st.fragment(run_every=every)
def live_orders() -> None:
    tick, live, view = current_page(order_filter, paused=every is None)
    show_toasts(tick)
    page = live.page
    status = md(live_status(live, every))
    st.caption(f"{md(range_text(page))} · {status} · {CHANGED_MARK} = changed since you opened it")
    rerun_for_selection(selected_orders(page.orders))  # by order id; writes the table's selection from it
    st.dataframe(
        **orders_table(page.orders, read=live.serial),
        width="stretch",
        height=min(38 + 35 * max(len(page.orders), 1), 740),
        key=TABLE_KEY,
        on_select="rerun",
        selection_mode="multi-row",
    )
    render_pager(view, page)
    rerun_for_dialog(tick.changed_ids)


live_orders()
with action_bar:
    render_selection_bar()  # from the page and selection this run's fragment saw
render_csv_download(order_filter)
