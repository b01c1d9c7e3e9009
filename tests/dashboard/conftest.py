"""The dashboard's pages read the database named in the environment, through one cached app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perfile_core.db.engine import make_engine
from perfile_core.services.seed import seed_demo


def serve_demo_orders(url: str, monkeypatch: pytest.MonkeyPatch, orders: int) -> Iterator[str]:
    """Seed `orders` demo orders into `url` and point the dashboard at it until the test ends."""
    engine = make_engine(url)
    seed_demo(engine, orders_count=orders, seed=2)
    engine.dispose()
    monkeypatch.setenv("PERFILE_DATABASE_URL", url)
    from ui.context import perfile

    perfile.clear()
    yield url
    perfile().close()  # the pages' engine: its PostgreSQL connections must not outlive the test
    perfile.clear()
