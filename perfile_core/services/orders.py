"""Write side for orders: create, edit, soft-delete, attach tracking by hand."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from perfile_core.clock import utcnow
from perfile_core.db import audit_repo
from perfile_core.db.orders_repo import get_order, insert_order, update_order
from perfile_core.db.tables import orders, stores
from perfile_core.domain import store_names
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.domain.errors import Conflict, NotFound, ValidationError
from perfile_core.domain.order import Order
from perfile_core.domain.status import TERMINAL
from perfile_core.domain.tracking_numbers import couriers_for_number, tracking_format_problem
from perfile_core.services.order_input import NewOrder, OrderEdit
from perfile_core.services.tracking import apply_waiting_events, confirm_shipment
from perfile_core.services.validation import validate


def create_order(
    db: Engine,
    data: dict[str, Any],
    *,
    actor: Actor,
    tracking_number: str | None = None,
    courier: str | None = None,
) -> Order:
    """Create an order (generating an order number when none is given), with a tracking number
    attached in the same transaction when one is given: a refused number leaves no order."""
    require(actor, Permission.CREATE_ORDERS)
    if tracking_number is not None:
        require(actor, Permission.ATTACH_TRACKING)
    new = validate(NewOrder, data)
    now = utcnow()
    with db.begin() as conn:
        order_id = create_order_in(conn, new, actor=actor, now=now)
        if tracking_number is not None:
            _attach_audited(conn, order_id, tracking_number, courier, actor=actor, now=now)
        return get_order(conn, order_id)


def create_order_in(conn: Connection, new: NewOrder, *, actor: Actor, now: datetime) -> int:
    require(actor, Permission.CREATE_ORDERS)
    store_id = store_id_for(conn, new.store_key)
    values = new.model_dump(exclude={"store_key"}, exclude_none=True)
    values["store_id"] = store_id
    explicit_number = "order_number" in values
    for _attempt in range(5):
        if not explicit_number:
            values["order_number"] = _generate_order_number(now)
        try:
            with conn.begin_nested():
                order_id = insert_order(conn, values, now)
        except IntegrityError:
            if explicit_number:
                raise ValidationError(
                    "order_number", f"{values['order_number']} already exists in this store"
                ) from None
            continue
        audit_repo.record(
            conn,
            actor,
            "order.created",
            order_id,
            {"order_number": values["order_number"]},
            now,
            after=new.model_dump(mode="json", exclude_none=True),
        )
        return order_id
    raise Conflict("could not generate a unique order number; try again")


def _generate_order_number(now: datetime) -> str:
    return f"PF-{now:%y%m%d}-{secrets.token_hex(3).upper()}"


def store_id_for(conn: Connection, store_key: str) -> int:
    store_id = conn.execute(select(stores.c.id).where(stores.c.key == store_names.store_key(store_key))).scalar()
    if store_id is None:
        raise ValidationError("store_key", f"unknown store {store_key!r}")
    return store_id


def edit_order(db: Engine, order_id: int, changes: dict[str, Any], *, actor: Actor) -> Order:
    require(actor, Permission.EDIT_ORDERS)
    edit = validate(OrderEdit, changes)
    values = edit.model_dump(exclude_unset=True)
    if "customer_name" in values and not values["customer_name"]:
        raise ValidationError("customer_name", "cannot be empty")
    now = utcnow()
    with db.begin() as conn:
        before = get_order(conn, order_id, for_update=True)
        if values:
            update_order(conn, order_id, values, now)
            old = {key: getattr(before, key, None) for key in values}
            audit_repo.record(
                conn,
                actor,
                "order.edited",
                order_id,
                {"changes": _jsonable(values), "before": _jsonable(old)},
                now,
                before=_jsonable(old),
                after=_jsonable(values),
            )
        return get_order(conn, order_id)


def soft_delete_order(db: Engine, order_id: int, *, actor: Actor, reason: str) -> None:
    """Hide an order from every list; the reason is required because the audit log is the
    only place that says why an order vanished (and `restore_order` brings it back)."""
    require(actor, Permission.DELETE_ORDERS)
    reason = reason.strip()
    if not reason:
        raise ValidationError("reason", "say why the order is deleted; it goes into the audit log")
    if len(reason) > 500:
        raise ValidationError("reason", "at most 500 characters")
    now = utcnow()
    with db.begin() as conn:
        get_order(conn, order_id, for_update=True)
        update_order(conn, order_id, {"deleted_at": now}, now)
        audit_repo.record(
            conn,
            actor,
            "order.deleted",
            order_id,
            {"reason": reason},
            now,
            before={"deleted_at": None},
            after={"deleted_at": now.isoformat()},
        )


def restore_order(db: Engine, order_id: int, *, actor: Actor) -> Order:
    """Undo a soft delete: the order is back in every list, and the audit log says who did it."""
    require(actor, Permission.RESTORE_ORDERS)
    now = utcnow()
    with db.begin() as conn:
        query = select(orders.c.order_number, orders.c.deleted_at).where(orders.c.id == order_id)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"order {order_id} does not exist")
        if row.deleted_at is None:
            raise Conflict(f"order {row.order_number} is not deleted; nothing to restore")
        update_order(conn, order_id, {"deleted_at": None}, now)
        deleted_at = row.deleted_at.isoformat()
        audit_repo.record(
            conn,
            actor,
            "order.restored",
            order_id,
            {"deleted_at": deleted_at},
            now,
            before={"deleted_at": deleted_at},
            after={"deleted_at": None},
        )
        return get_order(conn, order_id)


def attach_tracking(
    db: Engine,
    order_id: int,
    tracking_number: str,
    courier: str | None,
    *,
    actor: Actor,
    service_type: str | None = None,
) -> Order:
    """Attach a tracking number by hand; events that were waiting for it are applied. Without a
    courier, the order's courier is used, else the one whose format the number has (`tracking_courier`)."""
    require(actor, Permission.ATTACH_TRACKING)
    if courier is None:
        with db.connect() as conn:
            courier = tracking_courier(tracking_number, get_order(conn, order_id).courier)
    checked_tracking(tracking_number, courier)
    now = utcnow()
    with db.begin() as conn:
        _attach_audited(conn, order_id, tracking_number, courier, actor=actor, now=now, service_type=service_type)
        return get_order(conn, order_id)


