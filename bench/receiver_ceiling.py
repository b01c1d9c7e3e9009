"""How far batching could move the receiver's ratio (issue 13): both statements alone on one connection.

The paired bench (receiver_bench.py) measures whole servers sharing two cores with PostgreSQL
and wrk, so it cannot say how much of the gap a group commit in the application could ever
close. This measures the part such batching changes, PostgreSQL's CPU per event, for:

- the receiver's fast-path statement (services/webhook_fastpath.py) with the parameters the
  receiver builds for the same kind of signed events the paired bench sends;
- the reference's one statement (receiver_reference.ONE_STATEMENT);

each run one per transaction (as both servers do), and 8 and 64 per transaction, pipelined with
one commit (as a perfect gatherer would, with no cost of its own in the application). Only the
connection's own backend process is counted (not the WAL writer or the checkpointer), so the
figures are lower than the paired bench's PostgreSQL column. Printed as context after the paired
run; no target.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from bench.proc_cpu import cpu_seconds
from bench.receiver_reference import ONE_STATEMENT, TABLE
from perfile_core.couriers.formats.standard_webhooks import parse_event
from perfile_core.services.webhook_fastpath import FastEvent
from perfile_core.services.webhooks import Delivery

BATCHES = (1, 8, 64)
EVENTS = int(os.environ.get("PERFILE_BENCH_CEILING_EVENTS", "3000"))  # timed per measurement
WARMUP = 200  # statements before timing: psycopg prepares on the 5th, the plan is cached
ROUNDS = 2  # every measurement twice, interleaved; the figure is the lower (less disturbed) one

Statement = tuple[str, list[Any]]
StatementBuilder = Callable[[str, dict[str, Any], bytes, datetime], Statement]
Reset = Callable[[psycopg.Connection[Any]], list[str]]
EventMaker = Callable[[random.Random, list[str], datetime], tuple[str, dict[str, Any]]]


def receiver_statement(event_id: str, payload: dict[str, Any], body: bytes, now: datetime) -> Statement:
    """The fast path's statement and parameters for one verified unified sandbox event."""
    event = parse_event("sandbox", event_id, payload)
    assert event is not None
    headers = {"content-type": "application/json", "webhook-id": event_id}
    delivery = Delivery(headers=headers, body=body, request_id=event_id)
    item = FastEvent(event, delivery, "courier:sandbox", payload["type"], now)
    return item.statement()


def _numbered(statement: str) -> str:
    """%s placeholders as $1, $2, ... (one RawCursor runs both statements)."""
    parts = statement.split("%s")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


_REFERENCE = _numbered(ONE_STATEMENT)


def reference_statement(event_id: str, payload: dict[str, Any], body: bytes, now: datetime) -> Statement:
    """The reference's statement for the same event, as its endpoint would send it."""
    data = payload["data"]
    return _REFERENCE, [event_id, data["tracking_number"], body, data["occurred_at"]]


BUILDERS: dict[str, StatementBuilder] = {"receiver": receiver_statement, "reference": reference_statement}


def cpu_per_event_ms(conn: psycopg.Connection[Any], statements: list[Statement], batch: int) -> float:
    """PostgreSQL backend CPU per statement after WARMUP statements, `batch` per transaction.

    `conn` must be in autocommit mode: batch 1 is then one self-committing statement each."""
    cursor = psycopg.RawCursor(conn)  # $n placeholders, as the receiver's fast path
    warm, timed = statements[:WARMUP], statements[WARMUP:]
    for text, parameters in warm:
        cursor.execute(text, parameters, prepare=True)
    before = cpu_seconds([conn.info.backend_pid])
    if batch == 1:
        for text, parameters in timed:
            cursor.execute(text, parameters, prepare=True)
    else:
        for start in range(0, len(timed), batch):
            with conn.transaction(), conn.pipeline():
                for text, parameters in timed[start : start + batch]:
                    cursor.execute(text, parameters, prepare=True)
    return (cpu_seconds([conn.info.backend_pid]) - before) * 1000 / len(timed)


def measure(
    dsn: str, reset: Reset, make_event: EventMaker, events: int = EVENTS, rounds: int = ROUNDS
) -> dict[tuple[str, int], float]:
    """{(statement, batch): backend CPU ms per event}. `reset` puts orders back in transit once
    a round and returns their tracking numbers; each measurement of the round sends its events
    to a share of them no other measurement touched, on emptied event tables."""
    found: dict[tuple[str, int], list[float]] = {}
    kinds = [(name, batch) for name in BUILDERS for batch in BATCHES]
    for round_ in range(rounds):
        with psycopg.connect(dsn, autocommit=True) as conn:
            numbers = reset(conn)
        for index, (name, batch) in enumerate(kinds):
            share = numbers[index :: len(kinds)] or numbers
            with psycopg.connect(dsn, autocommit=True) as conn:
                truncate_written(conn)
                rng = random.Random(f"{name}-{batch}-{round_}")
                now = datetime.now(UTC)
                base = now - timedelta(days=1)
                statements = []
                for n in range(WARMUP + events):
                    event_id, payload = make_event(rng, share, base + timedelta(seconds=n))
                    statements.append(BUILDERS[name](event_id, payload, body_of(payload), now))
                found.setdefault((name, batch), []).append(cpu_per_event_ms(conn, statements, batch))
    return {key: min(values) for key, values in found.items()}


def lines(costs: dict[tuple[str, int], float]) -> list[str]:
    def row(name: str) -> str:
        return " / ".join(f"{costs[name, batch]:.3f}" for batch in BATCHES)

    single, gathered, most = costs["reference", 1], BATCHES[1], BATCHES[-1]
    return [
        "   ceiling (one connection, the statements alone, PostgreSQL backend CPU ms per event with"
        f" {' / '.join(str(batch) for batch in BATCHES)} events per transaction):"
        f" receiver {row('receiver')}; reference {row('reference')}",
        "   with no cost in the application, the receiver's statement against the reference's single one:"
        f" {costs['receiver', gathered] / single:.2f}x at {gathered} per commit (the most one of two workers has"
        f" in flight with 16 senders), {costs['receiver', most] / single:.2f}x at {most}",
    ]


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def truncate_written(conn: psycopg.Connection[Any]) -> None:
    """Empty what both statements write, as the paired bench does before its run (a measurement
    inserts into empty tables, whichever ran before it)."""
    conn.execute(f"TRUNCATE webhook_inbox, tracking_events, notifications, {TABLE}")
