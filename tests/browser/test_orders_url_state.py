"""The Orders view lives in the URL: search, status and store filters, sort and page survive a reload
in a real browser.

Starts the real dashboard (streamlit) on a free loopback port against a seeded SQLite
database and drives Debian's headless Chromium with Playwright.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from perfile_core.db.engine import make_engine
from perfile_core.domain.status import STATUS_LABELS, Status
from perfile_core.services.demo_data import DEMO_STORES
from perfile_core.services.order_filters import OrderFilter
from perfile_core.services.queries import list_orders
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN
from tests.browser.operator_stack import VIEWPORT, drawn_rows, grid_rows
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve_dashboard
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run

pytestmark = [pytest.mark.browser]
ORDERS = 130
STORE = "demo-manual"  # "Telephone orders", TEL-...
STORE_NAME = next(store["name"] for store in DEMO_STORES if store["key"] == STORE)


@pytest.fixture
def dashboard(sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    require_chromium()
    engine = make_engine(sqlite_url)
    seed_demo(engine, orders_count=ORDERS, seed=9, actor=ADMIN)
    engine.dispose()
    with serve_dashboard(sqlite_url, tmp_path / "streamlit.log", refresh_seconds=30) as url:
        yield url


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _first_numbers(page, wanted: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The order numbers of the grid's first ten rows, once they are `wanted` (the grid draws what
    is in view, and its accessible table follows the canvas a moment after the caption)."""
    from playwright.sync_api import expect

    expect(page.locator("[data-testid=stDataFrame] [role=row]").nth(10)).to_be_attached(timeout=15_000)
    deadline = time.monotonic() + 15
    while True:
        numbers = [cells[1] for _, cells in grid_rows(page)[:10]]
        if numbers == wanted or time.monotonic() > deadline:
            return numbers
        page.wait_for_timeout(200)


def test_filters_sort_and_page_survive_a_reload(dashboard, sqlite_url: str, tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    engine = make_engine(sqlite_url)  # page 3, oldest first: what the grid must show before and after
    third_page = list_orders(engine, OrderFilter(descending=False), limit=50, offset=100).orders
    engine.dispose()
    rows = [order.order_number for order in third_page[:10]]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(dashboard)
        expect(page.get_by_text(re.compile(rf"^1-50 of {ORDERS} orders"))).to_be_visible(timeout=30_000)

        expect(page.get_by_test_id("stPaginationPrev")).to_be_disabled()  # nothing newer than page 1
        expect(page.get_by_test_id("stPaginationNext")).to_be_enabled()
        page.get_by_text("Newest / highest first").click()  # oldest first
        wait_for_app_run(page)
        page.get_by_test_id("stPagination").get_by_text("3", exact=True).click()
        expect(page.get_by_text(re.compile(rf"^101-{ORDERS} of {ORDERS} orders"))).to_be_visible(timeout=15_000)
        wait_for_app_run(page)
        expect(page.get_by_test_id("stPaginationNext")).to_be_disabled()  # the last page: nothing older
        assert _params(page.url) == {"order": ["asc"], "page": ["3"]}
        assert _first_numbers(page, rows) == rows

        page.reload()  # a new session: the view comes back from the URL
        expect(page.get_by_text(re.compile(rf"^101-{ORDERS} of {ORDERS} orders"))).to_be_visible(timeout=30_000)
        wait_for_app_run(page)
        expect(page.get_by_role("switch", name="Newest / highest first")).not_to_be_checked()
        assert _first_numbers(page, rows) == rows  # the same orders in the same order

        search = page.get_by_role("textbox", name="Search", exact=True)
        search.fill("tel-1")
        search.press("Enter")
        expect(page.get_by_text(re.compile(r"^1-\d+ of \d+ orders"))).to_be_visible(timeout=15_000)
        wait_for_app_run(page)
        assert _params(page.url) == {"q": ["tel-1"], "order": ["asc"]}  # a new filter starts at page 1
        caption = page.get_by_text(re.compile(r"^1-\d+ of \d+ orders")).inner_text()

        page.reload()
        expect(page.get_by_text(caption)).to_be_visible(timeout=30_000)
        expect(page.get_by_role("textbox", name="Search", exact=True)).to_have_value("tel-1")
        page.screenshot(path=str(tmp_path / "orders-url-state.png"))
        browser.close()


def _choose(page, key: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick `option` in the sidebar multiselect with widget key `key`, as an operator does."""
    page.locator(f".st-key-{key}").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")  # close the list
    wait_for_app_run(page)


def test_status_and_store_filters_survive_a_reload(dashboard, sqlite_url: str, tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    statuses = (Status.PICKED_UP, Status.READY_FOR_PICKUP)
    engine = make_engine(sqlite_url)
    chosen = list_orders(engine, OrderFilter(statuses=statuses, store_keys=(STORE,))).orders
    others = list_orders(engine, OrderFilter(store_keys=(STORE,))).orders
    engine.dispose()
    wanted = sorted(order.order_number for order in chosen)
    assert 2 <= len(wanted) <= 10 < len(others)  # all in view without scrolling; the filter leaves most out
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(dashboard)
        expect(page.get_by_text(re.compile(rf"^1-50 of {ORDERS} orders"))).to_be_visible(timeout=30_000)
        page.get_by_test_id("stPagination").get_by_text("2", exact=True).click()  # the filters go back to page 1
        wait_for_app_run(page)
        for status in statuses:
            _choose(page, "f_status", STATUS_LABELS[status])
        _choose(page, "f_store", STORE_NAME)
        caption = f"1-{len(wanted)} of {len(wanted)} orders"
        expect(page.get_by_text(caption)).to_be_visible(timeout=15_000)
        assert _params(page.url) == {"status": [s.value for s in statuses], "store": [STORE]}
        _assert_only_matching(_shown(page, wanted), wanted, statuses)

        page.reload()  # a new session: the filters come back from the URL
        expect(page.get_by_text(caption)).to_be_visible(timeout=30_000)
        wait_for_app_run(page)
        for status in statuses:
            expect(page.locator(".st-key-f_status")).to_contain_text(STATUS_LABELS[status])
        expect(page.locator(".st-key-f_store")).to_contain_text(STORE_NAME)
        assert _params(page.url) == {"status": [s.value for s in statuses], "store": [STORE]}
        _assert_only_matching(_shown(page, wanted), wanted, statuses)  # only the matching orders
        page.screenshot(path=str(tmp_path / "orders-url-filters.png"))
        browser.close()


def _assert_only_matching(rows: list[tuple[str, str, str]], wanted: list[str], statuses: tuple[Status, ...]) -> None:
    assert [number for number, _, _ in rows] == wanted, rows
    assert {tag for _, tag, _ in rows} <= {STATUS_LABELS[status] for status in statuses}, rows
    assert {store for _, _, store in rows} == {STORE_NAME}, rows


def _shown(page, wanted: list[str]) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """The grid's rows as (order number, status tag, store), once it shows the `wanted` orders
    (its accessible table follows the canvas a moment after the caption)."""
    deadline = time.monotonic() + 15
    while True:
        rows = sorted((cells[1], cells[0], cells[4]) for cells in drawn_rows(page))
        if [row[0] for row in rows] == wanted or time.monotonic() > deadline:
            return rows
        page.wait_for_timeout(200)
