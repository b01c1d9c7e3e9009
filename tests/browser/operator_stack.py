"""Orders arriving through the running receiver, and small Playwright helpers for the Orders page."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from tests.receiver.helpers import SANDBOX_SECRET, SHOP_DOMAIN, SHOPIFY_SECRET, unified_event
from tests.receiver.hostile_text import Post
from tests.receiver.webshop_deliveries import shopify_headers

ROW_HEIGHT = 35  # the grid's header and rows
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1600, "height": 1000}


def screenshot_path(name: str, tmp_path: Path) -> str:
    """docs/screenshots/<name> with PERFILE_UPDATE_SCREENSHOTS=1, else a file in the test's tmp_path."""
    return str(SCREENSHOTS / name if os.environ.get("PERFILE_UPDATE_SCREENSHOTS") else tmp_path / name)


def post_shopify_order(
    post: Post, serial: int, *, created_at: str, tracking: str | None = None, name: str = "Kari Nordmann"
) -> str:
    """One signed Shopify orders/create delivery (tracked by the sandbox courier when `tracking`);
    returns its order number."""
    number = f"#B{serial}"
    payload: dict[str, Any] = {
        "id": 9_200_000_000 + serial,
        "name": number,
        "email": "kari@example.com",
        "created_at": created_at,
        "updated_at": created_at,
        "shipping_address": {
            "name": name,
            "address1": "Storgatan 1",
            "zip": "41103",
            "city": "Göteborg",
            "country_code": "SE",
        },
    }
    if tracking:
        payload["fulfillments"] = [
            {"id": serial, "status": "success", "tracking_company": "Sandbox Express", "tracking_numbers": [tracking]}
        ]
    body = json.dumps(payload).encode()
    headers = shopify_headers(SHOPIFY_SECRET, SHOP_DOMAIN, body, webhook_id=f"browser-{serial}")
    status, answer = post("/webhooks/shopify", body, headers)
    assert (status, answer) == (200, {"status": "accepted"}), answer
    return number


def post_sandbox_event(post: Post, number: str, status: str, at: datetime, *, city: str = "Göteborg") -> None:
    """One signed sandbox courier event, as the sandbox courier pushes it."""
    description = f"Parcel {status.replace('_', ' ')}"
    body, headers = unified_event(
        SANDBOX_SECRET, "sandbox", number, status, at, description=description, location={"city": city}
    )
    answer = post("/webhooks/couriers/sandbox", body, headers)
    assert answer == (200, {"status": "accepted"}), answer


def click_row(page, index: int) -> None:  # type: ignore[no-untyped-def]
    """The row's checkbox (the canvas grid's row-marker column), as an operator clicks it."""
    grid = page.get_by_test_id("stDataFrame").bounding_box()
    assert grid is not None
    page.mouse.click(grid["x"] + 15, grid["y"] + ROW_HEIGHT * (index + 1) + ROW_HEIGHT // 2)


def action_bar_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("[class*='st-key-action_bar_']").inner_text().replace("\u2060", "")


def grid_rows(page) -> list[tuple[bool, list[str]]]:  # type: ignore[no-untyped-def]
    """The grid's accessible rows below the header: (checked, the cells' texts from Status on).

    The first cell, the indicator (🔔 ⚠️ 🟢 🔵), is left out: it changes with time and with what
    the operator opened.
    """
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] [role=row]')).slice(1)
              .map(row => [row.getAttribute('aria-selected') === 'true',
                           Array.from(row.querySelectorAll('[role=gridcell]')).map(cell => cell.innerText)])"""
    )
    return [(bool(checked), [str(cell) for cell in cells[1:]]) for checked, cells in rows]


def checked_orders(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The order numbers of the checked rows."""
    return [cells[1] for checked, cells in grid_rows(page) if checked]


def row_of(page, order_number: str) -> list[str]:  # type: ignore[no-untyped-def]
    # drawn_rows: the accessible table is empty for a moment while the grid redraws after a tick.
    return next(cells for cells in drawn_rows(page) if cells[1] == order_number)


def drawn_rows(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The grid's rows as texts, once its accessible table is filled (it follows the canvas)."""
    deadline = time.monotonic() + 15
    while not (rows := [cells for _, cells in grid_rows(page)]) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return rows


def index_of(page, number: str) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 15
    while number not in (numbers := [cells[1] for cells in drawn_rows(page)]) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return numbers.index(number)


def select_rows(page, numbers: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Check each row's box on the canvas, as an operator does, and wait until the grid shows it."""
    for number in numbers:
        click_row(page, index_of(page, number))
        wait_for_app_run(page)
        deadline = time.monotonic() + 10
        while number not in checked_orders(page) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
    assert sorted(checked_orders(page)) == sorted(numbers)


def wait_for_cell(page, number: str, column: int, wanted: str) -> None:  # type: ignore[no-untyped-def]
    """Until the row of order `number` shows `wanted` in cell `column` (grid_rows counts from Status)."""
    deadline = time.monotonic() + 15

    def row() -> list[str] | None:  # None while the grid redraws its accessible rows
        return next((cells for cells in drawn_rows(page) if cells[1] == number), None)

    while ((cells := row()) is None or cells[column] != wanted) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert cells is not None and cells[column] == wanted, cells
