"""The ETA countdown and the orders table's indicators: computed fields of an order (domain), per state,
and the next moment the time alone changes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# -- when the time alone changes what is shown (the table is rebuilt then, not every tick) ----


def shown(o, now: datetime) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    """Every computed field that reads the clock."""
    return (o.eta_countdown(now), o.otd_status(now), o.is_stale(now), o.needs_action(now), o.indicators(now, SEEN))


def test_a_countdown_changes_at_midnight_where_the_parcel_goes() -> None:
    promised = shipped(Status.IN_TRANSIT, estimated_delivery=date(2025, 11, 6), latest_event_at=NOW, country_code="FI")
    turns = promised.changes_with_time_at(NOW)
    assert turns == datetime(2025, 11, 5, 22, 0, tzinfo=UTC)  # midnight in Helsinki (UTC+2 in November)
    assert eta(date(2025, 11, 6), turns - timedelta(microseconds=1), "FI") == "tomorrow"
    assert eta(date(2025, 11, 6), turns, "FI") == "today"
    stockholm = shipped(Status.IN_TRANSIT, estimated_delivery=date(2025, 11, 6), latest_event_at=NOW, country_code="SE")
    assert stockholm.changes_with_time_at(NOW) == datetime(2025, 11, 5, 23, 0, tzinfo=UTC)
    # Across the change to summer time the day is still a midnight away (23 hours that day).
    spring = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)
    assert stockholm.changes_with_time_at(spring) == datetime(2025, 3, 29, 23, 0, tzinfo=UTC)
    assert stockholm.changes_with_time_at(datetime(2025, 3, 30, 12, 0, tzinfo=UTC)) == datetime(
        2025, 3, 30, 22, 0, tzinfo=UTC
    )


def test_news_goes_stale_48_hours_after_the_last_event() -> None:
    last = NOW - STALE_AFTER + timedelta(minutes=3)
    quiet = shipped(Status.IN_TRANSIT, latest_event_at=last)
    assert quiet.changes_with_time_at(NOW) == last + STALE_AFTER
    assert not quiet.is_stale(last + STALE_AFTER)
    assert quiet.is_stale(last + STALE_AFTER + timedelta(microseconds=1))
    # Stale already, or not on the road: only an event changes it.
    assert shipped(Status.IN_TRANSIT, latest_event_at=NOW - STALE_AFTER * 2).changes_with_time_at(NOW) is None
    assert shipped(Status.CONFIRMED).changes_with_time_at(NOW) is None
    assert shipped(Status.DELIVERED, latest_event_at=NOW).changes_with_time_at(NOW) is None
    assert order().changes_with_time_at(NOW) is None  # no tracking: action needed, whatever the time
    # Both: whichever comes first.
    both = shipped(Status.IN_TRANSIT, latest_event_at=last, estimated_delivery=date(2025, 11, 9))
    assert both.changes_with_time_at(NOW) == last + STALE_AFTER
    later = shipped(Status.IN_TRANSIT, latest_event_at=NOW, estimated_delivery=date(2025, 11, 9))
    assert later.changes_with_time_at(NOW) == datetime(2025, 11, 5, 23, 0, tzinfo=UTC)


@given(
    status=st.sampled_from(list(Status)),
    country=st.sampled_from(["SE", "NO", "DK", "FI", "IS", "DE", None]),
    promised_in=st.one_of(st.none(), st.integers(-5, 5)),
    news_hours_ago=st.one_of(st.none(), st.floats(0, 100)),
    now_minutes=st.integers(0, 60 * 24 * 400),
)
def test_nothing_shown_changes_before_the_moment_it_names(
    status: Status, country: str | None, promised_in: int | None, news_hours_ago: float | None, now_minutes: int
) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=now_minutes)
    o = shipped(
        status,
        main_status=Status.IN_TRANSIT if status == Status.EXCEPTION else status,
        country_code=country,
        estimated_delivery=None if promised_in is None else now.date() + timedelta(days=promised_in),
        latest_event_at=None if news_hours_ago is None else now - timedelta(hours=news_hours_ago),
        updated_at=SEEN,
    )
    turns = o.changes_with_time_at(now)
    # Every clock-read field only moves one way (days pass, news gets older), so what it reads
    # just before the named moment is what it reads all the way from `now`.
    end = turns - timedelta(microseconds=1) if turns is not None else now + timedelta(days=400)
    assert turns is None or turns >= now
    assert shown(o, end) == shown(o, now)
