"""Perfile dashboard entrypoint: the login gate and the page list (the pages themselves live in pages/).

With an [auth] section in .streamlit/secrets.toml every page needs a login: until then st.navigation
is given only the login page, so no page (nor a deep link such as /Order?order=...) runs. Without it
the dashboard is in local mode and acts as the named local user (ui/access.py).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import access_mode
from ui.access import current_actor, logged_in, login_configured, user_email
from ui.gc_pauses import freeze_loaded_modules
from ui.safe_text import md

SIDEBAR_WIDTH = 240

# The filter sidebar at 240 px (Streamlit's default is 300): the Orders table's default columns
# then fit beside it at 1600 px (ui/orders_frame.WIDTHS). An operator can still drag it wider.
# Streamlit 1.67 applies the width only to a sidebar not yet drawn: the first session after the
# process starts draws it from pages/ before this runs (ui/page_gate.py), at 300 px and without
# page.css, and its table scrolls (the pinned columns stay); every later session, or a reload, fits.
# An emoji favicon is an inline SVG; a Material icon one would be fetched from fonts.gstatic.com,
# and the dashboard makes no requests off this host.
st.set_page_config(page_title="Perfile", page_icon="🚚", layout="wide", initial_sidebar_state=SIDEBAR_WIDTH)
# Only <style>: Streamlit puts it in the event container, where it takes no space.
st.html(Path(__file__).parent / "ui" / "page.css")
# Local mode (no login) serves 127.0.0.1 only, production hides error details: before any page.
access_mode.enforce()


def login_page() -> None:
    st.title("Perfile")
    st.write("Log in with your company account to see orders.")
    st.button("Log in", type="primary", on_click=st.login, key="login_button")


def no_access_page() -> None:
    st.title("No access")
    st.error(
        f"{md(user_email()) or 'This account'} has no role in Perfile (admin, operator or analyst). "
        "Ask an admin to add your address or domain to the roles.",
        icon="🔒",
    )
    st.button("Log out", on_click=st.logout, key="logout_button")


def signed_in_sidebar() -> None:
    actor = current_actor()
    if actor is None:
        return
    with st.sidebar:
        who = f"{md(actor.name)} · {md(actor.email)}" if actor.email else md(actor.name)
        if login_configured():
            st.caption(f"Signed in as **{who}** ({md(actor.role.value)})")
            st.button("Log out", on_click=st.logout, key="logout_button")
        else:
            st.caption(f"Acting as **{who}** ({md(actor.role.value)}), no login: local mode")


PAGES = [
    st.Page("pages/0_Orders.py", title="Orders", icon=":material/list_alt:", default=True),
    st.Page("pages/1_Order.py", title="Order", icon=":material/package_2:", url_path="Order"),
    st.Page("pages/2_Analytics.py", title="Analytics", icon=":material/monitoring:", url_path="Analytics"),
    st.Page("pages/3_Integrations.py", title="Integrations", icon=":material/hub:", url_path="Integrations"),
]

if login_configured() and not logged_in():
    navigation = st.navigation([st.Page(login_page, title="Log in", default=True)], position="hidden")
elif current_actor() is None:
    navigation = st.navigation([st.Page(no_access_page, title="No access", default=True)], position="hidden")
else:
    signed_in_sidebar()
    navigation = st.navigation(PAGES)
navigation.run()
freeze_loaded_modules()  # after a run that loaded modules: out of the collector's full scans (ui/gc_pauses.py)
