"""Realistic signed deliveries for a running receiver (`python -m perfile_core simulate`).

New webshop orders (Shopify with and without tracking, WooCommerce created and later updated
with Shipment Tracking meta) and sandbox courier events that move those shipments along their
journey (couriers.sandbox.simulator: the occasional delay and failed delivery attempt).
Everything is signed exactly as the real senders sign it (contract section 1-2).
"""

from __future__ import annotations

import base64
import json
import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from perfile_core.clock import utcnow
from perfile_core.couriers.formats import standard_webhooks
from perfile_core.couriers.formats.signatures import hmac_sha256_base64
from perfile_core.couriers.sandbox.adapter import tracking_number_for
from perfile_core.couriers.sandbox.simulator import Step, event_body, event_id, journey
from perfile_core.domain.access import Actor
from perfile_core.services import admin

SHOP_DOMAIN = "perfile-sim.myshopify.com"
SHOPIFY_STORE, WOO_STORE = "sim-shopify", "sim-woo"
# Where the simulated shops' parcels are picked up: without one, their orders cannot be booked.
PICKUP_ADDRESSES = {
    SHOPIFY_STORE: {
        "name": "Simulated Shopify shop",
        "line1": "Sveavägen 44",
        "postal_code": "11134",
        "city": "Stockholm",
        "country_code": "SE",
    },
    WOO_STORE: {
        "name": "Simulated WooCommerce shop",
        "line1": "Kungsgatan 8",
        "postal_code": "41119",
        "city": "Göteborg",
        "country_code": "SE",
    },
}
FIRST = ["Anna", "Erik", "Sofia", "Lars", "Maja", "Oskar", "Ingrid", "Nils", "Freja", "Mikkel", "Aino", "Jonas"]
LAST = ["Lindqvist", "Berg", "Nielsen", "Hansen", "Virtanen", "Johansson", "Dahl", "Eriksen", "Korhonen"]
STREETS = ["Storgatan", "Kungsgatan", "Drottninggatan", "Vestergade", "Karl Johans gate", "Mannerheimintie"]
PLACES = [("11122", "Stockholm"), ("21119", "Malmö"), ("41103", "Göteborg"), ("75310", "Uppsala"), ("90326", "Umeå")]


@dataclass(frozen=True)
class Secrets:
    shopify: str
    woocommerce: str
    sandbox: str


@dataclass(frozen=True)
class Outgoing:
    label: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Shipment:
    number: str
    steps: list[Step]
    eta: date
    sent: int = 0


