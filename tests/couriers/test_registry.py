"""The registry: one lookup by code, built from courier accounts; pushes verified via formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from perfile_core.bootstrap import Perfile
from perfile_core.config import Settings
from perfile_core.couriers.registry import build_registry
from perfile_core.domain.errors import NotFound, SignatureError
from perfile_core.domain.status import Status
from perfile_core.services import admin
from tests.actors import ADMIN

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_registry_is_built_from_courier_accounts(db):
    admin.configure_courier(
        db,
        "postnord",
        api_key="k",
        base_url="http://127.0.0.1:9",
        settings={"rates": [{"service": "17", "price": "79"}]},
        actor=ADMIN,
    )
    admin.configure_courier(db, "dhl", api_key="d", actor=ADMIN)
    app = Perfile(settings=Settings(courier_timeout_seconds=3, courier_retries=0), db=db)

    registry = app.couriers

    assert registry.codes() == ["dhl", "postnord", "sandbox"]
    postnord = registry.get("postnord")
    assert postnord.client.settings.base_url == "http://127.0.0.1:9" and postnord.client.http.timeout == 3
    assert registry.get("dhl").capabilities() == ["track", "parse_webhook"]
    with pytest.raises(NotFound, match="'Bring' is not configured for booking"):
        registry.get("bring")
    assert [a.code for a in registry.with_capability("book")] == ["postnord", "sandbox"]


def test_pushed_unified_event_is_verified_and_parsed(db):
    admin.configure_courier(db, "sandbox", webhook_secret=SECRET, actor=ADMIN)
    with db.connect() as conn:
        account = admin.courier_account_in(conn, "sandbox")
    sandbox = build_registry([account], Settings()).get("sandbox")
    body = json.dumps(
        {
            "type": "shipment.status_updated",
            "timestamp": "2026-03-11T08:00:00Z",
            "data": {
                "courier": "sandbox",
                "tracking_number": "373599900000000017",
                "status": "out_for_delivery",
                "occurred_at": "2026-03-11T07:58:00Z",
            },
        }
    ).encode()
    sent_at = datetime.now(UTC)
    headers = {  # signed by the reference implementation, not by our own signer
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(SECRET).sign("msg_1", sent_at, body.decode()),
    }

    (event,) = sandbox.parse_webhook(headers, body, now=datetime.now(UTC))

    assert (event.event_id, event.status, event.tracking_number) == (
        "msg_1",
        Status.OUT_FOR_DELIVERY,
        "373599900000000017",
    )
    with pytest.raises(SignatureError):
        sandbox.parse_webhook({**headers, "webhook-signature": "v1,AAAA"}, body, now=datetime.now(UTC))
