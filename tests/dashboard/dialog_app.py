"""A tiny page for testing the booking dialogs before the Orders page's action bar exists:
it opens what the test put in session state and shows the flash lines a dialog left."""

from __future__ import annotations

import streamlit as st

import ui.booking_dialog
import ui.bulk_booking  # noqa: F401  (registers "bulk_book")
from ui.dialogs import render_open_dialog

for line in st.session_state.pop("flash", []):
    st.toast(line)
render_open_dialog()
