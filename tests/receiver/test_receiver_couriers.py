"""Courier events: Bring Event Cast and our unified Standard Webhooks event."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from perfile_core.couriers.sandbox.adapter import tracking_number_for
from perfile_core.db.tables import tracking_events, webhook_inbox
from tests.receiver.helpers import (
    BRING_SECRET,
    DHL_SECRET,
    POSTNORD_SECRET,
    SANDBOX_SECRET,
    bring_sample,
    counts,
    order_row,
    order_with_tracking,
    unified_event,
)

# Numbers typed for an order must be in the courier's format: the sandbox books SSCCs.
SBX_RAW1 = tracking_number_for("RAW1")
SBX_ORDERED1 = tracking_number_for("ORDERED1")
SBX_SHUFFLED1 = tracking_number_for("SHUFFLED1")
SBX_EARLY1 = tracking_number_for("EARLY1")

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
STATE_COLUMNS = (
    "order_status",
    "main_status",
    "exception_reason",
    "shipped_at",
    "delivered_at",
    "latest_event_at",
    "latest_event_status",
    "estimated_delivery",
)


def test_bring_event_cast_sample_moves_the_consignment(client, configured: Engine) -> None:
    order_with_tracking(configured, "70438101268018539", "bring")
    body = json.dumps(bring_sample()).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Perfile-Secret": BRING_SECRET,
        "X-Bring-Application": "eventcast",
        "X-bring-Correlation": "c-1",
    }
    response = client.post("/webhooks/couriers/bring", data=body, headers=headers)
    assert response.json == {"status": "accepted"}, response.json
    order = order_row(configured, tracking_number="70438101268018539")
    assert order["order_status"] == "ready_for_pickup"
    assert order["courier_metadata"]["bring_package_number"] == "370438101268058536"
    with configured.connect() as conn:
        event = conn.execute(select(tracking_events)).mappings().one()
    assert (event["raw_code"], event["normalized_status"]) == ("READY_FOR_PICKUP", "ready_for_pickup")
    again = client.post("/webhooks/couriers/bring", data=body, headers=headers)
    assert again.json == {"status": "duplicate"}


def test_bring_event_for_an_order_holding_the_package_number(client, configured: Engine) -> None:
    order_with_tracking(configured, "370438101268058536", "bring")
    headers = {"X-Perfile-Secret": BRING_SECRET}
    response = client.post("/webhooks/couriers/bring", data=json.dumps(bring_sample()).encode(), headers=headers)
    assert response.json == {"status": "accepted"}
    assert order_row(configured, tracking_number="370438101268058536")["order_status"] == "ready_for_pickup"


def test_unified_event_contract_example(client, configured: Engine) -> None:
    order_with_tracking(configured, "00370712345678901238", "postnord")
    body, headers = unified_event(
        POSTNORD_SECRET,
        "postnord",
        "00370712345678901238",
        "out_for_delivery",
        T0,
        raw_status="EN_ROUTE",
        description="The shipment is loaded for delivery",
        location={"city": "Solna", "country_code": "SE"},
        estimated_delivery="2026-03-11",
    )
    response = client.post("/webhooks/couriers/postnord", data=body, headers=headers)
    assert response.json == {"status": "accepted"}, response.json
    order = order_row(configured, tracking_number="00370712345678901238")
    assert order["order_status"] == "out_for_delivery"  # explicit status wins over raw EN_ROUTE
    assert order["latest_event_location"] == "Solna, SE"
    assert str(order["estimated_delivery"]) == "2026-03-11"


@pytest.mark.parametrize("courier", ["sandbox", "bring"])
def test_a_pushed_event_is_kept_once_byte_exact_in_the_inbox(client, configured: Engine, courier: str) -> None:
    """The delivery's bytes live in webhook_inbox under courier:event_id; the event row does
    not carry a second copy of the payload."""
    if courier == "bring":
        order_with_tracking(configured, "70438101268018539", "bring")
        body = json.dumps(bring_sample(), indent=1).encode()  # odd whitespace must survive as sent
        headers = {"X-Perfile-Secret": BRING_SECRET}
    else:
        order_with_tracking(configured, SBX_RAW1, "sandbox")
        body, headers = unified_event(SANDBOX_SECRET, "sandbox", SBX_RAW1, "in_transit", T0)
    assert client.post(f"/webhooks/couriers/{courier}", data=body, headers=headers).json == {"status": "accepted"}
    with configured.connect() as conn:
        event = conn.execute(select(tracking_events)).one()
        inbox = conn.execute(
            select(webhook_inbox.c.body).where(webhook_inbox.c.dedupe_key == f"{courier}:{event.event_id}")
        ).one()
    assert event.raw_payload is None
    assert bytes(inbox.body) == body


SEQUENCE = [
    ("confirmed", 0, {}),
    ("picked_up", 1, {}),
    ("in_transit", 5, {}),
    ("exception", 9, {"exception_reason": "delayed"}),
    ("in_transit", 20, {}),
    (None, 21, {"raw_status": "notification_sent", "description": "SMS sent"}),
    ("out_for_delivery", 30, {}),
    ("exception", 31, {"exception_reason": "failed_attempt"}),
    ("out_for_delivery", 50, {}),
    ("delivered", 52, {}),
    ("in_transit", 60, {}),  # a late scan after delivery never reverts it
]


def _deliveries(number: str) -> list[tuple[bytes, dict[str, str]]]:
    return [
        unified_event(
            SANDBOX_SECRET,
            "sandbox",
            number,
            status,
            T0 + timedelta(hours=hours),
            event_id=f"evt-{number}-{index}",
            **extra,
        )
        for index, (status, hours, extra) in enumerate(SEQUENCE)
    ]


def _state(db: Engine, number: str) -> tuple:  # type: ignore[type-arg]
    row = order_row(db, tracking_number=number)
    return tuple(row[column] for column in STATE_COLUMNS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_and_duplicated_sequences_end_in_the_ordered_state(client, configured: Engine, seed: int) -> None:
    order_with_tracking(configured, SBX_ORDERED1, "sandbox")
    order_with_tracking(configured, SBX_SHUFFLED1, "sandbox")
    for body, headers in _deliveries(SBX_ORDERED1):
        assert client.post("/webhooks/couriers/sandbox", data=body, headers=headers).status_code == 200
    shuffled = _deliveries(SBX_SHUFFLED1)
    shuffled += random.Random(seed).sample(shuffled, 5)
    random.Random(seed).shuffle(shuffled)
    results = [client.post("/webhooks/couriers/sandbox", data=b, headers=h).json["status"] for b, h in shuffled]
    assert results.count("duplicate") == 5
    ordered = _state(configured, SBX_ORDERED1)
    assert ordered[:2] == ("delivered", "delivered")
    assert _state(configured, SBX_SHUFFLED1) == ordered


def test_event_before_its_order_is_applied_when_the_order_gets_the_number(client, configured: Engine) -> None:
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", SBX_EARLY1, "in_transit", T0)
    assert client.post("/webhooks/couriers/sandbox", data=body, headers=headers).json == {"status": "accepted"}
    order_id = order_with_tracking(configured, SBX_EARLY1, "sandbox")
    assert order_row(configured, id=order_id)["order_status"] == "in_transit"


def test_event_before_its_webshop_order_is_applied_when_the_order_arrives(client, configured: Engine) -> None:
    from tests.receiver.helpers import load_sample

    body, headers = unified_event(DHL_SECRET, "dhl", "JVGL0612345678900123", "picked_up", T0)
    # The webshop says DHL: DHL's event, kept until the order has the number, then applied.
    assert client.post("/webhooks/couriers/dhl", data=body, headers=headers).json == {"status": "accepted"}
    sample = load_sample("shopify_orders_create_with_tracking")
    client.post("/webhooks/shopify", data=sample.body, headers=sample.headers)
    assert order_row(configured, external_id="6201234567890")["order_status"] == "picked_up"


def test_unknown_event_type_is_ignored_but_stored(client, configured: Engine) -> None:
    from tests.receiver.helpers import sign_unified

    body = json.dumps({"type": "shipment.label_created", "data": {}})
    before = counts(configured)
    response = client.post("/webhooks/couriers/sandbox", data=body, headers=sign_unified(SANDBOX_SECRET, body))
    assert response.json == {"status": "ignored"}
    after = counts(configured)
    assert after["webhook_inbox"] == before["webhook_inbox"] + 1
    assert after["tracking_events"] == before["tracking_events"]
