"""The poller refreshes PostNord shipments through the webhook event path, idempotently."""

from __future__ import annotations

from sqlalchemy import select

from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import notifications, tracking_events
from perfile_core.domain.status import Status
from perfile_core.services.booking import book_order
from perfile_core.services.orders import attach_tracking
from perfile_core.services.poller import poll_tracking, polled_couriers
from perfile_core.services.poller_runs import recent_runs
from tests.actors import person
from tests.couriers.helpers import pdf_label_b64, sample

NUMBER = "00373500454541020957"
TRACK = f"/rest/shipment/v7/trackandtrace/id/{NUMBER}/public"


def test_poll_applies_new_events_once(db, httpserver, postnord_registry, make_order):
    booking = sample("postnord_booking_edi_labels_pdf_response")
    booking["labelPrintout"][0]["printout"]["data"] = pdf_label_b64()
    httpserver.expect_oneshot_request("/rest/shipment/v3/edi/labels/pdf").respond_with_json(booking)
    httpserver.expect_request(TRACK).respond_with_json(sample("postnord_trackandtrace_v7_findbyidentifier_response"))
    order_id = make_order()
    book_order(db, postnord_registry, order_id, "postnord", "19", actor=person("ops"))
    sandbox_order = make_order()
    book_order(db, postnord_registry, sandbox_order, "sandbox", "home", actor=person("ops"))  # pushes: not polled

    assert polled_couriers(postnord_registry) == ["postnord"]
    first = poll_tracking(db, postnord_registry)
    second = poll_tracking(db, postnord_registry)

    assert (first.shipments, first.events_new, first.status_changes, first.errors) == (1, 3, 2, [])
    assert (second.events_seen, second.events_new, second.status_changes) == (3, 0, 0)
    with db.connect() as conn:
        order = get_order(conn, order_id)
        stored = conn.execute(select(tracking_events.c.raw_code).order_by(tracking_events.c.occurred_at)).scalars()
        triggers = conn.execute(select(notifications.c.trigger).where(notifications.c.order_id == order_id)).scalars()
        assert list(stored) == ["INFORMED", "EN_ROUTE", "AVAILABLE_FOR_DELIVERY"]
        assert sorted(triggers) == ["booked", "status:ready_for_pickup"]
    assert order.order_status == Status.READY_FOR_PICKUP
    assert order.shipped_at is not None  # the first EN_ROUTE after booking is the pickup
    assert order.latest_event_location == "GÖTEBORG, SE"


def test_poll_reports_courier_errors_per_shipment(db, httpserver, postnord_registry, make_order):
    httpserver.expect_request(TRACK).respond_with_data("down", status=503)
    order_id = make_order()
    attach_tracking(db, order_id, NUMBER, "postnord", actor=person("ops"))
    report = poll_tracking(db, postnord_registry)
    assert report.shipments == 1 and len(report.errors) == 1
    assert "internal error during the tracking" in report.errors[0][1]
    (run,) = recent_runs(db)  # stored for the Integrations page, not only printed
    assert (run.shipments, run.failures, run.failed_couriers) == (1, 1, {"postnord": 1})
    assert run.errors[0]["message"] == report.errors[0][1]


def test_poll_moves_only_the_polled_couriers_order(db, httpserver, postnord_registry, make_order):
    """Another courier's order with the same number (created first, so it would be found first)
    is left alone: couriers move only their own shipments."""
    httpserver.expect_request(TRACK).respond_with_json(sample("postnord_trackandtrace_v7_findbyidentifier_response"))
    other = make_order()
    attach_tracking(db, other, NUMBER, "dhl", actor=person("ops"))  # DHL Parcel Connect prints "00" + SSCC too
    order_id = make_order()
    attach_tracking(db, order_id, NUMBER, "postnord", actor=person("ops"))

    report = poll_tracking(db, postnord_registry)

    assert (report.shipments, report.events_new, report.errors) == (1, 3, [])
    with db.connect() as conn:
        assert get_order(conn, order_id).order_status == Status.READY_FOR_PICKUP
        untouched = get_order(conn, other)
        owners = set(conn.execute(select(tracking_events.c.order_id)).scalars())
    assert (untouched.order_status, untouched.latest_event_at) == (Status.CONFIRMED, None)
    assert owners == {order_id}
