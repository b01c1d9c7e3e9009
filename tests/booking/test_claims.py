"""Claims: who may file, the status workflow, and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from perfile_core.clock import utcnow
from perfile_core.db import audit_repo
from perfile_core.domain.errors import Conflict, ValidationError
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.services.booking import book_order
from perfile_core.services.claims import claims_for_order, file_claim, set_claim_status
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import person


def _lost(db, registry, make_order) -> int:
    order_id = make_order()
    booked = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))
    with db.begin() as conn:
        record_event(
            conn,
            TrackingEvent(
                "sandbox",
                booked.tracking_number,
                "x1",
                utcnow() - timedelta(hours=1),
                Status.EXCEPTION,
                ExceptionReason.LOST,
            ),
            utcnow(),
        )
    return order_id


def test_claim_workflow_is_audited(db, registry, make_order):
    order_id = _lost(db, registry, make_order)
    claim = file_claim(
        db,
        order_id,
        claim_type="lost",
        description="Never arrived",
        amount="249.5",
        currency="sek",
        actor=person("ops@x"),
    )
    assert (claim.status, claim.amount, claim.currency) == ("open", Decimal("249.50"), "SEK")
    assert claim.next_statuses == ["submitted"]
    with pytest.raises(Conflict, match="can move to submitted, not paid"):
        set_claim_status(db, claim.id, "paid", actor=person("ops@x"))
    for status in ("submitted", "approved", "paid"):
        claim = set_claim_status(db, claim.id, status, actor=person("ops@x"), note=f"-> {status}")
    with pytest.raises(Conflict, match="closed"):
        set_claim_status(db, claim.id, "rejected", actor=person("ops@x"))
    assert [c.status for c in claims_for_order(db, order_id)] == ["paid"]
    with db.connect() as conn:
        actions = [row["action"] for row in audit_repo.for_order(conn, order_id)]
    assert actions.count("claim.status_changed") == 3 and "claim.filed" in actions


def test_only_claimable_orders(db, registry, make_order):
    pending = make_order()
    with pytest.raises(Conflict, match="claims are for shipments with an exception"):
        file_claim(db, pending, claim_type="lost", description="?", actor=person("ops"))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"claim_type": "stolen"}, "claim_type"),
        ({"description": "  "}, "description"),
        ({"amount": "12.345", "currency": "SEK"}, "amount"),
        ({"amount": "-1", "currency": "SEK"}, "amount"),
        ({"amount": "10"}, "currency"),
    ],
)
def test_claim_validation(db, registry, make_order, kwargs, field):
    order_id = _lost(db, registry, make_order)
    values = {"claim_type": "damaged", "description": "Box crushed", **kwargs}
    with pytest.raises(ValidationError) as caught:
        file_claim(db, order_id, actor=person("ops"), **values)
    assert caught.value.field == field
