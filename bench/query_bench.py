"""The Orders page's queries at 1M orders on PostgreSQL, timed through the service the page calls.

For each case: `list_orders(limit=50)` with its total, as the page calls it when the view
changes, and without the total, as a live tick calls it; beside it the database's own time for
the first page (EXPLAIN ANALYZE of the first segment's query, its values bound). Cases: the
default view, every sort the sidebar offers in both directions, status filters, prefix
searches on order and tracking number, a name search, and changes since a cursor.

Targets: first page (service, without the total) under 10 ms for every offered sort and for
prefix searches, under 5 ms for the default view; with the total under 50 ms. Prints every
figure beside its target and "FAIL" last when one is missed (`bench/__main__.py`).
Database: `PERFILE_BENCH_DB` (default `perfile_bench`), loaded and migrated by
`bench.bulk_load.ensure_orders`.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import text

from bench.bulk_load import ensure_orders
from perfile_core.clock import utcnow
from perfile_core.db.engine import make_engine
from perfile_core.db.explain import ExplainJson
from perfile_core.domain.status import Status
from perfile_core.services.order_filters import SORTABLE, OrderFilter, where_clauses, with_search
from perfile_core.services.queries import FEW_MATCHES, changes_since, list_orders, search_estimate
from perfile_core.services.sorted_pages import few_matches_query, segment_query, sort_plan

RUNS = 15
ORDERS = int(os.environ.get("PERFILE_BENCH_ORDERS", "1000000"))
DATABASE = os.environ.get("PERFILE_BENCH_DB", "perfile_bench")
PAGE_SIZE = 50  # the page's default
TARGET_DEFAULT_MS, TARGET_PAGE_MS, TARGET_TOTAL_MS = 5.0, 10.0, 50.0


def _median_ms(fn: Callable[[], object]) -> float:
    fn()  # warm caches and the connection pool
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _db_ms(engine, flt: OrderFilter) -> float:
    """The server's execution time of the first query list_orders runs for the page (EXPLAIN ANALYZE)."""
    with engine.connect() as conn:
        filters = where_clauses(conn, flt, utcnow(), search=False)
        clauses = with_search(filters, flt, conn.dialect.name)
        plan, expected = sort_plan(flt), search_estimate(conn, flt, clauses)
        if expected is not None and expected <= FEW_MATCHES:
            query = few_matches_query(flt, filters, PAGE_SIZE, 0, conn.dialect.name)
        else:
            query = segment_query(plan, plan.segments[0], clauses, PAGE_SIZE, 0)
        samples = []
        for _ in range(5):
            result = conn.execute(ExplainJson(query, analyze=True)).scalar_one()
            result = json.loads(result) if isinstance(result, str) else result
            samples.append(result[0]["Execution Time"])
    return statistics.median(samples)


def _cases(engine) -> dict[str, tuple[OrderFilter, float]]:
    """Each case's filter and its first-page target."""
    with engine.connect() as conn:
        tracking, number = conn.execute(
            text(
                "SELECT tracking_number, order_number FROM orders WHERE tracking_number IS NOT NULL"
                " ORDER BY id LIMIT 1 OFFSET 4321"
            )
        ).one()
    cases: dict[str, tuple[OrderFilter, float]] = {"default view (newest first)": (OrderFilter(), TARGET_DEFAULT_MS)}
    for sort in SORTABLE:
        for descending in (True, False):
            label = f"sort {sort} {'desc' if descending else 'asc'}"
            cases[label] = (OrderFilter(sort=sort, descending=descending), TARGET_PAGE_MS)
    cases["status in_transit"] = (OrderFilter(statuses=(Status.IN_TRANSIT,)), TARGET_PAGE_MS)
    cases["status exception, by ETA"] = (
        OrderFilter(statuses=(Status.EXCEPTION,), sort="estimated_delivery"),
        TARGET_PAGE_MS,
    )
    cases["status cancelled, by ETA"] = (
        OrderFilter(statuses=(Status.CANCELLED,), sort="estimated_delivery"),
        TARGET_PAGE_MS,
    )
    cases["in_transit+exception"] = (OrderFilter(statuses=(Status.IN_TRANSIT, Status.EXCEPTION)), TARGET_PAGE_MS)
    cases["in_transit+store-3+30 days"] = (
        OrderFilter(statuses=(Status.IN_TRANSIT,), store_keys=("store-3",), created_from=date.today() - timedelta(30)),
        TARGET_PAGE_MS,
    )
    cases[f"search order no. prefix {number[:-2].lower()!r}"] = (
        OrderFilter(search=number[:-2].lower()),
        TARGET_PAGE_MS,
    )
    cases[f"search tracking prefix {tracking[:-4]!r}"] = (OrderFilter(search=tracking[:-4]), TARGET_PAGE_MS)
    cases["search exact tracking no."] = (OrderFilter(search=tracking), TARGET_PAGE_MS)
    return cases


def run() -> list[str]:
    url = ensure_orders(ORDERS, name=DATABASE)
    engine = make_engine(url)
    lines = [
        f"orders: {ORDERS:,} in {DATABASE}; medians of {RUNS} runs; page = {PAGE_SIZE} rows through list_orders()",
        "  page ms = list_orders(with_total=False) (a live tick); with total ms = list_orders() (a view change)",
        "  db ms = the server's execution time of the first page's query (EXPLAIN ANALYZE)",
        "",
        f"{'case':<44} {'page ms':>8} {'target':>7} {'db ms':>7} {'with total ms':>13} {'total':>12}  verdict",
    ]
    missed = 0
    for name, (flt, target) in _cases(engine).items():
        page_ms = _median_ms(lambda flt=flt: list_orders(engine, flt, limit=PAGE_SIZE, with_total=False))
        total_ms = _median_ms(lambda flt=flt: list_orders(engine, flt, limit=PAGE_SIZE))
        page = list_orders(engine, flt, limit=PAGE_SIZE)
        ok = page_ms < target and total_ms < TARGET_TOTAL_MS
        missed += not ok
        shown = f"~{page.total:,}" if page.total_is_estimate else f"{page.total:,}"
        lines.append(
            f"{name:<44} {page_ms:>8.2f} {target:>7.0f} {_db_ms(engine, flt):>7.2f} {total_ms:>13.2f} {shown:>12}"
            f"  {'ok' if ok else 'MISSED'}"
        )
    name_flt = OrderFilter(search="customer 1234")
    name_ms = _median_ms(lambda: list_orders(engine, name_flt, limit=PAGE_SIZE, with_total=False))
    name_total_ms = _median_ms(lambda: list_orders(engine, name_flt, limit=PAGE_SIZE))
    lines.append(
        f"{'search name part (no target; every bench name is Customer N)':<44} {name_ms:>8.2f} {'-':>7} "
        f"{'':>7} {name_total_ms:>13.2f}"
    )
    with engine.connect() as conn:
        top = conn.execute(text("SELECT max(change_cursor) FROM orders")).scalar_one()
    changes_ms = _median_ms(lambda: changes_since(engine, top - 50))
    lines += [
        "",
        f"changes since cursor (50 changed rows), service incl. mapping: {changes_ms:.2f} ms "
        f"(for comparison; the live tick bench owns that target)",
        f"targets: default view page < {TARGET_DEFAULT_MS} ms, other pages < {TARGET_PAGE_MS} ms, "
        f"with total < {TARGET_TOTAL_MS} ms; {missed} missed",
    ]
    engine.dispose()
    if missed:
        lines.append("FAIL")
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
