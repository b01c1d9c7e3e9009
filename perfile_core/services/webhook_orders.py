"""Applying a webshop's order or fulfillment to Perfile, inside the delivery's transaction.

New orders go through the core write path (create_order_in, attach_tracking_in); an older
payload never overwrites a newer one (orders.source_updated_at).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, text

from perfile_core.db.orders_repo import update_order
from perfile_core.db.tables import orders
from perfile_core.domain.access import system_actor
from perfile_core.domain.errors import PayloadError, ValidationError
from perfile_core.domain.status import TERMINAL, Status
from perfile_core.services.order_input import NewOrder, OrderEdit
from perfile_core.services.orders import attach_tracking_in, create_order_in
from perfile_core.services.validation import validate
from perfile_core.services.webhook_secrets import Source
from perfile_core.webshops.intake import FulfillmentIntake, OrderIntake, TrackingInfo

# Contact details a webshop lets customers type freely: a bad one is dropped, not fatal.
LENIENT_FIELDS = frozenset({"customer_email", "customer_phone", "country_code", "weight_grams", "postal_code", "notes"})


@dataclass(frozen=True)
class Applied:
    order_id: int | None
    ignored: str | None = None  # why nothing changed, when nothing did

    @property
    def changed(self) -> tuple[int, ...]:
        return () if self.ignored or self.order_id is None else (self.order_id,)


def apply_order(conn: Connection, store: Source, intake: OrderIntake, now: datetime) -> Applied:
    _lock_external_id(conn, store.id, intake.external_id)
    row = _find(conn, store.id, intake.external_id)
    if row is None:
        order_id = _create(conn, store, intake, now)
    else:
        order_id = row.id
        if row.deleted_at is not None:
            return Applied(order_id, "the order was deleted in Perfile")
        if _older(intake.source_updated_at, row.source_updated_at):
            return Applied(order_id, "older than the version we have")
        edit = _lenient(OrderEdit, intake.order_fields(), {})
        values = edit.model_dump(exclude_unset=True)
        if intake.source_updated_at is not None:
            values["source_updated_at"] = intake.source_updated_at
        update_order(conn, order_id, values, now)
    _attach(conn, order_id, intake.tracking, now)
    return Applied(order_id)


def apply_fulfillment(conn: Connection, store: Source, intake: FulfillmentIntake, now: datetime) -> Applied:
    _lock_external_id(conn, store.id, intake.order_external_id)
    row = _find(conn, store.id, intake.order_external_id)
    if row is None:
        return Applied(None, "order not known yet; its orders/updated delivery will carry the tracking")
    if row.deleted_at is not None:
        return Applied(row.id, "the order was deleted in Perfile")
    if intake.tracking is None or not _attach(conn, row.id, intake.tracking, now):
        return Applied(row.id, "no new tracking number")
    return Applied(row.id)


def _attach(conn: Connection, order_id: int, tracking: TrackingInfo | None, now: datetime) -> bool:
    if tracking is None:
        return False
    current = conn.execute(select(orders.c.tracking_number, orders.c.order_status).where(orders.c.id == order_id)).one()
    if current.tracking_number == tracking.number or Status(current.order_status) in TERMINAL:
        return False
    attach_tracking_in(conn, order_id, tracking.number, tracking.courier, now, courier_name=tracking.courier_name)
    return True


def _create(conn: Connection, store: Source, intake: OrderIntake, now: datetime) -> int:
    extra: dict[str, Any] = {
        "store_key": store.key,
        "external_id": intake.external_id,
        "order_number": re.sub(r"[^A-Za-z0-9#._/-]", "-", intake.order_number),
        "source_updated_at": intake.source_updated_at,
        "created_at": intake.created_at,
    }
    new = _lenient(NewOrder, intake.order_fields(), extra)
    try:
        with conn.begin_nested():
            return create_order_in(conn, new, actor=system_actor(f"webhook:{store.platform}"), now=now)
    except ValidationError as exc:
        if exc.field != "order_number":
            raise
    # The webshop's number is taken in this store (e.g. by a manual order): keep both apart.
    renamed = new.model_copy(update={"order_number": f"{new.order_number}-{intake.external_id}"[:64]})
    return create_order_in(conn, renamed, actor=system_actor(f"webhook:{store.platform}"), now=now)


def _lenient(model: type[Any], fields: dict[str, Any], extra: dict[str, Any]) -> Any:
    """Validate with the core's rules, dropping free-text contact fields that break them."""
    while True:
        try:
            return validate(model, {**fields, **extra})
        except ValidationError as exc:
            bad = {name.split(".")[0] for name, _why in exc.errors}
            if not bad <= LENIENT_FIELDS or not bad & fields.keys():
                raise PayloadError(exc.detail) from None
            fields = {name: value for name, value in fields.items() if name not in bad}


def _older(incoming: datetime | None, stored: datetime | None) -> bool:
    return incoming is not None and stored is not None and incoming < stored


def _find(conn: Connection, store_id: int, external_id: str) -> Any:
    return conn.execute(
        select(orders.c.id, orders.c.source_updated_at, orders.c.deleted_at).where(
            orders.c.store_id == store_id, orders.c.external_id == external_id
        )
    ).first()


def _lock_external_id(conn: Connection, store_id: int, external_id: str) -> None:
    """Serialize deliveries for one webshop order (two 'create's must not race on PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        key = f"{store_id}:{external_id}"
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
