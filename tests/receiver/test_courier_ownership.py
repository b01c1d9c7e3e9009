"""Couriers move only their own shipments (issue 11).

A courier's secret proves who sent an event, not whose parcel it is: an event for another
courier's order is stored in the inbox as ignored, with the reason, and changes nothing.
Aggregators report only for the couriers their account speaks for; early events wait for an
order of their own courier; an order of an unknown courier takes the first courier that reports.
Runs on SQLite (generic path) and PostgreSQL (the receiver's one-statement fast path).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from perfile_core.couriers.formats.signatures import hmac_sha256_base64
from perfile_core.db.tables import notifications, webhook_inbox
from perfile_core.services import admin
from perfile_core.services.tracking import apply_stranded_events
from tests.actors import ADMIN
from tests.receiver.helpers import (
    BRING_SECRET,
    POSTNORD_SECRET,
    SANDBOX_SECRET,
    SHOPIFY_SECRET,
    bring_sample,
    load_sample,
    order_row,
    order_with_tracking,
    stored_events,
    typed_number,
    unified_event,
)

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
POSTNORD_NUMBER = "00370712345678901238"
BRING_NUMBER = "70438101268018539"
AGGREGATOR_SECRET = "whsec_YWdncmVnYXRvci10ZXN0LXNlY3JldC0wMDE="
SECRETS = {"sandbox": SANDBOX_SECRET, "postnord": POSTNORD_SECRET, "budbee": AGGREGATOR_SECRET}


def _send(
    client: FlaskClient, sender: str, number: str, status: str, *, courier: str | None = None, minutes: int = 0
) -> dict[str, Any]:
    """A unified event signed with `sender`'s secret at its URL; data.courier is `courier` (default: the sender)."""
    body, headers = unified_event(SECRETS[sender], courier or sender, number, status, T0 + timedelta(minutes=minutes))
    response = client.post(f"/webhooks/couriers/{sender}", data=body, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def _inbox(db: Engine) -> list[tuple[str, str, str | None]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(webhook_inbox.c.source, webhook_inbox.c.result, webhook_inbox.c.detail).order_by(webhook_inbox.c.id)
        ).all()
    return [tuple(row) for row in rows]


def _count(db: Engine, table: Any, *where: Any) -> int:
    with db.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _shopify_order(client: FlaskClient, number: str, courier_text: str) -> None:
    """The contract's Shopify order, its fulfillment carrying `number` of a courier named `courier_text`."""
    sample = load_sample("shopify_orders_create_with_tracking")
    payload = json.loads(sample.body)
    for fulfillment in payload["fulfillments"]:
        fulfillment.update(tracking_company=courier_text, tracking_number=number, tracking_numbers=[number])
    body = json.dumps(payload).encode()
    headers = {**sample.headers, "X-Shopify-Hmac-Sha256": hmac_sha256_base64(SHOPIFY_SECRET.encode(), body)}
    assert client.post("/webhooks/shopify", data=body, headers=headers).json == {"status": "accepted"}


@pytest.mark.parametrize(
    ("data_courier", "reason"),
    [
        ("sandbox", "belongs to another courier's shipment; Sandbox Express events move only Sandbox Express"),
        ("postnord", "Sandbox Express is not configured to report for PostNord"),  # claims to speak for PostNord
    ],
)
def test_a_sandbox_signed_delivered_event_leaves_a_postnord_order_alone(
    client: FlaskClient, configured: Engine, data_courier: str, reason: str
) -> None:
    order_id = order_with_tracking(configured, POSTNORD_NUMBER, "postnord")
    before = dict(order_row(configured, id=order_id))
    assert _send(client, "sandbox", POSTNORD_NUMBER, "delivered", courier=data_courier) == {"status": "ignored"}
    assert dict(order_row(configured, id=order_id)) == before  # change cursor included
    assert _count(configured, notifications) == 0
    assert stored_events(configured, POSTNORD_NUMBER) == []
    ((source, result, detail),) = _inbox(configured)
    assert (source, result) == ("courier:sandbox", "ignored")
    assert detail is not None and reason in detail


def test_the_same_event_from_postnord_delivers_the_order(client: FlaskClient, configured: Engine) -> None:
    order_id = order_with_tracking(configured, POSTNORD_NUMBER, "postnord")
    assert _send(client, "postnord", POSTNORD_NUMBER, "delivered") == {"status": "accepted"}
    assert order_row(configured, id=order_id)["order_status"] == "delivered"
    assert _count(configured, notifications, notifications.c.trigger == "status:delivered") == 1
    assert _inbox(configured) == [("courier:postnord", "accepted", None)]


def test_an_aggregator_moves_only_the_couriers_it_speaks_for(client: FlaskClient, configured: Engine) -> None:
    # What `couriers configure budbee --webhook-secret-stdin --settings '{"speaks_for": ["postnord"]}'` stores.
    admin.configure_courier(
        configured, "budbee", webhook_secret=AGGREGATOR_SECRET, settings={"speaks_for": ["postnord"]}, actor=ADMIN
    )
    postnord_id = order_with_tracking(configured, POSTNORD_NUMBER, "postnord")
    bring_id = order_with_tracking(configured, BRING_NUMBER, "bring")
    bring_before = dict(order_row(configured, id=bring_id))

    assert _send(client, "budbee", POSTNORD_NUMBER, "delivered", courier="postnord") == {"status": "accepted"}
    assert order_row(configured, id=postnord_id)["order_status"] == "delivered"
    assert stored_events(configured, POSTNORD_NUMBER) == [("postnord", "delivered", postnord_id)]

    assert _send(client, "budbee", BRING_NUMBER, "delivered", courier="bring") == {"status": "ignored"}
    assert _send(client, "budbee", BRING_NUMBER, "delivered", minutes=1) == {"status": "ignored"}  # as itself
    assert dict(order_row(configured, id=bring_id)) == bring_before
    assert stored_events(configured, BRING_NUMBER) == []
    results = [(result, detail and detail.split(";")[0]) for _source, result, detail in _inbox(configured)]
    assert results == [
        ("accepted", None),
        ("ignored", "Budbee is not configured to report for Bring (courier account setting 'speaks_for')"),
        ("ignored", "the tracking number belongs to another courier's shipment"),
    ]
    assert _count(configured, notifications) == 1  # the PostNord delivery's e-mail only


def test_an_early_event_waits_for_an_order_of_its_own_courier(client: FlaskClient, configured: Engine) -> None:
    number = typed_number("sandbox", "EARLY0001")  # an SSCC: Bring prints these too
    assert _send(client, "sandbox", number, "in_transit") == {"status": "accepted"}  # no order yet: kept
    bring_id = order_with_tracking(configured, number, "bring")
    assert order_row(configured, id=bring_id)["order_status"] == "confirmed"
    assert apply_stranded_events(configured) == 0  # the poller's safety net leaves it alone too
    assert stored_events(configured, number) == [("sandbox", "in_transit", None)]

    sandbox_id = order_with_tracking(configured, number, "sandbox")
    assert order_row(configured, id=sandbox_id)["order_status"] == "in_transit"
    assert stored_events(configured, number) == [("sandbox", "in_transit", sandbox_id)]
    assert order_row(configured, id=bring_id)["order_status"] == "confirmed"


def test_an_order_of_an_unknown_courier_takes_the_first_courier_that_reports(
    client: FlaskClient, configured: Engine
) -> None:
    number = "HEMLEV0000001"
    _shopify_order(client, number, "Hemleverans Syd")
    order = order_row(configured, tracking_number=number)
    assert (order["courier"], order["courier_name"]) == (None, "Hemleverans Syd")

    assert _send(client, "sandbox", number, "in_transit") == {"status": "accepted"}
    assert (
        order_row(configured, id=order["id"])["courier"],
        order_row(configured, id=order["id"])["order_status"],
    ) == (
        "sandbox",
        "in_transit",
    )
    assert _send(client, "postnord", number, "delivered", minutes=5) == {"status": "ignored"}
    after = order_row(configured, id=order["id"])
    assert (after["courier"], after["order_status"]) == ("sandbox", "in_transit")
    assert _count(configured, notifications) == 0
    assert stored_events(configured, number) == [("sandbox", "in_transit", order["id"])]


def test_waiting_events_of_two_couriers_the_first_claims_an_unknown_courier_order(
    client: FlaskClient, configured: Engine
) -> None:
    number = "HEMLEV0000002"
    assert _send(client, "postnord", number, "picked_up") == {"status": "accepted"}
    assert _send(client, "sandbox", number, "delivered", minutes=5) == {"status": "accepted"}
    _shopify_order(client, number, "Hemleverans Syd")
    order = order_row(configured, tracking_number=number)
    assert (order["courier"], order["order_status"]) == ("postnord", "picked_up")
    assert stored_events(configured, number) == [("postnord", "picked_up", order["id"]), ("sandbox", "delivered", None)]
    assert apply_stranded_events(configured) == 0


def test_bring_event_goes_to_the_bring_order_holding_the_package_number(
    client: FlaskClient, configured: Engine
) -> None:
    """Another courier's order with Bring's consignment number does not decide which number is meant."""
    other_id = order_with_tracking(configured, BRING_NUMBER, "budbee")  # the consignment number, Budbee's
    bring_id = order_with_tracking(configured, "370438101268058536", "bring")  # the package number
    other_before = dict(order_row(configured, id=other_id))
    response = client.post(
        "/webhooks/couriers/bring", data=json.dumps(bring_sample()).encode(), headers={"X-Perfile-Secret": BRING_SECRET}
    )
    assert response.json == {"status": "accepted"}
    assert order_row(configured, id=bring_id)["order_status"] == "ready_for_pickup"
    assert dict(order_row(configured, id=other_id)) == other_before
