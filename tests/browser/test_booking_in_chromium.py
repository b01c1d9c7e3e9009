"""What an operator does on the real Orders page (app.py), end to end in Debian's Chromium.

The receiver (gunicorn) and the dashboard (streamlit, 1 s ticks) run on free loopback ports
against one SQLite database holding demo traffic and a few orders without tracking. The
operator selects a row on the canvas grid, books it through the 4-step dialog with the sandbox
courier, downloads the label (a real PDF whose barcode is the tracking number) and sees the
number in the table without a reload; with the details drawer open, a signed courier event
sent to the receiver moves the row to "Picked up". Then several rows are booked at once, one
of them too heavy for the chosen service.

With PERFILE_UPDATE_SCREENSHOTS=1 it writes docs/screenshots/orders-action-bar.png,
booking-step-1.png .. booking-step-4.png, details-drawer.png and bulk-results.png (1600x1000).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import Engine, select

from perfile_core.couriers.registry import CourierRegistry
from perfile_core.couriers.sandbox import SandboxCourier
from perfile_core.db.engine import make_engine
from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import booking_attempts
from perfile_core.domain.status import Status
from perfile_core.services import admin
from perfile_core.services.booking import book_order
from perfile_core.services.booking_status import order_to_book
from perfile_core.services.order_detail import find_order
from perfile_core.services.seed import seed_demo
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import ADMIN, person
from tests.booking.conftest import order_factory
from tests.booking.labels import barcodes
from tests.browser.operator_stack import (
    VIEWPORT,
    action_bar_text,
    drawn_rows,
    post_sandbox_event,
    row_of,
    screenshot_path,
    select_rows,
    wait_for_cell,
)
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, free_port, require_chromium, serve_dashboard, serve_receiver
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from tests.couriers.conftest import RATES
from tests.receiver.helpers import SANDBOX_SECRET
from tests.receiver.hostile_text import Post, http_poster
from ui.orders_frame import NO_TRACKING_HINT

pytestmark = [pytest.mark.browser, pytest.mark.live]
DEMO_ORDERS = 24
TRACKING = 2  # the Tracking cell of a grid row (grid_rows counts from Status)
COURIER = 5


@dataclass
class Operator:
    """What the test drives: the dashboard's URL, the receiver, the database, the orders without tracking."""

    url: str
    post: Post
    engine: Engine
    heavy: str  # over the service point's 20 kg: fails in a bulk booking by service point
    light: list[str]
    total: int


def _history(engine: Engine, make) -> None:  # type: ignore[no-untyped-def]
    """A few delivered sandbox parcels to the region, so quotes carry an on-time rate."""
    couriers = CourierRegistry([SandboxCourier()])
    long_ago = datetime.now(UTC) - timedelta(days=30)  # below the orders on screen
    for n, late in enumerate((0, 0, 1)):
        order_id = make(postal_code="41250", created_at=long_ago)
        booked = book_order(engine, couriers, order_id, "sandbox", "home", actor=person("seed"))
        with engine.connect() as conn:
            eta = get_order(conn, order_id).estimated_delivery
        delivered = datetime.combine(eta + timedelta(days=late), day_time(14), tzinfo=UTC)
        with engine.begin() as conn:
            for step, (status, when) in enumerate(
                [(Status.PICKED_UP, delivered - timedelta(hours=30)), (Status.DELIVERED, delivered)]
            ):
                record_event(
                    conn,
                    TrackingEvent("sandbox", booked.tracking_number, f"h{n}-{step}", when, status),
                    datetime.now(UTC),
                )


def _number(engine: Engine, order_id: int) -> str:
    with engine.connect() as conn:
        return get_order(conn, order_id).order_number


@pytest.fixture
def operator(sqlite_url: str, tmp_path: Path) -> Iterator[Operator]:
    require_chromium()
    engine = make_engine(sqlite_url)
    admin.configure_courier(engine, "sandbox", webhook_secret=SANDBOX_SECRET, actor=ADMIN)
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: Bring's quote fails, and says so
    admin.configure_courier(
        engine, "postnord", api_key="pn", base_url=dead, settings={"customer_number": "1", "rates": RATES}, actor=ADMIN
    )
    admin.configure_courier(
        engine,
        "bring",
        api_key="b",
        base_url=dead,
        credentials={"uid": "ops@example.se", "customer_number": "1"},
        actor=ADMIN,
    )
    seed_demo(engine, orders_count=DEMO_ORDERS, seed=9, actor=ADMIN)  # live traffic around the operator's orders
    make = order_factory(engine)
    _history(engine, make)
    heavy = make(customer_name="Olof Holm", weight_grams=25_000)
    light = [make(customer_name=name) for name in ("Erik Lund", "Maja Berg", "Nils Ek")]
    env = {"PERFILE_COURIER_TIMEOUT_SECONDS": "2", "PERFILE_SMTP_HOST": ""}
    with (
        serve_receiver(sqlite_url, tmp_path / "gunicorn.log") as receiver,
        serve_dashboard(sqlite_url, tmp_path / "streamlit.log", extra_env=env) as url,
        requests.Session() as session,
    ):
        yield Operator(
            url=url,
            post=http_poster(receiver, session),
            engine=engine,
            heavy=_number(engine, heavy),
            light=[_number(engine, order_id) for order_id in light],
            total=DEMO_ORDERS + 3 + 4,
        )
    engine.dispose()


