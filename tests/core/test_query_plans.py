"""PostgreSQL plans for the dashboard's hot queries: they must use the sorted indexes.

The trap measured before: newest orders are mostly `pending`, so with an index on
created_at alone a status filter walks ~200k rows. One partial index per status, on
(created_at DESC, id DESC), makes a status-filtered first page an index range scan.
Each test loads 50k orders shaped like production (the newest fifth all `pending`, the
rest spread over five statuses) and runs ANALYZE, so the planner decides from real
statistics; `make bench` times the same queries at 1M orders.
"""

from __future__ import annotations

import json

from sqlalchemy import event, text

from perfile_core.clock import utcnow
from perfile_core.db.explain import ExplainJson
from perfile_core.domain.status import Status
from perfile_core.services.order_filters import OrderFilter, where_clauses
from perfile_core.services.queries import page_query


def _plan(conn, flt: OrderFilter) -> str:
    query = page_query(flt, where_clauses(conn, flt, utcnow()), 200, 0)
    rows = conn.execute(ExplainJson(query)).scalar_one()
    return json.dumps(rows if not isinstance(rows, str) else json.loads(rows))


def _load(conn, n: int) -> None:
    conn.execute(
        text(
            "INSERT INTO stores (key, name, platform, pickup_address, created_at)"
            " VALUES ('s', 'S', 'manual', '{}', now())"
        )
    )
    conn.execute(
        text(f"""
        INSERT INTO orders (order_number, store_id, customer_name, order_status, main_status,
                            courier_metadata, created_at, updated_at, change_cursor, tracking_number)
        SELECT 'N' || g, (SELECT id FROM stores), 'Name ' || g,
               CASE WHEN g <= {n} / 5 THEN 'pending'
                    ELSE (ARRAY['pending','in_transit','delivered','confirmed','exception'])[1 + g % 5] END,
               'pending', '{{}}', now() - (g || ' minutes')::interval, now(), g, 'T' || g
        FROM generate_series(1, {n}) g
    """)
    )
    conn.execute(text("ANALYZE orders"))


def test_status_filtered_first_page_uses_that_status_index(pg_db):
    with pg_db.begin() as conn:
        _load(conn, 50_000)
        plan = _plan(conn, OrderFilter(statuses=(Status.IN_TRANSIT,)))
    assert "ix_orders_in_transit_created" in plan
    assert '"Node Type": "Seq Scan"' not in plan


def test_several_statuses_merge_one_index_scan_per_status(pg_db):
    with pg_db.begin() as conn:
        _load(conn, 50_000)
        plan = _plan(conn, OrderFilter(statuses=(Status.IN_TRANSIT, Status.EXCEPTION)))
    assert "ix_orders_in_transit_created" in plan and "ix_orders_exception_created" in plan
    assert '"Node Type": "Seq Scan"' not in plan


def test_unfiltered_first_page_and_tracking_search_use_indexes(pg_db):
    with pg_db.begin() as conn:
        _load(conn, 50_000)
        newest = _plan(conn, OrderFilter())
        search = _plan(conn, OrderFilter(search="T4242"))
    assert "ix_orders_live_created" in newest
    assert "ix_orders_tracking_number" in search
    assert '"Node Type": "Seq Scan"' not in newest + search


def test_courier_region_history_is_one_range_scan(pg_db):
    """The booking dialog's on-time rate per courier reads one postal region, not every
    delivered order of that courier (migration 0006)."""
    from perfile_core.services.quotes import courier_performance_in

    with pg_db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stores (key, name, platform, pickup_address, created_at)"
                " VALUES ('s', 'S', 'manual', '{}', now())"
            )
        )
        conn.execute(
            text("""
            INSERT INTO orders (order_number, store_id, customer_name, order_status, main_status, courier,
                                country_code, postal_code, shipped_at, delivered_at, estimated_delivery,
                                courier_metadata, created_at, updated_at, change_cursor)
            SELECT 'N' || g, (SELECT id FROM stores), 'Name ' || g, 'delivered', 'delivered',
                   (ARRAY['sandbox','postnord','bring','dhl'])[1 + g % 4], 'SE', (10000 + g % 89999)::text,
                   now() - interval '3 days', now() - (g || ' seconds')::interval, current_date,
                   '{}', now() - interval '4 days', now(), g
            FROM generate_series(1, 50000) g
        """)
        )
        conn.execute(text("ANALYZE orders"))
        statements: list[tuple[str, dict]] = []

        def capture(conn_, cursor, statement, parameters, *args):
            statements.append((statement, parameters))

        event.listen(pg_db, "before_cursor_execute", capture)
        try:
            performance = courier_performance_in(conn, "sandbox", "SE", "41103")
        finally:
            event.remove(pg_db, "before_cursor_execute", capture)
        assert performance.delivered > 0
        sql, parameters = statements[-1]
        plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", parameters).scalar_one()
    plan = json.dumps(plan if not isinstance(plan, str) else json.loads(plan))
    assert "ix_orders_delivered_region" in plan
    assert '"Node Type": "Seq Scan"' not in plan
