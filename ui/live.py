"""Live refresh of the Orders table: what changed since the last tick, the page to show, toasts
for the important changes in the operator's view, and the pause / interval controls.

A tick with nothing changed should cost nothing. On PostgreSQL the process's listener
(`Perfile.order_changes`, LISTEN on the receiver's NOTIFY) says so without a query: when its
version is the one the session's last read saw, the page (and the frame built from it,
`reuse_frame`) are reused as they are. Otherwise, and on SQLite, the session's change cursor
is polled (`changes_since`); on SQLite, whose writers are serialized, an empty answer proves
the page unchanged too. A reused page is re-read after TOTAL_MAX_AGE_S all the same when its
filter drifts with time (no news for 48 h), and after PUSHED_MAX_AGE_S in any case.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa
import streamlit as st

from perfile_core.domain.status import STATUS_LABELS, Status
from perfile_core.services.live_pages import drifts
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import (
    OrderPage,
    changes_since,
    current_cursor,
    cursor_misses_nothing,
    orders_in_filter,
)
from ui.context import perfile
from ui.safe_text import md

# Status changes an operator wants to hear about without looking.
TOAST_STATUSES = {
    Status.EXCEPTION: "🔴",
    Status.DELIVERED: "🟢",
    Status.RETURNED: "↩️",
    Status.CONFIRMED: "🟠",
}
MAX_TOASTS_PER_TICK = 5
VIEW_KEY = "live_view"  # the LiveView last shown
FRAME_KEY = "live_frame"  # (key, true until, frame) last built
CURSOR_KEY, STATUSES_KEY = "live_cursor", "live_statuses"
PAUSED_KEY, EVERY_KEY = "live_paused", "live_every"
TOTAL_MAX_AGE_S = 30.0  # a filter over time (no news for 48 h) drifts without any change: re-read
PUSHED_MAX_AGE_S = 600.0  # other filters change only by writes; re-read anyway now and then, in case
INTERVALS_S = (1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)

T = TypeVar("T")


@dataclass(frozen=True)
class Tick:
    changed_ids: set[int] = field(default_factory=set)
    toasts: list[str] = field(default_factory=list)
    elsewhere: int = 0  # important changes to orders outside the current filter: counted, not toasted


@dataclass(frozen=True)
class LiveView:
    key: tuple[OrderFilter, int, int]  # (filter, offset, limit)
    page: OrderPage
    version: int | None  # the listener's version before the page was read
    serial: int  # one per read of the page: frames built from it are keyed by it
    counted_at: float  # monotonic s: the total and the page read from the database
    checked_at: float  # wall clock s: last known current (read, or nothing changed since)


def live_tick(order_filter: OrderFilter, *, limit: int, offset: int, paused: bool = False) -> tuple[Tick, LiveView]:
    """This tick's changes and the page to show, read from the database only when needed."""
    state = st.session_state
    app = perfile()
    version = app.order_changes.version()  # first: a change committed after this moves it
    key = (order_filter, offset, limit)
    memo: LiveView | None = state.get(VIEW_KEY)
    same = memo is not None and memo.key == key
    if memo is not None and same and paused:
        return Tick(), memo  # paused: the table stays as the operator left it
    age = time.monotonic() - memo.counted_at if memo is not None else 0.0
    fresh = memo is not None and same and age < TOTAL_MAX_AGE_S
    vouched = version is not None and memo is not None and version == memo.version
    if memo is not None and same and vouched and (fresh or (not drifts(order_filter) and age < PUSHED_MAX_AGE_S)):
        return Tick(), _checked(memo)  # pushed: nothing changed, no query at all
    tick = poll_changes(order_filter)
    if memo is not None and fresh and not tick.changed_ids and cursor_misses_nothing(app.db):
        return tick, _checked(replace(memo, version=version))
    page = app.live_pages.page(order_filter, limit=limit, offset=offset, version=version)
    if memo is not None and fresh and not tick.changed_ids:  # the same total (PostgreSQL's cursor race)
        total = (memo.page.total, memo.page.total_is_estimate)
        counted_at = memo.counted_at
    else:
        total = app.live_pages.total(order_filter, page, version=version, max_age=TOTAL_MAX_AGE_S)
        counted_at = time.monotonic()
    page = replace(page, total=total[0], total_is_estimate=total[1])
    serial = memo.serial + 1 if memo is not None else 0
    view = LiveView(key, page, version, serial, counted_at, time.time())
    state[VIEW_KEY] = view
    return tick, view


