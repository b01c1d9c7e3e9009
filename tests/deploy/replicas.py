"""Replicas behind the rendered nginx, read from outside: which replica nginx sent each request to
(its access log, deploy/nginx/dashboard.conf.template's format) and stopping the process that
listens on a replica's port, as a deploy or a crash does."""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.processes import alive

# nginx logs every replica it tried, comma-separated; the last one answered.
_LINE = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d{3}) upstream=(?:\S+, )*(?P<upstream>\S+) total_s=')


@dataclass(frozen=True)
class Served:
    request: str  # "GET /_stcore/stream HTTP/1.1"
    status: int
    upstream: str  # the replica that answered, host:port

    @property
    def path(self) -> str:
        return self.request.split(" ")[1].split("?")[0] if " " in self.request else self.request


def served(var_dir: Path) -> list[Served]:
    """Every request nginx logged so far, in order (a websocket is logged when it closes)."""
    log = var_dir / "nginx-access.log"
    if not log.exists():
        return []
    return [
        Served(match["request"], int(match["status"]), match["upstream"])
        for line in log.read_text().splitlines()
        if (match := _LINE.search(line))
    ]


def upstreams(var_dir: Path) -> list[str]:
    return [item.upstream for item in served(var_dir)]


def listener_pid(port: int) -> int:
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


def stop_replica(address: str) -> None:
    """SIGTERM to whatever listens on `address` (host:port), and wait until it is gone."""
    pid = listener_pid(int(address.rsplit(":", 1)[1]))
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while alive(pid):
        assert time.monotonic() < deadline, f"{pid} did not stop"
        time.sleep(0.1)
