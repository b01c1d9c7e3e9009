"""Slow clients cannot stall the receiver: gunicorn with the repository's config behind nginx
with the repository's config (as `make run` starts them), against clients that announce a body
and never finish it, or never finish their headers.

The control test runs the same clients against gunicorn alone and shows the stall that the
proxy exists to prevent.
"""

from __future__ import annotations

import json
import re
import selectors
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine

from perfile_core.services.orders import attach_tracking, create_order
from tests.actors import ADMIN, person
from tests.receiver.helpers import SANDBOX_SECRET, order_row, typed_number, unified_event
from tests.receiver.live_servers import free_port, gunicorn, nginx_proxy, wait_until_ready

pytestmark = pytest.mark.live

CLIENT_TIMEOUT = 3  # seconds; the proxy's client_header/body_timeout, shortened for the test
CLOSE_MARGIN = 2.0
ANSWER_BOUND = 1.0
SLOW_BODIES = 50
SLOW_HEADERS = 5
PROBES = 4
# Announces 1,000 bytes, sends 6: the finding's client.
SLOW_BODY = (
    b"POST /webhooks/couriers/sandbox HTTP/1.1\r\nHost: receiver\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n" + b'{"type'
)
SLOW_HEADER = b"POST /webhooks/couriers/sandbox HTTP/1.1\r\nHost: receiver\r\nContent-Type: appl"


@dataclass
class Stack:
    base: str
    internal: str
    gunicorn_log: Path
    app_server: subprocess.Popen[bytes]


@contextmanager
def _stack(db_url: str, tmp_path: Path) -> Iterator[Stack]:
    internal = f"127.0.0.1:{free_port()}"
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    var_dir = tmp_path / "nginx"
    with (
        gunicorn(db_url, internal, log_path) as app_server,
        nginx_proxy(port, internal, var_dir, client_timeout=CLIENT_TIMEOUT) as proxy,
    ):
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base, [app_server, proxy], [log_path, var_dir / "nginx-error.log"])
        yield Stack(base, f"http://{internal}", log_path, app_server)


@pytest.fixture
def proxied(configured: Engine, db_url: str, tmp_path: Path) -> Iterator[Stack]:
    """On both databases, with couriers configured: for real deliveries."""
    with _stack(db_url, tmp_path) as stack:
        yield stack


@pytest.fixture
def proxied_sqlite(sqlite_url: str, tmp_path: Path) -> Iterator[Stack]:
    """Once, on SQLite: for what does not depend on the database."""
    with _stack(sqlite_url, tmp_path) as stack:
        yield stack


def _open_slow_clients(base: str) -> tuple[list[socket.socket], float]:
    """The slow clients, connected and silent, and the time the last one sent its bytes."""
    host, port = base.removeprefix("http://").split(":")
    clients = []
    for payload in [SLOW_BODY] * SLOW_BODIES + [SLOW_HEADER] * SLOW_HEADERS:
        client = socket.create_connection((host, int(port)), timeout=5)
        client.sendall(payload)
        clients.append(client)
    sent = time.monotonic()
    time.sleep(0.3)  # let the server take them all in before we measure
    return clients, sent


def _seconds_until_closed(clients: list[socket.socket], since: float, deadline: float) -> list[float | None]:
    """For each client, seconds from `since` until the server closed or reset it (None: still open)."""
    closed_after: dict[socket.socket, float] = {}
    with selectors.DefaultSelector() as selector:
        for client in clients:
            client.setblocking(False)
            selector.register(client, selectors.EVENT_READ)
        while len(closed_after) < len(clients) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
                client = key.fileobj
                assert isinstance(client, socket.socket)
                try:
                    data = client.recv(4096)
                except ConnectionResetError:
                    data = b""
                # nginx logs 408 and resets the connection without sending anything.
                assert data == b"" or data.startswith(b"HTTP/1.1 408"), data[:200]
                closed_after[client] = time.monotonic() - since
                selector.unregister(client)
    return [closed_after.get(client) for client in clients]


def _seeded_order(db: Engine, number: str) -> int:
    order = create_order(db, {"store_key": "manual-store", "customer_name": "Kari Nordmann"}, actor=ADMIN)
    attach_tracking(db, order.id, number, "sandbox", actor=person("test"))
    return order.id


