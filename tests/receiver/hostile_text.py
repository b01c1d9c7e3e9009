"""Hostile text planted through the real receiver, in every text field that reaches a page.

Each payload goes into four orders, each fed only by its own courier (a courier's events are
only for its own parcels):
  A  Shopify: customer name and address; tracked by the sandbox courier, whose unified events
     carry the payload in description, location.city and raw_status. The first event arrives
     before the order exists (an orphan, applied when the order gets its number).
  B  WooCommerce: customer name and address; tracked by Bring, whose Event Cast status is the payload.
  C  Shopify: an unknown courier whose name and tracking number are the payload.
  D  WooCommerce: the same through `tracking_provider`.
`post(path, body, headers)` sends one delivery (Flask test client or real HTTP) and returns
the status code and JSON answer, so the same planting serves AppTest and the browser.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from perfile_core.couriers.formats.common import normalize_tracking_number
from perfile_core.couriers.formats.signatures import hmac_sha256_base64
from tests.receiver.helpers import (
    BRING_SECRET,
    SANDBOX_SECRET,
    SHOP_DOMAIN,
    SHOPIFY_SECRET,
    WOO_SECRET,
    WOO_STORE,
    unified_event,
)
from tests.receiver.webshop_deliveries import shopify_headers

PAYLOADS = (
    '<meta http-equiv="refresh" content="2;url=http://evil.example/">',
    "<style>body{display:none}</style>",
    '<div style="position:fixed;inset:0">fake</div>',
    '<form><input type="password"></form>',
    '<img src="http://evil.example/x.png">',
    "![x](http://evil.example/x.png)",
    "[click](http://evil.example)",
    "HTTPS://elsewhere.example/phish",  # a courier-less tracking "number" that is a URL
)
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

Post = Callable[[str, bytes, dict[str, str]], tuple[int, Any]]


@dataclass(frozen=True)
class PlantedOrder:
    order_number: str
    texts: tuple[str, ...]  # what its Order page must show as literal text
    tracking_number: str
    courier: str | None  # our code; None for a webshop's unknown courier


def flask_poster(client: Any) -> Post:
    def post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = client.post(path, data=body, headers=headers)
        return response.status_code, response.json

    return post


def http_poster(base_url: str, session: requests.Session) -> Post:
    def post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = session.post(f"{base_url}{path}", data=body, headers=headers, timeout=10)
        return response.status_code, response.json()

    return post


def sandbox_number(index: int) -> str:
    return f"SBXHOSTILE{index}"


def bring_description(status: str) -> str:
    """How the timeline words a Bring Event Cast status code (bring_eventcast.parse_event)."""
    return status.replace("_", " ").capitalize()


def plant(post: Post) -> list[PlantedOrder]:
    planted = []
    for index, payload in enumerate(PAYLOADS):
        planted += [
            _sandbox_tracked_shopify_order(post, index, payload),
            _bring_tracked_woo_order(post, index, payload),
            _unknown_courier_shopify_order(post, index, payload),
            _unknown_courier_woo_order(post, index, payload),
        ]
    return planted


SHOWCASE_ORDER = "#HSHOW"
SHOWCASE_NUMBER = "SBXSHOWCASE"
SHOWCASE_CUSTOMER = PAYLOADS[5]  # a Markdown image


def plant_showcase(post: Post) -> PlantedOrder:
    """One order with a different payload in each field its Order page shows (for the browser).

    The HTML payloads go where the timeline used to pass them to `unsafe_allow_html` (event
    description and city); the Markdown ones into the customer's name and address.
    """
    meta, style, div, form, img, image, link, url = PAYLOADS
    send_sandbox_event(post, SHOWCASE_NUMBER, "in_transit", T0, description=meta, location={"city": style})
    fields = {"name": SHOWCASE_CUSTOMER, "address1": link, "address2": img, "city": url}
    _shopify_order(post, 999, SHOWCASE_ORDER, fields, tracking=("Sandbox Express", SHOWCASE_NUMBER))
    send_sandbox_event(post, SHOWCASE_NUMBER, None, T0 + timedelta(hours=1), description=div, location={"city": form})
    send_sandbox_event(post, SHOWCASE_NUMBER, None, T0 + timedelta(hours=2), raw_status=link, location={"city": image})
    return PlantedOrder(SHOWCASE_ORDER, PAYLOADS, SHOWCASE_NUMBER, "sandbox")


def send_sandbox_event(post: Post, number: str, status: str | None, at: datetime, **data: Any) -> None:
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", number, status, at, **data)
    _accepted(post("/webhooks/couriers/sandbox", body, headers))


def _accepted(answer: tuple[int, Any]) -> None:
    status, body = answer
    assert (status, body) == (200, {"status": "accepted"}), answer


def _sandbox_tracked_shopify_order(post: Post, index: int, payload: str) -> PlantedOrder:
    number = sandbox_number(index)
    orphan = f"{payload} (orphan)"  # its own wording, so the page shows it was applied later
    hostile = {"description": orphan, "raw_status": payload, "location": {"city": payload}}
    send_sandbox_event(post, number, "in_transit", T0, **hostile)  # no order has the number yet
    order_number = f"#H{index}A"
    _shopify_order(post, index * 10 + 1, order_number, payload, tracking=("Sandbox Express", number))
    send_sandbox_event(post, number, None, T0 + timedelta(hours=1), raw_status=f"{payload} (raw)")
    return PlantedOrder(order_number, (payload, orphan, f"{payload} (raw)"), number, "sandbox")


def _bring_tracked_woo_order(post: Post, index: int, payload: str) -> PlantedOrder:
    number = f"70438101{index:03d}"
    order_number = str(5000 + index * 10 + 2)
    _woo_order(post, order_number, payload, custom_provider="Bring", tracking_number=number)
    event = {
        "status": payload,
        "id": str(uuid.uuid4()),
        "shipment": number,
        "created": (T0 + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "pushed": (T0 + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
    }
    headers = {"Content-Type": "application/json", "X-Perfile-Secret": BRING_SECRET}
    _accepted(post("/webhooks/couriers/bring", json.dumps(event).encode(), headers))
    return PlantedOrder(order_number, (payload, bring_description(payload)), number, "bring")


def _unknown_courier_shopify_order(post: Post, index: int, payload: str) -> PlantedOrder:
    order_number = f"#H{index}C"
    _shopify_order(post, index * 10 + 3, order_number, f"Courier text {index}", tracking=(payload, payload))
    number = normalize_tracking_number(payload)
    return PlantedOrder(order_number, (payload, number), number, None)


def _unknown_courier_woo_order(post: Post, index: int, payload: str) -> PlantedOrder:
    order_number = str(5000 + index * 10 + 4)
    number = normalize_tracking_number(payload + "D")
    _woo_order(post, order_number, f"Provider text {index}", provider=payload, tracking_number=payload + "D")
    return PlantedOrder(order_number, (payload, number), number, None)


def _shopify_order(
    post: Post, serial: int, order_number: str, text: str | dict[str, str], *, tracking: tuple[str, str]
) -> None:
    """`text` goes into every name and address field, or per field when it is a dict."""
    company, number = tracking
    fields = text if isinstance(text, dict) else dict.fromkeys(("name", "address1", "address2", "city"), text)
    payload = {
        "id": 9_100_000_000 + serial,
        "name": order_number,
        "email": "customer@example.com",
        "created_at": "2026-03-09T14:12:07+01:00",
        "updated_at": "2026-03-09T14:12:09+01:00",
        "shipping_address": {**fields, "country_code": "SE"},
        "fulfillments": [
            {"id": serial, "status": "success", "tracking_company": company, "tracking_numbers": [number]}
        ],
    }
    body = json.dumps(payload).encode()
    headers = shopify_headers(SHOPIFY_SECRET, SHOP_DOMAIN, body, webhook_id=f"hostile-{serial}")
    _accepted(post("/webhooks/shopify", body, headers))


def _woo_order(
    post: Post, order_number: str, text: str, *, tracking_number: str, provider: str = "", custom_provider: str = ""
) -> None:
    item = {"tracking_provider": provider, "custom_tracking_provider": custom_provider}
    payload = {
        "id": int(order_number),
        "number": order_number,
        "date_created_gmt": "2026-03-09T13:20:41",
        "date_modified_gmt": "2026-03-09T13:21:06",
        "billing": {"email": "customer@example.org"},
        "shipping": {"first_name": text, "address_1": text, "address_2": text, "city": text, "country": "NO"},
        "meta_data": [
            {
                "id": 1,
                "key": "_wc_shipment_tracking_items",
                "value": [{**item, "tracking_number": tracking_number, "date_shipped": "1762214400"}],
            }
        ],
    }
    body = json.dumps(payload).replace("/", "\\/").encode()  # PHP escapes slashes
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Signature": hmac_sha256_base64(WOO_SECRET.encode(), body),
    }
    _accepted(post(f"/webhooks/woocommerce/{WOO_STORE}", body, headers))
