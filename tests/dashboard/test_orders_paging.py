"""The Orders page's pages, counts, search box and URL state (Streamlit AppTest, SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import AppTestError

from perfile_core.db.engine import make_engine
from perfile_core.domain.status import Status
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import list_orders
from tests.dashboard.conftest import serve_demo_orders

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "0_Orders.py")
ORDERS = 130


@pytest.fixture
def demo_db(sqlite_url, monkeypatch):
    yield from serve_demo_orders(sqlite_url, monkeypatch, orders=ORDERS)


def _orders(url: str, flt: OrderFilter) -> list:
    engine = make_engine(url)
    try:
        return list_orders(engine, flt, limit=1000).orders
    finally:
        engine.dispose()


def _run(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _range(at: AppTest) -> str:
    return at.caption[0].value.replace("\\", "").split(" · ")[0]  # the Markdown source, escaped


def _numbers(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["order_number"])


def test_pages_stop_at_both_ends_with_their_numbers(demo_db):
    at = _run()
    assert _range(at) == f"1-50 of {ORDERS} orders"
    pager = at.get("pagination")[0]
    assert (pager.value, pager.num_pages) == (1, 3)
    pager.set_value(3).run()
    assert _range(at) == f"101-{ORDERS} of {ORDERS} orders"
    assert len(at.dataframe[0].value) == ORDERS - 100
    pager = at.get("pagination")[0]
    assert (pager.value, pager.num_pages) == (3, 3)
    with pytest.raises(AppTestError):
        pager.set_value(4)  # there is no page past the last: the "next" arrow has nowhere to go
    assert at.query_params["page"] == "3"


def test_page_size_choice_and_the_first_page_after_a_filter_change(demo_db):
    at = _run()
    at.selectbox(key="orders_page_size").select(25).run()
    assert _range(at) == f"1-25 of {ORDERS} orders" and at.get("pagination")[0].num_pages == 6
    at.get("pagination")[0].set_value(6).run()
    assert _range(at) == f"126-{ORDERS} of {ORDERS} orders"
    at.sidebar.multiselect(key="f_status").select("pending").run()
    pending = len(_orders(demo_db, OrderFilter(statuses=(Status.PENDING,))))
    assert 0 < pending < 25
    assert _range(at) == f"1-{pending} of {pending} orders"  # not "126-150 of 15" and an empty table
    assert at.get("pagination")[0].value == 1 and len(at.dataframe[0].value) == pending
    assert not at.info  # back to page 1 by the change, not as a page past the end
    assert "page" not in at.query_params and at.query_params["status"] == "pending"
    at.sidebar.multiselect(key="f_status").unselect("pending").run()
    at.get("pagination")[0].set_value(4).run()
    assert _range(at) == f"76-100 of {ORDERS} orders"
    at.sidebar.selectbox(key="f_sort").select("customer_name").run()  # every order still listed
    assert at.get("pagination")[0].value == 1 and _range(at) == f"1-25 of {ORDERS} orders"


def test_the_url_holds_the_view_and_gives_it_back(demo_db):
    statuses = ["pending", "confirmed", "in_transit", "delivered"]
    params = {"status": statuses, "sort": "customer", "order": "asc", "size": "25", "page": "2"}
    at = _run(params)
    assert at.sidebar.multiselect(key="f_status").value == statuses
    assert at.sidebar.selectbox(key="f_sort").value == "customer_name"
    assert at.sidebar.toggle(key="f_desc").value is False
    expected = _orders(
        demo_db, OrderFilter(statuses=tuple(map(Status, statuses)), sort="customer_name", descending=False)
    )
    assert len(expected) > 50, "page 2 of 25 is a full page"
    assert _numbers(at) == [o.order_number for o in expected[25:50]]
    assert _range(at) == f"26-{min(50, len(expected))} of {len(expected)} orders"
    assert dict(at.query_params) == params  # written back as it came: nothing lost, nothing added
    again = _run(dict(at.query_params))  # the link shared, or the page reloaded
    assert _numbers(again) == _numbers(at) and _range(again) == _range(at)


def test_a_changed_view_is_written_to_the_url(demo_db):
    at = _run()
    at.sidebar.text_input(key="f_search").input("TEL-1").run()
    at.sidebar.toggle(key="f_needs_action").set_value(True).run()
    at.sidebar.selectbox(key="f_period").select("Last 30 days").run()
    assert dict(at.query_params) == {"q": "TEL-1", "action": "1", "created": "30d"}
    assert not at.warning


def test_bad_url_values_are_named_and_fall_back(demo_db):
    at = _run({"status": ["lost", "pending"], "page": "abc", "size": "7", "sort": "password", "store": "nope"})
    warning = at.warning[0].value
    for named in ("lost", "abc", "7", "password", "nope"):
        assert named in warning.replace("\\", "")
    assert at.sidebar.multiselect(key="f_status").value == ["pending"]  # what could be used, is
    assert at.sidebar.selectbox(key="f_sort").value == "created_at"
    assert _range(at).startswith("1-")
    assert dict(at.query_params) == {"status": "pending"}


def test_a_page_past_the_end_shows_the_last_page(demo_db):
    at = _run({"page": "99"})
    assert "Page 99 is past the end" in at.info[0].value
    assert _range(at) == f"101-{ORDERS} of {ORDERS} orders" and at.query_params["page"] == "3"


def test_search_box_finds_by_number_start_in_any_case_and_counts_one_order(demo_db):
    everything = _orders(demo_db, OrderFilter())
    tel = sorted(o.order_number for o in everything if o.order_number.startswith("TEL-10"))
    at = _run()
    at.sidebar.text_input(key="f_search").input("tel-10").run()
    assert sorted(_numbers(at)) == tel
    one = tel[0]
    at.sidebar.text_input(key="f_search").input(one.lower()).run()
    matching = [n for n in tel if n.lower().startswith(one.lower())]
    if len(matching) == 1:
        assert _range(at) == "1 of 1 order"
    name = everything[0].customer_name.split()[-1][1:4].upper()  # a piece of a surname, upper case
    at.sidebar.text_input(key="f_search").input(name).run()
    assert everything[0].order_number in _numbers(at)
    at.sidebar.text_input(key="f_search").input("50%").run()
    assert _range(at) == "No orders match these filters"
