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


def _book_all_page(order_ids: list[int], choice: str) -> None:
    """The bulk dialog's booking run, without the rerun that follows it in the dialog (that
    rerun redraws the page with the results, so AppTest never sees the bar otherwise)."""
    import streamlit as st

    from ui.bulk_booking import _book_all
    from ui.dialogs import OpenDialog

    st.session_state["bulk_items"] = _book_all(OpenDialog("bulk_book", order_ids), choice)


def test_progress_bar_follows_the_bookings_to_the_end(booking_db):
    from streamlit.testing.v1 import AppTest

    make = make_orders(booking_db)
    ids = [make(), make(weight_grams=40_000), make(), make()]
    at = AppTest.from_function(_book_all_page, args=(ids, "one:sandbox:home"), default_timeout=30).run()
    assert not at.exception, at.exception
    assert len(at.progress) == 1, "one bar, moved on as each order finishes"
    bar = at.progress[0]
    assert (bar.value, bar.text) == (100, "Booking 4 of 4…")  # every order counted, failed ones too
    items = at.session_state["bulk_items"]
    assert [item.order_id for item in items] == ids  # the results, in the selection's order
    assert [item.ok for item in items] == [True, False, True, True]
    assert [item.message for item in items if item.ok] == [tracking_of(booking_db, i) for i in ids if i != ids[1]]
    assert "cannot carry this parcel" in items[1].message


def test_results_follow_the_bar_in_the_dialog(booking_db):
    """Through the dialog itself: after Book all, the bar's run is over and each order's result
    is listed, the failed one with its reason in full."""
    make = make_orders(booking_db)
    ids = [make(), make(weight_grams=40_000)]
    at = open_app("bulk_book", ids)
    at.selectbox(key="bulk_choice").select("one:sandbox:home")
    next(b for b in at.button if b.label == "Book all").click().run()
    assert not at.exception, at.exception
    assert not at.progress  # the results replace the bar
    assert list(at.dataframe[0].value["Result"]) == ["Booked", "Failed"]
    assert "cannot carry this parcel" in at.error[0].value
    at.run()  # a live tick keeps the results
    assert list(at.dataframe[0].value["Result"]) == ["Booked", "Failed"]
    assert tracking_of(booking_db, ids[0]) in list(at.dataframe[0].value["Tracking number or reason"])
