"""The New order dialog in AppTest: its three ways on, field messages, duplicates, and a
refused write that leaves nothing behind."""

from __future__ import annotations

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from perfile_core.db.tables import orders
from perfile_core.domain.status import Status
from perfile_core.services.order_detail import find_order, order_detail
from tests.core.helpers import T0, push_event
from tests.dashboard.dialog_helpers import (
    PAGE,
    captions,
    click,
    message_under,
    new_order,
    open_name,
    shown,
    toasts,
)
from ui.dialogs import OPEN_DIALOG_KEY

KEY = "new_order"


def open_form() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=30).run()
    return click(at, "New order")  # the Orders page header's button


def fill(at: AppTest, **values) -> AppTest:
    fields = {
        "customer_name": "Ola Nordmann",
        "address_line1": "Karl Johans gate 1",
        "postal_code": "0154",
        "city": "Oslo",
        "country_code": "NO",
        **values,
    }
    for name, value in fields.items():
        if name == "weight_grams":
            at.number_input(key=f"{KEY}_{name}").set_value(value)
        elif name == "courier":
            at.selectbox(key=f"{KEY}_courier").set_value(value)
        else:
            at.text_input(key=f"{KEY}_{name}").input(value)
    return at


def count_orders(db) -> int:
    with db.connect() as conn:
        return conn.execute(select(func.count()).select_from(orders)).scalar_one()


def test_new_order_with_a_tracking_number_applies_waiting_events(app_db):
    push_event(app_db, "370438101268058536", "IN_TRANSIT", T0, location="Oslo")  # came before the order
    at = fill(open_form(), order_number="NO-1", tracking_number="370438101268058536", courier="bring")
    click(at, "Save with tracking number")

    assert not at.exception
    assert open_name(at) is None
    order = order_detail(app_db, find_order(app_db, "NO-1")).order
    assert order.tracking_number == "370438101268058536" and order.courier == "bring"
    assert order.order_status == Status.IN_TRANSIT and order.latest_event_location == "Oslo"
    assert "NO-1 saved with tracking number 370438101268058536" in toasts(at)


def test_save_and_book_continues_into_the_booking_dialog(app_db):
    at = fill(open_form(), order_number="NO-2", courier="sandbox")
    click(at, "Save and book shipment")

    assert not at.exception
    order_id = find_order(app_db, "NO-2")
    dialog = at.session_state[OPEN_DIALOG_KEY]
    assert (dialog.name, dialog.order_ids) == ("book", [order_id])
    assert dialog.state["preferred_courier"] == "sandbox"
    assert order_detail(app_db, order_id).order.can_book_shipment


def test_save_without_tracking_generates_the_number(app_db):
    at = fill(open_form())
    click(at, "Save without tracking")

    assert not at.exception
    assert open_name(at) is None
    [order_id] = [row for row in range(1, 10) if _exists(app_db, row)]
    order = order_detail(app_db, order_id).order
    assert order.order_number.startswith("PF-") and not order.has_tracking
    assert order.customer_name == "Ola Nordmann" and order.country_code == "NO"
    assert f"Order {order.order_number} saved without tracking" in toasts(at)


def _exists(db, order_id: int) -> bool:
    with db.connect() as conn:
        return conn.execute(select(orders.c.id).where(orders.c.id == order_id)).first() is not None


def test_duplicate_order_number_in_the_store_is_refused_beside_the_number(app_db):
    new_order(app_db, order_number="NO-3")
    at = fill(open_form(), order_number="NO-3")
    click(at, "Save without tracking")

    assert not at.exception
    assert "NO-3 already exists in this store" in message_under(at, f"{KEY}_order_number")
    assert count_orders(app_db) == 1
    assert open_name(at) == KEY


def test_each_bad_field_gets_its_own_message(app_db):
    at = fill(open_form(), customer_name="", customer_email="nope", country_code="Norway", weight_grams=100_000)
    click(at, "Save without tracking")

    assert not at.exception
    text = captions(at)
    for message in (
        "enter the customer's name",
        "not a valid e-mail address",
        "two-letter ISO country code",
        "less than or equal to 70000",
    ):
        assert message in text, text
    assert count_orders(app_db) == 0
    assert at.text_input(key=f"{KEY}_customer_email").value == "nope"  # what was typed stays to fix
    assert "not a valid e-mail address" in message_under(at, f"{KEY}_customer_email")
    assert "two-letter ISO country code" in message_under(at, f"{KEY}_country_code")
    assert "less than or equal to 70000" in message_under(at, f"{KEY}_weight_grams")
    assert message_under(at, f"{KEY}_city") is None


def test_a_refused_tracking_number_leaves_no_order_behind(app_db):
    at = fill(open_form(), order_number="NO-4", tracking_number="not a number!", courier="bring")
    click(at, "Save with tracking number")

    assert not at.exception
    assert "use 1-64 letters and digits" in captions(at)
    assert count_orders(app_db) == 0  # the order was not saved without its tracking number

    at.text_input(key=f"{KEY}_tracking_number").input("ABC123")
    at.selectbox(key=f"{KEY}_courier").set_value(None)
    click(at, "Save with tracking number")
    assert "choose the courier this tracking number belongs to" in captions(at)
    assert count_orders(app_db) == 0

    at.text_input(key=f"{KEY}_tracking_number").input("abc")
    at.selectbox(key=f"{KEY}_courier").set_value("postnord")
    click(at, "Save with tracking number")
    under = message_under(at, f"{KEY}_tracking_number") or ""
    assert "not a PostNord tracking number" in under and "UPU S10" in under, under
    assert count_orders(app_db) == 0
    assert "Traceback" not in shown(at)
