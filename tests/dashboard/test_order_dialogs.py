"""The order dialogs in AppTest: file a claim, edit, cancel a booking, delete with Undo.

Each test opens its dialog the way an action button does (`open_dialog` in session state) on
a bare page (dialog_page.py) against a real database on both backends."""

from __future__ import annotations

import pytest

from perfile_core.domain.errors import NotFound
from perfile_core.services import admin
from perfile_core.services import orders as order_service
from perfile_core.services.claims import claims_for_order
from perfile_core.services.order_detail import order_detail
from tests.actors import ADMIN, person
from tests.dashboard.dialog_helpers import (
    audit,
    booked_order,
    captions,
    click,
    lost_order,
    message_under,
    new_order,
    open_dialog,
    open_name,
    plain,
    shown,
    toasts,
)

# -- claim --------------------------------------------------------------------------------


def test_claim_is_filed_and_its_reference_shown(app_db):
    order_id = lost_order(app_db)
    at = open_dialog("claim", [order_id])
    at.selectbox(key="claim_type").set_value("lost")
    at.text_area(key="claim_description").input("Never arrived; the customer waited two weeks")
    at.text_input(key="claim_amount").input("249.50")
    at.text_area(key="claim_attachments").input("receipt.pdf\nphoto-1.jpg")
    click(at, "File claim")

    assert not at.exception
    [claim] = claims_for_order(app_db, order_id)
    assert (claim.claim_type, str(claim.amount), claim.currency) == ("lost", "249.50", "SEK")
    assert f"Claim #{claim.id} filed" in shown(at)
    assert audit(app_db, "claim.filed")[0]["attachments"] == ["receipt.pdf", "photo-1.jpg"]
    click(at, "Close")
    assert open_name(at) is None


def test_claim_with_a_bad_amount_says_so_beside_the_amount(app_db):
    order_id = lost_order(app_db)
    at = open_dialog("claim", [order_id])
    at.text_area(key="claim_description").input("Never arrived")
    at.text_input(key="claim_amount").input("a lot")
    click(at, "File claim")

    assert not at.exception
    assert "must be a number such as 249.50" in message_under(at, "claim_amount")
    assert claims_for_order(app_db, order_id) == []
    assert open_name(at) == "claim"  # still open, with what was typed
    assert at.text_area(key="claim_description").value == "Never arrived"


def test_claim_not_allowed_says_why_and_offers_no_form(app_db):
    order_id = booked_order(app_db)
    at = open_dialog("claim", [order_id])

    assert not at.exception
    assert "claims are for shipments with an exception" in shown(at)
    assert "File claim" not in [button.label for button in at.button]


# -- edit ---------------------------------------------------------------------------------


def test_edit_is_audited_with_before_and_after(app_db):
    order_id = new_order(app_db)
    at = open_dialog("edit", [order_id])
    assert "already has this shipment" not in shown(at)  # nothing booked yet
    at.text_input(key=f"edit_{order_id}_city").input("Lund")
    at.number_input(key=f"edit_{order_id}_weight_grams").set_value(1500)
    click(at, "Save changes")

    assert not at.exception
    assert open_name(at) is None
    order = order_detail(app_db, order_id).order
    assert (order.city, order.weight_grams) == ("Lund", 1500)
    [details] = audit(app_db, "order.edited")
    assert details["changes"] == {"city": "Lund", "weight_grams": 1500}
    assert details["before"] == {"city": "Göteborg", "weight_grams": 1200}
    assert "saved" in toasts(at)


def test_edit_of_a_booked_order_says_what_the_courier_has(app_db):
    order_id = booked_order(app_db)
    at = open_dialog("edit", [order_id])

    notice = "\n".join(plain(warning.value) for warning in at.warning)
    assert "Sandbox Express already has this shipment" in notice
    assert "Storgatan 1" in notice and "1200 g" in notice
    assert "do not reach Sandbox Express" in notice

    at.text_input(key=f"edit_{order_id}_address_line1").input("Kungsgatan 2")
    click(at, "Save changes")

    assert not at.exception
    assert "Sandbox Express still has the old address" in toasts(at), toasts(at)
    assert order_detail(app_db, order_id).order.address_line1 == "Kungsgatan 2"


