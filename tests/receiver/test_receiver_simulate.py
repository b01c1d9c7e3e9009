"""The simulator's deliveries are signed like the real senders' and move shipments along."""

from __future__ import annotations

import random

from sqlalchemy import Engine, select

from perfile_core.db.tables import orders
from perfile_core.services.webhook_simulator import Simulation, ensure_sources


def test_simulated_traffic_is_accepted_and_moves_shipments(client, configured: Engine) -> None:
    simulation = Simulation(ensure_sources(configured), rng=random.Random(3))
    answers = []
    for _ in range(120):
        for delivery in simulation.tick():
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
    first = ensure_sources(configured)
    assert ensure_sources(configured) == first
