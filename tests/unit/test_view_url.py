"""The Orders view's URL words and its "1-50 of 1,234 orders" line, without a running page."""

from __future__ import annotations

from perfile_core.domain.status import Status
from perfile_core.services.queries import OrderPage
from ui.paging import page_count, range_text
from ui.view_url import DEFAULTS, PAGE, PAGE_SIZE, SORT, STATUSES, parse_view, view_params

STORES = {"demo-woo", "demo-shopify"}


def test_every_view_value_survives_the_url():
    params = {
        "q": ["TEL-14"],
        "status": ["in_transit", "exception"],
        "store": ["demo-woo"],
        "courier": ["postnord", "bring"],
        "created": ["7d"],
        "action": ["1"],
        "sort": ["eta"],
        "order": ["asc"],
        "page": ["4"],
        "size": ["100"],
    }
    values, problems = parse_view(params, STORES)
    assert problems == []
    assert values[STATUSES] == [Status.IN_TRANSIT, Status.EXCEPTION] and values[SORT] == "estimated_delivery"
    assert (values[PAGE], values[PAGE_SIZE]) == (4, 100)
    assert view_params(values) == params


def test_the_default_view_is_a_bare_url():
    assert view_params(DEFAULTS) == {}
    assert view_params({}) == {}


def test_each_bad_value_is_named_and_the_rest_kept():
    values, problems = parse_view(
        {
            "status": ["lost", "pending", "pending"],
            "store": ["nope"],
            "courier": ["pigeon"],
            "created": ["yesterday"],
            "action": ["yes"],
            "sort": ["password"],
            "order": ["up"],
            "page": ["0"],
            "size": ["7"],
            "q": ["x" * 201],
        },
        STORES,
    )
    assert values[STATUSES] == [Status.PENDING]  # duplicates once, the unknown one left out
    assert values[PAGE] == 1 and values[PAGE_SIZE] == 50
    text = "\n".join(problems)
    for named in ("'lost'", "'nope'", "'pigeon'", "'yesterday'", "'yes'", "'password'", "'up'", "'0'", "'7'", "201"):
        assert named in text
    assert len(problems) == 10


def test_page_numbers_are_plain_digits():
    for given in ("²", "٣", "-1", "1e3", " 2"):
        values, problems = parse_view({"page": [given]}, STORES)
        assert values[PAGE] == 1 and problems


def _page(total: int, offset: int, rows: int, estimate: bool = False) -> OrderPage:
    return OrderPage([object()] * rows, total, estimate, offset, 50)


def test_range_text_says_what_is_shown_of_how_many():
    assert range_text(_page(1234, 0, 50)) == "1-50 of 1,234 orders"
    assert range_text(_page(1234, 1200, 34)) == "1,201-1,234 of 1,234 orders"
    assert range_text(_page(1, 0, 1)) == "1 of 1 order"
    assert range_text(_page(51, 50, 1)) == "51 of 51 orders"
    assert range_text(_page(1_000_000, 0, 50, estimate=True)) == "1-50 of ≈ 1,000,000 orders (estimate)"
    assert range_text(_page(0, 0, 0)) == "No orders match these filters"
    assert (page_count(0, 50), page_count(50, 50), page_count(51, 50)) == (1, 1, 2)


def test_every_offered_sort_has_a_label():
    from perfile_core.services.order_filters import SORTABLE
    from ui.filters import SORT_LABELS

    assert list(SORT_LABELS) == list(SORTABLE)
