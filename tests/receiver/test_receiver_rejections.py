"""Bad input gets the contract's answer and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from perfile_core.couriers.formats.signatures import hmac_sha256_base64
from tests.receiver.helpers import (
    BRING_SECRET,
    SANDBOX_SECRET,
    SHOPIFY_SECRET,
    WOO_STORE,
    bring_sample,
    counts,
    load_sample,
    sign_unified,
    unified_event,
)

NOW = datetime.now(UTC)


def _rejected(client, db: Engine, url: str, body: bytes, headers: dict, status: int, code: str) -> dict:  # type: ignore[type-arg]
    before = counts(db)
    response = client.post(url, data=body, headers=headers)
    assert response.status_code == status, response.json
    assert response.json["error"] == code, response.json
    assert response.json["request_id"]
    assert counts(db) == before
    return response.json


def _shopify_signed(body: bytes, **extra: str) -> dict[str, str]:
    sample = load_sample("shopify_orders_create_no_tracking")
    return {
        **sample.headers,
        "X-Shopify-Hmac-Sha256": hmac_sha256_base64(SHOPIFY_SECRET.encode(), body),
        **extra,
    }


def test_missing_and_wrong_shopify_signatures(client, configured: Engine) -> None:
    sample = load_sample("shopify_orders_create_no_tracking")
    missing = {k: v for k, v in sample.headers.items() if k != "X-Shopify-Hmac-Sha256"}
    _rejected(client, configured, "/webhooks/shopify", sample.body, missing, 401, "missing_signature")
    wrong = {**sample.headers, "X-Shopify-Hmac-Sha256": hmac_sha256_base64(b"not-the-secret", sample.body)}
    body = _rejected(client, configured, "/webhooks/shopify", sample.body, wrong, 401, "invalid_signature")
    assert SHOPIFY_SECRET not in json.dumps(body)


def test_tampered_and_reserialized_bodies_fail_verification(client, configured: Engine) -> None:
    sample = load_sample("shopify_orders_create_no_tracking")
    tampered = sample.body.replace(b"Prinsengracht 263", b"Prinsengracht 999")
    _rejected(client, configured, "/webhooks/shopify", tampered, sample.headers, 401, "invalid_signature")
    reserialized = json.dumps(json.loads(sample.body)).encode()
    _rejected(client, configured, "/webhooks/shopify", reserialized, sample.headers, 401, "invalid_signature")
    woo = load_sample("woocommerce_order_created")
    reserialized = json.dumps(json.loads(woo.body), ensure_ascii=False).encode()  # PHP's \u00eb undone
    url = f"/webhooks/woocommerce/{WOO_STORE}"
    _rejected(client, configured, url, reserialized, woo.headers, 401, "invalid_signature")


def test_unknown_store(client, configured: Engine) -> None:
    sample = load_sample("shopify_orders_create_no_tracking")
    headers = {**sample.headers, "X-Shopify-Shop-Domain": "someone-else.myshopify.com"}
    _rejected(client, configured, "/webhooks/shopify", sample.body, headers, 401, "unknown_source")
    woo = load_sample("woocommerce_order_created")
    _rejected(client, configured, "/webhooks/woocommerce/nope", woo.body, woo.headers, 401, "unknown_source")
    # A store without a webhook secret cannot be verified either.
    _rejected(client, configured, "/webhooks/woocommerce/manual-store", woo.body, woo.headers, 401, "unknown_source")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2, 3]", "must be a JSON object"),
        (b"{}", "id"),
        (b'{"id": "abc"}', "id"),
        (b'{"id": 1, "total_weight": "heavy"}', "total_weight"),
        (b'{"id": 1, "shipping_address": []}', "shipping_address"),
        (b'{"id": 1, "updated_at": "yesterday"}', "updated_at"),
        (b'{"id": 1, "fulfillments": [{"tracking_numbers": [42]}]}', "fulfillments.0.tracking_numbers.0"),
    ],
)
def test_malformed_shopify_bodies_name_the_problem(client, configured: Engine, body: bytes, field: str) -> None:
    answer = _rejected(client, configured, "/webhooks/shopify", body, _shopify_signed(body), 400, "invalid_payload")
    assert field in answer["detail"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"courier": "sandbox", "status": "in_transit", "occurred_at": "2026-03-10T08:00:00Z"},
            "data.tracking_number",
        ),
        (
            {"tracking_number": 5, "status": "in_transit", "occurred_at": "2026-03-10T08:00:00Z"},
            "data.tracking_number",
        ),
        (
            {"tracking_number": "SBX1", "status": "teleported", "occurred_at": "2026-03-10T08:00:00Z"},
            "data.status",
        ),
        ({"tracking_number": "SBX1", "status": "in_transit"}, "data.occurred_at"),
        (
            {"tracking_number": "SBX1", "status": "in_transit", "occurred_at": "2026-03-10T08:00:00"},
            "data.occurred_at",
        ),
        (
            {
                "courier": "dhl",
                "tracking_number": "SBX1",
                "status": "in_transit",
                "occurred_at": "2026-03-10T08:00:00Z",
            },
            "data.courier",
        ),
    ],
)
def test_schema_violations_in_unified_events(client, configured: Engine, data: dict, field: str) -> None:  # type: ignore[type-arg]
    body = json.dumps({"type": "shipment.status_updated", "data": data})
    headers = sign_unified(SANDBOX_SECRET, body)
    answer = _rejected(client, configured, "/webhooks/couriers/sandbox", body.encode(), headers, 400, "invalid_payload")
    assert field in answer["detail"]


def test_standard_webhooks_rejections(client, configured: Engine) -> None:
    url = "/webhooks/couriers/sandbox"
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", "SBX1", "in_transit", NOW)
    # Relative to the clock at this moment: a module-level NOW drifts while the suite runs.
    now = datetime.now(UTC)
    stale = {**sign_unified(SANDBOX_SECRET, body.decode(), sent_at=now - timedelta(minutes=6))}
    _rejected(client, configured, url, body, stale, 401, "stale_timestamp")
    future = {**sign_unified(SANDBOX_SECRET, body.decode(), sent_at=now + timedelta(minutes=6))}
    _rejected(client, configured, url, body, future, 401, "stale_timestamp")
    _rejected(client, configured, url, body, {"webhook-id": "x"}, 401, "missing_signature")
    wrong = {
        **headers,
        "webhook-signature": sign_unified(
            "whsec_" + "QUFBQUFBQUFBQUFBQUFBQQ==", body.decode(), event_id=headers["webhook-id"]
        )["webhook-signature"],
    }
    _rejected(client, configured, url, body, wrong, 401, "invalid_signature")
    _rejected(client, configured, url, body + b" ", headers, 401, "invalid_signature")
    # Several signatures (rotation on the sender's side): one valid one is enough.
    several = {**headers, "webhook-signature": f"v1,AAAA {headers['webhook-signature']}"}
    assert client.post(url, data=body, headers=several).json == {"status": "accepted"}


def test_unknown_courier_and_unconfigured_courier(client, configured: Engine) -> None:
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", "SBX1", "in_transit", NOW)
    _rejected(client, configured, "/webhooks/couriers/acme", body, headers, 404, "unknown_courier")
    _rejected(client, configured, "/webhooks/couriers/dhl", body, headers, 401, "unknown_source")  # no secret set


def test_bring_secret_header(client, configured: Engine) -> None:
    body = json.dumps(bring_sample()).encode()
    url = "/webhooks/couriers/bring"
    _rejected(client, configured, url, body, {}, 401, "missing_signature")
    _rejected(client, configured, url, body, {"X-Perfile-Secret": BRING_SECRET + "x"}, 401, "invalid_signature")
    broken = json.dumps({**bring_sample(), "created": 17}).encode()
    _rejected(client, configured, url, broken, {"X-Perfile-Secret": BRING_SECRET}, 400, "invalid_payload")


@pytest.mark.parametrize(
    "url",
    [
        "/webhooks/shopify",
        f"/webhooks/woocommerce/{WOO_STORE}",
        "/webhooks/woocommerce/no-such-store",
        "/webhooks/couriers/sandbox",
        "/webhooks/couriers/bring",
        "/webhooks/couriers/no-such-courier",
    ],
)
def test_huge_body_is_413_before_anything_else(client, configured: Engine, url: str) -> None:
    """Unsigned and addressed anywhere: a signature, store or courier check first would answer 401/404."""
    body = b'{"id": 1, "pad": "' + b"x" * (1024 * 1024) + b'"}'
    _rejected(client, configured, url, body, {"Content-Type": "application/json"}, 413, "payload_too_large")


def test_health_endpoints(client) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ready"}
    assert client.get("/nope").status_code == 404
    assert client.get("/webhooks/shopify").json["error"] == "method_not_allowed"


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
KEYS = [
    "id",
    "order_id",
    "name",
    "updated_at",
    "total_weight",
    "shipping_address",
    "fulfillments",
    "email",
    "type",
    "data",
    "tracking_number",
    "status",
    "occurred_at",
    "meta_data",
    "billing",
    "shipping",
]
BODIES = st.one_of(
    st.binary(max_size=200),
    JSONISH.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.sampled_from(KEYS), JSONISH, max_size=8).map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.sampled_from(KEYS), JSONISH, max_size=6).map(
        lambda value: json.dumps({"type": "shipment.status_updated", "data": value}).encode()
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, target=st.sampled_from(["shopify", "woocommerce", "sandbox"]))
def test_random_signed_bodies_never_5xx_and_never_write_partially(
    client, configured: Engine, body: bytes, target: str
) -> None:
    if target == "shopify":
        url, headers = (
            "/webhooks/shopify",
            _shopify_signed(body, **{"X-Shopify-Webhook-Id": f"h-{hash(body)}"}),
        )
    elif target == "woocommerce":
        woo = load_sample("woocommerce_order_created")
        url = f"/webhooks/woocommerce/{WOO_STORE}"
        headers = {
            **woo.headers,
            "X-WC-Webhook-Signature": hmac_sha256_base64(b"wc-demo-secret-7Qx2LmP9vT4k", body),
        }
    else:
        url, headers = "/webhooks/couriers/sandbox", sign_unified(SANDBOX_SECRET, body.decode("latin-1"))
        body = body.decode("latin-1").encode()
    before = counts(configured)
    response = client.post(url, data=body, headers=headers)
    after = counts(configured)
    assert response.status_code < 500, response.json
    if response.status_code != 200:
        assert after == before
    else:
        assert response.json["status"] in ("accepted", "duplicate", "ignored")
        assert after["webhook_inbox"] in (before["webhook_inbox"], before["webhook_inbox"] + 1)
