"""The receiver bench's ceiling (bench/receiver_ceiling.py) times the statements the servers really
send: every statement of a measurement is applied and committed, one per transaction or in
batches, and the receiver's does what the receiver does with the same event."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine

from bench import receiver_ceiling as ceiling
from bench.receiver_bench import event_payload, reset_targets
from bench.receiver_reference import CREATE_TABLE, TABLE, dsn
from perfile_core.couriers.sandbox.adapter import tracking_number_for
from tests.receiver.helpers import configure_shopify_and_sandbox, order_with_tracking

EVENTS = 30


@pytest.fixture
def conn(pg_db: Engine, pg_url: str) -> Any:
    configure_shopify_and_sandbox(pg_db)
    for n in range(5):
        order_with_tracking(pg_db, tracking_number_for(f"CEILING{n}"), "sandbox")
    with psycopg.connect(dsn(pg_url), autocommit=True) as connection:
        connection.execute(CREATE_TABLE)
        yield connection


def _reset(conn: psycopg.Connection[Any]) -> list[str]:
    ceiling.truncate_written(conn)
    return reset_targets(conn, 5)


def _statements(conn: psycopg.Connection[Any], build: ceiling.StatementBuilder) -> list[ceiling.Statement]:
    numbers = _reset(conn)
    rng = random.Random(1)
    base = datetime.now(UTC) - timedelta(days=1)
    found = []
    for n in range(ceiling.WARMUP + EVENTS):
        event_id, payload = event_payload(rng, numbers, base + timedelta(seconds=n))
        found.append(build(event_id, payload, ceiling.body_of(payload), base))
    return found


@pytest.mark.parametrize("batch", ceiling.BATCHES)
def test_every_receiver_statement_is_applied_and_committed_whatever_the_batch(conn: Any, batch: int) -> None:
    statements = _statements(conn, ceiling.receiver_statement)
    assert ceiling.cpu_per_event_ms(conn, statements, batch) >= 0
    total = ceiling.WARMUP + EVENTS
    with psycopg.connect(conn.info.dsn) as other:  # another session sees the commits
        assert other.execute("SELECT count(*) FROM webhook_inbox WHERE result = 'accepted'").fetchone() == (total,)
        assert other.execute("SELECT count(*) FROM tracking_events WHERE order_id IS NOT NULL").fetchone() == (total,)
        moved = other.execute("SELECT count(*) FROM orders WHERE order_status <> 'in_transit'").fetchone()
    assert moved is not None and moved[0] > 0  # the events moved orders, as the receiver's would


@pytest.mark.parametrize("batch", ceiling.BATCHES)
def test_every_reference_statement_inserts_and_touches_its_order(conn: Any, batch: int) -> None:
    statements = _statements(conn, ceiling.reference_statement)
    ceiling.cpu_per_event_ms(conn, statements, batch)
    with psycopg.connect(conn.info.dsn) as other:
        assert other.execute(f"SELECT count(*) FROM {TABLE}").fetchone() == (ceiling.WARMUP + EVENTS,)
        touched = other.execute("SELECT count(*) FROM orders WHERE latest_event_at > now() - interval '2 days'")
        assert touched.fetchone() == (5,)


def test_measure_reports_every_statement_at_every_batch_size_and_the_lines_name_them(conn: Any) -> None:
    costs = ceiling.measure(conn.info.dsn, _reset, event_payload, events=EVENTS, rounds=1)
    assert set(costs) == {(name, batch) for name in ceiling.BUILDERS for batch in ceiling.BATCHES}
    assert all(cost >= 0 for cost in costs.values())
    text = "\n".join(ceiling.lines({key: 0.25 if key[0] == "receiver" else 0.5 for key in costs}))
    assert "receiver 0.250 / 0.250 / 0.250; reference 0.500 / 0.500 / 0.500" in text
    assert "0.50x at 8 per commit" in text and "0.50x at 64" in text
