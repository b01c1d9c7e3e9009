"""The Orders table's status tags, indicator and ETA tags (ui.orders_frame), as handed to st.dataframe."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfile_core.domain.order import Order
from perfile_core.domain.status import BadgeColor, ExceptionReason, Status
from ui.orders_frame import (
    CHANGED_MARK,
    DEFAULT_COLUMNS,
    NO_COURIER,
    NO_TRACKING,
    NO_TRACKING_HINT,
    PINNED,
    TAG_COLOR,
    column_config,
    frame_changes_at,
    orders_frame,
    status_text,
)
from ui.timefmt import ago, ago_changes_at


def order(order_id: int, status: Status, tracking: str | None, reason: ExceptionReason | None = None) -> Order:
    return Order(
        id=order_id,
        order_number=f"SBX-{order_id}",
        store_key="nordic-shop",
        customer_name="Astrid Lindqvist",
        created_at=datetime(2025, 11, 3, 8, 0, tzinfo=UTC),
        order_status=status,
        main_status=Status.PENDING if status == Status.EXCEPTION else status,
        exception_reason=reason,
        tracking_number=tracking,
        courier="postnord" if tracking else None,
    )


def status_tag_colors() -> dict[str, str]:
    """The status column's options and their colours, as Streamlit sends them to the grid."""
    config = column_config()["status"]["type_config"]
    assert config["type"] == "multiselect"
    return {option["value"]: option["color"] for option in config["options"]}


@pytest.mark.parametrize(
    ("label", "color"),
    [
        ("Delivered", BadgeColor.GREEN),
        ("In transit", BadgeColor.BLUE),
        ("Out for delivery", BadgeColor.BLUE),
        ("Pending", BadgeColor.ORANGE),
        ("Confirmed", BadgeColor.ORANGE),
        ("Exception", BadgeColor.RED),
        ("Address issue", BadgeColor.RED),  # an exception by its reason alone
        (NO_TRACKING, BadgeColor.GRAY),
        ("Cancelled", BadgeColor.GRAY),
    ],
)
def test_each_status_text_is_a_tag_in_its_badge_colour(label: str, color: BadgeColor) -> None:
    assert status_tag_colors()[label] == TAG_COLOR[color]


def test_every_shown_status_is_a_configured_tag_and_rows_changed_since_seen_are_marked() -> None:
    orders = [
        order(1, Status.DELIVERED, "SBX1"),
        order(2, Status.PENDING, None),
        order(3, Status.EXCEPTION, "SBX3", ExceptionReason.CUSTOMS_HOLD),
        order(4, Status.PENDING, None),
    ]
    looked = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)
    orders = [replace(o, updated_at=looked + timedelta(minutes=1 if o.id in (3, 4) else -1)) for o in orders]
    frame = orders_frame(orders, seen={o.id: looked for o in orders}, now=looked)
    assert list(frame["status"]) == [["Delivered"], [NO_TRACKING], ["Customs hold"], [NO_TRACKING]]
    tags = status_tag_colors()
    for shown, source in zip(frame["status"], orders, strict=True):
        assert tags[shown[0]] == TAG_COLOR[source.badge]  # an unknown text would show uncoloured
    assert list(frame["signal"]) == ["", "⚠️", CHANGED_MARK + "⚠️", CHANGED_MARK + "⚠️"]
    assert list(frame.columns)[:3] == ["signal", "status", "order_number"] == list(DEFAULT_COLUMNS)[:3]
    assert list(PINNED) == list(DEFAULT_COLUMNS)[:3]
    assert all(column_config()[name]["pinned"] is True for name in PINNED)
    assert list(frame["tracking"]) == ["SBX1", NO_TRACKING_HINT, "SBX3", NO_TRACKING_HINT]
    # Only a link can be missing (drawn as the placeholder, and a missing link ignores clicks).
    assert list(frame["tracking_page"].isna()) == [False, True, False, True]
    assert not frame.drop(columns=["tracking_page"]).isna().any().any()


