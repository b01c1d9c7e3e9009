"""The simulator's deliveries are signed like the real senders' and move shipments along."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from sqlalchemy import Engine, select

from perfile_core.clock import utcnow
from perfile_core.config import Settings
from perfile_core.couriers.registry import build_registry
from perfile_core.db.tables import orders
from perfile_core.domain.time_utils import parse_datetime
from perfile_core.services.analytics import delivery_analytics
from perfile_core.services.booking import book_order
from perfile_core.services.order_detail import order_detail
from perfile_core.services.webhook_simulator import Simulation, ensure_sources
from tests.actors import ADMIN, person


def test_simulated_traffic_is_accepted_and_moves_shipments(client, configured: Engine) -> None:
    simulation = Simulation(ensure_sources(configured, actor=ADMIN), rng=random.Random(3))
    answers = []
    start = utcnow()
    for second in range(120):  # two minutes of real time: 120 simulated hours
        for delivery in simulation.tick(start + timedelta(seconds=second)):
            response = client.post(delivery.path, data=delivery.body, headers=delivery.headers)
            answers.append((delivery.label, response.status_code, response.json.get("status")))
    assert answers and all(code == 200 and status == "accepted" for _, code, status in answers), [
        a for a in answers if a[1] != 200 or a[2] != "accepted"
    ][:3]
    with configured.connect() as conn:
        statuses = conn.execute(select(orders.c.order_status)).scalars().all()
    assert "pending" in statuses  # WooCommerce orders waiting for tracking
    assert {"delivered", "in_transit", "out_for_delivery", "picked_up", "ready_for_pickup"} & set(statuses)
    assert any("exception" in label or "failed_attempt" in label or "delayed" in label for label, _, _ in answers)


def test_sources_are_created_once(configured: Engine) -> None:
    first = ensure_sources(configured, actor=ADMIN)
    assert ensure_sources(configured, actor=ADMIN) == first


def test_simulated_orders_without_tracking_can_be_booked(client, configured: Engine) -> None:
    """What an operator does with them in the dashboard: the simulated shops have a pickup address."""
    simulation = Simulation(ensure_sources(configured, actor=ADMIN), rng=random.Random(3))
    start = utcnow()
    for second in range(40):
        for delivery in simulation.tick(start + timedelta(seconds=second)):
            client.post(delivery.path, data=delivery.body, headers=delivery.headers)
    with configured.connect() as conn:
        waiting = conn.execute(select(orders.c.id).where(orders.c.tracking_number.is_(None))).scalars().all()
    assert waiting
    sandbox = build_registry([], Settings())
    for order_id in waiting[:3]:
        result = book_order(
            configured, sandbox, order_id, "sandbox", "home", actor=person("test"), send_notification=False
        )
        assert order_detail(configured, order_id).order.tracking_number == result.tracking_number


def test_simulated_parcels_take_as_long_as_real_ones(client, configured: Engine) -> None:
    """Scans are hours apart in simulated time (never dated after they are sent), so delivery
    times and on-time rates from simulated traffic look like real parcels', not "0.0 h"."""
    simulation = Simulation(ensure_sources(configured, actor=ADMIN), rng=random.Random(8))
    start = utcnow()
    for second in range(240):
        now = start + timedelta(seconds=second)
        for delivery in simulation.tick(now):
            occurred = json.loads(delivery.body).get("data", {}).get("occurred_at")
            if occurred:
                assert parse_datetime(occurred) <= now
            assert client.post(delivery.path, data=delivery.body, headers=delivery.headers).status_code == 200
    report = delivery_analytics(configured)
    assert report.total.delivered >= 10
    assert 24 <= report.total.median_hours <= 96, report.total.bins  # picked up to delivered: one to four days
    assert report.total.on_time_rate is not None and report.total.on_time_rate > 0.5
    with configured.connect() as conn:
        rows = conn.execute(select(orders.c.created_at, orders.c.shipped_at).where(orders.c.shipped_at.is_not(None)))
        assert all(created <= shipped for created, shipped in rows)  # booked after the order was placed
