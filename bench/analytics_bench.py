"""The Analytics page's server time at PERFILE_BENCH_ORDERS orders (1M by default) on PostgreSQL.

Each filter is set on the page (AppTest) and the script run that follows is timed: the
period, store, courier and region filters alone and together, all time included. The
analytics query is never cached, so every run sums the rollup again. Beside it: the same
figures summed from the orders on the fly (what the rollup replaces), for the default view.
Target: every run under 300 ms (today's Courier performance page: 440 ms per run at 1M).

Runs on its own database (`perfile_bench_analytics`, bulk-loaded once like the others; the
delivery rollup is rebuilt after the load and kept by its trigger after that).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench import print_and_exit_code
from bench.bulk_load import ensure_orders
from perfile_core.clock import utcnow
from perfile_core.db.engine import make_engine
from perfile_core.services.analytics import delivery_analytics
from ui.analytics_view import DEFAULT_WEEKS

ORDERS = int(os.environ.get("PERFILE_BENCH_ORDERS", "1000000"))
TARGET_MS = 300.0
RUNS = 5
ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "2_Analytics.py")
Step = Callable[[AppTest], object]


def _filters(today: date) -> dict[str, list[Step]]:
    all_time = (today - timedelta(days=400), today)
    return {
        f"default (last {DEFAULT_WEEKS} weeks)": [],
        "all time": [lambda at: at.date_input(key="a_period").set_value(all_time)],
        "last 7 days": [lambda at: at.date_input(key="a_period").set_value((today - timedelta(days=7), today))],
        "all time, one courier": [
            lambda at: at.date_input(key="a_period").set_value(all_time),
            lambda at: at.multiselect(key="a_courier").select("postnord"),
        ],
        "all time, one store": [
            lambda at: at.date_input(key="a_period").set_value(all_time),
            lambda at: at.multiselect(key="a_store").select("store-3"),
        ],
        "all time, one region": [
            lambda at: at.date_input(key="a_period").set_value(all_time),
            lambda at: at.multiselect(key="a_region").select("SE-4"),
        ],
        "store + courier + region": [
            lambda at: at.multiselect(key="a_store").select("store-3"),
            lambda at: at.multiselect(key="a_courier").select("bring"),
            lambda at: at.multiselect(key="a_region").select("SE-1"),
        ],
    }


def _timed_runs(steps: list[Step]) -> list[float]:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    for step in steps:
        step(at)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
        assert not at.exception, [e.value for e in at.exception]
        assert at.metric, "the page showed no figures"
    return times


def run() -> list[str]:
    url = ensure_orders(ORDERS, "perfile_bench_analytics")
    previous = os.environ.get("PERFILE_DATABASE_URL")
    os.environ["PERFILE_DATABASE_URL"] = url
    from ui.context import perfile

    perfile.clear()
    lines = [f"orders: {ORDERS:,}; {RUNS} script runs of the Analytics page per filter (AppTest, uncached query)"]
    worst = 0.0
    try:
        _timed_runs([])  # imports, pools, cached store and region lists
        for name, steps in _filters(utcnow().date()).items():
            times = _timed_runs(steps)
            median = statistics.median(times)
            worst = max(worst, median)
            lines.append(f"  {name}: median {median:.0f} ms, max {max(times):.0f} ms [target < {TARGET_MS:.0f} ms]")
        engine = make_engine(url)
        started = time.perf_counter()
        delivery_analytics(engine, source="orders")
        on_the_fly = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        delivery_analytics(engine, source="rollup")
        rollup = (time.perf_counter() - started) * 1000
        engine.dispose()
        lines.append(
            f"  all time, the query alone: rollup {rollup:.0f} ms; summed from orders on the fly {on_the_fly:.0f} ms"
        )
    finally:
        perfile().close()
        perfile.clear()
        if previous is None:
            os.environ.pop("PERFILE_DATABASE_URL", None)
        else:
            os.environ["PERFILE_DATABASE_URL"] = previous
    lines.append(f"worst filter: median {worst:.0f} ms [target < {TARGET_MS:.0f} ms]")
    lines.append("PASS" if worst < TARGET_MS else "FAIL")
    return lines


def main() -> int:
    return print_and_exit_code(run)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    sys.exit(main())
