"""Login with a real OpenID Connect flow, end to end in Debian's Chromium on loopback.

The test identity provider (tests/browser/oidc_provider.py) and the dashboard (streamlit, app.py)
run on free 127.0.0.1 ports; the dashboard reads an [auth] section and a [roles] section from a
secrets file in a temp dir (`--secrets.files`), never from the repository. Chromium goes through
st.login's whole flow: the login page, the provider's form, the code and state back to
/oauth2callback, the token exchange with PKCE and the RS256 id_token checked against /jwks.

With PERFILE_UPDATE_SCREENSHOTS=1 it writes docs/screenshots/login.png (1600x1000).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.login_setup import auth_secrets_file, seeded_order
from tests.browser.oidc_provider import Client, Provider, serve_provider
from tests.browser.operator_stack import VIEWPORT, action_bar_text, screenshot_path, select_rows
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, free_port, require_chromium, serve_dashboard
from tests.browser.test_hostile_text_in_chromium import shown_text, wait_for_app_run

pytestmark = [pytest.mark.browser, pytest.mark.live]
OPERATOR = "olle.operator@perfile.se"
ANALYST = "kari@partner-analytics.example"  # by its domain
STRANGER = "eve@elsewhere.example"
WRITE_BUTTONS = ("Book shipment", "Send notification", "File claim", "Edit order", "Cancel booking", "Delete order")
CUSTOMER = "Ingrid Login-Test"


@dataclass
class Stack:
    url: str
    provider: Provider
    order_id: int
    order_number: str


@pytest.fixture
def stack(sqlite_url: str, tmp_path: Path) -> Iterator[Stack]:
    require_chromium()
    order_id, number = seeded_order(sqlite_url, CUSTOMER)
    port = free_port()
    dashboard = f"http://127.0.0.1:{port}"
    client = Client("perfile-dashboard", secrets.token_urlsafe(24), f"{dashboard}/oauth2callback")
    with serve_provider(client) as provider:
        secrets_file = auth_secrets_file(
            tmp_path, client, provider, {OPERATOR: "operator", "partner-analytics.example": "analyst"}
        )
        with serve_dashboard(
            sqlite_url, tmp_path / "streamlit.log", port=port, options={"secrets.files": str(secrets_file)}
        ) as url:
            yield Stack(url=url, provider=provider, order_id=order_id, order_number=number)


def _log_in(page, stack: Stack, email: str) -> None:  # type: ignore[no-untyped-def]
    """From the dashboard's login page through the provider's form and back."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{stack.provider.issuer}/authorize?*", timeout=30_000)
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{stack.url}/**", timeout=30_000)
    expect(page.get_by_text(re.compile("Signed in as|No access"))).to_be_visible(timeout=30_000)
    wait_for_app_run(page)


def _log_out(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
    wait_for_app_run(page)


def test_login_roles_and_logout_through_a_real_oidc_provider(stack: Stack, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)

        # Before login: a shared deep link to the order shows the login page, nothing of the order.
        page.goto(f"{stack.url}/Order?order={stack.order_id}")
        expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
        wait_for_app_run(page)
        seen = shown_text(page, "[data-testid=stApp]")
        assert stack.order_number not in seen and CUSTOMER not in seen and "Timeline" not in seen
        assert page.get_by_test_id("stDataFrame").count() == 0
        # This first run of the process served pages/1_Order.py itself (Streamlit's old-style multipage
        # app, before any run called st.navigation): its gate (ui/page_gate.py) handed it back to app.py,
        # which showed the login page, before any read.
        page.goto(stack.url)
        expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
        wait_for_app_run(page)
        page.screenshot(path=screenshot_path("login.png", tmp_path))

        # An operator: back on Orders, signed in with their role, the write buttons for a selected row.
        _log_in(page, stack, OPERATOR)
        sidebar = shown_text(page, "[data-testid=stSidebar]")
        assert f"Signed in as Olle Operator · {OPERATOR} (operator)" in sidebar, sidebar
        expect(page.get_by_text(re.compile(r"of \d+ orders"))).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="New order")).to_be_visible()
        select_rows(page, [stack.order_number])
        expect(page.locator("[class*='st-key-action_bar_']")).to_contain_text(stack.order_number, timeout=15_000)
        bar = action_bar_text(page)
        for label in ("Book shipment", "Edit order", "Delete order"):
            assert label in bar, bar

        _log_out(page)
        assert page.get_by_test_id("stDataFrame").count() == 0

        # An analyst (by domain): reads the orders, no New order, no write buttons.
        _log_in(page, stack, ANALYST)
        assert "(analyst)" in shown_text(page, "[data-testid=stSidebar]")
        expect(page.get_by_text(re.compile(r"of \d+ orders"))).to_be_visible(timeout=30_000)
        assert page.get_by_role("button", name="New order").count() == 0
        select_rows(page, [stack.order_number])
        expect(page.locator("[class*='st-key-action_bar_']")).to_contain_text(stack.order_number, timeout=15_000)
        bar = action_bar_text(page)
        assert not [label for label in WRITE_BUTTONS if label in bar], bar
        _log_out(page)

        # An address with no role: "No access", no orders.
        _log_in(page, stack, STRANGER)
        expect(page.get_by_role("heading", name="No access")).to_be_visible()
        assert STRANGER in shown_text(page)
        assert page.get_by_test_id("stDataFrame").count() == 0
        browser.close()

    assert stack.provider.logins == [OPERATOR, ANALYST, STRANGER]  # each a real token exchange
