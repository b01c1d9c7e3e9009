"""One order with everything that happened to it, as a single timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from perfile_core.db import audit_repo
from perfile_core.db.orders_repo import find_order_id, get_order
from perfile_core.db.tables import claims, notifications, tracking_events
from perfile_core.domain.courier_mappings import status_in_context
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.order import Order
from perfile_core.domain.status import STATUS_LABELS, Status, is_main_line, rank
from perfile_core.services.audit_wording import describe
from perfile_core.services.notifications import with_message
from perfile_core.services.validation import clean_user_text


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # tracking | claim | notification | audit
    title: str
    detail: str = ""
    status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    events: list[dict[str, Any]]
    timeline: list[TimelineEntry]  # newest first


def find_order(db: Engine, reference: str) -> int:
    """The order id for an id, order number or tracking number, as typed or taken from a URL."""
    cleaned = clean_user_text(reference, field="order")
    if cleaned is None:
        raise ValidationError("order", "give an order id, order number or tracking number")
    with db.connect() as conn:
        return find_order_id(conn, cleaned)


def order_detail(db: Engine, order_id: int) -> OrderDetail:
    with db.connect() as conn:
        order = get_order(conn, order_id)
        events = [
            dict(row)
            for row in conn.execute(
                select(tracking_events)
                .where(tracking_events.c.order_id == order_id)
                .order_by(tracking_events.c.occurred_at.desc(), tracking_events.c.id.desc())
            ).mappings()
        ]
        claim_rows = conn.execute(select(claims).where(claims.c.order_id == order_id)).mappings().all()
        notification_rows = [
            with_message(row)
            for row in conn.execute(select(notifications).where(notifications.c.order_id == order_id)).mappings()
        ]
        audit_rows = audit_repo.for_order(conn, order_id)
    timeline = _tracking_entries(events)
    timeline += [
        TimelineEntry(
            at=c["created_at"],
            kind="claim",
            title=f"Claim filed: {c['claim_type']} ({c['status']})",
            detail=c["description"],
            extra={
                "amount": str(c["amount"]) if c["amount"] is not None else None,
                "currency": c["currency"],
            },
        )
        for c in claim_rows
    ]
    timeline += [
        TimelineEntry(
            at=n["sent_at"] or n["created_at"],
            kind="notification",
            title=f"E-mail to {n['to_address']}: {n['subject']}",
            detail=n["error"] or n["status"],
            status=n["status"],
        )
        for n in notification_rows
    ]
    timeline += [_audit_entry(a) for a in audit_rows]
    timeline.sort(key=lambda entry: entry.at, reverse=True)
    return OrderDetail(order=order, events=events, timeline=timeline)


def _tracking_entries(events: list[dict[str, Any]]) -> list[TimelineEntry]:
    """Timeline entries, with statuses only the sequence tells (PostNord's first EN_ROUTE is the pickup)."""
    entries = []
    furthest = Status.PENDING
    for event in sorted(events, key=lambda e: (e["occurred_at"], e["id"])):
        stored = Status(event["normalized_status"]) if event["normalized_status"] else None
        picked_up_yet = rank(furthest) >= rank(Status.PICKED_UP)
        status = status_in_context(event["courier"], event["raw_code"], stored, picked_up_yet)
        if status is not None and is_main_line(status) and rank(status) > rank(furthest):
            furthest = status
        entries.append(_event_entry(event, status))
    return entries


def _event_entry(event: dict[str, Any], shown: Status | None) -> TimelineEntry:
    status = shown.value if shown else None
    label = STATUS_LABELS[Status(status)] if status else "Update"
    if event["exception_reason"]:
        label = f"{label}: {event['exception_reason'].replace('_', ' ')}"
    return TimelineEntry(
        at=event["occurred_at"],
        kind="tracking",
        title=label,
        # raw_status stands in for a missing description, as in the orders table's latest event.
        detail=" · ".join(part for part in (event["description"] or event["raw_status"], event["location"]) if part),
        status=status,
        extra={"raw_code": event["raw_code"], "courier": event["courier"]},
    )


def _audit_entry(row: dict[str, Any]) -> TimelineEntry:
    """An audit row in words (services/audit_wording.py), its stored details kept in `extra`."""
    text = describe(row["action"], row["actor"], row["details"], row.get("actor_email"))
    return TimelineEntry(at=row["created_at"], kind="audit", title=text.title, detail=text.detail, extra=row["details"])
