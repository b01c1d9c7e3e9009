"""Which operator dialog is open, kept in session state so it survives reruns and live ticks.

Streamlit shows at most one dialog per run, and a dialog opened by `if st.button(...)` closes on
the next rerun (and cannot be tested with AppTest). So an action only records what to open,
by name and the order ids it acts on (never row positions), and the page renders it with
`render_open_dialog()`. Each dialog module registers its renderer in `DIALOGS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

OPEN_DIALOG_KEY = "open_dialog"
FLASH_KEY = "flash"


@dataclass
class OpenDialog:
    name: str
    order_ids: list[int]
    state: dict[str, Any] = field(default_factory=dict)  # the dialog's own steps and inputs


# name -> renderer(dialog); each renderer is an @st.dialog function taking the OpenDialog.
DIALOGS: dict[str, Callable[[OpenDialog], None]] = {}


def open_dialog(name: str, order_ids: list[int]) -> None:
    """Remember which dialog to show for which orders; call from a button's on_click."""
    st.session_state[OPEN_DIALOG_KEY] = OpenDialog(name, list(order_ids))


def close_dialog() -> None:
    st.session_state.pop(OPEN_DIALOG_KEY, None)


def current_dialog() -> OpenDialog | None:
    return st.session_state.get(OPEN_DIALOG_KEY)


def render_open_dialog() -> None:
    """Show the open dialog, if any (once per run, from the page)."""
    dialog = current_dialog()
    if dialog is None:
        return
    renderer = DIALOGS.get(dialog.name)
    if renderer is None:
        close_dialog()
        return
    renderer(dialog)


def flash(text: str) -> None:
    """Leave a one-line result (already escaped) for the next run, which shows it as a toast."""
    st.session_state.setdefault(FLASH_KEY, []).append(text)


def show_flash() -> None:
    """The one-line results dialogs left for the next run (already escaped), as toasts."""
    for text in st.session_state.pop(FLASH_KEY, []):
        st.toast(text)
