"""Orders arriving through the running receiver, and small Playwright helpers for the Orders page."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.receiver.helpers import SANDBOX_SECRET, SHOP_DOMAIN, SHOPIFY_SECRET, unified_event
from tests.receiver.hostile_text import Post
from tests.receiver.webshop_deliveries import shopify_headers

ROW_HEIGHT = 35  # the grid's header and rows


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
    """The grid's accessible rows below the header: (checked, the cells' texts from Status on)."""
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] [role=row]')).slice(1)
              .map(row => [row.getAttribute('aria-selected') === 'true',
                           Array.from(row.querySelectorAll('[role=gridcell]')).map(cell => cell.innerText)])"""
    )
    return [(bool(checked), [str(cell) for cell in cells]) for checked, cells in rows]


def checked_orders(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The order numbers of the checked rows."""
    return [cells[1] for checked, cells in grid_rows(page) if checked]


def row_of(page, order_number: str) -> list[str]:  # type: ignore[no-untyped-def]
    return next(cells for _, cells in grid_rows(page) if cells[1] == order_number)
