"""The live orders table and Order page in a real browser: a courier event shows up without a reload.

Starts the real dashboard (streamlit) on a free loopback port against a seeded SQLite
database and drives Debian's headless Chromium with Playwright.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfile_core.db.engine import make_engine
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import list_orders
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN
from tests.browser.operator_stack import wait_for_cell
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve_dashboard
from tests.core.helpers import record_status

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def dashboard(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    require_chromium()
    engine = make_engine(sqlite_url)
    seed_demo(engine, orders_count=30, seed=9, actor=ADMIN)
    engine.dispose()
    with serve_dashboard(sqlite_url, tmp_path / "streamlit.log") as url:
        yield url, sqlite_url


def test_exception_appears_live_with_a_toast(dashboard) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, db_url = dashboard
    engine = make_engine(db_url)
    order = next(o for o in list_orders(engine, OrderFilter(statuses=(Status.IN_TRANSIT,))).orders)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(url)
        expect(page.get_by_text("of 30 orders")).to_be_visible(timeout=30_000)
        time.sleep(1.5)  # let the first tick record the starting cursor
        record_status(engine, order, Status.EXCEPTION, "Delayed at the terminal", reason=ExceptionReason.DELAYED)
        # The toast names the order; nobody reloaded the page.
        expect(page.get_by_text(f"{order.order_number}").filter(has_text="Exception")).to_be_visible(timeout=15_000)
        # Its status tag in the grid shows the new status as text (a one-tag list cell).
        wait_for_cell(page, order.order_number, 0, "Delayed")  # an exception by its reason

        # The Order page is live too: the next courier event shows there without a reload.
        page.goto(f"{url}/Order?order={order.id}")
        expect(page.get_by_text("Delayed at the terminal")).to_be_visible(timeout=15_000)
        expect(page.get_by_text("Live: shows changes to this order")).to_be_visible(timeout=15_000)
        record_status(engine, order, Status.OUT_FOR_DELIVERY, "Loaded on the van in Kista")
        expect(page.get_by_text("Loaded on the van in Kista")).to_be_visible(timeout=15_000)
        browser.close()
    engine.dispose()
