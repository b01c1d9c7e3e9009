"""The Orders table's indicator column in a real browser: a courier event through the receiver
turns an order's indicator within the live ticks, and opening the order (or Mark seen) clears its 🔔.

gunicorn (receiver) and streamlit (dashboard, 1 s ticks) run on loopback against one SQLite
database; headless Chromium reads the indicator cell from the grid's accessible table, the
DOM text the canvas grid keeps beside its drawing, by the row's order number. That text is the
glyphs themselves, whatever emoji font the machine has (grid_rows leaves the cell out only
because it changes with time and with what the operator opened).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from perfile_core.domain.indicators import Indicator
from tests.browser.operator_stack import action_bar_text, post_sandbox_event, post_shopify_order
from tests.browser.servers import serve_stack
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from tests.browser.test_selection_and_drawer import open_orders, select_order
from tests.receiver.helpers import SANDBOX_SECRET, unified_event
from tests.receiver.hostile_text import Post, http_poster
from ui.orders_frame import INDICATOR_GLYPHS

pytestmark = [pytest.mark.browser, pytest.mark.live]
ORDERS = 4  # #B0-#B3; the odd ones tracked by the sandbox courier (SBXB1, SBXB3)
UPDATED = INDICATOR_GLYPHS[Indicator.UPDATED]  # 🔔
ACTION = INDICATOR_GLYPHS[Indicator.ACTION_NEEDED]  # ⚠️
ARRIVING = INDICATOR_GLYPHS[Indicator.LIVE_ARRIVING]  # 🟢
TICK_BUDGET_S = 6.0  # 1 s ticks: the next tick after the receiver's commit, and the grid's redraw


@pytest.fixture
def stack(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Post, str]]:
    with serve_stack(sqlite_url, tmp_path) as (receiver, dashboard), requests.Session() as session:
        post = http_poster(receiver, session)
        for serial in range(ORDERS):
            tracking = f"SBXB{serial}" if serial % 2 else None
            post_shopify_order(post, serial, created_at=f"2026-03-09T1{serial}:00:00+01:00", tracking=tracking)
        yield post, dashboard


def indicators(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each drawn row's indicator cell by its order number (the row's third cell, after the
    indicator and the status), from the grid's accessible table."""
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] [role=row]')).slice(1)
              .map(row => Array.from(row.querySelectorAll('[role=gridcell]')).map(cell => cell.innerText))"""
    )
    return {cells[2]: cells[0].strip() for cells in rows if len(cells) > 2}


def indicator_of(page, number: str) -> str:  # type: ignore[no-untyped-def]
    """Order `number`'s indicator now, once its row is drawn."""
    deadline = time.monotonic() + 15
    while (shown := indicators(page).get(number)) is None and time.monotonic() < deadline:
        page.wait_for_timeout(100)  # the accessible rows are empty for a moment while the grid redraws
    assert shown is not None, (number, indicators(page))
    return shown


def wait_for_indicator(page, number: str, wanted: str, *, within: float = 15) -> float:  # type: ignore[no-untyped-def]
    """Until order `number`'s indicator cell reads `wanted`; the seconds it took."""
    started = time.monotonic()
    while (shown := indicators(page).get(number)) != wanted and time.monotonic() - started < within:
        page.wait_for_timeout(100)  # None while the grid redraws its accessible rows
    assert shown == wanted, (number, shown, indicators(page))
    return time.monotonic() - started


def test_a_courier_event_turns_the_indicator_and_opening_the_order_clears_its_bell(stack) -> None:
    from playwright.sync_api import expect, sync_playwright

    post, dashboard = stack
    with sync_playwright() as pw:
        browser, page = open_orders(pw, dashboard, orders=ORDERS)
        # Before any courier news: booked but not picked up shows nothing; no tracking needs action.
        wait_for_indicator(page, "#B3", "")
        wait_for_indicator(page, "#B1", "")
        wait_for_indicator(page, "#B2", ACTION)

        # Out for delivery through the receiver: live on its last leg, and new to this operator.
        post_sandbox_event(post, "SBXB3", "out_for_delivery", datetime.now(UTC))
        took = wait_for_indicator(page, "#B3", UPDATED + ARRIVING, within=TICK_BUDGET_S)
        print(f"out for delivery -> {UPDATED}{ARRIVING} in {took:.2f} s")
        # An exception on another order: new, and it needs action.
        body, headers = unified_event(
            SANDBOX_SECRET,
            "sandbox",
            "SBXB1",
            "exception",
            datetime.now(UTC),
            description="Delivery attempt failed",
            exception_reason="failed_attempt",
        )
        assert post("/webhooks/couriers/sandbox", body, headers) == (200, {"status": "accepted"})
        took = wait_for_indicator(page, "#B1", UPDATED + ACTION, within=TICK_BUDGET_S)
        print(f"exception -> {UPDATED}{ACTION} in {took:.2f} s")
        assert indicator_of(page, "#B2") == ACTION  # the others did not change

        # Opening the order (the details drawer) clears its bell; the live marker stays.
        select_order(page, "#B3")
        page.get_by_role("button", name=re.compile("View details")).click()
        drawer = page.get_by_test_id("stDialog")
        expect(drawer).to_contain_text("#B3", timeout=15_000)
        page.keyboard.press("Escape")
        expect(drawer).to_have_count(0, timeout=10_000)
        wait_for_indicator(page, "#B3", ARRIVING)
        page.wait_for_timeout(2500)  # more ticks: the bell stays off until the order changes again
        assert indicator_of(page, "#B3") == ARRIVING
        assert indicator_of(page, "#B1") == UPDATED + ACTION  # not opened: still marked

        # Mark seen in the action bar dismisses the bell without opening the order.
        page.locator("[class*='st-key-action_bar_']").get_by_role("button", name="Clear selection").click()
        wait_for_app_run(page)
        select_order(page, "#B1")
        assert action_bar_text(page).startswith("#B1 · ")
        page.locator("[class*='st-key-action_bar_']").get_by_role("button", name="Mark seen").click()
        wait_for_indicator(page, "#B1", ACTION)
        browser.close()
