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
from perfile_core.services.order_filters import SORTABLE, OrderFilter, where_clauses, with_search
from perfile_core.services.queries import FEW_MATCHES, count_orders, search_estimate
from perfile_core.services.sorted_pages import few_matches_query, segment_query, sort_plan


def _plan(conn, flt: OrderFilter, segment: int = 0) -> str:
    """The plan of the query that reads the first page (its first segment, or another one)."""
    plan = sort_plan(flt)
    query = segment_query(plan, plan.segments[segment], where_clauses(conn, flt, utcnow()), 50, 0)
    rows = conn.execute(ExplainJson(query)).scalar_one()
    return json.dumps(rows if not isinstance(rows, str) else json.loads(rows))


def _nodes(plan: str) -> list[dict]:
    found, todo = [], [json.loads(plan)[0]["Plan"]]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(node.get("Plans", []))
    return found


def _reads_orders_whole(plan: str) -> bool:
    """A sequential scan of orders, or a sort of every order (an index that gives no order)."""
    nodes = _nodes(plan)
    seq = any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "orders" for n in nodes)
    return seq or any(n["Node Type"] == "Sort" and n["Plans"][0]["Plan Rows"] > 5_000 for n in nodes)


def _load(conn, n: int) -> None:
    conn.execute(
        text(
            "INSERT INTO stores (key, name, platform, pickup_address, created_at)"
            " VALUES ('s', 'S', 'manual', '{}', now())"
        )
    )
    conn.execute(
        text(f"""
        INSERT INTO orders (order_number, store_id, customer_name, customer_email, order_status, main_status,
                            courier_metadata, created_at, updated_at, change_cursor, tracking_number)
        SELECT 'N' || g, (SELECT id FROM stores), 'Name ' || g, 'buyer' || g || '@example.com',
               CASE WHEN g <= {n} / 5 THEN 'pending'
                    ELSE (ARRAY['pending','in_transit','delivered','confirmed','exception'])[1 + g % 5] END,
               'pending', '{{}}', now() - (g || ' minutes')::interval, now(), {n} - g, 'T' || g
        FROM generate_series(1, {n}) g
    """)
    )
    # Booked orders have an ETA, as the bench's and production's do.
    conn.execute(
        text(
            "UPDATE orders SET estimated_delivery = (created_at + ((id % 5) || ' days')::interval)::date"
            " WHERE order_status <> 'pending'"
        )
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


# The index each offered sort's first page reads (both directions: a B-tree reads backwards).
SORT_INDEXES = {
    "created_at": ["ix_orders_live_created"],
    "updated_at": ["ix_orders_live_updated"],
    "order_number": ["ix_orders_order_number"],
    "customer_name": ["ix_orders_live_customer_name"],
    "estimated_delivery": ["ix_orders_live_status_eta"],
    "order_status": ["ix_orders_cancelled_created", "ix_orders_pending_created"],  # desc, asc: first segment
}


def test_every_offered_sort_reads_its_first_page_from_an_index(pg_db):
    assert set(SORT_INDEXES) == set(SORTABLE), "a sort offered on the Orders page without a pinned plan"
    with pg_db.begin() as conn:
        _load(conn, 50_000)
        for sort, indexes in SORT_INDEXES.items():
            for descending, index in zip((True, False), indexes * (3 - len(indexes)), strict=False):
                plan = _plan(conn, OrderFilter(sort=sort, descending=descending))
                assert index in plan, (sort, descending)
                assert not _reads_orders_whole(plan), (sort, descending)


def test_eta_sort_of_a_status_without_etas_probes_instead_of_walking(pg_db):
    """Pending orders have no ETA: the orders-with-an-ETA segment must not read every other order
    to find that out (one index probe per status on (order_status, estimated_delivery, id))."""
    with pg_db.begin() as conn:
        _load(conn, 50_000)
        flt = OrderFilter(statuses=(Status.PENDING,), sort="estimated_delivery")
        with_eta, without_eta = _plan(conn, flt, 0), _plan(conn, flt, 1)
    for plan in (with_eta, without_eta):
        scans = [n for n in _nodes(plan) if n.get("Index Name") == "ix_orders_live_status_eta"]
        assert scans and all("order_status" in n["Index Cond"] for n in scans)
        assert not _reads_orders_whole(plan)


def test_search_parts_are_each_index_backed(pg_db):
    """Prefix of order or tracking number (lower() text_pattern_ops), substring of name or
    e-mail (trigram): one bitmap OR over four indexes, never a scan of the orders."""
    with pg_db.begin() as conn:
        _load(conn, 50_000)
        flt = OrderFilter(search="t4242")
        plan = _plan(conn, flt)
        filters = where_clauses(conn, flt, utcnow(), search=False)
        expected = search_estimate(conn, flt, with_search(filters, flt, "postgresql"))
        few = conn.execute(ExplainJson(few_matches_query(flt, filters, 50, 0, "postgresql"))).scalar_one()
    # Few matches expected: the page reads them all from the search indexes and sorts them, so
    # matches bunched at the far end of the sort (old numbers) cannot make it walk every order.
    assert expected is not None and expected <= FEW_MATCHES
    few = json.dumps(few if not isinstance(few, str) else json.loads(few))
    assert "ix_orders_tracking_number_prefix" in few and "ix_orders_live_created" not in few
    assert not _reads_orders_whole(few)
    for index in (
        "ix_orders_order_number_prefix",
        "ix_orders_tracking_number_prefix",
        "ix_orders_customer_name_trgm",
        "ix_orders_customer_email_trgm",
    ):
        assert index in plan, index
    assert not _reads_orders_whole(plan)
    assert "ix_orders_live_created" not in plan  # not a newest-first walk that filters every row


def test_count_over_its_budget_answers_the_planners_estimate(pg_db):
    """The exact count gets EXACT_COUNT_BUDGET_MS (30 ms); past it the planner's estimate is
    the answer, said to be one. A 1 ms budget over 100k orders reaches that fallback here."""
    with pg_db.begin() as conn:
        _load(conn, 100_000)
    flt = OrderFilter(needs_action=True)  # no index answers it: the count reads every order
    exact, exact_is_estimate = count_orders(pg_db, flt, exact_budget_ms=60_000)
    total, is_estimate = count_orders(pg_db, flt, exact_budget_ms=1)
    assert not exact_is_estimate and is_estimate
    assert exact / 2 < total < exact * 2


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


def test_a_count_the_planner_expects_to_be_large_is_not_attempted(pg_db):
    """Past EXACT_COUNT_UP_TO expected rows the estimate is the answer at once: at 1M orders an
    exact count of the unfiltered list only spent its 30 ms budget and then asked the planner."""
    with pg_db.begin() as conn:
        _load(conn, 50_000)
    statements: list[str] = []

    def capture(conn_, cursor, statement, parameters, *args):
        statements.append(statement)

    event.listen(pg_db, "before_cursor_execute", capture)
    try:
        total, is_estimate = count_orders(pg_db, OrderFilter(), exact_up_to=10_000)
    finally:
        event.remove(pg_db, "before_cursor_execute", capture)
    assert is_estimate and 25_000 < total < 100_000
    assert not [s for s in statements if "count(" in s.lower()]
    assert count_orders(pg_db, OrderFilter(), exact_budget_ms=60_000) == (50_000, False)  # under the limit: counted


def test_a_number_prefix_page_reads_its_matches_from_the_index_alone(pg_db):
    """A tracking-number prefix matching thousands of the oldest orders: the page's sort keys come
    from the covering prefix index (index-only, migration 0013), answered by the index's range
    itself (no recheck that lowers every match again), and only the page's rows from the table.
    At 1M orders 9,589 matches read from the table took 9.2 ms of a 14.2 ms page."""
    with pg_db.begin() as conn:
        _load(conn, 50_000)
    with pg_db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE orders"))  # the visibility map an index-only scan relies on
    with pg_db.connect() as conn:
        flt = OrderFilter(search="t4")  # 11,111 of the 50k tracking numbers start with "T4"
        filters = where_clauses(conn, flt, utcnow(), search=False)
        plan = conn.execute(ExplainJson(few_matches_query(flt, filters, 50, 0, "postgresql"))).scalar_one()
    nodes = _nodes(json.dumps(plan if not isinstance(plan, str) else json.loads(plan)))
    tracking = [n for n in nodes if n.get("Index Name") == "ix_orders_tracking_number_prefix"]
    assert [n["Node Type"] for n in tracking] == ["Index Only Scan"]
    assert "Filter" not in tracking[0] or "lower" not in tracking[0]["Filter"]
    table_reads = [n for n in nodes if n["Node Type"] in ("Bitmap Heap Scan", "Seq Scan")]
    assert all(n["Plan Rows"] < 1_000 for n in table_reads)  # the name/e-mail trigram part only


def test_a_searchs_estimate_is_compiled_once_per_shape_and_follows_the_values(pg_db):
    """services.queries asks for the planner's estimate on every page read of a search: the EXPLAIN
    is compiled once per shape (SQLAlchemy's statement cache) and each read gets its own values."""
    from sqlalchemy import select

    from perfile_core.db.tables import orders

    def explain(conn, status: str):  # type: ignore[no-untyped-def]
        return conn.execute(ExplainJson(select(1).select_from(orders).where(orders.c.order_status == status)))

    with pg_db.begin() as conn:
        _load(conn, 2000)
        conn.execute(text("ANALYZE orders"))
        first, second = explain(conn, "in_transit"), explain(conn, "cancelled")
        assert second.context.compiled is first.context.compiled  # compiled once, reused
        rows = [json.loads(r) if isinstance(r, str) else r for r in (first.scalar_one(), second.scalar_one())]
        estimates = [plan[0]["Plan"]["Plan Rows"] for plan in rows]
        assert estimates[0] != estimates[1]  # each with its own value
        analyzed = conn.execute(
            ExplainJson(select(1).select_from(orders).where(orders.c.order_status == "cancelled"), analyze=True)
        )
        assert analyzed.context.compiled is not first.context.compiled  # ANALYZE is another statement
