"""New order and Delete order on the real Orders page (app.py), in real Chromium against a
real streamlit: what an operator types reaches the database and the table at once, a deleted
order leaves the table with a confirmation and an Undo that brings it back, and "Save and book
shipment" goes straight on into the booking dialog.

With PERFILE_UPDATE_SCREENSHOTS=1 it writes docs/screenshots/new-order.png, delete-order.png
and delete-undo.png (1600x1000).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from perfile_core.db.engine import make_engine
from perfile_core.domain.errors import NotFound
from perfile_core.services import admin
from perfile_core.services.order_detail import find_order, order_detail
from tests.actors import ADMIN
from tests.booking.conftest import PICKUP
from tests.browser.operator_stack import (
    VIEWPORT,
    index_of,
    row_of,
    screenshot_path,
    select_rows,
    wait_for_cell,
)
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve_dashboard
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from tests.dashboard.dialog_helpers import STORE
from ui.orders_frame import NO_TRACKING_HINT

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.fixture
def dashboard(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    require_chromium()
    engine = make_engine(sqlite_url)
    admin.add_store(engine, key=STORE, name="Nordic Coffee Co.", platform="manual", pickup_address=PICKUP, actor=ADMIN)
    admin.configure_courier(engine, "sandbox", actor=ADMIN)
    with serve_dashboard(sqlite_url, tmp_path / "streamlit.log", extra_env={"PERFILE_SMTP_HOST": ""}) as url:
        yield url, engine
    engine.dispose()


def open_new_order(pw, url: str):  # type: ignore[no-untyped-def]
    """Chromium on the empty Orders page, the New order dialog opened from its header button."""
    from playwright.sync_api import expect

    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport=VIEWPORT)
    for _ in range(2):  # the second session has the sidebar operators see (tests/browser/test_booking_in_chromium.py)
        page.goto(url)
        expect(page.get_by_text("No orders match these filters")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="New order").click()
    dialog = page.get_by_test_id("stDialog")
    expect(dialog.get_by_text("Save without tracking")).to_be_visible(timeout=15_000)
    return browser, page, dialog


def test_new_order_then_delete_and_undo_in_chromium(dashboard: tuple[str, Engine], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, engine = dashboard
    with sync_playwright() as p:
        browser, page, dialog = open_new_order(p, url)
        typed = {
            "Order number": "NC-1042",
            "Customer name": "Astrid Lindqvist",
            "E-mail": "astrid@example.se",
            "Phone": "+46 70 123 45 67",
            "Address": "Sveavägen 44",
            "Postal code": "11134",
            "City": "Stockholm",
            "Weight (g)": "1800",
            "Length (cm)": "30",
            "Width (cm)": "20",
            "Height (cm)": "12",
        }
        for label, value in typed.items():
            dialog.get_by_label(label, exact=True).fill(value)
        page.evaluate("document.activeElement.blur()")  # commits the last number input; no focus ring
        page.screenshot(path=screenshot_path("new-order.png", tmp_path))

        dialog.get_by_role("button", name="Save without tracking").click()
        expect(page.get_by_test_id("stToast").get_by_text("saved without tracking")).to_be_visible(timeout=15_000)
        expect(page.get_by_test_id("stDialog")).to_have_count(0)
        order = order_detail(engine, find_order(engine, "NC-1042")).order
        assert (order.customer_name, order.city, order.weight_grams) == ("Astrid Lindqvist", "Stockholm", 1800)

        index_of(page, "NC-1042")  # in the table at once
        # status, order, tracking, its link (none), store
        assert row_of(page, "NC-1042")[:5] == ["No tracking", "NC-1042", NO_TRACKING_HINT, "", "Nordic Coffee Co."]

        select_rows(page, ["NC-1042"])
        page.locator("[class*='st-key-action_bar_']").get_by_role("button", name=re.compile("Delete order")).click()
        dialog = page.get_by_test_id("stDialog")
        expect(dialog.get_by_text("Delete order NC-1042")).to_be_visible(timeout=15_000)
        dialog.get_by_label("Why? (required)").fill("Customer ordered twice; kept NC-1041")
        dialog.get_by_label("Why? (required)").press("Enter")
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("delete-order.png", tmp_path))

        dialog.get_by_role("button", name="Delete order").click()
        expect(page.get_by_test_id("stToast").get_by_text("Order NC-1042 deleted")).to_be_visible(timeout=15_000)
        expect(page.get_by_role("button", name="Undo")).to_be_visible()
        expect(page.get_by_text("No orders match these filters")).to_be_visible()  # back to the table, without it
        expect(page.get_by_text("no longer on this page")).to_have_count(0)  # the Undo bar says it, alone
        with pytest.raises(NotFound):
            order_detail(engine, order.id)
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("delete-undo.png", tmp_path))

        page.get_by_role("button", name="Undo").click()
        expect(page.get_by_test_id("stToast").get_by_text("restored")).to_be_visible(timeout=15_000)
        assert order_detail(engine, order.id).order.order_number == "NC-1042"
        expect(page.get_by_text("1 of 1 order ·", exact=False)).to_be_visible()
        assert index_of(page, "NC-1042") == 0
        browser.close()


def test_save_and_book_goes_on_into_the_booking_dialog(dashboard: tuple[str, Engine]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, engine = dashboard
    with sync_playwright() as p:
        browser, page, dialog = open_new_order(p, url)
        for label, value in {
            "Order number": "NC-2001",
            "Customer name": "Nils Ek",
            "E-mail": "nils@example.se",
            "Address": "Storgatan 1",
            "Postal code": "41103",
            "City": "Göteborg",
            "Weight (g)": "900",
        }.items():
            dialog.get_by_label(label, exact=True).fill(value)
        dialog.get_by_role("button", name="Save and book shipment").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("Step 1 of 4")).to_be_visible(timeout=30_000)
        expect(dialog).to_contain_text("NC-2001")
        dialog.locator(".st-key-book_choose_sandbox_home button").click()
        dialog.get_by_role("button", name="Continue").click()
        dialog.get_by_role("button", name="Book now").click()
        expect(dialog.get_by_text("Step 4 of 4")).to_be_visible(timeout=20_000)
        number = order_detail(engine, find_order(engine, "NC-2001")).order.tracking_number
        assert number
        dialog.get_by_role("button", name="Close").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        index_of(page, "NC-2001")
        wait_for_cell(page, "NC-2001", 2, number)  # in the table at once (2: the Tracking cell)
        browser.close()
