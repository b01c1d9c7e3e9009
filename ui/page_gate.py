"""Every page's first call: app.py's gate again, for the one way a page runs without app.py.

While a pages/ folder sits beside the entrypoint, Streamlit serves a process's first script runs as an
old-style multipage app until some run calls st.navigation: the first visitor after a start who opens
/Order?order=... runs pages/1_Order.py directly, not app.py (tests/browser/test_login_in_chromium.py
opens that deep link first). The page then stops here, before reading anything, unless the same rules
as app.py's (ui.access_mode, ui.access) let this visitor in. Through app.py this costs two checks.

Such a run is handed back to app.py at once: the gate turns Streamlit's old-style mode off (what
st.navigation does) and reruns, so the same page with the same query comes back through app.py's
navigation, sidebar (who is signed in, Log out) and local-mode guard. Without this a browser that
reconnects to a freshly started dashboard replica (a deploy, or the replica it was on stopped:
tests/browser/test_login_behind_proxy_in_chromium.py) got its page without app.py's sidebar and
with a navigation entry "app", until it clicked that entry.
"""

from __future__ import annotations

import streamlit as st
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager

from ui.access import current_actor, logged_in, login_configured
from ui.access_mode import current_mode


def enter_page() -> None:
    """Stop this run unless the visitor may see pages: a served address, a login, a role."""
    _through_app()
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


def _through_app() -> None:
    """Rerun through app.py when this page runs as Streamlit's old-style multipage app.

    Not under AppTest: it starts every run in old-style mode as a fresh process would (it resets the
    flag), so every run after the first would be handed over and lose the click that started it."""
    # streamlit.config.get_option, which AppTest patches (st.get_option does not see its override).
    if getattr(PagesManager, "uses_pages_directory", False) and not config.get_option("global.appTest"):
        # st.navigation sets this on its first call in a process; app.py makes that call on the rerun.
        PagesManager.uses_pages_directory = False
        st.rerun()