def test_every_exception_reason_has_a_red_tag() -> None:
    tags = status_tag_colors()
    for reason in ExceptionReason:
        shown = orders_frame([order(1, Status.EXCEPTION, "SBX1", reason)])["status"].iloc[0][0]
        assert tags[shown] == TAG_COLOR[BadgeColor.RED], shown


def test_the_attach_forms_courier_defaults_to_the_orders_own_else_to_the_numbers_format() -> None:
    from ui.attach_tracking import DETECT, courier_choices

    with_courier = order(1, Status.CONFIRMED, "SBX1")  # courier "postnord"
    assert courier_choices(with_courier)[:2] == ["postnord", DETECT]
    without = order(2, Status.PENDING, None)
    assert courier_choices(without)[0] == DETECT
    assert sorted(courier_choices(without)[1:]) == sorted([*courier_choices(with_courier)[2:], "postnord"])


def test_cells_say_each_thing_once_and_short_enough_for_their_columns() -> None:
    """An order left to book: the tag says "No tracking", the Tracking cell the next step and the
    Courier cell a dash, never blank. An exception's tag is its reason ("Failed attempt", red) and
    elsewhere on the page the full "Exception: failed attempt". The latest event starts with its
    age in a short form, then the courier's words, then the place (the part a narrow cell cuts)."""
    now = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
    scanned = replace(
        order(1, Status.EXCEPTION, "SBX1", ExceptionReason.FAILED_ATTEMPT),
        latest_event_at=now - timedelta(hours=3, minutes=5),
        latest_event_description="Nobody was home; we will try again",
        latest_event_location="Malmö",
    )
    frame = orders_frame([scanned, order(2, Status.PENDING, None)], now=now)
    assert list(frame["status"]) == [["Failed attempt"], [NO_TRACKING]]
    assert status_text(scanned) == "Exception: failed attempt"
    assert list(frame["tracking"]) == ["SBX1", NO_TRACKING_HINT] and NO_TRACKING not in NO_TRACKING_HINT
    assert list(frame["courier"]) == ["PostNord", NO_COURIER]
    assert list(frame["latest_event"]) == ["3h ago · Nobody was home; we will try again · Malmö", ""]
    ages = [ago(now - since, now) for since in (timedelta(seconds=30), timedelta(minutes=12), timedelta(hours=47))]
    assert [*ages, ago(now - timedelta(hours=49), now)] == ["now", "12m ago", "47h ago", "2d ago"]
    assert ago(now + timedelta(minutes=5), now) == "now"  # a scan dated a little ahead of our clock


@settings(max_examples=300, deadline=None)
@given(
    age_s=st.integers(min_value=-600, max_value=6 * 24 * 3600),
    later_s=st.integers(min_value=0, max_value=3 * 24 * 3600),
)
def test_an_age_text_stays_until_ago_changes_at_and_changes_there(age_s: int, later_s: int) -> None:
    """The frame of the Orders table is reused until the first shown text changes with time
    (ui.orders_frame.frame_changes_at): the latest event's "12m ago" must say when it changes."""
    moment = datetime(2026, 11, 29, 9, 30, 17, tzinfo=UTC)
    now = moment + timedelta(seconds=age_s)
    changes = ago_changes_at(moment, now)
    assert changes > now
    shown = ago(moment, now)
    assert ago(moment, min(now + timedelta(seconds=later_s), changes - timedelta(microseconds=1))) == shown
    assert ago(moment, changes) != shown


def test_the_frame_is_kept_only_until_a_latest_events_age_turns() -> None:
    """A scan 12 minutes old says "12m ago": the table's frame must be rebuilt a minute later."""
    now = datetime(2025, 11, 3, 12, 0, 30, tzinfo=UTC)
    scanned = replace(
        order(1, Status.IN_TRANSIT, "SBX1"),
        latest_event_at=now - timedelta(minutes=12, seconds=30),
        latest_event_description="Sorted",
        shipped_at=now - timedelta(hours=2),
    )
    turns = frame_changes_at([scanned, order(2, Status.PENDING, None)], now)
    assert turns == now + timedelta(seconds=30)
    assert orders_frame([scanned], now=turns)["latest_event"].iloc[0].startswith("13m ago")
