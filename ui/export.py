"""The Orders page's CSV download: the core's export, so formula cells are neutralized.

Streamlit's own table download writes cells verbatim (a name `=HYPERLINK(...)` would run
in a spreadsheet), so `.streamlit/config.toml` turns it off and this button replaces it.
"""

from __future__ import annotations

import streamlit as st

from perfile_core.services.exports import orders_csv
from perfile_core.services.order_filters import OrderFilter
from ui.context import perfile


def render_csv_download(flt: OrderFilter) -> None:
    db = perfile().db
    st.download_button(
        "Download CSV",
        data=lambda: orders_csv(db, flt),  # built only when clicked
        file_name="orders.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="Every order the filters match, with computed fields (as `orders export --format csv`)",
    )
