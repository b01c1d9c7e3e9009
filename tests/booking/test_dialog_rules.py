"""Core answers the order dialogs ask before offering a button: can this booking be cancelled
here (else the courier's own instruction), and can a claim be filed (with attachment names)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from perfile_core.db.tables import audit_log
from perfile_core.domain.errors import Conflict, ValidationError
from perfile_core.services.booking import book_order
from perfile_core.services.cancellation import cancel_check
from perfile_core.services.claims import claim_refusal, claims_for_order, file_claim
from perfile_core.services.order_detail import order_detail
from tests.actors import person
from tests.booking.test_claims import _lost
from tests.couriers.helpers import pdf_label_b64, sample


def test_sandbox_booking_can_be_cancelled_here(db, registry, make_order):
    order_id = make_order()
    booked = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))

    check = cancel_check(db, registry, order_id)

    assert check.can_cancel and check.instruction is None
    assert (check.courier_name, check.tracking_number) == ("Sandbox Express", booked.tracking_number)


def test_postnord_booking_gets_postnords_own_instruction_without_calling_it(
    db, httpserver, postnord_registry, make_order
):
    body = sample("postnord_booking_edi_labels_pdf_response")
    body["labelPrintout"][0]["printout"]["data"] = pdf_label_b64()
    httpserver.expect_request("/rest/shipment/v3/edi/labels/pdf").respond_with_json(body)
    order_id = make_order()
    booked = book_order(db, postnord_registry, order_id, "postnord", "19", actor=person("ops"))
    calls = len(httpserver.log)

    check = cancel_check(db, postnord_registry, order_id)

    assert not check.can_cancel and check.courier_name == "PostNord"
    assert "cancel the shipment manually in the PostNord portal" in check.instruction
    assert booked.tracking_number in check.instruction
    assert len(httpserver.log) == calls  # asking is free: PostNord has no cancel API to call


def test_nothing_to_cancel_says_so(db, registry, make_order):
    order_id = make_order()
    with pytest.raises(Conflict, match="has no shipment booked through Perfile to cancel"):
        cancel_check(db, registry, order_id)


def test_claim_refusal_names_the_rule(db, registry, make_order):
    order_id = make_order()
    order = order_detail(db, order_id).order
    assert "claims are for shipments with an exception" in claim_refusal(order)
    lost = order_detail(db, _lost(db, registry, make_order)).order
    assert claim_refusal(lost) is None


def test_claim_keeps_attachment_names_in_the_audit_log(db, registry, make_order):
    order_id = _lost(db, registry, make_order)
    file_claim(
        db,
        order_id,
        claim_type="lost",
        description="Never arrived",
        attachments=["receipt.pdf", " ", "photo 1.jpg"],
        actor=person("ops"),
    )
    with db.connect() as conn:
        details = conn.execute(select(audit_log.c.details).where(audit_log.c.action == "claim.filed")).scalar_one()
    assert details["attachments"] == ["receipt.pdf", "photo 1.jpg"]


@pytest.mark.parametrize("names", [["../etc/passwd"], ["a\nb"], [f"f{i}.jpg" for i in range(11)]])
def test_claim_refuses_odd_attachment_names_and_files_nothing(db, registry, make_order, names):
    order_id = _lost(db, registry, make_order)
    with pytest.raises(ValidationError) as caught:
        file_claim(db, order_id, claim_type="lost", description="x", attachments=names, actor=person("ops"))
    assert caught.value.field == "attachments"
    assert claims_for_order(db, order_id) == []
