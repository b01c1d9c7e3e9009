"""Customer notifications as a transactional outbox.

Rows are written as `outbox` in the same transaction as the change that caused them
(booking, a status change); sending happens afterwards, outside any transaction, and marks
each row `sent` or `failed` with the error. Without an SMTP host (the embedded default) the
rows stay in the outbox, where the dashboard shows them.

Each row keeps the order's facts as they were when it was queued (notify.email.MailFacts).
The receiver's one-statement fast path stores only those facts; subject and body are then
composed from them when the row is first read or sent (`with_message`), so a message always
says what was true when its change happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, select

from perfile_core.clock import utcnow
from perfile_core.config import Settings, load_settings
from perfile_core.db import audit_repo
from perfile_core.db.orders_repo import get_order
from perfile_core.db.tables import notifications
from perfile_core.domain.access import Actor, Permission, require
from perfile_core.domain.errors import NotFound, ValidationError
from perfile_core.domain.status import Status
from perfile_core.notify.email import MailFacts, MailOrder, compose, to_message
from perfile_core.notify.smtp import SmtpSender

OUTBOX, SENDING, SENT, FAILED = "outbox", "sending", "sent", "failed"
NO_ADDRESS = "the order has no customer e-mail address"


@cache
def _statuses_from_settings() -> frozenset[Status]:
    return parse_statuses(load_settings().notify_on_statuses)


_override: frozenset[Status] | None = None


def parse_statuses(value: str) -> frozenset[Status]:
    return frozenset(Status(part.strip()) for part in value.split(",") if part.strip())


def configure(settings: Settings | None) -> None:
    """Set the statuses that notify (composition root, tests); None reads Settings again."""
    global _override
    _override = parse_statuses(settings.notify_on_statuses) if settings is not None else None
    _statuses_from_settings.cache_clear()


def notify_statuses() -> frozenset[Status]:
    return _override if _override is not None else _statuses_from_settings()


STATUS_TRIGGER_PREFIX = "status:"


def status_trigger(old: Status, new: Status) -> str | None:
    """The trigger when an order moving from `old` to `new` notifies its customer, else None.

    (The receiver's fast path states the same in SQL: webhook_fastpath.OUTBOX.)"""
    if old == new or new not in notify_statuses():
        return None
    return f"{STATUS_TRIGGER_PREFIX}{new.value}"


def outbox_values(order: MailOrder, customer_email: str | None, trigger: str, now: datetime) -> dict[str, Any]:
    """The outbox row (without order_id) for one message about `order` to its customer."""
    facts = MailFacts.of(order)
    message = compose(facts, trigger)
    values: dict[str, Any] = {
        "channel": "email",
        "trigger": trigger,
        "to_address": customer_email or "",
        "subject": message.subject[:300],
        "body": message.body,
        "facts": facts.to_json(),
        "status": OUTBOX,
        "error": None,
        "created_at": now,
    }
    if not customer_email:
        values.update(status=FAILED, error=NO_ADDRESS)
    return values


def with_message(row: Mapping[str, Any]) -> dict[str, Any]:
    """A notification row with its subject and body, composed from its facts when not stored yet."""
    record = dict(row)
    if record.get("subject") is None and record.get("facts"):
        message = compose(MailFacts.from_json(record["facts"]), record["trigger"])
        record.update(subject=message.subject[:300], body=message.body)
    return record


def queue_in(conn: Connection, order_id: int, trigger: str, now: datetime) -> int:
    """Inside the caller's transaction: compose and store one message for the order's customer."""
    order = get_order(conn, order_id)
    values = {"order_id": order_id, **outbox_values(order, order.customer_email, trigger, now)}
    return conn.execute(notifications.insert().values(values).returning(notifications.c.id)).scalar_one()


def on_status_change(conn: Connection, order_id: int, old: Status, new: Status, now: datetime) -> int | None:
    """The tracking hook: queue a message when an order reaches a status customers hear about."""
    trigger = status_trigger(old, new)
    if trigger is None:
        return None
    return queue_in(conn, order_id, trigger, now)


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    kept_in_outbox: int = 0  # no SMTP host configured


def send_pending(db: Engine, settings: Settings, *, ids: list[int] | None = None, limit: int = 200) -> SendReport:
    """Send outbox messages (all, or the given ids) over SMTP; no-op without an SMTP host."""
    query = select(notifications.c.id).where(notifications.c.status == OUTBOX)
    if ids is not None:
        query = query.where(notifications.c.id.in_(ids))
    with db.connect() as conn:
        pending = conn.execute(query.order_by(notifications.c.id).limit(limit)).scalars().all()
    sender = SmtpSender(settings)
    if not sender.configured:
        return SendReport(kept_in_outbox=len(pending))
    claimed = [row for row in (_claim(db, nid) for nid in pending) if row is not None]
    if not claimed:
        return SendReport()
    messages = [
        to_message(settings.smtp_sender, row["to_address"], row["subject"], row["body"], notification_id=row["id"])
        for row in claimed
    ]
    try:
        errors = sender.send(messages)
    except (OSError, Exception) as exc:
        errors = [f"{type(exc).__name__}: {exc}"[:500]] * len(claimed)
    now = utcnow()
    with db.begin() as conn:
        for row, error in zip(claimed, errors, strict=True):
            conn.execute(
                notifications.update()
                .where(notifications.c.id == row["id"])
                .values(status=FAILED if error else SENT, error=error, sent_at=None if error else now)
            )
    failed = sum(1 for error in errors if error)
    return SendReport(sent=len(claimed) - failed, failed=failed)


def _claim(db: Engine, notification_id: int) -> dict[str, Any] | None:
    """outbox -> sending, only if still outbox: two senders never send one message twice."""
    with db.begin() as conn:
        claimed = conn.execute(
            notifications.update()
            .where(notifications.c.id == notification_id, notifications.c.status == OUTBOX)
            .values(status=SENDING)
        ).rowcount
        if not claimed:
            return None
        row = conn.execute(select(notifications).where(notifications.c.id == notification_id)).mappings().one()
        record = with_message(row)
        if row["subject"] is None:  # keep exactly what is sent
            conn.execute(
                notifications.update()
                .where(notifications.c.id == notification_id)
                .values(subject=record["subject"], body=record["body"])
            )
        return record


def notify_customer(db: Engine, settings: Settings, order_id: int, *, actor: Actor) -> dict[str, Any]:
    require(actor, Permission.NOTIFY)
    """Send the tracking e-mail now (the dashboard's button); returns the notification record."""
    now = utcnow()
    with db.begin() as conn:
        order = get_order(conn, order_id)
        if not order.customer_email:
            raise ValidationError("customer_email", "the order has no e-mail address; edit the order first")
        notification_id = queue_in(conn, order_id, "manual", now)
        audit_repo.record(
            conn,
            actor,
            "notification.sent_manually",
            order_id,
            {"notification_id": notification_id},
            now,
            after={"notification_id": notification_id},
        )
    send_pending(db, settings, ids=[notification_id])
    return get_notification(db, notification_id)


def get_notification(db: Engine, notification_id: int) -> dict[str, Any]:
    with db.connect() as conn:
        row = conn.execute(select(notifications).where(notifications.c.id == notification_id)).mappings().first()
    if row is None:
        raise NotFound(f"notification {notification_id} does not exist")
    return with_message(row)


def list_notifications(
    db: Engine, *, order_id: int | None = None, status: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Newest first; the dashboard's outbox view passes status='outbox'."""
    query = select(notifications).order_by(notifications.c.id.desc()).limit(limit)
    if order_id is not None:
        query = query.where(notifications.c.order_id == order_id)
    if status is not None:
        query = query.where(notifications.c.status == status)
    with db.connect() as conn:
        return [with_message(row) for row in conn.execute(query).mappings()]
