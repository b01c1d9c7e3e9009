"""The Orders page's live tick recounts the total only when something changed (ui.live.live_page)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from perfile_core.services.orders import create_order
from tests.actors import ADMIN
from tests.dashboard.conftest import serve_demo_orders
from ui import live

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 205  # more than one page of 200: the page alone does not give the total


@pytest.fixture
def counts(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The count(*) statements the dashboard's engine runs."""
    serving = serve_demo_orders(sqlite_url, monkeypatch, orders=ORDERS)
    next(serving)
    from ui.context import perfile

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "count(*)" in statement.lower():
            seen.append(statement)

    event.listen(perfile().db, "before_cursor_execute", record)
    yield seen
    next(serving, None)


def test_an_unchanged_tick_reuses_the_total_and_a_change_recounts(counts: list[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception and f"of {ORDERS} orders" in at.caption[0].value
    assert len(counts) == 1
    at.run()  # a tick with nothing changed
    assert len(counts) == 1 and f"of {ORDERS} orders" in at.caption[0].value
    from ui.context import perfile

    with perfile().db.connect() as conn:
        store_key = conn.exec_driver_sql("SELECT key FROM stores LIMIT 1").scalar_one()
    create_order(
        perfile().db,
        {"store_key": store_key, "customer_name": "New Customer", "address_line1": "Storgatan 1",
         "postal_code": "41103", "city": "Göteborg", "country_code": "SE"}, actor=ADMIN,
    )  # fmt: skip
    at.run()  # the new order came in: counted again
    assert len(counts) == 2 and f"of {ORDERS + 1} orders" in at.caption[0].value
    monkeypatch.setattr(live, "TOTAL_MAX_AGE_S", 0.0)
    at.run()  # nothing changed, but the count is old (time-based filters drift)
    assert len(counts) == 3
