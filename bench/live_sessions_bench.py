"""50 dashboard sessions ticking every 3 s against the query layer, at 1M orders on PostgreSQL.
Target: each tick < 50 ms p95 on this 2-core machine; prints sessions per core for sizing.

Simulated sessions, one thread each, in one process sharing one composition root (one engine
pool, one listener), as in one dashboard process. Each tick does what `ui.live.live_tick` asks
of the core: read the listener's version and, when it moved, `changes_since` its cursor and its
page and total through the process's shared pages (`Perfile.live_pages`: one read per view and
version, a total counted again at most every 5 s, in the background). Sessions look at five views (the newest
orders, a status, a store, a courier, "needs action"), ten each. Something changes every
second: a NOTIFY on `perfile_orders`, as the receiver sends after a write (the 1M database stays
read-only), so every tick reads again: the worst case for push (as if every tick saw a change).
What is not in it: Streamlit drawing the tick (`bench.live_tick_bench` measures that, a few ms).

Sessions per core = sessions / (CPU busy), the CPU the dashboard process and its PostgreSQL
backends used per second of the window, so both sides of a tick are counted.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time

import psycopg
from sqlalchemy.engine import make_url

from bench.bulk_load import ensure_orders
from bench.proc_cpu import cpu_seconds
from perfile_core.bootstrap import build
from perfile_core.config import load_settings
from perfile_core.db.notify import ORDERS_CHANNEL
from perfile_core.domain.status import Status
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import changes_since, current_cursor, list_orders

ORDERS = int(os.environ.get("PERFILE_BENCH_ORDERS", "1000000"))
SESSIONS = int(os.environ.get("PERFILE_BENCH_SESSIONS", "50"))
SECONDS = float(os.environ.get("PERFILE_BENCH_SESSION_SECONDS", "60"))
EVERY_S = 3.0
TARGET_P95_MS = 50.0
APP_NAME = "perfile_sessions_bench"
FILTERS = [
    OrderFilter(),
    OrderFilter(statuses=(Status.IN_TRANSIT,)),
    OrderFilter(store_keys=("store-3",)),
    OrderFilter(couriers=("bring",)),
    OrderFilter(needs_action=True),
]


def _backends(dsn: str) -> list[int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)).fetchall()
    return [pid for (pid,) in rows]


def measure(database_url: str, sessions: int, seconds: float) -> tuple[list[float], float]:
    """(tick milliseconds, sessions per core)."""
    url = make_url(database_url).update_query_dict({"application_name": APP_NAME}).render_as_string(False)
    app = build(load_settings(database_url=url))
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    changes = app.order_changes
    assert changes.wait_listening(10.0), "the listener did not connect"
    ms: list[float] = []
    lock = threading.Lock()
    stop = threading.Event()

    def session(index: int) -> None:
        flt = FILTERS[index % len(FILTERS)]
        cursor = current_cursor(app.db)
        list_orders(app.db, flt, limit=200)  # the first run: page and total
        seen = changes.version()
        stop.wait(random.uniform(0, EVERY_S))  # sessions opened at any moment
        while not stop.is_set():
            started = time.perf_counter()
            version = changes.version()
            if version is None or version != seen:
                cursor = changes_since(app.db, cursor).cursor
                page = app.live_pages.page(flt, limit=200, offset=0, version=version)
                app.live_pages.total(flt, page, version=version, max_age=30.0)
                seen = version
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                ms.append(elapsed)
            stop.wait(max(0.0, EVERY_S - elapsed / 1000))

    def notifier() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not stop.wait(1.0):
                conn.execute("SELECT pg_notify(%s, '0')", (ORDERS_CHANNEL,))

    threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(sessions)]
    threads.append(threading.Thread(target=notifier, daemon=True))
    for thread in threads:
        thread.start()
    time.sleep(EVERY_S + 2)  # every session opened and ticking
    with lock:
        ms.clear()
    backends = _backends(dsn)
    cpu_before, wall_before = cpu_seconds([os.getpid(), *backends]), time.monotonic()
    time.sleep(seconds)
    cpu = cpu_seconds([os.getpid(), *backends]) - cpu_before
    wall = time.monotonic() - wall_before
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    app.close()
    busy_cores = cpu / wall
    return list(ms), sessions / busy_cores if busy_cores else float("inf")


def report(orders: int, sessions: int, ms: list[float], per_core: float) -> list[str]:
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94]
    return [
        f"orders: {orders:,}; {sessions} sessions ticking every {EVERY_S:g} s; a change (NOTIFY) every second, "
        "so every tick reads again",
        f"per tick (query layer): median {statistics.median(ms):.1f} ms, p95 {p95:.1f}, max {max(ms):.1f} "
        f"over {len(ms)} ticks [target p95 < {TARGET_P95_MS:.0f} ms]",
        f"sessions per core (dashboard process + its PostgreSQL backends): {per_core:.0f}",
        "PASS" if p95 < TARGET_P95_MS else "FAIL",
    ]


def run() -> list[str]:
    url = ensure_orders(ORDERS)
    ms, per_core = measure(url, SESSIONS, SECONDS)
    return report(ORDERS, SESSIONS, ms, per_core)


if __name__ == "__main__":
    import sys

    from bench import print_and_exit_code

    sys.exit(print_and_exit_code(run))