def test_edit_refused_field_is_named_and_nothing_changes(app_db):
    order_id = new_order(app_db)
    at = open_dialog("edit", [order_id])
    at.text_input(key=f"edit_{order_id}_customer_email").input("not-an-email")
    click(at, "Save changes")

    assert not at.exception
    assert "not a valid e-mail address" in captions(at)
    assert order_detail(app_db, order_id).order.customer_email == "anna@example.se"
    assert audit(app_db, "order.edited") == []


# -- cancel -------------------------------------------------------------------------------


def test_cancel_a_sandbox_booking(app_db):
    order_id = booked_order(app_db)
    at = open_dialog("cancel", [order_id])
    at.text_input(key=f"cancel_reason_{order_id}").input("customer changed the address")
    click(at, "Cancel booking")

    assert not at.exception
    order = order_detail(app_db, order_id).order
    assert order.can_book_shipment and order.tracking_number is None
    assert open_name(at) is None
    assert audit(app_db, "shipment.cancelled")[0]["reason"] == "customer changed the address"


def test_postnord_booking_shows_postnords_instruction_and_no_cancel_button(app_db, httpserver):
    from tests.couriers.conftest import RATES
    from tests.couriers.helpers import pdf_label_b64, sample

    admin.configure_courier(
        app_db, "postnord", api_key="pn-key", base_url=httpserver.url_for(""), settings={"rates": RATES}, actor=ADMIN
    )
    body = sample("postnord_booking_edi_labels_pdf_response")
    body["labelPrintout"][0]["printout"]["data"] = pdf_label_b64()
    httpserver.expect_request("/rest/shipment/v3/edi/labels/pdf").respond_with_json(body)
    order_id = booked_order(app_db, "postnord", "19")

    at = open_dialog("cancel", [order_id])

    assert not at.exception
    assert "Ops must cancel the shipment manually in the PostNord portal" in shown(at)
    assert "Cancel booking" not in [button.label for button in at.button]
    assert order_detail(app_db, order_id).order.has_tracking


# -- delete and Undo ----------------------------------------------------------------------


def test_delete_needs_a_reason_then_undo_restores(app_db):
    order_id = new_order(app_db, order_number="PF-DEL-1")
    at = open_dialog("delete", [order_id])
    click(at, "Delete order")

    assert "say why the order is deleted" in captions(at)
    assert order_detail(app_db, order_id).order.id == order_id  # still there

    at.text_input(key=f"delete_reason_{order_id}").input("customer ordered twice")
    click(at, "Delete order")

    assert not at.exception
    assert open_name(at) is None
    with pytest.raises(NotFound):
        order_detail(app_db, order_id)
    assert audit(app_db, "order.deleted") == [{"reason": "customer ordered twice"}]
    assert "PF-DEL-1 deleted" in toasts(at)
    assert "Order **PF-DEL-1** deleted" in shown(at)

    click(at, "Undo")

    assert not at.exception
    assert order_detail(app_db, order_id).order.order_number == "PF-DEL-1"
    assert len(audit(app_db, "order.restored")) == 1
    assert "Undo" not in [button.label for button in at.button]
    assert "restored" in toasts(at)


def test_an_order_deleted_meanwhile_is_a_message_not_a_traceback(app_db):
    order_id = new_order(app_db)
    order_service.soft_delete_order(app_db, order_id, actor=person("someone else"), reason="duplicate")
    at = open_dialog("edit", [order_id])

    assert not at.exception
    assert f"order {order_id} does not exist" in shown(at)
    click(at, "Close")
    assert open_name(at) is None
