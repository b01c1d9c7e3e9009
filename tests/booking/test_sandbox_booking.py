"""Booking with the sandbox courier, end to end through the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import booking_attempts, notifications, shipment_labels
from perfile_core.domain.errors import Conflict, ValidationError
from perfile_core.domain.status import Status
from perfile_core.domain.tracking_numbers import is_valid_sscc
from perfile_core.services.booking import book_order
from tests.actors import person
from tests.booking.labels import barcodes, page_size_mm, pdf_text


def test_booking_confirms_the_order_with_label_eta_and_notification(db, registry, make_order, settings):
    order_id = make_order()
    result = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops@x"), settings=settings)

    assert is_valid_sscc(result.tracking_number)
    with db.connect() as conn:
        order = get_order(conn, order_id)
        label = conn.execute(select(shipment_labels).where(shipment_labels.c.id == result.label_id)).one()
        attempt = conn.execute(select(booking_attempts)).one()
        note = conn.execute(select(notifications).where(notifications.c.order_id == order_id)).one()
    assert order.order_status == Status.CONFIRMED
    assert (order.tracking_number, order.courier, order.service_type) == (
        result.tracking_number,
        "sandbox",
        "home",
    )
    assert order.estimated_delivery is not None and order.estimated_delivery > order.created_at.date()
    assert order.has_label and order.tracking_url.endswith(result.tracking_number)
    assert attempt.status == "confirmed" and attempt.tracking_number == result.tracking_number

    assert barcodes(label.content) == [result.tracking_number]
    text = pdf_text(label.content)
    for expected in (
        order.order_number,
        "Anna Svensson",
        "Storgatan 1",
        "Hamngatan 12",
        "Home delivery",
        "1.20 kg",
    ):
        assert expected in text
    assert page_size_mm(label.content) == (100, 150)

    assert note.trigger == "booked" and note.status == "outbox" and note.to_address == "anna@example.se"
    assert order.order_number in note.subject and result.tracking_number in note.body


def test_booking_twice_returns_the_first_booking(db, registry, sandbox, make_order):
    order_id = make_order()
    first = book_order(db, registry, order_id, "sandbox", "home", actor=person("a"))
    again = book_order(db, registry, order_id, "sandbox", "home", actor=person("b"))
    assert again.replayed and again.tracking_number == first.tracking_number
    assert sandbox.book_calls == 1
    with pytest.raises(Conflict, match="already has tracking number"):
        book_order(db, registry, order_id, "sandbox", "locker", actor=person("b"))


def test_only_bookable_orders_are_booked(db, registry, make_order):
    order_id = make_order(weight_grams=None)
    with pytest.raises(ValidationError, match="weight"):
        book_order(db, registry, order_id, "sandbox", "home", actor=person("a"))
    no_address = make_order(address_line1=None, postal_code=None)
    with pytest.raises(ValidationError) as caught:
        book_order(db, registry, no_address, "sandbox", "home", actor=person("a"))
    assert {field for field, _ in caught.value.errors} == {"address_line1", "postal_code"}
    with pytest.raises(ValidationError, match="no service 'drone'"):
        book_order(db, registry, make_order(), "sandbox", "drone", actor=person("a"))
    with db.connect() as conn:
        assert conn.execute(select(booking_attempts)).all() == []


def test_courier_refusal_leaves_the_order_unchanged(db, registry, make_order):
    order_id = make_order(country_code="US", postal_code="10001")  # lockers are Nordic only
    with db.connect() as conn:
        before = get_order(conn, order_id)
    from perfile_core.domain.errors import CourierError

    with pytest.raises(CourierError, match="Choose another service"):
        book_order(db, registry, order_id, "sandbox", "locker", actor=person("a"))
    with db.connect() as conn:
        after = get_order(conn, order_id)
        attempt = conn.execute(select(booking_attempts)).one()
    assert after == before
    assert attempt.status == "failed" and "Choose another service" in attempt.error
    # and the operator can simply try again with another service
    assert book_order(db, registry, order_id, "sandbox", "home", actor=person("a")).tracking_number
