"""The demo simulator pushes signed journeys that the receiver applies, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import requests
from sqlalchemy import select

from perfile_core.clock import utcnow
from perfile_core.config import Settings
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.couriers.sandbox import SandboxCourier, SandboxSettings
from perfile_core.couriers.sandbox.simulator import journey
from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import booking_attempts, tracking_events, webhook_inbox
from perfile_core.domain.status import Status
from perfile_core.services import admin
from perfile_core.services.booking import book_order
from perfile_core.services.sandbox_simulation import simulate_sandbox
from receiver import create_app
from tests.actors import ADMIN, person
from tests.receiver.loopback import serve

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_journeys_include_delays_and_failed_attempts():
    booked = datetime(2026, 3, 10, 9, tzinfo=UTC)
    eta = booked.date() + timedelta(days=2)
    outcomes = [
        [s.reason for s in journey(f"37359990000{n:07d}", "home", booked, eta, "41103") if s.reason] for n in range(300)
    ]
    delayed = sum(1 for o in outcomes if "delayed" in o)
    failed = sum(1 for o in outcomes if "failed_attempt" in o)
    assert 10 < delayed < 60 and 5 < failed < 45
    steps = journey("373599900000000017", "locker", booked, eta, "41103")
    assert [s.status for s in steps][-2:] == ["ready_for_pickup", "delivered"]


def test_simulator_sends_signed_events_the_receiver_applies(db, db_url, make_order):
    """The real receiver over HTTP verifies, stores and applies each step once; a second run
    sends nothing."""
    admin.configure_courier(db, "sandbox", webhook_secret=SECRET, actor=ADMIN)
    couriers = CourierRegistry([SandboxCourier(SandboxSettings(webhook_secrets=(SECRET,)))])
    order_id = make_order()
    booking = book_order(db, couriers, order_id, "sandbox", "home", actor=person("ops"))
    app = create_app({"DATABASE_URL": db_url})
    later = utcnow() + timedelta(days=20)
    try:
        with serve(app) as url, requests.Session() as session:
            settings = Settings(receiver_url=url)
            first = simulate_sandbox(db, couriers, settings, session, speed=1, now=later)
            second = simulate_sandbox(db, couriers, settings, session, speed=1, now=later)
    finally:
        app.extensions["perfile"].perfile.close()

    assert first.sent >= 4 and first.failed == 0 and second.sent == 0
    with db.connect() as conn:
        order = get_order(conn, order_id)
        events = conn.execute(
            select(tracking_events.c.event_id, tracking_events.c.order_id, tracking_events.c.applied_at).where(
                tracking_events.c.tracking_number == booking.tracking_number
            )
        ).all()
        inbox = conn.execute(select(webhook_inbox.c.result).where(webhook_inbox.c.source == "courier:sandbox")).all()
    assert order.order_status == Status.DELIVERED and order.tracking_number == booking.tracking_number
    assert len(events) == len({event.event_id for event in events}) == first.sent
    assert all(event.order_id == order_id and event.applied_at is not None for event in events)
    assert [row.result for row in inbox] == ["accepted"] * first.sent


def test_demo_scans_come_sooner_but_are_dated_like_a_real_parcels(db, db_url, make_order):
    """At the demo's speed (60: a courier hour a minute) a booked parcel moves within minutes,
    but its scans carry the journey's own dates: hours apart, delivered a day or more after the
    pickup, so Analytics shows real delivery times instead of "0.0 h"."""
    admin.configure_courier(db, "sandbox", webhook_secret=SECRET, actor=ADMIN)
    couriers = CourierRegistry([SandboxCourier(SandboxSettings(webhook_secrets=(SECRET,)))])
    order_id = make_order()
    booking = book_order(db, couriers, order_id, "sandbox", "home", actor=person("ops"))
    with db.connect() as conn:
        order = get_order(conn, order_id)
        booked_at = conn.execute(
            select(booking_attempts.c.created_at).where(booking_attempts.c.tracking_number == booking.tracking_number)
        ).scalar_one()
    steps = journey(booking.tracking_number, "home", booked_at, order.estimated_delivery, order.postal_code or "")
    app = create_app({"DATABASE_URL": db_url})
    try:
        with serve(app) as url, requests.Session() as session:
            settings = Settings(receiver_url=url)
            # 3 real minutes after the booking: the pickup (2 courier hours) only.
            early = simulate_sandbox(db, couriers, settings, session, speed=60, now=booked_at + timedelta(minutes=3))
            # Once the whole journey has been sent (its courier time / 60).
            done = booked_at + steps[-1].after / 60 + timedelta(seconds=1)
            rest = simulate_sandbox(db, couriers, settings, session, speed=60, now=done)
    finally:
        app.extensions["perfile"].perfile.close()

    due_early = sum(1 for step in steps if step.after <= timedelta(hours=3))  # the pickup, 2 h in
    assert (early.sent, rest.sent, rest.failed) == (due_early, len(steps) - due_early, 0) and due_early >= 1
    assert steps[-1].after / 60 < timedelta(hours=2)  # the whole journey moves on screen within the hour
    with db.connect() as conn:
        dated = conn.execute(
            select(tracking_events.c.occurred_at)
            .where(tracking_events.c.tracking_number == booking.tracking_number)
            .order_by(tracking_events.c.occurred_at)
        ).scalars()
        scans = [stamp.replace(microsecond=0) for stamp in dated]
        order = get_order(conn, order_id)
    assert scans == [(booked_at + step.after).replace(microsecond=0) for step in steps]
    assert scans[0] - booked_at.replace(microsecond=0) == timedelta(hours=2)
    assert min(later - earlier for earlier, later in pairwise(scans)) >= timedelta(hours=1)
    assert scans[-1] - scans[0] >= timedelta(days=1)
    assert order.order_status == Status.DELIVERED
    assert order.delivery_time_hours is not None and order.delivery_time_hours >= 24  # not 0.0 h
