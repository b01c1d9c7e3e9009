"""The ETA countdown and the orders table's indicators: computed fields of an order (domain), per state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from perfile_core.domain.eta import EtaCountdown
from perfile_core.domain.indicators import Indicator
from perfile_core.domain.order import STALE_AFTER
from perfile_core.domain.status import ExceptionReason, Status
from tests.unit.test_computed_fields import order, shipped

NOW = datetime(2025, 11, 5, 10, 0, tzinfo=UTC)  # Wednesday 5 November, 11:00 in Stockholm


@pytest.mark.parametrize(
    ("days", "text", "overdue"),
    [
        (0, "today", False),
        (1, "tomorrow", False),
        (2, "in 2 days", False),
        (12, "in 12 days", False),
        (-1, "1 day late", True),
        (-3, "3 days late", True),
    ],
)
def test_countdown_words(days: int, text: str, overdue: bool) -> None:
    assert EtaCountdown(days).text == text
    assert EtaCountdown(days).overdue is overdue


def eta(promised: date, now: datetime = NOW, country: str = "SE", status: Status = Status.IN_TRANSIT) -> str | None:
    countdown = shipped(status, estimated_delivery=promised, country_code=country).eta_countdown(now)
    return None if countdown is None else countdown.text


def test_the_countdown_counts_calendar_days_at_the_delivery_address() -> None:
    assert eta(date(2025, 11, 5)) == "today"
    assert eta(date(2025, 11, 7)) == "in 2 days"
    assert eta(date(2025, 11, 4)) == "1 day late"


def test_the_day_turns_at_midnight_where_the_parcel_goes_not_in_utc() -> None:
    # 23:30 UTC on the 4th is 00:30 on the 5th in Stockholm and 01:30 in Helsinki: the 5th there.
    late_evening_utc = datetime(2025, 11, 4, 23, 30, tzinfo=UTC)
    assert eta(date(2025, 11, 5), late_evening_utc, "SE") == "today"
    assert eta(date(2025, 11, 4), late_evening_utc, "SE") == "1 day late"
    # 22:30 UTC is 23:30 in Stockholm (still the 4th) but 00:30 on the 5th in Helsinki.
    before_midnight_se = datetime(2025, 11, 4, 22, 30, tzinfo=UTC)
    assert eta(date(2025, 11, 5), before_midnight_se, "SE") == "tomorrow"
    assert eta(date(2025, 11, 5), before_midnight_se, "FI") == "today"
    assert eta(date(2025, 11, 4), before_midnight_se, "SE") == "today"
    assert eta(date(2025, 11, 4), before_midnight_se, "FI") == "1 day late"


def test_no_countdown_without_a_promise_or_once_the_journey_ended() -> None:
    assert shipped(Status.IN_TRANSIT).eta_countdown(NOW) is None
    for status in (Status.DELIVERED, Status.RETURNED, Status.CANCELLED):
        assert eta(date(2025, 11, 1), status=status) is None
    assert eta(date(2025, 11, 1), status=Status.EXCEPTION) == "4 days late"  # still underway, and late


SEEN = NOW - timedelta(hours=1)


def signals(o, seen_at: datetime | None = SEEN) -> tuple[Indicator, ...]:  # type: ignore[no-untyped-def]
    return o.indicators(NOW, seen_at)


def test_live_states_for_active_shipments_with_recent_news() -> None:
    recent = {"latest_event_at": NOW - timedelta(hours=2), "updated_at": SEEN - timedelta(minutes=5)}
    for status in (Status.PICKED_UP, Status.IN_TRANSIT):
        assert signals(shipped(status, **recent)) == (Indicator.LIVE_IN_TRANSIT,)
    for status in (Status.OUT_FOR_DELIVERY, Status.READY_FOR_PICKUP):
        assert signals(shipped(status, **recent)) == (Indicator.LIVE_ARRIVING,)


def test_action_needed_replaces_live_and_quiet_orders_show_nothing() -> None:
    old = {"updated_at": SEEN - timedelta(minutes=5)}
    assert signals(order(**old)) == (Indicator.ACTION_NEEDED,)  # no tracking
    exception = shipped(
        Status.EXCEPTION, main_status=Status.IN_TRANSIT, exception_reason=ExceptionReason.DAMAGED, **old
    )
    assert signals(exception) == (Indicator.ACTION_NEEDED,)
    stale = shipped(Status.IN_TRANSIT, latest_event_at=NOW - STALE_AFTER - timedelta(minutes=1), **old)
    assert signals(stale) == (Indicator.ACTION_NEEDED,)
    assert signals(shipped(Status.CONFIRMED, **old)) == ()  # booked, waiting for the courier's first scan
    assert signals(shipped(Status.DELIVERED, **old)) == ()
    assert signals(shipped(Status.CANCELLED, **old)) == ()


def test_updated_since_the_operator_looked_stays_until_they_look_again() -> None:
    changed = shipped(Status.DELIVERED, updated_at=SEEN + timedelta(seconds=1))
    assert signals(changed) == (Indicator.UPDATED,)
    assert signals(changed, seen_at=SEEN + timedelta(minutes=10)) == ()  # opened or dismissed after the change
    assert signals(changed, seen_at=None) == ()  # nothing to compare with: nothing is new
    assert signals(shipped(Status.DELIVERED, updated_at=SEEN)) == ()  # changed exactly when looked at: seen
    # the most urgent first, and at most one of the others
    exception = shipped(Status.EXCEPTION, main_status=Status.IN_TRANSIT, updated_at=NOW)
    assert signals(exception) == (Indicator.UPDATED, Indicator.ACTION_NEEDED)
    moving = shipped(Status.OUT_FOR_DELIVERY, latest_event_at=NOW, updated_at=NOW)
    assert signals(moving) == (Indicator.UPDATED, Indicator.LIVE_ARRIVING)
