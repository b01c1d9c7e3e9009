"""The Orders page's search and sorts on SQLite and PostgreSQL: what matches, in which order,
and pages that add up to the whole list whichever segments a sort reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from perfile_core.domain.status import Status
from perfile_core.services import orders as order_service
from perfile_core.services.order_filters import SORTABLE, OrderFilter
from perfile_core.services.queries import list_orders
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN, person
from tests.core.helpers import bring_number, make_order, make_store

ANCHOR = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LIFECYCLE = {status: rank for rank, status in enumerate(Status)}


def _numbers(db, term: str) -> set[str]:
    return {o.order_number for o in list_orders(db, OrderFilter(search=term), limit=1000).orders}


def test_order_number_is_a_prefix_match_in_any_case(db):
    make_store(db)
    for number in ("TEL-1460", "TEL-1461", "TEL-150", "XTEL-146", "#1001"):
        make_order(db, order_number=number)
    assert _numbers(db, "tel-146") == {"TEL-1460", "TEL-1461"}
    assert _numbers(db, "TEL-14") == {"TEL-1460", "TEL-1461"}
    assert _numbers(db, "Tel-1") == {"TEL-1460", "TEL-1461", "TEL-150"}
    assert _numbers(db, "100") == {"#1001"}  # Shopify's "#" need not be typed
    assert _numbers(db, "#10") == {"#1001"}
    assert _numbers(db, "146") == set()  # a prefix, not any part of the number


def test_tracking_number_is_a_prefix_match_in_any_case(db):
    make_store(db)
    tracked = make_order(db, order_number="A-1")
    make_order(db, order_number="A-2")
    number = bring_number(4242)
    order_service.attach_tracking(db, tracked.id, number, "bring", actor=person("t"))
    assert _numbers(db, number[:6]) == {"A-1"}
    assert _numbers(db, number) == {"A-1"}
    assert _numbers(db, number[3:9]) == set()  # the middle of a number is not its start


def test_tracking_prefix_ignores_case_of_letters(db):
    make_store(db)
    order = make_order(db, order_number="B-1")
    order_service.attach_tracking(db, order.id, "JJD00123456789012", "dhl", actor=person("t"))
    assert _numbers(db, "jjd0012") == {"B-1"}


def test_name_and_email_match_any_part_in_any_case(db):
    make_store(db)
    make_order(db, order_number="N-1", customer_name="Karin Lindqvist")
    make_order(db, order_number="N-2", customer_name="Per Berg", customer_email="ops.team@shop.se")
    make_order(db, order_number="N-3", customer_name="Eva Holm", customer_email="eva@holm.se")
    assert _numbers(db, "DQVI") == {"N-1"}
    assert _numbers(db, "team@SH") == {"N-2"}
    assert _numbers(db, "holm") == {"N-3"}  # name and e-mail both; the order once


def test_like_wildcards_in_the_search_are_literal(db):
    make_store(db)
    make_order(db, order_number="W-1", customer_name="Sale 50% off")
    make_order(db, order_number="W-2", customer_name="Sale 500 off")
    make_order(db, order_number="W-3", customer_name="a_b Andersson")
    make_order(db, order_number="W-4", customer_name="axb Andersson")
    make_order(db, order_number="W_5", customer_name="Back\\slash")
    make_order(db, order_number="WX5", customer_name="Nils Nilsson")
    assert _numbers(db, "50%") == {"W-1"}
    assert _numbers(db, "a_b") == {"W-3"}
    assert _numbers(db, "w_") == {"W_5"}  # a literal "_" in a number prefix, not "any character"
    assert _numbers(db, "k\\s") == {"W_5"}


@pytest.fixture
def seeded(db):
    seed_demo(db, orders_count=120, seed=3, anchor=ANCHOR, actor=ADMIN)
    return db


def _expected(orders: list, sort: str, descending: bool) -> list[int]:
    """The order each sort promises, computed here from the orders' fields."""
    sign = -1 if descending else 1
    if sort == "order_status":
        ranked = sorted(orders, key=lambda o: (-o.created_at.timestamp(), -o.id))
        return [o.id for o in sorted(ranked, key=lambda o: sign * LIFECYCLE[o.order_status])]
    if sort == "estimated_delivery":
        known = sorted((o for o in orders if o.estimated_delivery), key=lambda o: (o.estimated_delivery, o.id))
        unknown = sorted((o for o in orders if not o.estimated_delivery), key=lambda o: o.id)
        return [o.id for o in (known[::-1] + unknown[::-1] if descending else known + unknown)]
    key = {
        "created_at": lambda o: (o.created_at, o.id),
        "updated_at": lambda o: (o.updated_at, o.id),
        "order_number": lambda o: (o.order_number, o.id),
        "customer_name": lambda o: (o.customer_name, o.id),
    }[sort]
    return [o.id for o in sorted(orders, key=key, reverse=descending)]


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
@pytest.mark.parametrize("sort", SORTABLE)
def test_every_sort_orders_the_whole_list_and_its_pages_add_up(seeded, sort, descending):
    flt = OrderFilter(sort=sort, descending=descending)
    whole = list_orders(seeded, flt, limit=1000, now=ANCHOR).orders
    assert len(whole) == 120
    if sort not in ("order_number", "customer_name"):  # text order is the database's collation
        assert [o.id for o in whole] == _expected(whole, sort, descending)
    paged = []
    for offset in range(0, 126, 7):  # pages that start inside, at the end of and past a segment
        paged += list_orders(seeded, flt, limit=7, offset=offset, now=ANCHOR).orders
    assert [o.id for o in paged] == [o.id for o in whole]


