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


def confirmed_attempts(db, order_id: int) -> int:  # type: ignore[no-untyped-def]
    """How many booking attempts of the order the courier confirmed: one, however often it was asked."""
    with db.connect() as conn:
        return len(
            conn.execute(
                select(booking_attempts.c.id).where(
                    booking_attempts.c.order_id == order_id, booking_attempts.c.status == "confirmed"
                )
            ).all()
        )


def postnord_refuses(httpserver, explanation: str, *, once: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The local PostNord server refuses bookings (400, PostNord's fault format) with `explanation`;
    `once`: the first booking only."""
    expect = httpserver.expect_oneshot_request if once else httpserver.expect_request
    expect(POSTNORD_BOOK, method="POST").respond_with_json(
        {"compositeFault": {"faults": [{"faultCode": "E1", "explanationText": explanation}]}}, status=400
    )


def test_courier_refusal_then_another_courier(booking_db, httpserver):
    postnord_refuses(httpserver, "consignee.postalCode invalid")
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
    assert confirmed_attempts(booking_db, order_id) == 1
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


# -- Back on every step, Cancel at any time, and the wizard through live ticks -----------------


def order_row(engine, order_id):
    """Everything the orders table holds for the order, to prove a step changed none of it."""
    from perfile_core.db.tables import orders

    with engine.connect() as conn:
        return dict(conn.execute(select(orders).where(orders.c.id == order_id)).mappings().one())


def nothing_booked(engine, order_id):
    from perfile_core.db.tables import shipment_labels

    with engine.connect() as conn:
        attempts = conn.execute(select(booking_attempts.c.id).where(booking_attempts.c.order_id == order_id)).all()
        labels = conn.execute(select(shipment_labels.c.id).where(shipment_labels.c.order_id == order_id)).all()
        actions = conn.execute(select(audit_log.c.action).where(audit_log.c.order_id == order_id)).scalars().all()
    return not attempts and not labels and not {"order.edited", "shipment.booked"} & set(actions)


def booking_calls(httpserver):
    return [request for request, _ in httpserver.log if request.path == POSTNORD_BOOK]


def dialog_is_closed(at):
    from ui.dialogs import OPEN_DIALOG_KEY

    return OPEN_DIALOG_KEY not in at.session_state and not [c for c in at.caption if c.value.startswith("Step ")]


def edit_details(at):
    """Type over a few prefilled details on step 2 (not submitted)."""
    at.text_input(key="book_delivery_line1").set_value("Kungsgatan 7")
    at.text_input(key="book_delivery_city").set_value("Gothenburg")
    at.number_input(key="book_weight_grams").set_value(2500)
    at.selectbox(key="book_service").set_value("locker")


EDITED = {"book_delivery_line1": "Kungsgatan 7", "book_delivery_city": "Gothenburg", "book_weight_grams": 2500}


def shown_details(at):
    values = {key: at.text_input(key=key).value for key in ("book_delivery_line1", "book_delivery_city")}
    values["book_weight_grams"] = at.number_input(key="book_weight_grams").value
    return values


def test_back_from_step_3_keeps_the_details_typed_on_step_2(booking_db):
    order_id = make_orders(booking_db)()
    at = open_app("book", [order_id])
    choose(at, "sandbox:home")
    edit_details(at)
    button(at, "Continue").click().run()
    assert step(at).startswith("Step 3 of 4"), [e.value for e in at.error]
    assert {b.label for b in at.button} >= {"Back", "Cancel", "Book now"}

    at.button(key="book_back_2").click().run()
    assert not at.exception, at.exception
    assert step(at).startswith("Step 2 of 4")
    assert shown_details(at) == EDITED
    assert at.selectbox(key="book_service").value == "locker"
    assert at.text_input(key="book_pickup_line1").value == "Hamngatan 12"  # the untouched prefill too
    assert tracking_of(booking_db, order_id) is None

    # and on from there, what was kept is what gets booked
    button(at, "Continue").click().run()
    button(at, "Book now").click().run()
    assert step(at).startswith("Step 4 of 4"), [e.value for e in at.error]
    from perfile_core.services.booking_status import order_to_book

    order = order_to_book(booking_db, order_id)
    assert (order.address_line1, order.city, order.weight_grams, order.service_type) == (
        "Kungsgatan 7",
        "Gothenburg",
        2500,
        "locker",
    )


def test_back_from_step_3_after_a_courier_error(booking_db, httpserver):
    """A refusal leaves the operator on step 3; Back goes to the details to fix them, and the
    old error does not follow them back to step 3."""
    postnord_refuses(httpserver, "consignee.name too long", once=True)
    order_id = make_orders(booking_db)()
    at = to_step_3(open_app("book", [order_id]), "postnord:17")
    button(at, "Book now").click().run()
    assert "consignee.name too long" in plain(at.error[0].value)

    at.button(key="book_back_2").click().run()
    assert step(at).startswith("Step 2 of 4")
    at.text_input(key="book_delivery_name").set_value("E. Lind")
    button(at, "Continue").click().run()
    assert step(at).startswith("Step 3 of 4")
    assert not at.error and "Book now" in [b.label for b in at.button]
    assert at.button(key="book_back_2")

    at.button(key="book_back_2").click().run()  # and Back again: the corrected name is still there
    assert at.text_input(key="book_delivery_name").value == "E. Lind"


@pytest.mark.parametrize("at_step", [2, 3])
def test_cancel_on_step_2_or_3_closes_without_booking(booking_db, httpserver, at_step):
    order_id = make_orders(booking_db)()
    before = order_row(booking_db, order_id)
    at = open_app("book", [order_id])
    choose(at, "postnord:17")
    edit_details(at)
    at.selectbox(key="book_service").set_value("17")
    if at_step == 3:
        button(at, "Continue").click().run()
    assert step(at).startswith(f"Step {at_step} of 4"), [e.value for e in at.error]

    button(at, "Cancel").click().run()
    assert not at.exception, at.exception
    assert dialog_is_closed(at)
    assert order_row(booking_db, order_id) == before  # not even the typed details were saved
    assert nothing_booked(booking_db, order_id)
    assert booking_calls(httpserver) == []

    at.run()  # a live tick does not bring it back
    assert dialog_is_closed(at)


def form_widget_ids(at):
    return [w.id for w in (*at.text_input, *at.number_input, *at.selectbox)]


def test_step_2_keeps_typed_details_through_live_ticks(booking_db):
    """Typed but not submitted, the values live in the browser's form (AppTest, like the server,
    does not see them before Continue): a tick must keep the dialog on step 2 with the same
    form and widget ids, or the browser drops what was typed. Once submitted (here refused for
    one field), the values are the dialog's own state and must survive ticks with the error."""
    make = make_orders(booking_db)
    order_id = make()
    before = order_row(booking_db, order_id)
    at = open_app("book", [order_id])
    choose(at, "sandbox:home")
    ids = form_widget_ids(at)
    edit_details(at)
    at.run()  # a tick while the operator is typing
    make()  # a new order arrives between ticks
    at.run()
    assert not at.exception, at.exception
    assert step(at).startswith("Step 2 of 4")
    assert form_widget_ids(at) == ids and len(at.form) == 1
    assert order_row(booking_db, order_id) == before and nothing_booked(booking_db, order_id)

    edit_details(at)  # still in the browser's form, whose widgets kept their ids
    at.text_input(key="book_delivery_postal_code").set_value("4110")
    button(at, "Continue").click().run()
    assert step(at).startswith("Step 2 of 4")
    for _ in range(2):
        at.run()
        assert not at.exception, at.exception
        assert step(at).startswith("Step 2 of 4")
        assert shown_details(at) == EDITED
        assert at.text_input(key="book_delivery_postal_code").value == "4110"
        assert at.selectbox(key="book_service").value == "locker"
        assert [e.value for e in at.error if "5 digits" in plain(e.value)], [e.value for e in at.error]
    assert order_row(booking_db, order_id) == before and nothing_booked(booking_db, order_id)

    at.text_input(key="book_delivery_postal_code").set_value("41103")
    button(at, "Continue").click().run()  # what survived the ticks is what moves on
    assert step(at).startswith("Step 3 of 4"), [e.value for e in at.error]
    summary = " ".join(m.value for m in at.markdown)
    assert "Kungsgatan 7" in summary and "2,500 g" in summary


def test_step_3_stays_through_live_ticks_before_and_after_booking(booking_db, httpserver):
    postnord_refuses(httpserver, "consignee.postalCode invalid", once=True)
    order_id = make_orders(booking_db)()
    at = open_app("book", [order_id])
    choose(at, "postnord:17")
    edit_details(at)
    at.selectbox(key="book_service").set_value("17")
    button(at, "Continue").click().run()
    summary = [m.value for m in at.markdown if m.value.startswith("Book **")]
    assert summary and "Kungsgatan 7" in summary[0]

    for _ in range(2):  # ticks before booking: same step, same summary, nothing booked
        at.run()
        assert not at.exception, at.exception
        assert step(at).startswith("Step 3 of 4")
        assert [m.value for m in at.markdown if m.value.startswith("Book **")] == summary
        assert "Book now" in [b.label for b in at.button]
    assert booking_calls(httpserver) == [] and tracking_of(booking_db, order_id) is None

    button(at, "Book now").click().run()  # refused
    for _ in range(2):  # ticks after the refusal: the reason and Retry stay, nothing is re-sent
        at.run()
        assert step(at).startswith("Step 3 of 4")
        assert "consignee.postalCode invalid" in plain(at.error[0].value)
        assert {"Retry", "Choose another courier", "Back", "Cancel"} <= {b.label for b in at.button}
    assert len(booking_calls(httpserver)) == 1 and tracking_of(booking_db, order_id) is None

    httpserver.expect_oneshot_request(POSTNORD_BOOK, method="POST").respond_with_json(_postnord_answer())
    button(at, "Retry").click().run()
    number = tracking_of(booking_db, order_id)
    assert step(at).startswith("Step 4 of 4") and number
    for _ in range(2):  # ticks after booking: still the booked step with its number, booked once
        at.run()
        assert not at.exception, at.exception
        assert step(at).startswith("Step 4 of 4")
        assert number in at.success[0].value and not at.info  # not mistaken for someone else's booking
    assert len(booking_calls(httpserver)) == 2
    assert confirmed_attempts(booking_db, order_id) == 1


def _postnord_answer():
    from tests.booking.test_booking_failures import answer

    return answer()
