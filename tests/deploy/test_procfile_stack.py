"""`make run`'s stack as it starts: scripts/run_stack.sh (migrate, seed, render nginx's config)
and then every Procfile process under honcho, on free ports; stopping honcho stops them all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.deploy.processes import LOOPBACK_V4, alive, descendants, listening_addresses
from tests.receiver.live_servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):", re.MULTILINE)
# What shows that each process does its work, in honcho's output ("name.1 | line").
WORKING = {
    "outbox": re.compile(r"^\S+ outbox\.1\s+\| (no SMTP host configured|sent \d+)", re.MULTILINE),
    "simulate": re.compile(r"^\S+ simulate\.1\s+\| .+-> 200 accepted", re.MULTILINE),
    "simulate_sandbox": re.compile(r"^\S+ simulate_sandbox\.1\s+\| \d+ sandbox shipments", re.MULTILINE),
}
# How each process shows in `ps` (the Procfile's lines, after the shell exec'd them).
COMMANDS = {
    "receiver": "gunicorn -c receiver/gunicorn_conf.py",
    "proxy": "nginx: master process",
    "dashboard": "streamlit run app.py",
    "poller": "perfile_core poll-tracking --every",
    "outbox": "perfile_core send-notifications --every",
    "simulate": "perfile_core simulate --interval",
    "simulate_sandbox": "perfile_core simulate-sandbox --every",
}


def test_make_run_starts_every_procfile_process_but_the_dashboards_proxy() -> None:
    names = PROCFILE_LINE.findall((ROOT / "Procfile").read_text())
    assert sorted(names) == sorted([*COMMANDS, "dashboard_proxy"]) and len(set(names)) == len(names)
    assert " ".join(COMMANDS) in (ROOT / "scripts/run_stack.sh").read_text()


@pytest.mark.live
@pytest.mark.parametrize("stop", ["SIGTERM to honcho", "Ctrl-C"])
def test_make_run_starts_every_process_and_stopping_leaves_none(tmp_path: Path, stop: str) -> None:
    receiver_port, gunicorn_port, dashboard_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PERFILE_DATABASE_URL": f"sqlite:///{tmp_path / 'perfile.db'}",
        "RECEIVER_PORT": str(receiver_port),
        "PERFILE_RECEIVER_BIND": f"127.0.0.1:{gunicorn_port}",
        "DASHBOARD_PORT": str(dashboard_port),
        "PERFILE_PROXY_DIR": str(tmp_path / "nginx"),
    }
    env.pop("PERFILE_RECEIVER_URL", None)
    log_path = tmp_path / "stack.log"
    with log_path.open("w") as log:
        # Its own session, like a terminal's foreground job: Ctrl-C signals the whole group.
        stack = subprocess.Popen(
            ["bash", "scripts/run_stack.sh"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running: dict[int, str] = {}
    try:
        _wait_for_every_process(stack, log_path, receiver_port, dashboard_port)
        running = descendants(stack.pid)
        assert "honcho start" in " ".join(Path(f"/proc/{stack.pid}/cmdline").read_text().split("\0"))
        missing = [name for name, command in COMMANDS.items() if not any(command in c for c in running.values())]
        assert not missing, f"not running: {missing}\n{running}"
        # Local mode: the dashboard listens on 127.0.0.1 only.
        assert listening_addresses(dashboard_port) == {LOOPBACK_V4}

        if stop == "Ctrl-C":
            os.killpg(stack.pid, signal.SIGINT)
        else:
            stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in running) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = {pid: command for pid, command in running.items() if alive(pid)}
        assert not left, f"still running after honcho stopped: {left}"
        assert not listening_addresses(receiver_port) and not listening_addresses(dashboard_port)
    finally:
        leftovers = {**running, **(descendants(stack.pid) if stack.poll() is None else {})}
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()
        for pid in leftovers:  # honcho starts each process in a session of its own
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def _wait_for_every_process(
    stack: subprocess.Popen[bytes], log_path: Path, receiver_port: int, dashboard_port: int
) -> None:
    checks = {
        "receiver /healthz through nginx": lambda: _ok(f"http://127.0.0.1:{receiver_port}/healthz"),
        "dashboard /_stcore/health": lambda: _ok(f"http://127.0.0.1:{dashboard_port}/_stcore/health"),
        **{
            name: (lambda pattern=pattern: bool(pattern.search(log_path.read_text())))
            for name, pattern in WORKING.items()
        },
    }
    deadline = time.monotonic() + 120
    waiting = list(checks)
    while waiting:
        waiting = [name for name in waiting if not checks[name]()]
        if not waiting:
            return
        if stack.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"not up: {waiting}\n{log_path.read_text()[-4000:]}")
        time.sleep(0.5)


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False
