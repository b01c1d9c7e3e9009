"""Every page's first call: app.py's gate again, for the one way a page runs without app.py.

While a pages/ folder sits beside the entrypoint, Streamlit serves a process's first script runs as an
old-style multipage app until some run calls st.navigation: the first visitor after a start who opens
/Order?order=... runs pages/1_Order.py directly, not app.py (tests/browser/test_login_in_chromium.py
opens that deep link first). The page then stops here, before reading anything, unless the same rules
as app.py's (ui.access_mode, ui.access) let this visitor in. Through app.py this costs two checks.
"""

from __future__ import annotations

import streamlit as st

from ui.access import current_actor, logged_in, login_configured
from ui.access_mode import current_mode


def enter_page() -> None:
    """Stop this run unless the visitor may see pages: a served address, a login, a role."""
    if current_mode().refusal:
        st.error("This dashboard is not served here: open its start page.", icon="🔒")
        st.stop()
    if login_configured() and not logged_in():
        st.title("Perfile")
        st.write("Log in with your company account to see orders.")
        st.button("Log in", type="primary", on_click=st.login, key="page_gate_login")
        st.stop()
    if current_actor() is None:
        st.error("This account has no role in Perfile: open the start page.", icon="🔒")
        st.stop()
