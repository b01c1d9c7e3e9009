"""Pages of orders for live views, shared by every session of a dashboard process.

Operators mostly look at the same few views. With push (db/listen.py) a process knows when the
database may have changed: its listener's version. A page read at one version is still the
page until the version moves, so every session asking for that view at that version gets the
one read (a change whose NOTIFY is still on its way moves the version when it arrives, and
every session reads again, as each would have on its own). Without a version (SQLite, listener
down) nothing is shared. A filter whose rows change with time alone is read again each
DRIFT_SECONDS.

Totals are shared per filter too: at 1M orders a count spends its 30 ms budget and asks the
planner, so after a change it is counted again at most every RECOUNT_SECONDS, whichever
session asks, and in the background: the tick shows the last total meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any

from sqlalchemy import Engine

from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import OrderPage, count_orders, list_orders

log = logging.getLogger("perfile.live")

DRIFT_SECONDS = 30.0
MAX_PAGES = 64
RECOUNT_SECONDS = 5.0  # a total is counted again after a change, but not more often than this


def drifts(order_filter: OrderFilter) -> bool:
    """Whether the filter's rows change with time alone ("no news for 48 h"); a "created in the
    last 7 days" filter holds a date, so it is a new filter the next day."""
    return order_filter.needs_action


class SharedPages:
    def __init__(self, db: Engine, *, max_pages: int = MAX_PAGES, background: bool = True) -> None:
        """`background=False`: recounts happen in the asking call (tests)."""
        self._db = db
        self._background = background
        self._counting: set[OrderFilter] = set()
        self._max = max_pages
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple[Any, ...], OrderPage] = OrderedDict()
        # filter -> (version, counted at (monotonic s), total, is_estimate)
        self._totals: OrderedDict[OrderFilter, tuple[int | None, float, int, bool]] = OrderedDict()

    def forget(self) -> None:
        """Drop every page and total kept: the next read of any view goes to the database (the
        Orders page bench times a view's first read this way)."""
        with self._lock:
            self._pages.clear()
            self._totals.clear()

    def page(self, order_filter: OrderFilter, *, limit: int, offset: int, version: int | None) -> OrderPage:
        """The page without its total (`list_orders(..., with_total=False)`), read once per version."""
        if version is None:
            return list_orders(self._db, order_filter, limit=limit, offset=offset, with_total=False)
        bucket = int(time.time() // DRIFT_SECONDS) if drifts(order_filter) else 0
        key = (order_filter, limit, offset, version, bucket)
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        page = list_orders(self._db, order_filter, limit=limit, offset=offset, with_total=False)
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self._max:
                self._pages.popitem(last=False)
        return page

    def total(
        self, order_filter: OrderFilter, page: OrderPage, *, version: int | None, max_age: float
    ) -> tuple[int, bool]:
        """(total, is_estimate) of the filter whose `page` this is. Without a version it is counted
        now. With one, a known total is answered at once, and counted again in the background
        when the version moved (at most every RECOUNT_SECONDS) or it is `max_age` old: no tick
        waits for a count but the first of its view."""
        if page.offset == 0 and len(page.orders) < page.limit:
            return len(page.orders), False  # the whole result is on the page
        with self._lock:
            memo = self._totals.get(order_filter)
        if version is None or memo is None:
            return self._count(order_filter, version)
        age = time.monotonic() - memo[1]
        if age >= max_age or (memo[0] != version and age >= RECOUNT_SECONDS):
            self._recount_later(order_filter, version)
        return memo[2], memo[3]

    def _count(self, order_filter: OrderFilter, version: int | None) -> tuple[int, bool]:
        counted_at = time.monotonic()
        total, estimate = count_orders(self._db, order_filter)
        with self._lock:
            self._totals[order_filter] = (version, counted_at, total, estimate)
            self._totals.move_to_end(order_filter)
            while len(self._totals) > self._max:
                self._totals.popitem(last=False)
        return total, estimate

    def _recount_later(self, order_filter: OrderFilter, version: int) -> None:
        with self._lock:
            if order_filter in self._counting:
                return
            self._counting.add(order_filter)
        if not self._background:
            self._recount(order_filter, version)
            return
        threading.Thread(
            target=self._recount, args=(order_filter, version), name="perfile-recount", daemon=True
        ).start()

    def _recount(self, order_filter: OrderFilter, version: int) -> None:
        try:
            self._count(order_filter, version)
        except Exception:  # the old total stays; the next tick that needs one asks again
            log.exception("counting orders for a live view failed")
        finally:
            with self._lock:
                self._counting.discard(order_filter)
