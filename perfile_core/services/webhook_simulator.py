"""Realistic signed deliveries for a running receiver (`python -m perfile_core simulate`).

New webshop orders (Shopify with and without tracking, WooCommerce created and later updated
with Shipment Tracking meta) and sandbox courier events that move those shipments along their
journey (couriers.sandbox.simulator: the occasional delay and failed delivery attempt).
Everything is signed exactly as the real senders sign it (contract section 1-2).

Parcels are paced like real ones, in simulated time: a shipped order's story (order placed,
booked hours later, scans hours and days apart) keeps its real spacing, replayed `pace` times
faster and placed in the past so that no scan is dated after the moment it is sent. Its order
is therefore dated a few days back, and delivery times, on-time rates and ages on screen look
like real parcels' instead of seconds apart.
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
STORE_NAMES = {SHOPIFY_STORE: "Simulated Shopify shop", WOO_STORE: "Simulated WooCommerce shop"}
# Where the simulated shops' parcels are picked up: without one, their orders cannot be booked.
PICKUP_ADDRESSES = {
    SHOPIFY_STORE: {
        "name": STORE_NAMES[SHOPIFY_STORE],
        "line1": "Sveavägen 44",
        "postal_code": "11134",
        "city": "Stockholm",
        "country_code": "SE",
    },
    WOO_STORE: {
        "name": STORE_NAMES[WOO_STORE],
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


PACE = 3600.0  # simulated seconds per real second: one hour of a parcel's life per second
STORY_START = timedelta(days=3)  # how far back a story is first placed to measure its length


@dataclass
class Shipment:
    number: str
    steps: list[Step]
    eta: date
    booked_at: datetime  # simulated time
    started: datetime  # real time the story began to be sent
    order_created_at: datetime  # simulated time
    sent: int = 0

    def due(self, now: datetime, pace: float) -> bool:
        """The next scan is due when its paced moment has come and it is not dated in the future."""
        step = self.steps[self.sent]
        paced = self.started + (self.booked_at - self.order_created_at + step.after) / pace
        return now >= paced and now >= self.booked_at + step.after


@dataclass
class Simulation:
    secrets: Secrets
    rng: random.Random = field(default_factory=random.Random)
    pace: float = PACE
    in_flight: list[Shipment] = field(default_factory=list)
    awaiting_tracking: list[tuple[dict, Shipment]] = field(default_factory=list)  # type: ignore[type-arg]
    counter: int = 0

    def tick(self, now: datetime | None = None) -> list[Outgoing]:
        """One moment of traffic (real time `now`): maybe a new order, tracking for an older one
        when its booking is due, and the scans that are due."""
        now = now or utcnow()
        out: list[Outgoing] = []
        roll = self.rng.random()
        if roll < 0.25:
            out.append(self._shopify_order(now, with_tracking=self.rng.random() < 0.5))
        elif roll < 0.4:
            out.append(self._woo_created(now))
        for payload, shipment in [item for item in self.awaiting_tracking if self._booking_due(item[1], now)]:
            self.awaiting_tracking.remove((payload, shipment))
            out.append(self._woo_tracking(payload, shipment))
        for shipment in self.in_flight:
            if shipment.due(now, self.pace):
                out.append(self._event(shipment))
        self.in_flight = [s for s in self.in_flight if s.sent < len(s.steps)]
        return out

    def _booking_due(self, shipment: Shipment, now: datetime) -> bool:
        return now >= shipment.started + (shipment.booked_at - shipment.order_created_at) / self.pace

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

    def _plan(self, reference: str, postal: str, now: datetime) -> Shipment:
        """A shipment's story in simulated time, placed so that its last scan is dated no later
        than the moment the pace sends it (earlier scans are then in the past too)."""
        number = tracking_number_for(reference)
        service = self.rng.choice(["home", "home", "service_point", "locker"])
        booking_delay = timedelta(hours=self.rng.uniform(1, 8))

        def story(booked: datetime) -> tuple[list[Step], date]:
            eta = (booked + timedelta(days=2)).date()
            return journey(number, service, booked, eta, postal), eta

        # A journey's length depends on the calendar (weekends, delivery hours): place it, measure
        # again, and keep the longest length seen, so the last scan is not dated in the future.
        length = timedelta(0)
        steps, eta = story(now - STORY_START)
        for _ in range(3):
            length = max(length, booking_delay + steps[-1].after)
            created = now + length / self.pace - length
            steps, eta = story(created + booking_delay)
        return Shipment(number, steps, eta, created + booking_delay, now, created)

    def _shopify_order(self, now: datetime, *, with_tracking: bool) -> Outgoing:
        self.counter += 1
        order_id = 7_000_000_000_000 + self.rng.randrange(10**9)
        c, created = self._customer(), _iso(now)
        fulfillments = []
        if with_tracking:
            shipment = self._plan(f"shopify-{order_id}", c["postal"], now)
            self.in_flight.append(shipment)
            number, created = shipment.number, _iso(shipment.order_created_at)
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
            "created_at": created,
            "updated_at": created,
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

    def _woo_created(self, now: datetime) -> Outgoing:
        self.counter += 1
        order_id = self.rng.randint(10_000, 99_999_999)
        c = self._customer()
        shipment = self._plan(f"woo-{order_id}", c["postal"], now)
        payload = {
            "id": order_id,
            "number": str(order_id),
            "status": "processing",
            "date_created_gmt": _gmt(shipment.order_created_at),
            "date_modified_gmt": _gmt(shipment.order_created_at),
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
        self.awaiting_tracking.append((payload, shipment))
        return self._woo("order.created", payload, f"woocommerce order.created {order_id}")

    def _woo_tracking(self, payload: dict, shipment: Shipment) -> Outgoing:  # type: ignore[type-arg]
        self.in_flight.append(shipment)
        number = shipment.number
        later = {**payload, "date_modified_gmt": _gmt(shipment.booked_at), "status": "completed"}
        later["meta_data"] = [
            {
                "id": 1,
                "key": "_wc_shipment_tracking_items",
                "value": [
                    {
                        "tracking_provider": "",
                        "custom_tracking_provider": "Sandbox Express",
                        "tracking_number": number,
                        "date_shipped": str(int(shipment.booked_at.timestamp())),
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
        body = event_body(shipment.number, step, shipment.booked_at + step.after, shipment.eta)
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
            name=STORE_NAMES[SHOPIFY_STORE],
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
            name=STORE_NAMES[WOO_STORE],
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
