"""Shopify and WooCommerce deliveries: the contract samples with their real headers."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from perfile_core.couriers.formats.signatures import hmac_sha256_base64
from perfile_core.services import admin
from tests.actors import ADMIN
from tests.receiver.helpers import (
    SHOPIFY_SECRET,
    WOO_SECRET,
    WOO_STORE,
    counts,
    load_sample,
    order_row,
)


def test_shopify_order_without_tracking_becomes_a_pending_order(client, configured: Engine) -> None:
    sample = load_sample("shopify_orders_create_no_tracking")
    response = client.post("/webhooks/shopify", data=sample.body, headers=sample.headers)
    assert response.status_code == 200, response.json
    assert response.json == {"status": "accepted"}
    order = order_row(configured, external_id="6201234567891")
    assert order["order_number"] == "#1043"
    assert order["order_status"] == "pending"
    assert order["customer_name"] == "Anneke Müller"
    assert order["customer_email"] == "anneke.muller@example.com"
    assert (order["address_line1"], order["address_line2"]) == ("Prinsengracht 263", "3-hoog")
    assert (order["postal_code"], order["city"], order["country_code"]) == ("1016 GV", "Amsterdam", "NL")
    assert order["weight_grams"] == 2180
    assert order["tracking_number"] is None


def test_shopify_order_with_tracking_is_trackable_at_once(client, configured: Engine) -> None:
    sample = load_sample("shopify_orders_create_with_tracking")
    response = client.post("/webhooks/shopify", data=sample.body, headers=sample.headers)
    assert response.json == {"status": "accepted"}
    order = order_row(configured, external_id="6201234567890")
    assert order["tracking_number"] == "JVGL0612345678900123"
    assert order["courier"] == "dhl"  # "DHL Express" mapped to our code
    assert order["order_status"] == "confirmed"


def test_same_delivery_twice_changes_nothing(client, configured: Engine) -> None:
    sample = load_sample("shopify_orders_create_with_tracking")
    client.post("/webhooks/shopify", data=sample.body, headers=sample.headers)
    before = counts(configured)
    cursor = order_row(configured, external_id="6201234567890")["change_cursor"]
    again = client.post("/webhooks/shopify", data=sample.body, headers=sample.headers)
    assert again.status_code == 200
    assert again.json == {"status": "duplicate"}
    assert counts(configured) == before
    assert order_row(configured, external_id="6201234567890")["change_cursor"] == cursor


def test_shopify_previous_secret_still_verifies_after_rotation(client, configured: Engine) -> None:
    admin.rotate_store_secret(configured, "demo-shopify", "shpss_new_secret_after_rotation", actor=ADMIN)
    sample = load_sample("shopify_orders_create_no_tracking")  # signed with the old secret
    assert client.post("/webhooks/shopify", data=sample.body, headers=sample.headers).json == {"status": "accepted"}


def _shopify(client, payload: dict, *, topic: str, webhook_id: str):  # type: ignore[no-untyped-def]
    body = json.dumps(payload).encode()
    headers = {
        **load_sample("shopify_orders_create_no_tracking").headers,
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Hmac-Sha256": hmac_sha256_base64(SHOPIFY_SECRET.encode(), body),
    }
    return client.post("/webhooks/shopify", data=body, headers=headers)


def test_later_update_attaches_tracking_and_older_payload_never_wins(client, configured: Engine) -> None:
    sample = load_sample("shopify_orders_create_no_tracking")
    client.post("/webhooks/shopify", data=sample.body, headers=sample.headers)
    payload = json.loads(sample.body)
    newer = {
        **payload,
        "updated_at": "2025-11-04T09:00:00+01:00",
        "fulfillments": [
            {
                "id": 1,
                "status": "success",
                "tracking_company": "PostNord",
                "tracking_numbers": ["00370712345678901234"],
            }
        ],
        "shipping_address": {**payload["shipping_address"], "city": "Haarlem"},
    }
    assert _shopify(client, newer, topic="orders/updated", webhook_id="upd-2").json == {"status": "accepted"}
    older = {
        **payload,
        "updated_at": "2025-11-03T15:00:00+01:00",
        "shipping_address": payload["shipping_address"],
    }
    assert _shopify(client, older, topic="orders/updated", webhook_id="upd-1").json == {"status": "ignored"}
    order = order_row(configured, external_id="6201234567891")
    assert order["city"] == "Haarlem"
    assert (order["tracking_number"], order["courier"], order["order_status"]) == (
        "00370712345678901234",
        "postnord",
        "confirmed",
    )


def test_fulfillment_topic_attaches_tracking_unknown_courier_kept_as_text(client, configured: Engine) -> None:
    sample = load_sample("shopify_orders_create_no_tracking")
    client.post("/webhooks/shopify", data=sample.body, headers=sample.headers)
    fulfillment = {
        "id": 5301234567891,
        "order_id": 6201234567891,
        "status": "success",
        "tracking_company": "Snail Couriers AB",
        "tracking_number": "SN123456789",
        "updated_at": "2025-11-03T15:00:00+01:00",
    }
    response = _shopify(client, fulfillment, topic="fulfillments/create", webhook_id="ful-1")
    assert response.json == {"status": "accepted"}
    order = order_row(configured, external_id="6201234567891")
    assert (order["tracking_number"], order["courier"], order["courier_name"]) == (
        "SN123456789",
        None,
        "Snail Couriers AB",
    )


def test_unknown_topic_with_valid_signature_is_ignored_but_stored(client, configured: Engine) -> None:
    before = counts(configured)
    response = _shopify(client, {"id": 1}, topic="products/update", webhook_id="prod-1")
    assert response.json == {"status": "ignored"}
    after = counts(configured)
    assert after["webhook_inbox"] == before["webhook_inbox"] + 1
    assert after["orders"] == before["orders"]


def test_woocommerce_order_created(client, configured: Engine) -> None:
    sample = load_sample("woocommerce_order_created")
    response = client.post(f"/webhooks/woocommerce/{WOO_STORE}", data=sample.body, headers=sample.headers)
    assert response.json == {"status": "accepted"}, response.json
    order = order_row(configured, external_id="4821")
    assert order["customer_name"] == "Joëlle de Vries"
    assert order["order_number"] == "4821"
    assert (order["address_line1"], order["address_line2"], order["city"]) == (
        "Oudegracht 118",
        "bis",
        "Utrecht",
    )
    assert order["customer_email"] == "joelle.devries@example.org"
    assert order["customer_phone"] == "+31 6 5555 0123"
    assert order["order_status"] == "pending"
    again = client.post(f"/webhooks/woocommerce/{WOO_STORE}", data=sample.body, headers=sample.headers)
    assert again.json == {"status": "duplicate"}


def test_woocommerce_update_with_shipment_tracking_meta_attaches_tracking(client, configured: Engine) -> None:
    sample = load_sample("woocommerce_order_created")
    client.post(f"/webhooks/woocommerce/{WOO_STORE}", data=sample.body, headers=sample.headers)
    payload = json.loads(sample.body)
    payload["date_modified_gmt"] = "2025-11-04T08:00:00"
    payload["meta_data"].append(
        {
            "id": 88300,
            "key": "_wc_shipment_tracking_items",
            "value": [
                {
                    "tracking_provider": "",
                    "custom_tracking_provider": "Bring",
                    "tracking_number": "70438101268018539",
                    "date_shipped": "1762214400",
                }
            ],
        }
    )
    body = json.dumps(payload).replace("/", "\\/").encode()  # PHP escapes slashes
    headers = {
        **sample.headers,
        "X-WC-Webhook-Topic": "order.updated",
        "X-WC-Webhook-Signature": hmac_sha256_base64(WOO_SECRET.encode(), body),
    }
    response = client.post(f"/webhooks/woocommerce/{WOO_STORE}", data=body, headers=headers)
    assert response.json == {"status": "accepted"}
    order = order_row(configured, external_id="4821")
    assert (order["tracking_number"], order["courier"], order["order_status"]) == (
        "70438101268018539",
        "bring",
        "confirmed",
    )


def test_woocommerce_ping_gets_exactly_200_and_stores_nothing(client, configured: Engine) -> None:
    sample = load_sample("woocommerce_ping")
    before = counts(configured)
    response = client.post(f"/webhooks/woocommerce/{WOO_STORE}", data=sample.body, headers=sample.headers)
    assert response.status_code == 200
    assert counts(configured) == before
