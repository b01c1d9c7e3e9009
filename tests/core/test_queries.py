"""Read side on SQLite and PostgreSQL: filters, search, sort, pages, counts, live changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from perfile_core.domain.errors import ValidationError
from perfile_core.domain.status import Status
from perfile_core.services import orders as order_service
from perfile_core.services.order_detail import find_order, order_detail
from perfile_core.services.order_filters import OrderFilter, parse_statuses
from perfile_core.services.queries import changes_since, count_orders, current_cursor, list_orders
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN, person
from tests.core.helpers import T0, bring_number, make_order, make_store, push_event

ANCHOR = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def seeded(db):
    seed_demo(db, orders_count=120, seed=3, anchor=ANCHOR, actor=ADMIN)
    return db


def _all(db, flt: OrderFilter, now=ANCHOR):
    return list_orders(db, flt, limit=1000, now=now).orders


def test_status_filter_returns_only_those_statuses(seeded):
    flt = OrderFilter(statuses=(Status.IN_TRANSIT, Status.EXCEPTION))
    found = _all(seeded, flt)
    assert found
    assert {o.order_status for o in found} <= {Status.IN_TRANSIT, Status.EXCEPTION}
    everything = _all(seeded, OrderFilter())
    assert len(found) == sum(o.order_status in flt.statuses for o in everything)


def test_store_courier_and_date_filters(seeded):
    everything = _all(seeded, OrderFilter())
    flt = OrderFilter(store_keys=("demo-woo",), couriers=("postnord",), created_from=date(2026, 11, 10))
    found = _all(seeded, flt)
    expected = [
        o
        for o in everything
        if o.store_key == "demo-woo" and o.courier == "postnord" and o.created_at.date() >= date(2026, 11, 10)
    ]
    assert expected, "the demo data has such orders, so the comparison means something"
    assert {o.id for o in found} == {o.id for o in expected}
    assert _all(seeded, OrderFilter(store_keys=("no-such-store",))) == []


def test_needs_action_sql_agrees_with_the_python_rule(seeded):
    everything = _all(seeded, OrderFilter())
    flagged = {o.id for o in _all(seeded, OrderFilter(needs_action=True))}
    assert flagged == {o.id for o in everything if o.needs_action(ANCHOR)}
    # Every reason is represented in the demo data, so the comparison means something.
    assert any(not o.has_tracking for o in everything if o.id in flagged)
    assert any(o.order_status == Status.EXCEPTION for o in everything if o.id in flagged)
    assert any(o.is_stale(ANCHOR) for o in everything if o.id in flagged)


def test_search_by_tracking_number_order_number_and_name(seeded):
    everything = _all(seeded, OrderFilter())
    tracked = next(o for o in everything if o.tracking_number)
    assert [o.id for o in _all(seeded, OrderFilter(search=tracked.tracking_number))] == [tracked.id]
    assert tracked.id in {o.id for o in _all(seeded, OrderFilter(search=tracked.order_number))}
    surname = tracked.customer_name.split()[-1]
    by_name = _all(seeded, OrderFilter(search=surname.lower()))
    assert tracked.id in {o.id for o in by_name}
    assert all(surname.lower() in o.customer_name.lower() for o in by_name)
    # LIKE wildcards are literal in a search.
    assert _all(seeded, OrderFilter(search="%")) == []


def test_sort_and_pagination_are_stable(seeded):
    flt = OrderFilter(sort="customer_name", descending=False)
    first = list_orders(seeded, flt, limit=50, offset=0, now=ANCHOR)
    second = list_orders(seeded, flt, limit=50, offset=50, now=ANCHOR)
    names = [o.customer_name for o in first.orders + second.orders]
    assert names == sorted(names)
    assert not {o.id for o in first.orders} & {o.id for o in second.orders}
    assert first.total == 120 and not first.total_is_estimate
    newest = list_orders(seeded, OrderFilter(), limit=5, now=ANCHOR).orders
    assert [o.created_at for o in newest] == sorted((o.created_at for o in newest), reverse=True)


def test_count_matches_the_list(seeded):
    flt = OrderFilter(statuses=(Status.DELIVERED,))
    total, estimate = count_orders(seeded, flt, now=ANCHOR)
    assert not estimate
    assert total and total == len(_all(seeded, flt))


def test_bad_filter_values_are_named():
    with pytest.raises(ValidationError) as caught:
        parse_statuses(["in_transit", "lost_in_space"])
    assert caught.value.field == "status"
    with pytest.raises(ValidationError) as caught:
        OrderFilter(sort="password")
    assert caught.value.field == "sort"
    with pytest.raises(ValidationError) as caught:
        OrderFilter(couriers=("pigeon",))
    assert caught.value.field == "courier"
    with pytest.raises(ValidationError):
        OrderFilter(created_from=date(2026, 2, 1), created_to=date(2026, 1, 1))


def test_changes_since_cursor_sees_each_change_once(db):
    make_store(db)
    start = current_cursor(db)
    a = make_order(db)
    b = make_order(db)
    batch = changes_since(db, start)
    assert [o.id for o in batch.orders] == [a.id, b.id]
    assert changes_since(db, batch.cursor).orders == []
    order_service.attach_tracking(db, a.id, bring_number(1), "bring", actor=person("t"))
    order_service.soft_delete_order(db, b.id, actor=person("t"), reason="test")
    later = changes_since(db, batch.cursor)
    assert [o.id for o in later.orders] == [a.id]
    assert later.orders[0].order_status == Status.CONFIRMED
    assert later.deleted_ids == [b.id]


def test_changes_since_pages_through_large_batches(db):
    make_store(db)
    start = current_cursor(db)
    for _ in range(7):
        make_order(db)
    first = changes_since(db, start, limit=5)
    assert first.has_more and len(first.orders) == 5
    second = changes_since(db, first.cursor, limit=5)
    assert not second.has_more and len(second.orders) == 2


def test_order_detail_timeline_and_lookup(db):
    make_store(db)
    order = make_order(db, order_number="A-77")
    order_service.attach_tracking(db, order.id, "370438101268058536", "bring", actor=person("ops"))
    push_event(db, "370438101268058536", "HANDED_IN", T0, location="Oslo")
    push_event(db, "370438101268058536", "DEVIATION", T0 + timedelta(hours=3), description="Delayed at terminal")
    detail = order_detail(db, order.id)
    assert detail.order.order_status == Status.EXCEPTION
    kinds = [entry.kind for entry in detail.timeline]
    assert kinds.count("tracking") == 2 and "audit" in kinds
    tracking = [e for e in detail.timeline if e.kind == "tracking"]
    assert tracking[0].title == "Exception: delayed"
    assert find_order(db, "A-77") == order.id
    assert find_order(db, "370438101268058536") == order.id
    assert find_order(db, str(order.id)) == order.id


def test_timeline_shows_postnords_first_en_route_as_the_pickup(db):
    make_store(db)
    order = make_order(db)
    order_service.attach_tracking(db, order.id, "00373500454541020957", "postnord", actor=person("ops"))
    for hours in (1, 5):
        push_event(db, "00373500454541020957", "EN_ROUTE", T0 + timedelta(hours=hours), courier="postnord")
    tracking = [e for e in order_detail(db, order.id).timeline if e.kind == "tracking"]
    assert [e.title for e in tracking] == ["In transit", "Picked up"]  # newest first
