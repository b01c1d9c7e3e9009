"""PostgreSQL plans for the dashboard's hot queries: they must use the sorted indexes.

The trap measured before: newest orders are mostly `pending`, so with an index on
created_at alone a status filter walks ~200k rows. The composite partial indexes make a
status-filtered first page an index range scan. Statistics are faked to production
scale so the planner chooses as it would with a million rows.
"""

from __future__ import annotations

import json

from sqlalchemy import text

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


def test_status_filtered_first_page_uses_the_composite_index(pg_db):
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
