"""The Orders view lives in the URL: filters, sort and page survive a reload in a real browser.

Starts the real dashboard (streamlit) on a free loopback port against a seeded SQLite
database and drives Debian's headless Chromium with Playwright.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from perfile_core.db.engine import make_engine
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN
from tests.browser.operator_stack import VIEWPORT, grid_rows
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve_dashboard
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run

pytestmark = [pytest.mark.browser]
ORDERS = 130


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


def _first_rows(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The order numbers and customers of the grid's first ten rows (the grid draws what is in view)."""
    from playwright.sync_api import expect

    expect(page.locator("[data-testid=stDataFrame] [role=row]").nth(10)).to_be_attached(timeout=15_000)
    return [cells[1:4] for _, cells in grid_rows(page)[:10]]


def test_filters_sort_and_page_survive_a_reload(dashboard, tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

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
        rows = _first_rows(page)

        page.reload()  # a new session: the view comes back from the URL
        expect(page.get_by_text(re.compile(rf"^101-{ORDERS} of {ORDERS} orders"))).to_be_visible(timeout=30_000)
        wait_for_app_run(page)
        expect(page.get_by_role("switch", name="Newest / highest first")).not_to_be_checked()
        assert _first_rows(page) == rows  # the same orders in the same order

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
