"""Which operator actions an order allows, and the reason given for each one it does not."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from perfile_core.domain.order import Order, OrderAction
from perfile_core.domain.status import ExceptionReason, Status
from tests.unit.test_computed_fields import order as computed_fields_order

CREATED = datetime(2025, 11, 3, 8, 0, tzinfo=UTC)
ALWAYS = {OrderAction.DETAILS, OrderAction.DELETE}


def order(**fields: Any) -> Order:
    return computed_fields_order(**{"customer_email": "astrid@example.com", **fields})


def booked(status: Status, **fields: Any) -> Order:
    """Booked through Perfile (a stored label) with the sandbox courier."""
    base = {"tracking_number": "SBX123", "courier": "sandbox", "has_label": True, "main_status": status}
    return order(order_status=status, **{**base, **fields})


# Each status the action bar must get right -> the actions it allows.
CASES = {
    "pending without tracking": (order(), {OrderAction.BOOK, OrderAction.EDIT}),
    "confirmed with label": (
        booked(Status.CONFIRMED),
        {
            OrderAction.TRACK,
            OrderAction.DOWNLOAD_LABEL,
            OrderAction.PRINT_LABEL,
            OrderAction.NOTIFY,
            OrderAction.EDIT,
            OrderAction.CANCEL,
        },
    ),
    "in transit": (
        booked(Status.IN_TRANSIT),
        {OrderAction.TRACK, OrderAction.DOWNLOAD_LABEL, OrderAction.PRINT_LABEL, OrderAction.NOTIFY, OrderAction.EDIT},
    ),
    "delivered": (
        booked(Status.DELIVERED),
        {OrderAction.TRACK, OrderAction.DOWNLOAD_LABEL, OrderAction.PRINT_LABEL, OrderAction.NOTIFY},
    ),
    "exception": (
        booked(Status.EXCEPTION, main_status=Status.IN_TRANSIT, exception_reason=ExceptionReason.DAMAGED),
        {
            OrderAction.TRACK,
            OrderAction.DOWNLOAD_LABEL,
            OrderAction.PRINT_LABEL,
            OrderAction.NOTIFY,
            OrderAction.CLAIM,
            OrderAction.EDIT,
        },
    ),
    "cancelled": (booked(Status.CANCELLED), {OrderAction.TRACK, OrderAction.DOWNLOAD_LABEL, OrderAction.PRINT_LABEL}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_allowed_actions_per_status_and_a_reason_for_every_other(case: str) -> None:
    subject, allowed = CASES[case]
    reasons = {action: subject.why_not(action) for action in OrderAction}
    assert {action for action, why in reasons.items() if why is None} == allowed | ALWAYS
    assert all(why and why[0].isupper() for action, why in reasons.items() if action not in allowed | ALWAYS)


def test_the_flags_agree_with_the_reasons() -> None:
    for subject, _ in CASES.values():
        assert subject.can_book_shipment is (subject.why_not(OrderAction.BOOK) is None)
        assert subject.can_track is (subject.why_not(OrderAction.TRACK) is None)
        assert subject.can_download_label is (subject.why_not(OrderAction.DOWNLOAD_LABEL) is None)
        assert subject.can_notify_customer is (subject.why_not(OrderAction.NOTIFY) is None)
        assert subject.can_file_claim is (subject.why_not(OrderAction.CLAIM) is None)
        assert subject.can_cancel_booking is (subject.why_not(OrderAction.CANCEL) is None)
        assert subject.can_edit is (subject.why_not(OrderAction.EDIT) is None)


def test_reasons_name_what_to_do() -> None:
    assert order().why_not(OrderAction.DOWNLOAD_LABEL) == "No shipment booked yet"
    assert "book the shipment first" in (order().why_not(OrderAction.TRACK) or "")
    assert "SBX123" in (booked(Status.CONFIRMED).why_not(OrderAction.BOOK) or "")
    webshop_tracked = booked(Status.CONFIRMED, has_label=False)
    assert "Not booked through Perfile" in (webshop_tracked.why_not(OrderAction.CANCEL) or "")
    assert not webshop_tracked.can_download_label and not webshop_tracked.can_cancel_booking
    no_email = booked(Status.IN_TRANSIT, customer_email=None)
    assert "no customer e-mail" in (no_email.why_not(OrderAction.NOTIFY) or "")
    assert "contact the courier" in (booked(Status.IN_TRANSIT).why_not(OrderAction.CANCEL) or "")
    unknown_courier = booked(Status.IN_TRANSIT, courier=None, courier_name="Budbee")
    assert "no tracking page" in (unknown_courier.why_not(OrderAction.TRACK) or "")


def test_days_to_delivery_counts_calendar_days_at_the_address() -> None:
    promised = booked(Status.IN_TRANSIT, estimated_delivery=date(2025, 11, 6), country_code="SE")
    assert promised.days_to_delivery(datetime(2025, 11, 4, 22, 30, tzinfo=UTC)) == 2  # 23:30 on the 4th there
    assert promised.days_to_delivery(datetime(2025, 11, 5, 23, 30, tzinfo=UTC)) == 0  # already the 6th there
    assert promised.days_to_delivery(datetime(2025, 11, 8, 12, tzinfo=UTC)) == -2
    assert booked(Status.DELIVERED, estimated_delivery=date(2025, 11, 6)).days_to_delivery(CREATED) is None
    assert order().days_to_delivery(CREATED) is None
