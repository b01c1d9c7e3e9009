"""PostgreSQL fast path for one verified courier event: record_event's rules in one statement.

The statement runs in autocommit, so it is its own transaction with no BEGIN or COMMIT round
trip: it locks the order that has the tracking number and that the event's courier may move
(domain/courier_ownership.py, as SQL in db/courier_ownership_sql.py), claims the inbox dedupe
key (result `ignored`, and nothing else written, when only other couriers' orders have the
number), inserts the tracking event linked to the order, applies the forward-only rule to the
order inside the UPDATE (db/forward_only_sql.py, generated from domain/status.py) with the next
change cursor, records the event's courier on an order whose courier was unknown, and queues
the customer's e-mail in the outbox when the new status notifies: raw delivery and effects
commit together, or not at all (listeners are told after commit, db/notify.py). The e-mail
row stores the order's facts; its text is composed from them later (services.notifications.
with_message), since the composer is Python.

Results are the generic path's (services.tracking.record_event): a test applies random event
sequences, from the order's courier and from others, both ways and compares the orders, their
couriers and their e-mails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from perfile_core.db import courier_ownership_sql as ownership
from perfile_core.db import forward_only_sql as rule
from perfile_core.db.direct import PositionalStatement
from perfile_core.domain.courier_mappings import status_in_context
from perfile_core.domain.courier_ownership import foreign_shipment_reason
from perfile_core.domain.status import ExceptionReason, Status
from perfile_core.notify.email import FACT_FIELDS
from perfile_core.services import notifications
from perfile_core.services.tracking import EventOutcome, EventResult, TrackingEvent, event_columns, latest_description
from perfile_core.services.webhooks import Delivery, stored_headers

_T = "%(occurred_at)s::timestamptz"
_ST = "st"
_FACTS = rule.folded_facts(_ST, "st_rank", "main_rank", _T, "%(exception_reason_or_other)s::text")
# The outbox row's facts (notify.email.MailFacts): orders columns of the same names, and the store's name.
_ORDER_FACTS = tuple(name for name in FACT_FIELDS if name != "store_name")
_MAIL_FACTS = ", ".join(
    [*(f"'{name}', c.{name}" for name in _ORDER_FACTS), "'store_name', (SELECT name FROM stores WHERE id = c.store_id)"]
)
# What the outbox row needs of the changed order.
_CHANGED_COLUMNS = ", ".join(f"o.{name}" for name in ("id", "customer_email", "store_id", *_ORDER_FACTS))

APPLY = f"""
WITH target AS (
    -- The order the sender may move (db/courier_ownership_sql.py), locked before the inbox claim so
    -- the claim can say whether the event was ignored.
    -- st: the event's status in this order's context (computed from the row FOR UPDATE locked)
    SELECT id, order_status, main_status, main_status_at, exception_reason, exception_at, shipped_at,
        delivered_at, latest_event_at, {rule.rank("main_status")} AS main_rank,
        {rule.contextual_status(rule.rank("main_status"), "%(status_if_picked_up)s::text", "%(status)s::text")} AS {_ST}
    FROM orders
    WHERE tracking_number = %(tracking_number)s AND deleted_at IS NULL
        AND {ownership.may_move("%(courier)s::text", "courier")}
    ORDER BY id
    LIMIT 1
    FOR UPDATE
), inbox AS (
    -- ignored: no order the sender may move, but other couriers' orders have the number
    INSERT INTO webhook_inbox (source, dedupe_key, topic, headers, body, result, detail, request_id, received_at)
    SELECT %(source)s, %(dedupe_key)s, %(topic)s, %(headers)s, %(body)s,
        CASE WHEN foreign_only THEN 'ignored' ELSE 'accepted' END, CASE WHEN foreign_only THEN %(foreign_detail)s END,
        %(request_id)s, %(now)s
    FROM (SELECT NOT EXISTS (SELECT 1 FROM target) AND EXISTS (SELECT 1 FROM orders
        WHERE tracking_number = %(tracking_number)s AND deleted_at IS NULL) AS foreign_only) ownership
    RETURNING id, result
), event AS (
    INSERT INTO tracking_events (courier, tracking_number, event_id, raw_code, raw_status, normalized_status,
        exception_reason, occurred_at, description, location, estimated_delivery, raw_payload, received_at,
        order_id, applied_at)
    SELECT %(courier)s, %(tracking_number)s, %(event_id)s, %(raw_code)s, %(raw_status)s, %(normalized_status)s,
        %(exception_reason)s, %(occurred_at)s, %(description)s, %(location)s, %(estimated_delivery)s,
        %(raw_payload)s::jsonb, %(now)s, (SELECT id FROM target), CASE WHEN EXISTS (SELECT 1 FROM target)
        THEN %(now)s::timestamptz END
    FROM inbox
    WHERE result = 'accepted'
    RETURNING id
), folded AS (
    SELECT id, order_status AS old_status, {_ST}, {", ".join(f"{sql} AS {name}" for name, sql in _FACTS.items())},
        (latest_event_at IS NULL OR {_T} >= latest_event_at) AS is_latest
    FROM (SELECT target.*, {rule.rank(_ST)} AS st_rank FROM target WHERE EXISTS (SELECT 1 FROM event)) ranked
), changed AS (
    UPDATE orders o SET
        order_status = {rule.folded_status("f." + _ST, "f.old_status", "f")},
        {", ".join(f"{name} = f.{name}" for name in _FACTS)},
        latest_event_at = CASE WHEN f.is_latest THEN {_T} ELSE o.latest_event_at END,
        latest_event_description = CASE WHEN f.is_latest THEN %(latest_description)s::text
            ELSE o.latest_event_description END,
        latest_event_location = CASE WHEN f.is_latest THEN %(latest_location)s::text ELSE o.latest_event_location END,
        latest_event_status = CASE WHEN f.is_latest THEN f.{_ST} ELSE o.latest_event_status END,
        estimated_delivery = CASE WHEN f.is_latest AND %(estimated_delivery)s::date IS NOT NULL
            THEN %(estimated_delivery)s::date ELSE o.estimated_delivery END,
        courier_metadata = o.courier_metadata || %(courier_metadata)s::jsonb,
        courier = {ownership.courier_after("%(courier)s::text", "o.courier")},
        updated_at = %(now)s, change_cursor = nextval('order_change_seq')
    FROM folded f
    WHERE o.id = f.id
    RETURNING {_CHANGED_COLUMNS}, f.old_status
), outbox AS (
    -- notifications.status_trigger and outbox_values: a status that notifies, reached now.
    INSERT INTO notifications (order_id, channel, trigger, to_address, facts, status, error, created_at)
    SELECT c.id, 'email', '{notifications.STATUS_TRIGGER_PREFIX}' || c.order_status, coalesce(c.customer_email, ''),
        jsonb_build_object({_MAIL_FACTS}),
        CASE WHEN coalesce(c.customer_email, '') = '' THEN '{notifications.FAILED}' ELSE '{notifications.OUTBOX}' END,
        CASE WHEN coalesce(c.customer_email, '') = '' THEN '{notifications.NO_ADDRESS}' END, %(now)s
    FROM changed c
    WHERE c.order_status <> c.old_status AND c.order_status = ANY(%(notify_statuses)s::text[])
)
SELECT (SELECT id FROM target), (SELECT old_status FROM changed), (SELECT order_status FROM changed),
    (SELECT result FROM inbox)
