"""The Orders table at 1600x1000 in Chromium: every default column fits beside the filters, and
with more columns chosen the grid scrolls while the pinned indicator, status and order number stay
where they are (the pixels of the pinned part do not move; the rest does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from perfile_core.db.engine import make_engine
from perfile_core.services.seed import seed_demo
from tests.actors import ADMIN
from tests.browser.operator_stack import VIEWPORT, drawn_rows
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve_dashboard
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from ui.orders_frame import WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.live]
ROW_MARKERS = 32  # the checkbox column Streamlit adds for row selection
PINNED_WIDTH = ROW_MARKERS + WIDTHS["signal"] + WIDTHS["status"] + WIDTHS["order_number"]


@pytest.fixture
def dashboard(sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    require_chromium()
    engine = make_engine(sqlite_url)
    seed_demo(engine, orders_count=40, seed=4, actor=ADMIN)
    engine.dispose()
    # A slow tick: the pixels compared below must not be redrawn by a refresh in between.
    with serve_dashboard(sqlite_url, tmp_path / "streamlit.log", refresh_seconds=60) as url:
        yield url


def test_status_stays_in_view_when_the_grid_scrolls_right(dashboard: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(dashboard)
        expect(page.get_by_text("of 40 orders")).to_be_visible(timeout=30_000)
        wait_for_app_run(page)
        scroller = page.locator("[data-testid='stDataFrame'] .dvn-scroller")
        widths = scroller.evaluate("grid => [grid.scrollWidth, grid.clientWidth]")
        assert widths[0] <= widths[1], widths  # the default columns fit
        assert drawn_rows(page)  # the grid is filled

        # Two more columns than fit: the grid scrolls.
        page.get_by_text("Table columns").click()
        for name in ("Customer", "Updated"):
            page.locator(".st-key-_table_columns").get_by_role("button", name=name).click()
            wait_for_app_run(page)
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)
        assert scroller.evaluate("grid => grid.scrollWidth > grid.clientWidth + 100")

        grid = page.get_by_test_id("stDataFrame").bounding_box()
        assert grid is not None
        page.mouse.move(0, 0)  # no hover highlight in the pictures
        pinned = {"x": grid["x"], "y": grid["y"], "width": PINNED_WIDTH - 2, "height": min(grid["height"], 400)}
        rest = {**pinned, "x": grid["x"] + PINNED_WIDTH + 2, "width": 300}
        before = page.screenshot(clip=pinned), page.screenshot(clip=rest)
        scroller.evaluate("grid => { grid.scrollLeft = grid.scrollWidth }")
        page.wait_for_timeout(800)
        assert scroller.evaluate("grid => grid.scrollLeft > 100")
        after = page.screenshot(clip=pinned), page.screenshot(clip=rest)
        assert before[0] == after[0], "the pinned indicator, status and order number moved"
        assert before[1] != after[1], "the columns beside them did not scroll"
        page.screenshot(path=str(tmp_path / "orders-scrolled.png"))
        browser.close()
