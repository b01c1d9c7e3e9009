"""The New order form and the delete confirmation with its Undo, in real Chromium against a
real streamlit: what an operator types reaches the database, and Undo brings the order back.

With PERFILE_UPDATE_SCREENSHOTS=1 it writes docs/screenshots/new-order.png, delete-order.png
and delete-undo.png (1600x1000).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from perfile_core.db.engine import make_engine
from perfile_core.domain.errors import NotFound
from perfile_core.services import admin
from perfile_core.services.order_detail import find_order, order_detail
from tests.booking.conftest import PICKUP
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, ROOT, require_chromium, serve_dashboard
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from tests.dashboard.dialog_helpers import STORE

pytestmark = [pytest.mark.browser, pytest.mark.live]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PAGE = "tests/dashboard/dialog_page.py"


@pytest.fixture
def dashboard(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    require_chromium()
    engine = make_engine(sqlite_url)
    admin.add_store(engine, key=STORE, name="Nordic Coffee Co.", platform="manual", pickup_address=PICKUP)
    with serve_dashboard(sqlite_url, tmp_path / "streamlit.log", script=PAGE) as url:
        yield url, engine
    engine.dispose()


def shot(tmp_path: Path, name: str) -> str:
    folder = SCREENSHOTS if os.environ.get("PERFILE_UPDATE_SCREENSHOTS") else tmp_path
    return str(folder / name)


def test_new_order_then_delete_and_undo_in_chromium(dashboard: tuple[str, Engine], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, engine = dashboard
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(url)
        wait_for_app_run(page)

        page.get_by_role("button", name="New order").click()
        dialog = page.get_by_test_id("stDialog")
        expect(dialog.get_by_text("Save without tracking")).to_be_visible(timeout=15_000)
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
        dialog.get_by_label("E-mail", exact=True).click()  # leave the last number input
        page.screenshot(path=shot(tmp_path, "new-order.png"))

        dialog.get_by_role("button", name="Save without tracking").click()
        expect(page.get_by_test_id("stToast").get_by_text("saved without tracking")).to_be_visible(timeout=15_000)
        expect(page.get_by_test_id("stDialog")).to_have_count(0)
        order = order_detail(engine, find_order(engine, "NC-1042")).order
        assert (order.customer_name, order.city, order.weight_grams) == ("Astrid Lindqvist", "Stockholm", 1800)

        page.goto(f"{url}/?open=delete&order={order.id}")
        dialog = page.get_by_test_id("stDialog")
        expect(dialog.get_by_text("Delete order NC-1042")).to_be_visible(timeout=15_000)
        dialog.get_by_label("Why? (required)").fill("Customer ordered twice; kept NC-1041")
        dialog.get_by_label("Why? (required)").press("Enter")
        wait_for_app_run(page)
        page.screenshot(path=shot(tmp_path, "delete-order.png"))

        dialog.get_by_role("button", name="Delete order").click()
        expect(page.get_by_test_id("stToast").get_by_text("Order NC-1042 deleted")).to_be_visible(timeout=15_000)
        expect(page.get_by_role("button", name="Undo")).to_be_visible()
        with pytest.raises(NotFound):
            order_detail(engine, order.id)
        page.screenshot(path=shot(tmp_path, "delete-undo.png"))

        page.get_by_role("button", name="Undo").click()
        expect(page.get_by_test_id("stToast").get_by_text("restored")).to_be_visible(timeout=15_000)
        assert order_detail(engine, order.id).order.order_number == "NC-1042"
        browser.close()
