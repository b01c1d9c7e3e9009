"""The one Perfile application object per dashboard process."""

from __future__ import annotations

import streamlit as st

from perfile_core.bootstrap import Perfile, build


@st.cache_resource
def perfile() -> Perfile:
    return build()
