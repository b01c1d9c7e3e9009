"""What the Integrations page reads after real deliveries, on SQLite and PostgreSQL: results per
source, the last delivery per store (found by the store key or shop domain that starts each
webshop delivery's key) and per courier."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import Engine

from perfile_core.clock import utcnow
from perfile_core.services import integrations
from perfile_core.services.webhook_simulator import SHOPIFY_STORE, WOO_STORE, Simulation, ensure_sources
from tests.actors import ADMIN


def test_last_delivery_per_store_and_courier(client, configured: Engine) -> None:
    simulation = Simulation(ensure_sources(configured, actor=ADMIN), rng=random.Random(3))
    start = utcnow()
    paths = set()
    for second in range(60):
        for delivery in simulation.tick(start + timedelta(seconds=second)):
            assert client.post(delivery.path, data=delivery.body, headers=delivery.headers).status_code == 200
            paths.add(delivery.path)
    assert {"/webhooks/shopify", f"/webhooks/woocommerce/{WOO_STORE}", "/webhooks/couriers/sandbox"} <= paths
    stores = {store.key: store for store in integrations.configured_stores(configured)}
    assert stores[SHOPIFY_STORE].last_delivery_at and stores[WOO_STORE].last_delivery_at
    assert stores["demo-shopify"].last_delivery_at is None and stores["manual-store"].last_delivery_at is None
    couriers = {courier.code: courier for courier in integrations.configured_couriers(configured)}
    assert couriers["sandbox"].last_delivery_at and couriers["bring"].last_delivery_at is None
    per_source = {row.source: row.counts for row in integrations.deliveries_per_source(configured)}
    assert per_source["shopify"]["accepted"] > 0 and per_source["courier:sandbox"]["accepted"] > 0