def tracking_courier(tracking_number: str, order_courier: str | None = None) -> str:
    """The courier for a hand-typed number when none was chosen: the order's own courier, else the
    one courier whose published format (check digit included) the number is in."""
    if order_courier is not None and order_courier in COURIER_NAMES:
        return order_courier
    matches = couriers_for_number(_typed_number(tracking_number))
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(COURIER_NAMES[code] for code in matches)
        raise ValidationError("courier", f"the number is in a format {names} all use: choose the courier")
    raise ValidationError("courier", "no courier we know prints numbers like this one: choose the courier")


def checked_tracking(tracking_number: str, courier: str | None) -> str:
    """A hand-typed tracking number as stored (no spaces, upper case), or a ValidationError."""
    number = _typed_number(tracking_number)
    if not courier:
        raise ValidationError("courier", "choose the courier this tracking number belongs to")
    if courier not in COURIER_NAMES:
        raise ValidationError("courier", f"unknown courier {courier!r}; known: {', '.join(COURIER_NAMES)}")
    # Only typed numbers are checked: numbers from webshops and couriers are stored as sent.
    problem = tracking_format_problem(courier, number)
    if problem:
        raise ValidationError("tracking_number", problem)
    return number


def _typed_number(tracking_number: str) -> str:
    number = tracking_number.strip().replace(" ", "")
    if not number or len(number) > 64 or not number.isalnum():
        raise ValidationError("tracking_number", "use 1-64 letters and digits")
    return number.upper()


def _attach_audited(
    conn: Connection,
    order_id: int,
    tracking_number: str,
    courier: str | None,
    *,
    actor: Actor,
    now: datetime,
    service_type: str | None = None,
) -> None:
    require(actor, Permission.ATTACH_TRACKING)
    number = checked_tracking(tracking_number, courier)
    order = get_order(conn, order_id, for_update=True)
    if order.order_status in TERMINAL:
        raise Conflict(f"order {order.order_number} is {order.order_status}; tracking cannot change")
    attach_tracking_in(conn, order_id, number, courier, now, service_type=service_type)
    audit_repo.record(
        conn,
        actor,
        "tracking.attached",
        order_id,
        {"tracking_number": number, "courier": courier, "previous": order.tracking_number},
        now,
        before={"tracking_number": order.tracking_number, "courier": order.courier},
        after={"tracking_number": number, "courier": courier},
    )


def attach_tracking_in(
    conn: Connection,
    order_id: int,
    tracking_number: str,
    courier: str | None,
    now: datetime,
    *,
    courier_name: str | None = None,
    service_type: str | None = None,
) -> None:
    """Inside a transaction: store tracking, confirm the shipment, apply waiting events."""
    values: dict[str, Any] = {"tracking_number": tracking_number, "courier": courier}
    if courier_name is not None:
        values["courier_name"] = courier_name
    if service_type is not None:
        values["service_type"] = service_type
    update_order(conn, order_id, values, now)
    confirm_shipment(conn, order_id, now)
    apply_waiting_events(conn, order_id, tracking_number, now)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in values.items()}
