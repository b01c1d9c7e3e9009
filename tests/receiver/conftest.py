"""Fixtures for the receiver: a real app on a fresh database, with stores and couriers
configured as an operator does it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from receiver import create_app
from tests.receiver.helpers import configure_sources


@pytest.fixture
def configured(db: Engine) -> Engine:
    """Stores and courier accounts as an operator sets them up with the CLI."""
    configure_sources(db)
    return db


@pytest.fixture
def app(configured: Engine, db_url: str) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    yield app
    app.extensions["perfile"].perfile.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
