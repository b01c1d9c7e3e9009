"""The Orders table's selection, kept as order ids.

Streamlit reports a dataframe selection as row positions, and rows move whenever new
orders arrive or a filter changes. So a change the operator makes is turned into order ids
at once, and every run writes the table's positional selection back from those ids before
the table is drawn: the checked rows and the action bar always belong to the same orders.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from perfile_core.domain.order import Order
from ui.safe_text import md

TABLE_KEY = "orders_table"  # the st.dataframe's key: its selection state, by position
SELECTED_KEY = "selected_orders"  # {order id: order number}, in the order they were selected
SHOWN_KEY = "orders_table_shown"  # [(order id, order number)] by position, as last drawn
WRITTEN_KEY = "orders_table_written"  # the positions written for the last draw
NOTE_KEY = "selection_note"


def selected_orders(orders: Sequence[Order]) -> list[Order]:
    """The selected orders on this page, and the table's selection state written from them.

    Call once per run, before drawing the table with `key=TABLE_KEY` and these `orders`.
    """
    state = st.session_state
    _take_operator_change()
    chosen: dict[int, str] = state.get(SELECTED_KEY, {})
    position = {order.id: index for index, order in enumerate(orders)}
    left = [number for order_id, number in chosen.items() if order_id not in position]
    if left:
        state[NOTE_KEY] = (
            f"Selection cleared: {', '.join(md(number) for number in left)} "
            "is no longer on this page (filtered out, on another page or deleted)."
        )
    kept = {order_id: number for order_id, number in chosen.items() if order_id in position}
    rows = [position[order_id] for order_id in kept]
    state[SELECTED_KEY] = kept
    state[SHOWN_KEY] = [(order.id, order.order_number) for order in orders]
    state[WRITTEN_KEY] = rows
    state[TABLE_KEY] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return [orders[row] for row in rows]


def _take_operator_change() -> None:
    """A selection that differs from the one written last run was made by the operator, on the
    rows as last drawn: record it by order id."""
    state = st.session_state
    table = state.get(TABLE_KEY)
    rows = list(table["selection"]["rows"]) if table else []
    if rows == state.get(WRITTEN_KEY, []):
        return
    shown: list[tuple[int, str]] = state.get(SHOWN_KEY, [])
    state[SELECTED_KEY] = {shown[row][0]: shown[row][1] for row in rows if 0 <= row < len(shown)}
    state.pop(NOTE_KEY, None)


def selection_note() -> str | None:
    """Why an earlier selection was cleared (escaped), until the operator selects again."""
    return st.session_state.get(NOTE_KEY)


def clear_selection() -> None:
    st.session_state[SELECTED_KEY] = {}
    st.session_state.pop(NOTE_KEY, None)


def deselect(order_id: int) -> None:
    """Drop one order from the selection without a note (after a delete, the Undo bar says it)."""
    chosen: dict[int, str] = st.session_state.get(SELECTED_KEY, {})
    st.session_state[SELECTED_KEY] = {key: number for key, number in chosen.items() if key != order_id}
