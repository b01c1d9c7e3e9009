"""Recording tracking events and applying them to orders: the one path every event takes,
whether it came from a webhook, the poller, the simulator or the demo seeder."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from perfile_core.clock import utcnow
from perfile_core.db import courier_ownership_sql
from perfile_core.db.orders_repo import load_shipment_state, state_columns, update_order
from perfile_core.db.tables import orders, tracking_events
from perfile_core.domain.courier_mappings import status_in_context
from perfile_core.domain.courier_ownership import courier_after, foreign_shipment_reason, may_move
from perfile_core.domain.status import ExceptionReason, ShipmentState, Status, apply_event, rank
from perfile_core.domain.tracking_event import TrackingEvent
from perfile_core.services import notifications


class EventResult(StrEnum):
    APPLIED = "applied"  # stored and applied to its order
    DUPLICATE = "duplicate"  # seen before; nothing changed
    UNMATCHED = "unmatched"  # stored; applied once an order of its courier gets this tracking number
    IGNORED = "ignored"  # the number is only other couriers' orders: nothing stored or changed


@dataclass(frozen=True)
class EventOutcome:
    result: EventResult
    order_id: int | None = None
    old_status: Status | None = None
    new_status: Status | None = None
    detail: str | None = None  # why it was ignored

    @property
    def status_changed(self) -> bool:
        return self.old_status is not None and self.old_status != self.new_status


def record_event(conn: Connection, event: TrackingEvent, now: datetime) -> EventOutcome:
    """Store the event once (courier + event id) and apply it if its courier's order is known.

    Couriers move only their own shipments (domain.courier_ownership): when every order with
    the number is another courier's, nothing is stored and the outcome says why.
    """
    candidates = conn.execute(
        select(orders.c.id, orders.c.courier)
        .where(orders.c.tracking_number == event.tracking_number, orders.c.deleted_at.is_(None))
        .order_by(orders.c.id)
        .with_for_update()  # an unknown courier is claimed by the first event that locks it
    ).all()
    order_id = next((row.id for row in candidates if may_move(event.courier, row.courier)), None)
    if candidates and order_id is None:
        return EventOutcome(EventResult.IGNORED, detail=foreign_shipment_reason(event.courier))
    event_row_id = _insert_event(conn, event, now)
    if event_row_id is None:
        return EventOutcome(EventResult.DUPLICATE)
    if order_id is None:
        return EventOutcome(EventResult.UNMATCHED)
    old, new = apply_events_to_order(conn, order_id, [(event_row_id, event)], now)
    return EventOutcome(EventResult.APPLIED, order_id, old, new)


def event_columns(event: TrackingEvent) -> dict[str, Any]:
    """The tracking_events columns for an event (both writers use this, generic and fast path)."""
    return {
        "courier": event.courier,
        "tracking_number": event.tracking_number,
        "event_id": event.event_id,
        "raw_code": event.raw_code,
        "raw_status": event.raw_status,
        "normalized_status": event.status.value if event.status else None,
        "exception_reason": event.exception_reason.value if event.exception_reason else None,
        "occurred_at": event.occurred_at,
        "description": event.description,
        "location": event.location,
        "estimated_delivery": event.estimated_delivery,
        "raw_payload": event.raw_payload,
    }


def _insert_event(conn: Connection, event: TrackingEvent, now: datetime) -> int | None:
    values = {**event_columns(event), "received_at": now}
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(tracking_events)
        .values(values)
        .on_conflict_do_nothing(index_elements=["courier", "event_id"])
        .returning(tracking_events.c.id)
    )
    return conn.execute(statement).scalar()


def apply_events_to_order(
    conn: Connection,
    order_id: int,
    events: list[tuple[int, TrackingEvent]],
    now: datetime,
) -> tuple[Status, Status]:
    """Apply stored events (row id, event) of the order's courier under the forward-only rule.

    An order whose courier was unknown now has the events' courier."""
    state = load_shipment_state(conn, order_id, lock=True)
    old_status = state.status
    latest = conn.execute(
        select(orders.c.latest_event_at, orders.c.courier_metadata, orders.c.courier).where(orders.c.id == order_id)
    ).one()
    state, changes = fold_events(
        state, latest.latest_event_at, latest.courier_metadata, [event for _row_id, event in events]
    )
    courier = latest.courier
    for _row_id, event in events:
        courier = courier_after(event.courier, courier)
    if courier != latest.courier:
        changes["courier"] = courier
    update_order(conn, order_id, {**state_columns(state), **changes}, now)
    conn.execute(
        tracking_events.update()
        .where(tracking_events.c.id.in_([row_id for row_id, _ in events]))
        .values(order_id=order_id, applied_at=now)
    )
    # Transactional outbox: the customer e-mail row commits with the status change.
    notifications.on_status_change(conn, order_id, old_status, state.status, now)
    return old_status, state.status