def _open_orders(pw, operator: Operator):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
    # Twice: the first session after a start draws the sidebar (from pages/) before the page
    # config names its width (app.SIDEBAR_WIDTH); every later one, as operators see it, has it.
    for _ in range(2):
        page.goto(operator.url)
        expect(page.get_by_text(f"of {operator.total} orders")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # the first tick records the starting cursor
    return browser, page


def _live_traffic(page, operator: Operator) -> str:  # type: ignore[no-untyped-def]
    """A signed sandbox event, through the receiver, for a demo parcel on screen; its order number."""
    moving = next(
        cells[1]
        for cells in drawn_rows(page)
        if cells[COURIER] == "Sandbox Express" and cells[0] in ("Confirmed", "In transit")
    )
    tracking = row_of(page, moving)[TRACKING]
    post_sandbox_event(operator.post, tracking, "out_for_delivery", datetime.now(UTC), city="Malmö")
    return moving


def test_book_one_order_then_watch_it_move_with_the_drawer_open(operator: Operator, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    chosen = operator.light[-1]  # the newest order: the top row
    with sync_playwright() as pw:
        browser, page = _open_orders(pw, operator)
        moved = _live_traffic(page, operator)
        wait_for_cell(page, moved, 0, "Out for delivery")
        wait_for_app_run(page)
        # The columns' fit and docs' orders.png: test_orders_columns_in_chromium (this is the first
        # session of the dashboard's process, whose sidebar Streamlit draws before it knows its width).
        page.screenshot(path=str(tmp_path / "orders.png"))
        assert row_of(page, chosen)[0] == "No tracking" and row_of(page, chosen)[TRACKING] == NO_TRACKING_HINT

        select_rows(page, [chosen])
        bar = page.locator("[class*='st-key-action_bar_']")
        expect(bar).to_contain_text(chosen, timeout=15_000)
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("orders-action-bar.png", tmp_path))

        bar.get_by_role("button", name=re.compile("Book shipment")).click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("Step 1 of 4")).to_be_visible(timeout=30_000)
        expect(dialog.get_by_text("Bring cannot quote")).to_be_visible()  # listed with its reason, not hidden
        expect(dialog.get_by_text("Cheapest").first).to_be_visible()
        page.wait_for_timeout(2500)  # live ticks behind the dialog
        expect(dialog.get_by_text("Step 1 of 4")).to_be_visible()
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("booking-step-1.png", tmp_path))

        dialog.locator(".st-key-book_choose_sandbox_home button").click()
        expect(dialog.get_by_text("Step 2 of 4")).to_be_visible()
        expect(dialog.get_by_label("Weight (g)")).to_have_value("1200")
        wait_for_app_run(page)
        dialog.get_by_text("Step 2 of 4").click()  # off the autofocused field: no "Press Enter" hint in the picture
        page.screenshot(path=screenshot_path("booking-step-2.png", tmp_path))

        dialog.get_by_role("button", name="Continue").click()
        expect(dialog.get_by_text("Step 3 of 4")).to_be_visible()
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("booking-step-3.png", tmp_path))

        dialog.get_by_role("button", name="Book now").click()
        expect(dialog.get_by_text("Step 4 of 4")).to_be_visible(timeout=20_000)
        number = order_to_book(operator.engine, _order_id(operator.engine, chosen)).tracking_number
        assert number
        expect(dialog.get_by_role("link", name=number)).to_have_attribute(
            "href", f"http://localhost:8000/track/{number}"
        )
        expect(dialog.get_by_text("queued in the outbox")).to_be_visible()
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("booking-step-4.png", tmp_path))

        with page.expect_download() as download:
            dialog.get_by_role("button", name="Download label").click()
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and barcodes(pdf) == [number]
        # Print: the same PDF opens inline in a new tab (Chromium's viewer prints it)
        href = dialog.get_by_role("link", name="Print label").get_attribute("href")
        shown = requests.get(requests.compat.urljoin(operator.url + "/", href), timeout=10)
        assert shown.headers["content-type"] == "application/pdf" and barcodes(shown.content) == [number]
        assert "attachment" not in shown.headers.get("content-disposition", "")

        dialog.get_by_role("button", name="Close").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_text(f"Booked order {chosen}")).to_be_visible()
        # the table shows the number at once: no reload, and sooner than the next 1 s tick
        wait_for_cell(page, chosen, TRACKING, number)
        assert action_bar_text(page).startswith(f"{chosen} · ")

        bar.get_by_role("button", name=re.compile("View details")).click()
        drawer = page.get_by_test_id("stDialog")
        expect(drawer).to_contain_text(number, timeout=15_000)
        post_sandbox_event(operator.post, number, "picked_up", datetime.now(UTC), city="Göteborg")
        wait_for_cell(page, chosen, 0, "Picked up")  # the row moved behind the open drawer
        expect(drawer).to_contain_text("Parcel picked up · Göteborg", timeout=15_000)
        page.wait_for_timeout(2500)  # more ticks: the drawer stays
        expect(drawer).to_be_visible()
        expect(drawer).to_contain_text(chosen)
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("details-drawer.png", tmp_path))
        browser.close()
    assert order_to_book(operator.engine, _order_id(operator.engine, chosen)).tracking_number == number


