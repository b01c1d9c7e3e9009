"""The receiver with secrets encrypted at rest: signatures verify end to end, a rotated-out secret
verifies only within its window, and no secret reaches the logs or the inbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, text

from perfile_core.clock import utcnow
from perfile_core.config import load_settings
from perfile_core.couriers.formats.signatures import hmac_sha256_base64
from perfile_core.db.secret_box import new_key
from perfile_core.db.tables import stores, webhook_inbox
from perfile_core.services import admin
from receiver import create_app
from tests.actors import ADMIN
from tests.receiver.helpers import (
    BRING_SECRET,
    SANDBOX_SECRET,
    SHOPIFY_SECRET,
    WOO_SECRET,
    WOO_STORE,
    bring_sample,
    load_sample,
    order_with_tracking,
    typed_number,
    unified_event,
)

NEW_WOO_SECRET = "wc-rotated-secret-Zq81"


@pytest.fixture
def uncached(configured: Engine, db_url: str) -> Iterator[FlaskClient]:
    """A receiver that re-reads secrets for every delivery, so a row changed by the test shows at once."""
    app: Flask = create_app({"DATABASE_URL": db_url, "TESTING": True, "SECRET_CACHE_SECONDS": 0})
    yield app.test_client()
    app.extensions["perfile"].perfile.close()


def _woo(client: FlaskClient, secret: str, order_id: int):  # type: ignore[no-untyped-def]
    sample = load_sample("woocommerce_order_created")
    payload = {**json.loads(sample.body), "id": order_id}
    body = json.dumps(payload).encode()
    headers = {**sample.headers, "X-WC-Webhook-Signature": hmac_sha256_base64(secret.encode(), body)}
    headers.pop("X-WC-Webhook-Delivery-ID", None)
    return client.post(f"/webhooks/woocommerce/{WOO_STORE}", data=body, headers=headers)


def test_stored_encrypted_and_every_source_still_verifies(client: FlaskClient, configured: Engine):
    with configured.connect() as conn:
        raw = repr(conn.execute(text("SELECT webhook_secret FROM stores UNION ALL "
                                     "SELECT webhook_secret FROM courier_accounts")).all())  # fmt: skip
    for secret in (SHOPIFY_SECRET, WOO_SECRET, BRING_SECRET, SANDBOX_SECRET):
        assert secret not in raw
    shopify = load_sample("shopify_orders_create_no_tracking")
    assert client.post("/webhooks/shopify", data=shopify.body, headers=shopify.headers).json == {"status": "accepted"}
    assert _woo(client, WOO_SECRET, 9101).json == {"status": "accepted"}
    number = typed_number("sandbox", "secrets-e2e")
    order_with_tracking(configured, number, "sandbox")
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", number, "in_transit", utcnow() - timedelta(minutes=1))
    assert client.post("/webhooks/couriers/sandbox", data=body, headers=headers).json == {"status": "accepted"}
    forged = _woo(client, "wc-not-the-secret", 9102)
    assert forged.status_code == 401


def test_the_rotated_out_secret_verifies_within_the_window_then_is_refused_and_dropped(
    uncached: FlaskClient, configured: Engine
):
    admin.rotate_store_secret(configured, WOO_STORE, NEW_WOO_SECRET, actor=ADMIN)
    assert _woo(uncached, WOO_SECRET, 9201).json == {"status": "accepted"}  # the previous one, just rotated
    assert _woo(uncached, NEW_WOO_SECRET, 9202).json == {"status": "accepted"}
    with configured.begin() as conn:  # 24 hours and a minute pass
        conn.execute(
            stores.update()
            .where(stores.c.key == WOO_STORE)
            .values(webhook_secret_rotated_at=utcnow() - timedelta(hours=24, minutes=1))
        )
    refused = _woo(uncached, WOO_SECRET, 9203)
    assert refused.status_code == 401 and refused.json["error"] == "invalid_signature"
    assert _woo(uncached, NEW_WOO_SECRET, 9204).json == {"status": "accepted"}
    with configured.connect() as conn:
        previous = conn.execute(select(stores.c.webhook_secret_previous).where(stores.c.key == WOO_STORE)).scalar()
    assert previous is None


def test_a_key_that_cannot_read_the_secrets_answers_503_so_the_sender_retries(configured: Engine, db_url: str):
    """A receiver started with another PERFILE_SECRET_KEY: nothing is stored, nothing lost."""
    settings = load_settings(database_url=db_url, secret_key=new_key())
    app = create_app({"SETTINGS": settings, "TESTING": True})
    try:
        response = _woo(app.test_client(), WOO_SECRET, 9401)
    finally:
        app.extensions["perfile"].perfile.close()
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json["error"] == "secret_key_unusable"
    with configured.connect() as conn:
        assert conn.execute(select(webhook_inbox.c.id)).first() is None


def test_no_secret_reaches_the_logs_or_the_inbox(
    client: FlaskClient, configured: Engine, capfd: pytest.CaptureFixture[str]
):
    order_with_tracking(configured, "70438101268018539", "bring")
    headers = {"Content-Type": "application/json", "X-Perfile-Secret": BRING_SECRET, "X-Bring-Application": "e"}
    body = json.dumps(bring_sample()).encode()
    assert client.post("/webhooks/couriers/bring", data=body, headers=headers).json == {"status": "accepted"}
    wrong = client.post("/webhooks/couriers/bring", data=body, headers={**headers, "X-Perfile-Secret": "guess"})
    assert wrong.status_code == 401
    assert _woo(client, WOO_SECRET, 9301).status_code == 200
    assert _woo(client, "wc-wrong", 9302).status_code == 401
    logged = capfd.readouterr()
    assert '"msg": "webhook delivery"' in logged.err  # the delivery lines were captured
    with configured.connect() as conn:
        stored = repr(conn.execute(select(webhook_inbox.c.headers, webhook_inbox.c.detail)).all())
    for secret in (BRING_SECRET, WOO_SECRET, SHOPIFY_SECRET):
        assert secret not in logged.out + logged.err
        assert secret not in stored
