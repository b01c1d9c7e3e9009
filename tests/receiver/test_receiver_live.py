"""The receiver under gunicorn on a free loopback port, with real HTTP requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine

from tests.receiver.helpers import (
    BRING_SECRET,
    SANDBOX_SECRET,
    WOO_STORE,
    bring_sample,
    counts,
    load_sample,
    order_row,
    unified_event,
)
from tests.receiver.live_servers import free_port, gunicorn, wait_until_ready

pytestmark = pytest.mark.live


@pytest.fixture
def server(configured: Engine, db_url: str, tmp_path: Path) -> Iterator[str]:
    bind = f"127.0.0.1:{free_port()}"
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(db_url, bind, log_path) as process:
        wait_until_ready(f"http://{bind}", [process], [log_path])
        yield f"http://{bind}"
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines() if line.startswith("{")]
    deliveries = [line for line in lines if line.get("msg") == "webhook delivery"]
    assert deliveries, "one structured log line per delivery"
    assert all({"request_id", "source", "result", "status", "latency_ms"} <= line.keys() for line in deliveries)
    text = (tmp_path / "gunicorn.log").read_text()
    assert BRING_SECRET not in text and SANDBOX_SECRET not in text


def test_samples_over_real_http(server: str, configured: Engine) -> None:
    session = requests.Session()
    for name in ("shopify_orders_create_no_tracking", "shopify_orders_create_with_tracking"):
        sample = load_sample(name)
        response = session.post(f"{server}/webhooks/shopify", data=sample.body, headers=sample.headers, timeout=10)
        assert response.json() == {"status": "accepted"}
        again = session.post(f"{server}/webhooks/shopify", data=sample.body, headers=sample.headers, timeout=10)
        assert again.json() == {"status": "duplicate"}
    woo = load_sample("woocommerce_order_created")
    url = f"{server}/webhooks/woocommerce/{WOO_STORE}"
    assert session.post(url, data=woo.body, headers=woo.headers, timeout=10).json() == {"status": "accepted"}
    ping = load_sample("woocommerce_ping")
    assert session.post(url, data=ping.body, headers=ping.headers, timeout=10).status_code == 200
    # Bring Event Cast for an order that got the consignment number from a webshop update.
    bring = session.post(
        f"{server}/webhooks/couriers/bring",
        data=json.dumps(bring_sample()),
        headers={"X-Perfile-Secret": BRING_SECRET, "Content-Type": "application/json"},
        timeout=10,
    )
    assert bring.json() == {"status": "accepted"}
    body, headers = unified_event(SANDBOX_SECRET, "sandbox", "JVGL0612345678900123", "in_transit", datetime.now(UTC))
    response = session.post(f"{server}/webhooks/couriers/sandbox", data=body, headers=headers, timeout=10)
    assert response.json() == {"status": "accepted"}
    assert response.headers["X-Request-Id"]
    assert order_row(configured, external_id="6201234567890")["order_status"] == "in_transit"
    rejected = session.post(f"{server}/webhooks/couriers/sandbox", data=body + b" ", headers=headers, timeout=10)
    assert rejected.status_code == 401
    assert rejected.json()["error"] == "invalid_signature"
    assert counts(configured)["orders"] == 3
    session.close()


def test_simulate_command_against_the_live_receiver(
    server: str, configured: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from perfile_core.cli import main

    monkeypatch.setenv("PERFILE_DATABASE_URL", db_url)
    assert main(["simulate", "--url", server, "--ticks", "15", "--interval", "0", "--seed", "5"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed and all("-> 200 accepted" in line for line in printed), printed[:5]
    assert counts(configured)["orders"] > 0
