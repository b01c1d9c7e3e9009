"""The demo seeder's determinism."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from perfile_core.db.engine import make_engine
from perfile_core.db.tables import orders, tracking_events
from perfile_core.domain.status import Status
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN


def _stored(db) -> dict[str, list[dict]]:
    """Every stored order and tracking event, in a backend-independent order, as plain values."""
    with db.connect() as conn:
        return {
            "orders": [dict(r) for r in conn.execute(select(orders).order_by(orders.c.order_number)).mappings()],
            "events": [
                dict(r) for r in conn.execute(select(tracking_events).order_by(tracking_events.c.event_id)).mappings()
            ],
        }


def test_seed_is_deterministic_and_covers_every_status(db_url: str, other_db_url: str) -> None:
    """Seeding two fresh databases with the same seed and anchor stores the same orders and events."""
    anchor = datetime(2026, 11, 20, 12, tzinfo=UTC)
    stored = []
    for url in (db_url, other_db_url):
        engine = make_engine(url)
        report = seed_demo(engine, orders_count=300, seed=11, anchor=anchor, actor=ADMIN)
        stored.append(_stored(engine))
        engine.dispose()
        assert (len(stored[-1]["orders"]), len(stored[-1]["events"])) == (300, report.events)
    first, second = stored
    assert len(first["events"]) == len(second["events"]) > 300
    for table in ("orders", "events"):
        differing = [(a, b) for a, b in zip(first[table], second[table], strict=True) if a != b]
        assert not differing, differing[:1]
    statuses = {row["order_status"] for row in first["orders"]}
    assert statuses >= {status.value for status in Status} - {Status.CANCELLED.value}  # every status but cancelled
