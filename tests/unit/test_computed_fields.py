"""Every computed field of an order: its true and false cases and its boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from perfile_core.domain.couriers import TRACKING_URL_TEMPLATES, courier_code_from_name, tracking_url
from perfile_core.domain.order import STALE_AFTER, LatestEvent, OnTimeStatus, Order
from perfile_core.domain.status import TERMINAL, BadgeColor, ExceptionReason, Status

NOW = datetime(2025, 11, 10, 12, 0, tzinfo=UTC)
CREATED = datetime(2025, 11, 3, 8, 0, tzinfo=UTC)
ETA = date(2025, 11, 6)


def order(**fields: Any) -> Order:
    base: dict[str, Any] = {
        "id": 1,
        "order_number": "1001",
        "store_key": "nordic-shop",
        "customer_name": "Astrid Lindqvist",
        "created_at": CREATED,
    }
    return Order(**{**base, **fields})


def shipped(status: Status = Status.IN_TRANSIT, **fields: Any) -> Order:
    """A booked order with tracking whose main line has reached `status`."""
    main = fields.pop("main_status", status)
    base: dict[str, Any] = {"tracking_number": "00370712345678901234", "courier": "postnord"}
    return order(order_status=status, main_status=main, **{**base, **fields})


# -- has_tracking, can_book_shipment ----------------------------------------------------


@pytest.mark.parametrize(("number", "expected"), [(None, False), ("", False), ("RR473124829GB", True)])
def test_has_tracking(number: str | None, expected: bool) -> None:
    assert order(tracking_number=number).has_tracking is expected


def test_can_book_shipment_only_a_pending_order_without_tracking() -> None:
    assert order().can_book_shipment
    assert not order(tracking_number="RR473124829GB").can_book_shipment
    for status in Status:
        if status != Status.PENDING:
            assert not order(order_status=status).can_book_shipment, status


# -- tracking_url, can_track -------------------------------------------------------------


TRACKING_URLS = {
    "postnord": "https://tracking.postnord.com/se/?id=00370712345678901234",
    "bring": "https://tracking.bring.com/tracking/00370712345678901234",
    "dhl": "https://www.dhl.com/se-en/home/tracking.html?tracking-id=00370712345678901234",
    "budbee": "https://tracking.budbee.com/00370712345678901234",
    "instabox": "https://track.instabox.io/00370712345678901234",
    "sandbox": "http://localhost:8000/track/00370712345678901234",
}


@pytest.mark.parametrize(("courier", "url"), list(TRACKING_URLS.items()))
def test_tracking_url_per_courier(courier: str, url: str) -> None:
    subject = shipped(courier=courier)
    assert subject.tracking_url == url
    assert subject.can_track


def test_every_known_courier_has_a_tested_template() -> None:
    assert set(TRACKING_URL_TEMPLATES) == set(TRACKING_URLS)


@pytest.mark.parametrize(
    ("number", "encoded"),
    [
        ("AB 12/34", "AB%2012%2F34"),
        ("x?id=1&y=2#frag", "x%3Fid%3D1%26y%3D2%23frag"),
        ("../admin", "..%2Fadmin"),
        ("ÅÄÖ-1", "%C3%85%C3%84%C3%96-1"),
        ("50%", "50%25"),
    ],
)
def test_tracking_url_encodes_odd_characters(number: str, encoded: str) -> None:
    assert tracking_url("bring", number) == f"https://tracking.bring.com/tracking/{encoded}"
    assert shipped(courier="postnord", tracking_number=number).tracking_url == (
        f"https://tracking.postnord.com/se/?id={encoded}"
    )


@pytest.mark.parametrize(
    ("courier", "number"),
    [("ups", "1Z999AA10123456784"), (None, "1Z999AA10123456784"), ("postnord", None), ("postnord", "")],
)
def test_no_tracking_url_without_a_known_courier_and_a_number(courier: str | None, number: str | None) -> None:
    subject = order(courier=courier, tracking_number=number, courier_name="UPS")
    assert subject.tracking_url is None
    assert not subject.can_track


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("PostNord", "postnord"),
        ("PostNord Sverige", "postnord"),
        ("postnord-se", "postnord"),
        ("Posten Norge", "bring"),
        ("DHL Express", "dhl"),
        ("DHL eCommerce", "dhl"),
        ("Sandbox Express", "sandbox"),
        ("UPS", None),
        ("", None),
        (None, None),
    ],
)
def test_courier_code_from_name(name: str | None, code: str | None) -> None:
    assert courier_code_from_name(name) == code


# -- can_file_claim, had_exception -----------------------------------------------------------


def test_can_file_claim() -> None:
    assert shipped(
        Status.EXCEPTION, main_status=Status.IN_TRANSIT, exception_reason=ExceptionReason.OTHER
    ).can_file_claim
    for reason in (ExceptionReason.DAMAGED, ExceptionReason.LOST, ExceptionReason.DELAYED):
        assert shipped(Status.DELIVERED, exception_reason=reason).can_file_claim, reason
        assert shipped(Status.RETURNED, main_status=Status.IN_TRANSIT, exception_reason=reason).can_file_claim
    assert not shipped(Status.DELIVERED).can_file_claim
    assert not shipped(Status.DELIVERED, exception_reason=ExceptionReason.FAILED_ATTEMPT).can_file_claim
    # An exception that a newer event cleared is not claimable while the parcel is moving.
    assert not shipped(Status.IN_TRANSIT, exception_reason=ExceptionReason.DAMAGED).can_file_claim
    assert not shipped(Status.CANCELLED, exception_reason=ExceptionReason.LOST).can_file_claim
    # Nothing to claim against without a tracking number.
    assert not order(order_status=Status.EXCEPTION, exception_reason=ExceptionReason.LOST).can_file_claim


def test_had_exception_survives_clearing() -> None:
    assert not shipped().had_exception
    cleared = shipped(exception_reason=ExceptionReason.DELAYED, exception_at=CREATED + timedelta(days=1))
    assert cleared.had_exception


# -- is_active, is_stale, needs_action ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "main", "active"),
    [
        (Status.PENDING, Status.PENDING, False),
        (Status.CONFIRMED, Status.CONFIRMED, False),
        (Status.PICKED_UP, Status.PICKED_UP, True),
        (Status.IN_TRANSIT, Status.IN_TRANSIT, True),
        (Status.OUT_FOR_DELIVERY, Status.OUT_FOR_DELIVERY, True),
        (Status.READY_FOR_PICKUP, Status.READY_FOR_PICKUP, True),
        (Status.EXCEPTION, Status.IN_TRANSIT, True),
        (Status.EXCEPTION, Status.CONFIRMED, False),
        (Status.DELIVERED, Status.DELIVERED, False),
        (Status.RETURNED, Status.IN_TRANSIT, False),
        (Status.CANCELLED, Status.IN_TRANSIT, False),
    ],
)
def test_is_active(status: Status, main: Status, active: bool) -> None:
    assert shipped(status, main_status=main).is_active() is active


def test_stale_after_exactly_48_hours_not_at() -> None:
    assert timedelta(hours=48) == STALE_AFTER
    assert not shipped(latest_event_at=NOW - timedelta(hours=48)).is_stale(NOW)
    assert shipped(latest_event_at=NOW - timedelta(hours=48, seconds=1)).is_stale(NOW)
    assert not shipped(latest_event_at=NOW - timedelta(hours=1)).is_stale(NOW)


def test_stale_uses_the_latest_event_then_shipped_at() -> None:
    old, recent = NOW - timedelta(days=5), NOW - timedelta(hours=2)
    assert not shipped(latest_event_at=recent, shipped_at=old).is_stale(NOW)
    assert shipped(latest_event_at=old, shipped_at=recent).is_stale(NOW)
    assert shipped(shipped_at=old).is_stale(NOW)
    assert not shipped(shipped_at=recent).is_stale(NOW)
    assert shipped().is_stale(NOW)  # in the network with no time at all: look at it


def test_only_active_orders_go_stale() -> None:
    old = NOW - timedelta(days=10)
    for status in (Status.CONFIRMED, Status.DELIVERED, Status.RETURNED, Status.CANCELLED):
        assert not shipped(
            status,
            main_status=Status.CONFIRMED if status == Status.CONFIRMED else Status.IN_TRANSIT,
            latest_event_at=old,
        ).is_stale(NOW)
    assert shipped(Status.EXCEPTION, main_status=Status.IN_TRANSIT, latest_event_at=old).is_stale(NOW)


def test_needs_action() -> None:
    fresh = NOW - timedelta(hours=1)
    assert order().needs_action(NOW)  # no tracking yet
    assert not shipped(Status.CONFIRMED, latest_event_at=fresh).needs_action(NOW)
    assert not shipped(latest_event_at=fresh).needs_action(NOW)
    assert shipped(Status.EXCEPTION, main_status=Status.IN_TRANSIT, latest_event_at=fresh).needs_action(NOW)
    assert shipped(latest_event_at=NOW - timedelta(hours=49)).needs_action(NOW)
    assert not shipped(latest_event_at=NOW - timedelta(hours=48)).needs_action(NOW)


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_finished_orders_never_need_action(status: Status) -> None:
    assert not order(order_status=status, main_status=Status.IN_TRANSIT).needs_action(NOW)
    assert not shipped(status, main_status=Status.IN_TRANSIT, latest_event_at=NOW - timedelta(days=30)).needs_action(
        NOW
    )


# -- latest_event, progress, badge --------------------------------------------------------------


def test_latest_event() -> None:
    assert order().latest_event is None
    when = NOW - timedelta(hours=3)
    subject = shipped(
        latest_event_at=when,
        latest_event_description="Sorted at terminal",
        latest_event_location="Solna, SE",
        latest_event_status=Status.IN_TRANSIT,
    )
    assert subject.latest_event == LatestEvent(when, "Sorted at terminal", "Solna, SE", Status.IN_TRANSIT)
    assert shipped(latest_event_at=when).latest_event == LatestEvent(when, "", None, None)


@pytest.mark.parametrize(
    ("status", "main", "percent"),
    [
        (Status.PENDING, Status.PENDING, 0),
        (Status.CONFIRMED, Status.CONFIRMED, 17),
        (Status.PICKED_UP, Status.PICKED_UP, 33),
        (Status.IN_TRANSIT, Status.IN_TRANSIT, 50),
        (Status.OUT_FOR_DELIVERY, Status.OUT_FOR_DELIVERY, 67),
        (Status.READY_FOR_PICKUP, Status.READY_FOR_PICKUP, 83),
        (Status.DELIVERED, Status.DELIVERED, 100),
        (Status.EXCEPTION, Status.OUT_FOR_DELIVERY, 67),
        (Status.RETURNED, Status.IN_TRANSIT, 100),
        (Status.CANCELLED, Status.CONFIRMED, 0),
    ],
)
def test_progress(status: Status, main: Status, percent: int) -> None:
    assert shipped(status, main_status=main).progress == percent


@pytest.mark.parametrize(
    ("subject", "color"),
    [
        (order(), BadgeColor.GRAY),
        (shipped(Status.CONFIRMED), BadgeColor.ORANGE),
        (shipped(Status.PENDING), BadgeColor.ORANGE),
        (shipped(Status.PICKED_UP), BadgeColor.BLUE),
        (shipped(Status.IN_TRANSIT), BadgeColor.BLUE),
        (shipped(Status.OUT_FOR_DELIVERY), BadgeColor.BLUE),
        (shipped(Status.READY_FOR_PICKUP), BadgeColor.BLUE),
        (shipped(Status.EXCEPTION, main_status=Status.IN_TRANSIT), BadgeColor.RED),
        (shipped(Status.DELIVERED), BadgeColor.GREEN),
    ],
)
def test_badge(subject: Order, color: BadgeColor) -> None:
    assert subject.badge == color


# -- otd_status, delivery_time_hours ------------------------------------------------------------


STOCKHOLM = ZoneInfo("Europe/Stockholm")


def on(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment at the delivery address (Sweden: the default), as the UTC time we store."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM).astimezone(UTC)


@pytest.mark.parametrize(
    ("delivered_at", "expected"),
    [
        (on(ETA - timedelta(days=1), 23, 59), OnTimeStatus.EARLY),
        (on(ETA, 0, 0), OnTimeStatus.ON_TIME),
        (on(ETA, 23, 59), OnTimeStatus.ON_TIME),
        (on(ETA + timedelta(days=1), 0, 1), OnTimeStatus.DELAYED),
        (on(ETA + timedelta(days=4), 12), OnTimeStatus.DELAYED),
    ],
)
def test_otd_of_delivered_orders_by_calendar_day(delivered_at: datetime, expected: OnTimeStatus) -> None:
    subject = shipped(Status.DELIVERED, estimated_delivery=ETA, delivered_at=delivered_at)
    assert subject.otd_status(NOW) == expected


@pytest.mark.parametrize(
    ("country", "delivered_at", "expected"),
    [
        # 23:30 UTC on the promised day is 00:30 the next day in Stockholm: late, not on time.
        ("SE", datetime(2025, 11, 6, 23, 30, tzinfo=UTC), OnTimeStatus.DELAYED),
        # 23:30 UTC the day before is 00:30 on the promised day: on time, not early.
        ("SE", datetime(2025, 11, 5, 23, 30, tzinfo=UTC), OnTimeStatus.ON_TIME),
        (None, datetime(2025, 11, 6, 22, 30, tzinfo=UTC), OnTimeStatus.ON_TIME),  # Stockholm: 23:30
        ("FI", datetime(2025, 11, 6, 22, 30, tzinfo=UTC), OnTimeStatus.DELAYED),  # Helsinki: 00:30
        ("no", datetime(2025, 6, 6, 21, 59, tzinfo=UTC), OnTimeStatus.ON_TIME),  # Oslo, summer: 23:59
        ("NO", datetime(2025, 6, 6, 22, 0, tzinfo=UTC), OnTimeStatus.DELAYED),  # Oslo, summer: 00:00
    ],
)
def test_otd_judges_the_calendar_day_at_the_delivery_address(
    country: str | None, delivered_at: datetime, expected: OnTimeStatus
) -> None:
    promised = delivered_at.date() if delivered_at.month == 6 else date(2025, 11, 6)
    subject = shipped(Status.DELIVERED, estimated_delivery=promised, delivered_at=delivered_at, country_code=country)
    assert subject.otd_status(NOW) == expected


def test_otd_of_undelivered_orders() -> None:
    underway = shipped(estimated_delivery=ETA)
    assert underway.otd_status(on(ETA, 23, 59)) is None  # still time today
    assert underway.otd_status(on(ETA - timedelta(days=2), 9)) is None
    assert underway.otd_status(on(ETA + timedelta(days=1), 0, 1)) == OnTimeStatus.DELAYED
    exception = shipped(Status.EXCEPTION, main_status=Status.IN_TRANSIT, estimated_delivery=ETA)
    assert exception.otd_status(NOW) == OnTimeStatus.DELAYED


def test_no_otd_without_a_promise_or_for_cancelled_and_returned() -> None:
    assert shipped().otd_status(NOW) is None
    assert shipped(Status.DELIVERED, delivered_at=NOW).otd_status(NOW) is None
    assert shipped(Status.CANCELLED, estimated_delivery=ETA).otd_status(NOW) is None
    assert shipped(Status.RETURNED, main_status=Status.IN_TRANSIT, estimated_delivery=ETA).otd_status(NOW) is None


def test_delivery_time_hours() -> None:
    assert shipped().delivery_time_hours is None
    start = datetime(2025, 11, 4, 10, 0, tzinfo=UTC)
    from_shipping = shipped(Status.DELIVERED, shipped_at=start, delivered_at=start + timedelta(hours=36, minutes=30))
    assert from_shipping.delivery_time_hours == 36.5
    # Without a shipped_at it falls back to when the order was created.
    from_creation = shipped(Status.DELIVERED, delivered_at=CREATED + timedelta(hours=50, minutes=4))
    assert from_creation.delivery_time_hours == 50.1


# -- computed() ----------------------------------------------------------------------------------


def test_computed_agrees_with_each_field() -> None:
    when = NOW - timedelta(hours=60)
    subject = shipped(
        Status.EXCEPTION,
        main_status=Status.OUT_FOR_DELIVERY,
        exception_reason=ExceptionReason.FAILED_ATTEMPT,
        exception_at=when,
        estimated_delivery=ETA,
        latest_event_at=when,
        latest_event_description="Delivery attempted",
        latest_event_status=Status.EXCEPTION,
    )
    assert subject.computed(NOW) == {
        "has_tracking": True,
        "can_book_shipment": False,
        "can_track": True,
        "can_file_claim": True,
        "is_active": True,
        "needs_action": True,
        "tracking_url": "https://tracking.postnord.com/se/?id=00370712345678901234",
        "latest_event": {
            "occurred_at": when.isoformat(),
            "description": "Delivery attempted",
            "location": None,
            "status": "exception",
        },
        "progress": 67,
        "otd_status": "delayed",
        "delivery_time_hours": None,
        "had_exception": True,
        "badge_color": "red",
    }


def test_computed_of_a_new_order_and_default_clock() -> None:
    values = order().computed()
    assert values["latest_event"] is None
    assert values["otd_status"] is None
    assert values["badge_color"] == "gray"
    assert values["can_book_shipment"] is True
    assert values["needs_action"] is True
