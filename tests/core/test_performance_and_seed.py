"""Courier performance aggregates, and the demo seeder's determinism."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from perfile_core.db.engine import make_engine
from perfile_core.db.tables import orders, tracking_events
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.tracking_numbers import make_s10
from perfile_core.services import orders as order_service
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.performance import courier_performance
from perfile_core.services.queries import list_orders
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN, person
from tests.core.helpers import T0, bring_number, make_order, make_store, push_event


def _ship(db, number: str, courier_code: str, raw_steps: list[tuple[str, float]], eta: date | None):
    """An order booked with `courier_code`, then that courier's raw scans `raw_steps` (code, hours after T0)."""
    order = make_order(db)
    order_service.attach_tracking(db, order.id, number, courier_code, actor=person("t"))
    for index, (code, hours) in enumerate(raw_steps):
        push_event(db, number, code, T0 + timedelta(hours=hours), courier=courier_code, eta=eta if index == 0 else None)
    return order


def test_on_time_rate_delivery_time_and_exception_rate_per_courier(db):
    make_store(db)
    day_one, day_two = (T0 + timedelta(hours=24)).date(), (T0 + timedelta(hours=48)).date()
    # Bring, picked up at T0 and delivered 24 h later, on the promised day: on time.
    _ship(db, bring_number(1), "bring", [("HANDED_IN", 0), ("DELIVERED", 24)], day_one)
    # Bring, delivered 72 h after pickup, a day late, after a deviation.
    _ship(db, bring_number(2), "bring", [("HANDED_IN", 0), ("DEVIATION", 10), ("DELIVERED", 72)], day_two)
    # Bring, still underway.
    _ship(db, bring_number(3), "bring", [("HANDED_IN", 0)], None)
    # PostNord (its first EN_ROUTE is the pickup): delivered after 30 h, on time.
    _ship(db, make_s10("PN", 1, "SE"), "postnord", [("EN_ROUTE", 0), ("DELIVERED", 30)], day_one)
    # PostNord, delayed on the way but still delivered on the promised day, after 40 h.
    _ship(db, make_s10("PN", 2, "SE"), "postnord", [("EN_ROUTE", 0), ("DELAYED", 10), ("DELIVERED", 40)], day_two)
    bring, postnord = courier_performance(db, group_by="courier")
    assert (bring.group, postnord.group) == ("bring", "postnord")
    assert (bring.orders, bring.tracked, bring.delivered) == (3, 3, 2)
    assert (bring.on_time_rate, bring.avg_delivery_hours, bring.exception_rate) == (0.5, 48.0, round(1 / 3, 4))
    assert (postnord.orders, postnord.tracked, postnord.delivered) == (2, 2, 2)
    assert (postnord.on_time_rate, postnord.avg_delivery_hours, postnord.exception_rate) == (1.0, 35.0, 0.5)


def test_on_time_is_judged_by_the_day_at_the_delivery_address(db):
    """The aggregate (SQL, both databases) agrees with Order.otd_status: local calendar days."""
    make_store(db)
    promised = date(2026, 3, 10)
    cases = [  # (number, country, delivered at UTC): on time?
        (bring_number(11), "SE", datetime(2026, 3, 10, 22, 30, tzinfo=UTC)),  # 23:30 in Stockholm: on time
        (bring_number(12), "SE", datetime(2026, 3, 10, 23, 30, tzinfo=UTC)),  # 00:30 next day: late
        (bring_number(13), "FI", datetime(2026, 3, 10, 22, 30, tzinfo=UTC)),  # 00:30 next day in Helsinki: late
    ]
    for number, country, delivered_at in cases:
        order = make_order(db, country_code=country)
        order_service.attach_tracking(db, order.id, number, "bring", actor=person("t"))
        push_event(db, number, "HANDED_IN", delivered_at - timedelta(hours=30), eta=promised)
        push_event(db, number, "DELIVERED", delivered_at)
    (row,) = courier_performance(db, group_by="courier")
    assert (row.delivered, row.on_time_rate) == (3, round(1 / 3, 4))
    judged = {o.tracking_number: o.otd_status(T0) for o in list_orders(db, OrderFilter()).orders}
    assert judged == {bring_number(11): "on_time", bring_number(12): "delayed", bring_number(13): "delayed"}


def test_grouping_by_store_and_period_and_bad_grouping(db):
    """Orders created 29 Oct - 19 Nov 2026 (UTC days)."""
    seed_demo(db, orders_count=40, seed=5, anchor=datetime(2026, 11, 20, tzinfo=UTC), actor=ADMIN)
    by_store = courier_performance(db, group_by="store")
    assert {row.group for row in by_store} == {"demo-shopify", "demo-woo", "demo-manual"}
    assert sum(row.orders for row in by_store) == 40
    # A period is named by the day it starts (weeks start on Monday), the same on both databases.
    by_week = courier_performance(db, group_by="week")
    assert [(row.group, row.orders) for row in by_week] == [
        ("2026-10-26", 5),
        ("2026-11-02", 6),
        ("2026-11-09", 8),
        ("2026-11-16", 21),
    ]
    by_month = courier_performance(db, group_by="month")
    assert [(row.group, row.orders) for row in by_month] == [("2026-10-01", 5), ("2026-11-01", 35)]
    by_day = courier_performance(db, group_by="day")
    assert (by_day[0].group, by_day[-1].group, sum(row.orders for row in by_day)) == ("2026-10-29", "2026-11-19", 40)
    filtered = courier_performance(db, OrderFilter(couriers=("postnord",)))
    assert [row.group for row in filtered] == ["postnord"]
    with pytest.raises(ValidationError):
        courier_performance(db, group_by="planet")


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
