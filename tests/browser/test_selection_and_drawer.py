"""The Orders page in a real browser while orders and courier events arrive through the receiver.

gunicorn (receiver) and streamlit (dashboard, 1 s ticks) run on loopback against one SQLite
database; headless Chromium selects a row on the canvas grid. The checked row is read from
the grid's accessible table (aria-selected), the action bar from its text.
The screenshots of the action bar and the drawer come from test_booking_in_chromium.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from perfile_core.couriers.registry import CourierRegistry
from perfile_core.couriers.sandbox import SandboxCourier
from perfile_core.db.engine import make_engine
from perfile_core.db.orders_repo import get_order
from perfile_core.services.booking import book_order
from tests.actors import person
from tests.booking.conftest import order_factory
from tests.booking.labels import barcodes
from tests.browser.operator_stack import (
    VIEWPORT,
    action_bar_text,
    checked_orders,
    click_row,
    grid_rows,
    post_sandbox_event,
    post_shopify_order,
    row_of,
)
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, serve_stack
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from tests.receiver.hostile_text import Post, http_poster

pytestmark = [pytest.mark.browser, pytest.mark.live]
FIRST_ORDERS = 6
ARRIVALS = 10  # one every ~2 s: about 20 s of ticks under the selection


@pytest.fixture
def stack(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Post, str]]:
    with serve_stack(sqlite_url, tmp_path) as (receiver, dashboard), requests.Session() as session:
        post = http_poster(receiver, session)
        for serial in range(FIRST_ORDERS):  # odd ones tracked by the sandbox courier; newest first on screen
            tracking = f"SBXB{serial}" if serial % 2 else None
            post_shopify_order(post, serial, created_at=f"2026-03-09T1{serial}:00:00+01:00", tracking=tracking)
        yield post, dashboard


def open_orders(pw, dashboard: str, *, orders: int = FIRST_ORDERS):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(dashboard)
    expect(page.get_by_text(f"of {orders} orders")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # the first tick records the starting cursor
    return browser, page


def select_order(page, number: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    deadline = time.monotonic() + 15
    while not (numbers := [cells[1] for _, cells in grid_rows(page)]) and time.monotonic() < deadline:
        page.wait_for_timeout(200)  # the grid's accessible table is filled after the canvas
    index = numbers.index(number)
    click_row(page, index)
    expect(page.locator("[class*='st-key-action_bar_']")).to_contain_text(number, timeout=15_000)


def test_the_selection_stays_with_its_order_while_new_orders_arrive(stack) -> None:
    from playwright.sync_api import expect, sync_playwright

    post, dashboard = stack
    chosen = "#B2"  # without tracking: Book shipment is the first action
    with sync_playwright() as pw:
        browser, page = open_orders(pw, dashboard)
        select_order(page, chosen)
        wait_for_app_run(page)
        deadline = time.monotonic() + 5
        while checked_orders(page) != [chosen] and time.monotonic() < deadline:
            page.wait_for_timeout(100)  # the accessible table follows the canvas
        assert checked_orders(page) == [chosen]
        started = time.monotonic()
        for serial in range(100, 100 + ARRIVALS):
            post_shopify_order(post, serial, created_at=f"2026-03-10T{serial - 90:02d}:00:00+01:00")
            page.wait_for_timeout(2000)  # two ticks; the new order is drawn above the chosen one
            assert action_bar_text(page).startswith(f"{chosen} · "), action_bar_text(page)
            assert checked_orders(page) == [chosen], grid_rows(page)
        assert time.monotonic() - started >= 15
        expect(page.get_by_text(f"of {FIRST_ORDERS + ARRIVALS} orders")).to_be_visible(timeout=10_000)
        numbers = [cells[1] for _, cells in grid_rows(page)]
        assert numbers.index(chosen) == 3 + ARRIVALS  # it moved down, the check went with it
        assert checked_orders(page) == [chosen]
        browser.close()


def test_the_details_drawer_stays_open_while_a_courier_event_moves_the_row(stack) -> None:
    from playwright.sync_api import expect, sync_playwright

    post, dashboard = stack
    chosen, number = "#B3", "SBXB3"
    with sync_playwright() as pw:
        browser, page = open_orders(pw, dashboard)
        post_sandbox_event(post, number, "picked_up", datetime.now(UTC) - timedelta(hours=2), city="Stockholm")
        select_order(page, chosen)
        expect(page.locator("[class*='st-key-action_bar_']")).to_contain_text("Picked up", timeout=15_000)
        page.get_by_role("button", name=re.compile("View details")).click()
        drawer = page.get_by_test_id("stDialog")
        expect(drawer).to_be_visible(timeout=15_000)
        expect(drawer).to_contain_text(chosen)
        expect(drawer).to_contain_text(number)
        expect(drawer).to_contain_text("Parcel picked up · Stockholm")  # the event timeline, with its place
        post_sandbox_event(post, number, "in_transit", datetime.now(UTC))
        deadline = time.monotonic() + 15
        while row_of(page, chosen)[0] != "In transit" and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        assert row_of(page, chosen)[0] == "In transit", row_of(page, chosen)  # the row moved behind the drawer
        page.wait_for_timeout(3000)  # three more ticks
        expect(drawer).to_be_visible()
        expect(drawer).to_contain_text(chosen)
        page.keyboard.press("Escape")  # dismissed: it stays closed through the next ticks
        expect(drawer).to_have_count(0, timeout=10_000)
        page.wait_for_timeout(2500)
        expect(drawer).to_have_count(0)
        assert action_bar_text(page).startswith(f"{chosen} · ")
        browser.close()


def test_download_label_gives_the_booked_labels_pdf(stack, sqlite_url: str, tmp_path: Path) -> None:
    """The bar's Download label, clicked after live ticks redrew it, gives the core's stored
    label: a real PDF whose barcode a scanner reads as the tracking number."""
    from playwright.sync_api import sync_playwright

    _, dashboard = stack
    engine = make_engine(sqlite_url)
    order_id = order_factory(engine)()  # a store with a pickup address
    booked = book_order(engine, CourierRegistry([SandboxCourier()]), order_id, "sandbox", "home", actor=person("test"))
    with engine.connect() as conn:
        number = get_order(conn, order_id).order_number
    engine.dispose()
    with sync_playwright() as pw:
        browser, page = open_orders(pw, dashboard, orders=FIRST_ORDERS + 1)
        select_order(page, number)
        page.wait_for_timeout(2500)  # ticks after the bar was drawn: the button must still work
        with page.expect_download() as download:
            page.get_by_role("button", name=re.compile("Download label")).click()
        saved = tmp_path / "label.pdf"
        download.value.save_as(saved)
        assert download.value.suggested_filename == f"label-{booked.tracking_number}.pdf"
        browser.close()
    assert barcodes(saved.read_bytes()) == [booked.tracking_number]
