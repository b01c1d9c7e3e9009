"""Core rules behind the booking dialogs: quote marks, checked details, the booking that holds
an order, the next order to book, per-order choice in bulk, one PDF of many labels."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from perfile_core.couriers.base import Quote
from perfile_core.db.tables import audit_log
from perfile_core.domain.errors import Conflict, ValidationError
from perfile_core.services.booking import book_order
from perfile_core.services.booking_details import booking_details_for, check_booking_details
from perfile_core.services.booking_status import existing_booking, next_order_to_book, order_to_book
from perfile_core.services.bulk_booking import book_orders, choose_for_order
from perfile_core.services.quotes import (
    CHEAPEST,
    FASTEST,
    MOST_RELIABLE,
    CourierPerformance,
    QuoteOption,
    QuoteResult,
    quote_order,
)
from perfile_core.services.shipment_labels import combined_labels
from tests.actors import person


def _option(courier, service, price, eta_day, rate):
    quote = Quote(courier, service, service, "home", Decimal(price), "SEK", date(2026, 12, eta_day))
    return QuoteOption(quote, CourierPerformance(courier, "SE-41", 10, rate, None))


def test_marks_cheapest_fastest_and_most_reliable():
    cheap = _option("sandbox", "locker", "49", 5, 0.5)
    fast = _option("postnord", "17", "89", 2, 0.7)
    reliable = _option("bring", "HOME", "99", 3, 0.95)
    result = QuoteResult(1, "SE-41", [cheap, fast, reliable], {})
    assert result.marks(cheap) == [CHEAPEST]
    assert result.marks(fast) == [FASTEST]
    assert result.marks(reliable) == [MOST_RELIABLE]


def test_no_history_means_no_most_reliable_and_ties_go_to_the_cheaper():
    a = _option("sandbox", "home", "79", 3, None)
    b = _option("postnord", "17", "89", 3, None)
    result = QuoteResult(1, "SE-41", [b, a], {})
    assert result.marks(a) == [CHEAPEST, FASTEST] and result.marks(b) == []


def test_a_courier_without_a_service_to_the_destination_is_listed_with_its_reason(db, registry, make_order):
    order_id = make_order(weight_grams=40_000)  # over every sandbox service's limit
    result = quote_order(db, registry, order_id, bookable_only=True)
    assert result.options == []
    assert "has no service for 40 kg to 41103 SE" in result.errors["sandbox"]


def test_details_are_prefilled_from_the_store_and_the_order(db, make_order):
    details = booking_details_for(db, make_order(), "home")
    assert (details.pickup_line1, details.pickup_postal_code) == ("Hamngatan 12", "11147")
    assert (details.delivery_name, details.delivery_city, details.weight_grams) == ("Anna Svensson", "Göteborg", 1200)


def test_every_bad_field_is_named_at_once(db, sandbox, make_order):
    values = booking_details_for(db, make_order(), "locker").as_values()
    values.update(delivery_postal_code="12", pickup_country_code="Sweden", weight_grams=16_000, height_cm="x")
    with pytest.raises(ValidationError) as raised:
        check_booking_details(sandbox, values)
    fields = dict(raised.value.errors)
    assert set(fields) == {"delivery_postal_code", "pickup_country_code", "weight_grams", "height_cm"}
    assert "Parcel locker takes at most 15 kg" in fields["weight_grams"]


def test_booking_with_details_stores_the_corrections_and_audits_them(db, registry, make_order):
    order_id = make_order()
    values = booking_details_for(db, order_id, "home").as_values()
    values.update(delivery_line1="Kungsgatan 7", weight_grams=2500, pickup_line1="Dock 4")
    details = check_booking_details(registry.get("sandbox"), values)
    result = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"), details=details)
    order = order_to_book(db, order_id)
    assert (order.address_line1, order.weight_grams, order.tracking_number) == (
        "Kungsgatan 7",
        2500,
        result.tracking_number,
    )
    with db.connect() as conn:
        edit = conn.execute(
            select(audit_log.c.details).where(audit_log.c.order_id == order_id, audit_log.c.action == "order.edited")
        ).scalar_one()
    assert edit["changes"] == {"address_line1": "Kungsgatan 7", "weight_grams": 2500}
    assert edit["before"] == {"address_line1": "Storgatan 1", "weight_grams": 1200}


def test_invalid_details_book_nothing(db, registry, make_order):
    order_id = make_order()
    details = booking_details_for(db, order_id, "home")
    bad = type(details)(**{**details.as_values(), "delivery_postal_code": "1"})
    with pytest.raises(ValidationError):
        book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"), details=bad)
    assert order_to_book(db, order_id).tracking_number is None
    assert registry.get("sandbox").book_calls == 0


def test_existing_booking_is_what_a_second_operator_sees(db, registry, make_order):
    order_id = make_order()
    assert existing_booking(db, order_id) is None
    first = book_order(db, registry, order_id, "sandbox", "home", actor=person("ana"))
    with pytest.raises(Conflict):
        book_order(db, registry, order_id, "sandbox", "locker", actor=person("bo"))
    found = existing_booking(db, order_id)
    assert found.result.tracking_number == first.tracking_number and found.result.replayed


def test_next_order_to_book_skips_booked_and_given_orders(db, registry, make_order):
    older, middle, newest = make_order(), make_order(), make_order()
    book_order(db, registry, middle, "sandbox", "home", actor=person("ops"))
    assert next_order_to_book(db, skip=[newest]) == older
    assert next_order_to_book(db) == newest
    assert next_order_to_book(db, skip=[newest, older]) is None


def test_per_order_choice_and_one_pdf_of_the_labels(db, registry, make_order):
    ids = [make_order(), make_order(postal_code="11122")]
    assert choose_for_order(db, registry, ids[0], CHEAPEST) == ("sandbox", "locker")
    assert choose_for_order(db, registry, ids[0], MOST_RELIABLE) == ("sandbox", "locker")  # no history yet
    items = book_orders(db, registry, ids, actor=person("ops"), strategy=CHEAPEST)
    assert all(item.ok for item in items)
    pdf = combined_labels(db, registry, ids)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
