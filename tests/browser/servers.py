"""The real dashboard (streamlit) and receiver (gunicorn) on free loopback ports, and Debian's
headless Chromium to drive them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.ci import unavailable

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        unavailable("chromium is not installed (make test installs it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serve(command: list[str], env: dict[str, str], health_url: str, log_path: Path) -> Iterator[None]:
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(health_url, timeout=1).ok:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"{command[2]} did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.2)
            yield
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextmanager
def serve_dashboard(
    database_url: str,
    log_path: Path,
    *,
    refresh_seconds: float = 1,
    extra_env: dict[str, str] | None = None,
    script: str = "app.py",
    module: str = "streamlit",
    port: int | None = None,
    options: dict[str, str] | None = None,
) -> Iterator[str]:
    """`script`: the dashboard's entry point, or a benchmark's page (relative to the repository);
    `module`: what runs it (`python -m module run script ...`), e.g. a benchmark's timed server;
    `port`: a free port chosen beforehand (e.g. for a redirect_uri), else one is picked;
    `options`: more Streamlit options, e.g. {"secrets.files": path} (`--secrets.files path`)."""
    port = port or free_port()
    command = [sys.executable, "-m", module, "run", script, "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false"]  # the page would fetch data.streamlit.io
    for name, value in (options or {}).items():
        command += [f"--{name}", value]
    env = {"PERFILE_DATABASE_URL": database_url, "PERFILE_DASHBOARD_REFRESH_SECONDS": str(refresh_seconds)}
    env.update(extra_env or {})
    url = f"http://127.0.0.1:{port}"
    with _serve(command, env, f"{url}/_stcore/health", log_path):
        yield url


@contextmanager
def serve_receiver(database_url: str, log_path: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "receiver/gunicorn_conf.py", "receiver:create_app()"]
    env = {
        "PERFILE_DATABASE_URL": database_url,
        "PERFILE_RECEIVER_BIND": f"127.0.0.1:{port}",
        "PERFILE_RECEIVER_WORKERS": "1",
    }
    url = f"http://127.0.0.1:{port}"
    with _serve(command, env, f"{url}/readyz", log_path):
        yield url


@contextmanager
def serve_stack(database_url: str, log_dir: Path) -> Iterator[tuple[str, str]]:
    """The receiver and the dashboard on one database whose stores and courier accounts are
    set up as an operator does it; yields (receiver URL, dashboard URL)."""
    from perfile_core.db.engine import make_engine
    from tests.receiver.helpers import configure_sources

    require_chromium()
    engine = make_engine(database_url)
    configure_sources(engine)
    engine.dispose()
    with (
        serve_receiver(database_url, log_dir / "gunicorn.log") as receiver,
        serve_dashboard(database_url, log_dir / "streamlit.log") as dashboard,
    ):
        yield receiver, dashboard
