"""The Orders view in the URL: filters, sort, page and page size as query parameters, so a
view can be shared and survives a reload.

The URL is read once per browser session (a reload is a new session) into the widgets' state,
and written back after every run that changed the view. Only values that differ from the
defaults are written. A value the page cannot use is named in a message and left out; the
page falls back to the default for it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping
from typing import Any

import streamlit as st

from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.status import Status
from perfile_core.services.order_filters import SORTABLE
from perfile_core.services.validation import clean_user_text
from ui.safe_text import md

# Widget keys (ui/filters.py, ui/paging.py) and their defaults.
SEARCH, STATUSES, STORES, COURIERS = "f_search", "f_status", "f_store", "f_courier"
PERIOD, NEEDS_ACTION, SORT, DESCENDING = "f_period", "f_needs_action", "f_sort", "f_desc"
PAGE, PAGE_SIZE = "orders_page", "orders_page_size"
PAGE_SIZES = (25, 50, 100, 200)
PERIODS = {"Any time": None, "Today": 0, "Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90}
DEFAULTS: dict[str, Any] = {
    SEARCH: "",
    STATUSES: [],
    STORES: [],
    COURIERS: [],
    PERIOD: "Any time",
    NEEDS_ACTION: False,
    SORT: "created_at",
    DESCENDING: True,
    PAGE: 1,
    PAGE_SIZE: 50,
}
# URL words for sorts and periods (short, and stable if the labels change).
SORT_WORDS = dict(zip(("created", "updated", "eta", "number", "customer", "status"), SORTABLE, strict=True))
PERIOD_WORDS = dict(zip(("any", "today", "7d", "30d", "90d"), PERIODS, strict=True))
URL_PARAMS = ("q", "status", "store", "courier", "created", "action", "sort", "order", "page", "size")
RESTORED = "orders_view_restored"
MAX_PAGE = 1_000_000


def parse_view(params: Mapping[str, list[str]], store_keys: Collection[str]) -> tuple[dict[str, Any], list[str]]:
    """Widget values from the URL's parameters, and what could not be used, in words."""
    values: dict[str, Any] = {}
    problems: list[str] = []

    def one(name: str) -> str | None:
        given = params.get(name) or []
        return given[-1] if given else None

    def choices(name: str, known: Collection[str], what: str) -> list[str]:
        picked = []
        for value in params.get(name) or []:
            if value not in known:
                problems.append(f"{name}={value!r} is not a {what}; left out")
            elif value not in picked:
                picked.append(value)
        return picked

    if (search := one("q")) is not None:
        try:
            values[SEARCH] = clean_user_text(search, field="search") or ""
        except ValidationError as exc:
            problems.append(f"q: the search {exc.errors[0][1]}; search left empty")
    if "status" in params:
        values[STATUSES] = [Status(v) for v in choices("status", [s.value for s in Status], "status")]
    if "store" in params:
        values[STORES] = choices("store", store_keys, "store")
    if "courier" in params:
        values[COURIERS] = choices("courier", COURIER_NAMES, "courier")
    for name, key, words, fallback in (
        ("created", PERIOD, PERIOD_WORDS, "any time"),
        ("sort", SORT, SORT_WORDS, "newest first"),
        ("order", DESCENDING, {"desc": True, "asc": False}, "descending"),
    ):
        if (given := one(name)) is not None and (problem := _pick(values, key, words, given)):
            problems.append(f"{name}={problem}; using {fallback}")
    if (action := one("action")) is not None:
        if action in ("1", "0"):
            values[NEEDS_ACTION] = action == "1"
        else:
            problems.append(f"action={action!r} is neither 1 nor 0; showing every order")
    if (page := one("page")) is not None:
        values[PAGE] = _number(page, range(1, MAX_PAGE + 1), "page", "page 1", problems) or 1
    if (size := one("size")) is not None:
        values[PAGE_SIZE] = _number(size, PAGE_SIZES, "size", f"{DEFAULTS[PAGE_SIZE]} rows", problems) or 50
    return values, problems


def _pick(values: dict[str, Any], key: str, words: Mapping[str, Any], given: str) -> str | None:
    """Set the widget value for a URL word; the problem in words when it is not one."""
    if given in words:
        values[key] = words[given]
        return None
    return f"{given!r} is not one of {', '.join(words)}"


def _number(given: str, allowed: Collection[int], name: str, fallback: str, problems: list[str]) -> int | None:
    if given.isascii() and given.isdigit() and int(given) in allowed:
        return int(given)
    problems.append(f"{name}={given!r} is not a page {'size' if name == 'size' else 'number'}; using {fallback}")
    return None


def view_params(state: Mapping[str, Any]) -> dict[str, list[str]]:
    """The URL parameters for the view in the widgets' state: only what differs from the defaults."""
    value = {key: state.get(key, default) for key, default in DEFAULTS.items()}
    words = {v: k for k, v in SORT_WORDS.items()}
    periods = {v: k for k, v in PERIOD_WORDS.items()}
    params = {
        "q": [value[SEARCH]] if value[SEARCH] else [],
        "status": [Status(s).value for s in value[STATUSES]],
        "store": list(value[STORES]),
        "courier": list(value[COURIERS]),
        "created": [periods[value[PERIOD]]] if value[PERIOD] != DEFAULTS[PERIOD] else [],
        "action": ["1"] if value[NEEDS_ACTION] else [],
        "sort": [words[value[SORT]]] if value[SORT] != DEFAULTS[SORT] else [],
        "order": ["asc"] if not value[DESCENDING] else [],
        "page": [str(value[PAGE])] if value[PAGE] != 1 else [],
        "size": [str(value[PAGE_SIZE])] if value[PAGE_SIZE] != DEFAULTS[PAGE_SIZE] else [],
    }
    return {name: given for name, given in params.items() if given}


def restore_view(store_keys: Collection[str]) -> None:
    """Once per browser session: the URL's view into the widgets' state; a message names what
    the URL asked for that the page cannot show."""
    state = st.session_state
    if state.get(RESTORED):
        return
    state[RESTORED] = True
    params = {name: st.query_params.get_all(name) for name in URL_PARAMS if name in st.query_params}
    values, problems = parse_view(params, store_keys)
    for key, value in values.items():
        state[key] = value
    if problems:
        lines = "\n".join(f"- {md(problem)}" for problem in problems)
        st.warning(f"Part of this link's view could not be used:\n{lines}", icon=":material/link_off:")


def write_view(state: MutableMapping[str, Any]) -> None:
    """Put the current view into the URL, when it differs from what the URL says."""
    wanted = view_params(state)
    current = {name: st.query_params.get_all(name) for name in URL_PARAMS if name in st.query_params}
    if wanted == current:
        return
    for name in URL_PARAMS:
        if name in st.query_params and name not in wanted:
            del st.query_params[name]
    st.query_params.update(wanted)
