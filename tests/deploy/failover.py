"""A webhook sender as the real ones behave (Shopify, a courier's Standard Webhooks sender): each
delivery is posted until it is acknowledged (200), the same id and signature again after a
connection error, a timeout or a 5xx. It counts what the failover test reports."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests

from perfile_core.couriers.sandbox.adapter import tracking_number_for
from tests.receiver.helpers import SANDBOX_SECRET, SHOP_DOMAIN, SHOPIFY_SECRET, unified_event
from tests.receiver.webshop_deliveries import shopify_headers

# A parcel's journey: the last two statuses each queue one customer e-mail (the default
# PERFILE_NOTIFY_ON_STATUSES), so an event applied twice would show as a second e-mail.
JOURNEY = ("picked_up", "in_transit", "out_for_delivery", "delivered")
E_MAILS = ("status:out_for_delivery", "status:delivered")


@dataclass(frozen=True)
class Delivery:
    key: str  # the receiver's inbox dedupe key
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Tally:
    """What the senders saw; `lock` guards every field."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: int = 0
    acknowledged: list[str] = field(default_factory=list)  # inbox keys, in acknowledgement order
    retried: int = 0  # attempts that got no acknowledgement and were sent again
    duplicates: int = 0  # acknowledged as "duplicate": an earlier attempt was applied, its answer lost
    failures_after_kill: int = 0
    killed_at: float | None = None
    first_ack_after_kill: float | None = None
    last_failure_after_kill: float | None = None


def order_journey(index: int, run: str) -> list[Delivery]:
    """A Shopify order with a sandbox tracking number, then its courier's four events."""
    order_id = 8_000_000_000_000 + index
    number = tracking_number_for(f"failover-{run}-{index}")
    payload = {
        "id": order_id,
        "name": f"#FO{index:04d}",
        "email": f"customer{index}@example.com",
        "created_at": "2026-11-01T10:00:00+00:00",
        "updated_at": "2026-11-01T10:00:00+00:00",
        "shipping_address": {"name": "Kari Nordmann", "zip": "11122", "city": "Stockholm", "country_code": "SE"},
        "fulfillments": [{"tracking_company": "Sandbox Express", "tracking_number": number}],
    }
    body = json.dumps(payload).encode()
    webhook_id = str(uuid.uuid4())
    deliveries = [
        Delivery(
            f"{SHOP_DOMAIN}:{webhook_id}",
            "/webhooks/shopify",
            shopify_headers(SHOPIFY_SECRET, SHOP_DOMAIN, body, webhook_id=webhook_id),
            body,
        )
    ]
    start = datetime.now(UTC) - timedelta(hours=len(JOURNEY))
    for step, status in enumerate(JOURNEY):
        event_id = f"evt_failover_{run}_{index}_{step}"
        body, headers = unified_event(
            SANDBOX_SECRET, "sandbox", number, status, start + timedelta(hours=step), event_id=event_id
        )
        deliveries.append(Delivery(f"sandbox:{event_id}", "/webhooks/couriers/sandbox", headers, body))
    return deliveries


def send_all(base: str, deliveries: Sequence[Delivery], tally: Tally, *, retry_pause: float = 0.05) -> None:
    """Post each delivery in turn until it is acknowledged; a sender thread's whole life."""
    with requests.Session() as session:
        for delivery in deliveries:
            while True:
                acknowledged, duplicate = _attempt(session, base, delivery)
                now = time.monotonic()
                with tally.lock:
                    tally.attempts += 1
                    after_kill = tally.killed_at is not None
                    if acknowledged:
                        tally.acknowledged.append(delivery.key)
                        tally.duplicates += duplicate
                        if after_kill and tally.first_ack_after_kill is None:
                            tally.first_ack_after_kill = now
                    else:
                        tally.retried += 1
                        if after_kill:
                            tally.failures_after_kill += 1
                            tally.last_failure_after_kill = now
                if acknowledged:
                    break
                time.sleep(retry_pause)


def _attempt(session: requests.Session, base: str, delivery: Delivery) -> tuple[bool, bool]:
    try:
        response = session.post(base + delivery.path, data=delivery.body, headers=delivery.headers, timeout=10)
    except requests.RequestException:
        return False, False
    if response.status_code == 200:
        return True, response.json().get("status") == "duplicate"
    if response.status_code >= 500:
        return False, False
    raise AssertionError(f"{delivery.key}: {response.status_code} {response.text}")  # a real refusal: a test bug
