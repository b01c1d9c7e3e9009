"""Sidebar filter widgets -> one OrderFilter; their values come from and go to the URL (ui/view_url.py)."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.status import STATUS_LABELS, Status
from perfile_core.services.admin import list_stores
from perfile_core.services.order_filters import SORTABLE, OrderFilter
from ui.context import perfile
from ui.view_url import (
    COURIERS,
    DEFAULTS,
    DESCENDING,
    NEEDS_ACTION,
    PAGE,
    PERIOD,
    PERIODS,
    SEARCH,
    SORT,
    STATUSES,
    STORES,
    restore_view,
)

SORT_LABELS = {
    "created_at": "Created",
    "updated_at": "Last update",
    "estimated_delivery": "ETA",
    "order_number": "Order number",
    "customer_name": "Customer",
    "order_status": "Status (in lifecycle order)",
}


@st.cache_data(ttl=60)
def store_options() -> dict[str, str]:
    return {store.key: store.name for store in list_stores(perfile().db)}


def sidebar_filter() -> OrderFilter:
    stores = store_options()
    restore_view(stores)
    for key, default in DEFAULTS.items():
        if key != PAGE:  # the pager has its own default (ui/paging.py)
            st.session_state.setdefault(key, default)  # the widgets take their values from here
    with st.sidebar:
        st.header("Filters")
        search = st.text_input(
            "Search",
            placeholder="Order or tracking no. (start), name, e-mail",
            key=SEARCH,
            help="Order and tracking numbers that start with the text, names and e-mail addresses that contain it; "
            "any case",
        )
        statuses = st.multiselect("Status", list(Status), format_func=lambda s: STATUS_LABELS[s], key=STATUSES)
        store_keys = st.multiselect("Store", list(stores), format_func=stores.get, key=STORES)
        couriers = st.multiselect("Courier", list(COURIER_NAMES), format_func=COURIER_NAMES.get, key=COURIERS)
        period = st.selectbox("Created", list(PERIODS), key=PERIOD)
        needs_action = st.toggle(
            "Needs action only", key=NEEDS_ACTION, help="No tracking, exception, or no news for 48 h"
        )
        sort = st.selectbox("Sort by", list(SORTABLE), format_func=SORT_LABELS.get, key=SORT)
        descending = st.toggle("Newest / highest first", key=DESCENDING)
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
