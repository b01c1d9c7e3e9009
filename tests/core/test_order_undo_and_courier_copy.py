"""Operator dialogs' core rules on SQLite and PostgreSQL: undoing a delete, a new order with its
tracking number in one transaction, and what the courier still holds after an edit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from perfile_core.db.tables import audit_log, orders
from perfile_core.domain.errors import Conflict, NotFound, ValidationError
from perfile_core.domain.status import Status
from perfile_core.services import orders as order_service
from perfile_core.services.courier_copy import courier_copy
from perfile_core.services.order_detail import order_detail
from perfile_core.services.queries import list_orders
from tests.actors import person
from tests.core.helpers import T0, bring_number, make_order, make_store, push_event


def _actions(db, order_id):
    with db.connect() as conn:
        query = select(audit_log.c.action, audit_log.c.actor).where(audit_log.c.order_id == order_id)
        return [tuple(row) for row in conn.execute(query.order_by(audit_log.c.id))]


def test_restore_brings_a_deleted_order_back_and_audits_it(db):
    make_store(db)
    order = make_order(db, order_number="A-7")
    order_service.soft_delete_order(db, order.id, actor=person("ops"), reason="looked like a duplicate")

    restored = order_service.restore_order(db, order.id, actor=person("ops2"))

    assert restored.order_number == "A-7"
    assert order_detail(db, order.id).order.id == order.id
    assert _actions(db, order.id)[-2:] == [("order.deleted", "ops"), ("order.restored", "ops2")]
    with pytest.raises(Conflict, match="A-7 is not deleted"):
        order_service.restore_order(db, order.id, actor=person("ops"))
    with pytest.raises(NotFound):
        order_service.restore_order(db, order.id + 999, actor=person("ops"))


def test_a_delete_needs_a_reason(db):
    make_store(db)
    order = make_order(db)
    with pytest.raises(ValidationError) as caught:
        order_service.soft_delete_order(db, order.id, actor=person("ops"), reason="   ")
    assert caught.value.field == "reason"
    assert order_detail(db, order.id).order.id == order.id  # still there


def test_new_order_with_tracking_applies_waiting_events(db):
    make_store(db)
    push_event(db, "370438101268058536", "IN_TRANSIT", T0, location="Oslo")
    order = order_service.create_order(
        db,
        {"store_key": "shop", "customer_name": "Ola"},
        actor=person("ops"),
        tracking_number="3704 3810 1268 058536",
        courier="bring",
    )
    assert order.tracking_number == "370438101268058536"
    assert order.order_status == Status.IN_TRANSIT and order.latest_event_location == "Oslo"
    assert [action for action, _ in _actions(db, order.id)] == ["order.created", "tracking.attached"]


@pytest.mark.parametrize(
    ("number", "courier", "field"),
    [("no way!", "bring", "tracking_number"), ("ABC123", "pigeon", "courier"), ("abc", "postnord", "tracking_number")],
)
def test_a_refused_tracking_number_leaves_no_new_order(db, number, courier, field):
    make_store(db)
    with pytest.raises(ValidationError) as caught:
        order_service.create_order(
            db,
            {"store_key": "shop", "customer_name": "Ola"},
            actor=person("ops"),
            tracking_number=number,
            courier=courier,
        )
    assert caught.value.field == field
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(orders)).scalar_one() == 0
        assert conn.execute(select(func.count()).where(audit_log.c.order_id.is_not(None))).scalar_one() == 0


def test_duplicate_order_number_is_per_store(db):
    make_store(db)
    make_store(db, key="other")
    make_order(db, order_number="A-1")
    make_order(db, store_key="other", order_number="A-1")  # another store may use it
    with pytest.raises(ValidationError) as caught:
        make_order(db, order_number="A-1")
    assert caught.value.field == "order_number" and "already exists in this store" in caught.value.reason
    assert list_orders(db).total == 2


def test_courier_copy_is_none_before_any_shipment(db):
    make_store(db)
    order = make_order(db, city="Malmö")
    assert courier_copy(db, order.id) is None


def test_courier_copy_keeps_the_booked_values_through_several_edits(db):
    make_store(db)
    order = make_order(db, address_line1="Storgatan 1", city="Malmö", postal_code="21122", weight_grams=1200)
    order_service.edit_order(
        db, order.id, {"city": "Lund"}, actor=person("ops")
    )  # before booking: the courier gets Lund
    order_service.attach_tracking(db, order.id, bring_number(123), "bring", actor=person("ops"))
    order_service.edit_order(db, order.id, {"address_line1": "Kungsgatan 2", "weight_grams": 1500}, actor=person("ops"))
    edited = order_service.edit_order(db, order.id, {"address_line1": "Drottninggatan 3"}, actor=person("ops"))

    copy = courier_copy(db, order.id)

    assert copy is not None and copy.courier_name == "Bring" and copy.tracking_number == bring_number(123)
    assert copy.values["address_line1"] == "Storgatan 1" and copy.values["city"] == "Lund"
    assert copy.values["weight_grams"] == 1200
    assert copy.unreached(edited) == {
        "address_line1": ("Storgatan 1", "Drottninggatan 3"),
        "weight_grams": (1200, 1500),
    }
    assert copy.unreached_by({"city": "Lund", "postal_code": "22100", "notes": "ring twice"}) == ["postal_code"]


def test_a_new_tracking_number_resets_what_the_courier_holds(db):
    make_store(db)
    order = make_order(db, city="Malmö")
    order_service.attach_tracking(db, order.id, bring_number(123), "bring", actor=person("ops"))
    order_service.edit_order(db, order.id, {"city": "Lund"}, actor=person("ops"))
    order_service.attach_tracking(db, order.id, bring_number(789), "bring", actor=person("ops"))  # rebooked with Lund

    copy = courier_copy(db, order.id)

    assert copy is not None and copy.values["city"] == "Lund"
    assert copy.unreached(order_detail(db, order.id).order) == {}
