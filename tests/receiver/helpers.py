"""Helpers for receiver tests: the contract's sample deliveries with their real headers and
secrets, signed courier events, row counts."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from standardwebhooks.webhooks import Webhook

from perfile_core.couriers.sandbox.adapter import tracking_number_for
from perfile_core.db.tables import orders, tracking_events, webhook_inbox
from perfile_core.domain.tracking_numbers import make_s10
from perfile_core.services import admin
from perfile_core.services.orders import attach_tracking, create_order
from tests.actors import ADMIN, person
from tests.fixtures import CONTRACTS

SHOP_DOMAIN = "demo-delivery-shop.myshopify.com"
SHOPIFY_SECRET = "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"
WOO_STORE = "demo-woo"
WOO_SECRET = "wc-demo-secret-7Qx2LmP9vT4k"
BRING_SECRET = "bring-eventcast-shared-3b9f"
SANDBOX_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
POSTNORD_SECRET = "whsec_c2VjcmV0LXBvc3Rub3JkLXRlc3Qta2V5LTEyMw=="
DHL_SECRET = "whsec_ZGhsLXRlc3Qtc2VjcmV0LWtleS0wMDAx"


def configure_sources(db: Engine) -> None:
    """Stores and courier accounts as an operator sets them up with the CLI (`stores add ...
    --webhook-secret-stdin`, `couriers configure CODE --webhook-secret-stdin`): secrets stored encrypted
    with the session's PERFILE_SECRET_KEY (tests/conftest.py), which servers the tests start inherit."""
    admin.add_store(
        db,
        key="demo-shopify",
        name="Demo Koffie",
        platform="shopify",
        shop_domain=SHOP_DOMAIN,
        webhook_secret=SHOPIFY_SECRET,
        actor=ADMIN,
    )
    admin.add_store(db, key=WOO_STORE, name="Demo Woo", platform="woocommerce", webhook_secret=WOO_SECRET, actor=ADMIN)
    admin.add_store(db, key="manual-store", name="Manual", platform="manual", actor=ADMIN)
    admin.configure_courier(db, "bring", webhook_secret=BRING_SECRET, actor=ADMIN)
    admin.configure_courier(db, "sandbox", webhook_secret=SANDBOX_SECRET, actor=ADMIN)
    admin.configure_courier(db, "postnord", webhook_secret=POSTNORD_SECRET, actor=ADMIN)
    admin.configure_courier(db, "dhl", webhook_secret=DHL_SECRET, actor=ADMIN)


def configure_shopify_and_sandbox(db: Engine) -> None:
    """The smallest setup the PostgreSQL receiver tests share: a manual and a Shopify store, the sandbox courier
    (secrets encrypted, as configure_sources)."""
    admin.add_store(db, key="manual-store", name="Manual", platform="manual", actor=ADMIN)
    admin.add_store(
        db,
        key="demo-shopify",
        name="Demo",
        platform="shopify",
        shop_domain=SHOP_DOMAIN,
        webhook_secret=SHOPIFY_SECRET,
        actor=ADMIN,
    )
    admin.configure_courier(db, "sandbox", webhook_secret=SANDBOX_SECRET, actor=ADMIN)


@dataclass(frozen=True)
class Sample:
    body: bytes
    headers: dict[str, str]
    secret: str | None


def load_sample(name: str) -> Sample:
    headers_file = CONTRACTS / "webshops" / f"{name}.headers.json"
    raw = json.loads(headers_file.read_text())
    body_file = next(path for path in (CONTRACTS / "webshops").glob(f"{name}.*") if path != headers_file)
    headers = {key: value for key, value in raw.items() if not key.startswith("_")}
    return Sample(body_file.read_bytes(), headers, raw.get("_secret"))


def bring_sample() -> dict[str, Any]:
    data = json.loads((CONTRACTS / "couriers" / "bring_eventcast_webhook_callback.json").read_text())
    return {key: value for key, value in data.items() if not key.startswith("_")}


def counts(db: Engine) -> dict[str, int]:
    with db.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (orders, tracking_events, webhook_inbox)
        }


# The orders columns a tracking event may change (both writers must agree on all of them).
EVENT_COLUMNS = (
    "order_status",
    "main_status",
    "main_status_at",
    "exception_reason",
    "exception_at",
    "shipped_at",
    "delivered_at",
    "latest_event_at",
    "latest_event_description",
    "latest_event_location",
    "latest_event_status",
    "estimated_delivery",
    "courier_metadata",
)


def typed_number(courier: str, tag: str) -> str:
    """A tracking number in `courier`'s format, the same for the same tag: numbers typed for an order
    are format-checked. The sandbox books SSCCs; PostNord, Bring and DHL all print UPU S10 numbers."""
    if courier == "sandbox":
        return tracking_number_for(tag)
    serial = int.from_bytes(hashlib.sha256(tag.encode()).digest()[:4], "big") % 10**8
    return make_s10("TE", serial, "SE")


def order_with_tracking(db: Engine, number: str, courier: str) -> int:
    """A manual order with a tracking number of `courier` attached (status confirmed)."""
    order = create_order(db, {"store_key": "manual-store", "customer_name": "Kari Nordmann"}, actor=ADMIN)
    attach_tracking(db, order.id, number, courier, actor=person("test"))
    return order.id


def stored_events(db: Engine, number: str) -> list[tuple[str, str | None, int | None]]:
    """(courier, normalized status, order id) of the events stored for a tracking number, in arrival order."""
    with db.connect() as conn:
        rows = conn.execute(
            select(tracking_events.c.courier, tracking_events.c.normalized_status, tracking_events.c.order_id)
            .where(tracking_events.c.tracking_number == number)
            .order_by(tracking_events.c.id)
        ).all()
    return [(courier, status, order_id) for courier, status, order_id in rows]


def order_row(db: Engine, **where: Any) -> Any:
    with db.connect() as conn:
        query = select(orders)
        for key, value in where.items():
            query = query.where(orders.c[key] == value)
        return conn.execute(query).mappings().one()


def unified_event(
    secret: str,
    courier: str,
    tracking_number: str,
    status: str | None,
    occurred_at: datetime,
    *,
    event_id: str | None = None,
    sent_at: datetime | None = None,
    **data: Any,
) -> tuple[bytes, dict[str, str]]:
    """A unified courier event signed by the reference `standardwebhooks` implementation."""
    payload = {
        "type": "shipment.status_updated",
        "timestamp": (sent_at or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
        "data": {
            "courier": courier,
            "tracking_number": tracking_number,
            "status": status,
            "occurred_at": occurred_at.isoformat().replace("+00:00", "Z"),
            **data,
        },
    }
    body = json.dumps(payload, separators=(",", ":"))
    return body.encode(), sign_unified(secret, body, event_id=event_id, sent_at=sent_at)


def sign_unified(
    secret: str, body: str, *, event_id: str | None = None, sent_at: datetime | None = None
) -> dict[str, str]:
    event_id = event_id or f"evt_{uuid.uuid4().hex}"
    sent_at = sent_at or datetime.now(UTC)
    return {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, sent_at, body),
    }
