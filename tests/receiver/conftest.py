"""Fixtures for the receiver: a real app on a fresh database, with stores and couriers
configured as an operator does it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from perfile_core.services import admin
from receiver import create_app
from tests.receiver.helpers import (
    BRING_SECRET,
    DHL_SECRET,
    POSTNORD_SECRET,
    SANDBOX_SECRET,
    SHOP_DOMAIN,
    SHOPIFY_SECRET,
    WOO_SECRET,
    WOO_STORE,
)


@pytest.fixture
def configured(db: Engine) -> Engine:
    """Stores and courier accounts as an operator sets them up with the CLI."""
    admin.add_store(
        db,
        key="demo-shopify",
        name="Demo Koffie",
        platform="shopify",
        shop_domain=SHOP_DOMAIN,
        webhook_secret=SHOPIFY_SECRET,
    )
    admin.add_store(db, key=WOO_STORE, name="Demo Woo", platform="woocommerce", webhook_secret=WOO_SECRET)
    admin.add_store(db, key="manual-store", name="Manual", platform="manual")
    admin.configure_courier(db, "bring", webhook_secret=BRING_SECRET)
    admin.configure_courier(db, "sandbox", webhook_secret=SANDBOX_SECRET)
    admin.configure_courier(db, "postnord", webhook_secret=POSTNORD_SECRET)
    admin.configure_courier(db, "dhl", webhook_secret=DHL_SECRET)
    return db


@pytest.fixture
def app(configured: Engine, db_url: str) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    yield app
    app.extensions["perfile"].perfile.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
