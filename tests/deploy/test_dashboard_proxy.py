"""Two dashboard replicas behind nginx (deploy/nginx/dashboard.conf.template, docs/DEPLOY.md):
the websocket passes the proxy, a client stays on one replica (hash of its address) (a Streamlit session lives in one
process), and when that replica stops the client is served by the other."""

from __future__ import annotations

import base64
import os
import socket
import time
from pathlib import Path

import pytest
import requests

from tests.browser.servers import serve_dashboard
from tests.deploy.replicas import stop_replica, upstreams
from tests.receiver.live_servers import free_port, nginx_proxy


@pytest.mark.live
def test_dashboard_replicas_behind_nginx_keep_a_client_on_one_replica(sqlite_url: str, tmp_path: Path) -> None:
    with (
        serve_dashboard(sqlite_url, tmp_path / "dashboard-1.log") as first,
        serve_dashboard(sqlite_url, tmp_path / "dashboard-2.log") as second,
    ):
        replicas = [url.removeprefix("http://") for url in (first, second)]
        port = free_port()
        var_dir = tmp_path / "nginx"
        with nginx_proxy(port, ",".join(replicas), var_dir, client_timeout=10, template="dashboard"):
            base = f"http://127.0.0.1:{port}"
            _wait(f"{base}/_stcore/health")
            assert "<title>" in requests.get(f"{base}/", timeout=5).text.lower()
            for _ in range(8):
                assert requests.get(f"{base}/_stcore/health", timeout=5).text == "ok"
            assert _websocket_handshake(port).startswith("HTTP/1.1 101")
            # Reached by a public name on a port of its own, as in docs/DEPLOY.md (:8501): Streamlit takes
            # the websocket only if the Host it sees still carries the port the browser's Origin names.
            assert _websocket_handshake(port, host="perfile.test").startswith("HTTP/1.1 101")
            served = upstreams(var_dir)
            assert len(set(served)) == 1 and served[0] in replicas, served  # sticky: one replica

            # That replica stops (a deploy, a crash): the browser reconnects and the other serves it.
            chosen = served[0]
            stop_replica(chosen)
            before = len(upstreams(var_dir))
            assert requests.get(f"{base}/_stcore/health", timeout=5).text == "ok"
            after = upstreams(var_dir)[before:]
            assert after and after[-1] != chosen and after[-1] in replicas, after


def _websocket_handshake(port: int, host: str = "127.0.0.1") -> str:
    """The browser's upgrade request for Streamlit's session stream, through the proxy, from a page
    at http://host:port (Streamlit lets loopback names through whatever Host it sees)."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /_stcore/stream HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: streamlit\r\n"
        f"Origin: http://{host}:{port}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        return sock.recv(4096).decode(errors="replace")


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer"
        time.sleep(0.2)
