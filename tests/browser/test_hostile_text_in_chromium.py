"""Hostile text planted through the running receiver is text in a real browser.

gunicorn (receiver) and streamlit (dashboard) run on loopback against one SQLite database;
the payloads of tests/receiver/hostile_text.py arrive over HTTP, then headless Chromium opens the
Order page and the Orders page (with a live toast) and looks for anything the text could have
done: a redirect, an injected element, a fetch from another host.
With PERFILE_UPDATE_SCREENSHOTS=1 it writes docs/screenshots/order-hostile-text.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests

from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, ROOT, serve_stack
from tests.receiver.hostile_text import (
    SHOWCASE_CUSTOMER,
    SHOWCASE_NUMBER,
    SHOWCASE_ORDER,
    T0,
    http_poster,
    plant,
    plant_showcase,
    send_sandbox_event,
)

pytestmark = [pytest.mark.browser, pytest.mark.live]
SCREENSHOT = ROOT / "docs" / "screenshots" / "order-hostile-text.png"
LOOPBACK = frozenset({"127.0.0.1", "localhost"})
# Elements only the payloads could have made.
INJECTED = (
    "meta[http-equiv]",
    "input[type=password]",
    "form:has(input)",
    "[style*='position:fixed;inset:0']",  # the attribute as the payload wrote it
    "img[src*='evil']",
    "a[href*='evil']",
    "a[href*='elsewhere' i]",
)


@pytest.fixture
def stack(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with serve_stack(sqlite_url, tmp_path) as (receiver, dashboard):
        yield receiver, dashboard


def wait_for_app_run(page) -> None:  # type: ignore[no-untyped-def]
    """As Streamlit's own e2e suite waits for a script run to finish."""
    page.wait_for_timeout(210)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(state="attached")
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached")


def assert_nothing_injected(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(4000)  # twice the planted meta refresh's delay
    assert page.url == url, "the page navigated away"
    for selector in INJECTED:
        assert page.locator(selector).count() == 0, selector
    styles = page.eval_on_selector_all("style", "els => els.map(e => e.textContent)")
    assert not [text for text in styles if "display:none" in text.replace(" ", "")]
    assert page.get_by_text("fake", exact=True).count() == 0  # the fake screen's own element
    assert page.evaluate("getComputedStyle(document.body).display") != "none"
    assert page.locator("[data-testid=stMain]").is_visible()


def shown_text(page, selector: str = "[data-testid=stMain]") -> str:  # type: ignore[no-untyped-def]
    return page.locator(selector).inner_text().replace("\u2060", "")  # word joiners stop autolinks


def test_hostile_text_is_shown_as_text_in_chromium(stack: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    receiver, dashboard = stack
    with requests.Session() as session:
        post = http_poster(receiver, session)
        plant(post)
        showcase = plant_showcase(post)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))

            # A shared link straight to the order.
            order_url = f"{dashboard}/Order?order={quote(SHOWCASE_ORDER)}"
            page.goto(order_url)
            expect(page.get_by_text("Timeline")).to_be_visible(timeout=30_000)
            wait_for_app_run(page)
            assert_nothing_injected(page, order_url)
            seen = shown_text(page)
            for payload in showcase.texts:
                assert payload in seen, payload

            # The orders table, live: a toast names the hostile customer.
            page.goto(dashboard)
            expect(page.get_by_text(re.compile(r"of \d+ orders"))).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1500)  # the first tick records the starting cursor
            send_sandbox_event(post, SHOWCASE_NUMBER, "delivered", T0 + timedelta(hours=3))
            expect(page.get_by_test_id("stToast").filter(has_text=SHOWCASE_ORDER)).to_be_visible(timeout=15_000)
            toasts = [text.replace("\u2060", "") for text in page.get_by_test_id("stToast").all_inner_texts()]
            assert any(SHOWCASE_CUSTOMER in text for text in toasts), toasts
            assert_nothing_injected(page, page.url)
            # Found by its number, selected: the quick actions name the customer.
            search = page.get_by_role("textbox", name="Search", exact=True)
            search.fill(SHOWCASE_ORDER)
            search.press("Enter")
            expect(page.get_by_text(re.compile(r"^1 of 1 order\b"))).to_be_visible(timeout=15_000)
            grid = page.get_by_test_id("stDataFrame").bounding_box()
            assert grid is not None
            page.mouse.click(grid["x"] + 15, grid["y"] + 35 + 17)
            expect(page.get_by_text("Open order")).to_be_visible(timeout=15_000)
            assert SHOWCASE_CUSTOMER in shown_text(page)
            page.screenshot(path=str(tmp_path / "orders-hostile-text.png"))

            # The Order page reached from the navigation, as an operator does it.
            page.get_by_test_id("stSidebarNav").get_by_text("Order", exact=True).click()
            reference = page.get_by_role("textbox", name="Order", exact=True)
            reference.fill(SHOWCASE_ORDER)
            reference.press("Enter")
            expect(page.get_by_text("Timeline")).to_be_visible(timeout=30_000)
            wait_for_app_run(page)
            assert_nothing_injected(page, page.url)
            seen = shown_text(page)
            assert all(payload in seen for payload in showcase.texts)
            shot = SCREENSHOT if os.environ.get("PERFILE_UPDATE_SCREENSHOTS") else tmp_path / SCREENSHOT.name
            page.screenshot(path=str(shot))
            browser.close()
    elsewhere = sorted({url for url in requested if urlsplit(url).hostname not in LOOPBACK})
    assert elsewhere == [], elsewhere