def test_status_and_eta_sorts_keep_a_status_filter(seeded):
    statuses = (Status.DELIVERED, Status.PENDING)
    for sort in ("order_status", "estimated_delivery"):
        found = list_orders(seeded, OrderFilter(statuses=statuses, sort=sort), limit=1000, now=ANCHOR).orders
        assert found and {o.order_status for o in found} == set(statuses)
        everything = list_orders(seeded, OrderFilter(), limit=1000, now=ANCHOR).orders
        assert len(found) == sum(o.order_status in statuses for o in everything)


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
@pytest.mark.parametrize("sort", ["created_at", "updated_at", "estimated_delivery", "order_status"])
def test_a_search_keeps_the_sort(seeded, sort, descending):
    """On PostgreSQL a search expected to match few orders is read whole and sorted in one query
    (sorted_pages.few_matches_query): the same order as every other path."""
    flt = OrderFilter(search="son", sort=sort, descending=descending)
    found = list_orders(seeded, flt, limit=1000, now=ANCHOR).orders
    assert 0 < len(found) < 120
    assert [o.id for o in found] == _expected(found, sort, descending)
    paged = []
    for offset in range(0, len(found) + 5, 9):
        paged += list_orders(seeded, flt, limit=9, offset=offset, now=ANCHOR).orders
    assert [o.id for o in paged] == [o.id for o in found]


def test_migration_0007_goes_down_and_up_again(db_url):
    from sqlalchemy import text

    from perfile_core.db.engine import make_engine
    from perfile_core.db.migrate import downgrade, migrate

    postgres = db_url.startswith("postgresql")
    names = "SELECT indexname FROM pg_indexes" if postgres else "SELECT name FROM sqlite_master WHERE type = 'index'"
    ours = {"ix_orders_live_updated", "ix_orders_live_customer_name", "ix_orders_live_status_eta"}
    if postgres:
        ours |= {"ix_orders_order_number_prefix", "ix_orders_tracking_number_prefix", "ix_orders_customer_email_trgm"}
    engine = make_engine(db_url)
    try:
        downgrade(engine, "0007-1")
        with engine.connect() as conn:
            assert not ours & set(conn.execute(text(names)).scalars())
        migrate(engine)
        with engine.connect() as conn:
            assert ours <= set(conn.execute(text(names)).scalars())
    finally:
        engine.dispose()


def test_migration_0013_covers_the_prefix_indexes_and_goes_back(pg_url):
    from sqlalchemy import text

    from perfile_core.db.engine import make_engine
    from perfile_core.db.migrate import downgrade, migrate

    query = text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_orders_tracking_number_prefix'")
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert "INCLUDE (tracking_number, created_at, id, deleted_at)" in conn.execute(query).scalar_one()
        downgrade(engine, "0013-1")  # whatever 0013 follows
        with engine.connect() as conn:
            assert "INCLUDE" not in conn.execute(query).scalar_one()
        migrate(engine)
        with engine.connect() as conn:
            assert "INCLUDE" in conn.execute(query).scalar_one()
    finally:
        engine.dispose()
