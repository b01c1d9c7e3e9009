"""The Book shipment dialog, step by step (AppTest on a real database, sandbox courier and a
local server speaking PostNord's format)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from perfile_core.db.tables import audit_log, booking_attempts
from tests.actors import person
from tests.dashboard.booking_fixtures import (
    POSTNORD_BOOK,
    make_orders,
    open_app,
    serve_booking_db,
    tracking_of,
)


@pytest.fixture
def booking_db(db_url, monkeypatch, httpserver):
    """SQLite and PostgreSQL (db_url runs both)."""
    yield from serve_booking_db(db_url, monkeypatch, httpserver.url_for(""))


def button(at, label):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def choose(at, courier_service):
    return button_by_key(at, "book_choose_" + courier_service.replace(":", "_")).click().run()


def button_by_key(at, key):
    return at.button(key=key)


def plain(markdown: str) -> str:
    """Shown text: the dashboard backslash-escapes punctuation in data (ui/safe_text.md)."""
    return markdown.replace("\\", "")


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
    button(at, "Close").click().run()
    assert not at.exception
    from ui.dialogs import OPEN_DIALOG_KEY

    assert OPEN_DIALOG_KEY not in at.session_state
    assert number in at.toast[0].value


def to_step_3(at, courier_service):
    choose(at, courier_service)
    button(at, "Continue").click().run()
    assert step(at).startswith("Step 3 of 4"), [e.value for e in at.error]
    return at


def test_courier_refusal_then_another_courier(booking_db, httpserver):
    httpserver.expect_request(POSTNORD_BOOK, method="POST").respond_with_json(
        {"compositeFault": {"faults": [{"faultCode": "E1", "explanationText": "consignee.postalCode invalid"}]}},
        status=400,
    )
    order_id = make_orders(booking_db)()
    at = to_step_3(open_app("book", [order_id]), "postnord:17")
    button(at, "Book now").click().run()
    assert not at.exception, at.exception
    assert step(at).startswith("Step 3 of 4")
    assert "consignee.postalCode invalid" in plain(at.error[0].value)
    assert "The order was not changed." in [c.value for c in at.caption]
    assert tracking_of(booking_db, order_id) is None
    assert "Retry" in [b.label for b in at.button]

    button(at, "Choose another courier").click().run()
    assert step(at).startswith("Step 1 of 4")
    at = to_step_3(at, "sandbox:service_point")
    button(at, "Book now").click().run()
    assert step(at).startswith("Step 4 of 4")
    number = tracking_of(booking_db, order_id)
    assert number and number in at.success[0].value


def test_retry_after_a_timeout_books_with_the_same_courier(booking_db, httpserver):
    from tests.booking.test_booking_failures import _slow, answer

    httpserver.expect_oneshot_request(POSTNORD_BOOK, method="POST").respond_with_handler(_slow)
    httpserver.expect_oneshot_request(POSTNORD_BOOK, method="POST").respond_with_json(answer())
    order_id = make_orders(booking_db)()
    at = to_step_3(open_app("book", [order_id]), "postnord:17")
    button(at, "Book now").click().run()
    assert "did not answer the booking within 1 s" in plain(at.error[0].value)
    assert tracking_of(booking_db, order_id) is None
    button(at, "Retry").click().run()
    assert not at.exception, at.exception
    assert step(at).startswith("Step 4 of 4"), [e.value for e in at.error]
    assert tracking_of(booking_db, order_id)


INVALID_FIELDS = [
    ("book_delivery_postal_code", "4110", "a postal code in SE has 5 digits"),
    ("book_pickup_postal_code", "ABCDE", "a postal code in SE has 5 digits"),
    ("book_delivery_country_code", "Sweden", "two-letter country code"),
    ("book_delivery_line1", "", "enter the street address"),
    ("book_pickup_city", "", "enter the city"),
    ("book_weight_grams", 36_000, "Home delivery takes at most 35 kg"),
    ("book_length_cm", 400, "at most 300 cm"),
]


@pytest.mark.parametrize(("key", "value", "message"), INVALID_FIELDS, ids=[f[0] for f in INVALID_FIELDS])
def test_each_field_error_is_shown_under_its_field(booking_db, key, value, message):
    order_id = make_orders(booking_db)()
    at = open_app("book", [order_id])
    choose(at, "sandbox:home")
    widget = at.number_input(key=key) if key in ("book_weight_grams", "book_length_cm") else at.text_input(key=key)
    widget.set_value(value)
    button(at, "Continue").click().run()
    assert not at.exception, at.exception
    assert step(at).startswith("Step 2 of 4")
    assert [e.value for e in at.error if message in plain(e.value)], [e.value for e in at.error]
    # under its field: the error element follows the field in the same column
    column_text = [getattr(el, "key", None) or getattr(el, "value", None) for el in _column_of(at, key)]
    position = column_text.index(key)
    assert message in plain(str(column_text[position + 1]))
    assert tracking_of(booking_db, order_id) is None
    assert at.text_input(key="book_delivery_city").value == "Göteborg"  # what was typed stays


def _column_of(at, key):
    for column in at.get("column"):
        keys = [getattr(el, "key", None) for el in column.children.values()]
        if key in keys:
            return list(column.children.values())
    raise AssertionError(f"{key} is in no column")


def test_corrected_details_are_booked_and_audited(booking_db):
    order_id = make_orders(booking_db)()
    at = open_app("book", [order_id])
    choose(at, "sandbox:home")
    at.text_input(key="book_delivery_line1").set_value("Kungsgatan 7")
    at.number_input(key="book_weight_grams").set_value(2500)
    button(at, "Continue").click().run()
    button(at, "Book now").click().run()
    assert step(at).startswith("Step 4 of 4")
    from perfile_core.services.booking_status import order_to_book

    order = order_to_book(booking_db, order_id)
    assert (order.address_line1, order.weight_grams) == ("Kungsgatan 7", 2500)
    with booking_db.connect() as conn:
        actions = [row.action for row in conn.execute(select(audit_log).where(audit_log.c.order_id == order_id))]
    assert "order.edited" in actions and "shipment.booked" in actions


@pytest.mark.parametrize("second_choice", ["sandbox:home", "postnord:17"])
def test_second_operator_sees_the_first_booking(booking_db, second_choice):
    order_id = make_orders(booking_db)()
    first = to_step_3(open_app("book", [order_id]), "sandbox:home")
    second = to_step_3(open_app("book", [order_id]), second_choice)
    button(first, "Book now").click().run()
    number = tracking_of(booking_db, order_id)
    button(second, "Book now").click().run()
    assert not second.exception, second.exception
    assert step(second).startswith("Step 4 of 4"), [e.value for e in second.error]
    assert number in second.success[0].value
    assert "already booked" in second.info[0].value
    assert not second.error
    with booking_db.connect() as conn:
        confirmed = conn.execute(
            select(booking_attempts.c.id).where(
                booking_attempts.c.order_id == order_id, booking_attempts.c.status == "confirmed"
            )
        ).all()
    assert len(confirmed) == 1
    assert tracking_of(booking_db, order_id) == number


def test_book_next_order_opens_the_next_order_without_tracking(booking_db):
    make = make_orders(booking_db)
    older = make()
    newer = make()
    at = to_step_3(open_app("book", [newer]), "sandbox:home")
    button(at, "Book now").click().run()
    button(at, "Book next order without tracking").click().run()
    assert not at.exception
    assert step(at).startswith("Step 1 of 4")
    from ui.dialogs import OPEN_DIALOG_KEY

    assert at.session_state[OPEN_DIALOG_KEY].order_ids == [older]


def test_cancel_closes_without_booking(booking_db):
    order_id = make_orders(booking_db)()
    at = open_app("book", [order_id])
    choose(at, "sandbox:home")
    button(at, "Back").click().run()
    assert step(at).startswith("Step 1 of 4")
    button(at, "Cancel").click().run()
    from ui.dialogs import OPEN_DIALOG_KEY

    assert OPEN_DIALOG_KEY not in at.session_state
    assert tracking_of(booking_db, order_id) is None


def test_an_order_booked_meanwhile_shows_that_booking(booking_db):
    """Another operator booked the order while this dialog sat on step 2."""
    from perfile_core.couriers.registry import CourierRegistry
    from perfile_core.couriers.sandbox import SandboxCourier
    from perfile_core.services.booking import book_order

    order_id = make_orders(booking_db)()
    at = open_app("book", [order_id])
    choose(at, "sandbox:home")
    booked = book_order(
        booking_db, CourierRegistry([SandboxCourier()]), order_id, "sandbox", "locker", actor=person("bo")
    )
    at.run()  # a live tick
    assert not at.exception, at.exception
    assert step(at).startswith("Step 4 of 4")
    assert booked.tracking_number in at.success[0].value and "already booked" in at.info[0].value


def test_an_order_that_cannot_be_booked_says_why(booking_db):
    from perfile_core.services.orders import attach_tracking

    order_id = make_orders(booking_db)()
    attach_tracking(booking_db, order_id, "RR473124829SE", "postnord", actor=person("ops"))  # not booked by us
    at = open_app("book", [order_id])
    assert not at.exception, at.exception
    assert "cannot be booked" in plain(at.warning[0].value) and "RR473124829SE" in plain(at.warning[0].value)
    assert not [b for b in at.button if b.label == "Choose"]
    button(at, "Close").click().run()
    from ui.dialogs import OPEN_DIALOG_KEY

    assert OPEN_DIALOG_KEY not in at.session_state


def test_an_order_without_weight_asks_for_it_then_quotes(booking_db):
    """A WooCommerce order arrives without a parcel weight; step 1 asks for it instead of
    leaving the operator with an error and nothing to do."""
    order_id = make_orders(booking_db)(weight_grams=None)
    at = open_app("book", [order_id])
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "no parcel weight" in " ".join(m.value for m in at.markdown)

    at.number_input[0].set_value(2.5)
    button(at, "Save weight and get quotes").click().run()

    assert not at.exception, at.exception
    assert at.button(key="book_choose_sandbox_home")  # quotes are shown
    with booking_db.connect() as conn:
        edits = conn.execute(select(audit_log.c.details).where(audit_log.c.action == "order.edited")).scalars().all()
    assert [edit["changes"] for edit in edits] == [{"weight_grams": 2500}]
