"""Roles enforced in the core (issue 12): every write service checks the acting person's role,
whatever the dashboard shows. The matrix below is the one the README states: admin does
everything, operator everything but stores/couriers/secrets, analyst nothing that writes, and
a system source (webhooks, demo orders) only what webhooks do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from perfile_core.clock import utcnow
from perfile_core.db.secret_box import SecretBox, new_key
from perfile_core.db.tables import audit_log
from perfile_core.domain.access import AccessDenied, Actor, Role, system_actor
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.domain.tracking_numbers import make_sscc
from perfile_core.services import admin
from perfile_core.services import orders as order_service
from perfile_core.services.booking import book_order
from perfile_core.services.bulk_booking import book_orders
from perfile_core.services.cancellation import cancel_booking
from perfile_core.services.claims import file_claim, set_claim_status
from perfile_core.services.notifications import notify_customer
from perfile_core.services.order_seen import mark_seen
from perfile_core.services.stored_secrets import rekey
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import ADMIN, ANALYST, OPERATOR

WEBHOOK = system_actor("webhook:shopify")
PEOPLE = {"admin": ADMIN, "operator": OPERATOR, "analyst": ANALYST, "system": WEBHOOK}


def _booked(ctx: dict[str, Any]) -> int:
    order_id = ctx["make_order"]()
    book_order(ctx["db"], ctx["registry"], order_id, "sandbox", "home", actor=ADMIN)
    return order_id


def _lost(ctx: dict[str, Any]) -> int:
    order_id = ctx["make_order"]()
    booked = book_order(ctx["db"], ctx["registry"], order_id, "sandbox", "home", actor=ADMIN)
    with ctx["db"].begin() as conn:
        at = utcnow() - timedelta(hours=1)
        event = TrackingEvent("sandbox", booked.tracking_number, "x1", at, Status.EXCEPTION, ExceptionReason.LOST)
        record_event(conn, event, utcnow())
    return order_id


def _deleted(ctx: dict[str, Any]) -> int:
    order_id = ctx["make_order"]()
    order_service.soft_delete_order(ctx["db"], order_id, actor=ADMIN, reason="test")
    return order_id


def _claim(ctx: dict[str, Any]) -> int:
    return file_claim(ctx["db"], _lost(ctx), claim_type="lost", description="gone", actor=ADMIN).id


# action -> (set-up returning what the call needs, the call with an actor)
ACTIONS: dict[str, tuple[Callable[[dict[str, Any]], Any], Callable[[dict[str, Any], Any, Actor], Any]]] = {
    "create order": (
        lambda ctx: None,
        lambda ctx, _, who: order_service.create_order(
            ctx["db"], {"store_key": "coffee", "customer_name": "Ola"}, actor=who
        ),
    ),
    "edit order": (
        lambda ctx: ctx["make_order"](),
        lambda ctx, order_id, who: order_service.edit_order(ctx["db"], order_id, {"city": "Lund"}, actor=who),
    ),
    "delete order": (
        lambda ctx: ctx["make_order"](),
        lambda ctx, order_id, who: order_service.soft_delete_order(ctx["db"], order_id, actor=who, reason="dup"),
    ),
    "restore order": (
        _deleted,
        lambda ctx, order_id, who: order_service.restore_order(ctx["db"], order_id, actor=who),
    ),
    "attach tracking": (
        lambda ctx: ctx["make_order"](),
        lambda ctx, order_id, who: order_service.attach_tracking(
            ctx["db"], order_id, make_sscc("37350045000000001"), "sandbox", actor=who
        ),
    ),
    "book": (
        lambda ctx: ctx["make_order"](),
        lambda ctx, order_id, who: book_order(ctx["db"], ctx["registry"], order_id, "sandbox", "home", actor=who),
    ),
    "bulk book": (
        lambda ctx: [ctx["make_order"](), ctx["make_order"]()],
        lambda ctx, ids, who: book_orders(ctx["db"], ctx["registry"], ids, "sandbox", "home", actor=who),
    ),
    "cancel booking": (
        _booked,
        lambda ctx, order_id, who: cancel_booking(ctx["db"], ctx["registry"], order_id, actor=who, reason="r"),
    ),
    "notify customer": (
        _booked,
        lambda ctx, order_id, who: notify_customer(ctx["db"], ctx["settings"], order_id, actor=who),
    ),
    "file claim": (
        _lost,
        lambda ctx, order_id, who: file_claim(ctx["db"], order_id, claim_type="lost", description="x", actor=who),
    ),
    "move claim": (
        _claim,
        lambda ctx, claim_id, who: set_claim_status(ctx["db"], claim_id, "submitted", actor=who),
    ),
    "mark seen": (
        lambda ctx: ctx["make_order"](),
        lambda ctx, order_id, who: mark_seen(ctx["db"], who, [order_id]),
    ),
    "add store": (
        lambda ctx: None,
        lambda ctx, _, who: admin.add_store(ctx["db"], key="new-shop", name="New", platform="manual", actor=who),
    ),
    "rotate store secret": (
        lambda ctx: admin.add_store(
            ctx["db"], key="woo", name="Woo", platform="woocommerce", webhook_secret="old", actor=ADMIN
        ),
        lambda ctx, _, who: admin.rotate_store_secret(ctx["db"], "woo", "new-secret", actor=who),
    ),
    "configure courier": (
        lambda ctx: None,
        lambda ctx, _, who: admin.configure_courier(ctx["db"], "postnord", api_key="k", actor=who),
    ),
    "re-encrypt secrets": (
        lambda ctx: None,
        lambda ctx, _, who: rekey(ctx["db"], SecretBox([new_key()]), actor=who),
    ),
}
OPERATOR_ACTIONS = {
    "create order",
    "edit order",
    "delete order",
    "restore order",
    "attach tracking",
    "book",
    "bulk book",
    "cancel booking",
    "notify customer",
    "file claim",
    "move claim",
    "mark seen",
}
ALLOWED = {
    "admin": set(ACTIONS),
    "operator": OPERATOR_ACTIONS,
    "analyst": set(),
    "system": {"create order", "edit order", "attach tracking"},
}


def _audit_count(db: Any) -> int:
    with db.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log)).scalar_one()


@pytest.mark.parametrize("role", list(PEOPLE))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_matrix(db, registry, make_order, settings, role, action):
    ctx = {"db": db, "registry": registry, "make_order": make_order, "settings": settings}
    prepare, call = ACTIONS[action]
    target = prepare(ctx)
    who = PEOPLE[role]
    if action in ALLOWED[role]:
        call(ctx, target, who)
        return
    before = _audit_count(db)
    with pytest.raises(AccessDenied) as refused:
        result = call(ctx, target, who)
        if hasattr(result, "__next__"):
            list(result)
    assert (who.email or who.name) in refused.value.detail
    assert _audit_count(db) == before  # nothing written


def test_the_refusal_names_the_person_role_and_action(db, make_order):
    order_id = make_order()
    with pytest.raises(AccessDenied) as refused:
        order_service.soft_delete_order(db, order_id, actor=ANALYST, reason="no")
    assert refused.value.detail == "analyst@perfile.test (role analyst) may not delete orders"
    assert refused.value.code == "access_denied"


def test_a_plain_name_is_not_an_actor(db, make_order):
    """Writes take an Actor: a string (the old "dashboard") is refused, not trusted."""
    order_id = make_order()
    with pytest.raises(AccessDenied):
        order_service.soft_delete_order(db, order_id, actor="dashboard", reason="no")  # type: ignore[arg-type]


def test_an_admin_analyst_cannot_change_secrets_even_with_a_store_key(db):
    """The analyst's refusal comes before any lookup: an unknown store key still says 'may not'."""
    with pytest.raises(AccessDenied):
        admin.rotate_store_secret(db, "nope", "x", actor=Actor("Ann", "ann@x.se", Role.ANALYST))
    with pytest.raises(AccessDenied):
        admin.add_store(db, key="k", name="K", platform="manual", webhook_secret="s", actor=OPERATOR)
