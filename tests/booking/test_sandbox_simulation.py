"""The demo simulator pushes signed journeys that the receiver path applies, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
from werkzeug import Response

from perfile_core.clock import utcnow
from perfile_core.config import Settings
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.couriers.sandbox import SandboxCourier, SandboxSettings
from perfile_core.couriers.sandbox.simulator import journey
from perfile_core.db.orders_repo import get_order
from perfile_core.domain.status import Status
from perfile_core.services.booking import book_order
from perfile_core.services.sandbox_simulation import simulate_sandbox
from perfile_core.services.tracking import record_event

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


def test_simulator_sends_signed_events_the_receiver_applies(db, httpserver, make_order):
    sandbox = SandboxCourier(SandboxSettings(webhook_secrets=(SECRET,)))
    couriers = CourierRegistry([sandbox])
    order_id = make_order()
    booking = book_order(db, couriers, order_id, "sandbox", "home", actor="ops")

    def receiver(request):  # what the receiver does: verify, parse, record, answer
        events = sandbox.parse_webhook(dict(request.headers), request.get_data(), now=datetime.now(UTC))
        with db.begin() as conn:
            for event in events:
                record_event(conn, event, utcnow())
        return Response('{"status":"accepted"}', content_type="application/json")

    httpserver.expect_request("/webhooks/couriers/sandbox", method="POST").respond_with_handler(receiver)
    settings = Settings(receiver_url=httpserver.url_for(""))
    later = utcnow() + timedelta(days=20)
    with requests.Session() as session:
        first = simulate_sandbox(db, couriers, settings, session, speed=1, now=later)
        second = simulate_sandbox(db, couriers, settings, session, speed=1, now=later)

    assert first.sent >= 4 and first.failed == 0 and second.sent == 0
    with db.connect() as conn:
        order = get_order(conn, order_id)
    assert order.order_status == Status.DELIVERED and order.tracking_number == booking.tracking_number
