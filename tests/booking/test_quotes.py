"""Quotes carry price, ETA and each courier's on-time rate and delivery time for the region."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from perfile_core.db.orders_repo import get_order
from perfile_core.domain.status import Status
from perfile_core.services.booking import book_order
from perfile_core.services.quotes import quote_order, region_of
from perfile_core.services.tracking import TrackingEvent, record_event
from tests.actors import person


def _deliver(db, registry, make_order, postal_code: str, late_days: int) -> None:
    order_id = make_order(postal_code=postal_code)
    booked = book_order(db, registry, order_id, "sandbox", "home", actor=person("ops"))
    with db.connect() as conn:
        eta = get_order(conn, order_id).estimated_delivery
    delivered = datetime.combine(eta + timedelta(days=late_days), time(14), tzinfo=UTC)
    picked = delivered - timedelta(hours=30)
    with db.begin() as conn:
        for n, (status, when) in enumerate([(Status.PICKED_UP, picked), (Status.DELIVERED, delivered)]):
            record_event(
                conn,
                TrackingEvent("sandbox", booked.tracking_number, f"{order_id}-{n}", when, status),
                datetime.now(UTC),
            )


def test_quotes_with_regional_performance(db, postnord_registry, make_order):
    for late in (0, 0, -1, 2):
        _deliver(db, postnord_registry, make_order, "41250", late)
    _deliver(db, postnord_registry, make_order, "11122", 5)  # another region: not counted

    order_id = make_order(postal_code="41103", weight_grams=2500)
    result = quote_order(db, postnord_registry, order_id)

    assert result.region == "SE-41" and result.errors == {}
    services = [(o.courier, o.quote.service) for o in result.options]
    assert ("sandbox", "home") in services and ("postnord", "19") in services
    assert [o.price for o in result.options] == sorted(o.price for o in result.options)
    sandbox = next(o for o in result.options if o.courier == "sandbox").performance
    assert (sandbox.delivered, sandbox.on_time_rate, sandbox.avg_delivery_hours) == (4, 0.75, 30.0)
    postnord = next(o for o in result.options if o.courier == "postnord").performance
    assert (postnord.delivered, postnord.on_time_rate) == (0, None)
    assert all(o.estimated_delivery for o in result.options)


def test_sandbox_prices_depend_on_destination_and_weight(db, registry, make_order):
    near = quote_order(db, registry, make_order(postal_code="11122", weight_grams=800)).options
    far = quote_order(db, registry, make_order(postal_code="98132", weight_grams=800)).options
    heavy = quote_order(db, registry, make_order(postal_code="11122", weight_grams=18000)).options
    abroad = quote_order(db, registry, make_order(country_code="DE", postal_code="10115")).options
    price = {
        name: {o.quote.service: o.price for o in opts}
        for name, opts in [("near", near), ("far", far), ("heavy", heavy), ("abroad", abroad)]
    }
    assert set(price["near"]) == {"home", "service_point", "locker"}
    assert price["far"]["home"] > price["near"]["home"] and price["heavy"]["home"] > price["near"]["home"]
    assert "locker" not in price["heavy"] and "locker" not in price["abroad"]  # too heavy / outside Nordics
    eta = {o.quote.service: o.estimated_delivery for o in near}
    assert eta["locker"] > eta["home"]
    assert region_of("se", "411 03") == "SE-41"