@dataclass
class Simulation:
    secrets: Secrets
    rng: random.Random = field(default_factory=random.Random)
    in_flight: list[Shipment] = field(default_factory=list)
    awaiting_tracking: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    counter: int = 0

    def tick(self) -> list[Outgoing]:
        """One moment of traffic: maybe a new order, maybe tracking for an older one, and events."""
        out: list[Outgoing] = []
        roll = self.rng.random()
        if roll < 0.25:
            out.append(self._shopify_order(with_tracking=self.rng.random() < 0.5))
        elif roll < 0.4:
            out.append(self._woo_created())
        if self.awaiting_tracking and self.rng.random() < 0.3:
            out.append(self._woo_tracking(self.awaiting_tracking.pop(0)))
        for shipment in self.rng.sample(self.in_flight, min(len(self.in_flight), 2)):
            out.append(self._event(shipment))
        self.in_flight = [s for s in self.in_flight if s.sent < len(s.steps)]
        return out

    # -- webshops --------------------------------------------------------------------------

    def _customer(self) -> dict:  # type: ignore[type-arg]
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        postal, city = self.rng.choice(PLACES)
        return {
            "first": first,
            "last": last,
            "email": f"{first}.{last}@example.com".lower(),
            "street": f"{self.rng.choice(STREETS)} {self.rng.randint(1, 80)}",
            "postal": postal,
            "city": city,
        }

    def _ship(self, reference: str, postal: str) -> str:
        number = tracking_number_for(reference)
        booked = utcnow()
        eta = (booked + timedelta(days=2)).date()
        service = self.rng.choice(["home", "home", "service_point", "locker"])
        self.in_flight.append(Shipment(number, journey(number, service, booked, eta, postal), eta))
        return number

    def _shopify_order(self, *, with_tracking: bool) -> Outgoing:
        self.counter += 1
        order_id = 7_000_000_000_000 + self.rng.randrange(10**9)
        c, now = self._customer(), _iso(utcnow())
        fulfillments = []
        if with_tracking:
            number = self._ship(f"shopify-{order_id}", c["postal"])
            fulfillments.append(
                {
                    "id": order_id + 1,
                    "order_id": order_id,
                    "status": "success",
                    "tracking_company": "Sandbox Express",
                    "tracking_number": number,
                    "tracking_numbers": [number],
                    "shipment_status": "confirmed",
                }
            )
        address = {
            "first_name": c["first"],
            "last_name": c["last"],
            "name": f"{c['first']} {c['last']}",
            "address1": c["street"],
            "zip": c["postal"],
            "city": c["city"],
            "country_code": "SE",
        }
        payload = {
            "id": order_id,
            "name": f"#SIM{order_id % 100000:05d}",
            "email": c["email"],
            "created_at": now,
            "updated_at": now,
            "total_weight": self.rng.randint(200, 9000),
            "shipping_address": address,
            "fulfillments": fulfillments,
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": SHOP_DOMAIN,
            "X-Shopify-API-Version": "2025-07",
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Hmac-Sha256": hmac_sha256_base64(self.secrets.shopify.encode(), body),
        }
        label = f"shopify orders/create {payload['name']}" + (" with tracking" if with_tracking else "")
        return Outgoing(label, "/webhooks/shopify", headers, body)

    def _woo_created(self) -> Outgoing:
        self.counter += 1
        order_id = self.rng.randint(10_000, 99_999_999)
        c, now = self._customer(), utcnow()
        payload = {
            "id": order_id,
            "number": str(order_id),
            "status": "processing",
            "date_created_gmt": _gmt(now),
            "date_modified_gmt": _gmt(now),
            "billing": {"first_name": c["first"], "last_name": c["last"], "email": c["email"], "country": "SE"},
            "shipping": {
                "first_name": c["first"],
                "last_name": c["last"],
                "address_1": c["street"],
                "postcode": c["postal"],
                "city": c["city"],
                "country": "SE",
            },
            "meta_data": [],
        }
        self.awaiting_tracking.append(payload)
        return self._woo("order.created", payload, f"woocommerce order.created {order_id}")

    def _woo_tracking(self, payload: dict) -> Outgoing:  # type: ignore[type-arg]
        number = self._ship(f"woo-{payload['id']}", payload["shipping"]["postcode"])
        later = {**payload, "date_modified_gmt": _gmt(utcnow()), "status": "completed"}
        later["meta_data"] = [
            {
                "id": 1,
                "key": "_wc_shipment_tracking_items",
                "value": [
                    {
                        "tracking_provider": "",
                        "custom_tracking_provider": "Sandbox Express",
                        "tracking_number": number,
                        "date_shipped": str(int(utcnow().timestamp())),
                    }
                ],
            }
        ]
        return self._woo("order.updated", later, f"woocommerce order.updated {payload['id']} + tracking")

    def _woo(self, topic: str, payload: dict, label: str) -> Outgoing:  # type: ignore[type-arg]
        body = json.dumps(payload).replace("/", "\\/").encode()  # PHP's json_encode escapes slashes
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "WooCommerce/9.8.5 Hookshot (Perfile simulator)",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": "order",
            "X-WC-Webhook-Delivery-ID": uuid.uuid4().hex,
            "X-WC-Webhook-Signature": hmac_sha256_base64(self.secrets.woocommerce.encode(), body),
        }
        return Outgoing(label, f"/webhooks/woocommerce/{WOO_STORE}", headers, body)

    # -- courier ---------------------------------------------------------------------------

    def _event(self, shipment: Shipment) -> Outgoing:
        step = shipment.steps[shipment.sent]
        webhook_id = event_id(shipment.number, shipment.sent)
        shipment.sent += 1
        body = event_body(shipment.number, step, utcnow(), shipment.eta)
        stamp = int(utcnow().timestamp())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": standard_webhooks.sign(self.secrets.sandbox, webhook_id, stamp, body),
        }
        what = f"{step.status}:{step.reason}" if step.reason else step.status
        return Outgoing(f"sandbox {shipment.number} {what}", "/webhooks/couriers/sandbox", headers, body)


def ensure_sources(db: Engine, *, actor: Actor) -> Secrets:
    """The simulated stores and the sandbox courier secret, created on first use (by `actor`, an admin)."""
    existing = {store.key for store in admin.list_stores(db)}
    if SHOPIFY_STORE not in existing:
        admin.add_store(
            db,
            key=SHOPIFY_STORE,
            name="Simulated Shopify shop",
            platform="shopify",
            shop_domain=SHOP_DOMAIN,
            webhook_secret=f"shpss_{secrets.token_hex(16)}",
            pickup_address=PICKUP_ADDRESSES[SHOPIFY_STORE],
            actor=actor,
        )
    if WOO_STORE not in existing:
        admin.add_store(
            db,
            key=WOO_STORE,
            name="Simulated WooCommerce shop",
            platform="woocommerce",
            webhook_secret=f"wc-{secrets.token_urlsafe(18)}",
            pickup_address=PICKUP_ADDRESSES[WOO_STORE],
            actor=actor,
        )
    with db.connect() as conn:
        account = admin.courier_account_in(conn, "sandbox")
    sandbox = account.webhook_secret if account else None
    if not sandbox or not sandbox.startswith("whsec_"):
        sandbox = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        admin.configure_courier(db, "sandbox", webhook_secret=sandbox, actor=actor)
    shopify = admin.store_webhook_secrets(db, SHOPIFY_STORE)[0]
    return Secrets(shopify, admin.store_webhook_secrets(db, WOO_STORE)[0], sandbox)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
