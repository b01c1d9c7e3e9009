"""The production dashboard as docs/DEPLOY.md runs it, in one flow: two replicas behind nginx
(deploy/nginx/dashboard.conf.template rendered by scripts/render_proxy_conf.py) with OIDC login
(the test provider, tests/browser/oidc_provider.py) and sticky sessions.

Chromium reaches the proxy by a host name, `perfile.test` (mapped to 127.0.0.1 inside the
browser), as a real deployment is reached: Streamlit lets the loopback names through its
websocket origin check whatever the proxy says, a public name only when the proxy passes the
browser's Host on. Both replicas read one secrets file: [auth] with the redirect_uri at the
proxy's public address, the one cookie_secret that signs the identity cookie, and [roles].
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.login_setup import auth_secrets_file, seeded_order
from tests.browser.oidc_provider import Client, Provider, serve_provider
from tests.browser.operator_stack import VIEWPORT, action_bar_text, checked_orders, drawn_rows, select_rows
from tests.browser.servers import CHROMIUM, CHROMIUM_ARGS, free_port, require_chromium, serve_dashboard
from tests.browser.test_hostile_text_in_chromium import shown_text, wait_for_app_run
from tests.deploy.replicas import served, stop_replica
from tests.receiver.live_servers import nginx_proxy

pytestmark = [pytest.mark.browser, pytest.mark.live]
PUBLIC_HOST = "perfile.test"
OPERATOR = "olle.operator@perfile.se"
STRANGER = "eve@elsewhere.example"
CUSTOMER = "Ingrid Proxy-Test"


@dataclass
class Deployment:
    url: str  # the proxy, as the browser reaches it
    provider: Provider
    replicas: list[str]  # host:port of each streamlit
    proxy_dir: Path  # nginx's logs
    order_number: str


@pytest.fixture
def deployment(sqlite_url: str, tmp_path: Path) -> Iterator[Deployment]:
    require_chromium()
    _, number = seeded_order(sqlite_url, CUSTOMER)
    proxy_port = free_port()
    public = f"http://{PUBLIC_HOST}:{proxy_port}"
    client = Client("perfile-dashboard", secrets.token_urlsafe(24), f"{public}/oauth2callback")
    with serve_provider(client) as provider:
        secrets_file = auth_secrets_file(tmp_path, client, provider, {OPERATOR: "operator"})
        options = {"secrets.files": str(secrets_file)}
        shared = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(48)}  # as deploy/production.env
        with (
            serve_dashboard(sqlite_url, tmp_path / "dashboard-1.log", options=options, extra_env=shared) as first,
            serve_dashboard(sqlite_url, tmp_path / "dashboard-2.log", options=options, extra_env=shared) as second,
        ):
            replicas = [url.removeprefix("http://") for url in (first, second)]
            proxy_dir = tmp_path / "nginx"
            with nginx_proxy(proxy_port, ",".join(replicas), proxy_dir, client_timeout=10, template="dashboard"):
                yield Deployment(public, provider, replicas, proxy_dir, number)


def _browser_args() -> list[str]:
    return [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {PUBLIC_HOST} 127.0.0.1"]


def _log_in(page, deployment: Deployment, email: str) -> float:  # type: ignore[no-untyped-def]
    """From the login page through the provider's form and back through the proxy; the seconds it took."""
    from playwright.sync_api import expect

    started = time.monotonic()
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{deployment.provider.issuer}/authorize?*", timeout=30_000)
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{deployment.url}/**", timeout=30_000)
    expect(page.get_by_text(re.compile("Signed in as|No access"))).to_be_visible(timeout=30_000)
    wait_for_app_run(page)
    return time.monotonic() - started


def _signed_in_orders(page) -> None:  # type: ignore[no-untyped-def]
    """The Orders page of a signed-in operator, its grid drawn."""
    from playwright.sync_api import expect

    expect(page.get_by_text(re.compile(r"of \d+ orders"))).to_be_visible(timeout=30_000)
    wait_for_app_run(page)
    signed_in = f"Signed in as Olle Operator · {OPERATOR} (operator)"
    deadline = time.monotonic() + 15
    while signed_in not in (sidebar := shown_text(page, "[data-testid=stSidebar]")) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert signed_in in sidebar, sidebar
    assert page.get_by_role("button", name="Log out").count() == 1
    assert drawn_rows(page)


def _operator_selects(page, number: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    select_rows(page, [number])
    expect(page.locator("[class*='st-key-action_bar_']")).to_contain_text(number, timeout=15_000)
    bar = action_bar_text(page)
    for label in ("Book shipment", "Edit order", "Delete order"):
        assert label in bar, bar


def test_login_through_the_proxy_stays_on_one_replica_and_survives_its_stop(deployment: Deployment) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=_browser_args())
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(deployment.url)
        expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
        wait_for_app_run(page)

        # Log in through the proxy: st.login's redirect, the provider's form, /oauth2callback, the websocket.
        login_seconds = _log_in(page, deployment, OPERATOR)
        _signed_in_orders(page)
        expect(page.get_by_role("button", name="New order")).to_be_visible()
        _operator_selects(page, deployment.order_number)

        # Sticky: every request of this browser so far, the OAuth callback included, went to one replica.
        before_stop = served(deployment.proxy_dir)
        assert any(item.path == "/oauth2callback" and item.status == 302 for item in before_stop), before_stop
        chosen = {item.upstream for item in before_stop}
        assert len(chosen) == 1 and chosen <= set(deployment.replicas), before_stop
        (sticky,) = chosen
        (other,) = set(deployment.replicas) - chosen

        # That replica stops: the browser reconnects through the proxy to the other one, still logged in.
        stopped_at = time.monotonic()
        stop_replica(sticky)
        stopped_seconds = time.monotonic() - stopped_at
        deadline = time.monotonic() + 30
        while not any(item.upstream == other for item in served(deployment.proxy_dir)[len(before_stop) :]):
            assert time.monotonic() < deadline, "the browser did not come back through the other replica"
            page.wait_for_timeout(100)
        wait_for_app_run(page)
        _signed_in_orders(page)
        switch_seconds = time.monotonic() - stopped_at
        assert checked_orders(page) == []  # a fresh session: the selection lived in the stopped replica
        _operator_selects(page, deployment.order_number)  # and its websocket works for an operator
        assert page.get_by_role("button", name="Log in").count() == 0
        assert deployment.provider.logins == [OPERATOR]  # no second login

        after_stop = served(deployment.proxy_dir)[len(before_stop) :]
        # A websocket is logged when it closes: the session's one, upgraded (101) through the proxy to the
        # stopped replica. Everything else since came from the other replica.
        streams = [(item.upstream, item.status) for item in after_stop if item.path == "/_stcore/stream"]
        assert streams[:1] == [(sticky, 101)], after_stop
        assert {item.upstream for item in after_stop if item.path != "/_stcore/stream"} == {other}, after_stop

        # An address with no role is refused through the proxy too.
        stranger = browser.new_page(viewport=VIEWPORT)  # a fresh context: no identity cookie
        stranger.goto(deployment.url)
        expect(stranger.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
        wait_for_app_run(stranger)
        _log_in(stranger, deployment, STRANGER)
        expect(stranger.get_by_role("heading", name="No access")).to_be_visible()
        assert STRANGER in shown_text(stranger)
        assert stranger.get_by_test_id("stDataFrame").count() == 0
        browser.close()

    assert deployment.provider.logins == [OPERATOR, STRANGER]
    print(
        f"\nlogin through the proxy {login_seconds:.1f} s; the replica took {stopped_seconds:.1f} s to stop; "
        f"signed in on the other one {switch_seconds:.1f} s after SIGTERM, "
        f"{switch_seconds - stopped_seconds:.1f} s after the replica was gone"
    )
