"""A bare page for the order dialogs' AppTests: what the Orders page does around a dialog
(flash toasts, the Undo bar, the New order button, the open dialog), and nothing else."""

from __future__ import annotations

import streamlit as st

import ui.booking_dialog  # registers "book": New order's "Save and book" opens it
import ui.new_order
import ui.order_dialogs
from ui.dialogs import render_open_dialog

for message in st.session_state.pop("flash", []):
    st.toast(message)
ui.order_dialogs.render_undo_bar()
ui.new_order.render_new_order_button()
render_open_dialog()
