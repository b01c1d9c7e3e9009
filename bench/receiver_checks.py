"""What the receiver bench counts after a run: lost and doubled, where each can happen.

Lost: an event answered `accepted` that is not stored (tracking_events for the receiver, the
reference's own table), and an accepted delivery missing from the inbox.

Doubled is counted where a double is possible, not on a unique key (tracking_events and the
inbox are unique on the event id, so a count there is always 0). Only rows written since the
run started (`since`) are counted:

- e-mails: more than one customer e-mail queued for one status change of one order. The
  outbox has no unique key; each e-mail row is queued by one delivery applied to one order
  and carries that delivery's time (`created_at`), and one delivery changes an order's status
  at most once: two e-mails of one order with the same time are a double;
- inbox: more than one inbox row for one delivery id (the sender's `webhook-id` header), which
  the dedupe key is derived from but does not store as such;
- events: an order that one sent event was applied to twice. The bench gives every event it
  sends a time of its own (`occurred_at`), so two event rows of one order with the same time
  are one event applied twice, under whatever id it was stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

DOUBLED_EMAILS = """
SELECT count(*) FROM (
    SELECT 1 FROM notifications WHERE created_at >= %s AND trigger LIKE 'status:%%'
    GROUP BY order_id, created_at HAVING count(*) > 1
) doubled
"""
DOUBLED_INBOX = """
SELECT count(*) FROM (
    SELECT 1 FROM webhook_inbox WHERE received_at >= %s AND source LIKE 'courier:%%'
    GROUP BY source, headers->>'webhook-id' HAVING count(*) > 1
) doubled
"""
DOUBLED_EVENTS = """
SELECT count(DISTINCT order_id) FROM (
    SELECT order_id FROM tracking_events WHERE received_at >= %s AND order_id IS NOT NULL
    GROUP BY order_id, occurred_at HAVING count(*) > 1
) doubled
"""


@dataclass(frozen=True)
class Doubled:
    emails: int  # status changes of one order with more than one e-mail
    inbox: int  # delivery ids with more than one inbox row
    events: int  # orders one event was applied to more than once

    @property
    def total(self) -> int:
        return self.emails + self.inbox + self.events


def doubled(conn: psycopg.Connection[Any], since: datetime) -> Doubled:
    def count(sql: str) -> int:
        return int(conn.execute(sql, (since,)).fetchone()[0])  # type: ignore[index]

    return Doubled(count(DOUBLED_EMAILS), count(DOUBLED_INBOX), count(DOUBLED_EVENTS))


def lost(conn: psycopg.Connection[Any], accepted_ids: Iterable[str], table: str) -> int:
    """Accepted event ids with no row in `table` (its `event_id` column)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS sent (event_id text)")
    conn.execute("TRUNCATE sent")
    with conn.cursor().copy("COPY sent (event_id) FROM STDIN") as copy:
        for event_id in accepted_ids:
            copy.write_row((event_id,))
    found = conn.execute(
        f"SELECT count(*) FROM sent s WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.event_id = s.event_id)"
    ).fetchone()
    return int(found[0])  # type: ignore[index]


def missing_from_inbox(conn: psycopg.Connection[Any], accepted_ids: Iterable[str], courier: str) -> int:
    """Accepted deliveries with no inbox row (the fast path's dedupe key: `courier:event_id`)."""
    keys = sorted({f"{courier}:{event_id}" for event_id in accepted_ids})
    found = conn.execute("SELECT count(*) FROM webhook_inbox WHERE dedupe_key = ANY(%s)", (keys,)).fetchone()
    return len(keys) - int(found[0])  # type: ignore[index]
