"""Pages of the Orders table: which page to read, its "1-50 of 1,234 orders", the pager and
the page size.

The page goes back to the first whenever the filters, the sort or the page size change (the
old page number means nothing in the new list), and a page past the end (a shared link, or
orders that went away) becomes the last page, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import OrderPage
from ui.live import LiveView, Tick, live_tick
from ui.view_url import DEFAULTS, PAGE, PAGE_SIZE, PAGE_SIZES, write_view

PAGED_VIEW = "orders_paged_view"  # (filter, page size) the page number belongs to


@dataclass(frozen=True)
class PageView:
    number: int  # 1-based
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def range_text(page: OrderPage) -> str:
    """ "1-50 of 1,234 orders", "1 of 1 order", "≈ 1,000,000 (estimate)" when counted by the planner."""
    if not page.orders:
        return "No orders match these filters" if page.offset == 0 else "No orders on this page"
    first, last = page.offset + 1, page.offset + len(page.orders)
    span = f"{first:,}" if first == last else f"{first:,}-{last:,}"
    if page.total_is_estimate:
        return f"{span} of ≈ {page.total:,} orders (estimate)"
    return f"{span} of {page.total:,} {'order' if page.total == 1 else 'orders'}"


def current_page(order_filter: OrderFilter, *, paused: bool) -> tuple[Tick, LiveView, PageView]:
    """This tick's changes and page of orders: the first page after a change of view, the last if
    past the end (read from the database only when needed: `ui.live.live_tick`)."""
    state = st.session_state
    size = state.setdefault(PAGE_SIZE, DEFAULTS[PAGE_SIZE])
    if state.get(PAGED_VIEW, (order_filter, size)) != (order_filter, size) and state.get(PAGE, 1) != 1:
        state[PAGE] = 1  # set only when it changes: a widget value set in code is logged as a warning
    state[PAGED_VIEW] = (order_filter, size)
    view = PageView(state.get(PAGE, 1), size)
    tick, live = live_tick(order_filter, limit=view.size, offset=view.offset, paused=paused)
    last = page_count(live.page.total, view.size)
    if not live.page.orders and view.number > last:
        st.info(f"Page {view.number:,} is past the end of this list; showing its last page, {last:,}.")
        view = PageView(last, size)
        state[PAGE] = last
        _, live = live_tick(order_filter, limit=view.size, offset=view.offset, paused=paused)
    return tick, live, view


def render_pager(view: PageView, page: OrderPage) -> None:
    """Page numbers (first and last always shown, arrows off at the ends) and the page size;
    then the URL is brought up to date with the view."""
    pager, size = st.columns([5, 1], vertical_alignment="center")
    with pager:
        st.pagination(page_count(page.total, view.size), key=PAGE, max_visible_pages=9)
    with size:
        st.selectbox("Rows per page", PAGE_SIZES, key=PAGE_SIZE, label_visibility="collapsed", format_func=_per_page)
    write_view(st.session_state)


def _per_page(size: int) -> str:
    return f"{size} per page"
