"""The details drawer's countdown and package lines (fixed words around the order's numbers)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from perfile_core.domain.status import Status
from tests.unit.test_computed_fields import order
from ui.details_drawer import eta_text, package_text

NOW = datetime(2025, 11, 5, 10, 0, tzinfo=UTC)  # Wednesday 5 November in Stockholm


def promised(day: date) -> str:
    shipped = {"tracking_number": "SBX1", "courier": "sandbox", "country_code": "SE", "estimated_delivery": day}
    return eta_text(order(order_status=Status.IN_TRANSIT, **shipped), NOW)


def test_the_countdown_names_the_day_and_how_far_it_is() -> None:
    assert promised(date(2025, 11, 8)) == ":material/event: Due Sat 08 Nov, in 3 days"
    assert promised(date(2025, 11, 6)) == ":material/event: Due tomorrow, Thu 06 Nov"
    assert promised(date(2025, 11, 5)) == ":material/event: Due today, Wed 05 Nov"
    assert promised(date(2025, 11, 4)) == ":red[:material/schedule: 1 day late] (promised Tue 04 Nov)"
    assert promised(date(2025, 11, 2)) == ":red[:material/schedule: 3 days late] (promised Sun 02 Nov)"
    assert eta_text(order(), NOW) == ":material/event: No delivery date promised yet"
    delivered = order(order_status=Status.DELIVERED, delivered_at=NOW, estimated_delivery=date(2025, 11, 5))
    assert eta_text(delivered, NOW) == ":material/check_circle: Delivered"


def test_package_line() -> None:
    assert (
        package_text(order(weight_grams=1250, length_cm=30, width_cm=20, height_cm=10)) == "1.25 kg · 30 x 20 x 10 cm"
    )
    assert package_text(order(weight_grams=800)) == "0.8 kg"
    assert package_text(order()) == "weight unknown"