def latest_description(event: TrackingEvent) -> str:
    """What the orders table shows as the latest event."""
    return (event.description or event.raw_status or "")[:500]


def fold_events(
    state: ShipmentState,
    latest_event_at: datetime | None,
    courier_metadata: dict[str, Any] | None,
    events: list[TrackingEvent],
) -> tuple[ShipmentState, dict[str, Any]]:
    """Pure: the forward-only rule and latest-event bookkeeping over events (oldest first).

    Returns the new state and the other order columns that change (apply_events_to_order).
    The receiver's PostgreSQL fast path states the same for one event inside its SQL
    statement (db/forward_only_sql.py); a test holds the two to identical results.
    """
    latest_at, metadata = latest_event_at, dict(courier_metadata or {})
    changes: dict[str, Any] = {}
    for event in sorted(events, key=lambda item: item.occurred_at):
        picked_up_yet = rank(state.main_status) >= rank(Status.PICKED_UP)
        status = status_in_context(event.courier, event.raw_code, event.status, picked_up_yet)
        state = apply_event(state, status, event.occurred_at, event.exception_reason)
        if latest_at is None or event.occurred_at >= latest_at:
            latest_at = event.occurred_at
            changes.update(
                latest_event_at=event.occurred_at,
                latest_event_description=latest_description(event),
                latest_event_location=(event.location or None),
                latest_event_status=status.value if status else None,
            )
            if event.estimated_delivery is not None:
                changes["estimated_delivery"] = event.estimated_delivery
        metadata.update(event.metadata)
    if metadata:
        changes["courier_metadata"] = metadata
    return state, changes


def apply_stranded_events(db: Engine, *, limit: int = 1000, now: datetime | None = None) -> int:
    """Apply unmatched events whose tracking number now belongs to an order.

    The safety net for one race: an event and the order's tracking number arriving in two
    transactions at the same moment, each committed without seeing the other. Runs with
    every poller pass; uses the partial index on unmatched events.
    """
    stamp = now or utcnow()
    with db.begin() as conn:
        pairs = conn.execute(
            select(tracking_events.c.tracking_number, func.min(orders.c.id))
            .join(
                orders,
                and_(
                    orders.c.tracking_number == tracking_events.c.tracking_number,
                    orders.c.deleted_at.is_(None),
                    text(courier_ownership_sql.may_move("tracking_events.courier", "orders.courier")),
                ),
            )
            .where(tracking_events.c.order_id.is_(None))
            .group_by(tracking_events.c.tracking_number)
            .limit(limit)
        ).all()
        return sum(apply_waiting_events(conn, order_id, number, stamp) for number, order_id in pairs)


def apply_waiting_events(conn: Connection, order_id: int, tracking_number: str, now: datetime) -> int:
    """Apply events that arrived before their order had this tracking number.

    Only the order's courier's events apply; an order whose courier is unknown takes the
    courier of the first event that arrived. Other couriers' events stay unmatched.
    """
    order_courier = conn.execute(select(orders.c.courier).where(orders.c.id == order_id).with_for_update()).scalar()
    rows = (
        conn.execute(
            select(tracking_events)
            .where(
                tracking_events.c.tracking_number == tracking_number,
                tracking_events.c.order_id.is_(None),
            )
            .order_by(tracking_events.c.id)  # arrival order: the first sender claims an unknown courier
        )
        .mappings()
        .all()
    )
    if not rows:
        return 0
    owner = courier_after(rows[0]["courier"], order_courier)
    mine = [(row["id"], event_from_row(row)) for row in rows if may_move(row["courier"], owner)]
    if not mine:
        return 0
    apply_events_to_order(conn, order_id, mine, now)
    return len(mine)


def event_from_row(row: Any) -> TrackingEvent:
    return TrackingEvent(
        courier=row["courier"],
        tracking_number=row["tracking_number"],
        event_id=row["event_id"],
        occurred_at=row["occurred_at"],
        status=Status(row["normalized_status"]) if row["normalized_status"] else None,
        exception_reason=ExceptionReason(row["exception_reason"]) if row["exception_reason"] else None,
        raw_code=row["raw_code"],
        raw_status=row["raw_status"],
        description=row["description"],
        location=row["location"],
        estimated_delivery=row["estimated_delivery"],
    )


def confirm_shipment(conn: Connection, order_id: int, now: datetime) -> tuple[Status, Status]:
    """A tracking number was attached or booked: pending becomes confirmed.

    Booking is our act, not a courier scan, so it does not count as the newest
    main-line event (it must not clear a courier exception that arrived earlier).
    """
    state = load_shipment_state(conn, order_id, lock=True)
    new = state
    if not state.is_terminal and state.main_status == Status.PENDING:
        new = replace(state, main_status=Status.CONFIRMED)
        new = replace(new, status=new.derived_status())
    update_order(conn, order_id, state_columns(new), now)
    return state.status, new.status
