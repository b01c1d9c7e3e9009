"""The Orders page's live tick: pushed on PostgreSQL (no query when nothing changed), toasts
only for orders in the operator's view, and a pause toggle."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from perfile_core.bootstrap import build
from perfile_core.config import load_settings
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.orders import create_order
from perfile_core.services.queries import list_orders
from tests.actors import ADMIN
from tests.core.helpers import record_status
from tests.dashboard.conftest import serve_demo_orders
from ui.safe_text import md

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 30


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, statement, *rest: seen.append(statement))
    return seen


def _new_order(db: Engine, name: str) -> None:
    with db.connect() as conn:
        store_key = conn.exec_driver_sql("SELECT key FROM stores ORDER BY key LIMIT 1").scalar_one()
    create_order(
        db,
        {"store_key": store_key, "customer_name": name, "address_line1": "Storgatan 1",
         "postal_code": "41103", "city": "Göteborg", "country_code": "SE"}, actor=ADMIN,
    )  # fmt: skip


def _caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "orders ·" in c.value)


@pytest.fixture
def pg_page(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from serve_demo_orders(pg_url, monkeypatch, orders=ORDERS)


def test_on_postgresql_a_tick_with_nothing_changed_runs_no_sql(pg_page: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui import live
    from ui.context import perfile

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception and f"of {ORDERS} orders" in _caption(at)
    assert perfile().order_changes.wait_listening(5.0)
    at.run()  # the first tick the listener vouches for
    statements = _statements(perfile().db)
    at.run()
    at.run()
    assert statements == [], statements  # nothing changed: no query at all
    assert f"of {ORDERS} orders" in _caption(at) and "updated 0 s ago" in _caption(at)
    monkeypatch.setattr(live, "TOTAL_MAX_AGE_S", 0.0)
    at.run()
    assert statements == []  # only a filter over time ("no news for 48 h") needs re-reading
    at.toggle(key="f_needs_action").set_value(True).run()
    statements.clear()
    at.run()
    assert statements  # it drifts with time alone
    at.toggle(key="f_needs_action").set_value(False).run()
    monkeypatch.setattr(live, "TOTAL_MAX_AGE_S", 30.0)

    _new_order(perfile().db, "Same Process")  # e.g. this dashboard's own New order dialog
    at.run()  # at once, before any NOTIFY came back
    assert f"of {ORDERS + 1} orders" in _caption(at) and statements

    other = build(load_settings(database_url=pg_page))  # another process: the receiver, the CLI
    try:
        version = perfile().order_changes.version()
        _new_order(other.db, "Other Process")
        deadline = time.monotonic() + 5
        while perfile().order_changes.version() == version and time.monotonic() < deadline:
            time.sleep(0.02)  # its NOTIFY on the way
        at.run()
        assert f"of {ORDERS + 2} orders" in _caption(at)
    finally:
        other.close()


def test_toasts_only_for_orders_in_the_view_and_a_count_of_the_others(sqlite_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    serving = serve_demo_orders(sqlite_url, monkeypatch, orders=60)
    next(serving)
    from ui.context import perfile

    db = perfile().db
    in_transit = list_orders(db, OrderFilter(statuses=(Status.IN_TRANSIT,))).orders
    inside = in_transit[0]
    outside = next(order for order in in_transit if order.courier != inside.courier)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.multiselect(key="f_courier").select(inside.courier).run()
    record_status(db, inside, Status.EXCEPTION, "Damaged", reason=ExceptionReason.DAMAGED)
    record_status(db, outside, Status.EXCEPTION, "Damaged", reason=ExceptionReason.DAMAGED)
    at.run()
    toasts = [toast.value for toast in at.toast]
    assert any(inside.order_number in text and "Exception" in text for text in toasts), toasts
    assert not any(outside.order_number in text for text in toasts), toasts
    assert "1 update in orders outside this view" in toasts, toasts
    next(serving, None)


def test_paused_the_table_stays_until_resumed(sqlite_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PERFILE_DASHBOARD_REFRESH_SECONDS", "7")
    serving = serve_demo_orders(sqlite_url, monkeypatch, orders=ORDERS)
    next(serving)
    from ui.context import perfile

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert md("Live, every 7 s") in _caption(at)  # the default interval comes from settings
    at.toggle(key="live_paused").set_value(True).run()
    _new_order(perfile().db, "While Paused")
    at.run()
    assert f"of {ORDERS} orders" in _caption(at) and "Paused · updated" in _caption(at)
    at.toggle(key="live_paused").set_value(False).run()
    assert f"of {ORDERS + 1} orders" in _caption(at) and md("Live, every 7 s") in _caption(at)
    next(serving, None)
