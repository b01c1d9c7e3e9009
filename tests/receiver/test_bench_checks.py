"""The receiver bench's after-run checks find a planted double or loss (bench/receiver_checks.py),
and its latency figures count every request (bench/latency.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import Engine

from bench import receiver_checks as checks
from bench.latency import Histogram
from bench.receiver_reference import dsn
from perfile_core.couriers.sandbox.adapter import tracking_number_for
from receiver import create_app
from tests.receiver.helpers import SANDBOX_SECRET, configure_shopify_and_sandbox, order_with_tracking, unified_event

NUMBER = tracking_number_for("BENCHCHECK1")
T0 = datetime.now(UTC) - timedelta(hours=3)


def _deliver(pg_url: str) -> list[str]:
    """Two real deliveries through the receiver (fast path); the second notifies the customer."""
    app = create_app({"DATABASE_URL": pg_url})
    sent = []
    for hours, status in ((1, "in_transit"), (2, "out_for_delivery")):
        event_id = f"evt-bench-check-{hours}"
        body, headers = unified_event(
            SANDBOX_SECRET, "sandbox", NUMBER, status, T0 + timedelta(hours=hours), event_id=event_id
        )
        response = app.test_client().post("/webhooks/couriers/sandbox", data=body, headers=headers)
        assert response.json == {"status": "accepted"}
        sent.append(event_id)
    app.extensions["perfile"].perfile.close()
    return sent


def test_planted_doubles_are_counted_where_they_can_happen(pg_db: Engine, pg_url: str) -> None:
    configure_shopify_and_sandbox(pg_db)
    order_with_tracking(pg_db, NUMBER, "sandbox")
    since = datetime.now(UTC)
    _deliver(pg_url)
    with psycopg.connect(dsn(pg_url), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM notifications WHERE trigger LIKE 'status:%'").fetchone() == (1,)
        assert checks.doubled(conn, since) == checks.Doubled(emails=0, inbox=0, events=0)
        # A second e-mail for the same status change of the same order.
        conn.execute(
            "INSERT INTO notifications (order_id, channel, trigger, to_address, facts, status, error, created_at)"
            " SELECT order_id, channel, trigger, to_address, facts, status, error, created_at FROM notifications"
        )
        assert checks.doubled(conn, since) == checks.Doubled(emails=1, inbox=0, events=0)
        # A second inbox row for one delivery id, under another dedupe key.
        conn.execute(
            "INSERT INTO webhook_inbox (source, dedupe_key, topic, headers, body, result, request_id, received_at)"
            " SELECT source, dedupe_key || '-again', topic, headers, body, result, request_id, received_at"
            " FROM webhook_inbox WHERE dedupe_key = 'sandbox:evt-bench-check-1'"
        )
        assert checks.doubled(conn, since) == checks.Doubled(emails=1, inbox=1, events=0)
        # One event applied to its order twice, stored under another id.
        conn.execute(
            "INSERT INTO tracking_events (courier, tracking_number, event_id, normalized_status, occurred_at,"
            " received_at, order_id, applied_at) SELECT courier, tracking_number, event_id || '-again',"
            " normalized_status, occurred_at, received_at, order_id, applied_at FROM tracking_events"
            " WHERE event_id = 'evt-bench-check-2'"
        )
        assert checks.doubled(conn, since) == checks.Doubled(emails=1, inbox=1, events=1)
        assert checks.doubled(conn, datetime.now(UTC)).total == 0  # only rows written since the run began


def test_an_accepted_event_that_was_not_stored_is_counted_lost(pg_db: Engine, pg_url: str) -> None:
    configure_shopify_and_sandbox(pg_db)
    order_with_tracking(pg_db, NUMBER, "sandbox")
    sent = _deliver(pg_url)
    with psycopg.connect(dsn(pg_url), autocommit=True) as conn:
        assert checks.lost(conn, sent, "tracking_events") == 0
        assert checks.missing_from_inbox(conn, sent, "sandbox") == 0
        assert checks.lost(conn, [*sent, "evt-never-stored"], "tracking_events") == 1
        conn.execute("DELETE FROM webhook_inbox WHERE dedupe_key = 'sandbox:evt-bench-check-2'")
        assert checks.missing_from_inbox(conn, sent, "sandbox") == 1


def test_p99_over_all_requests_counts_a_slow_window_that_a_median_of_windows_drops() -> None:
    fast = Histogram({10_000: 990, 20_000: 10})  # p99 10 ms
    slow = Histogram({30_000: 900, 90_000: 100})  # p99 90 ms (a checkpoint)
    windows = [fast, fast, slow]
    assert sorted(window.percentile_ms(99) for window in windows)[1] == 10.0  # the old figure
    merged = Histogram.merged(windows)
    assert merged.total == 3000
    assert merged.percentile_ms(99) == 90.0
    assert merged.percentile_ms(50) == 10.0


def test_each_run_sends_its_events_to_orders_in_transit_however_many_earlier_runs_delivered(
    pg_db: Engine, pg_url: str
) -> None:
    from bench.receiver_bench import reset_targets
    from tests.core.test_delivery_rollup import assert_rollup_matches

    configure_shopify_and_sandbox(pg_db)
    numbers = {tracking_number_for(f"BENCHRESET{n}") for n in range(6)}
    for number in numbers:
        order_with_tracking(pg_db, number, "sandbox")
    other = tracking_number_for("BENCHRESET-BRING")
    order_with_tracking(pg_db, other, "bring")
    with psycopg.connect(dsn(pg_url), autocommit=True) as conn:
        conn.execute(  # as earlier runs leave them: delivered, after an exception
            "UPDATE orders SET order_status = 'delivered', main_status = 'delivered', delivered_at = now(),"
            " exception_at = now() - interval '1 hour', exception_reason = 'delayed', main_status_at = now()"
        )
        assert set(reset_targets(conn, 4)) < numbers
        assert set(reset_targets(conn, 100)) == numbers  # the sandbox's own shipments only
        rows = conn.execute(
            "SELECT order_status, main_status, delivered_at, exception_at, main_status_at FROM orders"
            " WHERE courier = 'sandbox'"
        ).fetchall()
    assert set(rows) == {("in_transit", "in_transit", None, None, None)}
    assert_rollup_matches(pg_db)