def _order_id(engine: Engine, number: str) -> int:
    return find_order(engine, number)


def test_book_several_selected_orders_one_of_them_too_heavy(operator: Operator, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    chosen = [operator.heavy, *operator.light[:2]]
    with sync_playwright() as pw:
        browser, page = _open_orders(pw, operator)
        select_rows(page, chosen)
        bulk_bar = page.locator(".st-key-bulk_bar")
        expect(bulk_bar).to_contain_text("3 orders selected")
        bulk_bar.get_by_role("button", name="Book 3 selected").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("3 orders without tracking selected")).to_be_visible(timeout=15_000)
        dialog.locator(".st-key-bulk_choice").click()
        page.get_by_role("option", name="Sandbox Express · Service point").click()
        dialog.get_by_role("button", name="Book all").click()
        expect(dialog.get_by_text("2 booked")).to_be_visible(timeout=30_000)
        expect(dialog.get_by_text("1 failed")).to_be_visible()
        failure = f"{operator.heavy} not booked: sandbox: Sandbox Express cannot carry this parcel"
        expect(dialog.get_by_role("alert")).to_contain_text(failure)  # in full, not cut by the cell
        with page.expect_download() as download:
            dialog.get_by_role("button", name="Download all labels (one PDF)").click()
        combined = Path(download.value.path()).read_bytes()
        assert combined.startswith(b"%PDF") and len(PdfReader(io.BytesIO(combined)).pages) == 2
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("bulk-results.png", tmp_path))
        dialog.get_by_role("button", name="Close").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        for number in operator.light[:2]:  # the table shows the new numbers at once
            booked = order_to_book(operator.engine, _order_id(operator.engine, number)).tracking_number
            assert booked
            wait_for_cell(page, number, TRACKING, booked)
        assert row_of(page, operator.heavy)[TRACKING] == NO_TRACKING_HINT
        browser.close()
    assert order_to_book(operator.engine, _order_id(operator.engine, operator.heavy)).tracking_number is None


def test_double_click_on_book_now_books_once(operator: Operator) -> None:
    from playwright.sync_api import expect, sync_playwright

    chosen = operator.light[0]
    order_id = _order_id(operator.engine, chosen)
    with sync_playwright() as pw:
        browser, page = _open_orders(pw, operator)
        select_rows(page, [chosen])
        page.locator("[class*='st-key-action_bar_']").get_by_role("button", name=re.compile("Book shipment")).click()
        dialog = page.get_by_role("dialog")
        dialog.locator(".st-key-book_choose_sandbox_home button").click()
        dialog.get_by_role("button", name="Continue").click()
        expect(dialog.get_by_text("Step 3 of 4")).to_be_visible(timeout=30_000)
        dialog.get_by_role("button", name="Book now").dblclick()
        expect(dialog.get_by_text("Step 4 of 4")).to_be_visible(timeout=20_000)
        number = order_to_book(operator.engine, order_id).tracking_number
        expect(dialog.get_by_role("link", name=number)).to_be_visible()
        expect(dialog.locator("[data-testid='stAlertContentSuccess']")).to_have_count(1)
        expect(dialog.get_by_role("alert")).to_have_count(0)  # errors and warnings have role=alert
        browser.close()
    with operator.engine.connect() as conn:
        attempts = (
            conn.execute(select(booking_attempts.c.status).where(booking_attempts.c.order_id == order_id))
            .scalars()
            .all()
        )
    assert attempts == ["confirmed"]
