"""The "print_label" dialog: the label PDF shown in the browser, to print from its viewer."""

from __future__ import annotations

from importlib.util import find_spec

import streamlit as st

from perfile_core.domain.errors import PerfileError
from perfile_core.services.shipment_labels import get_label
from ui.context import perfile
from ui.dialogs import DIALOGS, OpenDialog, close_dialog
from ui.errors import show_error

PDF_VIEWER = find_spec("streamlit_pdf") is not None  # st.pdf raises without it


@st.dialog("Print label", width="large", on_dismiss=close_dialog)
def print_label_dialog(dialog: OpenDialog) -> None:
    try:
        pdf = get_label(perfile().db, perfile().couriers, dialog.order_ids[0])
    except PerfileError as exc:
        show_error(exc)
        return
    if PDF_VIEWER:
        st.caption("Print with the viewer's print button, or download the PDF.")
        st.pdf(pdf, height=640, alt="Shipping label")
    else:
        st.info(
            "The in-browser PDF viewer is not installed on this server (the `streamlit-pdf` package). "
            "Download the label and print it from your PDF reader.",
            icon=":material/print:",
        )
    st.download_button(
        "Download label", data=pdf, file_name="label.pdf", mime="application/pdf", on_click="ignore", key="print_dl"
    )
    if st.button("Close", key="print_close"):
        close_dialog()
        st.rerun()


DIALOGS["print_label"] = print_label_dialog
