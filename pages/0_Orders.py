"""The orders table, live: the page operators keep open all day."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.errors import PerfileError
from ui.all_dialogs import rerun_for_dialog, show_flash, show_open_dialog
from ui.context import perfile
from ui.errors import show_error
from ui.export import render_csv_download
from ui.filters import sidebar_filter
from ui.live import poll_changes
from ui.new_order import render_new_order_button
from ui.order_dialogs import render_undo_bar
from ui.order_selection import TABLE_KEY, selected_orders, selection_note
from ui.orders_frame import CHANGED_MARK
from ui.orders_table import orders_table, render_column_picker
from ui.paging import current_page, range_text, render_pager
from ui.quick_actions import render_action_bar, render_bulk_bar
from ui.safe_text import md

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


@st.fragment(run_every=perfile().settings.dashboard_refresh_seconds)
def live_orders() -> None:
    tick = poll_changes()
    for text in tick.toasts:
        st.toast(text)
    view, page = current_page(order_filter, tick)
    st.caption(
        f"{md(range_text(page))} · refreshes every {perfile().settings.dashboard_refresh_seconds:g} s · "
        f"{CHANGED_MARK} = changed since you opened it"
    )
    selected = selected_orders(page.orders)  # by order id; writes the table's selection from it
    if len(selected) == 1:
        render_action_bar(selected[0])
    elif selected:
        render_bulk_bar(selected)
    else:
        note = selection_note()
        if note:
            st.info(note, icon=":material/deselect:")
        else:
            st.caption("Select a row for its actions, or several orders without tracking to book them together.")
    st.dataframe(
        **orders_table(page.orders),
        width="stretch",
        height=min(38 + 35 * max(len(page.orders), 1), 740),
        key=TABLE_KEY,
        on_select="rerun",
        selection_mode="multi-row",
    )
    render_pager(view, page)
    rerun_for_dialog(tick.changed_ids)


live_orders()
render_csv_download(order_filter)
