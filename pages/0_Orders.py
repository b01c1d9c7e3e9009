"""The orders table, live: the page operators keep open all day."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.errors import PerfileError
from perfile_core.services.queries import list_orders
from ui.context import perfile
from ui.errors import show_error
from ui.export import render_csv_download
from ui.filters import sidebar_filter
from ui.live import poll_changes
from ui.orders_frame import COLUMNS, orders_frame, styled
from ui.quick_actions import render_quick_actions

st.title("Orders")

try:
    order_filter = sidebar_filter()
except PerfileError as exc:
    show_error(exc)
    st.stop()

PAGE_SIZE = 200
page_number = st.session_state.get("page_number", 0)


@st.fragment(run_every=perfile().settings.dashboard_refresh_seconds)
def live_orders() -> None:
    tick = poll_changes()
    for text in tick.toasts:
        st.toast(text)
    page = list_orders(perfile().db, order_filter, limit=PAGE_SIZE, offset=page_number * PAGE_SIZE)
    total = f"≈ {page.total:,} (estimate)" if page.total_is_estimate else f"{page.total:,}"
    first = page.offset + 1 if page.orders else 0
    st.caption(
        f"Showing {first:,}-{page.offset + len(page.orders):,} of {total} orders · "
        f"refreshes every {perfile().settings.dashboard_refresh_seconds:g} s · changed rows are highlighted"
    )
    frame = orders_frame(page.orders)
    actions = st.container()  # above the table, filled once the selection is known
    selection = st.dataframe(
        styled(frame, tick.changed_ids),
        column_config=COLUMNS,
        column_order=list(COLUMNS),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(frame), 1), 740),
        key="orders_table",
        on_select="rerun",
        selection_mode="single-row",
        placeholder="—",
    )
    selected_rows = selection.selection.rows if selection else []
    with actions:
        if selected_rows:
            render_quick_actions(page.orders[selected_rows[0]])
        else:
            st.caption("Select a row for its quick actions.")


live_orders()

previous, _, following = st.columns([1, 6, 1])
if previous.button("← Newer", disabled=page_number == 0):
    st.session_state.page_number = page_number - 1
    st.rerun()
if following.button("Older →"):
    st.session_state.page_number = page_number + 1
    st.rerun()
render_csv_download(order_filter)
