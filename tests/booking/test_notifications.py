"""Customer e-mail through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from perfile_core.clock import utcnow
from perfile_core.config import Settings
from perfile_core.db.tables import notifications
from perfile_core.domain.status import Status
from perfile_core.services import notifications as notify
from perfile_core.services.booking import book_order
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import person


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, Settings(smtp_host="127.0.0.1", smtp_port=controller.port)
    controller.stop()


def test_booking_sends_the_tracking_email(db, registry, make_order, smtp):
    inbox, settings = smtp
    order_id = make_order()
    result = book_order(db, registry, order_id, "sandbox", "service_point", actor=person("ops"), settings=settings)

    ((recipients, message),) = inbox.messages
    assert recipients == ["anna@example.se"]
    assert message["Subject"] == f"Your order {result.order_number} is on its way"
    body = message.get_content()
    assert f"http://localhost:8000/track/{result.tracking_number}" in body
    assert "Courier: Sandbox Express" in body and f"{result.estimated_delivery:%d %B %Y}" in body
    with db.connect() as conn:
        row = conn.execute(select(notifications)).one()
    assert (row.status, row.error, row.trigger) == ("sent", None, "booked") and row.sent_at is not None


def test_status_change_queues_in_the_same_transaction_and_sends_later(db, registry, make_order, smtp):
    inbox, settings = smtp
    order_id = make_order()
    booked = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))  # no settings: outbox only
    now = utcnow()
    # A transaction that fails after the event takes its e-mail with it.
    with pytest.raises(RuntimeError), db.begin() as conn:
        event = TrackingEvent("sandbox", booked.tracking_number, "lost", now, Status.OUT_FOR_DELIVERY)
        assert record_event(conn, event, now).status_changed
        raise RuntimeError("the rest of the delivery failed")
    with db.connect() as conn:
        assert conn.execute(select(notifications.c.trigger)).scalars().all() == ["booked"]
    with db.begin() as conn:
        for n, status in enumerate([Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY]):
            record_event(
                conn,
                TrackingEvent(
                    "sandbox",
                    booked.tracking_number,
                    f"e{n}",
                    now + timedelta(minutes=n),
                    status,
                    description=status.value,
                ),
                now,
            )
    with db.connect() as conn:
        rows = conn.execute(select(notifications.c.trigger, notifications.c.status)).all()
    assert sorted(rows) == [("booked", "outbox"), ("status:out_for_delivery", "outbox")]  # in_transit not chosen

    report = notify.send_pending(db, settings)
    assert report.sent == 2 and not report.failed
    subjects = sorted(message["Subject"] for _, message in inbox.messages)
    assert subjects[1].endswith("is out for delivery today")
    assert notify.send_pending(db, settings).sent == 0  # nothing is sent twice


def test_without_smtp_host_messages_stay_in_the_outbox(db, registry, make_order):
    book_order(db, registry, make_order(), "sandbox", "home", actor=person("ops"), settings=Settings(smtp_host=""))
    report = notify.send_pending(db, Settings(smtp_host=""))
    assert (report.sent, report.failed, report.kept_in_outbox) == (0, 0, 1)
    assert [n["status"] for n in notify.list_notifications(db)] == ["outbox"]


def test_unreachable_smtp_records_the_error(db, registry, make_order):
    settings = Settings(smtp_host="127.0.0.1", smtp_port=_free_port(), smtp_timeout_seconds=1)
    book_order(db, registry, make_order(), "sandbox", "home", actor=person("ops"), settings=settings)
    (row,) = notify.list_notifications(db)
    assert row["status"] == "failed" and "ConnectionRefusedError" in row["error"]


def test_manual_notification_and_missing_address(db, registry, make_order, smtp):
    inbox, settings = smtp
    order_id = make_order()
    book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))
    row = notify.notify_customer(db, settings, order_id, actor=person("ops@x"))
    assert row["status"] == "sent" and row["trigger"] == "manual" and len(inbox.messages) == 1

    from perfile_core.domain.errors import ValidationError

    silent = make_order(customer_email=None)
    with pytest.raises(ValidationError, match="no e-mail address"):
        notify.notify_customer(db, settings, silent, actor=person("ops@x"))
    book_order(db, registry, silent, "sandbox", "home", actor=person("ops"))
    (record,) = notify.list_notifications(db, order_id=silent)
    assert record["status"] == "failed" and "no customer e-mail" in record["error"]


def test_a_row_queued_with_facts_only_is_composed_when_sent_and_keeps_what_was_sent(db, registry, make_order, smtp):
    """The receiver's one-statement fast path stores only the order's facts (it cannot run the
    Python composer); the message says what was true when the row was queued."""
    inbox, settings = smtp
    order_id = make_order()
    facts = {
        "order_number": "PF-1042",
        "customer_name": "Anna Berg",
        "order_status": "exception",
        "courier": "postnord",
        "courier_name": None,
        "tracking_number": "00370712345678901234",
        "estimated_delivery": "2026-12-02",
        "exception_reason": "address_issue",
        "store_name": "Nordic Threads",
    }
    with db.begin() as conn:
        conn.execute(
            notifications.insert().values(
                order_id=order_id,
                channel="email",
                trigger="status:exception",
                to_address="anna@example.se",
                facts=facts,
                status="outbox",
                created_at=utcnow(),
            )
        )
    (listed,) = notify.list_notifications(db, order_id=order_id)
    assert listed["subject"] == "Your order PF-1042 is delayed: there is a problem with the delivery"
    assert (
        "Reason: address issue" in listed["body"] and "Estimated delivery: Wednesday 02 December 2026" in listed["body"]
    )

    assert notify.send_pending(db, settings).sent == 1
    ((recipients, message),) = inbox.messages
    assert recipients == ["anna@example.se"] and message["Subject"] == listed["subject"]
    assert "Kind regards,\r\nNordic Threads" in message.get_content()  # SMTP line endings
    with db.connect() as conn:
        stored = conn.execute(select(notifications).where(notifications.c.order_id == order_id)).mappings().one()
    assert (stored["status"], stored["subject"], stored["body"]) == ("sent", listed["subject"], listed["body"])
