"""Hostile webhook bodies for the receiver tests: a valid body per format (Shopify, WooCommerce,
Bring Event Cast, our unified event), every field in it, hostile values to put there, and the
signed request that sends the result.

Some hostile JSON cannot come out of json.dumps (1e400, 100,000 nested brackets): a `Raw`
fragment is written into the body as it is.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from perfile_core.couriers.formats.signatures import hmac_sha256_base64
from tests.receiver.helpers import (
    BRING_SECRET,
    SANDBOX_SECRET,
    SHOP_DOMAIN,
    SHOPIFY_SECRET,
    WOO_SECRET,
    WOO_STORE,
    sign_unified,
    typed_number,
)

TARGETS = ("shopify", "woocommerce", "bring", "unified")
# Orders the courier events are for, created by the tests before sending them.
BRING_NUMBER = "70438101268018539"
UNIFIED_NUMBER = typed_number("sandbox", "HOSTILE-UNIFIED")
_serial = itertools.count(int(time.time() * 1000) % 10**12)

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Raw:
    """A JSON fragment written into the body verbatim."""

    text: str


UNSTORABLE = ("\x00", "\udc80", "\ud800", "\udfff")  # NUL and lone surrogates
# Fields where unstorable text may be refused (ids, numbers we match on, timestamps, enums);
# anywhere else it must be replaced with U+FFFD and the delivery applied.
STRICT_FIELDS: dict[str, set[Path]] = {
    "shopify": {
        ("id",),
        ("created_at",),
        ("updated_at",),
        ("fulfillments", 0, "tracking_number"),
        ("fulfillments", 0, "tracking_numbers", 0),
    },
    "woocommerce": {
        ("id",),
        ("date_created_gmt",),
        ("date_modified_gmt",),
        ("meta_data", 0, "value", 0, "tracking_number"),
    },
    "bring": {("id",), ("shipment",), ("package",), ("created",)},
    "unified": {
        ("type",),
        ("data", "courier"),
        ("data", "tracking_number"),
        ("data", "status"),
        ("data", "exception_reason"),
        ("data", "occurred_at"),
        ("data", "estimated_delivery"),
    },
}


def base_body(target: str) -> dict[str, Any]:
    """A valid delivery of `target` with fresh ids, so each call is a new delivery."""
    serial = next(_serial)
    if target == "shopify":
        return _shopify(serial)
    if target == "woocommerce":
        return _woocommerce(serial)
    if target == "bring":
        return {
            "status": "IN_TRANSIT",
            "id": f"bring-evt-{serial}",
            "shipment": BRING_NUMBER,
            "package": "370438101268058536",
            "created": "2026-03-12T07:58:48+0000",
            "pushed": "2026-03-12T07:58:49+0000",
        }
    return {
        "type": "shipment.status_updated",
        "timestamp": "2026-03-12T08:00:00Z",
        "data": {
            "courier": "sandbox",
            "tracking_number": UNIFIED_NUMBER,
            "status": "in_transit",
            "exception_reason": None,
            "occurred_at": "2026-03-12T08:00:00Z",
            "raw_status": "EN_ROUTE",
            "description": "Sorted at the terminal",
            "location": {"city": "Solna", "country_code": "SE"},
            "estimated_delivery": "2026-03-14",
        },
    }


def _address(first: str, last: str) -> dict[str, Any]:
    return {
        "first_name": first,
        "last_name": last,
        "name": f"{first} {last}",
        "company": None,
        "address1": "Prinsengracht 263",
        "address2": "3-hoog",
        "city": "Amsterdam",
        "zip": "1016 GV",
        "country_code": "NL",
        "phone": "+31 20 555 0142",
        "latitude": 52.3752,
        "longitude": 4.884,
    }


def _shopify(serial: int) -> dict[str, Any]:
    return {
        "id": 6_200_000_000_000 + serial,
        "name": f"#{serial}",
        "email": "anneke@example.nl",
        "phone": "+31 20 555 0142",
        "note": "Ring twice",
        "created_at": "2026-03-10T09:00:00+01:00",
        "updated_at": "2026-03-10T09:05:00+01:00",
        "total_weight": 1250,
        "total_price": "24.50",
        "customer": {"first_name": "Anneke", "last_name": "Müller", "email": "anneke@example.nl"},
        "shipping_address": _address("Anneke", "Müller"),
        "billing_address": _address("Joost", "Müller"),
        "fulfillments": [
            {
                "status": "success",
                "tracking_company": "Acme Parcel",
                "tracking_number": f"ACME{serial}",
                "tracking_numbers": [f"ACME{serial}"],
                "tracking_url": f"https://acme.example/t/ACME{serial}",
                "tracking_urls": [f"https://acme.example/t/ACME{serial}"],
            }
        ],
        "line_items": [{"title": "Koffie", "quantity": 2, "price": "12.25", "grams": 625}],
    }


def _woocommerce(serial: int) -> dict[str, Any]:
    address = {
        "first_name": "Joëlle",
        "last_name": "de Vries",
        "company": "",
        "address_1": "Oudegracht 118",
        "address_2": "bis",
        "city": "Utrecht",
        "state": "",
        "postcode": "3511 AX",
        "country": "NL",
        "phone": "+31 6 5555 0123",
    }
    return {
        "id": 700_000 + serial,
        "number": str(serial),
        "status": "processing",
        "date_created_gmt": "2026-03-10T08:00:00",
        "date_modified_gmt": "2026-03-10T08:05:00",
        "customer_note": "Bij de buren afgeven",
        "billing": {**address, "email": "joelle@example.org"},
        "shipping": address,
        "meta_data": [
            {
                "id": 88_212,
                "key": "_wc_shipment_tracking_items",
                "value": [
                    {
                        "tracking_provider": "Acme Parcel",
                        "custom_tracking_provider": "",
                        "tracking_number": f"WOO{serial}",
                        "date_shipped": "1741600000",
                    }
                ],
            }
        ],
        "total": "24.50",
    }


def paths(body: Any, prefix: Path = ()) -> list[Path]:
    """Every field of the body, objects and arrays included (the root excluded)."""
    found: list[Path] = []
    children = body.items() if isinstance(body, dict) else enumerate(body) if isinstance(body, list) else ()
    for key, value in children:
        found.append((*prefix, key))
        found.extend(paths(value, (*prefix, key)))
    return found


def replaced(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A copy of the body with the field at `path` set to `value`."""
    result = copy.deepcopy(body)
    node: Any = result
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return result


