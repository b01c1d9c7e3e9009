"""Delivery analytics against a small dataset computed by hand, on SQLite and PostgreSQL
(where the figures come from the trigger-kept rollup)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from perfile_core.domain.delivery_stats import bin_index, destination_region, percentile_hours
from perfile_core.domain.errors import ValidationError
from perfile_core.domain.tracking_numbers import make_s10
from perfile_core.services import orders as order_service
from perfile_core.services.analytics import AnalyticsFilter, delivery_analytics, region_options
from perfile_core.services.analytics_export import analytics_csv
from tests.actors import person
from tests.core.helpers import T0, bring_number, make_order, make_store, push_event

WEEK_1, WEEK_2 = "2026-03-02", "2026-03-09"  # Mondays (T0 is Monday 9 March 2026, 08:00 UTC)
OLD, NEW = datetime(2026, 3, 3, 9, tzinfo=UTC), datetime(2026, 3, 9, 7, tzinfo=UTC)
DAY_ONE, DAY_TWO = date(2026, 3, 10), date(2026, 3, 11)


def _ship(db, number, courier, steps, eta, *, created_at, store="shop", country="SE", postal="11122"):
    order = make_order(db, store, created_at=created_at, country_code=country, postal_code=postal)
    order_service.attach_tracking(db, order.id, number, courier, actor=person("t"))
    for index, (code, hours) in enumerate(steps):
        push_event(db, number, code, T0 + timedelta(hours=hours), courier=courier, eta=eta if index == 0 else None)
    return order


def seed_hand_computed(db) -> None:
    """Six orders; every figure the tests expect is worked out in the comments."""
    make_store(db)
    make_store(db, "other")
    # 1. Bring, week 2, SE-1: picked up at T0, delivered 24 h later on the promised day: on time.
    _ship(db, bring_number(1), "bring", [("HANDED_IN", 0), ("DELIVERED", 24)], DAY_ONE, created_at=NEW)
    # 2. Bring, week 2, SE-4: failed attempt, then delivered after 72 h, a day late.
    steps = [("HANDED_IN", 0), ("ATTEMPTED_DELIVERY", 30), ("DELIVERED", 72)]
    _ship(db, bring_number(2), "bring", steps, DAY_TWO, created_at=NEW, postal="41105")
    # 3. Bring, week 1, store "other", NO-0: still underway.
    steps = [("HANDED_IN", 0)]
    _ship(db, bring_number(3), "bring", steps, None, created_at=OLD, store="other", country="NO", postal="0150")
    # 4. PostNord, week 2, SE-1: delivered after 30 h, on time.
    _ship(db, make_s10("PN", 1, "SE"), "postnord", [("EN_ROUTE", 0), ("DELIVERED", 30)], DAY_ONE, created_at=NEW)
    # 5. PostNord, week 1, SE-4: delayed, delivered after 40 h (01:00 in Stockholm on the promised day): on time.
    steps = [("EN_ROUTE", 0), ("DELAYED", 10), ("DELIVERED", 40)]
    _ship(db, make_s10("PN", 2, "SE"), "postnord", steps, DAY_TWO, created_at=OLD, postal="41250")
    # 6. No tracking yet, week 1.
    make_order(db, created_at=OLD, country_code="SE", postal_code="11111")


def test_figures_in_total_per_courier_and_per_week(db) -> None:
    seed_hand_computed(db)
    report = delivery_analytics(db)
    assert report.source == ("rollup" if db.dialect.name == "postgresql" else "orders")
    total = report.total
    assert (total.orders, total.tracked, total.delivered, total.promised, total.on_time) == (6, 5, 4, 4, 3)
    assert (total.on_time_rate, total.exceptions, total.exception_rate) == (0.75, 2, 0.4)
    assert total.reasons == {"delayed": 1, "failed_attempt": 1}
    # Delivery times 24, 30, 40 and 72 h: mean 41.5 h. The median is read from the histogram:
    # two of four fall at or below the 30-32 h bin, which holds one, so 30 + 2 * (2 - 1) / 1 = 32;
    # p90 (3.6 of 4) falls in 72-78 h: 72 + 6 * 0.6 = 75.6.
    assert (total.avg_hours, total.median_hours, total.p90_hours) == (41.5, 32.0, 75.6)
    bring, postnord, none = report.by_courier["bring"], report.by_courier["postnord"], report.by_courier[""]
    assert (bring.orders, bring.delivered, bring.on_time_rate, bring.exception_rate) == (3, 2, 0.5, round(1 / 3, 4))
    assert (bring.median_hours, bring.avg_hours) == (26.0, 48.0)  # 24 h (in 24-26) and 72 h
    assert (postnord.orders, postnord.on_time_rate, postnord.exception_rate, postnord.avg_hours) == (2, 1.0, 0.5, 35.0)
    assert (none.orders, none.tracked) == (1, 0)
    assert list(report.by_week) == [WEEK_1, WEEK_2]
    week_1, week_2 = report.by_week[WEEK_1], report.by_week[WEEK_2]
    assert (week_1.orders, week_1.delivered, week_1.on_time_rate) == (3, 1, 1.0)
    assert (week_2.orders, week_2.delivered, week_2.on_time_rate) == (3, 3, round(2 / 3, 4))
    assert report.by_courier_week[("postnord", WEEK_1)].orders == 1
    cells = [("", WEEK_1), ("bring", WEEK_1), ("bring", WEEK_2), ("postnord", WEEK_1), ("postnord", WEEK_2)]
    assert sorted(report.by_courier_week) == cells


@pytest.mark.parametrize(
    ("flt", "orders", "delivered"),
    [
        (AnalyticsFilter(store_keys=("other",)), 1, 0),
        (AnalyticsFilter(store_keys=("Shop",)), 5, 4),  # keys are matched as stored (lower case)
        (AnalyticsFilter(couriers=("postnord",)), 2, 2),
        (AnalyticsFilter(regions=("SE-4",)), 2, 2),
        (AnalyticsFilter(regions=("NO-0", "SE-1")), 4, 2),
        (AnalyticsFilter(created_from=date(2026, 3, 9)), 3, 3),
        (AnalyticsFilter(created_to=date(2026, 3, 8)), 3, 1),
        (AnalyticsFilter(created_from=date(2026, 3, 10)), 0, 0),
        (AnalyticsFilter(store_keys=("nowhere",)), 0, 0),
    ],
)
def test_filters(db, flt: AnalyticsFilter, orders: int, delivered: int) -> None:
    seed_hand_computed(db)
    total = delivery_analytics(db, flt).total
    assert (total.orders, total.delivered) == (orders, delivered)
    if not orders:
        assert (total.on_time_rate, total.median_hours, total.exception_rate) == (None, None, None)


def test_deleted_orders_leave_the_figures_and_a_restore_brings_them_back(db) -> None:
    seed_hand_computed(db)
    order = make_order(db, created_at=NEW, country_code="SE", postal_code="11111")
    assert delivery_analytics(db).total.orders == 7
    order_service.soft_delete_order(db, order.id, reason="duplicate", actor=person("t"))
    assert delivery_analytics(db).total.orders == 6
    order_service.restore_order(db, order.id, actor=person("t"))
    assert delivery_analytics(db).total.orders == 7


def test_region_options(db) -> None:
    seed_hand_computed(db)
    assert region_options(db) == ["NO-0", "SE-1", "SE-4"]


def test_csv_export_has_every_breakdown(db) -> None:
    seed_hand_computed(db)
    rows = list(csv.DictReader(io.StringIO(analytics_csv(delivery_analytics(db)))))
    kinds = [(row["breakdown"], row["courier"], row["week"]) for row in rows]
    assert kinds == [
        ("total", "", ""),
        ("courier", "(none)", ""),
        ("courier", "bring", ""),
        ("courier", "postnord", ""),
        ("week", "", WEEK_1),
        ("week", "", WEEK_2),
        ("courier and week", "(none)", WEEK_1),
        ("courier and week", "bring", WEEK_1),
        ("courier and week", "bring", WEEK_2),
        ("courier and week", "postnord", WEEK_1),
        ("courier and week", "postnord", WEEK_2),
    ]
    total = rows[0]
    assert (total["orders"], total["on_time_rate"], total["median_hours"], total["p90_hours"]) == (
        "6",
        "0.75",
        "32.0",
        "75.6",
    )
    assert (total["reason_delayed"], total["reason_failed_attempt"], total["reason_lost"]) == ("1", "1", "0")


def test_bad_filters_are_refused() -> None:
    with pytest.raises(ValidationError):
        AnalyticsFilter(couriers=("ups",))
    with pytest.raises(ValidationError):
        AnalyticsFilter(created_from=date(2026, 3, 2), created_to=date(2026, 3, 1))


def test_histogram_rules() -> None:
    assert [bin_index(h * 3600) for h in (-5, 0, 1.99, 2, 47.9, 48, 53.9, 54, 96, 167, 168, 239, 240, 10_000)] == [
        0,
        0,
        0,
        1,
        23,
        24,
        24,
        25,
        32,
        34,
        35,
        35,
        36,
        36,
    ]
    assert percentile_hours([], 0.5) is None
    assert percentile_hours([0] * 36 + [3], 0.5) == 240.0  # the open bin reports its start
    assert destination_region("se", "11122") == "SE-1"
    assert destination_region(None, "11122") == ""


def test_on_time_is_the_day_at_the_delivery_address(db) -> None:
    """The promised day is the recipient's calendar day (the rollup's trigger and the on-the-fly
    SQL alike): 23:30 UTC is still that day in Stockholm, 00:30 the next one there and in Helsinki."""
    make_store(db)
    promised = date(2026, 3, 10)
    cases = [
        (bring_number(11), "SE", datetime(2026, 3, 10, 22, 30, tzinfo=UTC)),  # 23:30 in Stockholm: on time
        (bring_number(12), "SE", datetime(2026, 3, 10, 23, 30, tzinfo=UTC)),  # 00:30 on the 11th: late
        (bring_number(13), "FI", datetime(2026, 3, 10, 22, 30, tzinfo=UTC)),  # 00:30 in Helsinki: late
    ]
    for number, country, delivered_at in cases:
        order = make_order(db, created_at=OLD, country_code=country, postal_code="00100")
        order_service.attach_tracking(db, order.id, number, "bring", actor=person("t"))
        push_event(db, number, "HANDED_IN", delivered_at - timedelta(hours=30), eta=promised)
        push_event(db, number, "DELIVERED", delivered_at)
    total = delivery_analytics(db).total
    assert (total.delivered, total.promised, total.on_time) == (3, 3, 1)
    assert delivery_analytics(db, AnalyticsFilter(regions=("FI-0",))).total.on_time_rate == 0.0
