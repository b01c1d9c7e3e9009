"""The booking_attempts ledger: every attempt to book an order, and what became of it.

started    we are about to call the courier (at most one in flight per order: a partial
           unique index enforces it)
booked     the courier confirmed; its answer is stored here, the order not yet updated
confirmed  the order carries the tracking number, label and ETA
failed     the courier refused or never answered; the order was not changed
cancelled  the booking was cancelled at the courier afterwards

Because `booked` is written in its own small transaction right after the courier answers,
a failure while updating the order leaves a row from which the next attempt finishes the
job instead of booking again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from perfile_core.couriers.base import BookedShipment
from perfile_core.db.tables import booking_attempts, shipment_labels

STARTED, BOOKED, CONFIRMED, FAILED, CANCELLED = "started", "booked", "confirmed", "failed", "cancelled"
ACTIVE = (STARTED, BOOKED)


@dataclass(frozen=True)
class Attempt:
    id: int
    order_id: int
    idempotency_key: str
    courier: str
    service: str
    status: str
    tracking_number: str | None
    courier_reference: str | None
    error: str | None
    details: dict[str, Any]
    created_by: str | None
    created_at: datetime

    def booked_shipment(self) -> BookedShipment:
        return BookedShipment.from_details(self.details["booking"])

    def is_stale(self, now: datetime, after: timedelta) -> bool:
        return self.status == STARTED and now - self.created_at > after


def _attempt(row: Any) -> Attempt:
    return Attempt(
        id=row.id,
        order_id=row.order_id,
        idempotency_key=row.idempotency_key,
        courier=row.courier,
        service=row.service,
        status=row.status,
        tracking_number=row.tracking_number,
        courier_reference=row.courier_reference,
        error=row.error,
        details=dict(row.details or {}),
        created_by=row.created_by,
        created_at=row.created_at,
    )


def by_key(conn: Connection, key: str) -> Attempt | None:
    row = conn.execute(select(booking_attempts).where(booking_attempts.c.idempotency_key == key)).first()
    return _attempt(row) if row else None


def by_id(conn: Connection, attempt_id: int) -> Attempt:
    return _attempt(conn.execute(select(booking_attempts).where(booking_attempts.c.id == attempt_id)).one())


def active_for_order(conn: Connection, order_id: int) -> Attempt | None:
    row = conn.execute(
        select(booking_attempts).where(booking_attempts.c.order_id == order_id, booking_attempts.c.status.in_(ACTIVE))
    ).first()
    return _attempt(row) if row else None


def confirmed_for(conn: Connection, order_id: int, tracking_number: str) -> Attempt | None:
    row = conn.execute(
        select(booking_attempts)
        .where(
            booking_attempts.c.order_id == order_id,
            booking_attempts.c.status == CONFIRMED,
            booking_attempts.c.tracking_number == tracking_number,
        )
        .order_by(booking_attempts.c.id.desc())
        .limit(1)
    ).first()
    return _attempt(row) if row else None


def for_order(conn: Connection, order_id: int) -> list[Attempt]:
    rows = conn.execute(
        select(booking_attempts).where(booking_attempts.c.order_id == order_id).order_by(booking_attempts.c.id)
    )
    return [_attempt(row) for row in rows]


def next_key(conn: Connection, order_id: int) -> str:
    """Same order, same generation, same key: a double click or a second operator collides."""
    count = conn.execute(
        select(func.count()).select_from(booking_attempts).where(booking_attempts.c.order_id == order_id)
    ).scalar_one()
    return f"order-{order_id}-booking-{count + 1}"


def insert_started(
    conn: Connection, order_id: int, key: str, courier: str, service: str, actor: str, now: datetime
) -> int:
    return conn.execute(
        booking_attempts.insert()
        .values(
            order_id=order_id,
            idempotency_key=key,
            courier=courier,
            service=service,
            status=STARTED,
            details={},
            created_by=actor,
            created_at=now,
        )
        .returning(booking_attempts.c.id)
    ).scalar_one()


def mark_booked(conn: Connection, attempt_id: int, order_id: int, booked: BookedShipment, now: datetime) -> None:
    """Persist the courier's answer (label bytes included) before touching the order."""
    label_id = None
    if booked.label_pdf:
        label_id = conn.execute(
            shipment_labels.insert()
            .values(
                order_id=order_id,
                tracking_number=booked.tracking_number,
                content_type="application/pdf",
                content=booked.label_pdf,
                created_at=now,
            )
            .returning(shipment_labels.c.id)
        ).scalar_one()
    conn.execute(
        booking_attempts.update()
        .where(booking_attempts.c.id == attempt_id)
        .values(
            status=BOOKED,
            tracking_number=booked.tracking_number,
            courier_reference=booked.courier_reference,
            details={"booking": booked.as_details(), "label_id": label_id},
        )
    )


def finish(conn: Connection, attempt_id: int, status: str, now: datetime, *, error: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": now}
    if error is not None:
        values["error"] = error[:500]
    conn.execute(booking_attempts.update().where(booking_attempts.c.id == attempt_id).values(values))
