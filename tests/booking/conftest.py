"""Fixtures for booking tests: a store with a pickup address, bookable orders, a registry."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import Engine

from perfile_core.config import Settings
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.couriers.sandbox import SandboxCourier
from perfile_core.services import admin, notifications
from perfile_core.services.orders import create_order
from tests.actors import ADMIN

PICKUP = {
    "name": "Nordic Coffee Co.",
    "line1": "Hamngatan 12",
    "postal_code": "11147",
    "city": "Stockholm",
    "country_code": "SE",
}
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _notify_defaults() -> Any:
    notifications.configure(Settings())
    yield
    notifications.configure(None)


@pytest.fixture
def settings() -> Settings:
    return Settings(smtp_host="", courier_timeout_seconds=2.0, courier_retries=1)


# A bookable Swedish home-delivery order, as the booking and dialog tests create them.
BOOKABLE_ORDER = {
    "customer_name": "Anna Svensson",
    "customer_email": "anna@example.se",
    "address_line1": "Storgatan 1",
    "postal_code": "41103",
    "city": "Göteborg",
    "country_code": "SE",
    "weight_grams": 1200,
}


def order_factory(db: Engine) -> Callable[..., int]:
    """Orders in a store with a pickup address, bookable unless overridden."""
    store = admin.add_store(
        db, key="coffee", name="Nordic Coffee Co.", platform="manual", pickup_address=PICKUP, actor=ADMIN
    )

    def make(**overrides: Any) -> int:
        data = {
            "store_key": store.key,
            "order_number": f"PF-{next(_numbers):05d}",
            **BOOKABLE_ORDER,
            **overrides,
        }
        return create_order(db, data, actor=ADMIN).id

    return make


@pytest.fixture
def make_order(db: Engine) -> Callable[..., int]:
    return order_factory(db)


@pytest.fixture
def sandbox() -> SandboxCourier:
    return SandboxCourier()


@pytest.fixture
def registry(sandbox: SandboxCourier) -> CourierRegistry:
    return CourierRegistry([sandbox])


@pytest.fixture
def postnord_registry(httpserver, sandbox: SandboxCourier) -> Iterator[CourierRegistry]:
    """Sandbox plus a PostNord adapter pointed at the local server (1 s timeout)."""
    from perfile_core.couriers.postnord.adapter import PostNordCourier
    from perfile_core.couriers.postnord.client import PostNordClient
    from perfile_core.couriers.postnord.settings import PostNordSettings
    from tests.couriers.conftest import RATES

    settings = PostNordSettings(
        api_key="pn-key",
        base_url=httpserver.url_for(""),
        customer_number="1234567",
        rates=RATES,
        timeout=1.0,
        retries=1,
    )
    with requests.Session() as session:
        yield CourierRegistry([sandbox, PostNordCourier(PostNordClient(settings, session))])
