"""The Orders table at 1600x1000 in Chromium, on make-run data (300 seeded orders and the
simulator's live traffic through the receiver): every default column fits beside the filters
without scrolling, and each column is wide enough for its texts, measured in the page with the
grid's own font (the grid is a canvas: its column widths are ours, its texts are measured with
canvas measureText). At 1440 px the default columns fit once the sidebar is collapsed. With more
columns chosen the grid scrolls while the pinned indicator, status and order number stay where
they are (the pixels of the pinned part do not move; the rest does).

With PERFILE_UPDATE_SCREENSHOTS=1 it writes docs/screenshots/orders.png (1600x1000).
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from perfile_core.db.engine import make_engine
from perfile_core.domain.couriers import COURIER_NAMES
from perfile_core.services.demo_data import DEMO_STORES, STEP_DESCRIPTIONS
from perfile_core.services.seed import seed_demo
from perfile_core.services.webhook_simulator import STORE_NAMES, Simulation, ensure_sources
from tests.actors import ADMIN
from tests.browser.operator_stack import VIEWPORT, drawn_rows, screenshot_path
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve_dashboard, serve_receiver
from tests.browser.test_hostile_text_in_chromium import wait_for_app_run
from ui.orders_frame import DEFAULT_COLUMNS, STATUS_TAG_COLORS, WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.live]
ROW_MARKERS = 32  # the checkbox column Streamlit adds for row selection
PINNED_WIDTH = ROW_MARKERS + WIDTHS["signal"] + WIDTHS["status"] + WIDTHS["order_number"]
# drawn_rows' cells, from Status on
STATUS, ORDER, TRACKING, STORE, COURIER, LATEST, ETA = 0, 1, 2, 4, 5, 6, 7
# What the courier says on the main line and most often: readable beside the oldest short age.
COMMON_SCANS = [STEP_DESCRIPTIONS[step] for step in ("confirmed", "picked_up", "in_transit", "out_for_delivery")]
COMMON_SCANS += [STEP_DESCRIPTIONS["delivered"], STEP_DESCRIPTIONS["delayed"]]

MEASURE = """async (texts) => {
  await document.fonts.ready;
  const grid = getComputedStyle(document.querySelector('[data-testid=stDataFrame] .stDataFrameGlideDataEditor'));
  const theme = name => grid.getPropertyValue(name).trim();
  const font = `${theme('--gdg-base-font-style')} ${theme('--gdg-font-family')}`;
  const context = document.createElement('canvas').getContext('2d');
  context.font = font;
  return {
    loaded: document.fonts.check(font),  // the grid's font itself, not a fallback
    padding: parseFloat(theme('--gdg-cell-horizontal-padding')),
    bubble: parseFloat(theme('--gdg-bubble-padding')),
    widths: texts.map(text => context.measureText(text).width),
  };
}"""


@pytest.fixture(scope="module")
def dashboard(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make run`'s data: the 300-order demo seed, then the simulator's traffic for a while.
    One for the module: the tests only look."""
    require_chromium()
    tmp_path = tmp_path_factory.mktemp("orders-columns")
    shutil.copy(sqlite_template, tmp_path / "perfile.db")
    sqlite_url = f"sqlite:///{tmp_path / 'perfile.db'}"
    engine = make_engine(sqlite_url)
    seed_demo(engine, orders_count=300, seed=4, actor=ADMIN)
    simulation = Simulation(ensure_sources(engine, actor=ADMIN), rng=random.Random(4))
    engine.dispose()
    with serve_receiver(sqlite_url, tmp_path / "gunicorn.log") as receiver, requests.Session() as session:
        for _ in range(40):
            for delivery in simulation.tick():
                answer = session.post(receiver + delivery.path, data=delivery.body, headers=delivery.headers)
                assert answer.status_code == 200, (delivery.label, answer.text)
            time.sleep(0.25)
    # A slow tick: the pixels compared below must not be redrawn by a refresh in between.
    with serve_dashboard(sqlite_url, tmp_path / "streamlit.log", refresh_seconds=60) as url:
        yield url


