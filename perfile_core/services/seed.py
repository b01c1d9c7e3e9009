"""Demo data through the same write paths the product uses (never raw SQL).

Deterministic for a given --seed and anchor time: the same orders, numbers, names,
events and relative timestamps every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, func, select

from perfile_core.clock import utcnow
from perfile_core.couriers.sandbox.adapter import COMPANY_PREFIX as SANDBOX_COMPANY_PREFIX
from perfile_core.db.tables import orders
from perfile_core.domain.access import Actor, system_actor
from perfile_core.domain.courier_mappings import normalize
from perfile_core.domain.tracking_numbers import make_s10, make_sscc
from perfile_core.services import admin
from perfile_core.services.demo_data import (
    COUNTRY_WEIGHTS,
    COURIER_STEPS,
    DEMO_COURIER_SECRETS,
    DEMO_STORES,
    FIRST_NAMES,
    LAST_NAMES,
    PLACES,
    STEP_DESCRIPTIONS,
    TERMINALS,
)
from perfile_core.services.order_input import NewOrder
from perfile_core.services.orders import attach_tracking_in, create_order_in
from perfile_core.services.tracking import TrackingEvent, record_event

# Where demo orders end up, and how often (weights sum to 1).
OUTCOMES = {
    "pending": 0.13,
    "confirmed": 0.10,
    "picked_up": 0.06,
    "in_transit": 0.18,
    "out_for_delivery": 0.06,
    "ready_for_pickup": 0.07,
    "delivered": 0.26,
    "delivered_late": 0.04,
    "exception_delayed": 0.03,
    "exception_failed_attempt": 0.03,
    "returned": 0.02,
    "stale": 0.02,
}
MAIN_STEPS = ["confirmed", "picked_up", "in_transit", "out_for_delivery", "delivered"]
PHONE_PREFIXES = {"SE": "+46 70", "NO": "+47 412", "DK": "+45 21", "FI": "+358 40"}
COURIER_WEIGHTS = {"postnord": 0.4, "bring": 0.25, "dhl": 0.15, "sandbox": 0.2}

SEED = system_actor("seed")


@dataclass(frozen=True)
class SeedReport:
    stores: int
    orders: int
    events: int


def seed_demo(
    db: Engine, *, actor: Actor, orders_count: int = 300, seed: int = 7, anchor: datetime | None = None
) -> SeedReport:
    """Create demo stores, courier accounts and orders with event histories. `actor` (an admin) sets
    up the stores and couriers; the orders are created by the "seed" system source."""
    rng = random.Random(seed)
    now = (anchor or utcnow()).replace(minute=0, second=0, microsecond=0)
    stores_made = _ensure_stores(db, actor)
    _ensure_couriers(db, actor)
    events = 0
    for start in range(0, orders_count, 100):
        with db.begin() as conn:
            for index in range(start, min(start + 100, orders_count)):
                events += _seed_order(conn, rng, index, now)
    return SeedReport(stores=stores_made, orders=orders_count, events=events)


def database_is_empty(db: Engine) -> bool:
    with db.connect() as conn:
        return conn.execute(select(func.count()).select_from(orders)).scalar_one() == 0


def _ensure_stores(db: Engine, actor: Actor) -> int:
    existing = {store.key for store in admin.list_stores(db)}
    made = 0
    for spec in DEMO_STORES:
        if spec["key"] in existing:
            continue
        admin.add_store(
            db,
            key=spec["key"],
            name=spec["name"],
            platform=spec["platform"],
            shop_domain=spec["shop_domain"],
            webhook_secret=spec["webhook_secret"],
            pickup_address=spec["pickup_address"],
            actor=actor,
        )
        made += 1
    return made


def _ensure_couriers(db: Engine, actor: Actor) -> None:
    configured = {account.code for account in admin.list_courier_accounts(db)}
    for code, secret in DEMO_COURIER_SECRETS.items():
        if code not in configured:
            admin.configure_courier(db, code, webhook_secret=secret, actor=actor)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _seed_order(conn: Connection, rng: random.Random, index: int, now: datetime) -> int:
    store = DEMO_STORES[index % len(DEMO_STORES)]
    country = _pick(rng, COUNTRY_WEIGHTS)
    city, postal_code, streets = rng.choice(PLACES[country])
    first, last = rng.choice(FIRST_NAMES[country]), rng.choice(LAST_NAMES[country])
    outcome = _pick(rng, OUTCOMES)
    plan = _plan(outcome, rng)
    booking_delay = rng.uniform(0.5, 6)
    created_at = now - timedelta(hours=booking_delay + plan[-1][1] + _quiet_hours(outcome, rng))
    new = NewOrder(
        store_key=store["key"],
        order_number=f"{store['order_prefix']}{store['first_number'] + index // len(DEMO_STORES)}",
        customer_name=f"{first} {last}",
        customer_email=f"{first}.{last}@example.com".lower()
        .replace("ö", "o")
        .replace("ä", "a")
        .replace("å", "a")
        .replace("ø", "o")
        .replace("æ", "ae"),
        customer_phone=f"{PHONE_PREFIXES[country]} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        address_line1=f"{rng.choice(streets)} {rng.randint(1, 120)}",
        postal_code=postal_code,
        city=city,
        country_code=country,
        weight_grams=rng.choice([250, 500, 800, 1200, 2000, 3500, 5000, 9000]),
        length_cm=rng.choice([20, 30, 40, 60]),
        width_cm=rng.choice([15, 20, 30]),
        height_cm=rng.choice([5, 10, 15, 25]),
        created_at=created_at,
    )
    order_id = create_order_in(conn, new, actor=SEED, now=created_at)
    if outcome == "pending":
        return 0
    courier = _pick(rng, COURIER_WEIGHTS)
    tracking = _tracking_number(courier, index)
    booked_at = created_at + timedelta(hours=booking_delay)
    attach_tracking_in(conn, order_id, tracking, courier, booked_at, service_type="home_delivery")
    transit_days = rng.randint(1, 3)
    eta = (booked_at + timedelta(days=transit_days + 1)).date()
    count = 0
    for step_index, (step, hours) in enumerate(plan):
        at = booked_at + timedelta(hours=hours)
        if at > now:
            break
        raw = COURIER_STEPS[courier].get(step)
        if raw is None:
            continue
        mapped = normalize(courier, raw)
        record_event(
            conn,
            TrackingEvent(
                courier=courier,
                tracking_number=tracking,
                event_id=f"seed-{index}-{step_index}",
                occurred_at=at,
                status=mapped.status,
                exception_reason=mapped.reason,
                raw_code=raw,
                raw_status=raw,
                description=STEP_DESCRIPTIONS[step],
                location=rng.choice(TERMINALS) if step in ("picked_up", "in_transit") else None,
                estimated_delivery=eta if step == "confirmed" else None,
            ),
            at,
        )
        count += 1
    return count


def _quiet_hours(outcome: str, rng: random.Random) -> float:
    """Time since the last event: recent for shipments underway, long ago for finished ones."""
    if outcome in ("delivered", "delivered_late", "returned"):
        return rng.uniform(2, 24 * 20)
    if outcome == "stale":
        return rng.uniform(24 * 3, 24 * 6)
    return rng.uniform(0.2, 30)


def _plan(outcome: str, rng: random.Random) -> list[tuple[str, float]]:
    """Steps with hours after booking, ending where the outcome says."""
    hours = 0.0
    steps: list[tuple[str, float]] = []

    def add(step: str, low: float, high: float) -> None:
        nonlocal hours
        hours += rng.uniform(low, high)
        steps.append((step, hours))

    add("confirmed", 0.1, 1)
    if outcome in ("pending", "confirmed"):
        return steps
    add("picked_up", 4, 20)
    if outcome in ("picked_up", "stale"):
        return steps
    add("in_transit", 6, 24)
    if outcome == "in_transit":
        return steps
    if outcome == "exception_delayed":
        add("delayed", 6, 20)
        return steps
    if outcome == "ready_for_pickup":
        add("ready_for_pickup", 6, 24)
        return steps
    add("out_for_delivery", 6, 30)
    if outcome == "out_for_delivery":
        return steps
    if outcome == "exception_failed_attempt":
        add("failed_attempt", 2, 8)
        return steps
    if outcome == "returned":
        add("failed_attempt", 2, 8)
        add("returned", 48, 96)
        return steps
    add("delivered", 1, 8) if outcome == "delivered" else add("delivered", 60, 110)
    return steps


def _tracking_number(courier: str, index: int) -> str:
    if courier == "postnord":
        return "00" + make_sscc(f"37350045{index:09d}")
    if courier == "bring":
        return make_sscc(f"37043810{index:09d}")
    if courier == "dhl":
        return make_s10("JD", 10_000_000 + index, "SE")
    # Extension digit 4: the sandbox courier books with 3, so a seeded number never equals a booked one.
    return make_sscc(f"4{SANDBOX_COMPANY_PREFIX}{index:010d}")
