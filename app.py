"""Perfile dashboard entrypoint: the page list (the pages themselves live in pages/)."""

from __future__ import annotations

import streamlit as st

from ui import access_mode

# An emoji favicon is an inline SVG; a Material icon one would be fetched from fonts.gstatic.com,
# and the dashboard makes no requests off this host.
st.set_page_config(page_title="Perfile", page_icon="🚚", layout="wide")
# Local mode (no login) serves 127.0.0.1 only, production hides error details: before any page.
access_mode.enforce()

navigation = st.navigation(
    [
        st.Page("pages/0_Orders.py", title="Orders", icon=":material/list_alt:", default=True),
        st.Page("pages/1_Order.py", title="Order", icon=":material/package_2:", url_path="Order"),
        st.Page("pages/2_Analytics.py", title="Analytics", icon=":material/monitoring:", url_path="Analytics"),
        st.Page("pages/3_Integrations.py", title="Integrations", icon=":material/hub:", url_path="Integrations"),
    ]
)
navigation.run()
