"""Reading and writing order rows; the only module that knows how an order is stored."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, select

from perfile_core.db.order_writes import note_written
from perfile_core.db.tables import order_change_seq, orders, stores
from perfile_core.domain.errors import NotFound
from perfile_core.domain.order import Order
from perfile_core.domain.status import ExceptionReason, ShipmentState, Status

ORDER_SELECT_COLUMNS = (
    orders,
    stores.c.key.label("store_key"),
    stores.c.name.label("store_name"),
)


def select_orders() -> Select[Any]:
    return select(*ORDER_SELECT_COLUMNS).join(stores, stores.c.id == orders.c.store_id)


def _status(value: str | None) -> Status | None:
    return Status(value) if value else None


def row_to_order(row: Mapping[str, Any]) -> Order:
    return Order(
        id=row["id"],
        order_number=row["order_number"],
        store_key=row["store_key"],
        store_name=row["store_name"],
        customer_name=row["customer_name"],
        customer_email=row["customer_email"],
        customer_phone=row["customer_phone"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        order_status=Status(row["order_status"]),
        main_status=Status(row["main_status"]),
        tracking_number=row["tracking_number"],
        courier=row["courier"],
        courier_name=row["courier_name"],
        service_type=row["service_type"],
        estimated_delivery=row["estimated_delivery"],
        exception_reason=ExceptionReason(row["exception_reason"]) if row["exception_reason"] else None,
        exception_at=row["exception_at"],
        shipped_at=row["shipped_at"],
        delivered_at=row["delivered_at"],
        latest_event_at=row["latest_event_at"],
        latest_event_description=row["latest_event_description"],
        latest_event_location=row["latest_event_location"],
        latest_event_status=_status(row["latest_event_status"]),
        address_line1=row["address_line1"],
        address_line2=row["address_line2"],
        postal_code=row["postal_code"],
        city=row["city"],
        country_code=row["country_code"],
        weight_grams=row["weight_grams"],
        length_cm=row["length_cm"],
        width_cm=row["width_cm"],
        height_cm=row["height_cm"],
        has_label=row["label_id"] is not None,
        change_cursor=row["change_cursor"],
        courier_metadata=row["courier_metadata"] or {},
    )


def next_change_cursor(conn: Connection) -> ColumnElement[int] | Any:
    """The SQL expression for the next change cursor value.

    PostgreSQL uses a sequence (no lock between writers). SQLite serializes writers
    anyway, so max()+1 over the cursor index is both correct and cheap there.
    """
    if conn.dialect.name == "postgresql":
        return order_change_seq.next_value()
    return select(func.coalesce(func.max(orders.c.change_cursor), 0) + 1).scalar_subquery()


def insert_order(conn: Connection, values: dict[str, Any], now: datetime) -> int:
    row = {
        "order_status": Status.PENDING.value,
        "main_status": Status.PENDING.value,
        "courier_metadata": {},
        **values,
        "created_at": values.get("created_at") or now,
        "updated_at": now,
        "change_cursor": next_change_cursor(conn),
    }
    order_id = conn.execute(orders.insert().values(row).returning(orders.c.id)).scalar_one()
    note_written(conn, order_id)
    return order_id


def update_order(conn: Connection, order_id: int, values: dict[str, Any], now: datetime) -> None:
    """Update an order and advance its change cursor so live views see it."""
    conn.execute(
        orders.update()
        .where(orders.c.id == order_id)
        .values(**values, updated_at=now, change_cursor=next_change_cursor(conn))
    )
    note_written(conn, order_id)


def get_order(conn: Connection, order_id: int, *, for_update: bool = False) -> Order:
    query = select_orders().where(orders.c.id == order_id, orders.c.deleted_at.is_(None))
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=orders)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"order {order_id} does not exist")
    return row_to_order(row)


def find_order_id(conn: Connection, reference: str) -> int:
    """An order by id, order number or tracking number (what an operator types)."""
    conditions = [orders.c.order_number == reference, orders.c.tracking_number == reference]
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if reference.isascii() and reference.isdigit() and len(reference) < 18:
        conditions.insert(0, orders.c.id == int(reference))
    for condition in conditions:
        found = (
            conn.execute(select(orders.c.id).where(condition, orders.c.deleted_at.is_(None)).limit(2)).scalars().all()
        )
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise NotFound(f"{reference!r} matches several orders; use the order id")
    raise NotFound(f"no order matches {reference!r}")


def load_shipment_state(conn: Connection, order_id: int, *, lock: bool) -> ShipmentState:
    query = select(
        orders.c.order_status,
        orders.c.main_status,
        orders.c.main_status_at,
        orders.c.exception_reason,
        orders.c.exception_at,
        orders.c.shipped_at,
        orders.c.delivered_at,
    ).where(orders.c.id == order_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().one()
    return ShipmentState(
        status=Status(row["order_status"]),
        main_status=Status(row["main_status"]),
        main_status_at=row["main_status_at"],
        exception_reason=ExceptionReason(row["exception_reason"]) if row["exception_reason"] else None,
        exception_at=row["exception_at"],
        shipped_at=row["shipped_at"],
        delivered_at=row["delivered_at"],
    )


def state_columns(state: ShipmentState) -> dict[str, Any]:
    return {
        "order_status": state.status.value,
        "main_status": state.main_status.value,
        "main_status_at": state.main_status_at,
        "exception_reason": state.exception_reason.value if state.exception_reason else None,
        "exception_at": state.exception_at,
        "shipped_at": state.shipped_at,
        "delivered_at": state.delivered_at,
    }
