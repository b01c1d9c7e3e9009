"""Domain errors shown to operators: one helper, one wording per error kind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from perfile_core.domain.errors import (
    Conflict,
    CourierError,
    NotFound,
    NotSupported,
    PerfileError,
    StorageUnavailable,
    ValidationError,
)
from ui.safe_text import md


def show_error(exc: PerfileError) -> None:
    """Details quote what was typed, sent or answered, so they are shown as text (`md`)."""
    if isinstance(exc, ValidationError):
        lines = "\n".join(f"- **{md(field.replace('_', ' '))}**: {md(reason)}" for field, reason in exc.errors)
        st.error(f"Please check the form:\n{lines}", icon="✏️")
    elif isinstance(exc, NotFound):
        st.warning(md(exc.detail), icon="🔎")
    elif isinstance(exc, Conflict | NotSupported):
        st.warning(md(exc.detail), icon="⚠️")
    elif isinstance(exc, CourierError):
        st.error(f"The courier did not accept this: {md(exc.detail)}", icon="🚚")
    elif isinstance(exc, StorageUnavailable):
        st.error("The database is not reachable right now; nothing was changed. Try again shortly.", icon="🛑")
    else:
        st.error(md(exc.detail))


@contextmanager
def reported_errors() -> Iterator[None]:
    """Run an operator action; a domain error becomes a message instead of a traceback."""
    try:
        yield
    except PerfileError as exc:
        show_error(exc)
