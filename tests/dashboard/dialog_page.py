"""A bare page for the order dialogs' AppTests: what the Orders page does around a dialog
(flash toasts, the Undo bar, the New order button, the open dialog), and nothing else."""

from __future__ import annotations

import streamlit as st

import ui.new_order
import ui.order_dialogs
from ui.dialogs import DIALOGS, OpenDialog, open_dialog, render_open_dialog
from ui.safe_text import md

try:
    import ui.booking_dialog  # helper B's dialog, once merged
except ImportError:

    @st.dialog("Book shipment")
    def _booking_stand_in(dialog: OpenDialog) -> None:
        """Shows which order the booking dialog was opened for, until the real one is merged."""
        preferred = dialog.state.get("preferred_courier")
        st.markdown(f"Booking order {dialog.order_ids[0]:d}, preferred courier {md(preferred)}")

    DIALOGS["book"] = _booking_stand_in

# A browser test opens a dialog by URL once: ?open=delete&order=7
if "open" in st.query_params and not st.session_state.get("opened_from_url"):
    st.session_state["opened_from_url"] = True
    order = st.query_params.get("order")
    open_dialog(st.query_params["open"], [int(order)] if order else [])

for message in st.session_state.pop("flash", []):
    st.toast(message)
ui.order_dialogs.render_undo_bar()
ui.new_order.render_new_order_button()
render_open_dialog()
