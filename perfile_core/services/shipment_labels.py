"""Labels: the stored copy first; a reprint from the courier when it can (Bring's label URL)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from perfile_core.clock import utcnow
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.db.orders_repo import get_order, update_order
from perfile_core.db.tables import shipment_labels
from perfile_core.domain.errors import NotFound
from perfile_core.services import booking_attempts as attempts


def get_label(db: Engine, couriers: CourierRegistry, order_id: int) -> bytes:
    with db.connect() as conn:
        order = get_order(conn, order_id)
        if not order.tracking_number:
            raise NotFound(f"order {order.order_number} has no shipment yet; book it first")
        content = conn.execute(
            select(shipment_labels.c.content)
            .where(shipment_labels.c.order_id == order_id, shipment_labels.c.tracking_number == order.tracking_number)
            .order_by(shipment_labels.c.id.desc())
            .limit(1)
        ).scalar()
        attempt = attempts.confirmed_for(conn, order_id, order.tracking_number)
    if content is not None:
        return bytes(content)
    if attempt is None or order.courier not in couriers:
        raise NotFound(f"no label for order {order.order_number}: its tracking number was not booked through Perfile")
    pdf = couriers.get(order.courier).label(attempt.booked_shipment())  # NotSupported says why not
    now = utcnow()
    with db.begin() as conn:
        label_id = conn.execute(
            shipment_labels.insert()
            .values(order_id=order_id, tracking_number=order.tracking_number, content=pdf, created_at=now)
            .returning(shipment_labels.c.id)
        ).scalar_one()
        update_order(conn, order_id, {"label_id": label_id}, now)
    return pdf


def combined_labels(db: Engine, couriers: CourierRegistry, order_ids: list[int]) -> bytes:
    """Every label of these orders as one PDF, in their order (a missing label raises NotFound)."""
    from perfile_core.labels.combine import combine_pdfs

    return combine_pdfs([get_label(db, couriers, order_id) for order_id in dict.fromkeys(order_ids)])
