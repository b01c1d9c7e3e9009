"""PostgreSQL fast path for one verified courier event: record_event's rules in two statements.

Both run in autocommit, so there is no BEGIN or COMMIT round trip. Statement 1 reads the order
that has the tracking number (the fold's input, the fields the e-mail needs and the row's
xmin). Python applies the shared pure fold (tracking.fold_events: the forward-only rule) and,
when the status change notifies the customer, composes the e-mail with services.notifications.
Statement 2, one atomic CTE, claims the inbox dedupe key, inserts the tracking event linked to
the order, updates the order with the next change cursor only if its xmin is unchanged and inserts
the outbox e-mail: raw delivery and effects commit together (listeners are told after commit,
db/notify.py). If another
writer changed the order in between, statement 2 fails as a whole (division by zero, by design)
and both statements run again on the new row. Results are the same as the generic path's (a
test runs both over the same sequences and compares the orders and their e-mails).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from perfile_core.db.orders_repo import state_columns
from perfile_core.domain.errors import StorageUnavailable
from perfile_core.domain.status import ExceptionReason, ShipmentState, Status
from perfile_core.notify.email import MailFacts
from perfile_core.services import notifications
from perfile_core.services.tracking import EventOutcome, EventResult, TrackingEvent, event_columns, fold_events
from perfile_core.services.webhooks import Delivery, stored_headers

MAX_ATTEMPTS = 20  # statement 2 retries after a concurrent change of the same order

READ_ORDER = """
SELECT o.id, o.xmin::text, o.order_status, o.main_status, o.main_status_at, o.exception_reason, o.exception_at,
    o.shipped_at, o.delivered_at, o.latest_event_at, o.courier_metadata,
    o.order_number, o.customer_name, o.customer_email, o.courier, o.courier_name, o.estimated_delivery,
    s.name AS store_name
FROM orders o JOIN stores s ON s.id = o.store_id
WHERE o.tracking_number = %(tracking_number)s AND o.deleted_at IS NULL
ORDER BY o.id
LIMIT 1
"""

_CLAIM = """
WITH inbox AS (
    INSERT INTO webhook_inbox (source, dedupe_key, topic, headers, body, result, request_id, received_at)
    VALUES (%(source)s, %(dedupe_key)s, %(topic)s, %(headers)s, %(body)s, 'accepted', %(request_id)s, %(now)s)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id
), event AS (
    INSERT INTO tracking_events (courier, tracking_number, event_id, raw_code, raw_status, normalized_status,
        exception_reason, occurred_at, description, location, estimated_delivery, raw_payload, received_at,
        order_id, applied_at)
    SELECT %(courier)s, %(tracking_number)s, %(event_id)s, %(raw_code)s, %(raw_status)s, %(normalized_status)s,
        %(exception_reason)s, %(occurred_at)s, %(description)s, %(location)s, %(estimated_delivery)s,
        %(raw_payload)s::jsonb, %(now)s, {order_id}, {applied_at}
    FROM inbox
    ON CONFLICT (courier, event_id) DO NOTHING
    RETURNING id
)"""

# No order had the number: keep the event unmatched, unless an order got the number meanwhile.
UNMATCHED = (
    _CLAIM.format(order_id="NULL::bigint", applied_at="NULL::timestamptz")
    + """
SELECT (SELECT id FROM inbox), (SELECT id FROM event), 1 / CASE WHEN EXISTS (SELECT 1 FROM event) AND EXISTS (
    SELECT 1 FROM orders WHERE tracking_number = %(tracking_number)s AND deleted_at IS NULL) THEN 0 ELSE 1 END
"""
)

# The order as statement 1 read it (same xmin) gets the fold's result; otherwise 1/0 undoes it all.
APPLY = (
    _CLAIM.format(order_id="%(order_id)s", applied_at="%(now)s")
    + """, changed AS (
    UPDATE orders SET {assignments}, updated_at = %(now)s, change_cursor = nextval('order_change_seq')
    WHERE id = %(order_id)s AND xmin = %(xmin)s::xid AND EXISTS (SELECT 1 FROM event)
    RETURNING id
){outbox}
SELECT (SELECT id FROM inbox), (SELECT id FROM event),
    1 / CASE WHEN EXISTS (SELECT 1 FROM event) AND NOT EXISTS (SELECT 1 FROM changed) THEN 0 ELSE 1 END