def open_orders(browser, url: str, width: int = 1600):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page(viewport={**VIEWPORT, "width": width})
    # Twice: the first session after a start draws the sidebar (from pages/) before the page
    # config names its width (app.SIDEBAR_WIDTH); every later one, as operators see it, has it.
    for _ in range(2):
        page.goto(url)
        expect(page.get_by_text("of 3", exact=False).first).to_be_visible(timeout=30_000)
        wait_for_app_run(page)
    assert drawn_rows(page)  # the grid is filled
    return page


def grid_widths(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    scroller = page.locator("[data-testid='stDataFrame'] .dvn-scroller")
    return tuple(scroller.evaluate("grid => [grid.scrollWidth, grid.clientWidth]"))


def too_narrow(page, column: str, texts: list[str], *, tag: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts that a cell of `column` (at the Standard width) would cut."""
    measured = page.evaluate(MEASURE, texts)
    assert measured["loaded"] and measured["padding"] > 0, measured
    extra = 2 * measured["padding"] + (2 * measured["bubble"] if tag else 0)
    return [text for text, width in zip(texts, measured["widths"], strict=True) if width + extra > WIDTHS[column]]


def test_default_columns_fit_1600_px_and_every_text_fits_its_column(dashboard: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_orders(browser, dashboard)
        page.mouse.move(VIEWPORT["width"] // 2, 10)  # off the grid and the sidebar: no hover marks
        page.screenshot(path=screenshot_path("orders.png", tmp_path))
        total, visible = grid_widths(page)
        assert ROW_MARKERS + sum(WIDTHS[name] for name in DEFAULT_COLUMNS) <= visible  # a spare pixel is shared out
        assert total <= visible, (total, visible)  # every default column beside the filters, no scrolling

        rows = drawn_rows(page)
        shown = {index: sorted({cells[index] for cells in rows}) for index in (STATUS, ORDER, TRACKING, STORE, COURIER)}
        assert "Simulated Shopify shop" in shown[STORE] and "—" in shown[COURIER]  # live traffic, an unbooked order
        store_names = [store["name"] for store in DEMO_STORES] + list(STORE_NAMES.values())
        assert too_narrow(page, "store", [*store_names, *shown[STORE]]) == []
        assert too_narrow(page, "status", [*STATUS_TAG_COLORS, *shown[STATUS]], tag=True) == []
        assert too_narrow(page, "order_number", [*shown[ORDER], "#SIM04757"]) == []
        assert too_narrow(page, "tracking", [*shown[TRACKING], "00373500450000002410"]) == []
        assert too_narrow(page, "courier", [*COURIER_NAMES.values(), *shown[COURIER]]) == []
        etas = sorted({cells[ETA] for cells in rows if cells[ETA]} | {"in 12 days", "2 days late"})
        assert too_narrow(page, "eta", etas, tag=True) == []
        assert too_narrow(page, "created", ["29 Nov 23:59"]) == []
        # The latest event: its age and the courier's words; only the place may be cut.
        assert too_narrow(page, "latest_event", [f"47h ago · {scan}" for scan in COMMON_SCANS]) == []
        events = [cells[LATEST] for cells in rows if cells[LATEST]]
        assert events and all(event.split(" · ")[0].endswith(("ago", "now")) for event in events), events
        assert "None" not in {cell for cells in rows for cell in cells}
        browser.close()


def test_at_1440_px_the_default_columns_fit_with_the_sidebar_collapsed(dashboard: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_orders(browser, dashboard, width=1440)
        total, visible = grid_widths(page)
        assert total > visible  # beside the sidebar the grid scrolls (its pinned part stays: below)
        page.get_by_test_id("stSidebar").hover()
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.wait_for_timeout(800)
        total, visible = grid_widths(page)
        assert total <= visible, (total, visible)
        browser.close()


def test_status_stays_in_view_when_the_grid_scrolls_right(dashboard: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_orders(browser, dashboard)
        scroller = page.locator("[data-testid='stDataFrame'] .dvn-scroller")

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
