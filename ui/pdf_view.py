"""Label PDFs in the browser: download, print from the browser's own PDF viewer, or show inline.

The PDF is put in Streamlit's media storage, which serves it inline (no attachment header),
so a link opens it in the browser's viewer in a new tab, and `st.iframe` shows the same URL
inside a dialog. Bytes, not a deferred callable: a callable gets a new id on every run and is
dropped by the next one, so a click that lands just after a live tick would fail; bytes get an
id from their content, which stays valid across ticks.
"""

from __future__ import annotations

import streamlit as st
from streamlit import runtime


def inline_pdf_url(data: bytes, coordinates: str) -> str | None:
    """A URL on this Streamlit server that shows `data` inline; None outside a running server
    (AppTest), where there is nothing to open."""
    if not runtime.exists():
        return None
    return runtime.get_instance().media_file_mgr.add(data, "application/pdf", coordinates)


def label_actions(pdf: bytes, file_name: str, *, key: str = "label", what: str = "label") -> None:
    """Download the PDF, and print it: the PDF opens in a new tab in the browser's viewer."""
    with st.container(horizontal=True):
        st.download_button(
            f"Download {what}",
            data=pdf,
            file_name=file_name,
            mime="application/pdf",
            on_click="ignore",
            key=f"{key}_download",
            icon=":material/download:",
        )
        url = inline_pdf_url(pdf, f"{key}-print")
        if url is not None:
            st.link_button(f"Print {what}", url, icon=":material/print:")


def show_pdf(pdf: bytes, *, key: str, height: int = 640) -> bool:
    """The PDF inside the page, in the browser's viewer (which has Print); False if it cannot be."""
    url = inline_pdf_url(pdf, f"{key}-inline")
    if url is None:
        return False
    st.iframe(url, height=height, alt="Shipping label")
    return True
