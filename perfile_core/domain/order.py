"""An order as the rules see it, and every computed field, implemented once.

The dashboard, the CLI export, the receiver and the booking service all read
computed fields from here; the SQL filter for needs_action mirrors `needs_action`
and a test keeps the two in agreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from perfile_core.domain.couriers import tracking_url as _tracking_url
from perfile_core.domain.eta import EtaCountdown
from perfile_core.domain.indicators import Indicator, order_indicators
from perfile_core.domain.status import (
    ACTIVE_MAIN_LINE,
    TERMINAL,
    BadgeColor,
    ExceptionReason,
    Status,
    badge_color,
    progress_percent,
)
from perfile_core.domain.time_utils import local_day, next_local_day

STALE_AFTER = timedelta(hours=48)
CLAIMABLE_REASONS = frozenset({ExceptionReason.DAMAGED, ExceptionReason.LOST, ExceptionReason.DELAYED})


class OrderAction(StrEnum):
    """What an operator can do to one order (the dashboard's action bar, one button each)."""

    BOOK = "book"
    DETAILS = "details"
    TRACK = "track"
    DOWNLOAD_LABEL = "download_label"
    PRINT_LABEL = "print_label"
    NOTIFY = "notify"
    CLAIM = "claim"
    EDIT = "edit"
    CANCEL = "cancel"
    DELETE = "delete"


class OnTimeStatus(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    DELAYED = "delayed"


@dataclass(frozen=True)
class LatestEvent:
    occurred_at: datetime
    description: str
    location: str | None
    status: Status | None


@dataclass(frozen=True)
class Order:
    """Stored facts of one order. Computed fields are methods, never stored."""

    id: int
    order_number: str
    store_key: str
    customer_name: str
    created_at: datetime
    order_status: Status = Status.PENDING
    main_status: Status = Status.PENDING
    tracking_number: str | None = None
    courier: str | None = None
    courier_name: str | None = None  # the webshop's text when we do not know the courier
    service_type: str | None = None
    estimated_delivery: date | None = None
    exception_reason: ExceptionReason | None = None
    exception_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    latest_event_at: datetime | None = None
    latest_event_description: str | None = None
    latest_event_location: str | None = None
    latest_event_status: Status | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    weight_grams: int | None = None
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None
    has_label: bool = False
    updated_at: datetime | None = None
    change_cursor: int = 0
    store_name: str | None = None
    courier_metadata: dict[str, Any] = field(default_factory=dict)

    # -- computed fields ---------------------------------------------------------

    @property
    def has_tracking(self) -> bool:
        return bool(self.tracking_number)

    @property
    def can_book_shipment(self) -> bool:
        return not self.has_tracking and self.order_status == Status.PENDING

    @property
    def tracking_url(self) -> str | None:
        return _tracking_url(self.courier, self.tracking_number)

    @property
    def can_track(self) -> bool:
        return self.tracking_url is not None

    @property
    def had_exception(self) -> bool:
        return self.exception_at is not None

    @property
    def can_file_claim(self) -> bool:
        """Exceptions can be claimed; so can a delivered parcel reported damaged, lost or late."""
        if not self.has_tracking:
            return False
        if self.order_status == Status.EXCEPTION:
            return True
        if self.order_status in (Status.DELIVERED, Status.RETURNED):
            return self.exception_reason in CLAIMABLE_REASONS
        return False

    @property
    def can_download_label(self) -> bool:
        """A label is stored for the current tracking number (booked through Perfile)."""
        return self.has_tracking and self.has_label

    @property
    def can_notify_customer(self) -> bool:
        return self.has_tracking and bool(self.customer_email) and self.order_status != Status.CANCELLED

    @property
    def can_cancel_booking(self) -> bool:
        """Only our own booking, before the courier has the parcel (services.cancellation)."""
        return self.order_status == Status.CONFIRMED and self.can_download_label

    @property
    def can_edit(self) -> bool:
        return self.order_status not in TERMINAL

    def why_not(self, action: OrderAction) -> str | None:
        """Why `action` is not possible for this order now, in words for the operator; None when it is."""
        status = self.order_status.value.replace("_", " ")
        if action == OrderAction.BOOK and not self.can_book_shipment:
            return f"Already booked ({self.tracking_number})" if self.has_tracking else f"The order is {status}"
        if action == OrderAction.TRACK and not self.can_track:
            if not self.has_tracking:
                return "No tracking number yet: book the shipment first"
            return "We have no tracking page for this courier"
        if action in (OrderAction.DOWNLOAD_LABEL, OrderAction.PRINT_LABEL, OrderAction.CANCEL):
            if not self.has_tracking:
                return "No shipment booked yet"
            if not self.has_label:
                return "Not booked through Perfile: the label and booking are with the webshop or courier"
        if action == OrderAction.NOTIFY and not self.can_notify_customer:
            if not self.customer_email:
                return "The order has no customer e-mail address: edit the order first"
            if not self.has_tracking:
                return "No tracking number to send yet: book the shipment first"
            return "The order is cancelled"
        if action == OrderAction.CLAIM and not self.can_file_claim:
            if not self.has_tracking:
                return "No shipment to claim for"
            return "Claims are for exceptions, and for delivered parcels reported damaged, lost or late"
        if action == OrderAction.CANCEL and not self.can_cancel_booking:
            return f"The parcel is already {status}: contact the courier to stop it"
        if action == OrderAction.EDIT and not self.can_edit:
            return f"The order is {status}; its details are kept as they were"
        return None

    def is_active(self) -> bool:
        """In the courier's network: picked up through ready for pickup (also with an exception)."""
        if self.order_status in TERMINAL:
            return False
        return self.main_status in ACTIVE_MAIN_LINE

    def is_stale(self, now: datetime) -> bool:
        if not self.is_active():
            return False
        last = self.latest_event_at or self.shipped_at
        return last is None or now - last > STALE_AFTER

    def needs_action(self, now: datetime) -> bool:
        if self.order_status in (Status.CANCELLED, Status.DELIVERED, Status.RETURNED):
            return False
        return not self.has_tracking or self.order_status == Status.EXCEPTION or self.is_stale(now)

    @property
    def latest_event(self) -> LatestEvent | None:
        if self.latest_event_at is None:
            return None
        return LatestEvent(
            occurred_at=self.latest_event_at,
            description=self.latest_event_description or "",
            location=self.latest_event_location,
            status=self.latest_event_status,
        )

    @property
    def progress(self) -> int:
        return progress_percent(self.order_status, self.main_status)

    def otd_status(self, now: datetime) -> OnTimeStatus | None:
        """Delivered (or still underway) against the promised date, by calendar day at the
        delivery address (time_utils.local_day)."""
        if self.estimated_delivery is None:
            return None
        if self.delivered_at is not None:
            delivered_on = local_day(self.delivered_at, self.country_code)
            if delivered_on < self.estimated_delivery:
                return OnTimeStatus.EARLY
            if delivered_on == self.estimated_delivery:
                return OnTimeStatus.ON_TIME
            return OnTimeStatus.DELAYED
        if self.order_status in (Status.CANCELLED, Status.RETURNED):
            return None
        if local_day(now, self.country_code) > self.estimated_delivery:
            return OnTimeStatus.DELAYED
        return None

    def days_to_delivery(self, now: datetime) -> int | None:
        """Days until the promised date at the delivery address (negative when late); None
        without a promise or once the parcel's journey has ended."""
        if self.estimated_delivery is None or self.order_status in TERMINAL:
            return None
        return (self.estimated_delivery - local_day(now, self.country_code)).days

    def eta_countdown(self, now: datetime) -> EtaCountdown | None:
        """The countdown to the promised day ("today", "in 2 days", "1 day late"); None without
        a promise or once the journey has ended."""
        days = self.days_to_delivery(now)
        return None if days is None else EtaCountdown(days)

    def changes_with_time_at(self, now: datetime) -> datetime | None:
        """The next moment (not before `now`) at which a computed field read at `now` may read
        differently with no change to the order: the next day at the delivery address for the
        ETA countdown and on-time status, the end of 48 h without courier news for `is_stale`
        (so `needs_action` and the indicators). None: the time alone changes none of them.

        A view of the order drawn at `now` (the dashboard's table) stays true until then."""
        moments = []
        if self.estimated_delivery is not None:  # also when delivered: one needless redraw a day at most
            moments.append(next_local_day(now, self.country_code))
        last = self.latest_event_at or self.shipped_at
        if last is not None and self.is_active() and not self.is_stale(now):
            moments.append(last + STALE_AFTER)
        return min(moments, default=None)

    def indicators(self, now: datetime, seen_at: datetime | None) -> tuple[Indicator, ...]:
        """The table's indicator signals (domain/indicators.py); `seen_at`: when the operator last looked."""
        return order_indicators(self, now, seen_at)

    @property
    def delivery_time_hours(self) -> float | None:
        if self.delivered_at is None:
            return None
        start = self.shipped_at or self.created_at
        return round((self.delivered_at - start).total_seconds() / 3600, 1)

    @property
    def badge(self) -> BadgeColor:
        return badge_color(self.order_status, self.has_tracking)

    def computed(self, now: datetime | None = None) -> dict[str, Any]:
        """All computed fields as plain values, for export and display."""
        now = now or datetime.now(UTC)
        otd = self.otd_status(now)
        latest = self.latest_event
        return {
            "has_tracking": self.has_tracking,
            "can_book_shipment": self.can_book_shipment,
            "can_track": self.can_track,
            "can_file_claim": self.can_file_claim,
            "is_active": self.is_active(),
            "needs_action": self.needs_action(now),
            "tracking_url": self.tracking_url,
            "latest_event": None
            if latest is None
            else {
                "occurred_at": latest.occurred_at.isoformat(),
                "description": latest.description,
                "location": latest.location,
                "status": latest.status.value if latest.status else None,
            },
            "progress": self.progress,
            "otd_status": otd.value if otd else None,
            "delivery_time_hours": self.delivery_time_hours,
            "had_exception": self.had_exception,
            "badge_color": self.badge.value,
        }
