"""Write side on SQLite and PostgreSQL: create, validate, edit, delete, attach tracking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from perfile_core.db.tables import audit_log, orders
from perfile_core.domain.errors import Conflict, NotFound, ValidationError
from perfile_core.domain.status import Status
from perfile_core.services import orders as order_service
from perfile_core.services.order_detail import order_detail
from tests.actors import person
from tests.core.helpers import T0, bring_number, make_order, make_store, push_event


def test_create_generates_order_number_and_audits(db):
    make_store(db)
    order = make_order(db, customer_email="Anna@Example.SE", country_code="se")
    assert order.order_number.startswith("PF-")
    assert order.order_status == Status.PENDING
    assert order.customer_email == "anna@example.se"
    assert order.country_code == "SE"
    assert order.can_book_shipment
    with db.connect() as conn:
        actions = conn.execute(select(audit_log.c.action).where(audit_log.c.order_id.is_not(None))).scalars().all()
    assert actions == ["order.created"]


def test_generated_numbers_are_unique(db):
    make_store(db)
    numbers = {make_order(db).order_number for _ in range(20)}
    assert len(numbers) == 20


@pytest.mark.parametrize(
    ("fields", "field", "reason_part"),
    [
        ({"customer_name": ""}, "customer_name", "enter the customer's name"),
        ({"customer_name": None}, "customer_name", "enter the customer's name"),
        ({"customer_email": "not-an-email"}, "customer_email", "e-mail"),
        ({"country_code": "Sweden"}, "country_code", "two-letter"),
        ({"weight_grams": -5}, "weight_grams", "greater than 0"),
        ({"weight_grams": 100_000}, "weight_grams", "less than or equal"),
        ({"customer_phone": "call me"}, "customer_phone", "digits"),
        ({"order_number": "bad number!"}, "order_number", "pattern"),
        ({"surprise": 1}, "surprise", "not permitted"),
    ],
)
def test_validation_names_the_field(db, fields, field, reason_part):
    make_store(db)
    with pytest.raises(ValidationError) as caught:
        make_order(db, **fields)
    assert caught.value.field == field
    assert reason_part in caught.value.reason
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(orders)).scalar_one() == 0


def test_unknown_store_and_duplicate_number(db):
    make_store(db)
    with pytest.raises(ValidationError, match="unknown store"):
        make_order(db, store_key="nope")
    make_order(db, order_number="A-1")
    with pytest.raises(ValidationError, match="already exists"):
        make_order(db, order_number="A-1")


def test_edit_changes_only_given_fields_and_advances_cursor(db):
    make_store(db)
    order = make_order(db, city="Malmö", postal_code="21122")
    edited = order_service.edit_order(db, order.id, {"city": "Lund"}, actor=person("ops"))
    assert edited.city == "Lund"
    assert edited.postal_code == "21122"
    assert edited.change_cursor > order.change_cursor
    with pytest.raises(ValidationError):
        order_service.edit_order(db, order.id, {"weight_grams": 0}, actor=person("ops"))


def test_soft_delete_hides_order_and_keeps_audit(db):
    make_store(db)
    order = make_order(db)
    order_service.soft_delete_order(db, order.id, actor=person("ops"), reason="duplicate")
    with pytest.raises(NotFound):
        order_detail(db, order.id)
    with db.connect() as conn:
        assert conn.execute(select(orders.c.deleted_at).where(orders.c.id == order.id)).scalar() is not None
        assert "order.deleted" in conn.execute(select(audit_log.c.action)).scalars().all()


def test_attach_tracking_confirms_and_applies_waiting_events(db):
    make_store(db)
    order = make_order(db)
    # The courier's events arrive before anyone told us the tracking number.
    push_event(db, "370438101268058536", "HANDED_IN", T0)
    push_event(db, "370438101268058536", "IN_TRANSIT", T0 + timedelta(hours=5), location="Oslo")
    attached = order_service.attach_tracking(db, order.id, "370438101268058536", "bring", actor=person("ops"))
    assert attached.order_status == Status.IN_TRANSIT
    assert attached.latest_event_location == "Oslo"
    assert attached.can_track and not attached.can_book_shipment
    assert len(order_detail(db, order.id).events) == 2


def test_attach_tracking_rejects_bad_input_and_terminal_orders(db):
    make_store(db)
    order = make_order(db)
    with pytest.raises(ValidationError) as caught:
        order_service.attach_tracking(db, order.id, "no spaces?!", "bring", actor=person("ops"))
    assert caught.value.field == "tracking_number"
    with pytest.raises(ValidationError) as caught:
        order_service.attach_tracking(db, order.id, "ABC123", "pigeon", actor=person("ops"))
    assert caught.value.field == "courier"
    order_service.attach_tracking(db, order.id, bring_number(123), "bring", actor=person("ops"))
    push_event(db, bring_number(123), "DELIVERED", T0)
    with pytest.raises(Conflict, match="delivered"):
        order_service.attach_tracking(db, order.id, bring_number(999), "bring", actor=person("ops"))


def test_a_typed_number_not_in_the_couriers_format_is_refused_and_changes_nothing(db):
    make_store(db)
    order = make_order(db)
    order_service.attach_tracking(db, order.id, "RR473124829SE", "postnord", actor=person("ops"))
    with db.connect() as conn:
        audit_before = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()

    with pytest.raises(ValidationError) as caught:
        order_service.attach_tracking(db, order.id, "abc", "postnord", actor=person("ops"))

    assert caught.value.field == "tracking_number"
    assert caught.value.reason.startswith("not a PostNord tracking number; PostNord uses: UPU S10")
    assert '"00" + 18-digit SSCC' in caught.value.reason
    with pytest.raises(ValidationError, match="check digit does not match") as caught:
        order_service.attach_tracking(db, order.id, "RR473124828SE", "postnord", actor=person("ops"))
    assert caught.value.field == "tracking_number"
    after = order_detail(db, order.id).order
    assert (after.tracking_number, after.courier) == ("RR473124829SE", "postnord")
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == audit_before


def test_stranded_events_are_applied_by_the_safety_net(db):
    """An event stored unmatched while its order got the number in a parallel transaction."""
    from sqlalchemy import update

    from perfile_core.db.tables import orders as orders_table
    from perfile_core.services.tracking import apply_stranded_events

    make_store(db)
    order = make_order(db)
    push_event(db, "370438101268058536", "HANDED_IN", T0)
    # Simulate the race: the number lands on the order without the waiting-event step.
    with db.begin() as conn:
        conn.execute(
            update(orders_table)
            .where(orders_table.c.id == order.id)
            .values(
                tracking_number="370438101268058536", courier="bring", order_status="confirmed", main_status="confirmed"
            )
        )
    assert apply_stranded_events(db) == 1
    detail = order_detail(db, order.id)
    assert detail.order.order_status == Status.PICKED_UP
    assert len(detail.events) == 1
    assert apply_stranded_events(db) == 0  # nothing left