def _checked(view: LiveView) -> LiveView:
    view = replace(view, checked_at=time.time())
    st.session_state[VIEW_KEY] = view
    return view


def poll_changes(order_filter: OrderFilter) -> Tick:
    """Advance this session's cursor; changed order ids, and toasts for the important changes
    of orders in `order_filter` (those elsewhere are only counted)."""
    state = st.session_state
    db = perfile().db
    if CURSOR_KEY not in state:
        state[CURSOR_KEY] = current_cursor(db)
        state[STATUSES_KEY] = {}
        return Tick()
    batch = changes_since(db, state[CURSOR_KEY])
    state[CURSOR_KEY] = batch.cursor
    statuses: dict[int, Status] = state[STATUSES_KEY]
    changed: set[int] = set(batch.deleted_ids)
    worth_a_toast = []
    for order in batch.orders:
        changed.add(order.id)
        previous = statuses.get(order.id)
        statuses[order.id] = order.order_status
        if order.order_status != previous and order.order_status in TOAST_STATUSES:
            worth_a_toast.append(order)
    in_view = orders_in_filter(db, order_filter, (order.id for order in worth_a_toast)) if worth_a_toast else set()
    toasts = [_toast_text(order) for order in worth_a_toast if order.id in in_view]
    return Tick(changed, toasts[:MAX_TOASTS_PER_TICK], len(worth_a_toast) - len(toasts))


def _toast_text(order: Any) -> str:  # Order
    reason = (
        f" ({order.exception_reason.value.replace('_', ' ')})"
        if order.exception_reason and order.order_status == Status.EXCEPTION
        else ""
    )
    return (
        f"{TOAST_STATUSES[order.order_status]} {md(order.order_number)} · {md(order.customer_name)}: "
        f"{STATUS_LABELS[order.order_status]}{reason}"
    )


def show_toasts(tick: Tick) -> None:
    for text in tick.toasts:
        st.toast(text)
    if tick.elsewhere:
        noun = "update" if tick.elsewhere == 1 else "updates"
        st.toast(f"{tick.elsewhere:,} {noun} in orders outside this view", icon=":material/filter_alt:")


def reuse_frame(key: tuple[Any, ...], build: Callable[[], tuple[T, datetime | None]], *, now: datetime) -> T:
    """The table frame last built for `key`, while it is still true at `now`, else `build()`.

    Key it by everything the frame is built from (the view's serial, i.e. its page, and the
    operator's marks); `build` returns the frame and the moment it stops being true with time
    alone (a countdown's new day), or None for never: it is rebuilt then, and not before."""
    memo = st.session_state.get(FRAME_KEY)
    if memo is not None and memo[0] == key and (memo[1] is None or now < memo[1]):
        return memo[2]  # type: ignore[no-any-return]
    value, until = build()
    st.session_state[FRAME_KEY] = (key, until, value)
    return value


def as_arrow(frame: pd.DataFrame) -> pa.Table:
    """The table st.dataframe would convert the frame to on every run, converted once: a reused
    Arrow table is only serialized."""
    return pa.Table.from_pandas(frame)


def live_controls() -> float | None:
    """Pause toggle and refresh interval (default from settings); the fragment's run_every."""
    default = perfile().settings.dashboard_refresh_seconds
    options = sorted({*INTERVALS_S, default})
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key="live_controls"):
        paused = st.toggle("Pause live updates", key=PAUSED_KEY)
        every = st.selectbox(
            "Refresh every",
            options,
            index=options.index(default),
            format_func=lambda s: f"{s:g} s",
            key=EVERY_KEY,
            label_visibility="collapsed",
            disabled=paused,
            width=90,
        )
    return None if paused else float(every)


def live_status(view: LiveView, every: float | None) -> str:
    """'Live, every 3 s · updated 2 s ago' or 'Paused · updated 5 min ago'."""
    ago = max(0, int(time.time() - view.checked_at))
    when = f"{ago} s ago" if ago < 120 else f"{ago // 60} min ago"
    return f"Paused · updated {when}" if every is None else f"Live, every {every:g} s · updated {when}"
