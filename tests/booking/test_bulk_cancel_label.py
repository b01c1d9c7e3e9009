"""Bulk booking, cancelling before pickup, and labels (stored copy, Bring reprint)."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from perfile_core.couriers.bring.adapter import BringCourier
from perfile_core.couriers.bring.client import BringClient
from perfile_core.couriers.bring.settings import BringSettings
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import booking_attempts, shipment_labels
from perfile_core.domain.errors import Conflict, NotSupported
from perfile_core.domain.status import Status
from perfile_core.services.booking import book_order
from perfile_core.services.bulk_booking import book_orders
from perfile_core.services.cancellation import cancel_booking, cancel_instruction
from perfile_core.services.orders import attach_tracking
from perfile_core.services.shipment_labels import get_label
from tests.actors import person
from tests.booking.labels import barcodes
from tests.couriers.helpers import pdf_label, pdf_label_b64, sample


def test_bulk_booking_reports_per_order(db, registry, sandbox, make_order):
    good = [make_order() for _ in range(3)]
    no_weight = make_order(weight_grams=None)
    tracked = make_order()
    attach_tracking(db, tracked, "JJD000390007712345", "dhl", actor=person("ops"))
    ids = [good[0], no_weight, good[1], tracked, good[2], good[0]]

    items = book_orders(db, registry, ids, "sandbox", "service_point", actor=person("ops"))

    assert [i.order_id for i in items] == [good[0], no_weight, good[1], tracked, good[2]]
    assert [i.ok for i in items] == [True, False, True, False, True]
    assert "weight" in items[1].message and "already has tracking number" in items[3].message
    assert sandbox.book_calls == 3
    with db.connect() as conn:
        assert {get_order(conn, i).order_status for i in good} == {Status.CONFIRMED}


def test_cancel_before_pickup_makes_the_order_bookable_again(db, registry, sandbox, make_order):
    order_id = make_order()
    first = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))
    with db.connect() as conn:
        assert cancel_instruction(registry, get_order(conn, order_id)) is None  # the sandbox can cancel
    cancel_booking(db, registry, order_id, actor=person("ops"), reason="customer changed address")
    with db.connect() as conn:
        order = get_order(conn, order_id)
        statuses = conn.execute(select(booking_attempts.c.status)).scalars().all()
    assert order.can_book_shipment and order.order_status == Status.PENDING and not order.has_label
    assert statuses == ["cancelled"]
    second = book_order(db, registry, order_id, "sandbox", "locker", actor=person("ops"))
    assert second.tracking_number != first.tracking_number and sandbox.book_calls == 2


def test_postnord_cancel_explains_the_manual_step(db, httpserver, postnord_registry, make_order):
    body = sample("postnord_booking_edi_labels_pdf_response")
    body["labelPrintout"][0]["printout"]["data"] = pdf_label_b64()
    httpserver.expect_request("/rest/shipment/v3/edi/labels/pdf").respond_with_json(body)
    order_id = make_order()
    book_order(db, postnord_registry, order_id, "postnord", "19", actor=person("ops"))
    with db.connect() as conn:
        booked = get_order(conn, order_id)
    # The dashboard shows the same words before anyone tries (and without calling PostNord).
    instruction = cancel_instruction(postnord_registry, booked) or ""
    assert "Ops must cancel the shipment manually in the PostNord portal" in instruction
    assert booked.tracking_number in instruction
    with pytest.raises(NotSupported, match="Ops must cancel the shipment manually in the PostNord portal"):
        cancel_booking(db, postnord_registry, order_id, actor=person("ops"))
    with db.connect() as conn:
        assert get_order(conn, order_id).order_status == Status.CONFIRMED


def test_label_is_the_stored_copy(db, registry, make_order):
    order_id = make_order()
    result = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))
    with db.connect() as conn:
        stored = conn.execute(select(shipment_labels.c.content).where(shipment_labels.c.order_id == order_id)).scalar()
    # No courier at hand: the label can only come from storage.
    label = get_label(db, CourierRegistry([]), order_id)
    assert label == bytes(stored) and barcodes(label) == [result.tracking_number]


def test_an_order_without_a_booking_cannot_be_cancelled(db, registry, make_order):
    order_id = make_order()
    with pytest.raises(Conflict, match="has no shipment booked through Perfile to cancel"):
        cancel_booking(db, registry, order_id, actor=person("ops"))
    with db.connect() as conn:
        assert get_order(conn, order_id).order_status == Status.PENDING


def test_bring_label_is_stored_and_reprinted_after_a_failed_download(db, httpserver, registry, make_order):
    consignment = "70438101268018539"
    answer = sample("bring_booking_response")
    answer["consignments"][0]["confirmation"]["links"]["labels"] = httpserver.url_for("/labels/1")
    settings = BringSettings(
        uid="u", api_key="k", customer_number="c", base_url=httpserver.url_for(""), timeout=1.0, retries=0
    )
    httpserver.expect_oneshot_request("/booking/api/booking", method="POST").respond_with_json(answer)
    httpserver.expect_oneshot_request("/labels/1").respond_with_data("storage down", status=500)
    httpserver.expect_oneshot_request("/labels/1").respond_with_data(
        pdf_label(consignment), content_type="application/pdf"
    )
    with requests.Session() as session:
        couriers = CourierRegistry([BringCourier(BringClient(settings, session))])
        order_id = make_order()
        book_order(db, couriers, order_id, "bring", "PICKUP_PARCEL", actor=person("ops"))
        with db.connect() as conn:
            booked = get_order(conn, order_id)
        assert booked.order_status == Status.CONFIRMED and not booked.has_label  # booking stands

        assert get_label(db, couriers, order_id) == pdf_label(consignment)
        with db.connect() as conn:
            assert get_order(conn, order_id).has_label
        assert get_label(db, couriers, order_id) == pdf_label(consignment)  # now from storage
    assert len(httpserver.log) == 3
