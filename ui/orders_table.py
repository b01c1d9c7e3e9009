"""The Orders page's table: the frame with the operator's marks, in the columns and widths they chose."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import streamlit as st

from perfile_core.clock import utcnow
from perfile_core.domain.order import Order
from ui.live import as_arrow, reuse_frame
from ui.orders_frame import (
    DEFAULT_COLUMNS,
    NO_LINK,
    OPTIONAL_LABELS,
    PINNED,
    WIDTH_SCALES,
    column_config,
    eta_tags,
    frame_changes_at,
    orders_frame,
)
from ui.seen import seen_for

# The choice lives in plain session-state keys: a widget's own key is dropped on a page that does
# not draw it, and the choice must survive a visit to the Order page. Streamlit reports neither a
# column resized nor one hidden in the grid's own menu back to Python, so those last only as long
# as the grid element does; the choice made here lasts the browser session.
COLUMNS_KEY = "table_columns"
WIDTH_KEY = "table_width"


def chosen_columns() -> list[str]:
    shown = st.session_state.get(COLUMNS_KEY)
    if shown is None:
        shown = [name for name in DEFAULT_COLUMNS if name not in PINNED]
    return [*PINNED, *(name for name in OPTIONAL_LABELS if name in shown)]


def chosen_width() -> str:
    return st.session_state.get(WIDTH_KEY, "Standard")


def render_column_picker() -> None:
    """The sidebar's "Table columns" choice: which optional columns show, and how wide they are."""

    def keep() -> None:
        st.session_state[COLUMNS_KEY] = list(st.session_state["_table_columns"])
        st.session_state[WIDTH_KEY] = st.session_state["_table_width"] or "Standard"

    with st.sidebar.expander("Table columns", icon=":material/view_column:"):
        st.pills(
            "Columns",
            list(OPTIONAL_LABELS),
            selection_mode="multi",
            default=[name for name in chosen_columns() if name not in PINNED],
            format_func=OPTIONAL_LABELS.__getitem__,
            key="_table_columns",
            on_change=keep,
            help="Status, order number and the indicator always show, pinned on the left",
        )
        # Pills, like the columns above: a segmented control breaks into odd pieces in the sidebar's width.
        st.pills("Width", list(WIDTH_SCALES), default=chosen_width(), key="_table_width", on_change=keep)


def orders_table(orders: Sequence[Order], *, read: int) -> dict[str, Any]:
    """`st.dataframe` arguments for these orders: data, columns, order and placeholder.

    The data is rebuilt only from a new read of the page (`read`), a change of the operator's
    marks, or when a text it shows changes with time alone (an ETA countdown at midnight at the
    delivery address, "no courier news for 48 h": `frame_changes_at`); a quiet live tick reuses
    the Arrow table it built.
    """
    seen = seen_for(orders)
    now = utcnow()

    def build() -> tuple[tuple[Any, dict[str, bool]], datetime | None]:
        frame = as_arrow(orders_frame(orders, seen=seen, now=now)), eta_tags(orders, now)
        return frame, frame_changes_at(orders, now)

    data, tags = reuse_frame((read, frozenset(seen.items())), build, now=now)
    return {
        "data": data,
        "column_config": column_config(WIDTH_SCALES[chosen_width()], tags),
        "column_order": chosen_columns(),
        "placeholder": NO_LINK,
        "hide_index": True,
    }