"""
)
# The transactional outbox row (notifications.queue_in's), committed with the change.
OUTBOX = """, outbox AS (
    INSERT INTO notifications (order_id, channel, trigger, to_address, subject, body, status, error, created_at)
    SELECT id, %(mail_channel)s, %(mail_trigger)s, %(mail_to_address)s, %(mail_subject)s, %(mail_body)s,
        %(mail_status)s, %(mail_error)s, %(mail_created_at)s
    FROM changed
)"""

# Columns the fold may change; names are fixed here, values always go as parameters.
_COLUMNS = (
    "order_status",
    "main_status",
    "main_status_at",
    "exception_reason",
    "exception_at",
    "shipped_at",
    "delivered_at",
    "latest_event_at",
    "latest_event_description",
    "latest_event_location",
    "latest_event_status",
    "estimated_delivery",
    "courier_metadata",
)
_APPLY_BY_KEYS: dict[tuple[frozenset[str], bool], str] = {}


@dataclass(frozen=True)
class FastEvent:
    """One verified courier event with its delivery, ready for the fast path."""

    event: TrackingEvent
    delivery: Delivery
    source: str
    topic: str | None
    now: datetime

    def claim(self) -> dict[str, Any]:
        return _claim_parameters(self.event, self.delivery, self.source, self.topic, self.now)


@dataclass(frozen=True)
class _Write:
    """Statement 2 for one event, and what it means when it stores the event."""

    statement: str
    parameters: dict[str, Any]
    stored: EventOutcome
    order_id: int | None


def record_event_fast(cursor: psycopg.Cursor[Any], item: FastEvent) -> EventOutcome | None:
    """Store the delivery and the event and apply it; None when the delivery is a duplicate.

    The cursor's connection must be in autocommit mode (db/direct.py): each statement commits
    on its own."""
    claim = item.claim()
    for _attempt in range(MAX_ATTEMPTS):
        cursor.execute(READ_ORDER, {"tracking_number": item.event.tracking_number})
        write = _plan(cursor.fetchone(), item.event, claim, item.now)
        try:
            cursor.execute(write.statement, write.parameters)
        except psycopg.errors.DivisionByZero:
            continue  # the order changed after statement 1: read it again
        return _outcome(cursor.fetchone(), write.stored)
    raise StorageUnavailable("the order keeps changing concurrently; retry later")


def _plan(row: tuple[Any, ...] | None, event: TrackingEvent, claim: dict[str, Any], now: datetime) -> _Write:
    """Statement 2 for the order statement 1 found (row), or for an event without an order."""
    if row is None:
        return _Write(UNMATCHED, claim, EventOutcome(EventResult.UNMATCHED), None)
    order_id, xmin, *columns = row
    state, latest_event_at, metadata = _state(columns[:_STATE_COLUMNS])
    new_state, changes = fold_events(state, latest_event_at, metadata, [event])
    values = {**state_columns(new_state), **changes}
    parameters = {**claim, **values, "order_id": order_id, "xmin": xmin}
    if "courier_metadata" in values:
        parameters["courier_metadata"] = Jsonb(values["courier_metadata"])
    # Transactional outbox, as in apply_events_to_order: the e-mail row commits with the change.
    trigger = notifications.status_trigger(state.status, new_state.status)
    if trigger is not None:
        facts, customer_email = _mail_facts(columns, values, event.tracking_number)
        mail = notifications.outbox_values(facts, customer_email, trigger, now)
        parameters.update({f"mail_{name}": value for name, value in mail.items()})
    statement = _apply_statement(frozenset(values), trigger is not None)
    applied = EventOutcome(EventResult.APPLIED, order_id, state.status, new_state.status)
    return _Write(statement, parameters, applied, order_id)


def _outcome(result: tuple[Any, ...] | None, stored: EventOutcome) -> EventOutcome | None:
    """Statement 2's answer: (inbox row id, event row id, guard)."""
    inbox_id, event_row_id, _ = result  # type: ignore[misc]
    if inbox_id is None:
        return None
    if event_row_id is None:
        return EventOutcome(EventResult.DUPLICATE)  # recorded before by another path (e.g. polling)
    return stored


def _claim_parameters(
    event: TrackingEvent, delivery: Delivery, source: str, topic: str | None, now: datetime
) -> dict[str, Any]:
    columns = event_columns(event)
    return {
        "source": source,
        "dedupe_key": f"{event.courier}:{event.event_id}"[:300],
        "topic": topic and topic[:100],
        "headers": Jsonb(stored_headers(delivery.headers)),
        "body": delivery.body,
        "request_id": delivery.request_id[:64],
        "now": now,
        **columns,
        "raw_payload": Jsonb(columns["raw_payload"]) if columns["raw_payload"] is not None else None,
    }


_STATE_COLUMNS = 9  # statement 1's columns after id and xmin: the fold's input, then the e-mail's


def _state(columns: list[Any]) -> tuple[ShipmentState, datetime | None, dict[str, Any] | None]:
    status, main, main_at, reason, exception_at, shipped_at, delivered_at, latest_at, metadata = columns
    state = ShipmentState(
        status=Status(status),
        main_status=Status(main),
        main_status_at=main_at,
        exception_reason=ExceptionReason(reason) if reason else None,
        exception_at=exception_at,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
    )
    return state, latest_at, metadata


def _mail_facts(columns: list[Any], values: dict[str, Any], tracking_number: str) -> tuple[MailFacts, str | None]:
    """The order as the e-mail sees it after the update: statement 1's row with the fold's values
    (statement 1 found the order by this tracking number)."""
    number, customer_name, customer_email, courier, courier_name, estimated, store_name = columns[_STATE_COLUMNS:]
    reason = values["exception_reason"]
    facts = MailFacts(
        order_number=number,
        customer_name=customer_name,
        order_status=Status(values["order_status"]),
        courier=courier,
        courier_name=courier_name,
        tracking_number=tracking_number,
        estimated_delivery=values.get("estimated_delivery", estimated),
        exception_reason=ExceptionReason(reason) if reason else None,
        store_name=store_name,
    )
    return facts, customer_email


def _apply_statement(keys: frozenset[str], outbox: bool) -> str:
    statement = _APPLY_BY_KEYS.get((keys, outbox))
    if statement is None:
        unknown = keys - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unexpected order columns {sorted(unknown)}")
        assignments = ", ".join(f"{name} = %({name})s" for name in _COLUMNS if name in keys)
        text = APPLY.format(assignments=assignments, outbox=OUTBOX if outbox else "")
        statement = _APPLY_BY_KEYS.setdefault((keys, outbox), text)
    return statement
