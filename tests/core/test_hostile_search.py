"""User text reaches queries only as bound parameters: hostile searches and references on
SQLite and PostgreSQL give "no match" or a clear message, never a database error."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from perfile_core.domain.errors import NotFound, ValidationError
from perfile_core.services.order_detail import find_order
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import count_orders, list_orders
from tests.core.helpers import make_order, make_store

# What SQL text or LIKE patterns would take as syntax, were the search rendered into SQL.
SQL_LOOKING = [":b", "'", "%", "_", "\\", "--", ";drop"]
# What PostgreSQL cannot take (NUL), no encoding can hold (lone surrogate), or int() refuses
# although str.isdigit() accepts it (superscript, Arabic-Indic and full-width digits).
ODD_TEXT = ["\x00", "a\x00b", "\udc80", "x\ud800y", "²", "٣", "\uff13"]
# Invisible marks that pasting carries along; alone they are a blank search.
INVISIBLE = ["\u200f", "\u202e\u2066", "\ufeff\u200b"]


def _load_names_with_every_payload(conn, n: int) -> None:
    """n orders whose names all contain every SQL-looking payload, so each search matches all."""
    conn.execute(
        text(
            "INSERT INTO stores (key, name, platform, pickup_address, created_at)"
            " VALUES ('s', 'S', 'manual', '{}', now())"
        )
    )
    conn.execute(
        text("""
        INSERT INTO orders (order_number, store_id, customer_name, order_status, main_status,
                            courier_metadata, created_at, updated_at, change_cursor)
        SELECT 'N' || g, (SELECT id FROM stores), 'Name ' || g || :payloads, 'pending', 'pending', '{}',
               now() - (g || ' minutes')::interval, now(), g
        FROM generate_series(1, :n) g
        """),
        {"payloads": " " + " ".join(SQL_LOOKING), "n": n},
    )
    conn.execute(text("ANALYZE orders"))


@pytest.mark.parametrize("term", SQL_LOOKING)
def test_estimated_count_takes_the_search_as_a_parameter(pg_db, term):
    with pg_db.begin() as conn:
        _load_names_with_every_payload(conn, 30_000)
    flt = OrderFilter(search=term)

    total, is_estimate = count_orders(pg_db, flt, exact_budget_ms=1)

    assert is_estimate, "30,000 rows cannot be counted in 1 ms: the estimate path must have run"
    assert 0 < total <= 30_000 * 2  # the planner's figure, not an exact one
    page = list_orders(pg_db, flt, limit=50, with_total=False).orders
    assert len(page) == 50 and all(term in order.customer_name for order in page)


@pytest.mark.parametrize("term", SQL_LOOKING)
def test_sql_looking_searches_match_literally(db, term):
    make_store(db)
    literal = make_order(db, customer_name=f"Ann {term} Berg")
    make_order(db, customer_name="Ann Berg")

    found = list_orders(db, OrderFilter(search=term))

    assert [order.id for order in found.orders] == [literal.id] and found.total == 1
    assert count_orders(db, OrderFilter(search=term)) == (1, False)


@pytest.mark.parametrize("term", ODD_TEXT, ids=ascii)
def test_odd_unicode_in_a_search_or_store_filter_matches_nothing(db, term):
    make_store(db)
    make_order(db, order_number="3", customer_name="Anna Svensson")

    assert list_orders(db, OrderFilter(search=term)).orders == []
    assert count_orders(db, OrderFilter(search=term)) == (0, False)
    assert list_orders(db, OrderFilter(store_keys=(term,))).orders == []


@pytest.mark.parametrize("term", ODD_TEXT + INVISIBLE, ids=ascii)
def test_odd_unicode_in_an_order_reference_is_not_found(db, term):
    make_store(db)
    for _ in range(3):
        make_order(db)  # ids 1-3: Arabic-Indic and full-width threes are a digit three to str.isdigit(), not to us

    with pytest.raises((NotFound, ValidationError)) as caught:
        find_order(db, term)
    assert "order" in str(caught.value.detail)


def test_invisible_marks_around_a_pasted_reference_are_ignored(db):
    make_store(db)
    order = make_order(db, order_number="PF-1001", customer_name="Åsa Öberg")

    assert find_order(db, "\u200fPF-1001\u200e ") == order.id
    assert [o.id for o in list_orders(db, OrderFilter(search="\ufeffÖberg")).orders] == [order.id]
    for marks in INVISIBLE:
        assert [o.id for o in list_orders(db, OrderFilter(search=marks)).orders] == [order.id]  # blank: no filter


def test_very_long_text_gets_a_clear_message(db):
    make_store(db)
    with pytest.raises(ValidationError, match="search: is 100,000 characters long; at most 200"):
        list_orders(db, OrderFilter(search="x" * 100_000))
    with pytest.raises(ValidationError, match="order: is 5,000 characters long"):
        find_order(db, "7" * 5_000)


@pytest.mark.parametrize("field", ["created_from", "created_to"])
@pytest.mark.parametrize("day", [date.max, date.min, date(1899, 12, 31)])
def test_filter_dates_out_of_range_are_named(db, field, day):
    with pytest.raises(ValidationError, match=f"{field}: {day.isoformat()} is out of range"):
        list_orders(db, OrderFilter(**{field: day}))


def test_the_last_supported_day_still_filters(db):
    make_store(db)
    order = make_order(db)
    found = list_orders(db, OrderFilter(created_from=date(1900, 1, 1), created_to=date(9998, 12, 31)))
    assert [o.id for o in found.orders] == [order.id]
