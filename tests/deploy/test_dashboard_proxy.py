"""Two dashboard replicas behind nginx (deploy/nginx/dashboard.conf.template, docs/DEPLOY.md):
the websocket passes the proxy, a client stays on one replica (hash of its address) (a Streamlit session lives in one
process), and when that replica stops the client is served by the other."""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import time
from pathlib import Path

import pytest
import requests

from tests.browser.servers import serve_dashboard
from tests.deploy.processes import alive
from tests.receiver.live_servers import free_port, nginx_proxy

# nginx logs every replica it tried, comma-separated; the last one answered.
UPSTREAM = re.compile(r"upstream=(?:\S+, )*(\S+) total_s=")


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
            served = _upstreams(var_dir)
            assert len(set(served)) == 1 and served[0] in replicas, served  # sticky: one replica

            # That replica stops (a deploy, a crash): the browser reconnects and the other serves it.
            chosen = served[0]
            pid = _listener_pid(int(chosen.rsplit(":", 1)[1]))
            os.kill(pid, signal.SIGTERM)
            _wait_gone(pid)
            before = len(_upstreams(var_dir))
            assert requests.get(f"{base}/_stcore/health", timeout=5).text == "ok"
            after = _upstreams(var_dir)[before:]
            assert after and after[-1] != chosen and after[-1] in replicas, after


def _websocket_handshake(port: int) -> str:
    """The browser's upgrade request for Streamlit's session stream, through the proxy."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /_stcore/stream HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: streamlit\r\n"
        f"Origin: http://127.0.0.1:{port}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        return sock.recv(4096).decode(errors="replace")


def _upstreams(var_dir: Path) -> list[str]:
    log = var_dir / "nginx-access.log"
    return [match.group(1) for line in log.read_text().splitlines() if (match := UPSTREAM.search(line))]


def _listener_pid(port: int) -> int:
    """The process listening on a loopback port (the replica's streamlit)."""
    inode = _listening_inode(port)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
        if f"socket:[{inode}]" in links:
            return int(pid)
    raise AssertionError(f"nobody listens on {port}")


def _listening_inode(port: int) -> str:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return fields[9]
    raise AssertionError(f"nobody listens on {port}")


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while alive(pid):
        assert time.monotonic() < deadline, f"{pid} did not stop"
        time.sleep(0.1)


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
