"""Courier performance aggregates, and the demo seeder's determinism."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from perfile_core.domain.errors import ValidationError
from perfile_core.services import orders as order_service
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.performance import courier_performance
from perfile_core.services.queries import list_orders
from perfile_core.services.seed import seed_demo
from tests.core.helpers import T0, make_order, make_store, push_event


def _ship(db, number: str, courier_code: str, raw_steps: list[tuple[str, float]], eta: date | None):
    order = make_order(db)
    order_service.attach_tracking(db, order.id, number, "bring", actor="t")
    for index, (code, hours) in enumerate(raw_steps):
        push_event(db, number, code, T0 + timedelta(hours=hours), eta=eta if index == 0 else None)
    return order


def test_on_time_rate_delivery_time_and_exception_rate(db):
    make_store(db)
    # Picked up at T0, delivered 24 h later, on the promised day: on time.
    _ship(db, "B1", "bring", [("HANDED_IN", 0), ("DELIVERED", 24)], (T0 + timedelta(hours=24)).date())
    # Delivered 72 h after pickup, a day late, after a deviation.
    _ship(
        db,
        "B2",
        "bring",
        [("HANDED_IN", 0), ("DEVIATION", 10), ("DELIVERED", 72)],
        (T0 + timedelta(hours=48)).date(),
    )
    # Still underway.
    _ship(db, "B3", "bring", [("HANDED_IN", 0)], None)
    (row,) = courier_performance(db, group_by="courier")
    assert row.group == "bring"
    assert (row.orders, row.tracked, row.delivered) == (3, 3, 2)
    assert row.on_time_rate == 0.5
    assert row.avg_delivery_hours == 48.0
    assert row.exception_rate == round(1 / 3, 4)


def test_on_time_is_judged_by_the_day_at_the_delivery_address(db):
    """The aggregate (SQL, both databases) agrees with Order.otd_status: local calendar days."""
    make_store(db)
    promised = date(2026, 3, 10)
    cases = [  # (number, country, delivered at UTC): on time?
        ("L1", "SE", datetime(2026, 3, 10, 22, 30, tzinfo=UTC)),  # 23:30 in Stockholm: on time
        ("L2", "SE", datetime(2026, 3, 10, 23, 30, tzinfo=UTC)),  # 00:30 next day: late
        ("L3", "FI", datetime(2026, 3, 10, 22, 30, tzinfo=UTC)),  # 00:30 next day in Helsinki: late
    ]
    for number, country, delivered_at in cases:
        order = make_order(db, country_code=country)
        order_service.attach_tracking(db, order.id, number, "bring", actor="t")
        push_event(db, number, "HANDED_IN", delivered_at - timedelta(hours=30), eta=promised)
        push_event(db, number, "DELIVERED", delivered_at)
    (row,) = courier_performance(db, group_by="courier")
    assert (row.delivered, row.on_time_rate) == (3, round(1 / 3, 4))
    judged = {o.tracking_number: o.otd_status(T0) for o in list_orders(db, OrderFilter()).orders}
    assert judged == {"L1": "on_time", "L2": "delayed", "L3": "delayed"}


def test_grouping_by_store_and_period_and_bad_grouping(db):
    seed_demo(db, orders_count=40, seed=5, anchor=datetime(2026, 11, 20, tzinfo=UTC))
    by_store = courier_performance(db, group_by="store")
    assert {row.group for row in by_store} == {"demo-shopify", "demo-woo", "demo-manual"}
    assert sum(row.orders for row in by_store) == 40
    by_week = courier_performance(db, group_by="week")
    assert sum(row.orders for row in by_week) == 40
    filtered = courier_performance(db, OrderFilter(couriers=("postnord",)))
    assert [row.group for row in filtered] == ["postnord"]
    with pytest.raises(ValidationError):
        courier_performance(db, group_by="planet")


def _fingerprint(db):
    page = list_orders(db, OrderFilter(sort="order_number", descending=False), limit=1000)
    return [
        (
            o.order_number,
            o.customer_name,
            o.tracking_number,
            o.order_status,
            o.estimated_delivery,
            o.created_at,
        )
        for o in page.orders
    ]


def test_seed_is_deterministic_and_covers_every_status(sqlite_url, tmp_path):
    from perfile_core.db.engine import make_engine
    from perfile_core.db.migrate import migrate

    anchor = datetime(2026, 11, 20, 12, tzinfo=UTC)
    prints = []
    for name in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        migrate(engine)
        seed_demo(engine, orders_count=300, seed=11, anchor=anchor)
        prints.append(_fingerprint(engine))
        engine.dispose()
    assert prints[0] == prints[1]
    statuses = {row[3].value for row in prints[0]}
    assert statuses >= {
        "pending",
        "confirmed",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "ready_for_pickup",
        "delivered",
        "exception",
        "returned",
    }
