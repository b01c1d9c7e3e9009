"""Validation messages next to the field they are about, for the operator forms."""

from __future__ import annotations

from typing import Any

import streamlit as st

from perfile_core.domain.errors import PerfileError, ValidationError
from ui.errors import show_error
from ui.safe_text import md

ERRORS_KEY = "errors"  # in OpenDialog.state: field -> reason, from the last refused submit


def remember_errors(state: dict[str, Any], exc: PerfileError, fields: tuple[str, ...]) -> bool:
    """Keep a ValidationError's messages for fields this form shows; True if all were kept.

    Anything else (a conflict, a field the form does not have) is shown as a whole message."""
    state[ERRORS_KEY] = {}
    if isinstance(exc, ValidationError) and all(name in fields for name, _ in exc.errors):
        state[ERRORS_KEY] = dict(exc.errors)
        return True
    show_error(exc)
    return False


def field_error(state: dict[str, Any], name: str) -> None:
    reason = state.get(ERRORS_KEY, {}).get(name)
    if reason:
        st.caption(f":red[{md(reason)}]")


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value
