"""The status model (contract section 3): main line, terminal set, badge colors, forward-only rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfile_core.domain.status import (
    MAIN_LINE,
    TERMINAL,
    BadgeColor,
    EventKind,
    ExceptionReason,
    ShipmentState,
    Status,
    apply_event,
    badge_color,
    event_kind,
    is_main_line,
    progress_percent,
    rank,
)

T0 = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


Event = tuple[Status | None, datetime, ExceptionReason | None]


def apply_all(events: list[Event], state: ShipmentState | None = None) -> ShipmentState:
    return reduce(lambda s, e: apply_event(s, *e), events, state or ShipmentState())


# -- the main line and the terminal set -------------------------------------------------


def test_main_line_order_is_the_contracts() -> None:
    assert [s.value for s in MAIN_LINE] == [
        "pending",
        "confirmed",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "ready_for_pickup",
        "delivered",
    ]
    assert [rank(s) for s in MAIN_LINE] == list(range(len(MAIN_LINE)))


@pytest.mark.parametrize("side", [Status.EXCEPTION, Status.RETURNED, Status.CANCELLED])
def test_side_states_have_no_rank(side: Status) -> None:
    assert not is_main_line(side)
    with pytest.raises(ValueError):
        rank(side)


def test_every_status_is_main_line_or_side_state() -> None:
    assert set(MAIN_LINE) | {Status.EXCEPTION, Status.RETURNED, Status.CANCELLED} == set(Status)


def test_terminal_set() -> None:
    assert {Status.DELIVERED, Status.RETURNED, Status.CANCELLED} == TERMINAL


def test_event_kinds() -> None:
    assert event_kind(None) == EventKind.INFORMATIONAL
    assert event_kind(Status.EXCEPTION) == EventKind.EXCEPTION
    assert event_kind(Status.RETURNED) == EventKind.TERMINAL_SIDE
    assert event_kind(Status.CANCELLED) == EventKind.TERMINAL_SIDE
    for status in MAIN_LINE:
        assert event_kind(status) == EventKind.MAIN_LINE


# -- badge colors -------------------------------------------------------------------------


# The product spec's colors; returned and cancelled (not in the spec) are finished off the main line: gray.
BADGES = {
    Status.DELIVERED: BadgeColor.GREEN,
    Status.PICKED_UP: BadgeColor.BLUE,
    Status.IN_TRANSIT: BadgeColor.BLUE,
    Status.OUT_FOR_DELIVERY: BadgeColor.BLUE,
    Status.READY_FOR_PICKUP: BadgeColor.BLUE,
    Status.PENDING: BadgeColor.ORANGE,
    Status.CONFIRMED: BadgeColor.ORANGE,
    Status.EXCEPTION: BadgeColor.RED,
    Status.RETURNED: BadgeColor.GRAY,
    Status.CANCELLED: BadgeColor.GRAY,
}


@pytest.mark.parametrize(("status", "color"), list(BADGES.items()))
def test_badge_colors_with_tracking(status: Status, color: BadgeColor) -> None:
    assert badge_color(status, has_tracking=True) == color


def test_no_tracking_is_gray() -> None:
    assert badge_color(Status.PENDING, has_tracking=False) == BadgeColor.GRAY


def test_every_status_has_a_badge() -> None:
    assert set(BADGES) == set(Status)


# -- the forward-only rule ----------------------------------------------------------------


def test_main_line_moves_forward_step_by_step() -> None:
    state = ShipmentState()
    for hour, status in enumerate(MAIN_LINE[1:], start=1):
        state = apply_event(state, status, at(hour))
        assert state.status == status
        assert state.main_status == status
        assert state.main_status_at == at(hour)
    assert state.is_terminal
    assert state.delivered_at == at(len(MAIN_LINE) - 1)


def test_shipped_at_is_the_first_event_in_the_courier_network() -> None:
    state = apply_all([(Status.CONFIRMED, at(1), None)])
    assert state.shipped_at is None  # booked is not shipped
    state = apply_all([(Status.IN_TRANSIT, at(5), None), (Status.PICKED_UP, at(2), None)], state)
    assert state.shipped_at == at(2)
    assert state.status == Status.IN_TRANSIT


def test_lower_newer_main_line_event_does_not_move_back() -> None:
    state = apply_all([(Status.CONFIRMED, at(1), None), (Status.OUT_FOR_DELIVERY, at(2), None)])
    for lower in (Status.PENDING, Status.CONFIRMED, Status.PICKED_UP, Status.IN_TRANSIT):
        after = apply_event(state, lower, at(3))
        assert after.status == Status.OUT_FOR_DELIVERY
        assert after.main_status == Status.OUT_FOR_DELIVERY


def test_older_main_line_event_changes_nothing() -> None:
    state = apply_all(
        [(Status.CONFIRMED, at(1), None), (Status.PICKED_UP, at(2), None), (Status.IN_TRANSIT, at(4), None)]
    )
    assert apply_event(state, Status.PICKED_UP, at(3)) == state
    assert apply_event(state, Status.CONFIRMED, at(0)) == state
    assert apply_event(state, Status.IN_TRANSIT, at(3)) == state


def test_duplicate_event_changes_nothing() -> None:
    state = apply_all([(Status.PICKED_UP, at(1), None), (Status.EXCEPTION, at(2), ExceptionReason.LOST)])
    assert apply_event(state, Status.PICKED_UP, at(1)) == state
    assert apply_event(state, Status.EXCEPTION, at(2), ExceptionReason.LOST) == state


def test_exception_is_raised_and_cleared_by_a_newer_main_line_event() -> None:
    state = apply_all([(Status.PICKED_UP, at(1), None), (Status.IN_TRANSIT, at(2), None)])
    state = apply_event(state, Status.EXCEPTION, at(3), ExceptionReason.DELAYED)
    assert state.status == Status.EXCEPTION
    assert state.exception_reason == ExceptionReason.DELAYED
    assert state.main_status == Status.IN_TRANSIT  # progress is kept underneath

    # An older main-line event, even a higher one, does not clear it.
    older = apply_event(state, Status.OUT_FOR_DELIVERY, at(2.5))
    assert older.status == Status.EXCEPTION
    assert older.main_status == Status.OUT_FOR_DELIVERY

    cleared = apply_event(older, Status.OUT_FOR_DELIVERY, at(4))
    assert cleared.status == Status.OUT_FOR_DELIVERY
    assert cleared.exception_at == at(3)  # the history stays: the order "had an exception"


def test_main_line_event_at_the_same_instant_does_not_clear_an_exception() -> None:
    # "Cleared by a newer forward event": a tie is not newer, so the exception stays visible.
    state = apply_all([(Status.IN_TRANSIT, at(3), None), (Status.EXCEPTION, at(3), ExceptionReason.DELAYED)])
    assert state.status == Status.EXCEPTION
    assert apply_event(state, Status.IN_TRANSIT, at(3)).status == Status.EXCEPTION
    assert apply_event(state, Status.IN_TRANSIT, at(3.01)).status == Status.IN_TRANSIT


def test_exception_older_than_the_newest_main_line_event_does_not_show() -> None:
    state = apply_all([(Status.IN_TRANSIT, at(5), None), (Status.EXCEPTION, at(3), ExceptionReason.DAMAGED)])
    assert state.status == Status.IN_TRANSIT
    assert state.exception_at == at(3)


def test_newer_exception_replaces_the_reason_older_one_does_not() -> None:
    state = apply_all(
        [
            (Status.IN_TRANSIT, at(1), None),
            (Status.EXCEPTION, at(3), ExceptionReason.FAILED_ATTEMPT),
            (Status.EXCEPTION, at(2), ExceptionReason.ADDRESS_ISSUE),
        ]
    )
    assert (state.exception_reason, state.exception_at) == (ExceptionReason.FAILED_ATTEMPT, at(3))
    state = apply_event(state, Status.EXCEPTION, at(4), ExceptionReason.REFUSED)
    assert (state.status, state.exception_reason) == (Status.EXCEPTION, ExceptionReason.REFUSED)


def test_exception_without_reason_is_other() -> None:
    state = apply_event(ShipmentState(), Status.EXCEPTION, at(1))
    assert (state.status, state.exception_reason) == (Status.EXCEPTION, ExceptionReason.OTHER)


def test_delivered_clears_an_exception() -> None:
    state = apply_all([(Status.IN_TRANSIT, at(1), None), (Status.EXCEPTION, at(2), ExceptionReason.DELAYED)])
    state = apply_event(state, Status.DELIVERED, at(3))
    assert state.status == Status.DELIVERED
    assert state.delivered_at == at(3)


def test_delivered_wins_even_when_an_exception_is_newer() -> None:
    state = apply_all([(Status.EXCEPTION, at(5), ExceptionReason.DAMAGED), (Status.DELIVERED, at(3), None)])
    assert state.status == Status.DELIVERED


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_terminal_never_reverts(terminal: Status) -> None:
    state = apply_all([(Status.IN_TRANSIT, at(1), None), (terminal, at(2), None)])
    assert state.status == terminal
    assert state.is_terminal
    later: list[Event] = [
        (Status.OUT_FOR_DELIVERY, at(3), None),
        (Status.EXCEPTION, at(4), ExceptionReason.LOST),
        (Status.PENDING, at(5), None),
        *[(other, at(6), None) for other in TERMINAL if other != terminal],
    ]
    for event in later:
        state = apply_event(state, *event)
        assert state.status == terminal


def test_pickup_reported_after_the_delivery_still_sets_shipped_at() -> None:
    # Regression: events after a terminal status were dropped whole, so a late pickup
    # left shipped_at at the delivery time and delivery_time_hours at 0.
    state = apply_all([(Status.DELIVERED, at(30), None), (Status.PICKED_UP, at(2), None)])
    assert (state.status, state.shipped_at, state.delivered_at) == (Status.DELIVERED, at(2), at(30))


def test_delivered_at_is_the_first_delivery_event() -> None:
    state = apply_all([(Status.DELIVERED, at(9), None), (Status.DELIVERED, at(8), None)])
    assert state.delivered_at == at(8)


def test_damage_reported_after_delivery_is_recorded_but_status_stays_delivered() -> None:
    state = apply_all([(Status.DELIVERED, at(1), None), (Status.EXCEPTION, at(5), ExceptionReason.DAMAGED)])
    assert (state.status, state.exception_reason) == (Status.DELIVERED, ExceptionReason.DAMAGED)


def test_cancelled_order_is_never_delivered() -> None:
    state = apply_all([(Status.CANCELLED, at(1), None), (Status.DELIVERED, at(5), None)])
    assert (state.status, state.delivered_at) == (Status.CANCELLED, None)


@pytest.mark.parametrize("side", [Status.RETURNED, Status.CANCELLED])
def test_returned_and_cancelled_apply_from_any_open_status(side: Status) -> None:
    for before in [
        [],
        [(Status.CONFIRMED, at(1), None)],
        [(Status.IN_TRANSIT, at(1), None), (Status.EXCEPTION, at(2), ExceptionReason.REFUSED)],
    ]:
        state = apply_event(apply_all(before), side, at(3))
        assert state.status == side
        assert state.delivered_at is None


def test_informational_events_change_nothing() -> None:
    for before in [
        [],
        [(Status.IN_TRANSIT, at(1), None)],
        [(Status.IN_TRANSIT, at(1), None), (Status.EXCEPTION, at(2), ExceptionReason.DELAYED)],
        [(Status.DELIVERED, at(1), None)],
    ]:
        state = apply_all(before)
        assert apply_event(state, None, at(10)) == state
        assert apply_event(state, None, at(0)) == state


# -- progress -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "percent"),
    [
        (Status.PENDING, 0),
        (Status.CONFIRMED, 17),
        (Status.PICKED_UP, 33),
        (Status.IN_TRANSIT, 50),
        (Status.OUT_FOR_DELIVERY, 67),
        (Status.READY_FOR_PICKUP, 83),
        (Status.DELIVERED, 100),
    ],
)
def test_progress_along_the_main_line(status: Status, percent: int) -> None:
    assert progress_percent(status, status) == percent


def test_progress_of_side_states() -> None:
    assert progress_percent(Status.EXCEPTION, Status.IN_TRANSIT) == 50
    assert progress_percent(Status.EXCEPTION, Status.PENDING) == 0
    assert progress_percent(Status.RETURNED, Status.IN_TRANSIT) == 100
    assert progress_percent(Status.CANCELLED, Status.IN_TRANSIT) == 0


# -- order independence (property) ----------------------------------------------------------

_OPEN = [s for s in MAIN_LINE if s != Status.DELIVERED]


@st.composite
def event_histories(draw: st.DrawFn) -> list[Event]:
    """Events with distinct times; at most one terminal kind (possibly several events of it)."""
    terminal = draw(st.sampled_from([None, *sorted(TERMINAL)]))
    kinds: list[Status | None] = [None, *_OPEN, Status.EXCEPTION]
    if terminal is not None:
        kinds.append(terminal)
    minutes = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=12, unique=True))
    return [
        (
            status := draw(st.sampled_from(kinds)),
            T0 + timedelta(minutes=minute),
            draw(st.sampled_from(list(ExceptionReason))) if status == Status.EXCEPTION else None,
        )
        for minute in minutes
    ]


@st.composite
def history_and_arrival(draw: st.DrawFn) -> tuple[list[Event], list[Event]]:
    events = draw(event_histories())
    arrival = list(draw(st.permutations(events)))
    for event in draw(st.lists(st.sampled_from(events), max_size=4)):  # redelivered webhooks
        arrival.insert(draw(st.integers(0, len(arrival))), event)
    return events, arrival


@given(history_and_arrival())
def test_arrival_order_and_duplicates_do_not_matter(history: tuple[list[Event], list[Event]]) -> None:
    events, arrival = history
    in_time_order = apply_all(sorted(events, key=lambda e: e[1]))
    assert apply_all(arrival) == in_time_order