def _timed(send: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = send()
    return response, time.monotonic() - started


def test_slow_clients_do_not_stall_the_receiver_behind_the_proxy(proxied: Stack, configured: Engine) -> None:
    numbers = [typed_number("sandbox", f"SLOWTEST{index}") for index in range(5)]
    for number in numbers:
        _seeded_order(configured, number)
    clients, opened = _open_slow_clients(proxied.base)
    try:
        health_seconds = []
        delivery_seconds = []
        for number in numbers:
            health, seconds = _timed(partial(requests.get, f"{proxied.base}/healthz", timeout=10))
            assert health.status_code == 200
            health_seconds.append(seconds)
            body, headers = unified_event(SANDBOX_SECRET, "sandbox", number, "in_transit", datetime.now(UTC))
            url = f"{proxied.base}/webhooks/couriers/sandbox"
            delivery, seconds = _timed(partial(requests.post, url, data=body, headers=headers, timeout=10))
            assert delivery.json() == {"status": "accepted"}
            delivery_seconds.append(seconds)
        probes_done = time.monotonic() - opened
        closed_after = _seconds_until_closed(clients, opened, opened + CLIENT_TIMEOUT + CLOSE_MARGIN + 5)
    finally:
        for client in clients:
            client.close()

    print(
        f"\nbehind the proxy, {len(clients)} slow clients open: /healthz max {max(health_seconds) * 1000:.1f} ms, "
        f"deliveries max {max(delivery_seconds) * 1000:.1f} ms; slow clients closed after "
        f"{min(filter(None, closed_after), default=0):.2f}-{max(filter(None, closed_after), default=0):.2f} s"
    )
    assert max(health_seconds) < ANSWER_BOUND, health_seconds
    assert max(delivery_seconds) < ANSWER_BOUND, delivery_seconds
    for number in numbers:
        assert order_row(configured, tracking_number=number)["order_status"] == "in_transit"
    # Every slow client was still connected while the probes ran, and was closed by the proxy
    # once it had been silent for the client timeout.
    assert None not in closed_after, f"{closed_after.count(None)} slow clients still open"
    assert all(probes_done < seconds <= CLIENT_TIMEOUT + CLOSE_MARGIN for seconds in closed_after), closed_after
    # The proxy kept every unfinished request to itself: gunicorn saw only the five deliveries.
    logged = [json.loads(line) for line in proxied.gunicorn_log.read_text().splitlines() if line.startswith("{")]
    assert len([line for line in logged if line.get("msg") == "webhook delivery"]) == len(numbers)


def _healthz_misses(base: str, probes: int) -> int:
    """How many of `probes` consecutive /healthz requests got no answer within the bound."""
    misses = 0
    for _ in range(probes):
        try:
            requests.get(f"{base}/healthz", timeout=ANSWER_BOUND)
        except requests.Timeout:
            misses += 1
    return misses


def test_without_the_proxy_slow_clients_stall_gunicorn(sqlite_url: str, tmp_path: Path) -> None:
    """Why the proxy exists: the same clients sent to gunicorn's own port hold its threads.

    One worker (the repository's config otherwise): with two, the kernel decides how the slow
    clients spread over the workers, and one of them sometimes keeps a free thread: then only
    some probes stall (3 to 8 of 8 in our runs) instead of all of them.
    """
    bind = f"127.0.0.1:{free_port()}"
    internal = f"http://{bind}"
    with gunicorn(sqlite_url, bind, tmp_path / "gunicorn.log", workers=1) as app_server:
        wait_until_ready(internal, [app_server], [tmp_path / "gunicorn.log"])
        assert _healthz_misses(internal, 3) == 0
        clients, sent = _open_slow_clients(internal)
        try:
            first = _healthz_misses(internal, PROBES)
            # Still stalled well past the proxy's client timeout: gunicorn never gives up on them.
            time.sleep(max(0.0, sent + CLIENT_TIMEOUT + 1 - time.monotonic()))
            later = _healthz_misses(internal, PROBES)
        finally:
            for client in clients:
                client.close()
        print(
            f"\ngunicorn alone, {len(clients)} slow clients open: /healthz missed 1 s in {first}/{PROBES}, "
            f"then {later}/{PROBES} after {CLIENT_TIMEOUT + 1} s"
        )
        assert (first, later) == (PROBES, PROBES)
        # Once they hang up, the threads are free again.
        health, seconds = _timed(partial(requests.get, f"{internal}/healthz", timeout=10))
        assert health.status_code == 200 and seconds < ANSWER_BOUND


def test_the_proxy_answers_its_own_errors_in_the_contract_shape(proxied_sqlite: Stack) -> None:
    proxied = proxied_sqlite
    url = f"{proxied.base}/webhooks/couriers/sandbox"
    too_large = requests.post(url, data=b"x" * (1024 * 1024 + 1), timeout=10)
    assert too_large.status_code == 413
    assert too_large.json() == {
        "error": "payload_too_large",
        "detail": "body is larger than 1 MiB",
        "request_id": too_large.headers["X-Request-Id"],
    }
    # Exactly 1 MiB passes the proxy and reaches the receiver, which answers for itself.
    at_limit = requests.post(url, data=b"x" * 1024 * 1024, headers={"X-Request-Id": "sender-7"}, timeout=10)
    assert at_limit.status_code == 401
    assert at_limit.json()["request_id"] == at_limit.headers["X-Request-Id"] == "sender-7"
    # An id the receiver would refuse is replaced by the proxy's, and the receiver keeps that one.
    odd = requests.post(url, data=b"{}", headers={"X-Request-Id": 'x"}<b>'}, timeout=10)
    assert re.fullmatch(r"[0-9a-f]{32}", odd.json()["request_id"])
    assert odd.headers["X-Request-Id"] == odd.json()["request_id"]

    host, port = proxied.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"GARBAGE \x01\r\n\r\n")
        answer = b""
        while chunk := raw.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert json.loads(body)["error"] == "bad_request"

    # The receiver is down (restarting, crashed): 503 + Retry-After, so senders try again.
    proxied.app_server.terminate()
    proxied.app_server.wait(timeout=15)
    down = requests.post(url, data=b"{}", timeout=10)
    assert down.status_code == 503
    assert down.headers["Retry-After"] == "5"
    assert down.json() == {
        "error": "receiver_unavailable",
        "detail": "the receiver is not answering; retry later",
        "request_id": down.headers["X-Request-Id"],
    }
