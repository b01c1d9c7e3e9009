"""The "print_label" dialog: the label PDF shown in the browser's viewer, to print from there."""

from __future__ import annotations

import streamlit as st

from perfile_core.domain.errors import PerfileError
from perfile_core.services.shipment_labels import get_label
from ui.context import perfile
from ui.dialogs import DIALOGS, OpenDialog, close_dialog
from ui.errors import show_error
from ui.pdf_view import label_actions, show_pdf


@st.dialog("Print label", width="large", on_dismiss=close_dialog)
def print_label_dialog(dialog: OpenDialog) -> None:
    order_id = dialog.order_ids[0]
    try:
        pdf = get_label(perfile().db, perfile().couriers, order_id)
    except PerfileError as exc:
        show_error(exc)
        return
    st.caption("Print with the viewer's print button, or open the label in a new tab.")
    show_pdf(pdf, key=f"print_{order_id}")
    label_actions(pdf, f"label-{order_id}.pdf", key=f"print_{order_id}")
    if st.button("Close", key="print_close"):
        close_dialog()
        st.rerun()


DIALOGS["print_label"] = print_label_dialog
