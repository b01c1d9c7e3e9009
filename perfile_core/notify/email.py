"""The tracking e-mail a customer gets: order number, courier, tracking link and ETA."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

from perfile_core.domain.couriers import courier_display_name
from perfile_core.domain.couriers import tracking_url as _tracking_url
from perfile_core.domain.status import STATUS_LABELS, ExceptionReason, Status

HEADLINES: dict[str, str] = {
    "booked": "is on its way",
    "manual": "tracking information",
    Status.PICKED_UP: "has been picked up",
    Status.IN_TRANSIT: "is in transit",
    Status.OUT_FOR_DELIVERY: "is out for delivery today",
    Status.READY_FOR_PICKUP: "is ready for pickup",
    Status.DELIVERED: "has been delivered",
    Status.EXCEPTION: "is delayed: there is a problem with the delivery",
    Status.RETURNED: "is being returned to us",
    Status.CANCELLED: "shipment was cancelled",
}


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str


class MailOrder(Protocol):
    """What the e-mail says about an order: an `Order`, or `MailFacts` read without one."""

    @property
    def order_number(self) -> str: ...
    @property
    def customer_name(self) -> str: ...
    @property
    def order_status(self) -> Status: ...
    @property
    def courier(self) -> str | None: ...
    @property
    def courier_name(self) -> str | None: ...
    @property
    def tracking_number(self) -> str | None: ...
    @property
    def tracking_url(self) -> str | None: ...
    @property
    def estimated_delivery(self) -> date | None: ...
    @property
    def exception_reason(self) -> ExceptionReason | None: ...
    @property
    def store_name(self) -> str | None: ...


@dataclass(frozen=True)
class MailFacts:
    """The order fields the e-mail uses, as plain values: stored with each outbox row, so a
    message composed later says what was true when it was queued. Every field but store_name
    is an `orders` column of the same name (the receiver's SQL builds the record from them)."""

    order_number: str
    customer_name: str
    order_status: Status
    courier: str | None
    courier_name: str | None
    tracking_number: str | None
    estimated_delivery: date | None
    exception_reason: ExceptionReason | None
    store_name: str | None

    @property
    def tracking_url(self) -> str | None:
        return _tracking_url(self.courier, self.tracking_number)

    @classmethod
    def of(cls, order: MailOrder) -> MailFacts:
        return cls(**{name: getattr(order, name) for name in FACT_FIELDS})

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        record["estimated_delivery"] = self.estimated_delivery.isoformat() if self.estimated_delivery else None
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> MailFacts:
        eta, reason = record.get("estimated_delivery"), record.get("exception_reason")
        return cls(
            order_number=record["order_number"],
            customer_name=record["customer_name"],
            order_status=Status(record["order_status"]),
            courier=record.get("courier"),
            courier_name=record.get("courier_name"),
            tracking_number=record.get("tracking_number"),
            estimated_delivery=date.fromisoformat(eta) if eta else None,
            exception_reason=ExceptionReason(reason) if reason else None,
            store_name=record.get("store_name"),
        )


FACT_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(MailFacts))


def trigger_key(trigger: str) -> str:
    """`status:delivered` -> `delivered`; `booked` and `manual` stay as they are."""
    return trigger.removeprefix("status:")


def compose(order: MailOrder, trigger: str) -> Composed:
    key = trigger_key(trigger)
    headline = HEADLINES.get(key, "has an update")  # Status is a StrEnum: "delivered" finds it
    subject = f"Your order {order.order_number} {headline}"
    if key == "manual":
        subject = f"Your order {order.order_number}: {headline}"
    courier = courier_display_name(order.courier) or order.courier_name or "our courier"
    lines = [
        f"Hello {order.customer_name},",
        "",
        f"Your order {order.order_number} {headline}.",
        "",
        f"Status: {STATUS_LABELS[order.order_status]}",
        f"Courier: {courier}",
    ]
    if order.tracking_number:
        lines.append(f"Tracking number: {order.tracking_number}")
    if order.tracking_url:
        lines.append(f"Track your parcel: {order.tracking_url}")
    if order.estimated_delivery and order.order_status not in (Status.DELIVERED, Status.RETURNED):
        lines.append(f"Estimated delivery: {order.estimated_delivery:%A %d %B %Y}")
    if order.order_status == Status.EXCEPTION and order.exception_reason:
        lines.append(f"Reason: {order.exception_reason.value.replace('_', ' ')}")
    store = order.store_name or "the store"
    lines += ["", "Kind regards,", store]
    return Composed(subject=subject, body="\n".join(lines) + "\n")


def to_message(sender: str, to: str, subject: str, body: str, *, notification_id: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=f"notification-{notification_id}", domain="perfile.local")
    message["X-Perfile-Notification"] = str(notification_id)
    message.set_content(body)
    return message