"""
_APPLY = PositionalStatement(APPLY)

# The statement's INSERTs have no ON CONFLICT: a duplicate violates a unique key and undoes
# the whole statement, which answers the same question for less (ON CONFLICT's speculative
# insertions cost ~7 % of PostgreSQL's time per event; duplicates are rare).
INBOX_KEY = "uq_webhook_inbox_dedupe_key"  # the delivery came before
EVENT_KEY = "uq_tracking_events_courier_event_id"  # the event came before by another path (polling)
# After EVENT_KEY: the delivery is still stored, without effects.
STORE_ONLY = PositionalStatement("""
INSERT INTO webhook_inbox (source, dedupe_key, topic, headers, body, result, detail, request_id, received_at)
VALUES (%(source)s, %(dedupe_key)s, %(topic)s, %(headers)s, %(body)s, 'accepted', 'event recorded before',
    %(request_id)s, %(now)s)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
""")


@dataclass(frozen=True)
class FastEvent:
    """One verified courier event with its delivery, ready for the fast path."""

    event: TrackingEvent
    delivery: Delivery
    source: str
    topic: str | None
    now: datetime

    def parameters(self) -> dict[str, Any]:
        return _parameters(self.event, self.delivery, self.source, self.topic, self.now)

    def statement(self) -> tuple[str, list[Any]]:
        """The statement record_event_fast sends first ($n placeholders) and its parameters (the
        receiver bench's ceiling runs it as the receiver would)."""
        return _APPLY.text, _APPLY.parameters(self.parameters())


def record_event_fast(cursor: psycopg.RawCursor[Any], item: FastEvent) -> EventOutcome | None:
    """Store the delivery and the event and apply it; None when the delivery is a duplicate.

    The cursor's connection must be in autocommit mode (db/direct.py): the statement commits
    on its own."""
    parameters = item.parameters()
    try:
        cursor.execute(_APPLY.text, _APPLY.parameters(parameters))
    except psycopg.errors.UniqueViolation as exc:
        if exc.diag.constraint_name == INBOX_KEY:
            return None
        if exc.diag.constraint_name == EVENT_KEY:
            cursor.execute(STORE_ONLY.text, STORE_ONLY.parameters(parameters))
            return EventOutcome(EventResult.DUPLICATE) if cursor.fetchone() else None
        raise
    order_id, old_status, new_status, result = cursor.fetchone()  # type: ignore[misc]
    if result == EventResult.IGNORED:
        return EventOutcome(EventResult.IGNORED, detail=parameters["foreign_detail"])
    if order_id is None:
        return EventOutcome(EventResult.UNMATCHED)
    return EventOutcome(EventResult.APPLIED, order_id, Status(old_status), Status(new_status))


@lru_cache(maxsize=8)
def _values(statuses: frozenset[Status]) -> list[str]:
    return sorted(status.value for status in statuses)


def _parameters(
    event: TrackingEvent, delivery: Delivery, source: str, topic: str | None, now: datetime
) -> dict[str, Any]:
    columns = event_columns(event)
    # status_in_context needs the order's state: pass both readings, the statement picks one.
    status_if_picked_up = status_in_context(event.courier, event.raw_code, event.status, True)
    status = status_in_context(event.courier, event.raw_code, event.status, False)
    return {
        "source": source,
        # The sender's key: an aggregator's event counts as the courier it reports for.
        "dedupe_key": f"{source.removeprefix('courier:')}:{event.event_id}"[:300],
        "topic": topic and topic[:100],
        "headers": Jsonb(stored_headers(delivery.headers)),
        "body": delivery.body,
        "request_id": delivery.request_id[:64],
        "now": now,
        **columns,
        "raw_payload": Jsonb(columns["raw_payload"]) if columns["raw_payload"] is not None else None,
        "status": status and status.value,
        "status_if_picked_up": status_if_picked_up and status_if_picked_up.value,
        "exception_reason_or_other": (event.exception_reason or ExceptionReason.OTHER).value,
        "latest_description": latest_description(event),
        "latest_location": event.location or None,
        "courier_metadata": Jsonb(event.metadata or {}),
        "notify_statuses": _values(notifications.notify_statuses()),
        "foreign_detail": foreign_shipment_reason(event.courier),
    }
