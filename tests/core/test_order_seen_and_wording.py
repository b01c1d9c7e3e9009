"""What an operator has looked at (services/order_seen) and the audit trail in words
(services/audit_wording), on SQLite and PostgreSQL, through the real write services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from perfile_core.clock import utcnow
from perfile_core.domain.access import Actor, Role
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.tracking_numbers import make_s10, make_sscc
from perfile_core.services import claims as claim_service
from perfile_core.services import orders as order_service
from perfile_core.services.order_detail import order_detail
from perfile_core.services.order_seen import mark_seen, seen_times
from tests.actors import OPERATOR, person
from tests.core.helpers import T0, bring_number, make_order, make_store, push_event

ASTRID = Actor("Astrid", "Astrid@Example.se", Role.OPERATOR)


def test_seen_times_are_per_operator_and_a_later_look_replaces_the_earlier(db):
    make_store(db)
    first, second = make_order(db), make_order(db)
    mark_seen(db, OPERATOR, [first.id], now=T0)
    mark_seen(db, ASTRID, [first.id, second.id], now=T0 + timedelta(hours=1))
    assert seen_times(db, OPERATOR, [first.id, second.id]) == {first.id: T0}
    mark_seen(db, OPERATOR, [first.id, first.id, second.id], now=T0 + timedelta(hours=2))
    later = T0 + timedelta(hours=2)
    assert seen_times(db, OPERATOR, [first.id, second.id]) == {first.id: later, second.id: later}
    assert seen_times(db, ASTRID, [first.id]) == {first.id: T0 + timedelta(hours=1)}
    assert seen_times(db, OPERATOR, []) == {}
    with pytest.raises(ValidationError):
        mark_seen(db, person("  ", Role.OPERATOR), [first.id])


def test_an_order_changed_after_the_look_is_marked_until_looked_at_again(db):
    make_store(db)
    number = bring_number(7)
    order = order_service.attach_tracking(db, make_order(db).id, number, "bring", actor=person("test"))
    mark_seen(db, OPERATOR, [order.id])
    looked = seen_times(db, OPERATOR, [order.id])[order.id]
    assert order_detail(db, order.id).order.indicators(utcnow(), looked) == ()
    push_event(db, number, "IN_TRANSIT", utcnow())
    changed = order_detail(db, order.id).order
    assert changed.indicators(utcnow(), looked)[0].value == "updated"
    mark_seen(db, OPERATOR, [order.id], now=changed.updated_at + timedelta(seconds=1))  # opened again
    again = seen_times(db, OPERATOR, [order.id])[order.id]
    assert "updated" not in [signal.value for signal in changed.indicators(utcnow(), again)]


def audit_texts(db, order_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    entries = [entry for entry in order_detail(db, order_id).timeline if entry.kind == "audit"]
    return [(entry.title, entry.detail) for entry in reversed(entries)]  # oldest first


def test_the_timeline_says_what_changed_with_old_and_new_values(db):
    make_store(db)
    order = make_order(db, order_number="TEL-7", customer_phone="+46701234567")
    first = make_s10("RR", 47_312_482, "SE")
    order_service.attach_tracking(db, order.id, first, "postnord", actor=person("dashboard"))
    second = "00" + make_sscc("37350045000000001")
    order_service.attach_tracking(db, order.id, second, None, actor=person("cli"))  # the order's courier
    order_service.edit_order(
        db, order.id, {"customer_name": "Astrid L", "customer_phone": ""}, actor=person("dashboard")
    )
    order_service.soft_delete_order(db, order.id, actor=person("dashboard"), reason="customer ordered twice")
    order_service.restore_order(db, order.id, actor=person("dashboard"))
    assert audit_texts(db, order.id) == [
        ("Order TEL-7 created by test", ""),
        (f"Tracking number {first} (PostNord) attached by dashboard (was none)", ""),
        (f"Tracking number {second} (PostNord) replaced by command line (was {first})", ""),
        ("Order edited by dashboard", "Customer name: Anna Svensson → Astrid L\nPhone: +46701234567 → none"),
        ("Order deleted by dashboard", "Reason: customer ordered twice"),
        ("Order restored by dashboard (Undo of a delete)", ""),
    ]
    assert not any("." in title.split(" ")[0] for title, _ in audit_texts(db, order.id))  # no "order.created"


def test_claims_and_webhook_orders_in_words(db):
    make_store(db)
    number = bring_number(8)
    order = order_service.attach_tracking(db, make_order(db).id, number, "bring", actor=person("test"))
    push_event(db, number, "DEVIATION", utcnow())
    claim = claim_service.file_claim(
        db, order.id, claim_type="delayed", description="Late", amount="250", currency="SEK", actor=person("dashboard")
    )
    claim_service.set_claim_status(db, claim.id, "submitted", actor=person("dashboard"), note="sent to Bring")
    texts = audit_texts(db, order.id)
    assert any(
        title.startswith("Claim filed by dashboard: delayed, 250") and title.endswith(" SEK") for title, _ in texts
    )
    assert (f"Claim {claim.id} moved by dashboard: open → submitted", "Note: sent to Bring") in texts


def test_migration_0008_both_ways(db):
    from sqlalchemy import inspect

    from perfile_core.db.migrate import downgrade, migrate

    downgrade(db, "0008-1")
    assert "order_seen" not in inspect(db).get_table_names()
    migrate(db)
    assert "order_seen" in inspect(db).get_table_names()
    make_store(db)
    order = make_order(db)
    mark_seen(db, OPERATOR, [order.id], now=T0)
    assert seen_times(db, OPERATOR, [order.id]) == {order.id: T0}
