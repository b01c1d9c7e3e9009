"""GET /track/<number>: the sandbox courier's tracking links open a real page (not a 404 JSON body),
with the status, progress, promised day and scans, nothing personal beyond the city, and every
value escaped."""

from __future__ import annotations

from datetime import timedelta

from perfile_core.clock import utcnow
from perfile_core.db.orders_repo import update_order
from perfile_core.domain.couriers import tracking_url
from perfile_core.domain.status import Status
from perfile_core.domain.tracking_numbers import make_sscc
from perfile_core.services import orders as order_service
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import person
from tests.core.helpers import bring_number, make_order

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def sandbox_order(db, number: str):  # type: ignore[no-untyped-def]
    order = make_order(
        db,
        store_key="manual-store",
        customer_email="astrid@example.se",
        address_line1="Storgatan 1",
        postal_code="41101",
        city="Göteborg",
        country_code="SE",
    )
    order = order_service.attach_tracking(db, order.id, number, "sandbox", actor=person("test"))
    with db.begin() as conn:
        update_order(conn, order.id, {"estimated_delivery": utcnow().date() + timedelta(days=2)}, utcnow())
        event = TrackingEvent(
            "sandbox",
            number,
            "page-1",
            utcnow() - timedelta(hours=1),
            Status.IN_TRANSIT,
            description=f"Sorted {HOSTILE}",
            location="Terminal Hisingen",
        )
        record_event(conn, event, utcnow())
    return order


def test_the_sandbox_link_opens_a_page_with_the_shipment(configured, client):
    number = make_sscc("73500000000000001")
    order = sandbox_order(configured, number)
    url = tracking_url("sandbox", number)
    assert url is not None and url.endswith(f"/track/{number}")
    answer = client.get(f"/track/{number}")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert f"Tracking {number}" in page and "Sandbox Express · to Göteborg" in page
    assert "In transit" in page and "in 2 days" in page and "Terminal Hisingen" in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "<img" not in page
    for personal in (order.customer_name, "astrid@example.se", "Storgatan", "41101"):
        assert personal not in page
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]


def test_numbers_not_tracked_here_get_a_page_saying_so(configured, client):
    number = bring_number(3)  # Bring has its own tracking page
    order_service.attach_tracking(
        configured, make_order(configured, store_key="manual-store").id, number, "bring", actor=person("t")
    )
    for asked in (number, "NOPE123", "x" * 300):
        answer = client.get(f"/track/{asked}")
        assert answer.status_code in (400, 404) and answer.mimetype == "text/html", asked
        assert "Tracking" in answer.get_data(as_text=True)
