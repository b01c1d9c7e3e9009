"""Every operator dialog, registered in `ui.dialogs.DIALOGS` by importing its module, and the
one call a page makes to show the open one.

A dialog is opened by a button's on_click. When that button sits in the live table's
fragment, only the fragment reruns, and the page's `show_open_dialog` would not run until the
next full run: `rerun_for_dialog` (called at the end of the fragment) asks for one. It asks for
one too when a tick changes the order an open details drawer shows, so the drawer follows the row.
"""

from __future__ import annotations

import streamlit as st

# Each module registers its dialogs in DIALOGS when imported: booking_dialog (book),
# bulk_booking (bulk_book), details_drawer (details), label_print (print_label),
# new_order (new_order), order_dialogs (claim, edit, cancel, delete).
from ui import (  # noqa: F401
    booking_dialog,
    bulk_booking,
    details_drawer,
    label_print,
    new_order,
    order_dialogs,
)
from ui.access import may_open
from ui.dialogs import DIALOGS, close_dialog, current_dialog, flash, render_open_dialog, show_flash
from ui.safe_text import md

__all__ = ["flash", "rerun_for_dialog", "show_flash", "show_open_dialog"]

ON_SCREEN_KEY = "dialog_on_screen"
# Dialogs showing an order's live state (status, events): redrawn when a tick changes the order.
LIVE_DIALOGS = frozenset({"details"})


def show_open_dialog() -> None:
    """Show the open dialog, if any; call once per full run, before the live fragment."""
    dialog = current_dialog()
    if dialog is not None and dialog.name not in DIALOGS:
        st.error(f"There is no {md(dialog.name)} dialog.")
        close_dialog()
        return
    if dialog is not None and not may_open(dialog.name):
        close_dialog()  # opened by someone whose role may not (e.g. a stale session state); the core refuses too
        return
    st.session_state[ON_SCREEN_KEY] = dialog
    render_open_dialog()


def rerun_for_dialog(changed_ids: set[int]) -> None:
    """From inside the live fragment, which cannot draw a dialog: a full run for a dialog opened in
    this fragment run, or for a live dialog whose order the tick saw change (`changed_ids`)."""
    dialog = current_dialog()
    if dialog is None:
        return
    opened_here = dialog is not st.session_state.get(ON_SCREEN_KEY)
    stale = dialog.name in LIVE_DIALOGS and not changed_ids.isdisjoint(dialog.order_ids)
    if opened_here or stale:
        st.rerun()