def value_at(body: Any, path: Path) -> Any:
    for key in path:
        body = body[key]
    return body


def encode(body: dict[str, Any]) -> bytes:
    """JSON as a sender writes it (ASCII, so surrogates and NUL become \\u escapes), Raw verbatim."""
    fragments: list[str] = []

    def raw(value: Any) -> str:
        if not isinstance(value, Raw):
            raise TypeError(type(value).__name__)
        fragments.append(value.text)
        return f"@raw{len(fragments) - 1}@"

    text = json.dumps(body, default=raw, separators=(",", ":"))
    for index, fragment in enumerate(fragments):
        text = text.replace(f'"@raw{index}@"', fragment)
    return text.encode()


def signed(target: str, body: bytes) -> tuple[str, dict[str, str]]:
    """The URL and the correctly signed headers for sending `body` as `target`."""
    if target == "shopify":
        return "/webhooks/shopify", {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": SHOP_DOMAIN,
            "X-Shopify-Webhook-Id": f"hook-{next(_serial)}",
            "X-Shopify-Hmac-Sha256": hmac_sha256_base64(SHOPIFY_SECRET.encode(), body),
        }
    if target == "woocommerce":
        return f"/webhooks/woocommerce/{WOO_STORE}", {
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": "order.created",
            "X-WC-Webhook-Signature": hmac_sha256_base64(WOO_SECRET.encode(), body),
        }
    if target == "bring":
        return "/webhooks/couriers/bring", {"Content-Type": "application/json", "X-Perfile-Secret": BRING_SECRET}
    return "/webhooks/couriers/sandbox", sign_unified(SANDBOX_SECRET, body.decode())
