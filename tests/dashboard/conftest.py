"""The dashboard's pages read the database named in the environment, through one cached app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from perfile_core.db.engine import make_engine
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN


def serve_demo_orders(url: str, monkeypatch: pytest.MonkeyPatch, orders: int) -> Iterator[str]:
    """Seed `orders` demo orders into `url` and point the dashboard at it until the test ends."""
    engine = make_engine(url)
    seed_demo(engine, orders_count=orders, seed=2, actor=ADMIN)
    engine.dispose()
    monkeypatch.setenv("PERFILE_DATABASE_URL", url)
    from ui.context import perfile

    perfile.clear()
    yield url
    perfile().close()  # the pages' engine: its PostgreSQL connections must not outlive the test
    perfile.clear()


@pytest.fixture
def app_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A store with a pickup address in a fresh database the dialogs' page reads."""
    from perfile_core.services import admin
    from tests.booking.conftest import PICKUP
    from tests.dashboard.dialog_helpers import STORE

    engine = make_engine(db_url)
    admin.add_store(engine, key=STORE, name="Nordic Coffee Co.", platform="manual", pickup_address=PICKUP, actor=ADMIN)
    monkeypatch.setenv("PERFILE_DATABASE_URL", db_url)
    from ui.context import perfile

    perfile.clear()
    yield engine
    perfile().close()
    perfile.clear()
    engine.dispose()
