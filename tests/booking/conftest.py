"""Fixtures for booking tests: a store with a pickup address, bookable orders, a registry."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from perfile_core.config import Settings
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.couriers.sandbox import SandboxCourier
from perfile_core.services import admin, notifications
from perfile_core.services.orders import create_order

PICKUP = {"name": "Nordic Coffee Co.", "line1": "Hamngatan 12", "postal_code": "11147",
          "city": "Stockholm", "country_code": "SE"}
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _notify_defaults() -> Any:
    notifications.configure(Settings())
    yield
    notifications.configure(None)


@pytest.fixture
def settings() -> Settings:
    return Settings(smtp_host="", courier_timeout_seconds=2.0, courier_retries=1)


@pytest.fixture
def store(db: Engine) -> admin.Store:
    return admin.add_store(db, key="coffee", name="Nordic Coffee Co.", platform="manual", pickup_address=PICKUP)


@pytest.fixture
def make_order(db: Engine, store: admin.Store) -> Callable[..., int]:
    def make(**overrides: Any) -> int:
        data = {
            "store_key": store.key,
            "order_number": f"PF-{next(_numbers):05d}",
            "customer_name": "Anna Svensson",
            "customer_email": "anna@example.se",
            "address_line1": "Storgatan 1",
            "postal_code": "41103",
            "city": "Göteborg",
            "country_code": "SE",
            "weight_grams": 1200,
            **overrides,
        }
        return create_order(db, data).id

    return make


@pytest.fixture
def sandbox() -> SandboxCourier:
    return SandboxCourier()


@pytest.fixture
def registry(sandbox: SandboxCourier) -> CourierRegistry:
    return CourierRegistry([sandbox])
