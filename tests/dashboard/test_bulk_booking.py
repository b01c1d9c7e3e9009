"""Bulk booking through its dialog: one choice for all, per-order results, one combined PDF."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from pypdf import PdfReader
from pyzbar import pyzbar

from tests.dashboard.booking_fixtures import make_orders, open_app, serve_booking_db, tracking_of


@pytest.fixture
def booking_db(db_url, monkeypatch):
    """SQLite and PostgreSQL (db_url runs both)."""
    yield from serve_booking_db(db_url, monkeypatch, None)


def test_bulk_booking_with_one_failing_order(booking_db):
    make = make_orders(booking_db)
    ok_first, too_heavy, ok_last = make(), make(weight_grams=40_000), make()
    at = open_app("bulk_book", [ok_first, too_heavy, ok_last])
    assert not at.exception, at.exception
    at.selectbox(key="bulk_choice").select("one:sandbox:home")
    next(b for b in at.button if b.label == "Book all").click().run()
    assert not at.exception, at.exception
    assert "**2 booked**, 1 failed" in at.markdown[0].value
    frame = at.dataframe[0].value
    assert list(frame["Result"]) == ["Booked", "Failed", "Booked"]
    numbers = [tracking_of(booking_db, i) for i in (ok_first, ok_last)]
    assert next(iter(frame["Tracking number or reason"])) == numbers[0]
    assert "cannot carry this parcel" in frame["Tracking number or reason"][1]
    assert tracking_of(booking_db, too_heavy) is None

    from perfile_core.services.shipment_labels import combined_labels
    from ui.context import perfile

    pdf = combined_labels(perfile().db, perfile().couriers, [ok_first, ok_last])
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert barcodes_per_page(pdf) == [[number] for number in numbers]
    assert at.get("download_button"), "the combined labels can be downloaded"


@pytest.mark.parametrize("strategy", ["cheapest", "most reliable"])
def test_per_order_choice_books_each_order(booking_db, strategy):
    make = make_orders(booking_db)
    ids = [make(), make()]
    at = open_app("bulk_book", ids)
    at.selectbox(key="bulk_choice").select(f"per:{strategy}")
    next(b for b in at.button if b.label == "Book all").click().run()
    assert not at.exception, at.exception
    assert list(at.dataframe[0].value["Result"]) == ["Booked", "Booked"]
    # the cheapest sandbox service to 41103 is the parcel locker
    from perfile_core.services.booking_status import order_to_book

    assert {order_to_book(booking_db, i).service_type for i in ids} == {"locker"}


def barcodes_per_page(content: bytes) -> list[list[str]]:
    document = pypdfium2.PdfDocument(content)
    try:
        return [[found.data.decode() for found in pyzbar.decode(page.render(scale=3).to_pil())] for page in document]
    finally:
        document.close()
