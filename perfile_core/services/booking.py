"""Booking a shipment: from an order and a chosen courier service to tracking number, label,
estimated delivery and status `confirmed`, exactly once.

Three short transactions around one courier call:
1. claim: lock the order, check it can be booked, insert a `started` attempt (the partial
   unique index allows one in flight per order; the idempotency key is per order and
   generation, so a double click or a second operator collides instead of booking twice);
2. the courier call, outside any transaction; then store its answer as `booked`;
3. finalize: tracking number, courier, service, label, ETA, status and the customer
   notification, in one transaction.
A failure in 3 leaves the `booked` row, and the next attempt finishes from it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from perfile_core.clock import utcnow
from perfile_core.config import Settings
from perfile_core.couriers.base import BookedShipment, CourierAdapter, Shipment
from perfile_core.couriers.registry import CourierRegistry
from perfile_core.db import audit_repo
from perfile_core.db.orders_repo import get_order, update_order
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.errors import (
    Conflict,
    CourierError,
    PerfileError,
    StorageUnavailable,
    ValidationError,
)
from perfile_core.services import booking_attempts as attempts
from perfile_core.services import notifications
from perfile_core.services.booking_details import BookingDetails, apply_to_order_in, check_booking_details
from perfile_core.services.orders import _jsonable, attach_tracking_in
from perfile_core.services.shipments import parcel, recipient_address, shipment_for


@dataclass(frozen=True)
class BookingResult:
    order_id: int
    order_number: str
    courier: str
    service: str
    tracking_number: str
    estimated_delivery: date | None
    label_id: int | None
    attempt_id: int
    replayed: bool = False  # an earlier booking was returned instead of booking again
    notification_id: int | None = None


@dataclass(frozen=True)
class _Claim:
    attempt_id: int
    key: str
    shipment: Shipment | None = None  # set when the courier must be called
    resume: BookedShipment | None = None  # set when the courier already booked
    replay: BookingResult | None = None
    error: PerfileError | None = None  # raised after the claim transaction commits
    found_at_courier: bool = False  # `resume` came from the courier, not from our ledger


def book_order(
    db: Engine,
    couriers: CourierRegistry,
    order_id: int,
    courier: str,
    service: str,
    *,
    actor: Actor,
    settings: Settings | None = None,
    idempotency_key: str | None = None,
    send_notification: bool = True,
    details: BookingDetails | None = None,
) -> BookingResult:
    """`details`: the operator's checked pickup/delivery addresses and package (the dialog's
    step 2); the order takes the corrections in the claim transaction, before the courier call."""
    require(actor, Permission.BOOK)
    adapter = couriers.get(courier)
    if details is not None:
        details = check_booking_details(adapter, {**details.as_values(), "service": service})
    stale_after = _stale_after(settings)
    claim = _claim(db, adapter, order_id, service, actor, idempotency_key, stale_after, details)
    if claim.error is not None:
        raise claim.error
    if claim.replay is not None:
        return claim.replay
    if claim.resume is None:
        _store_booked(db, claim, order_id, _call_courier(db, adapter, claim))
    elif claim.found_at_courier:
        _store_booked(db, claim, order_id, claim.resume)
    result = _finalize(db, claim.attempt_id, order_id, actor)
    if send_notification and settings is not None and result.notification_id is not None:
        _send_quietly(db, settings, [result.notification_id])
    return result


def _stale_after(settings: Settings | None) -> timedelta:
    """How long a `started` attempt may be running before we call it abandoned."""
    timeout = settings.courier_timeout_seconds if settings else 10.0
    return timedelta(seconds=timeout * 2 + 30)


def _claim(
    db: Engine,
    adapter: CourierAdapter,
    order_id: int,
    service: str,
    actor: Actor,
    key: str | None,
    stale_after: timedelta,
    details: BookingDetails | None = None,
) -> _Claim:
    now = utcnow()
    try:
        with db.begin() as conn:
            order = get_order(conn, order_id, for_update=True)
            existing = attempts.by_key(conn, key) if key else None
            if existing is not None and existing.status not in attempts.ACTIVE:
                if existing.status == attempts.CONFIRMED:
                    return _Claim(
                        existing.id, existing.idempotency_key, replay=result_of(conn, existing, replayed=True)
                    )
                raise Conflict(f"booking {key} already ended as {existing.status}; start a new booking")
            active = attempts.active_for_order(conn, order_id)
            if active is not None:
                if active.status == attempts.BOOKED:
                    return _Claim(active.id, active.idempotency_key, resume=active.booked_shipment())
                if not active.is_stale(now, stale_after):
                    raise Conflict(
                        f"order {order.order_number} is being booked right now with "
                        f"{courier_display_name(active.courier)} (started by "
                        f"{active.created_by or 'someone'} at {active.created_at:%H:%M:%S} UTC); "
                        f"wait a few seconds and refresh"
                    )
                return _abandoned(conn, adapter, active, order.order_number, now)
            if order.tracking_number:
                confirmed = attempts.confirmed_for(conn, order_id, order.tracking_number)
                if confirmed is not None and (confirmed.courier, confirmed.service) == (
                    adapter.code,
                    service,
                ):
                    return _Claim(
                        confirmed.id,
                        confirmed.idempotency_key,
                        replay=result_of(conn, confirmed, replayed=True),
                    )
                raise Conflict(
                    f"order {order.order_number} already has tracking number {order.tracking_number} "
                    f"({courier_display_name(order.courier) or 'unknown courier'}); "
                    f"cancel that shipment first"
                )
            if not order.can_book_shipment:
                raise Conflict(
                    f"order {order.order_number} is {order.order_status.value}; only pending orders "
                    f"without tracking can be booked"
                )
            _check_service(adapter, service)
            key = key or attempts.next_key(conn, order_id)
            if details is None:
                shipment = shipment_for(conn, order, now.date(), service=service, reference=key)
            else:
                shipment = _shipment_from_details(conn, order, details, actor, now, key)
            with conn.begin_nested():
                attempt_id = attempts.insert_started(conn, order_id, key, adapter.code, service, actor.name, now)
            return _Claim(attempt_id, key, shipment=shipment)
    except (IntegrityError, OperationalError) as exc:
        # Lost the race for the order (unique key or the one-in-flight index; SQLite's lock).
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        raise Conflict("this order is being booked right now by someone else; wait a few seconds and refresh") from None


def _shipment_from_details(
    conn: Any, order: Any, details: BookingDetails, actor: Actor, now: datetime, key: str
) -> Shipment:
    changes, before = apply_to_order_in(conn, order, details, now)
    if changes:
        audit_repo.record(
            conn,
            actor,
            "order.edited",
            order.id,
            {"changes": _jsonable(changes), "before": _jsonable(before), "reason": "booking details"},
            now,
            before=_jsonable(before),
            after=_jsonable(changes),
        )
        order = get_order(conn, order.id)
    return Shipment(
        sender=details.address("pickup"),
        recipient=recipient_address(order),
        parcel=parcel(order),
        ship_date=now.date(),
        service=details.service,
        reference=key,
        order_number=order.order_number,
    )


def _check_service(adapter: CourierAdapter, service: str) -> None:
    known = [s.code for s in adapter.services()]
    if known and service not in known:
        raise ValidationError("service", f"{adapter.name} has no service {service!r}; choose one of {', '.join(known)}")


def _abandoned(
    conn: Any, adapter: CourierAdapter, active: attempts.Attempt, order_number: str, now: datetime
) -> _Claim:
    """A `started` attempt whose process never came back: ask the courier if it can tell us."""
    found = None
    if adapter.supports("find_booking"):
        found = adapter.find_booking(active.idempotency_key)
    if found is not None:
        return _Claim(active.id, active.idempotency_key, resume=found, found_at_courier=True)
    attempts.finish(
        conn, active.id, attempts.FAILED, now, error="abandoned: the outcome of the courier call is unknown"
    )
    return _Claim(
        active.id,
        active.idempotency_key,
        error=Conflict(
            f"an earlier booking of order {order_number} (reference {active.idempotency_key}, started "
            f"{active.created_at:%Y-%m-%d %H:%M} UTC) never finished, so {adapter.name} may have booked it. "
            f"Check the {adapter.name} portal for that reference; if there is no shipment, book again"
        ),
    )


def _call_courier(db: Engine, adapter: CourierAdapter, claim: _Claim) -> BookedShipment:
    assert claim.shipment is not None
    try:
        booked = adapter.book(claim.shipment)
        if not booked.tracking_number:
            raise CourierError(adapter.code, f"{adapter.name} confirmed the booking without a tracking number")
    except PerfileError as exc:
        _fail(db, claim.attempt_id, exc.detail)
        raise
    except Exception as exc:
        _fail(db, claim.attempt_id, f"unexpected {type(exc).__name__}: {exc}")
        raise CourierError(
            adapter.code,
            f"unexpected error while booking ({type(exc).__name__}). The order was not changed; check the "
            f"{adapter.name} portal for reference {claim.key} before booking again",
        ) from exc
    return booked


def _fail(db: Engine, attempt_id: int, error: str) -> None:
    with db.begin() as conn:
        attempts.finish(conn, attempt_id, attempts.FAILED, utcnow(), error=error)


def _store_booked(db: Engine, claim: _Claim, order_id: int, booked: BookedShipment) -> None:
    try:
        with db.begin() as conn:
            attempts.mark_booked(conn, claim.attempt_id, order_id, booked, utcnow())
    except SQLAlchemyError as exc:
        raise StorageUnavailable(
            f"{courier_display_name(booked.courier)} booked tracking number {booked.tracking_number} "
            f"(reference {claim.key}) but we could not save it ({type(exc).__name__}). Book the order "
            f"again once the database is back: it finds that booking instead of booking twice"
        ) from exc


def _finalize(db: Engine, attempt_id: int, order_id: int, actor: Actor) -> BookingResult:
    now = utcnow()
    try:
        with db.begin() as conn:
            order = get_order(conn, order_id, for_update=True)
            attempt = attempts.by_id(conn, attempt_id)
            booked = attempt.booked_shipment()
            if attempt.status == attempts.CONFIRMED:
                return result_of(conn, attempt, replayed=True)
            if not order.can_book_shipment:
                error = (
                    f"{courier_display_name(booked.courier)} booked {booked.tracking_number}, but order "
                    f"{order.order_number} changed meanwhile ({order.order_status.value}, tracking "
                    f"{order.tracking_number or 'none'}); cancel {booked.tracking_number} at the courier"
                )
                attempts.finish(conn, attempt_id, attempts.FAILED, now, error=error)
                raise Conflict(error)
            label_id = attempt.details.get("label_id")
            metadata = {
                **order.courier_metadata,
                "booking": {"reference": attempt.idempotency_key, **booked.metadata},
            }
            update_order(
                conn,
                order_id,
                {
                    "label_id": label_id,
                    "estimated_delivery": booked.estimated_delivery,
                    "courier_metadata": metadata,
                },
                now,
            )
            attach_tracking_in(conn, order_id, booked.tracking_number, booked.courier, now, service_type=booked.service)
            attempts.finish(conn, attempt_id, attempts.CONFIRMED, now)
            audit_repo.record(
                conn,
                actor,
                "shipment.booked",
                order_id,
                {
                    "courier": booked.courier,
                    "service": booked.service,
                    "tracking_number": booked.tracking_number,
                    "reference": attempt.idempotency_key,
                    "label_id": label_id,
                },
                now,
                before={"tracking_number": order.tracking_number, "courier": order.courier},
                after={"tracking_number": booked.tracking_number, "courier": booked.courier, "service": booked.service},
            )
            notification_id = notifications.queue_in(conn, order_id, "booked", now)
            result = result_of(conn, attempts.by_id(conn, attempt_id), notification_id=notification_id)
    except SQLAlchemyError as exc:
        raise StorageUnavailable(
            f"the courier booked this order but saving it failed ({type(exc).__name__}); book it again: "
            f"the stored booking is used instead of booking twice"
        ) from exc
    return result


def result_of(
    conn: Any, attempt: attempts.Attempt, *, replayed: bool = False, notification_id: int | None = None
) -> BookingResult:
    order = get_order(conn, attempt.order_id)
    booked = attempt.booked_shipment()
    return BookingResult(
        order_id=order.id,
        order_number=order.order_number,
        courier=attempt.courier,
        service=attempt.service,
        tracking_number=booked.tracking_number,
        estimated_delivery=order.estimated_delivery or booked.estimated_delivery,
        label_id=attempt.details.get("label_id"),
        attempt_id=attempt.id,
        replayed=replayed,
        notification_id=notification_id,
    )


def _send_quietly(db: Engine, settings: Settings, ids: list[int]) -> None:
    """Sending is best effort after commit: a failure is recorded on the row, never raised."""
    with contextlib.suppress(Exception):
        notifications.send_pending(db, settings, ids=ids)
