"""Dashboard read-side benchmark at 1M orders on PostgreSQL (issue: foundation).

Prints medians over several runs of: the first page (200 rows) for no filter, each
single status, status+store+30 days, and an exact tracking-number search; the total
count for the same filters; and changes-since-cursor. Times are measured through the
service functions the dashboard calls (SQL + row mapping), plus the database's own
execution time from EXPLAIN ANALYZE for the page queries.
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
from perfile_core.domain.status import Status
from perfile_core.services.order_filters import OrderFilter, where_clauses
from perfile_core.services.queries import changes_since, count_orders, list_orders, page_query

RUNS = 9
ORDERS = int(os.environ.get("PERFILE_BENCH_ORDERS", "1000000"))
TARGET_PAGE_MS, TARGET_COUNT_MS, TARGET_CHANGES_MS = 5.0, 50.0, 2.0


def _median_ms(fn: Callable[[], object]) -> float:
    fn()  # warm caches and the connection pool
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _query_ms(engine, flt: OrderFilter) -> float:
    """The page query as the database client sees it: execute and fetch 200 raw rows."""
    with engine.connect() as conn:
        query = page_query(flt, where_clauses(conn, flt, utcnow()), 200, 0)
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        sql = str(compiled)
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            return _median_ms(lambda: cursor.execute(sql).fetchall())


def _db_ms(engine, flt: OrderFilter) -> float:
    with engine.connect() as conn:
        query = page_query(flt, where_clauses(conn, flt, utcnow()), 200, 0)
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        samples = []
        for _ in range(RUNS):
            plan = conn.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}")).scalar_one()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            samples.append(plan[0]["Execution Time"])
    return statistics.median(samples)


def run() -> list[str]:
    url = ensure_orders(ORDERS)
    engine = make_engine(url)
    with engine.connect() as conn:
        tracking = conn.execute(
            text("SELECT tracking_number FROM orders WHERE tracking_number IS NOT NULL ORDER BY id LIMIT 1 OFFSET 4321")
        ).scalar_one()
    cases: dict[str, OrderFilter] = {"no filter": OrderFilter()}
    for status in Status:
        cases[f"status={status.value}"] = OrderFilter(statuses=(status,))
    cases["in_transit+store-3+30 days"] = OrderFilter(
        statuses=(Status.IN_TRANSIT,), store_keys=("store-3",), created_from=date.today() - timedelta(days=30)
    )
    cases["delivered+store-3+30 days"] = OrderFilter(
        statuses=(Status.DELIVERED,), store_keys=("store-3",), created_from=date.today() - timedelta(days=30)
    )
    cases["in_transit+exception"] = OrderFilter(statuses=(Status.IN_TRANSIT, Status.EXCEPTION))
    cases["search exact tracking no."] = OrderFilter(search=tracking)
    lines = [
        f"orders: {ORDERS:,}; medians of {RUNS} runs",
        "  query ms = first page (200 rows) executed and fetched by the client (the target's measure)",
        "  db ms = the server's execution time (EXPLAIN ANALYZE); service ms = list_orders() incl. mapping",
        "",
    ]
    lines.append(
        f"{'filter':<30} {'query ms':>8} {'db ms':>7} {'service ms':>10} {'count ms':>9} {'total':>11}  verdict"
    )
    worst_page = worst_count = 0.0
    for name, flt in cases.items():
        service_ms = _median_ms(lambda flt=flt: list_orders(engine, flt, with_total=False))
        page_ms = _query_ms(engine, flt)
        db_ms = _db_ms(engine, flt)
        count_ms = _median_ms(lambda flt=flt: count_orders(engine, flt))
        total, estimate = count_orders(engine, flt)
        worst_page, worst_count = max(worst_page, page_ms), max(worst_count, count_ms)
        verdict = "ok" if page_ms < TARGET_PAGE_MS and count_ms < TARGET_COUNT_MS else "SLOW"
        shown = f"~{total:,}" if estimate else f"{total:,}"
        lines.append(
            f"{name:<30} {page_ms:>8.2f} {db_ms:>7.2f} {service_ms:>10.2f} {count_ms:>9.2f} {shown:>11}  {verdict}"
        )
    with engine.connect() as conn:
        top = conn.execute(text("SELECT max(change_cursor) FROM orders")).scalar_one()
    changes_ms = _median_ms(lambda: changes_since(engine, top - 50))
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            sql = f"SELECT * FROM orders WHERE change_cursor > {top - 50} ORDER BY change_cursor LIMIT 501"
            changes_query_ms = _median_ms(lambda: cursor.execute(sql).fetchall())
    lines.append("")
    lines.append(
        f"changes since cursor (50 changed rows): query {changes_query_ms:.2f} ms "
        f"(target < {TARGET_CHANGES_MS} ms, ratio {changes_query_ms / TARGET_CHANGES_MS:.2f}); "
        f"service incl. mapping {changes_ms:.2f} ms"
    )
    lines.append(
        f"worst first page {worst_page:.2f} ms "
        f"(target < {TARGET_PAGE_MS} ms, ratio {worst_page / TARGET_PAGE_MS:.2f}); "
        f"worst count {worst_count:.2f} ms (target < {TARGET_COUNT_MS} ms, ratio {worst_count / TARGET_COUNT_MS:.2f})"
    )
    engine.dispose()
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
