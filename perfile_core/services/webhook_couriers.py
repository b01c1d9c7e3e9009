"""Use case: a courier's tracking event, verified, stored once and applied.

Events go through services.tracking.record_event (forward-only rule, duplicates, events that
arrive before their order). The courier's push format decides how to verify and parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from perfile_core.clock import utcnow
from perfile_core.config import Settings
from perfile_core.couriers.formats import bring_eventcast, standard_webhooks
from perfile_core.couriers.formats.json_body import parse_json_object
from perfile_core.couriers.formats.signatures import verify_shared_secret
from perfile_core.couriers.push import PushFormat, push_format
from perfile_core.db.tables import orders
from perfile_core.domain.errors import PayloadError, UnknownCourier
from perfile_core.services.tracking import EventOutcome, EventResult, TrackingEvent, record_event
from perfile_core.services.webhook_context import WebhookContext
from perfile_core.services.webhook_fastpath import FastEvent, record_event_fast
from perfile_core.services.webhook_secrets import SecretCache
from perfile_core.services.webhooks import (
    Delivery,
    Receipt,
    Result,
    run_in_transaction,
    storage_guard,
    store_delivery,
)


@dataclass(frozen=True)
class ParsedEvent:
    event_id: str
    topic: str | None
    event: TrackingEvent | None  # None: a type we do not use
    payload: dict[str, Any]


def receive_courier_event(context: WebhookContext, courier: str, delivery: Delivery) -> Receipt:
    fmt = push_format(courier)
    if fmt is None:
        raise UnknownCourier(f"unknown courier {courier[:40]!r}")
    parsed = _verify_and_parse(context.secrets, context.settings, courier, fmt, delivery)
    source = f"courier:{courier}"
    now = utcnow()
    result = Result.ACCEPTED if parsed.event is not None else Result.IGNORED
    detail = None if parsed.event is not None else f"event {parsed.topic!r} is not used"
    if parsed.event is not None and fmt is PushFormat.UNIFIED and context.direct is not None:
        # One self-committing statement (webhook_fastpath); the answer follows its commit.
        with storage_guard(), context.direct.cursor() as cursor:
            fast = record_event_fast(cursor, FastEvent(parsed.event, delivery, source, parsed.topic, now))
        if fast is None:
            return Receipt(Result.DUPLICATE, source, parsed.topic, "delivered before")
        return _receipt(context, source, parsed.topic, fast)

    def store_and_record(conn: Connection) -> Receipt | EventOutcome:
        stored = store_delivery(
            conn,
            source=source,
            dedupe_key=f"{courier}:{parsed.event_id}",
            topic=parsed.topic,
            delivery=delivery,
            result=result,
            detail=detail,
            now=now,
        )
        if not stored:
            return Receipt(Result.DUPLICATE, source, parsed.topic, "delivered before")
        if parsed.event is None:
            return Receipt(Result.IGNORED, source, parsed.topic, detail)
        event = parsed.event
        if fmt is PushFormat.BRING_EVENT_CAST:
            event = _bring_number(conn, event, parsed.payload)
        return record_event(conn, event, now)

    done = run_in_transaction(context.db, store_and_record)
    return done if isinstance(done, Receipt) else _receipt(context, source, parsed.topic, done)


def _receipt(context: WebhookContext, source: str, topic: str | None, outcome: EventOutcome) -> Receipt:
    """After commit: tell listeners about the changed order and answer."""
    if outcome.result is EventResult.DUPLICATE:
        return Receipt(Result.DUPLICATE, source, topic, "event recorded before")
    changed = (outcome.order_id,) if outcome.order_id is not None else ()
    context.changes.orders_changed(changed)
    detail = "kept until an order has this tracking number" if outcome.result is EventResult.UNMATCHED else None
    return Receipt(Result.ACCEPTED, source, topic, detail, changed)


def _verify_and_parse(
    secrets: SecretCache, settings: Settings, courier: str, fmt: PushFormat, delivery: Delivery
) -> ParsedEvent:
    headers = delivery.headers
    if fmt is PushFormat.UNIFIED:
        _, envelope = secrets.verified(
            "courier",
            courier,
            lambda source: standard_webhooks.verify(
                headers,
                delivery.body,
                source.secrets,
                now=utcnow(),
                tolerance_seconds=settings.webhook_timestamp_tolerance_seconds,
            ),
        )
        payload = parse_json_object(delivery.body)
        event = standard_webhooks.parse_event(courier, envelope.webhook_id, payload)
        topic = payload.get("type") if isinstance(payload.get("type"), str) else None
        return ParsedEvent(envelope.webhook_id, topic, event, payload)
    header = headers.get(bring_eventcast.SECRET_HEADER.lower())
    secrets.verified(
        "courier",
        courier,
        lambda source: verify_shared_secret(header, source.secrets, name=bring_eventcast.SECRET_HEADER),
    )
    payload = parse_json_object(delivery.body)
    event = bring_eventcast.parse_event(payload)
    status = payload.get("status")
    return ParsedEvent(event.event_id, str(status)[:100], event, payload)


def _bring_number(conn: Connection, event: TrackingEvent, payload: dict[str, Any]) -> TrackingEvent:
    """Orders usually carry Bring's consignment number, sometimes the package number."""
    candidates = bring_eventcast.candidate_numbers(payload)
    found = conn.execute(
        select(orders.c.tracking_number)
        .where(orders.c.tracking_number.in_(candidates), orders.c.deleted_at.is_(None))
        .order_by(orders.c.id)
        .limit(1)
    ).scalar()
    if found is None or found == event.tracking_number:
        return event
    return bring_eventcast.parse_event(payload, tracking_number=found)


__all__ = ["PayloadError", "receive_courier_event"]
