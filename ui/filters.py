"""Sidebar filter widgets -> one OrderFilter."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.status import STATUS_LABELS, Status
from perfile_core.services.admin import list_stores
from perfile_core.services.order_filters import SORTABLE, OrderFilter
from ui.context import perfile

PERIODS = {"Any time": None, "Today": 0, "Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90}


@st.cache_data(ttl=60)
def store_options() -> dict[str, str]:
    return {store.key: store.name for store in list_stores(perfile().db)}


def sidebar_filter() -> OrderFilter:
    with st.sidebar:
        st.header("Filters")
        search = st.text_input("Search", placeholder="Order no., tracking no. or name", key="f_search")
        statuses = st.multiselect("Status", list(Status), format_func=lambda s: STATUS_LABELS[s], key="f_status")
        stores = store_options()
        store_keys = st.multiselect("Store", list(stores), format_func=stores.get, key="f_store")
        couriers = st.multiselect("Courier", list(COURIER_NAMES), format_func=COURIER_NAMES.get, key="f_courier")
        period = st.selectbox("Created", list(PERIODS), key="f_period")
        needs_action = st.toggle(
            "Needs action only", key="f_needs_action", help="No tracking, exception, or no news for 48 h"
        )
        sort = st.selectbox(
            "Sort by", list(SORTABLE), format_func=lambda s: s.replace("_", " ").capitalize(), key="f_sort"
        )
        descending = st.toggle("Newest / highest first", value=True, key="f_desc")
    days = PERIODS[period]
    return OrderFilter(
        store_keys=tuple(store_keys),
        couriers=tuple(couriers),
        statuses=tuple(statuses),
        created_from=None if days is None else date.today() - timedelta(days=days),
        search=search or None,
        needs_action=needs_action,
        sort=sort,
        descending=descending,
    )
