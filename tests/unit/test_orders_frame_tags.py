"""The Orders table's status tags and changed marks (ui.orders_frame), as handed to st.dataframe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from perfile_core.domain.order import Order
from perfile_core.domain.status import BadgeColor, ExceptionReason, Status
from ui.orders_frame import CHANGED_MARK, COLUMNS, NO_TRACKING, TAG_COLOR, orders_frame


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
    config = COLUMNS["status"]["type_config"]
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
        ("Exception: address issue", BadgeColor.RED),
        (NO_TRACKING, BadgeColor.GRAY),
        ("Cancelled", BadgeColor.GRAY),
    ],
)
def test_each_status_text_is_a_tag_in_its_badge_colour(label: str, color: BadgeColor) -> None:
    assert status_tag_colors()[label] == TAG_COLOR[color]


def test_every_shown_status_is_a_configured_tag_and_changed_rows_are_marked() -> None:
    orders = [
        order(1, Status.DELIVERED, "SBX1"),
        order(2, Status.PENDING, None),
        order(3, Status.EXCEPTION, "SBX3", ExceptionReason.CUSTOMS_HOLD),
        order(4, Status.PENDING, None),
    ]
    frame = orders_frame(orders, changed_ids={3, 4})
    assert list(frame["status"]) == [["Delivered"], [NO_TRACKING], ["Exception: customs hold"], [NO_TRACKING]]
    tags = status_tag_colors()
    for shown, source in zip(frame["status"], orders, strict=True):
        assert tags[shown[0]] == TAG_COLOR[source.badge]  # an unknown text would show uncoloured
    assert list(frame["changed"]) == ["", "", CHANGED_MARK, CHANGED_MARK]
    assert list(frame.columns)[:2] == ["changed", "status"] == list(COLUMNS)[:2]  # the mark comes first
    assert list(frame["tracking"]) == ["SBX1", NO_TRACKING, "SBX3", NO_TRACKING]


def test_every_exception_reason_has_a_red_tag() -> None:
    tags = status_tag_colors()
    for reason in ExceptionReason:
        shown = orders_frame([order(1, Status.EXCEPTION, "SBX1", reason)])["status"].iloc[0][0]
        assert tags[shown] == TAG_COLOR[BadgeColor.RED], shown
