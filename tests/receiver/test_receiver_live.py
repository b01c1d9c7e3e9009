"""The receiver under gunicorn on a free loopback port, with real HTTP requests."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, select

from perfile_core.db.tables import orders, stores, tracking_events, webhook_inbox
from perfile_core.domain.status import Status, rank
from tests.receiver.helpers import (
    BRING_SECRET,
    DHL_SECRET,
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
    # The webshop's DHL order, moved by DHL (couriers move only their own shipments).
    body, headers = unified_event(DHL_SECRET, "dhl", "JVGL0612345678900123", "in_transit", datetime.now(UTC))
    response = session.post(f"{server}/webhooks/couriers/dhl", data=body, headers=headers, timeout=10)
    assert response.json() == {"status": "accepted"}
    assert response.headers["X-Request-Id"]
    assert order_row(configured, external_id="6201234567890")["order_status"] == "in_transit"
    rejected = session.post(f"{server}/webhooks/couriers/dhl", data=body + b" ", headers=headers, timeout=10)
    assert rejected.status_code == 401
    assert rejected.json()["error"] == "invalid_signature"
    assert counts(configured)["orders"] == 3
    session.close()


def _sent(printed: list[str]) -> dict[str, Any]:
    """What the simulate command says it sent, by kind, from its `label -> code answer` lines."""
    sent: dict[str, Any] = {"shopify": {}, "woo_created": [], "woo_tracked": [], "events": defaultdict(list)}
    for line in printed:
        label, _, answer = line.partition(" -> ")
        label = label.rstrip()
        assert answer == "200 accepted", line
        words = label.split()
        if words[0] == "shopify":
            sent["shopify"][words[2]] = label.endswith("with tracking")
        elif words[:2] == ["woocommerce", "order.created"]:
            sent["woo_created"].append(words[2])
        elif words[:2] == ["woocommerce", "order.updated"]:
            sent["woo_tracked"].append(words[2])
        else:
            assert words[0] == "sandbox", line
            status, _, reason = words[2].partition(":")
            sent["events"][words[1]].append((status, reason or None))
    return sent


def test_simulate_command_against_the_live_receiver(
    server: str, configured: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """New webshop orders with and without tracking, courier events applied to them, all accepted."""
    from perfile_core.cli import main

    monkeypatch.setenv("PERFILE_DATABASE_URL", db_url)
    # Ticks without pauses: a pace of 1e9 makes every paced step (hours of parcel time) due at once.
    assert main(["simulate", "--url", server, "--ticks", "15", "--interval", "0", "--seed", "6", "--pace", "1e9"]) == 0
    printed = capsys.readouterr().out.splitlines()
    sent = _sent(printed)
    # This seed sends every kind of delivery the command promises (a changed seed must keep that).
    assert True in sent["shopify"].values() and False in sent["shopify"].values()
    assert sent["woo_created"] and sent["woo_tracked"] and set(sent["woo_tracked"]) <= set(sent["woo_created"])
    assert any(reason for steps in sent["events"].values() for _, reason in steps)
    assert any(steps[-1][0] == "delivered" for steps in sent["events"].values())

    with configured.connect() as conn:
        stored = {(row.store, row.order_number): row for row in conn.execute(_ORDERS)}
        events = conn.execute(select(tracking_events)).mappings().all()
        inbox = conn.execute(select(webhook_inbox.c.source, webhook_inbox.c.result)).all()
    # Each new order stored once, in its simulated store; nothing else came in.
    expected = {("sim-shopify", number) for number in sent["shopify"]}
    expected |= {("sim-woo", number) for number in sent["woo_created"]}
    assert set(stored) == expected
    for number, with_tracking in sent["shopify"].items():
        assert (stored["sim-shopify", number].tracking_number is not None) == with_tracking, number
    for number in sent["woo_created"]:
        assert (stored["sim-woo", number].tracking_number is not None) == (number in sent["woo_tracked"]), number
    # Every courier event stored once and applied to the order with its tracking number.
    by_number = {row.tracking_number: row for row in stored.values() if row.tracking_number}
    assert sorted(event["tracking_number"] for event in events) == sorted(
        number for number, steps in sent["events"].items() for _ in steps
    )
    for event in events:
        order = by_number[event["tracking_number"]]
        assert (event["order_id"], event["courier"]) == (order.id, "sandbox")
        assert event["applied_at"] is not None
    # Each shipment's order shows what its events said: the furthest main-line step, the last exception.
    for number, steps in sent["events"].items():
        order = by_number[number]
        main_line = [Status(status) for status, _ in steps if status != "exception"]
        assert order.main_status == max(main_line, key=rank).value, number
        reasons = [reason for _, reason in steps if reason]
        assert order.exception_reason == (reasons[-1] if reasons else None), number
        if steps[-1][0] != "exception":
            assert order.order_status == steps[-1][0], number
    # One inbox row per delivery, all accepted.
    assert len(inbox) == len(printed) and {result for _, result in inbox} == {"accepted"}
    assert Counter(source for source, _ in inbox) == {
        "shopify": len(sent["shopify"]),
        "woocommerce": len(sent["woo_created"]) + len(sent["woo_tracked"]),
        "courier:sandbox": sum(len(steps) for steps in sent["events"].values()),
    }


_ORDERS = select(
    stores.c.key.label("store"),
    orders.c.id,
    orders.c.order_number,
    orders.c.tracking_number,
    orders.c.order_status,
    orders.c.main_status,
    orders.c.exception_reason,
).join(stores, stores.c.id == orders.c.store_id)
