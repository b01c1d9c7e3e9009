"""Booking in a real browser: the 4-step dialog with the sandbox courier, the label as a real
PDF whose barcode is the tracking number, the table updated without a reload, and a bulk
booking; screenshots of each step for docs/screenshots/.

Runs the real dashboard (streamlit) on a free loopback port and Debian's headless Chromium.
The page is tests/browser/booking_page.py until the Orders page's action bar is merged.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from perfile_core.db.engine import make_engine
from perfile_core.db.orders_repo import get_order
from perfile_core.domain.status import Status
from perfile_core.services import admin
from perfile_core.services.booking import book_order
from perfile_core.services.booking_status import order_to_book
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.booking.conftest import order_factory
from tests.booking.labels import barcodes
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, free_port, require_chromium, serve_dashboard
from tests.couriers.conftest import RATES

pytestmark = [pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1600, "height": 1000}


def _history(engine, make) -> None:
    """A few delivered sandbox parcels to the region, so quotes carry an on-time rate."""
    from perfile_core.couriers.registry import CourierRegistry
    from perfile_core.couriers.sandbox import SandboxCourier

    couriers = CourierRegistry([SandboxCourier()])
    for n, late in enumerate((0, 0, 1)):
        order_id = make(postal_code="41250")
        booked = book_order(engine, couriers, order_id, "sandbox", "home", actor="seed")
        with engine.connect() as conn:
            eta = get_order(conn, order_id).estimated_delivery
        delivered = datetime.combine(eta + timedelta(days=late), time(14), tzinfo=UTC)
        with engine.begin() as conn:
            for step, (status, when) in enumerate(
                [(Status.PICKED_UP, delivered - timedelta(hours=30)), (Status.DELIVERED, delivered)]
            ):
                record_event(
                    conn,
                    TrackingEvent("sandbox", booked.tracking_number, f"h{n}-{step}", when, status),
                    datetime.now(UTC),
                )


@pytest.fixture
def booking_page(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, object, list[int]]]:
    require_chromium()
    engine = make_engine(sqlite_url)
    admin.configure_courier(engine, "sandbox")
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: Bring's quote fails, and says so
    admin.configure_courier(
        engine, "postnord", api_key="pn", base_url=dead, settings={"customer_number": "1", "rates": RATES}
    )
    admin.configure_courier(
        engine, "bring", api_key="b", base_url=dead, credentials={"uid": "ops@example.se", "customer_number": "1"}
    )
    make = order_factory(engine)
    _history(engine, make)
    heavy = make(customer_name="Olof Holm", weight_grams=25_000)  # over the service point's 20 kg
    ids = [heavy, *(make(customer_name=name) for name in ("Erik Lund", "Maja Berg", "Nils Ek"))]
    env = {"PERFILE_COURIER_TIMEOUT_SECONDS": "2", "PERFILE_SMTP_HOST": ""}
    with serve_dashboard(
        sqlite_url, tmp_path / "streamlit.log", script="tests/browser/booking_page.py", extra_env=env
    ) as url:
        yield url, engine, ids
    engine.dispose()


def _settled(page) -> None:
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached")


def test_book_through_the_dialog_then_bulk(booking_page) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, engine, ids = booking_page
    heavy = ids[0]
    first = order_to_book(engine, ids[-1])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
        page.goto(url)
        page.locator(f".st-key-book_{first.id} button").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("Step 1 of 4")).to_be_visible(timeout=30_000)
        expect(dialog.get_by_text("Bring cannot quote")).to_be_visible()
        expect(dialog.get_by_text("Cheapest").first).to_be_visible()
        _settled(page)
        page.screenshot(path=SHOTS / "booking-step-1.png")

        dialog.locator(".st-key-book_choose_sandbox_home button").click()
        expect(dialog.get_by_text("Step 2 of 4")).to_be_visible()
        expect(dialog.get_by_label("Weight (g)")).to_have_value("1200")
        _settled(page)
        page.screenshot(path=SHOTS / "booking-step-2.png")

        dialog.get_by_role("button", name="Continue").click()
        expect(dialog.get_by_text("Step 3 of 4")).to_be_visible()
        _settled(page)
        page.screenshot(path=SHOTS / "booking-step-3.png")

        dialog.get_by_role("button", name="Book now").click()
        expect(dialog.get_by_text("Step 4 of 4")).to_be_visible(timeout=20_000)
        number = order_to_book(engine, first.id).tracking_number
        assert number
        expect(dialog.get_by_role("link", name=number)).to_have_attribute(
            "href", f"http://localhost:8000/track/{number}"
        )
        expect(dialog.get_by_text("queued in the outbox")).to_be_visible()
        _settled(page)
        page.screenshot(path=SHOTS / "booking-step-4.png")

        with page.expect_download() as download:
            dialog.get_by_role("button", name="Download label").click()
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and barcodes(pdf) == [number]
        # Print: the same PDF opens inline in a new tab (Chromium's viewer prints it)
        href = dialog.get_by_role("link", name="Print label").get_attribute("href")
        shown = requests.get(requests.compat.urljoin(url + "/", href), timeout=10)
        assert shown.headers["content-type"] == "application/pdf" and barcodes(shown.content) == [number]
        assert "attachment" not in shown.headers.get("content-disposition", "")

        dialog.get_by_role("button", name="Close").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        # the table shows the number at once: no reload, no wait for a tick
        expect(page.get_by_text(f"Booked order {first.order_number}")).to_be_visible()
        assert number in page.locator("[data-testid='stDataFrame']").inner_text() or _grid_has(page, number)

        page.locator(".st-key-bulk button").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("3 orders without tracking selected")).to_be_visible()
        dialog.locator(".st-key-bulk_choice").click()
        page.get_by_role("option", name="Sandbox Express · Service point").click()
        dialog.get_by_role("button", name="Book all").click()
        expect(dialog.get_by_text("2 booked")).to_be_visible(timeout=30_000)
        expect(dialog.get_by_text("1 failed")).to_be_visible()
        with page.expect_download() as download:
            dialog.get_by_role("button", name="Download all labels (one PDF)").click()
        combined = Path(download.value.path()).read_bytes()
        assert combined.startswith(b"%PDF") and len(PdfReader(io.BytesIO(combined)).pages) == 2
        _settled(page)
        page.screenshot(path=SHOTS / "bulk-results.png")
        browser.close()
    assert all(order_to_book(engine, order_id).tracking_number for order_id in ids[1:])
    assert order_to_book(engine, heavy).tracking_number is None


def _grid_has(page, text: str) -> bool:
    """The grid is a canvas; Streamlit mirrors its cells in an accessible table."""
    return page.locator("[data-testid='stDataFrame'] [role='gridcell']", has_text=text).count() > 0


def test_double_click_on_book_now_books_once(booking_page) -> None:
    from playwright.sync_api import expect, sync_playwright
    from sqlalchemy import select

    from perfile_core.db.tables import booking_attempts

    url, engine, ids = booking_page
    order_id = ids[1]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url)
        page.locator(f".st-key-book_{order_id} button").click()
        dialog = page.get_by_role("dialog")
        dialog.locator(".st-key-book_choose_sandbox_home button").click()
        dialog.get_by_role("button", name="Continue").click()
        expect(dialog.get_by_text("Step 3 of 4")).to_be_visible(timeout=30_000)
        dialog.get_by_role("button", name="Book now").dblclick()
        expect(dialog.get_by_text("Step 4 of 4")).to_be_visible(timeout=20_000)
        number = order_to_book(engine, order_id).tracking_number
        expect(dialog.get_by_role("link", name=number)).to_be_visible()
        expect(dialog.locator("[data-testid='stAlertContentSuccess']")).to_have_count(1)
        expect(dialog.get_by_role("alert")).to_have_count(0)  # errors and warnings have role=alert
        browser.close()
    with engine.connect() as conn:
        attempts = (
            conn.execute(select(booking_attempts.c.status).where(booking_attempts.c.order_id == order_id))
            .scalars()
            .all()
        )
    assert attempts == ["confirmed"]
