"""Local mode without a login: loopback only, a banner, a refusal elsewhere unless a setting
allows it; with a login configured, error details stay on the server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import serve_demo_orders
from tests.dashboard.dialog_helpers import plain
from ui.access_mode import ALLOW_SETTING, decide, is_loopback

ROOT = Path(__file__).resolve().parents[2]
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-only-for-this-test",
    "client_id": "perfile",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
}


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses(address: str) -> None:
    assert is_loopback(address)


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "192.0.2.7", "perfile.example.com"])
def test_other_addresses_are_not_loopback(address: str | None) -> None:
    assert not is_loopback(address)


def test_local_mode_refuses_every_interface_unless_allowed() -> None:
    assert decide("127.0.0.1", auth_configured=False, allow_remote=False).refusal is None
    refused = decide(None, auth_configured=False, allow_remote=False)
    assert refused.local and refused.refusal and "every interface" in refused.refusal
    assert ALLOW_SETTING in (decide("0.0.0.0", auth_configured=False, allow_remote=False).refusal or "")
    allowed = decide("0.0.0.0", auth_configured=False, allow_remote=True)
    assert allowed.local and allowed.refusal is None
    production = decide("0.0.0.0", auth_configured=True, allow_remote=False)
    assert not production.local and production.login_required and production.refusal is None


def test_local_mode_behind_a_proxy_counts_as_remote() -> None:
    """nginx on a public address in front of a dashboard on 127.0.0.1 is no longer this machine only."""
    refused = decide("127.0.0.1", auth_configured=False, allow_remote=False, proxied=True)
    assert refused.remote and refused.refusal and "reached through a proxy" in refused.refusal
    assert decide("127.0.0.1", auth_configured=False, allow_remote=True, proxied=True).refusal is None
    assert decide("127.0.0.1", auth_configured=True, allow_remote=False, proxied=True).refusal is None


@pytest.fixture
def demo_db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from serve_demo_orders(sqlite_url, monkeypatch, orders=5)


@pytest.fixture
def server_address() -> Iterator[None]:
    """The options a test sets are process-wide: put them back."""
    address = config.get_option("server.address")
    details = config.get_option("client.showErrorDetails")
    yield
    config.set_option("server.address", address)
    config.set_option("client.showErrorDetails", details)


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)


def test_make_run_serves_loopback_in_local_mode_with_a_banner(demo_db: str, server_address: None) -> None:
    assert config.get_option("server.address") == "127.0.0.1"  # .streamlit/config.toml
    at = _app().run()
    assert not at.exception and not at.error
    assert any(info.value.startswith("Local mode: no login") for info in at.info)
    assert len(at.dataframe[0].value) == 5


@pytest.mark.parametrize("address", ["0.0.0.0", None])
def test_local_mode_on_another_interface_serves_nothing(
    demo_db: str, server_address: None, address: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    config.set_option("server.address", address)
    at = _app().run()
    assert not at.exception
    assert [error.value for error in at.error] and "Local mode serves this machine only" in plain(at.error[0].value)
    assert not at.dataframe and not at.button  # no page ran
    assert "dashboard refused to serve" in caplog.text


def test_the_setting_deliberately_allows_another_interface(
    demo_db: str, server_address: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.context import perfile

    monkeypatch.setenv(ALLOW_SETTING, "true")
    perfile.clear()
    config.set_option("server.address", "0.0.0.0")
    at = _app().run()
    assert not at.exception and not at.error
    assert any("remote access allowed by setting" in info.value for info in at.info)
    assert len(at.dataframe[0].value) == 5


def test_with_a_login_configured_there_is_no_local_banner(demo_db: str, server_address: None) -> None:
    config.set_option("server.address", "0.0.0.0")
    at = _app()
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.error and not any(info.value.startswith("Local mode") for info in at.info)
    assert config.get_option("client.showErrorDetails") == "none"


def _failing_page() -> None:
    from ui import access_mode

    access_mode.enforce()
    raise RuntimeError("SELECT secret_column FROM stores")


def test_in_production_an_error_is_logged_on_the_server_not_shown(
    demo_db: str, server_address: None, caplog: pytest.LogCaptureFixture
) -> None:
    at = AppTest.from_function(_failing_page, default_timeout=30)
    at.secrets["auth"] = AUTH
    with caplog.at_level(logging.ERROR):
        at.run()
    (shown,) = at.exception
    assert "SELECT" not in shown.value and "RuntimeError" not in shown.value and not shown.stack_trace
    assert "SELECT secret_column FROM stores" in caplog.text  # the server's log has it


def test_in_local_mode_the_developer_sees_the_error(demo_db: str, server_address: None) -> None:
    at = AppTest.from_function(_failing_page, default_timeout=30).run()
    (shown,) = at.exception
    assert "SELECT secret_column FROM stores" in shown.value
